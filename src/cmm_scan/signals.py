"""Stream facts into signal accumulators, then turn them into intervals and evidence.

Each fact is touched only by the signals that read its type, and only counts and a capped
list of resource ids are kept, so memory does not grow with the number of facts.
Coverage decides completeness: a fact type whose collector was denied or failed anywhere
yields an open interval (a count is at least what was seen; a share could be anything).
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from cmm_scan.expr import UNKNOWN, Interval, as_tristate
from cmm_scan.models import Coverage, Evidence, Fact, ProviderBreakdown, Range, ScopeBreakdown
from cmm_scan.oneline import one_line
from cmm_scan.rules import CompiledSignal

COMPLETE_STATUSES = frozenset({"ok", "not_enabled"})


@dataclass
class TypeCoverage:
    """Whether every collector of one fact type read everything it was asked to."""

    collected: bool = False
    gaps: list[str] = field(default_factory=list)
    attribute_gaps: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.collected and not self.gaps


def foreign(provider: str | None, fact_type: str) -> bool:
    """A repository holds only `repos.*` facts and a cloud none of them, whatever its snapshot header
    says (snapshots from before `not_held` was written included)."""
    if provider in (None, "synthetic"):
        return False
    return (provider == "repos") != fact_type.startswith("repos.")


class CoverageIndex:
    """Coverage of every snapshot scored together. A gap anywhere stays a gap: one snapshot's full
    coverage of a fact type never settles a signal another snapshot left unread."""

    def __init__(self) -> None:
        self.by_type: dict[str, TypeCoverage] = defaultdict(TypeCoverage)
        self.faceted: dict[str, list[tuple[dict[str, Any], str]]] = defaultdict(list)  # gaps of collectors with a facet
        self._snapshots: list[tuple[str, frozenset[str], set[str]]] = []  # (label, types it cannot hold, types it read)
        self._providers: list[str | None] = []

    def begin_snapshot(self, label: str, not_held: list[str], provider: str | None = None) -> None:
        self._snapshots.append((label, frozenset(not_held), set()))
        self._providers.append(provider)

    def settle(self, needed: set[str]) -> None:
        """A fact type read nowhere that every cloud snapshot declares its estate cannot hold is read, and
        empty (an Azure estate has no CodeDeploy deployment groups). With more than one snapshot: a fact
        type some snapshot read but another did not (and could hold) is a gap, as if that snapshot's
        collector had been denied."""
        clouds = [held for (_, held, _), provider in zip(self._snapshots, self._providers, strict=True) if provider != "repos"]
        for fact_type in sorted(needed):
            state = self.by_type.get(fact_type)
            if (state is None or not state.collected) and clouds and all(fact_type in held for held in clouds):
                self.by_type[fact_type].collected = True  # nothing to read anywhere: complete, and none
        if len(self._snapshots) < 2:
            return
        for fact_type in sorted(needed):
            state = self.by_type.get(fact_type)
            if state is None or not state.collected:
                continue  # read nowhere: unknown already
            for (label, not_held, read), provider in zip(self._snapshots, self._providers, strict=True):
                if fact_type not in read and fact_type not in not_held and not foreign(provider, fact_type):
                    state.gaps.append(f"not collected — {label} has no coverage of {fact_type}")

    def add(self, entry: Coverage) -> None:
        if self._snapshots:
            self._snapshots[-1][2].update(entry.fact_types)
        gap = None
        if entry.status not in COMPLETE_STATUSES:
            reason = f": {one_line(entry.reason)}" if entry.reason else ""  # snapshots from before the writer cut it
            gap = f"{entry.status} — {entry.collector} in {entry.scope}/{entry.region}{reason}"
        for fact_type in entry.fact_types:
            state = self.by_type[fact_type]
            state.collected = True
            if gap and entry.facet:
                self.faceted[fact_type].append((dict(entry.facet), gap))
            elif gap:
                state.gaps.append(gap)
        for fact_type in entry.enriches:
            if gap:
                self.by_type[fact_type].attribute_gaps.append(gap)

    def for_signal(self, signal: CompiledSignal) -> TypeCoverage:
        """Coverage as one signal sees it: a gap in a collector whose facts all fall outside the
        signal's population (its `where` is false for the facet) cannot change the signal.
        Detective failing leaves a GuardDuty share complete."""
        fact_type = signal.spec.fact
        state = self.by_type.get(fact_type) or TypeCoverage()
        faceted = self.faceted.get(fact_type, [])
        if not faceted:
            return state
        where = signal.where
        relevant = [gap for facet, gap in faceted if where is None or as_tristate(where(facet)) is not False]
        return TypeCoverage(state.collected, state.gaps + relevant, state.attribute_gaps) if relevant else state


class ReaderGroup:
    """The accumulators of one fact type that share a `where` expression: it is evaluated once per
    fact (`updater.compile_updater` writes out what a fact does to them)."""

    def __init__(self, accumulators: list[SignalAccumulator]):
        self.where = accumulators[0].signal.where
        self.accumulators = accumulators


def where_key(where: str | None, thresholds: dict[str, float]) -> tuple[Any, ...]:
    """What makes two signals' `where` the same filter: its text and the threshold values it reads
    (thresholds are constants compiled into it, and rules set their own)."""
    if where is None:
        return (None,)
    names = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", where))
    return (where, *sorted((n, v) for n, v in thresholds.items() if n in names))


def reader_groups(keyed: list[tuple[tuple[Any, ...], SignalAccumulator]]) -> list[ReaderGroup]:
    by_where: dict[tuple[Any, ...], list[SignalAccumulator]] = {}
    for key, acc in keyed:
        by_where.setdefault(key, []).append(acc)
    return [ReaderGroup(group) for group in by_where.values()]


def fact_env(fact: Fact) -> dict[str, Any]:
    """Names a `where`/`match` expression can read: the attributes, then the fact's own fields."""
    env = {"region": fact.region, "scope": fact.scope, "provider": fact.provider, "resource_id": fact.resource_id}
    env.update(fact.attributes)
    return env


