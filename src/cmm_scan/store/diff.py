"""What moved between two runs, and which moves fail a CI gate."""

from __future__ import annotations

from dataclasses import dataclass, field

from cmm_scan.config import level_for
from cmm_scan.models import Assessment, Evidence, QuestionResult
from cmm_scan.store.base import QuestionRow

MAX_IDS = 20  # resource ids shown per direction of a signal change


@dataclass
class SignalMove:
    signal: str
    description: str
    before: str | None  # the signal's display value; None when the signal was absent
    after: str | None
    joined: list[str] = field(default_factory=list)  # resources now matching that did not before
    left: list[str] = field(default_factory=list)  # resources matching before, not now


@dataclass
class QuestionMove:
    id: str
    title: str
    before: QuestionResult | None  # None: the question was not in the earlier run
    after: QuestionResult | None
    signals: list[SignalMove]

    @property
    def fell(self) -> bool:
        return (
            self.before is not None
            and self.after is not None
            and _fell(self.before.answer, self.after.answer, self.before.suggested_level, self.after.suggested_level)
        )


def _fell(old_answer: int, new_answer: int, old_suggested: int | None, new_suggested: int | None) -> bool:
    if new_answer < old_answer:
        return True
    return old_suggested is not None and new_suggested is not None and new_suggested < old_suggested


def _key(r: QuestionResult) -> tuple[object, ...]:
    return (r.answer, r.suggested_level, r.level_range, r.status)


def _signal_moves(before: list[Evidence], after: list[Evidence]) -> list[SignalMove]:
    old = {e.signal: e for e in before}
    new = {e.signal: e for e in after}
    moves = []
    for name in [*old, *(n for n in new if n not in old)]:
        a, b = old.get(name), new.get(name)
        if a is not None and b is not None and (a.value, a.display, a.complete) == (b.value, b.display, b.complete):
            continue
        was = set(a.resources_matching) if a else set()
        now = set(b.resources_matching) if b else set()
        moves.append(
            SignalMove(
                signal=name,
                description=(b or a).description,  # type: ignore[union-attr]
                before=a.display if a else None,
                after=b.display if b else None,
                joined=sorted(now - was)[:MAX_IDS],
                left=sorted(was - now)[:MAX_IDS],
            )
        )
    return moves


def diff_assessments(old: Assessment, new: Assessment) -> list[QuestionMove]:
    """Questions whose answer, suggested level, range or status moved, with the signals that moved."""
    before = {r.id: r for r in old.results}
    after = {r.id: r for r in new.results}
    moves = []
    for qid in [*before, *(q for q in after if q not in before)]:
        a, b = before.get(qid), after.get(qid)
        if a is not None and b is not None and _key(a) == _key(b):
            continue
        moves.append(
            QuestionMove(
                id=qid,
                title=(b or a).title,  # type: ignore[union-attr]
                before=a,
                after=b,
                signals=_signal_moves(a.evidence if a else [], b.evidence if b else []),
            )
        )
    return moves


def describe_level(r: QuestionResult | QuestionRow | None) -> str:
    if r is None:
        return "absent"
    text = f"answer {r.answer}"
    if r.suggested_level is not None:
        text += f", suggested {r.suggested_level}"
    elif r.level_range is not None:
        text += f", range {r.level_range[0]}-{r.level_range[1]}"
    return f"{text} ({r.status})"


def regressions(previous: dict[str, QuestionRow], current: Assessment) -> list[str]:
    """One line per question whose exported answer or suggested level fell since `previous`."""
    lines = []
    for r in current.results:
        old = previous.get(r.id)
        if old is None or not _fell(old.answer, r.answer, old.suggested_level, r.suggested_level):
            continue
        parts = [f"answer {old.answer} -> {r.answer}"]
        if old.suggested_level != r.suggested_level:
            parts.append(f"suggested {_level(old.suggested_level)} -> {_level(r.suggested_level)}")
        lines.append(f"regression: {r.id}: {', '.join(parts)} ({r.title})")
    return lines


def below_minimums(assessment: Assessment, minimums: dict[str, int]) -> list[str]:
    """One line per answer below the configured minimum for its question, category or 'all'."""
    lines = []
    for r in assessment.results:
        minimum = level_for(minimums, r.id, r.category)
        if minimum is None or r.answer >= minimum:
            continue
        if r.status == "not_applicable" and r.answer_source != "human":
            continue  # nothing to assess is not a shortfall
        shown = f"{r.answer} (cannot tell)" if r.answer == 0 else str(r.answer)
        lines.append(f"below minimum: {r.id}: answer {shown} < minimum {minimum} ({r.title})")
    return lines


def unmatched_minimums(assessment: Assessment, minimums: dict[str, int]) -> list[str]:
    known = {"all"} | {r.id for r in assessment.results} | {r.category for r in assessment.results}
    return sorted(k for k in minimums if k not in known)


def _level(level: int | None) -> str:
    return "none" if level is None else str(level)
