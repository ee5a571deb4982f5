"""Regions in use: the inventory assets a collector draws, grouped by project and region (one fact each),
with the spec's attributes computed over {location, asset_types}."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cmm_scan.cloud.executor import FactOut, UnitRun, value_of
from cmm_scan.cloud.spec import Collector
from cmm_scan.gcp.transforms import region


def collect(run: UnitRun, spec: Collector) -> Iterator[FactOut]:
    assert spec.draw, f"{spec.id} groups the assets it draws"
    found: dict[tuple[str, str], set[str]] = {}
    for asset in run.draw(spec.draw):
        scope = run.fact_scope(spec, asset)
        if scope is not None:
            found.setdefault((scope, region(asset.get("location"))), set()).add(str(asset.get("assetType")))
    for (scope, location), types in sorted(found.items()):
        item: dict[str, Any] = {"name": f"{scope}/{location}", "location": location, "asset_types": sorted(types)}
        yield FactOut(
            resource_id=item["name"],
            attributes={name: value_of(spec.attribute(name), item, set()) for name in spec.attributes},
            region=location,
            scope=scope,
        )
