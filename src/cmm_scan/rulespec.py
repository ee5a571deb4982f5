"""The shape of a rule file (`rules/<framework>/<id>.yaml`). See docs/scoring.md."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from cmm_scan.models import Automation, Framework


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Threshold(_Strict):
    value: float
    doc: str = Field(min_length=1, description="What the number means and where it comes from")


class SignalSpec(_Strict):
    """A measurable quantity over the facts of one type.

    count:    facts of `fact` for which `where` holds
    share:    among facts where `where` holds, the share for which `match` holds (0..1)
    distinct: number of distinct values of `attribute` among facts where `where` holds
    sum:      sum of numeric `attribute` over facts where `where` holds
    """

    kind: Literal["count", "share", "distinct", "sum"]
    fact: str = Field(pattern=r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")
    description: str = Field(min_length=1)
    where: str | None = None
    match: str | None = None
    attribute: str | None = None
    weight: str | None = Field(default=None, description="share only: weigh each fact by this numeric attribute")

    @model_validator(mode="after")
    def _fields_fit_kind(self) -> SignalSpec:
        if self.kind == "share" and not self.match:
            raise ValueError("a share needs 'match' (which facts count in the numerator)")
        if self.kind != "share" and (self.match or self.weight):
            raise ValueError("'match' and 'weight' belong to kind: share")
        if self.kind in ("distinct", "sum") and not self.attribute:
            raise ValueError(f"kind: {self.kind} needs 'attribute'")
        if self.kind in ("count", "share") and self.attribute:
            raise ValueError(f"'attribute' does not apply to kind: {self.kind}")
        return self


class LevelSpec(_Strict):
    level: int = Field(ge=1, le=5)
    cites: str = Field(min_length=1, description="The level text this gate stands for")
    when: str | None = Field(default=None, description="Gate; omitted when configuration cannot speak to it")
    settles: bool = Field(default=True, description="False: the gate can rule the level out but not confirm it")
    needs: str = Field(default="", description="What reaching this level takes, in our own words")
    repos_when: str | None = Field(
        default=None,
        description="With a repository snapshot in the estate, this gate decides the level in place of `when` (it may "
        "read the rule's cloud signals too); without one it is left out, so a cloud-only estate is scored as before",
    )
    shows: str | None = Field(
        default=None,
        description="Positive evidence that the estate has reached this level (its defining controls are there); "
        "true on complete coverage makes the answer at least this level",
    )
    because: str = Field(
        default="",
        description="One plain sentence for people saying why this level is the answer; {signal} is replaced by "
        "the signal's value, {signal.matching} and {signal.total} by its counts",
    )
    repos_because: str = Field(
        default="",
        description="The `because` used when the estate holds a repository snapshot (it may name repository signals)",
    )


class PairTieBreak(_Strict):
    """Which of two adjacent levels to suggest when the evidence fits both, and why."""

    levels: tuple[int, int]
    choose: Literal["lower", "upper"]
    reason: str = Field(min_length=1)

    @model_validator(mode="after")
    def _adjacent(self) -> PairTieBreak:
        low, high = self.levels
        if low < 1 or high != low + 1:
            raise ValueError(f"tie_breaks levels {list(self.levels)} must be two adjacent levels, like [2, 3]")
        return self


class RuleSpec(_Strict):
    id: str = Field(pattern=r"^[a-z0-9_]+\.[a-z0-9_]+$")
    framework: Framework
    title: str
    automation: Automation
    summary: str = ""
    thresholds: dict[str, Threshold] = Field(default_factory=dict)
    signals: dict[str, SignalSpec] = Field(default_factory=dict)
    not_applicable_when: str | None = None
    repos_not_applicable_when: str | None = Field(
        default=None, description="With a repository snapshot in the estate, used in place of not_applicable_when"
    )
    tie_break: Literal["lower", "upper"] | None = None
    tie_break_reason: str = ""
    tie_breaks: list[PairTieBreak] = Field(
        default_factory=list, description="Choices for particular pairs of adjacent levels; they win over tie_break"
    )
    levels: list[LevelSpec]
    evidence_to_bring: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> RuleSpec:
        numbers = [lv.level for lv in self.levels]
        if numbers != list(range(1, len(numbers) + 1)):
            raise ValueError(f"levels must be listed once each, in order from 1; got {numbers}")
        if self.automation == "manual":
            if self.signals or any(lv.when or lv.repos_when for lv in self.levels):
                raise ValueError("a manual rule has no signals and no gates")
            if not self.evidence_to_bring:
                raise ValueError("a manual rule must list evidence_to_bring for the person answering")
        elif not self.signals:
            raise ValueError(f"an automation: {self.automation} rule needs signals")
        if self.automation == "manual" and any(lv.shows for lv in self.levels):
            raise ValueError("a manual rule cannot show a level: only a person can answer it")
        if self.tie_break and not self.tie_break_reason:
            raise ValueError("tie_break needs tie_break_reason: why that choice")
        pairs = [tuple(t.levels) for t in self.tie_breaks]
        if len(set(pairs)) != len(pairs):
            raise ValueError("tie_breaks names the same pair of levels twice")
        if any(b > len(numbers) for _, b in pairs):
            raise ValueError(f"tie_breaks names a level above {len(numbers)}")
        clash = set(self.signals) & set(self.thresholds)
        if clash:
            raise ValueError(f"names used for both a signal and a threshold: {sorted(clash)}")
        return self

    def tie_break_for(self, low: int, high: int) -> tuple[Literal["lower", "upper"], str] | None:
        """The documented choice between two adjacent levels, if the rule makes one."""
        for pair in self.tie_breaks:
            if pair.levels == (low, high):
                return pair.choose, pair.reason
        return (self.tie_break, self.tie_break_reason) if self.tie_break else None

    @property
    def fact_types(self) -> set[str]:
        return {s.fact for s in self.signals.values()}
