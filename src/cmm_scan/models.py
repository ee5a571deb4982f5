"""The data that flows through the pipeline: snapshots in, assessments out.

Every file the tool writes names its format and carries `format_version`; readers refuse
versions they do not know. JSON Schemas in `schemas/` are generated from these models.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

SNAPSHOT_FORMAT = "cmm-scan-snapshot"
SNAPSHOT_VERSION = 2
SNAPSHOT_VERSIONS_READ = (1, 2)  # 2 added the shard, estate key and scope list; version 1 files read unchanged
ASSESSMENT_FORMAT = "cmm-scan-assessment"
ASSESSMENT_VERSION = 2
ASSESSMENT_VERSIONS_READ = (1, 2)  # 2 added the estate: every snapshot, provider and scope pooled, partial results

Provider = Literal["aws", "azure", "gcp", "oci", "repos", "synthetic"]
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


ScopeKind = Literal[
    "account",  # AWS
    "organization",  # AWS organisation, GCP organization
    "tenant",  # Azure (Entra ID) tenant
    "management_group",  # Azure
    "subscription",  # Azure
    "folder",  # GCP
    "project",  # GCP
    "tenancy",  # OCI
    "compartment",  # OCI
    "repository",  # source repositories
    "synthetic",
]


class ScopeInfo(_Strict):
    """One scope a snapshot covers, in the neutral model: (provider, kind, id, parent). The provider is the
    snapshot's; `parent` is the id of the scope it sits under (an account's organisation, a subscription's
    management group, a project's folder, a compartment's parent), when known."""

    id: str
    kind: ScopeKind
    name: str = ""
    parent: str | None = None
    provider: Provider | None = Field(default=None, description="Set in an assessment, which pools providers; in a snapshot, the header's")


class SnapshotHeader(_Strict):
    record: Literal["header"] = "header"
    format: Literal["cmm-scan-snapshot"] = SNAPSHOT_FORMAT
    format_version: int = SNAPSHOT_VERSION
    tool_version: str
    provider: Provider
    started_at: datetime
    scopes: list[ScopeInfo] = Field(default_factory=list)
    regions: list[str] = Field(default_factory=list)
    fact_types: list[str] = Field(
        default_factory=list,
        description="Fact types the plan asked this provider for; one listed here that no coverage entry names was not read",
    )
    questions: list[str] = Field(default_factory=list, description="Rule ids the plan was derived from")
    shard: tuple[int, int] | None = Field(default=None, description="(i, n): this snapshot is shard i of n of its estate part")
    estate: str | None = Field(default=None, description="The key of the estate part the shards split (the same in every shard)")
    scope_filter: list[str] = Field(default_factory=list, description="The scope list the scan was given (include ids, !exclude ids)")
    not_held: list[str] = Field(
        default_factory=list,
        description="Fact types this provider's estate cannot hold (a repository holds no instances): pooled with other "
        "snapshots, their absence here leaves nothing unread; any other type this snapshot has no coverage for does",
    )


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


class ProviderBreakdown(_Strict):
    provider: str
    scopes: int
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
    by_provider: list[ProviderBreakdown] = Field(default_factory=list, description="by_scope summed per provider")
    coverage_gaps: list[str] = Field(default_factory=list)
    area: str = Field(default="", description="Area of work its facts fall in (from the responsibility model)")


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
    status: Literal["suggested", "floor", "range", "unknown", "not_applicable", "manual"]
    suggested_level: int | None
    floor_level: int | None = Field(
        default=None,
        description="status floor: configuration shows at least this level and only a person can tell whether it is higher; "
        "exported as the answer unless the config says export: settled",
    )
    possible_levels: list[int]
    level_range: tuple[int, int] | None
    confidence: Confidence
    tie_break: str | None = None
    levels: list[LevelOutcome]
    evidence: list[Evidence] = Field(default_factory=list)
    next_level: NextLevel | None = None
    reasons: list[str] = Field(default_factory=list)
    because: str = Field(default="", description="One plain sentence naming the evidence that decides a suggested or floor answer")
    to_settle: str = Field(default="", description="For an open answer (or a floor): the one thing that would settle it")
    evidence_to_bring: list[str] = Field(default_factory=list)
    guidance_url: str = ""
    human: HumanAnswer | None = None
    history: list[HistoryPoint] = Field(default_factory=list, description="Earlier runs, oldest first (from the store)")
    answer: int = Field(ge=0, le=5, description="The exported answer: human wins, else the suggestion, else 0")
    answer_source: Literal["human", "machine", "none"]
    partial: bool = Field(default=False, description="Scored from an incomplete set of shards (--allow-partial)")
    owner: Owner | None = Field(default=None, description="Who owns this area of work (from the responsibility model)")


class CoverageSummary(_Strict):
    collector: str
    provider: str | None = None
    scope: str
    region: str
    status: CoverageStatus
    reason: str = ""


class SnapshotSource(_Strict):
    """One snapshot of the estate an assessment pooled."""

    file: str
    provider: str
    started_at: datetime
    tool_version: str
    scopes: list[ScopeInfo]
    regions: list[str]
    fact_count: int
    coverage_ok: int = 0
    coverage_problems: int = 0
    shard: tuple[int, int] | None = None
    estate: str | None = None


class AssessmentSource(_Strict):
    """What was scored. With more than one snapshot the fields sum or join them: `provider` is the
    one provider or the providers joined with '+', `snapshot_started_at` the earliest start."""

    provider: str
    snapshot_started_at: datetime
    tool_version: str
    scopes: list[ScopeInfo]
    regions: list[str]
    fact_count: int
    coverage_problems: list[CoverageSummary] = Field(default_factory=list)
    coverage_ok: int = 0
    providers: list[str] = Field(default_factory=list, description="Every provider pooled (empty in version 1 files)")
    snapshots: list[SnapshotSource] = Field(default_factory=list, description="Every snapshot pooled (empty in version 1 files)")
    partial: bool = Field(default=False, description="Scored from an incomplete set of shards: every result is partial")
    missing_shards: list[str] = Field(default_factory=list, description="Shards absent from a partial set, as estate i/n")


class Assessment(_Strict):
    format: Literal["cmm-scan-assessment"] = ASSESSMENT_FORMAT
    format_version: int = ASSESSMENT_VERSION
    tool_version: str
    created_at: datetime
    source: AssessmentSource
    thresholds_overridden: dict[str, dict[str, float]] = Field(default_factory=dict)
    results: list[QuestionResult]
    policy: PolicyAssessment | None = Field(default=None, description="A policy baseline's checks (--baseline)")
    responsibility: ResponsibilitySummary | None = Field(default=None, description="The responsibility model used (--responsibility)")

    def for_framework(self, framework: Framework) -> list[QuestionResult]:
        return [r for r in self.results if r.framework == framework]


# --- ownership and policy baselines (docs/responsibility.md, docs/baselines.md) -----------


class Owner(_Strict):
    """Who owns a result: the area of work it falls in and that area's RACI."""

    area: str
    area_title: str
    responsible: list[str] = Field(default_factory=list, description="Party names")
    accountable: str = ""
    consulted: list[str] = Field(default_factory=list)
    informed: list[str] = Field(default_factory=list)
    teams: list[str] = Field(
        default_factory=list, description="Service teams owning the scopes concerned (when a service team is responsible)"
    )


