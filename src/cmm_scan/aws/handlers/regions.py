"""Regions: enabled for the account (opt-in status), scanned, and in use (holding workloads or data).

"In use" is read from the collectors the `ec2.regions` spec joins (instances, container services,
clusters, functions, databases, buckets, volumes), not from every fact: every region has a default
VPC, a default security group and security-service settings, which say nothing about where the
estate runs. A region where one of those collectors could not read is unknown unless another found
something there.
"""

from __future__ import annotations

from collections.abc import Iterator

from cmm_scan.aws.executor import FactOut, RegionRun
from cmm_scan.aws.spec import Collector

UK_REGIONS = frozenset({"eu-west-2"})
# fact types that hold data but run nothing: a region holding only these is not running workloads
DATA_ONLY = frozenset({"storage.bucket", "storage.volume"})
GONE = frozenset({"terminated", "shutting-down"})
COMPLETE = frozenset({"ok", "not_enabled"})


def regions(run: RegionRun, spec: Collector) -> Iterator[FactOut]:
    found = run.call("ec2", "describe_regions", {"AllRegions": True})["Regions"]
    scanned = set(run.scope.regions)
    in_use, workloads = _holding(run, spec, scanned)
    for region in found:
        name = region["RegionName"]
        enabled = region.get("OptInStatus", "opt-in-not-required") != "not-opted-in"
        yield FactOut(
            resource_id=f"arn:{run.scope.partition}:ec2:{name}:{run.account}:region/{name}",
            region=name,
            attributes={
                "enabled": enabled,
                "scanned": name in scanned,
                # only regions this scan read can be called in use or not (a region not enabled holds nothing)
                "in_use": in_use[name] if name in scanned else (None if enabled else False),
                "workloads": workloads[name] if name in scanned else (None if enabled else False),
                "uk": name in UK_REGIONS,
            },
        )


def _holding(run: RegionRun, spec: Collector, scanned: set[str]) -> tuple[dict[str, bool | None], dict[str, bool | None]]:
    """Per scanned region: holds anything / runs workloads — True, False, or None (a read failed there)."""
    anything: dict[str, bool | None] = dict.fromkeys(scanned, False)
    running: dict[str, bool | None] = dict.fromkeys(scanned, False)

    def saw(table: dict[str, bool | None], region: str | None) -> None:
        if region in table:
            table[region] = True
        elif region in (None, "global"):  # found, but the scan could not tell in which region
            missed(table, sorted(table))

    def missed(table: dict[str, bool | None], regions: list[str]) -> None:
        for name in regions:
            if table.get(name) is False:
                table[name] = None

    catalogue = run.scope.catalogue
    for join in spec.joins:
        collector = catalogue.collectors[catalogue.lookups[join.lookup].collector or ""]
        workload = collector.fact not in DATA_ONLY
        where = ["global"] if collector.region == "global" else sorted(scanned)
        for region in where:
            outcome = RegionRun(run.scope, region).scope_collector(collector.id)
            reach = sorted(scanned) if region == "global" else [region]
            if outcome.status not in COMPLETE:
                missed(anything, reach)
                if workload:
                    missed(running, reach)
            for fact in outcome.facts:
                if fact.attributes.get("state") in GONE:
                    continue
                at = fact.region if region == "global" else region
                saw(anything, at)
                if workload:
                    saw(running, at)
    return anything, running
