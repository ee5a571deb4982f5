"""inventory.region: one fact per subscribed region, from each scanned region's Resource Search inventory."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cmm_scan.cloud.executor import FactOut, StepFailed, UnitRun, value_of
from cmm_scan.cloud.spec import Collector

# Search resource types that run workloads, and those that only hold data
WORKLOAD_TYPES = frozenset(
    t.lower()
    for t in (
        "Instance",
        "InstancePool",
        "ClustersCluster",  # OKE, as Search names its types (the compute collectors' guide kind)
        "ClustersNodePool",
        "FunctionsFunction",
        "ContainerInstance",
        "AutonomousDatabase",
        "DbSystem",
        "MysqlDbSystem",
        "PostgresqlDbSystem",
    )
)
DATA_TYPES = frozenset(t.lower() for t in ("Bucket", "Volume", "FileSystem", "NoSqlTable"))


def collect(run: UnitRun, spec: Collector) -> Iterator[FactOut]:
    """Scanned or not, and what Search shows running there: unknown when Search could not be read in that region,
    or the region was not scanned. The region units' Search lookups are shared (read once per region)."""
    region_units = run.unit.vars["region_units"]
    for region in run.unit.vars["subscribed"]:
        item: dict[str, Any] = {"region": region, "scanned": region in region_units, "in_use": None, "workloads": None}
        if item["scanned"]:
            try:
                summaries = UnitRun(run.context, region_units[region]).lookup("search")
                types = {str(s.get("resourceType") or "").lower() for s in summaries}
            except StepFailed:
                types = None
            if types is not None:
                item["workloads"] = bool(types & WORKLOAD_TYPES)
                item["in_use"] = bool(types & (WORKLOAD_TYPES | DATA_TYPES))
        attributes = {name: value_of(spec.attribute(name), item, set()) for name in spec.attributes}
        yield FactOut(resource_id=region, attributes=attributes, region=region)
