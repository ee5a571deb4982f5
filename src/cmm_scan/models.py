"""The data that flows through the pipeline: snapshots in, assessments out.

Every file the tool writes names its format and carries `format_version`; readers refuse
versions they do not know. JSON Schemas in `schemas/` are generated from these models.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

SNAPSHOT_FORMAT = "cmm-scan-snapshot"
SNAPSHOT_VERSION = 1
ASSESSMENT_FORMAT = "cmm-scan-assessment"
ASSESSMENT_VERSION = 1

Provider = Literal["aws", "azure", "gcp", "oci", "synthetic"]
CoverageStatus = Literal["ok", "denied", "not_enabled", "error", "skipped"]
Automation = Literal["full", "partial", "manual"]
Confidence = Literal["high", "medium", "low", "none"]
Framework = Literal["cmm", "csmm"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- snapshot ---------------------------------------------------------------------------


class Fact(_Strict):
    """One observation about the estate. Rules read `type` and `attributes`."""

    record: Literal["fact"] = "fact"
    type: str = Field(description="Neutral fact type, e.g. compute.instance")
    provider: Provider
    scope: str = Field(description="Account, subscription, project or compartment id")
    region: str = Field(description="Region, or 'global'")
    resource_id: str
    attributes: dict[str, Any] = Field(default_factory=dict, description="Normalised fields; null = not read")
    source: str = Field(description="The API operation(s) the fact came from")


class Coverage(_Strict):
    """What one collector managed to read in one scope and region."""

    record: Literal["coverage"] = "coverage"
    collector: str
    provider: Provider
    scope: str
    region: str
    status: CoverageStatus
    fact_types: list[str] = Field(default_factory=list, description="Fact types this collector lists")
    enriches: list[str] = Field(default_factory=list, description="Fact types whose attributes it fills in")
    facet: dict[str, str | int | bool] = Field(
        default_factory=dict,
        description="Attributes every fact this collector lists carries (e.g. service: detective): a gap here "
        "leaves unknown only the signals whose population could include such facts",
    )
    reason: str = ""
    requests: int = 0


class ScopeInfo(_Strict):
    id: str
    kind: Literal["account", "organization", "subscription", "project", "compartment", "tenancy", "tenant", "management_group", "synthetic"]
    name: str = ""


class SnapshotHeader(_Strict):
    record: Literal["header"] = "header"
    format: Literal["cmm-scan-snapshot"] = SNAPSHOT_FORMAT
    format_version: int = SNAPSHOT_VERSION
    tool_version: str
    provider: Provider
    started_at: datetime
    scopes: list[ScopeInfo] = Field(default_factory=list)
    regions: list[str] = Field(default_factory=list)
    fact_types: list[str] = Field(default_factory=list, description="Fact types the plan asked for")
    questions: list[str] = Field(default_factory=list, description="Rule ids the plan was derived from")


class SnapshotEnd(_Strict):
    """The last line of a complete snapshot; a file without it was cut short."""

    record: Literal["end"] = "end"
    finished_at: datetime
    fact_count: int
    coverage_count: int


# `record` tells the kinds apart, so a line is validated against one model, not tried on four.
SnapshotRecord = Annotated[SnapshotHeader | Fact | Coverage | SnapshotEnd, Field(discriminator="record")]


# --- assessment -------------------------------------------------------------------------


class Range(_Strict):
    lo: float | None
    hi: float | None


class ScopeBreakdown(_Strict):
    scope: str
    provider: str
    matching: int
    total: int
    unknown: int = 0


class Evidence(_Strict):
    """A signal's value and the resources behind it."""

    signal: str
    description: str
    kind: Literal["count", "share", "distinct", "sum"]
    fact_type: str
    value: Range = Field(description="Interval of plausible values; lo == hi when exact")
    display: str
    complete: bool = Field(description="False when coverage was missing for some scope or region")
    matching: int = 0
    total: int | None = Field(default=None, description="Denominator of a share")
    unknown: int = Field(default=0, description="Facts whose attributes could not be read")
    resources_matching: list[str] = Field(default_factory=list)
    resources_not_matching: list[str] = Field(default_factory=list)
    resources_unknown: list[str] = Field(default_factory=list)
    resources_truncated: bool = False
    by_scope: list[ScopeBreakdown] = Field(default_factory=list)
    coverage_gaps: list[str] = Field(default_factory=list)


LevelVerdict = Literal["met", "supported", "possible", "ruled_out", "human"]


class LevelOutcome(_Strict):
    level: int
    verdict: LevelVerdict
    cites: str
    when: str | None = None


class NextLevel(_Strict):
    level: int
    needs: str
    gate: str | None = None
    failing: list[str] = Field(default_factory=list, description="Signals that stand in the way, with values")


class HumanAnswer(_Strict):
    level: int = Field(ge=0, le=5)
    note: str = ""
    links: list[str] = Field(default_factory=list)
    answered_by: str = ""
    answered_on: date | None = None
    expires: date | None = None
    expired: bool = False
    disagrees: bool = False


class HistoryPoint(_Strict):
    """The same question in an earlier stored run of the same scope."""

    run_id: str
    at: datetime
    answer: int
    suggested_level: int | None = None
    level_range: tuple[int, int] | None = None


class QuestionResult(_Strict):
    id: str
    framework: Framework
    key: str = Field(description="SHA-256 key of the official tool (CMM), or the CSMM category id")
    category: str
    title: str
    automation: Automation
    status: Literal["suggested", "range", "unknown", "not_applicable", "manual"]
    suggested_level: int | None
    possible_levels: list[int]
    level_range: tuple[int, int] | None
    confidence: Confidence
    tie_break: str | None = None
    levels: list[LevelOutcome]
    evidence: list[Evidence] = Field(default_factory=list)
    next_level: NextLevel | None = None
    reasons: list[str] = Field(default_factory=list)
    evidence_to_bring: list[str] = Field(default_factory=list)
    guidance_url: str = ""
    human: HumanAnswer | None = None
    history: list[HistoryPoint] = Field(default_factory=list, description="Earlier runs, oldest first (from the store)")
    answer: int = Field(ge=0, le=5, description="The exported answer: human wins, else the suggestion, else 0")
    answer_source: Literal["human", "machine", "none"]


class CoverageSummary(_Strict):
    collector: str
    scope: str
    region: str
    status: CoverageStatus
    reason: str = ""


class AssessmentSource(_Strict):
    provider: str
    snapshot_started_at: datetime
    tool_version: str
    scopes: list[ScopeInfo]
    regions: list[str]
    fact_count: int
    coverage_problems: list[CoverageSummary] = Field(default_factory=list)
    coverage_ok: int = 0


class Assessment(_Strict):
    format: Literal["cmm-scan-assessment"] = ASSESSMENT_FORMAT
    format_version: int = ASSESSMENT_VERSION
    tool_version: str
    created_at: datetime
    source: AssessmentSource
    thresholds_overridden: dict[str, dict[str, float]] = Field(default_factory=dict)
    results: list[QuestionResult]

    def for_framework(self, framework: Framework) -> list[QuestionResult]:
        return [r for r in self.results if r.framework == framework]
