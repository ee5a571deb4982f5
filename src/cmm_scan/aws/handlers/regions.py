"""Regions: enabled for the account (opt-in status) and in use (any fact collected there in this scan)."""

from __future__ import annotations

from collections.abc import Iterator

from cmm_scan.aws.executor import FactOut, RegionRun
from cmm_scan.aws.spec import Collector

UK_REGIONS = frozenset({"eu-west-2"})


def regions(run: RegionRun, spec: Collector) -> Iterator[FactOut]:
    found = run.call("ec2", "describe_regions", {"AllRegions": True})["Regions"]
    scanned = set(run.scope.regions)
    for region in found:
        name = region["RegionName"]
        yield FactOut(
            resource_id=f"arn:{run.scope.partition}:ec2:{name}:{run.account}:region/{name}",
            region=name,
            attributes={
                "enabled": region.get("OptInStatus", "opt-in-not-required") != "not-opted-in",
                # only regions this scan read can be called in use or not
                "in_use": (name in run.scope.regions_with_facts) if name in scanned else None,
                "uk": name in UK_REGIONS,
            },
        )
