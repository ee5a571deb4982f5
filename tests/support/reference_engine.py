"""The scoring engine as it was before the fast path: the oracle the fast engine must agree with.

Deliberately plain: every fact is a validated `Fact` model, every signal evaluates its own
`where`, and every expression runs as the reference closures of `expr._Compiler` (not the
generated code of `exprcode`). Only the test of the fast path uses it (tests/test_engine_fast.py).
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cmm_scan import __version__
from cmm_scan.engine import _pooled, score_rules, snapshot_source
from cmm_scan.expr import UNKNOWN, as_tristate, compile_expr
from cmm_scan.factcatalogue import readable_names
from cmm_scan.models import Assessment, Coverage, CoverageSummary, Fact, SnapshotHeader
from cmm_scan.rules import CompiledLevel, CompiledRule, CompiledSignal
from cmm_scan.signals import CoverageIndex, SignalAccumulator, _hashable, fact_env
from cmm_scan.snapshot_io import read_records


def reference_rules(rules: list[CompiledRule]) -> list[CompiledRule]:
    """The same rules with every expression compiled to the reference closures."""

    def ref(text: str | None, constants: dict[str, float], allowed: set[str] | None) -> Any:
        return None if text is None else compile_expr(text, constants, allowed, reference=True)[0]

    out = []
    for rule in rules:
        signals = []
        for s in rule.signals:
            allowed = readable_names(s.spec.fact)
            signals.append(
                CompiledSignal(
                    name=s.name,
                    spec=s.spec,
                    where=ref(s.spec.where, rule.thresholds, allowed),
                    match=ref(s.spec.match, rule.thresholds, allowed),
                    weight=ref(s.spec.weight, rule.thresholds, allowed),
                    attribute=ref(s.spec.attribute, rule.thresholds, allowed),
                )
            )
        names = {s.name for s in signals}
        levels = [
            CompiledLevel(
                lv.spec,
                ref(lv.spec.when, rule.thresholds, names),
                lv.reads,
                ref(lv.spec.shows, rule.thresholds, names),
                lv.shows_reads,
                ref(lv.spec.repos_when, rule.thresholds, names),
                lv.repos_reads,
            )
            for lv in rule.levels
        ]
        not_applicable = ref(rule.spec.not_applicable_when, rule.thresholds, names)
        repos_not_applicable = ref(rule.spec.repos_not_applicable_when, rule.thresholds, names)
        out.append(
            dataclasses.replace(
                rule, signals=signals, levels=levels, not_applicable=not_applicable, repos_not_applicable=repos_not_applicable
            )
        )
    return out


class ReferenceAccumulator(SignalAccumulator):
    """The accumulator's counting written out the long way, every counter kept as it goes."""

    def __init__(self, signal: CompiledSignal, id_limit: int):
        super().__init__(signal, id_limit)
        self.c_members = self.c_matching = self.c_unknown = 0

    def add_fact(self, fact: Fact, env: dict[str, Any]) -> None:
        sig = self.signal
        inside = as_tristate(sig.where(env)) if sig.where else True
        if inside is False:
            return
        scope = self.by_scope.setdefault((fact.scope, fact.provider), [0, 0, 0])
        if inside is None:
            self.weighted_unknown += 1
            self.c_unknown += 1
            scope[2] += 1
            self._keep(self.ids_unknown, fact.resource_id)
            return
        if self.kind == "count":
            self.c_members += 1
            self.c_matching += 1
            scope[0] += 1
            scope[1] += 1
            self._keep(self.ids_matching, fact.resource_id)
        elif self.kind == "share":
            weight = 1.0
            if sig.weight is not None:
                raw = sig.weight(env)
                if not isinstance(raw, int | float) or isinstance(raw, bool) or raw < 0:
                    self.weighted_unknown += 1
                    self.c_unknown += 1
                    scope[2] += 1
                    self._keep(self.ids_unknown, fact.resource_id)
                    return
                weight = float(raw)
            assert sig.match is not None
            hit = as_tristate(sig.match(env))
            self.weighted_members += weight
            self.c_members += 1
            scope[1] += 1
            if hit is True:
                self.weighted_matching += weight
                self.c_matching += 1
                scope[0] += 1
                self._keep(self.ids_matching, fact.resource_id)
            elif hit is None:
                self.weighted_matching_unknown += weight
                self.c_unknown += 1
                scope[2] += 1
                self._keep(self.ids_unknown, fact.resource_id)
            else:
                self._keep(self.ids_not_matching, fact.resource_id)
        else:
            assert sig.attribute is not None
            value = sig.attribute(env)
            scope[1] += 1
            if value is UNKNOWN or (self.kind == "sum" and (not isinstance(value, int | float) or isinstance(value, bool))):
                self.c_unknown += 1
                scope[2] += 1
                self._keep(self.ids_unknown, fact.resource_id)
                return
            scope[0] += 1
            self.c_members += 1
            self._keep(self.ids_matching, fact.resource_id)
            if self.kind == "sum":
                self.total += float(value)
            else:
                self.values.add(_hashable(value))

    def _totals(self) -> tuple[int, int, int]:
        return self.c_matching, self.c_members, self.c_unknown


def reference_evaluate(paths: Sequence[Path], rules: list[CompiledRule], id_limit: int = 50) -> Assessment:
    rules = reference_rules(rules)
    accumulators = {r.id: [ReferenceAccumulator(s, id_limit) for s in r.signals] for r in rules}
    of_type: dict[str, list[ReferenceAccumulator]] = defaultdict(list)
    for accs in accumulators.values():
        for acc in accs:
            of_type[acc.signal.spec.fact].append(acc)
    coverage = CoverageIndex()
    problems: list[CoverageSummary] = []
    sources = []
    for path in paths:
        records = read_records(path)
        header = next(records)
        assert isinstance(header, SnapshotHeader)
        coverage.begin_snapshot(f"the {header.provider} snapshot {path.name}", header.not_held, header.provider)
        facts = ok = bad = 0
        for record in records:
            if isinstance(record, Fact):
                facts += 1
                env = fact_env(record)
                for acc in of_type.get(record.type, ()):
                    acc.add_fact(record, env)
            elif isinstance(record, Coverage):
                coverage.add(record)
                if record.status in ("ok", "not_enabled"):
                    ok += 1
                else:
                    bad += 1
                    problems.append(
                        CoverageSummary(**record.model_dump(include={"collector", "provider", "scope", "region", "status", "reason"}))
                    )
        sources.append(snapshot_source(path, header, facts, ok, bad))
    coverage.settle(set(of_type))
    results = score_rules(rules, accumulators, coverage, sources)
    return Assessment(
        tool_version=__version__,
        created_at=datetime.now(UTC),
        source=_pooled(sources, problems, []),
        thresholds_overridden={r.id: r.overridden for r in rules if r.overridden},
        results=results,
    )
