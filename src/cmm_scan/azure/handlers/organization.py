"""The organisation: the tenant's root management group, from one tenant-wide Resource Graph query
(ResourceContainers: management groups and subscriptions).

Resource Graph returns only what the caller may read. The root group (the one management group without
ancestors) is visible only to a caller who reads at the root, and such a caller sees every subscription and
management group under it: only then are `accounts` (subscriptions) and `ous` (management groups below the
root) counted. Otherwise the tenant's organisation is recorded with those counts unknown, never zero.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cmm_scan.cloud.executor import FactOut, UnitRun
from cmm_scan.cloud.spec import Collector

GROUP = "microsoft.management/managementgroups"
SUBSCRIPTION = "microsoft.resources/subscriptions"


def root(run: UnitRun, spec: Collector) -> Iterator[FactOut]:
    tenant = str(run.unit.vars["tenant"])
    # the plan sends the same query for the management groups: its pages are shared, not asked for again
    rows: list[dict[str, Any]] = run.shared_items(spec.request("Microsoft.ResourceGraph/resources"))
    groups = [r for r in rows if str(r.get("type") or "").lower() == GROUP]
    subscriptions = [r for r in rows if str(r.get("type") or "").lower() == SUBSCRIPTION]
    top = [g for g in groups if not ((g.get("properties") or {}).get("managementGroupAncestorsChain") or [])]
    read = len(top) == 1
    name = str(top[0].get("name")) if read else tenant
    yield FactOut(
        resource_id=f"/providers/Microsoft.Management/managementGroups/{name}",
        attributes={
            "all_features": True,  # Azure Policy and RBAC apply at every management group: there is nothing to switch on
            "accounts": len(subscriptions) if read else None,
            "ous": len(groups) - 1 if read else None,
        },
        region="global",
        scope=tenant,
    )
