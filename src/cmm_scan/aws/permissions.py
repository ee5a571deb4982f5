"""IAM actions from the specs: the least-privilege policy, and the set of calls the scanner may make."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from functools import cache

from cmm_scan.aws.spec import Catalogue, Collector, catalogue

# IAM service prefixes that differ from the boto3 service name.
IAM_PREFIX = {
    "s3control": "s3",
    "resourcegroupstaggingapi": "tag",
    "sso-admin": "sso",
    "stepfunctions": "states",
    "elbv2": "elasticloadbalancing",
    "elb": "elasticloadbalancing",
    "ce": "ce",
    "inspector2": "inspector2",
    "cloudwatch": "cloudwatch",
    "verifiedpermissions": "verifiedpermissions",
}
# Calls the plan makes before any collector: who am I, which regions, which accounts (--org).
PLAN_CALLS = {
    ("sts", "get_caller_identity"): "sts:GetCallerIdentity",
    ("ec2", "describe_regions"): "ec2:DescribeRegions",
    ("organizations", "list_accounts"): "organizations:ListAccounts",
    ("organizations", "describe_organization"): "organizations:DescribeOrganization",
}
READ_PREFIXES = ("Describe", "List", "Get", "BatchGet", "Search", "Lookup")
# Read-classified actions whose names do not say so (AWS's own access level is Read).
READ_EXCEPTIONS = frozenset({"iam:GenerateCredentialReport", "iam:GenerateServiceLastAccessedDetails", "budgets:ViewBudget"})


@cache
def api_name(service: str, operation: str) -> str:
    """boto3 method name -> API operation name (describe_db_instances -> DescribeDBInstances)."""
    from botocore import xform_name

    model = _session().get_service_model(service)
    for name in model.operation_names:
        if xform_name(name) == operation:
            return name
    raise KeyError(f"{service} has no operation {operation}")


@cache
def _session():  # type: ignore[no-untyped-def]
    import botocore.session

    return botocore.session.get_session()


def action(service: str, operation: str, override: str | None = None) -> str:
    return override or f"{IAM_PREFIX.get(service, service)}:{api_name(service, operation)}"


def _no_action(service: str, operation: str, override: str | None = None) -> str:
    return ""


def collector_calls(spec: Collector, cat: Catalogue, actions: bool = True) -> list[tuple[str, str, str]]:
    """(service, operation, action) for every call the collector and the lookups it reads can make.
    With actions=False the action is "" and no service model is loaded (a scan needs only the calls)."""
    act = action if actions else _no_action
    calls: list[tuple[str, str, str]] = []
    if spec.operation and spec.service:
        calls.append((spec.service, spec.operation, act(spec.service, spec.operation, spec.action)))
    for call in spec.calls:
        service = call.service or spec.service or ""
        calls.append((service, call.operation, act(service, call.operation, call.action)))
    if spec.management_account_only:
        calls.append(("organizations", "describe_organization", "organizations:DescribeOrganization"))
    for p in spec.permissions:
        calls.append((p.service, p.operation, act(p.service, p.operation, p.action)))
    for name in lookups_of(spec, cat):
        lookup = cat.lookups[name]
        if lookup.operation and lookup.service:
            calls.append((lookup.service, lookup.operation, act(lookup.service, lookup.operation, lookup.action)))
        elif lookup.collector:
            calls += collector_calls(cat.collectors[lookup.collector], cat, actions)
    return calls


def lookups_of(spec: Collector, cat: Catalogue) -> list[str]:
    """Lookups a collector reads, directly or through other lookups' joins."""
    pending = [j.lookup for j in spec.joins] + ([spec.for_each] if spec.for_each else [])
    seen: list[str] = []
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.append(name)
        pending += [j.lookup for j in cat.lookups[name].joins]
    return seen


def declared_calls(cat: Catalogue) -> frozenset[tuple[str, str]]:
    return _declared(id(cat), cat)


_DECLARED: dict[int, frozenset[tuple[str, str]]] = {}
_DECLARED_LOCK = threading.Lock()


def _declared(key: int, cat: Catalogue) -> frozenset[tuple[str, str]]:
    # Without actions: naming them parses every service model (~80 MB) in a session of its own.
    with _DECLARED_LOCK:
        found = _DECLARED.get(key)
        if found is None:
            found = frozenset((s, o) for c in cat.collectors.values() for s, o, _ in collector_calls(c, cat, actions=False))
            _DECLARED[key] = found
        return found


def selected(fact_types: Iterable[str], cat: Catalogue) -> list[Collector]:
    wanted = set(fact_types)
    return [c for c in cat.collectors.values() if c.fact in wanted or set(c.enriches) & wanted]


def is_read_action(name: str) -> bool:
    return name in READ_EXCEPTIONS or name.split(":", 1)[1].startswith(READ_PREFIXES)


def permissions(fact_types: Iterable[str]) -> str:
    """The policy document `cmm-scan permissions aws` prints: from the specs alone, no boto3 needed."""
    return json.dumps(policy(fact_types), indent=2)


def policy(fact_types: Iterable[str], cat: Catalogue | None = None) -> dict:
    cat = cat or catalogue()
    actions = sorted({a for c in selected(fact_types, cat) for _, _, a in collector_calls(c, cat)} | set(PLAN_CALLS.values()))
    return {
        "Version": "2012-10-17",
        "Statement": [{"Sid": "CmmScanReadOnly", "Effect": "Allow", "Action": actions, "Resource": "*"}],
    }
