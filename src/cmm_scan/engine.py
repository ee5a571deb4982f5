"""Evaluate rules over a snapshot in one streaming pass."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from cmm_scan import __version__
from cmm_scan.factcatalogue import FACT_FIELDS, fact_catalogue
from cmm_scan.models import (
    Assessment,
    AssessmentSource,
    Coverage,
    CoverageSummary,
    Fact,
    QuestionResult,
    ScopeInfo,
    SnapshotHeader,
    SnapshotSource,
)
from cmm_scan.rules import CompiledRule
from cmm_scan.scoring import REPOS_IN_ESTATE, score_rule
from cmm_scan.signals import CoverageIndex, SignalAccumulator, reader_groups, where_key
from cmm_scan.snapshot_io import read_records_raw
from cmm_scan.updater import Updater, compile_updater

DEFAULT_ID_LIMIT = 50


def evaluate(
    snapshots: Path | Sequence[Path],
    rules: list[CompiledRule],
    id_limit: int = DEFAULT_ID_LIMIT,
    progress: Callable[[int], None] | None = None,
    missing_shards: Sequence[str] = (),
) -> Assessment:
    """Score `rules` against one snapshot, or pool many (any providers) into one estate's assessment.

    One streaming pass over each file in turn; memory stays flat in the number of facts. With
    `missing_shards` (an incomplete shard set scored on purpose) every result is marked partial."""
    paths = [snapshots] if isinstance(snapshots, Path) else list(snapshots)
    accumulators: dict[str, list[SignalAccumulator]] = {}
    counted: dict[tuple[Any, ...], SignalAccumulator] = {}  # one accumulator counts for every signal that counts the same
    twins: list[tuple[SignalAccumulator, SignalAccumulator]] = []
    of_type: dict[str, list[tuple[tuple[Any, ...], SignalAccumulator]]] = defaultdict(list)
    for rule in rules:
        accumulators[rule.id] = []
        for signal in rule.signals:
            acc = SignalAccumulator(signal, id_limit)
            accumulators[rule.id].append(acc)
            spec = signal.spec
            where = where_key(spec.where, rule.thresholds)
            same = (spec.fact, spec.kind, where, *(where_key(t, rule.thresholds) for t in (spec.match, spec.weight, spec.attribute)))
            if same in counted:
                twins.append((acc, counted[same]))
                continue
            counted[same] = acc
            of_type[spec.fact].append((where, acc))
    clashes = _clashes()
    by_type = {fact_type: compile_updater(reader_groups(accs), clashes.get(fact_type, ())) for fact_type, accs in of_type.items()}
    coverage = CoverageIndex()
    problems: list[CoverageSummary] = []
    sources: list[SnapshotSource] = []
    fact_count = 0
    for path in paths:
        source = _read_one(path, by_type, coverage, problems, progress, fact_count)
        fact_count += source.fact_count
        sources.append(source)
    coverage.settle(set(by_type))
    for twin, counter in twins:
        twin.take_counts(counter)
    results = score_rules(rules, accumulators, coverage, sources)
    for result in results if missing_shards else ():
        result.partial = True
        result.reasons.append(f"Partial: scored without shard {', '.join(missing_shards)} of the estate.")
    return Assessment(
        tool_version=__version__,
        created_at=datetime.now(UTC),
        source=_pooled(sources, problems, list(missing_shards)),
        thresholds_overridden={r.id: r.overridden for r in rules if r.overridden},
        results=results,
    )


def score_rules(
    rules: list[CompiledRule],
    accumulators: Mapping[str, list[SignalAccumulator]],
    coverage: CoverageIndex,
    sources: list[SnapshotSource],
) -> list[QuestionResult]:
    """Every rule scored on its signals' pooled values and coverage."""
    repos_in_estate = any(s.provider == "repos" for s in sources)
    results = []
    for rule in rules:
        env: dict[str, Any] = {REPOS_IN_ESTATE: repos_in_estate}
        evidence = []
        for acc in accumulators[rule.id]:
            type_coverage = coverage.for_signal(acc.signal)
            value = acc.value(type_coverage)
            env[acc.signal.name] = value
            if repos_in_estate or not acc.signal.spec.fact.startswith("repos."):  # else its gates are left out, and its evidence
                evidence.append(acc.evidence(value, type_coverage))
        results.append(score_rule(rule, env, evidence))
    return results


