"""The shape of a baseline folder: `baseline.yaml` and one `checks/<id>.yaml` per statement."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from cmm_scan.rulespec import SignalSpec

BASELINE_VERSION = 1

ParameterValue = float | list[str] | dict[str, list[str]]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Parameter(_Strict):
    """A named value the checks read, overridable from the config (`policy.parameters`).

    A map of cloud -> list (allowed regions per cloud) is read by the checks as one list of
    every cloud's values: region names do not repeat across clouds."""

    value: ParameterValue
    doc: str = Field(min_length=1)


class BaselineSpec(_Strict):
    format_version: int = Field(ge=1, le=BASELINE_VERSION)
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    title: str = Field(min_length=1)
    source: str = Field(default="", description="The document the statements are quoted from")
    parameters: dict[str, Parameter] = Field(default_factory=dict)


class CheckSpec(_Strict):
    """One "must" statement.

    automation full:   signals + `holds_when`; the gate's three-valued answer is the verdict
                       (true: holds, false: does not hold, unknown: cannot tell).
    automation manual: configuration cannot speak to it; `evidence_to_bring` says what a person shows.
    """

    id: str = Field(pattern=r"^[a-z0-9_]+\.[a-z0-9_]+$")
    title: str = Field(min_length=1)
    statement: str = Field(min_length=1, description="The policy's words, quoted exactly")
    reference: str = Field(default="", description="Section of the policy")
    area: str = Field(min_length=1, description="Area of work in the responsibility model")
    automation: Literal["full", "manual"]
    scope: Literal["each", "organisation"] = Field(
        default="each",
        description="each: judged in every account/subscription/project on its own facts; "
        "organisation: judged once over the whole estate (guardrails set centrally)",
    )
    signals: dict[str, SignalSpec] = Field(default_factory=dict)
    holds_when: str | None = None
    not_applicable_when: str | None = None
    holds: str = Field(default="", description="Plain sentence for the 'because' when it holds")
    fails: str = Field(default="", description="Plain sentence for the 'because' when it does not hold")
    evidence_to_bring: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> CheckSpec:
        if self.automation == "manual":
            if self.signals or self.holds_when or self.not_applicable_when:
                raise ValueError("a manual check has no signals and no holds_when")
            if not self.evidence_to_bring:
                raise ValueError("a manual check must list evidence_to_bring for the person answering")
        else:
            if not self.signals or not self.holds_when:
                raise ValueError("an automation: full check needs signals and holds_when")
            if not self.holds or not self.fails:
                raise ValueError("an automation: full check needs 'holds' and 'fails' sentences")
        return self
