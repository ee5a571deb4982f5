"""Build small snapshots fact by fact and score them: golden estates for rule tests.

estate = Estate()
estate.covered("compute.instance")                       # collector ran, status ok
estate.fact("compute.instance", state="running", autoscaled=True)
estate.denied("compute.autoscaling_group")               # collector was denied
result = estate.score(tmp_path, "cost.capacity")
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from cmm_scan.engine import evaluate
from cmm_scan.models import Assessment, Coverage, CoverageStatus, Fact, QuestionResult, ScopeInfo, SnapshotHeader
from cmm_scan.rules import CompiledRule, load_rules
from cmm_scan.snapshot_io import SnapshotWriter

DEFAULT_SCOPE = "111111111111"


@cache
def _all_rules(overrides: tuple[tuple[str, tuple[tuple[str, float], ...]], ...]) -> list[CompiledRule]:
    """Every rule validated and compiled once per set of overrides, not once per test."""
    return load_rules(overrides={rule: dict(values) for rule, values in overrides})


DEFAULT_REGION = "eu-west-2"


class Estate:
    def __init__(self, provider: str = "aws"):
        self.provider = provider
        self.facts: list[Fact] = []
        self.coverage: list[Coverage] = []
        self._ids = itertools.count(1)

    def fact(self, fact_type: str, scope: str = DEFAULT_SCOPE, region: str = DEFAULT_REGION, **attributes: Any) -> Fact:
        """Add one fact; its type is marked covered (ok) for the scope and region if not already."""
        if not any(fact_type in c.fact_types and c.scope == scope and c.region == region for c in self.coverage):
            self.covered(fact_type, scope=scope, region=region)
        fact = Fact(
            type=fact_type,
            provider=self.provider,  # type: ignore[arg-type]
            scope=scope,
            region=region,
            resource_id=f"{fact_type}/{next(self._ids)}",
            attributes=attributes,
            source="test",
        )
        self.facts.append(fact)
        return fact

    def many(self, n: int, fact_type: str, **attributes: Any) -> None:
        for _ in range(n):
            self.fact(fact_type, **attributes)

    def _cover(
        self, fact_type: str, status: CoverageStatus, scope: str, region: str, reason: str = "", facet: dict[str, Any] | None = None
    ) -> None:
        self.coverage.append(
            Coverage(
                collector=f"test.{fact_type}" + "".join(f".{v}" for v in (facet or {}).values()),
                provider=self.provider,  # type: ignore[arg-type]
                scope=scope,
                region=region,
                status=status,
                fact_types=[fact_type],
                facet=facet or {},
                reason=reason,
            )
        )

    def covered(self, *fact_types: str, scope: str = DEFAULT_SCOPE, region: str = DEFAULT_REGION) -> Estate:
        for fact_type in fact_types:
            self._cover(fact_type, "ok", scope, region)
        return self

    def denied(
        self, *fact_types: str, scope: str = DEFAULT_SCOPE, region: str = DEFAULT_REGION, facet: dict[str, Any] | None = None
    ) -> Estate:
        """The collector of these types was denied; with a `facet`, only the one listing facts with those attributes."""
        for fact_type in fact_types:
            self._cover(fact_type, "denied", scope, region, "AccessDenied", facet)
        return self

    def not_enabled(self, *fact_types: str, scope: str = DEFAULT_SCOPE, region: str = DEFAULT_REGION) -> Estate:
        for fact_type in fact_types:
            self._cover(fact_type, "not_enabled", scope, region, "service not enabled")
        return self

    def write(self, path: Path, kind: str = "account", umbrella: ScopeInfo | None = None, **header: Any) -> Path:
        """The snapshot file; `header` sets header fields (shard, estate, not_held...), `umbrella` an organisation scope."""
        scopes = sorted({c.scope for c in self.coverage} | {f.scope for f in self.facts}) or [DEFAULT_SCOPE]
        record = SnapshotHeader(
            tool_version="test",
            provider=self.provider,  # type: ignore[arg-type]
            started_at=datetime.now(UTC),
            scopes=([umbrella] if umbrella else []) + [ScopeInfo(id=s, kind=kind, parent=umbrella and umbrella.id) for s in scopes],  # type: ignore[arg-type]
            regions=sorted({c.region for c in self.coverage}),
            **header,
        )
        with SnapshotWriter(path, record) as writer:
            for entry in self.coverage:
                writer.coverage(entry)
            for fact in self.facts:
                writer.fact(fact)
        return path

    def assess(self, tmp_path: Path, *rule_ids: str, overrides: dict[str, dict[str, float]] | None = None) -> Assessment:
        snapshot = self.write(tmp_path / f"estate-{next(self._ids)}.snapshot.jsonl")
        key = tuple(sorted((r, tuple(sorted(t.items()))) for r, t in (overrides or {}).items()))
        chosen = [r for r in _all_rules(key) if not rule_ids or r.id in rule_ids]
        return evaluate(snapshot, chosen)

    def score(self, tmp_path: Path, rule_id: str, overrides: dict[str, dict[str, float]] | None = None) -> QuestionResult:
        (result,) = self.assess(tmp_path, rule_id, overrides=overrides).results
        return result