def _read_one(
    path: Path,
    by_type: dict[str, Updater],
    coverage: CoverageIndex,
    problems: list[CoverageSummary],
    progress: Callable[[int], None] | None,
    done_before: int,
) -> SnapshotSource:
    """Stream one snapshot into the accumulators and the coverage index."""
    records = read_records_raw(path, skip=frozenset(fact_catalogue().facts.keys() - by_type.keys()))
    header = next(records)
    assert isinstance(header, SnapshotHeader)  # read_records always yields the header first
    coverage.begin_snapshot(f"the {header.provider} snapshot {path.name}", header.not_held, header.provider)
    facts = coverage_ok = problem_count = 0
    for record in records:
        if type(record) is dict:  # a fact, as the plain dict of its line
            facts += 1
            update = by_type.get(record["type"])
            if update is not None:
                update(record)  # the line's own dict becomes the expressions' environment
            if progress and facts % 50_000 == 0:
                progress(done_before + facts)
        elif record is None:  # a fact of a type no rule reads, not decoded
            facts += 1
            if progress and facts % 50_000 == 0:
                progress(done_before + facts)
        elif isinstance(record, Coverage):
            coverage.add(record)
            if record.status in ("ok", "not_enabled"):
                coverage_ok += 1
            else:
                problem_count += 1
                problems.append(
                    CoverageSummary(
                        collector=record.collector,
                        provider=record.provider,
                        scope=record.scope,
                        region=record.region,
                        status=record.status,
                        reason=record.reason,
                    )
                )
    return snapshot_source(path, header, facts, coverage_ok, problem_count)


def snapshot_source(path: Path, header: SnapshotHeader, facts: int, coverage_ok: int, coverage_problems: int) -> SnapshotSource:
    """What the assessment says of one snapshot it read."""
    return SnapshotSource(
        file=path.name,
        provider=header.provider,
        started_at=header.started_at,
        tool_version=header.tool_version,
        scopes=header.scopes,
        regions=header.regions,
        fact_count=facts,
        coverage_ok=coverage_ok,
        coverage_problems=coverage_problems,
        shard=header.shard,
        estate=header.estate,
    )


@cache
def _clashes() -> dict[str, tuple[str, ...]]:
    """Per fact type, its attributes named like a key of a fact's line other than the fields."""
    raw_keys = set(Fact.model_fields) - FACT_FIELDS
    return {t: tuple(sorted(set(s.attributes) & raw_keys)) for t, s in fact_catalogue().facts.items() if set(s.attributes) & raw_keys}


def _pooled(sources: list[SnapshotSource], problems: list[CoverageSummary], missing_shards: list[str]) -> AssessmentSource:
    """The estate's source: every snapshot, and their scopes, regions and counts joined."""
    providers = sorted({s.provider for s in sources})
    scopes: dict[tuple[str, str, str], ScopeInfo] = {}  # in the order first seen, as each header lists them
    for source in sources:
        for scope in source.scopes:
            scopes.setdefault((source.provider, scope.kind, scope.id), scope.model_copy(update={"provider": source.provider}))
    first = min(sources, key=lambda s: s.started_at)
    return AssessmentSource(
        provider="+".join(providers),
        snapshot_started_at=first.started_at,
        tool_version=first.tool_version
        if len({s.tool_version for s in sources}) == 1
        else "+".join(sorted({s.tool_version for s in sources})),
        scopes=list(scopes.values()),
        regions=list(dict.fromkeys(r for s in sources for r in s.regions)),
        fact_count=sum(s.fact_count for s in sources),
        coverage_problems=problems,
        coverage_ok=sum(s.coverage_ok for s in sources),
        providers=providers,
        snapshots=sources,
        partial=bool(missing_shards),
        missing_shards=missing_shards,
    )
