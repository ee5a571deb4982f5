"""Policy baseline results and the owner view, for the Markdown and CSV reports.

Grouping by owner answers "what does my team have to fix, and where": a result whose area a
service team is responsible for is listed under the team owning each scope; any other result
under the parties responsible for its area.
"""

from __future__ import annotations

import csv
from pathlib import Path

from cmm_scan.config import Config
from cmm_scan.models import Assessment, CheckResult, Owner, PolicyVerdict, QuestionResult
from cmm_scan.snapshot_io import AtomicFile

VERDICT_TEXT: dict[PolicyVerdict, str] = {
    "holds": "holds",
    "does_not_hold": "does not hold",
    "cannot_tell": "cannot tell",
    "not_applicable": "not applicable",
    "for_a_person": "for a person",
}
POLICY_CSV = "policy.csv"
POLICY_COLUMNS = [
    "baseline", "check", "title", "reference", "automation", "verdict", "scope", "scope_verdict", "team",
    "area", "responsible", "accountable", "because", "statement",
]  # fmt: skip


def owner_keys(owner: Owner | None) -> list[str]:
    """The groups a result is listed under in the owner view."""
    if owner is None:
        return ["(no responsibility model)"]
    return list(owner.teams) or list(owner.responsible)


def grouped(assessment: Assessment) -> dict[str, tuple[list[CheckResult], list[QuestionResult]]]:
    """Owner -> (policy checks that do not hold or cannot tell, questions), owners in first-seen order."""
    groups: dict[str, tuple[list[CheckResult], list[QuestionResult]]] = {}
    for check in assessment.policy.checks if assessment.policy else []:
        if check.verdict in ("does_not_hold", "cannot_tell"):
            for key in owner_keys(check.owner):
                groups.setdefault(key, ([], []))[0].append(check)
    for result in assessment.results:
        for key in owner_keys(result.owner):
            groups.setdefault(key, ([], []))[1].append(result)
    return groups


def counts_line(assessment: Assessment) -> str:
    assert assessment.policy is not None
    counts = assessment.policy.counts()
    return " · ".join(f"{VERDICT_TEXT[v]} {counts.get(v, 0)}" for v in VERDICT_TEXT)


def _where(check: CheckResult, verdict: PolicyVerdict = "does_not_hold") -> str:
    rows = [s for s in check.scopes if s.verdict == verdict]
    return ", ".join(f"{s.scope}" + (f" ({s.team})" if s.team else "") for s in rows[:10]) + (" …" if len(rows) > 10 else "")


def _owner_text(owner: Owner | None) -> str:
    if owner is None:
        return "–"
    who = ", ".join(owner.responsible)
    teams = f" ({'; '.join(owner.teams)})" if owner.teams else ""
    return f"{who}{teams}; accountable {owner.accountable}"


def markdown(assessment: Assessment) -> list[str]:
    """The policy and owner sections of assessment.md (empty without a baseline or a model)."""
    from cmm_scan.outputs.markdown import _evidence_line, answer_text

    lines: list[str] = []
    resp = assessment.responsibility
    if resp and resp.owner_filter:
        lines += ["", f"_Showing only what **{resp.owner_filter}** is responsible or accountable for (--owner)._"]
    policy = assessment.policy
    if policy:
        lines += ["", f"## Policy baseline: {policy.title}", "", f"{policy.source}", "", counts_line(assessment), ""]
        lines += ["| Check | Verdict | Does not hold in | Owner |", "|---|---|---|---|"]
        for c in policy.checks:
            if c.verdict == "for_a_person":
                continue
            lines.append(f"| `{c.id}` {c.title} | **{VERDICT_TEXT[c.verdict]}** | {_where(c) or '–'} | {_owner_text(c.owner)} |")
        for c in policy.checks:
            if c.verdict == "for_a_person":
                continue
            lines += ["", f"### {c.title} (`{c.id}`)", "", f"> {c.statement} — {c.reference}", ""]
            lines += [f"Verdict: **{VERDICT_TEXT[c.verdict]}**. {c.because}", ""]
            if c.owner:
                lines += [f"Owner: {_owner_text(c.owner)} (area: {c.owner.area_title})", ""]
            if c.scopes:
                lines.append(
                    "Per scope: " + "; ".join(f"{s.scope}{f' ({s.team})' if s.team else ''}: {VERDICT_TEXT[s.verdict]}" for s in c.scopes)
                )
                lines.append("")
            lines += [_evidence_line(e) for e in c.evidence]
            lines += [f"> {r}" for r in c.reasons[:5]]
        manual = [c for c in policy.checks if c.verdict == "for_a_person"]
        if manual:
            lines += ["", "### For a person: statements configuration cannot speak to", ""]
            for c in manual:
                lines.append(f"- **{c.title}** (`{c.id}`, {c.reference}; owner {_owner_text(c.owner)}) — “{c.statement}”")
                lines += [f"  - bring: {item}" for item in c.evidence_to_bring]
    if resp:
        lines += ["", "## By owner", "", f"Responsibility model: {resp.name} (reviewed {resp.reviewed_on or 'never'}).", ""]
        for owner, (checks, questions) in grouped(assessment).items():
            lines += [f"### {owner}", ""]
            for c in checks:
                where = _where(c) or _where(c, "cannot_tell")
                lines.append(f"- must **{VERDICT_TEXT[c.verdict]}**: {c.title} (`{c.id}`)" + (f" in {where}" if where else ""))
            for r in questions:
                lines.append(f"- {r.title} (`{r.id}`): {answer_text(r)}")
            lines.append("")
    return lines


def csv_columns(r: QuestionResult) -> list[str]:
    """The owner columns appended to assessment.csv."""
    o = r.owner
    return [o.area, "; ".join(o.responsible), o.accountable, "; ".join(o.teams)] if o else ["", "", "", ""]


CSV_OWNER_COLUMNS = ["area", "responsible", "accountable", "teams"]


def write_policy_csv(assessment: Assessment, out_dir: Path, config: Config) -> Path | None:
    """policy.csv: one row per check and scope (one row for a check judged once), beside assessment.csv."""
    policy = assessment.policy
    if policy is None:
        return None
    path = out_dir / POLICY_CSV
    with AtomicFile(path) as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(POLICY_COLUMNS)
        for c in policy.checks:
            o = c.owner
            owner = [o.area if o else c.area, "; ".join(o.responsible) if o else "", o.accountable if o else ""]
            rows = [(s.scope, VERDICT_TEXT[s.verdict], s.team) for s in c.scopes] or [("", "", "")]
            for scope, scope_verdict, team in rows:
                writer.writerow(
                    [policy.baseline, c.id, c.title, c.reference, c.automation, VERDICT_TEXT[c.verdict], scope, scope_verdict, team,
                     *owner, c.because, c.statement]
                )  # fmt: skip
    return path
