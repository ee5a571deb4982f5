"""Evaluate a baseline's checks over a snapshot with the scoring engine's signal machinery.

A check's `holds_when` is a gate in the same three-valued logic as a rule's level gate: true is
"holds", false "does not hold", unknown "cannot tell" (a denied or failed collector makes its
signals unknown, never zero, so a read we could not make never fails a must). A check with
`scope: each` is judged in every scope on that scope's facts and coverage alone; the estate's
verdict is the worst of them: any scope failing fails it, else any scope unknown leaves it
unknown.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from cmm_scan.expr import as_tristate
from cmm_scan.models import CheckResult, Coverage, Evidence, Fact, PolicyAssessment, PolicyVerdict, ScopeVerdict, SnapshotHeader
from cmm_scan.policy.load import Baseline, CompiledCheck
from cmm_scan.scoring import unknown_reasons
from cmm_scan.signals import CoverageIndex, SignalAccumulator, fact_env, foreign
from cmm_scan.snapshot_io import read_records

ID_LIMIT = 50
ORDER: dict[PolicyVerdict, int] = {"does_not_hold": 0, "cannot_tell": 1, "holds": 2, "not_applicable": 3, "for_a_person": 4}


class _Judge:
    """Accumulators and coverage for one population: the whole estate, or one scope."""

    def __init__(self, checks: list[CompiledCheck]):
        self.coverage = CoverageIndex()
        self.accumulators = {c.id: [SignalAccumulator(s, ID_LIMIT) for s in c.signals] for c in checks}
        self.by_type: dict[str, list[SignalAccumulator]] = defaultdict(list)
        for accs in self.accumulators.values():
            for acc in accs:
                self.by_type[acc.signal.spec.fact].append(acc)

    def add(self, fact: Fact, env: dict[str, Any]) -> None:
        for acc in self.by_type.get(fact.type, ()):
            acc.add(fact, env)

    def judge(self, check: CompiledCheck) -> tuple[PolicyVerdict, list[Evidence], dict[str, Any]]:
        env: dict[str, Any] = {}
        evidence = []
        for acc in self.accumulators[check.id]:
            coverage = self.coverage.for_signal(acc.signal)
            value = acc.value(coverage)
            env[acc.signal.name] = value
            evidence.append(acc.evidence(value, coverage))
        if check.not_applicable is not None and as_tristate(check.not_applicable(env)) is True:
            return "not_applicable", evidence, env
        assert check.holds is not None
        truth = as_tristate(check.holds(env))
        return ("cannot_tell" if truth is None else "holds" if truth else "does_not_hold"), evidence, env


def evaluate_baseline(snapshots: Iterable[Path], baseline: Baseline) -> PolicyAssessment:
    """One streaming pass over each snapshot; memory stays flat in the number of facts."""
    checks = [c for c in baseline.checks if c.spec.automation == "full"]
    each = [c for c in checks if c.spec.scope == "each"]
    each_types = {s.spec.fact for c in each for s in c.signals}
    estate = _Judge(checks)
    scopes: dict[str, _Judge] = {}
    scope_provider: dict[str, str] = {}
    shared_coverage: list[Coverage] = []  # coverage of a scope that is not an account (an organisation): it counts in every scope

    def judge_of(scope: str, provider: str) -> _Judge:
        if scope not in scopes:
            scopes[scope] = _Judge(each)
            scope_provider[scope] = provider
            for entry in shared_coverage:
                scopes[scope].coverage.add(entry)
        return scopes[scope]

    for snapshot in snapshots:
        header: SnapshotHeader | None = None
        members: set[str] = set()
        for record in read_records(snapshot):
            if isinstance(record, SnapshotHeader):
                header = record
                members = {s.id for s in header.scopes if s.kind != "organization"}
                for scope in sorted(members):
                    judge_of(scope, header.provider)
            elif isinstance(record, Fact):
                if record.type not in estate.by_type:
                    continue  # read by no check: skip building its environment (the hot path)
                env = fact_env(record)
                estate.add(record, env)
                if record.type in each_types:
                    judge_of(record.scope, record.provider).add(record, env)
            elif isinstance(record, Coverage):
                estate.coverage.add(record)
                if record.scope in members or record.scope in scopes:
                    judge_of(record.scope, record.provider).coverage.add(record)
                else:
                    shared_coverage.append(record)
                    for judge in scopes.values():
                        judge.coverage.add(record)
    results = []
    for check in baseline.checks:
        spec = check.spec
        base: dict[str, Any] = {
            "id": spec.id,
            "title": spec.title,
            "statement": spec.statement,
            "reference": spec.reference,
            "area": spec.area,
            "automation": spec.automation,
            "per_scope": spec.scope == "each",
            "evidence_to_bring": spec.evidence_to_bring,
        }
        if spec.automation == "manual":
            results.append(
                CheckResult(**base, verdict="for_a_person", because="Configuration cannot show this: a person brings the evidence listed.")
            )
            continue
        verdict, evidence, env = estate.judge(check)
        per_scope: list[ScopeVerdict] = []
        if spec.scope == "each" and scopes:
            for scope in sorted(scopes):
                if check.signals and all(foreign(scope_provider[scope], s.spec.fact) for s in check.signals):
                    continue  # a scope that cannot hold what the check reads (a repository, for a backup check)
                scope_verdict, scope_evidence, scope_env = scopes[scope].judge(check)
                per_scope.append(
                    ScopeVerdict(
                        scope=scope,
                        provider=scope_provider[scope],
                        verdict=scope_verdict,
                        reasons=unknown_reasons(scope_evidence, scope_env) if scope_verdict == "cannot_tell" else [],
                    )
                )
            verdict = worst([s.verdict for s in per_scope])
        reasons = unknown_reasons(evidence, env) if verdict == "cannot_tell" else []
        results.append(
            CheckResult(
                **base,
                verdict=verdict,
                because=_because(check, verdict, per_scope, reasons),
                scopes=per_scope,
                evidence=evidence,
                reasons=reasons,
            )
        )
    return PolicyAssessment(
        baseline=baseline.spec.id,
        title=baseline.spec.title,
        source=baseline.spec.source,
        parameters=baseline.parameters,
        checks=results,
    )


def worst(verdicts: list[PolicyVerdict]) -> PolicyVerdict:
    judged = [v for v in verdicts if v != "not_applicable"]
    return min(judged, key=ORDER.__getitem__) if judged else "not_applicable"


def _because(check: CompiledCheck, verdict: PolicyVerdict, scopes: list[ScopeVerdict], reasons: list[str]) -> str:
    spec = check.spec
    if verdict == "holds":
        judged = [s for s in scopes if s.verdict == "holds"]
        where = f" in all {len(judged)} scopes judged" if len(judged) > 1 else ""
        return f"Holds{where} because {_lower_first(spec.holds)}"
    if verdict == "does_not_hold":
        failing = [s.scope for s in scopes if s.verdict == "does_not_hold"]
        where = f" in {len(failing)} of {len(scopes)} scopes ({', '.join(failing[:5])}{'…' if len(failing) > 5 else ''})" if scopes else ""
        return f"Does not hold{where} because {_lower_first(spec.fails)}"
    if verdict == "not_applicable":
        return f"Nothing to check: {spec.not_applicable_when}."
    first = reasons[0] if reasons else "a scope could not be read completely"
    return f"Cannot tell: {first}."


def _lower_first(text: str) -> str:
    """Check files write their sentences to follow "because"; keep them as written, with one full stop."""
    text = text.strip().rstrip(".")
    return text + "." if text else ""


def scope_ous(snapshots: Iterable[Path]) -> dict[str, str]:
    """Account id -> organisational-unit path, from the organisation's account facts."""
    paths: dict[str, str] = {}
    for snapshot in snapshots:
        for record in read_records(snapshot):
            if isinstance(record, Fact) and record.type == "org.account" and isinstance(record.attributes.get("ou_path"), str):
                paths[record.resource_id.rsplit("/", 1)[-1]] = record.attributes["ou_path"]
    return paths
