"""Sentences for people: why an answer is what it is, and what would settle an open one.

No signal ids, expressions or thresholds' names: only the signals' descriptions and their values.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from cmm_scan.models import Evidence, QuestionResult

if TYPE_CHECKING:
    from cmm_scan.rules import CompiledRule

MAX_NAMED = 3  # one sentence, not a table: the evidence list carries the rest
_FIELD = re.compile(r"\{([a-z0-9_]+)(?:\.(matching|total))?\}")


def because(rule: CompiledRule, level: int, evidence: list[Evidence], shown_by_config: bool, repos_in_estate: bool = False) -> str:
    """The rule's own sentence for this level, filled in; else one built from the signals that decided it."""
    spec = rule.levels[level - 1]
    by_name = {e.signal: e for e in evidence}
    own = spec.spec.repos_because if repos_in_estate and spec.spec.repos_because else spec.spec.because
    if own and all(m.group(1) in by_name for m in _FIELD.finditer(own)):  # never a sentence with a hole in it
        return _fill(own, by_name)
    reads = spec.shows_reads if shown_by_config else spec.reads
    if not shown_by_config and spec.repos_gate is not None and any(e.signal in spec.repos_reads for e in evidence):
        reads = spec.repos_reads  # repositories are in the estate: their gate decided this level
    if not reads:  # a level that stands because the others were ruled out
        reads = set().union(*(lv.reads for lv in rule.levels))
    named = [e for e in evidence if e.signal in reads][:MAX_NAMED]
    verb = "is shown" if shown_by_config else "fits"
    if not named:
        return f"Level {level} {verb} by the configuration read."
    return f"Level {level} {verb} because " + "; ".join(f"{_lower_first(e.description)}: {e.display}" for e in named) + "."


def to_settle(rule: CompiledRule, result: QuestionResult, evidence: list[Evidence]) -> str:
    """The one thing that would settle an open answer, or lift a floor."""
    if result.status == "floor" and result.next_level is not None:
        return f"Only a person can say whether it is level {result.next_level.level} or above: {_lower_first(result.next_level.needs)}"
    if result.status == "manual":
        return f"A person's answer, with {_lower_first(result.evidence_to_bring[0])}" if result.evidence_to_bring else "A person's answer."
    if result.status not in ("range", "unknown"):
        return ""
    open_levels = [rule.levels[lv - 1] for lv in result.possible_levels]
    reads = set().union(*(lv.reads | lv.shows_reads for lv in open_levels)) if open_levels else set()
    for item in evidence:
        if item.signal in reads and not item.complete:
            gap = item.coverage_gaps[0] if item.coverage_gaps else f"{item.unknown} resources could not be read"
            return f"A complete read of {_lower_first(item.description)} ({gap})."
    if result.evidence_to_bring:
        return f"A person's answer, with {_lower_first(result.evidence_to_bring[0]).rstrip('.')}."  # one full stop
    levels = result.possible_levels
    return f"A person's answer: which of levels {levels[0]}–{levels[-1]} fits." if levels else "A person's answer."


def _fill(template: str, by_name: dict[str, Evidence]) -> str:
    def value(match: re.Match[str]) -> str:
        item = by_name.get(match.group(1))
        if item is None:
            return match.group(0)
        if match.group(2) == "matching":
            return str(item.matching)
        if match.group(2) == "total":
            return str(item.total if item.total is not None else item.matching)
        return item.display

    return " ".join(_FIELD.sub(value, template).split())


def _lower_first(text: str) -> str:
    text = text.strip()
    return text[:1].lower() + text[1:] if text[1:2].islower() or len(text) < 2 else text
