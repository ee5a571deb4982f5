"""Every Azure spec is well-formed: fact types and attributes from providers/facts.yaml, JMESPath that compiles,
transforms that exist, scope units the adapter runs, and only read permissions."""

from __future__ import annotations

import re

import pytest

from cmm_scan.azure.adapter import PLAN_REQUESTS, catalogue
from cmm_scan.cloud.jmes import compiled
from cmm_scan.cloud.permissions import all_requests
from cmm_scan.cloud.transforms import TRANSFORMS
from cmm_scan.factcatalogue import fact_catalogue

UNITS = {"tenant", "subscription_group", "subscription", "devops_org"}
# Azure DevOps OAuth scopes: read scopes; environments have no narrower scope than vso.environment_manage
DEVOPS_READ = re.compile(r"^vso\.(project|build|release|environment_manage)$")
GRAPH_READ = re.compile(r"^[A-Za-z]+(\.[A-Za-z]+)*\.Read(\.All|\.Directory)?$")  # RoleManagement.Read.Directory


def _expressions(spec) -> list[str]:
    found = [spec.resource_id, spec.fact_region, spec.fact_scope, spec.filter]
    found += [spec.attribute(name).expr for name in spec.attributes] + [spec.attribute(name).unknown_if for name in spec.attributes]
    found += [d.expr for d in spec.derive] + [c.when for c in spec.calls] + [c.result for c in spec.calls]
    found += [
        expr for request in ([spec.source] if spec.source else []) + list(spec.calls) for expr in [request.items, *request.args.values()]
    ]
    found += [j.match for j in spec.joins]
    return [e for e in found if e]


@pytest.mark.parametrize("collector_id", sorted(catalogue().collectors))
def test_collector_is_well_formed(collector_id: str) -> None:
    cat = catalogue()
    spec = cat.collectors[collector_id]
    facts = fact_catalogue()
    assert spec.fact in facts.facts, spec.fact
    assert set(spec.attributes) <= set(facts.facts[spec.fact].attributes), set(spec.attributes) - set(facts.facts[spec.fact].attributes)
    assert spec.scope in UNITS
    for expr in _expressions(spec):
        compiled(expr)
    for name in spec.attributes:
        transform = spec.attribute(name).transform
        assert transform is None or transform in TRANSFORMS, transform
    assert all(d.transform is None or d.transform in TRANSFORMS for d in spec.derive)
    if spec.scope == "subscription_group" and spec.source and spec.source.method == "POST":
        assert spec.fact_scope, "a Resource Graph query over a group of subscriptions names each fact's subscription"


def test_lookups_compile() -> None:
    for lookup in catalogue().lookups.values():
        for expr in [lookup.key, lookup.source.items if lookup.source else None, *[j.match for j in lookup.joins]]:
            if expr:
                compiled(expr)


def test_every_permission_is_a_read() -> None:
    for request in [*all_requests(catalogue()), *PLAN_REQUESTS.values()]:
        for permission in request.permissions:
            if request.api in ("arm", "acr"):  # acr: data actions of a registry's data plane, reads too
                assert permission.endswith("/read"), permission
            elif request.api in ("devops", "devops_release"):
                assert DEVOPS_READ.match(permission), permission
            else:
                assert GRAPH_READ.match(permission), permission
        assert request.method == "GET" or request.path == "/providers/Microsoft.ResourceGraph/resources", request.operation


def test_every_typed_resources_query_is_one_request() -> None:
    """Every collector over the Resources table sends the same query (each keeps its own types with `filter`),
    so a subscription group costs one paged Resource Graph read for all of them, not one per resource type."""
    bodies = {
        str((r.body or {}).get("query"))
        for r in all_requests(catalogue())
        if r.operation == "Microsoft.ResourceGraph/resources" and str((r.body or {}).get("query", "")).startswith("Resources | where type")
    }
    assert len(bodies) == 1, bodies
