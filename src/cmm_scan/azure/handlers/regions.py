"""Locations in use per subscription, from one Resource Graph query over workloads and data stores."""

from __future__ import annotations

from collections.abc import Iterator

from cmm_scan.cloud.executor import FactOut, UnitRun
from cmm_scan.cloud.spec import Collector

UK_LOCATIONS = frozenset({"uksouth", "ukwest"})
# workloads (compute and databases), as opposed to data stores only
WORKLOAD_PREFIXES = (
    "microsoft.compute/virtualmachines",
    "microsoft.compute/virtualmachinescalesets",
    "microsoft.containerservice/",
    "microsoft.app/containerapps",
    "microsoft.web/sites",
    "microsoft.sql/",
    "microsoft.dbfor",
    "microsoft.documentdb/",
)


def in_use(run: UnitRun, spec: Collector) -> Iterator[FactOut]:
    """One inventory.region fact per subscription and location holding a workload or a data store."""
    found: dict[tuple[str, str], bool] = {}
    for row in run.items(spec.request("Microsoft.ResourceGraph/resources")):
        location = str(row.get("location") or "").lower()
        if not location or location == "global":
            continue
        key = (str(row.get("subscriptionId") or "").lower(), location)
        found[key] = found.get(key, False) or str(row.get("type") or "").lower().startswith(WORKLOAD_PREFIXES)
    wanted = run.unit.vars.get("regions")
    for (subscription, location), workloads in sorted(found.items()):
        yield FactOut(
            resource_id=f"/subscriptions/{subscription}/locations/{location}",
            attributes={
                "enabled": True,
                "scanned": not wanted or location in wanted,
                "in_use": True,
                "workloads": workloads,
                "uk": location in UK_LOCATIONS,
            },
            region=location,
            scope=subscription,
        )
