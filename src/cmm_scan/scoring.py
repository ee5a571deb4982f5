"""From signal values to a suggested level: the derivation in docs/scoring.md."""

from __future__ import annotations

from typing import Any

from cmm_scan.because import because, to_settle
from cmm_scan.catalogue import guidance_url
from cmm_scan.expr import UNKNOWN, as_tristate
from cmm_scan.models import Confidence, Evidence, LevelOutcome, LevelVerdict, NextLevel, QuestionResult
from cmm_scan.rules import CompiledLevel, CompiledRule

REPOS_IN_ESTATE = "__repos_in_estate__"  # env key: a repository snapshot was pooled, so repos_when gates decide


def _repos_decide(level: CompiledLevel, env: dict[str, Any]) -> bool:
    return level.repos_gate is not None and bool(env.get(REPOS_IN_ESTATE))


def gate_text(level: CompiledLevel, env: dict[str, Any]) -> str | None:
    """The gate that decides the level in this estate, as written."""
    return level.spec.repos_when if _repos_decide(level, env) else level.spec.when


def level_verdict(level: CompiledLevel, env: dict[str, Any]) -> LevelVerdict:
    gate = level.repos_gate if _repos_decide(level, env) else level.gate
    if gate is None:
        return "human"
    truth = as_tristate(gate(env))
    if truth is False:
        return "ruled_out"
    if truth is None:
        return "possible"
    return "met" if level.spec.settles else "supported"


def score_rule(rule: CompiledRule, env: dict[str, Any], evidence: list[Evidence]) -> QuestionResult:
    """Apply the rule's gates to the signal values in `env`."""
    spec, question = rule.spec, rule.question
    outcomes = [
        LevelOutcome(level=lv.spec.level, verdict=level_verdict(lv, env), cites=lv.spec.cites, when=gate_text(lv, env))
        for lv in rule.levels
    ]
    base: dict[str, Any] = {
        "id": spec.id,
        "framework": spec.framework,
        "key": question.key,
        "category": question.category,
        "title": question.title,
        "automation": spec.automation,
        "levels": outcomes,
        "evidence": evidence,
        "evidence_to_bring": spec.evidence_to_bring,
        "guidance_url": guidance_url(question),
        "answer": 0,
        "answer_source": "none",
    }
    unknown_signals = unknown_reasons(evidence, env)
    if spec.automation == "manual":
        return QuestionResult(
            **base,
            status="manual",
            suggested_level=None,
            possible_levels=[o.level for o in outcomes],
            level_range=None,
            confidence="none",
            reasons=["Configuration cannot answer this question: it needs a person's answer."],
        )
    not_applicable = (
        rule.repos_not_applicable if rule.repos_not_applicable is not None and env.get(REPOS_IN_ESTATE) else rule.not_applicable
    )
    if not_applicable is not None and as_tristate(not_applicable(env)) is True:
        return QuestionResult(
            **base,
            status="not_applicable",
            suggested_level=None,
            possible_levels=[],
            level_range=None,
            confidence="none",
            reasons=[f"Nothing to assess: {_values(evidence, rule.not_applicable_reads)}."],
        )
    verdicts = {o.level: o.verdict for o in outcomes}
    shown = _shown_level(rule, env, evidence, verdicts)
    if shown is not None and _gaps(rule, [o.level for o in outcomes], evidence):
        shown = None  # a read any level turns on is missing: no floor, never a guess
    # Positive evidence for level N passes every level below it.
    possible = [o.level for o in outcomes if o.verdict != "ruled_out" and (shown is None or o.level >= shown)]
    floor = shown if shown is not None and possible and possible[0] == shown else None
    suggested: int | None = None
    confidence: Confidence = "none"
    tie_break: str | None = None
    reasons: list[str] = []
    gaps: list[str] = []
    if not possible:
        reasons.append("Every level was ruled out: the rule has a gap for this estate; please report it.")
    elif len(possible) == 1:
        suggested = possible[0]
        confidence = "high" if verdicts[suggested] == "met" or suggested == floor else "medium"
    elif (
        len(possible) == 2
        and possible[1] == possible[0] + 1
        and (choice := spec.tie_break_for(possible[0], possible[1]))
        and not (gaps := _gaps(rule, possible, evidence))
    ):
        direction, why = choice
        suggested = possible[0] if direction == "lower" else possible[1]
        confidence = "medium" if verdicts[suggested] in ("met", "supported") or suggested == floor else "low"
        tie_break = f"Levels {possible[0]} and {possible[1]} both fit; chose {suggested}: {why}"
    elif floor is not None:
        human = [lv for lv in possible if verdicts[lv] == "human"]
        reasons.append(f"The configuration shows level {floor}; levels {_levels(possible)} remain open.")
    else:
        human = [lv for lv in possible if verdicts[lv] == "human"]
        reasons.append(f"The evidence leaves levels {_levels(possible)} open.")
        if gaps:
            # A tie-break is a choice between two readings of complete evidence, not a stand-in for evidence not read.
            reasons.append(f"No tie-break: {_named(evidence, gaps)} could not be read completely and could settle it.")
        if human:
            reasons.append(f"Level(s) {_levels(human)} turn on things configuration cannot show.")
    reasons += unknown_signals if suggested is None else []
    if possible and not _contiguous(possible):
        status = "unknown"
    elif suggested is not None:
        status = "suggested"
    elif floor is not None:
        status = "floor"
        confidence = "high"
    elif possible and len(possible) < len(outcomes):
        status = "range"
    else:
        status = "unknown"
    decided = suggested if suggested is not None else (floor if status == "floor" else None)
    result = QuestionResult(
        **base,
        status=status,
        suggested_level=suggested,
        floor_level=floor if status == "floor" else None,
        possible_levels=possible,
        level_range=(min(possible), max(possible)) if possible else None,
        confidence=confidence,
        tie_break=tie_break,
        reasons=reasons,
        next_level=_next_level(rule, decided, env, evidence),
    )
    if decided is not None:
        result.answer, result.answer_source = decided, "machine"
        result.because = because(rule, decided, evidence, shown_by_config=decided == shown, repos_in_estate=bool(env.get(REPOS_IN_ESTATE)))
    result.to_settle = to_settle(rule, result, evidence)
    return result


