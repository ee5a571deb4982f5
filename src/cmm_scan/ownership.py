"""The responsibility model: who owns each area of work, and which scopes belong to which service team.

A model file (docs/responsibility.md) names the parties, gives every area of work its RACI and
maps scopes (accounts, subscriptions, projects, compartments, organisational units) to service
teams. `annotate` stamps an owner on every question, check and piece of evidence; `filter_owner`
keeps what one party or team is responsible or accountable for; `shared_responsibility_evidence`
turns a current model into evidence for the CMM shared-responsibility question.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from cmm_scan.errors import UserError
from cmm_scan.models import Assessment, Owner, ResponsibilitySummary
from cmm_scan.paths import bundled
from cmm_scan.signals import foreign
from cmm_scan.yamlfile import load_yaml_model

MODEL_VERSION = 1
HINT = "see docs/responsibility.md for the format"
PROVIDERS = ("aws", "azure", "gcp", "oci")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Party(_Strict):
    name: str = Field(min_length=1)
    per_scope: bool = Field(default=False, description="A service team: each scope belongs to one named team")
    doc: str = ""


class Raci(_Strict):
    responsible: list[str] = Field(min_length=1)
    accountable: str = Field(min_length=1)
    consulted: list[str] = Field(default_factory=list)
    informed: list[str] = Field(default_factory=list)


class ServiceTeam(_Strict):
    name: str = Field(min_length=1)
    scopes: list[str] = Field(default_factory=list, description="Account, subscription, project or compartment ids")
    ous: list[str] = Field(default_factory=list, description="Organisational-unit paths, e.g. Workloads/Payments")


class ResponsibilityModel(_Strict):
    format_version: int = Field(ge=1, le=MODEL_VERSION)
    name: str = Field(min_length=1)
    reviewed_on: date | None = None
    clouds: list[str] = Field(default_factory=list)
    parties: dict[str, Party] = Field(min_length=1)
    areas: dict[str, Raci]
    service_teams: list[ServiceTeam] = Field(default_factory=list)
    assign: dict[str, str] = Field(default_factory=dict, description="result id -> area, overriding the standard mapping")

    @model_validator(mode="after")
    def _refers_to_parties(self) -> ResponsibilityModel:
        unknown_clouds = sorted(set(self.clouds) - set(PROVIDERS))
        if unknown_clouds:
            raise ValueError(f"clouds: unknown cloud {', '.join(unknown_clouds)} (choose from {', '.join(PROVIDERS)})")
        for area, raci in self.areas.items():
            for role, names in (
                ("responsible", raci.responsible),
                ("accountable", [raci.accountable]),
                ("consulted", raci.consulted),
                ("informed", raci.informed),
            ):
                missing = [n for n in names if n not in self.parties]
                if missing:
                    raise ValueError(f"areas.{area}.{role}: '{missing[0]}' is not one of the parties ({', '.join(self.parties)})")
        teams = [t.name for t in self.service_teams]
        if len(set(teams)) != len(teams):
            raise ValueError("service_teams: a team is named twice")
        return self


class StandardAreas(_Strict):
    format_version: int
    areas: dict[str, str]
    results: dict[str, str]
    facts: dict[str, str]


@cache
def standard_areas() -> StandardAreas:
    spec, _ = load_yaml_model(bundled("responsibility") / "areas.yaml", StandardAreas)
    return spec


def bundled_model_path(name: str) -> Path:
    return bundled("responsibility") / f"{name}.yaml"


class Responsibility:
    """A loaded model with its lookups: area of a result, owner of an area in some scopes."""

    def __init__(self, model: ResponsibilityModel, path: Path, scope_ous: dict[str, str] | None = None):
        self.model, self.path = model, path
        self.scope_ous = scope_ous or {}
        self.results = standard_areas().results | model.assign

    def area_of_fact(self, fact_type: str) -> str:
        facts = standard_areas().facts
        return facts.get(fact_type) or facts.get(fact_type.split(".")[0], "service_infrastructure")

    def team_of(self, scope: str) -> str:
        for team in self.model.service_teams:
            if scope in team.scopes:
                return team.name
        path = "/" + self.scope_ous.get(scope, "").strip("/") + "/"
        for team in self.model.service_teams:
            if any(f"/{ou.strip('/')}/" in path for ou in team.ous if ou.strip("/")):
                return team.name
        return ""

    def owner(self, area: str, scopes: list[str] = ()) -> Owner:  # type: ignore[assignment]
        raci = self.model.areas[area]
        names = {key: party.name for key, party in self.model.parties.items()}
        teams: list[str] = []
        if any(self.model.parties[p].per_scope for p in [*raci.responsible, raci.accountable]):
            teams = sorted({self.team_of(s) or f"no team for {s}" for s in scopes})
        return Owner(
            area=area,
            area_title=standard_areas().areas.get(area, area),
            responsible=[names[p] for p in raci.responsible],
            accountable=names[raci.accountable],
            consulted=[names[p] for p in raci.consulted],
            informed=[names[p] for p in raci.informed],
            teams=teams,
        )

    def party_names(self) -> list[str]:
        return [p.name for p in self.model.parties.values()]

    def team_names(self) -> list[str]:
        return [t.name for t in self.model.service_teams]


def load_responsibility(
    path: Path, scope_ous: dict[str, str] | None = None, check_areas: dict[str, list[str]] | None = None
) -> Responsibility:
    """Load and check a model: every area a result falls in must have a RACI, so every result has an owner.

    `check_areas` adds the areas other results use (a baseline's checks: area -> check ids)."""
    if not path.is_file() and "/" not in str(path) and bundled_model_path(str(path)).is_file():
        path = bundled_model_path(str(path))  # a bundled example by name: cabinet-office-aws
    model, _ = load_yaml_model(path, ResponsibilityModel, HINT)
    used: dict[str, list[str]] = {}
    standard = standard_areas()
    for result, area in (standard.results | model.assign).items():
        used.setdefault(area, []).append(result)
    for fact_type, area in standard.facts.items():
        used.setdefault(area, []).append(f"evidence from {fact_type}")
    for area, ids in (check_areas or {}).items():
        used.setdefault(area, []).extend(ids)
    for area, users in sorted(used.items()):
        if area not in model.areas:
            more = f" and {len(users) - 1} more" if len(users) > 1 else ""
            raise UserError(
                f"{path}: area '{area}' has no RACI (it owns {users[0]}{more})",
                "add it under areas, or move those results to another area with assign",
            )
    return Responsibility(model, path, scope_ous)


def annotate(assessment: Assessment, resp: Responsibility) -> None:
    """Stamp the owner on every question, policy check and piece of evidence."""
    scopes = sorted({s.id for s in assessment.source.scopes if s.kind != "organization"})
    provider_of = {s.id: snap.provider for snap in assessment.source.snapshots for s in snap.scopes}
    for result in assessment.results:
        area = resp.results.get(result.id, "governance")
        types = {e.fact_type for e in result.evidence}
        # the scopes that can hold what the question reads: a repository owns no backup question
        own = [s for s in scopes if not types or not all(foreign(provider_of.get(s), t) for t in types)]
        result.owner = resp.owner(area, own)
        for item in result.evidence:
            item.area = resp.area_of_fact(item.fact_type)
    if assessment.policy:
        for check in assessment.policy.checks:
            area = resp.model.assign.get(check.id, check.area)
            failing = [s.scope for s in check.scopes if s.verdict in ("does_not_hold", "cannot_tell")]
            check.owner = resp.owner(area, failing or [s.scope for s in check.scopes] or scopes)
            for row in check.scopes:
                row.team = resp.team_of(row.scope)
            for item in check.evidence:
                item.area = resp.area_of_fact(item.fact_type)
    assessment.responsibility = ResponsibilitySummary(
        name=resp.model.name,
        path=str(resp.path),
        reviewed_on=resp.model.reviewed_on,
        clouds=resp.model.clouds,
        parties=resp.party_names(),
        teams={t.name: [s for s in scopes if resp.team_of(s) == t.name] for t in resp.model.service_teams},
    )


# --- views by owner ------------------------------------------------------------------------


def _norm(text: str) -> str:
    return " ".join(text.replace("_", " ").lower().split())


def filter_owner(assessment: Assessment, owner: str) -> Assessment:
    """A copy keeping what `owner` (a party or a service team) is responsible or accountable for."""
    summary = assessment.responsibility
    if summary is None:
        raise UserError("--owner needs a responsibility model", "pass --responsibility FILE (or set responsibility.file in the config)")
    wanted = _norm(owner)
    parties = {_norm(p): p for p in summary.parties}
    teams = {_norm(t): t for t in summary.teams}
    if wanted not in parties and wanted not in teams:
        known = ", ".join([*summary.parties, *summary.teams])
        raise UserError(f"--owner '{owner}': no such party or service team in {summary.name}", f"choose from {known}")
    party, team = parties.get(wanted), teams.get(wanted)

    def owns(o: Owner | None) -> bool:
        if o is None:
            return False
        if party and (party in o.responsible or party == o.accountable):
            return True
        return bool(team and team in o.teams)

    shown = assessment.model_copy(deep=True)
    shown.results = [r for r in shown.results if owns(r.owner)]
    if shown.policy:
        kept = []
        for check in shown.policy.checks:
            if not owns(check.owner):
                continue
            if team and not party:  # a team sees its own scopes only
                check.scopes = [s for s in check.scopes if s.team == team]
                if check.scopes:
                    from cmm_scan.policy.evaluate import worst

                    check.verdict = worst([s.verdict for s in check.scopes])
                if check.owner:
                    check.owner.teams = [team]
            kept.append(check)
        shown.policy.checks = kept
    if shown.responsibility:
        shown.responsibility.owner_filter = party or team or owner
    return shown


def owner_label(o: Owner | None) -> str:
    """One phrase: who must act. A service team's name when the area is a service team's."""
    if o is None:
        return ""
    who = ", ".join(o.responsible)
    return f"{who} ({'; '.join(o.teams)})" if o.teams else who


def shared_responsibility_evidence(assessment: Assessment, resp: Responsibility, max_age_days: int, today: date) -> None:
    """A model that exists, covers every cloud in the estate and was reviewed within `max_age_days`
    shows the CMM shared-responsibility levels about recording and reviewing responsibilities."""
    from cmm_scan.models import Evidence, LevelOutcome, Range

    result = next((r for r in assessment.results if r.id == "gov.shared_responsibility"), None)
    if result is None:
        return
    model = resp.model
    clouds = {p for p in _estate_providers(assessment) if p in PROVIDERS}
    missing = sorted(clouds - set(model.clouds))
    age = (today - model.reviewed_on).days if model.reviewed_on else None
    current = age is not None and 0 <= age <= max_age_days
    review = f"reviewed {model.reviewed_on} ({age} days ago)" if model.reviewed_on else "no review date"
    display = f"{resp.path.name}: {review}; covers {', '.join(model.clouds) or 'no cloud'}; {len(model.areas)} areas with a RACI"
    result.evidence.append(
        Evidence(
            signal="responsibility_model",
            description="A responsibility model (RACI per area of work, scopes per service team) given with --responsibility",
            kind="count",
            fact_type="responsibility.model",
            value=Range(lo=1, hi=1),
            display=display,
            complete=True,
            matching=1,
            area="governance",
        )
    )
    if missing or not current:
        why = f"it does not cover {', '.join(missing)}" if missing else f"it was last reviewed {age} days ago, more than {max_age_days}"
        if age is None:
            why = "it has no reviewed_on date"
        result.reasons.append(f"The responsibility model is not evidence for this question: {why}. A person still answers it.")
        return
    if result.status != "manual":
        return  # the rule has its own signals now: leave its derivation alone
    outcomes = []
    for level in result.levels:
        verdict = "ruled_out" if level.level < 4 else "met" if level.level == 4 else "human"
        outcomes.append(LevelOutcome(level=level.level, verdict=verdict, cites=level.cites, when=level.when))  # type: ignore[arg-type]
    result.levels = outcomes
    result.automation = "partial"
    result.status = "suggested"
    result.suggested_level = 4
    result.possible_levels = [4, 5]
    result.level_range = (4, 5)
    result.confidence = "medium"
    result.tie_break = (
        "Levels 4 and 5 both fit; chose 4: a current model shows responsibilities recorded and reviewed; "
        "whether it is at the centre of every cloud decision is for a person."
    )
    result.reasons = [
        f"Because the responsibility model {resp.path.name} records who is responsible and accountable for "
        f"{len(model.areas)} areas of work, covers every cloud in the estate ({', '.join(sorted(clouds)) or 'none'}) "
        f"and was reviewed {age} days ago (within {max_age_days})."
    ]
    result.answer, result.answer_source = 4, "machine"


def _estate_providers(assessment: Assessment) -> set[str]:
    providers = {assessment.source.provider}
    providers |= {s.provider for r in assessment.results for e in r.evidence for s in e.by_scope}
    return providers
