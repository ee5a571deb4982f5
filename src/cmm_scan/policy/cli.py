"""The command-line side of baselines and the responsibility model: options, loading before a long
scan, applying after scoring, the owner view and the `--fail-on policy` gate."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from cmm_scan.errors import UserError

if TYPE_CHECKING:
    from cmm_scan.config import Config
    from cmm_scan.models import Assessment
    from cmm_scan.ownership import Responsibility
    from cmm_scan.policy.load import Baseline

GATES = ("policy",)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--baseline", help="policy baseline to check: a bundled name (dwp-cloud-security) or a folder")
    parser.add_argument("--responsibility", type=Path, help="responsibility model YAML: owners for every result (docs/responsibility.md)")
    parser.add_argument("--owner", help="show only what this party or service team owns (needs a responsibility model)")
    parser.add_argument("--fail-on", dest="fail_on", help="exit 4 when: policy (a must of the baseline does not hold)")


@dataclass
class PolicySetup:
    baseline: Baseline | None
    responsibility_path: Path | None
    review_max_age_days: int
    fail_on: tuple[str, ...]
    owner: str | None

    @property
    def fact_types(self) -> set[str]:
        return self.baseline.fact_types if self.baseline else set()


def prepare(args: argparse.Namespace, config: Config, reported: Assessment | None = None) -> PolicySetup:
    """Load the baseline and check the model before any scanning, so a bad file fails in a second.
    `reported`: the assessment `report` renders, which may already carry checks and owners."""
    from cmm_scan.ownership import load_responsibility
    from cmm_scan.policy.load import load_baseline

    fail_on = tuple(g.strip() for g in (getattr(args, "fail_on", None) or "").split(",") if g.strip())
    unknown = [g for g in fail_on if g not in GATES]
    if unknown:
        raise UserError(f"--fail-on: unknown gate {', '.join(unknown)}", f"choose from {', '.join(GATES)}")
    name = getattr(args, "baseline", None) or config.policy.baseline
    if config.policy.parameters and not name:
        raise UserError("policy.parameters in the config, but no baseline", "set policy.baseline or pass --baseline")
    baseline = load_baseline(name, config.policy.parameters) if name else None
    if "policy" in fail_on and baseline is None and not (reported and reported.policy):
        raise UserError("--fail-on policy needs a baseline", "pass --baseline NAME (or set policy.baseline in the config)")
    path = getattr(args, "responsibility", None) or config.responsibility.file
    if path is not None:
        load_responsibility(Path(path), check_areas=_check_areas(baseline))  # validate now; annotate after scoring
    if getattr(args, "owner", None) and path is None and not (reported and reported.responsibility):
        raise UserError("--owner needs a responsibility model", "pass --responsibility FILE (or set responsibility.file in the config)")
    return PolicySetup(
        baseline, Path(path) if path else None, config.responsibility.review_max_age_days, fail_on, getattr(args, "owner", None)
    )


def _check_areas(baseline: Baseline | None) -> dict[str, list[str]]:
    areas: dict[str, list[str]] = {}
    for check in baseline.checks if baseline else []:
        areas.setdefault(check.spec.area, []).append(check.id)
    return areas


def apply(assessment: Assessment, setup: PolicySetup, snapshots: list[Path]) -> None:
    """After scoring: the baseline's checks, then owners on everything, then the model as evidence."""
    from cmm_scan.ownership import annotate, load_responsibility, shared_responsibility_evidence
    from cmm_scan.policy.evaluate import evaluate_baseline, scope_ous

    if setup.baseline is not None:
        assessment.policy = evaluate_baseline(snapshots, setup.baseline)
    if setup.responsibility_path is not None:
        resp: Responsibility = load_responsibility(setup.responsibility_path, check_areas=_check_areas(setup.baseline))
        if any(team.ous for team in resp.model.service_teams):  # one more pass, only when teams are given by OU
            resp.scope_ous = scope_ous(snapshots)
        annotate(assessment, resp)
        shared_responsibility_evidence(assessment, resp, setup.review_max_age_days, datetime.now(UTC).date())


def shown(assessment: Assessment, args: argparse.Namespace) -> Assessment:
    """What the reports show: everything, or one owner's part (--owner)."""
    from cmm_scan.ownership import filter_owner

    owner = getattr(args, "owner", None)
    return filter_owner(assessment, owner) if owner else assessment


def gate(assessment: Assessment, args: argparse.Namespace) -> bool:
    """--fail-on policy: True (fail) when a must does not hold; cannot-tell is counted, never failed."""
    fail_on = {g.strip() for g in (getattr(args, "fail_on", None) or "").split(",") if g.strip()}
    if "policy" not in fail_on:
        return False
    if assessment.policy is None:
        raise UserError("--fail-on policy needs a baseline", "pass --baseline NAME (or set policy.baseline in the config)")
    from cmm_scan.ownership import owner_label

    failing = [c for c in assessment.policy.checks if c.verdict == "does_not_hold"]
    cannot = sum(1 for c in assessment.policy.checks if c.verdict == "cannot_tell")
    for check in failing:
        scopes = [s.scope for s in check.scopes if s.verdict == "does_not_hold"]
        where = f" in {', '.join(scopes)}" if scopes else ""
        owner = f" — owner: {owner_label(check.owner)}" if check.owner else ""
        print(f"policy: does not hold: {check.id}{where}{owner} ({check.title})", file=sys.stderr)
    if cannot:
        checks = "1 check cannot" if cannot == 1 else f"{cannot} checks cannot"
        print(f"policy: {checks} tell (not failed: a read we could not make is not a breach)", file=sys.stderr)
    return bool(failing)
