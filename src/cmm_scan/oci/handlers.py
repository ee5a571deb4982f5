"""Item builders the spec data cannot express: they read only what the executor already fetched (Search)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cmm_scan.oci.executor import StepFailed

if TYPE_CHECKING:
    from cmm_scan.oci.executor import RegionRun

# Search resource types that run workloads, and those that only hold data
WORKLOAD_TYPES = frozenset(
    t.lower()
    for t in (
        "Instance",
        "InstancePool",
        "ClusterCluster",
        "ClusterNodePool",
        "FunctionsFunction",
        "ContainerInstance",
        "AutonomousDatabase",
        "DbSystem",
        "MysqlDbSystem",
        "PostgresqlDbSystem",
    )
)
DATA_TYPES = frozenset(t.lower() for t in ("Bucket", "Volume", "FileSystem", "NoSqlTable"))


def regions(run: RegionRun) -> list[dict[str, Any]]:
    """One item per subscribed region: scanned or not, and what Search shows running there (unknown when
    Search could not be read in that region, or the region was not scanned)."""
    from cmm_scan.oci.executor import RegionRun

    items = []
    for region in run.t.subscribed:
        item: dict[str, Any] = {"id": region, "region": region, "scanned": region in run.t.regions, "in_use": None, "workloads": None}
        if item["scanned"]:
            try:
                types = {(s.get("resourceType") or "").lower() for s in RegionRun(run.t, region).summaries()}
            except StepFailed:
                types = None
            if types is not None:
                item["workloads"] = bool(types & WORKLOAD_TYPES)
                item["in_use"] = bool(types & (WORKLOAD_TYPES | DATA_TYPES))
        items.append(item)
    return items
