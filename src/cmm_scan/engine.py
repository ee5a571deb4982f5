"""Evaluate rules over a snapshot in one streaming pass."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cmm_scan import __version__
from cmm_scan.models import (
    Assessment,
    AssessmentSource,
    Coverage,
    CoverageSummary,
    Fact,
    SnapshotHeader,
)
from cmm_scan.rules import CompiledRule
from cmm_scan.scoring import score_rule
from cmm_scan.signals import CoverageIndex, SignalAccumulator, fact_env
from cmm_scan.snapshot_io import read_records

DEFAULT_ID_LIMIT = 50


def evaluate(
    snapshot: Path,
    rules: list[CompiledRule],
    id_limit: int = DEFAULT_ID_LIMIT,
    progress: Callable[[int], None] | None = None,
) -> Assessment:
    """Score `rules` against the snapshot file; memory stays flat in the number of facts."""
    accumulators = {r.id: [SignalAccumulator(s, id_limit) for s in r.signals] for r in rules}
    by_type: dict[str, list[SignalAccumulator]] = defaultdict(list)
    for accs in accumulators.values():
        for acc in accs:
            by_type[acc.signal.spec.fact].append(acc)
    coverage = CoverageIndex()
    problems: list[CoverageSummary] = []
    coverage_ok = 0
    header: SnapshotHeader | None = None
    fact_count = 0
    for record in read_records(snapshot):
        if isinstance(record, Fact):
            fact_count += 1
            readers = by_type.get(record.type)
            if readers:
                env = fact_env(record)
                for acc in readers:
                    acc.add(record, env)
            if progress and fact_count % 50_000 == 0:
                progress(fact_count)
        elif isinstance(record, Coverage):
            coverage.add(record)
            if record.status in ("ok", "not_enabled"):
                coverage_ok += 1
            else:
                problems.append(
                    CoverageSummary(
                        collector=record.collector,
                        scope=record.scope,
                        region=record.region,
                        status=record.status,
                        reason=record.reason,
                    )
                )
        else:
            header = record
    assert header is not None  # read_records always yields the header first
    results = []
    for rule in rules:
        env: dict[str, Any] = {}
        evidence = []
        for acc in accumulators[rule.id]:
            type_coverage = coverage.for_signal(acc.signal)
            value = acc.value(type_coverage)
            env[acc.signal.name] = value
            evidence.append(acc.evidence(value, type_coverage))
        results.append(score_rule(rule, env, evidence))
    return Assessment(
        tool_version=__version__,
        created_at=datetime.now(UTC),
        source=AssessmentSource(
            provider=header.provider,
            snapshot_started_at=header.started_at,
            tool_version=header.tool_version,
            scopes=header.scopes,
            regions=header.regions,
            fact_count=fact_count,
            coverage_problems=problems,
            coverage_ok=coverage_ok,
        ),
        thresholds_overridden={r.id: r.overridden for r in rules if r.overridden},
        results=results,
    )