PolicyVerdict = Literal["holds", "does_not_hold", "cannot_tell", "not_applicable", "for_a_person"]


class ScopeVerdict(_Strict):
    scope: str
    provider: str
    verdict: PolicyVerdict
    team: str = Field(default="", description="The service team owning the scope, if the model names one")
    reasons: list[str] = Field(default_factory=list)


class CheckResult(_Strict):
    id: str
    title: str
    statement: str = Field(description="The policy's own words, quoted")
    reference: str = Field(default="", description="Where the statement is in the policy")
    area: str = Field(description="Area of work in the responsibility model")
    automation: Literal["full", "manual"]
    per_scope: bool
    verdict: PolicyVerdict
    because: str = Field(default="", description="One plain sentence saying why")
    scopes: list[ScopeVerdict] = Field(default_factory=list)
    evidence: list[Evidence] = Field(default_factory=list)
    reasons: list[str] = Field(default_factory=list)
    evidence_to_bring: list[str] = Field(default_factory=list)
    owner: Owner | None = None


class PolicyAssessment(_Strict):
    baseline: str
    title: str
    source: str = ""
    parameters: dict[str, Any] = Field(default_factory=dict)
    checks: list[CheckResult]

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for c in self.checks:
            out[c.verdict] = out.get(c.verdict, 0) + 1
        return out


class ResponsibilitySummary(_Strict):
    name: str
    path: str
    reviewed_on: date | None = None
    clouds: list[str] = Field(default_factory=list)
    parties: list[str] = Field(default_factory=list)
    teams: dict[str, list[str]] = Field(default_factory=dict, description="service team -> scopes it owns in this estate")
    owner_filter: str = Field(default="", description="--owner: results shown are those this owner is responsible or accountable for")


QuestionResult.model_rebuild()
Assessment.model_rebuild()
