"""The Azure adapter (contract in cmm_scan.collect): plan the tenant and subscriptions, run the REST specs in
providers/azure/ through azure-core, print the custom role and the Graph permissions.

Scope units (docs/azure.md): `tenant` (Microsoft Graph, tenant-wide Resource Graph), `subscription_group`
(one Resource Graph query for up to 300 subscriptions), `subscription` (ARM reads Resource Graph lacks).
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from cmm_scan.azure.options import Options
from cmm_scan.cloud.executor import Context, Outcome, Unit, UnitRun, emit_coverage
from cmm_scan.cloud.memo import Memo
from cmm_scan.cloud.permissions import required, selected
from cmm_scan.cloud.runner import run_units
from cmm_scan.cloud.spec import Catalogue, Request, load_catalogue
from cmm_scan.cloud.transport import CloudError
from cmm_scan.collect import ScanPlan, Sink, in_shard
from cmm_scan.errors import UserError
from cmm_scan.models import Coverage, Fact, ScopeInfo
from cmm_scan.paths import bundled

GROUP_SIZE = 300  # subscriptions one Resource Graph query may name and stay clear of its limits
ARG = {
    "operation": "Microsoft.ResourceGraph/resources",
    "api": "arm",
    "method": "POST",
    "path": "/providers/Microsoft.ResourceGraph/resources",
}
ARG_QUERY = {"api-version": "2022-10-01"}

# The requests the plan makes before any collector: which tenant, which subscriptions, which management groups.
PLAN_REQUESTS = {
    "tenants": Request(
        operation="Microsoft.Resources/tenants/list",
        api="arm",
        permissions=["Microsoft.Resources/tenants/read"],
        path="/tenants",
        query={"api-version": "2022-12-01"},
        items="value",
        paging="next_link",
    ),
    "subscriptions": Request(
        operation="Microsoft.Resources/subscriptions/list",
        api="arm",
        permissions=["Microsoft.Resources/subscriptions/read"],
        path="/subscriptions",
        query={"api-version": "2022-12-01"},
        items="value",
        paging="next_link",
    ),
    "management_groups": Request(
        **ARG,
        permissions=["Microsoft.ResourceGraph/resources/read", "Microsoft.Management/managementGroups/read"],
        query=ARG_QUERY,
        body={"query": "ResourceContainers | where type =~ 'microsoft.management/managementgroups' | project id, name, properties"},
        items="data",
        paging="skip_token",
    ),
    "under_group": Request(
        **ARG,
        permissions=["Microsoft.ResourceGraph/resources/read", "Microsoft.Management/managementGroups/read"],
        query=ARG_QUERY,
        body={
            "managementGroups": ["{management_group}"],
            "query": "ResourceContainers | where type =~ 'microsoft.resources/subscriptions' | project subscriptionId",
        },
        items="data",
        paging="skip_token",
    ),
}


ORG_GROUP = "microsoft.management/managementgroups"


def _groups_request(fact_types: list[str]) -> Request:
    """The plan's management-group query. When the organisation collector runs, its query (management groups and
    subscriptions) is sent instead and its pages kept for it (the plan's memo is the scan's): one page, not two."""
    org = catalogue().collectors["azure.organization"]
    if org in selected(fact_types, catalogue()):
        return org.request("Microsoft.ResourceGraph/resources")
    return PLAN_REQUESTS["management_groups"]


@cache
def catalogue() -> Catalogue:
    from cmm_scan.azure import conditional_access, transforms  # noqa: F401  (register the Azure transforms the specs name)

    return load_catalogue("azure", bundled("providers") / "azure")


@dataclass
class State:
    transport: Any
    tenant: str
    subscriptions: list[str]
    invisible: list[str]  # asked for by --subscriptions but not visible to the credential
    regions: list[str] | None
    workers: int
    memo: Memo  # the plan's requests' pages: a collector sending the same request reads them
    devops_orgs: list[str]  # Azure DevOps organisations (--devops-org): none given, their collectors do not run


def plan(options: Options, fact_types: list[str]) -> ScanPlan:
    from cmm_scan.azure.transport import AzureTransport, Endpoints, credential

    transport = AzureTransport(Endpoints.from_environment(options.endpoint_url), credential())
    run = UnitRun(Context(catalogue=catalogue(), transport=transport, emit=lambda _: None), Unit("plan", "plan", ("plan",)))
    try:
        tenants = run.items(PLAN_REQUESTS["tenants"])
        # the state compared without case (an enum, written "Enabled" by the API; an estate may write "enabled")
        visible = [s for s in run.items(PLAN_REQUESTS["subscriptions"]) if str(s.get("state") or "Enabled").lower() == "enabled"]
    except CloudError as exc:
        raise UserError(
            f"cannot list the Azure tenant and subscriptions: {exc}",
            "sign in (az login), set AZURE_ACCESS_TOKEN, or grant Reader (or the role `cmm-scan permissions azure` prints)",
        ) from None
    tenant = options.tenant or (tenants[0]["tenantId"] if tenants else None)
    if not tenant:
        raise UserError("the credential sees no Azure tenant", "pass --tenant")
    names = {s["subscriptionId"].lower(): s.get("displayName") or "" for s in visible}
    chosen = list(names)
    groups: list[dict[str, Any]] = []
    with contextlib.suppress(CloudError):  # management groups are context: without them the subscriptions still scan
        rows = run.shared_items(_groups_request(fact_types))
        groups = [r for r in rows if str(r.get("type") or "microsoft.management/managementgroups").lower() == ORG_GROUP]
    if options.management_groups:
        under: set[str] = set()
        for group in options.management_groups:
            unit = UnitRun(run.context, Unit("plan", "plan", ("plan",), vars={"management_group": group}))
            try:
                under |= {r["subscriptionId"].lower() for r in unit.items(PLAN_REQUESTS["under_group"])}
            except CloudError as exc:
                raise UserError(f"cannot read management group {group}: {exc}", "check the name and your access") from None
        chosen = [s for s in chosen if s in under]
    invisible = [s for s in options.subscriptions_include if s not in names]
    if options.subscriptions_include:
        chosen = [s for s in chosen if s in options.subscriptions_include]
    chosen = [s for s in chosen if s not in options.subscriptions_exclude and in_shard(s, options.shard)]
    invisible = [s for s in invisible if in_shard(s, options.shard)]
    scopes = [ScopeInfo(id=tenant, kind="tenant")]
    # a group's displayName may be null (Resource Graph shows what Management Groups holds): the scope is unnamed
    scopes += [ScopeInfo(id=g["name"], kind="management_group", name=(g.get("properties") or {}).get("displayName") or "") for g in groups]
    scopes += [ScopeInfo(id=s, kind="subscription", name=names.get(s, "")) for s in chosen + invisible]
    return ScanPlan(
        scopes=scopes,
        regions=options.regions or [],
        state=State(transport, tenant, chosen, invisible, options.regions, options.workers, run.context.memo, options.devops_orgs),
    )


def units(state: State) -> list[Unit]:
    found = [Unit("tenant", f"tenant:{state.tenant}", (state.tenant,), vars={"tenant": state.tenant})]
    for start in range(0, len(state.subscriptions), GROUP_SIZE):
        group = state.subscriptions[start : start + GROUP_SIZE]
        regions = state.regions or []
        parts = tuple(
            Unit("subscription_group", f"subscriptions:{s}", (s,), vars={"subscriptions": [s], "regions": regions}) for s in group
        )
        found.append(
            Unit(
                "subscription_group",
                f"subscriptions:{start}",
                tuple(group),
                vars={"subscriptions": group, "regions": regions},
                parts=parts if len(group) > 1 else (),
            )
        )
    found += [Unit("subscription", f"subscription:{s}", (s,), vars={"subscription": s}) for s in state.subscriptions]
    # Azure DevOps organisations: their facts belong to the tenant (an organisation is backed by its Entra tenant)
    found += [Unit("devops_org", f"devops:{o}", (state.tenant,), vars={"organization": o}) for o in dict.fromkeys(state.devops_orgs)]
    return found


def run(plan: ScanPlan, fact_types: list[str], sink: Sink, progress: Any) -> None:
    state: State = plan.state
    cat = catalogue()
    chosen = selected(fact_types, cat)
    regions = set(state.regions or [])

    def emit(record: Fact | Coverage) -> None:
        if isinstance(record, Fact) and regions and record.region != "global" and record.region.lower() not in regions:
            return
        sink(record)

    context = Context(catalogue=cat, transport=state.transport, emit=emit, memo=state.memo)
    for subscription in state.invisible:  # asked for, not visible: every subscription-level read is unknown there
        unit = Unit("subscription", f"subscription:{subscription}", (subscription,))
        why = Outcome(status="denied", reason=f"subscription {subscription} is not visible to this credential")
        for spec in chosen:
            if spec.scope in ("subscription", "subscription_group"):
                emit_coverage(spec, context, unit, why)
    run_units(context, units(state), chosen, workers=state.workers, progress=progress)


def permissions(fact_types: list[str]) -> str:
    """A custom role (read actions only) and the Microsoft Graph application permissions the selected rules need."""
    return json.dumps(grant(fact_types), indent=2)


def grant(fact_types: list[str]) -> dict[str, Any]:
    needed = required(fact_types, catalogue(), extra=PLAN_REQUESTS.values())
    return {
        "roleDefinition": {
            "Name": "cmm-scan reader",
            "IsCustom": True,
            "Description": "Read-only access for cmm-scan (Cloud Maturity Model evidence). Assign at a management group or subscription.",
            "Actions": needed.get("arm", []),
            "NotActions": [],
            # a container registry's data plane (the repositories' locks): data actions, granted by the same role
            "DataActions": needed.get("acr", []),
            "NotDataActions": [],
            "AssignableScopes": ["/providers/Microsoft.Management/managementGroups/<management-group-id>"],
        },
        "graphApplicationPermissions": needed.get("graph", []),
        # Azure DevOps: OAuth scopes of the reading identity (added to the organisation, Reader on the projects)
        "azureDevOpsScopes": sorted({*needed.get("devops", []), *needed.get("devops_release", [])}),
    }