def _shown_level(rule: CompiledRule, env: dict[str, Any], evidence: list[Evidence], verdicts: dict[int, LevelVerdict]) -> int | None:
    """The highest level whose `shows` holds on complete coverage: positive evidence, never a guess.

    A level the gates rule out is never shown, whatever its `shows` says: a floor stays within what the evidence allows."""
    # Only completely read signals count as evidence: anything else is unknown here, so an `or` can still
    # be shown by one of its complete branches, and nothing incomplete can show a level.
    known = {e.signal: env.get(e.signal, UNKNOWN) if e.complete else UNKNOWN for e in evidence}
    for level in reversed(rule.levels):
        if level.shows is None or verdicts[level.spec.level] == "ruled_out":
            continue
        if as_tristate(level.shows(known)) is True:
            return level.spec.level
    return None


def _gaps(rule: CompiledRule, levels: list[int], evidence: list[Evidence]) -> list[str]:
    """Signals read by these levels' gates whose coverage was incomplete."""
    reads = set().union(*(rule.levels[lv - 1].reads | rule.levels[lv - 1].shows_reads for lv in levels))
    return sorted(e.signal for e in evidence if e.signal in reads and not e.complete)


def _next_level(rule: CompiledRule, current: int | None, env: dict[str, Any], evidence: list[Evidence]) -> NextLevel | None:
    if current is None or current >= len(rule.levels):
        return None
    target = rule.levels[current]  # levels are 1-based, so index `current` is the next one
    shown = {e.signal: e for e in evidence}
    failing: list[str] = []
    for name in sorted((target.reads | target.shows_reads) & shown.keys()):
        failing.append(f"{shown[name].description}: {shown[name].display}")
    needs = target.spec.needs or target.spec.cites
    return NextLevel(level=target.spec.level, needs=needs, gate=gate_text(target, env), failing=failing)


def unknown_reasons(evidence: list[Evidence], env: dict[str, Any]) -> list[str]:
    """One line per signal that is unknown or read incompletely, with up to three of its coverage gaps."""
    reasons = []
    for item in evidence:
        if env.get(item.signal, UNKNOWN) is UNKNOWN or not item.complete:
            gaps = "; ".join(item.coverage_gaps[:3])
            reasons.append(f"{item.description}: {item.display}" + (f" [{gaps}]" if gaps else ""))
    return reasons


def _contiguous(levels: list[int]) -> bool:
    return levels == list(range(levels[0], levels[-1] + 1))


def _levels(levels: list[int]) -> str:
    if _contiguous(levels) and len(levels) > 2:
        return f"{levels[0]}–{levels[-1]}"
    return ", ".join(map(str, levels))


def _named(evidence: list[Evidence], signals: list[str]) -> str:
    """Signals as people read them: by their description."""
    described = {e.signal: e.description for e in evidence}
    return "; ".join(_lower_first(described.get(s, s)) for s in signals)


def _values(evidence: list[Evidence], signals: set[str]) -> str:
    return "; ".join(f"{_lower_first(e.description)}: {e.display}" for e in evidence if e.signal in signals)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]
