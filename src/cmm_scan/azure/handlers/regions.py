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


# what counts as in use: workloads and data stores (the shared query also holds alerts, networks, vaults...)
IN_USE_TYPES = frozenset(
    {
        "microsoft.compute/virtualmachines",
        "microsoft.compute/virtualmachinescalesets",
        "microsoft.containerservice/managedclusters",
        "microsoft.app/containerapps",
        "microsoft.web/sites",
        "microsoft.sql/servers/databases",
        "microsoft.dbforpostgresql/flexibleservers",
        "microsoft.dbformysql/flexibleservers",
        "microsoft.documentdb/databaseaccounts",
        "microsoft.storage/storageaccounts",
        "microsoft.compute/disks",
    }
)


def _locations(run: UnitRun, spec: Collector) -> dict[tuple[str, str], bool]:
    """(subscription, location) -> holds a workload, from the Resources query the typed collectors share."""
    rows: list[dict[str, object]] = run.shared_items(spec.request("Microsoft.ResourceGraph/resources"))
    found: dict[tuple[str, str], bool] = {}
    for row in rows:
        if str(row.get("type") or "").lower() not in IN_USE_TYPES:
            continue
        location = str(row.get("location") or "").lower()
        if not location or location == "global":
            continue
        place = (str(row.get("subscriptionId") or "").lower(), location)
        found[place] = found.get(place, False) or str(row.get("type") or "").lower().startswith(WORKLOAD_PREFIXES)
    return found


def in_use(run: UnitRun, spec: Collector) -> Iterator[FactOut]:
    """One inventory.region fact per subscription and location holding a workload or a data store."""
    found = _locations(run, spec)
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


def recording(run: UnitRun, spec: Collector) -> Iterator[FactOut]:
    """Resource Graph keeps every resource's configuration and its changes (ResourceChanges), always on and in
    every location: one config.recorder fact per subscription and location in use, recording."""
    for subscription, location in sorted(_locations(run, spec)):
        yield FactOut(
            resource_id=f"/subscriptions/{subscription}/providers/Microsoft.ResourceGraph/locations/{location}",
            attributes={"recording": True, "all_supported": True, "include_global": True},
            region=location,
            scope=subscription,
        )