class SignalAccumulator:
    """Counts for one signal; `add_inside` and `add_unknown` are the hot path.

    Per (scope, provider) a row [matching, total, unknown] is all a fact updates (besides the
    weighted sums of a weighted share, and a sum's total or a distinct's values); the estate-wide
    counts are the rows' sums, taken once at the end (`_totals`)."""

    def __init__(self, signal: CompiledSignal, id_limit: int):
        self.signal = signal
        self.kind = signal.spec.kind
        self.id_limit = id_limit
        self.weighted_members = 0.0  # share: where-true, weighted
        self.weighted_unknown = 0.0  # share: where-unknown, or weight unreadable
        self.weighted_matching = 0.0  # share: match-true among members, weighted
        self.weighted_matching_unknown = 0.0  # share: match-unknown among members, weighted
        self.total = 0.0  # sum
        self.values: set[Any] = set()
        self.ids_matching: list[str] = []
        self.ids_not_matching: list[str] = []
        self.ids_unknown: list[str] = []
        self.truncated = False
        self.by_scope: dict[tuple[str, str], list[int]] = {}
        self.add_inside = {"count": self._add_count, "share": self._add_share}.get(self.kind, self._add_value)

    def add(self, fact: Fact, env: dict[str, Any]) -> None:
        """One fact, `where` and all (the policy engine's path)."""
        sig = self.signal
        inside = as_tristate(sig.where(env)) if sig.where else True
        key = (fact.scope, fact.provider)
        if inside is None:
            self.add_unknown(fact.resource_id, key)
        elif inside:
            self.add_inside(env, fact.resource_id, key)

    def _row(self, key: tuple[str, str]) -> list[int]:
        row = self.by_scope.get(key)
        if row is None:
            row = self.by_scope[key] = [0, 0, 0]
        return row

    def _keep(self, ids: list[str], resource_id: str) -> None:
        if len(ids) < self.id_limit:
            ids.append(resource_id)
        else:
            self.truncated = True

    def add_unknown(self, resource_id: str, key: tuple[str, str]) -> None:
        """A fact whose `where` could not be read: it may or may not belong to the population."""
        self._row(key)[2] += 1
        self.weighted_unknown += 1
        if len(self.ids_unknown) < self.id_limit:
            self.ids_unknown.append(resource_id)
        else:
            self.truncated = True

    def _add_count(self, env: dict[str, Any], resource_id: str, key: tuple[str, str]) -> None:
        row = self.by_scope.get(key) or self._row(key)
        row[0] += 1
        row[1] += 1
        if len(self.ids_matching) < self.id_limit:
            self.ids_matching.append(resource_id)
        else:
            self.truncated = True

    def _add_share(self, env: dict[str, Any], resource_id: str, key: tuple[str, str]) -> None:
        sig = self.signal
        row = self.by_scope.get(key) or self._row(key)
        weight = 1.0
        if sig.weight is not None:
            raw = sig.weight(env)
            if not isinstance(raw, int | float) or isinstance(raw, bool) or raw < 0:
                self.weighted_unknown += 1
                row[2] += 1
                self._keep(self.ids_unknown, resource_id)
                return
            weight = float(raw)
        assert sig.match is not None
        hit = sig.match(env)
        if hit is not True and hit is not False:
            hit = as_tristate(hit)
        self.weighted_members += weight
        row[1] += 1
        if hit is True:
            self.weighted_matching += weight
            row[0] += 1
            self._keep(self.ids_matching, resource_id)
        elif hit is None:
            self.weighted_matching_unknown += weight
            row[2] += 1
            self._keep(self.ids_unknown, resource_id)
        else:
            self._keep(self.ids_not_matching, resource_id)

    def _add_value(self, env: dict[str, Any], resource_id: str, key: tuple[str, str]) -> None:
        assert self.signal.attribute is not None
        value = self.signal.attribute(env)
        row = self.by_scope.get(key) or self._row(key)
        row[1] += 1
        if value is UNKNOWN or (self.kind == "sum" and not _is_number(value)):
            row[2] += 1
            self._keep(self.ids_unknown, resource_id)
            return
        row[0] += 1
        self._keep(self.ids_matching, resource_id)
        if self.kind == "sum":
            self.total += float(value)
        else:
            self.values.add(_hashable(value))

    def take_counts(self, other: SignalAccumulator) -> None:
        """The counts of another accumulator of a signal that counts the same facts the same way
        (type, kind, filter, match, weight, attribute): each fact is counted once for both."""
        for name, value in vars(other).items():
            if name not in ("signal", "add_inside"):
                setattr(self, name, value)

    def _totals(self) -> tuple[int, int, int]:
        """(matching, members, unknown) over every scope: what the evidence counts."""
        matching = total = unknown = 0
        for row in self.by_scope.values():
            matching += row[0]
            total += row[1]
            unknown += row[2]
        if self.kind == "count":
            return matching, matching, unknown
        if self.kind == "share":
            return matching, total, unknown
        return matching, matching, unknown  # sum, distinct: the readable values, and the unreadable

    # --- finishing ------------------------------------------------------------------------

    @property
    def count_matching(self) -> int:
        return self._totals()[0]

    @property
    def count_members(self) -> int:
        return self._totals()[1]

    @property
    def count_unknown(self) -> int:
        return self._totals()[2]

    @property
    def members(self) -> float:
        """Where-true facts (weighted for a share)."""
        return self.weighted_members if self.kind == "share" else float(self._totals()[1])

    @property
    def members_unknown(self) -> float:
        """Where-unknown facts (and, for a weighted share, facts of unreadable weight)."""
        return self.weighted_unknown

    def value(self, coverage: TypeCoverage) -> Interval | Any:
        """The signal as an interval, or UNKNOWN when nothing bounds it."""
        if not coverage.collected:
            return UNKNOWN
        complete = coverage.complete
        if self.kind == "count":
            return Interval(self.members, self.members + self.members_unknown if complete else math.inf)
        if self.kind == "share":
            return self._share(complete)
        if self.kind == "distinct":
            seen = float(len(self.values))
            return Interval(seen, seen + self.count_unknown if complete else math.inf)
        return Interval(self.total, self.total if complete and not self.count_unknown else math.inf)

    def _share(self, complete: bool) -> Interval | Any:
        if not complete:
            return Interval(0.0, 1.0)
        members, extra = self.weighted_members, self.weighted_unknown
        hit, maybe = self.weighted_matching, self.weighted_matching_unknown
        candidates: list[float] = []
        if members > 0:  # facts of unknown membership all outside the population
            candidates += [hit / members, (hit + maybe) / members]
        if members + extra > 0 and extra > 0:  # ... or all inside it, matching or not
            candidates += [hit / (members + extra), (hit + maybe + extra) / (members + extra)]
        if not candidates:
            return UNKNOWN  # an empty population has no share: not zero, not one
        return Interval(min(candidates), max(candidates))

    def evidence(self, value: Interval | Any, coverage: TypeCoverage) -> Evidence:
        spec = self.signal.spec
        rng = Range(lo=value.lo, hi=value.hi) if isinstance(value, Interval) else Range(lo=None, hi=None)
        rng = Range(lo=_finite(rng.lo), hi=_finite(rng.hi))
        return Evidence(
            signal=self.signal.name,
            description=spec.description,
            kind=spec.kind,
            fact_type=spec.fact,
            value=rng,
            display=self.display(value, coverage),
            complete=coverage.complete and self.count_unknown == 0,
            matching=self.count_matching if spec.kind in ("count", "share") else self.count_members,
            total=self.count_members if spec.kind == "share" else None,
            unknown=self.count_unknown,
            resources_matching=self.ids_matching,
            resources_not_matching=self.ids_not_matching,
            resources_unknown=self.ids_unknown,
            resources_truncated=self.truncated,
            by_scope=[
                ScopeBreakdown(scope=s, provider=p, matching=c[0], total=c[1], unknown=c[2]) for (s, p), c in sorted(self.by_scope.items())
            ],
            by_provider=self._by_provider(),
            coverage_gaps=(coverage.gaps + coverage.attribute_gaps)[:20]
            if coverage.collected
            else [f"no collector gathered {spec.fact} for this provider"],
        )

    def _by_provider(self) -> list[ProviderBreakdown]:
        sums: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        for (_, provider), (matching, total, unknown) in self.by_scope.items():
            row = sums[provider]
            row[0] += 1
            row[1] += matching
            row[2] += total
            row[3] += unknown
        return [ProviderBreakdown(provider=p, scopes=r[0], matching=r[1], total=r[2], unknown=r[3]) for p, r in sorted(sums.items())]

    def display(self, value: Interval | Any, coverage: TypeCoverage) -> str:
        kind = self.signal.spec.kind
        if value is UNKNOWN:
            if not coverage.collected:
                return "unknown (not collected)"
            return "no resources to measure" if kind == "share" else "unknown"
        assert isinstance(value, Interval)
        if kind == "share":
            counts = f"{self.count_matching} of {self.count_members}"
            if self.signal.spec.weight:
                counts += f" resources, weighted by {self.signal.spec.weight}"
            if value.is_exact:
                return f"{value.lo:.0%} ({counts})"
            if not coverage.complete:
                return f"unknown: {counts} read, coverage incomplete"
            return f"{value.lo:.0%}–{value.hi:.0%} ({counts}, {self.count_unknown} unreadable)"
        if value.is_exact:
            return str(value)
        if math.isinf(value.hi):
            if value.lo == 0:
                return "unknown: none seen, coverage incomplete"
            return f"at least {_fmt(value.lo)} (coverage incomplete)"
        return f"{_fmt(value.lo)}–{_fmt(value.hi)} ({self.count_unknown} unreadable)"


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:.3g}"


def _finite(x: float | None) -> float | None:
    return None if x is None or math.isinf(x) else x


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _hashable(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _hashable(v)) for k, v in value.items()))
    return value
