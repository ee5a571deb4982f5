"""`assessment.md`: a readable report for people who live in pull requests and wikis."""

from __future__ import annotations

from pathlib import Path

from cmm_scan.catalogue import cmm_category_titles
from cmm_scan.config import Config
from cmm_scan.models import Assessment, Evidence, QuestionResult
from cmm_scan.snapshot_io import AtomicFile

FILENAME = "assessment.md"
SHOWN_IDS = 10


def answer_text(r: QuestionResult) -> str:
    """One short phrase for the answer a question ends with."""
    if r.human and not r.human.expired:
        return f"{r.human.level} (human)" if r.human.level else "I don't know (human)"
    if r.suggested_level is not None:
        return f"{r.suggested_level} (suggested, {r.confidence})"
    if r.floor_level is not None:
        return f"at least {r.floor_level} (a floor: exported as {r.answer})"
    if r.status == "manual":
        return "needs a person"
    if r.status == "not_applicable":
        return "not applicable"
    if r.level_range:
        return f"I don't know ({r.level_range[0]}–{r.level_range[1]})"
    return "I don't know"


def summary_rows(assessment: Assessment) -> list[tuple[str, int, int, int, str]]:
    """Per CMM category: questions, suggested by the scan, needing a person, mean answer."""
    rows = []
    for category, title in cmm_category_titles().items():
        items = [r for r in assessment.for_framework("cmm") if r.category == category]
        suggested = sum(1 for r in items if r.suggested_level is not None or r.floor_level is not None)
        manual = sum(1 for r in items if r.status == "manual")
        answered = [r.answer for r in items if r.answer]
        mean = f"{sum(answered) / len(answered):.1f}" if answered else "–"
        rows.append((title, len(items), suggested, manual, mean))
    return rows


def _evidence_line(e: Evidence) -> str:
    ids = e.resources_matching[:SHOWN_IDS]
    more = e.matching - len(ids)
    shown = ", ".join(f"`{i}`" for i in ids)
    if more > 0:
        shown += f" and {more} more"
    line = f"- **{e.signal}** — {e.description}: {e.display}"
    if shown:
        line += f"\n  - resources: {shown}"
    clouds = len(e.by_provider) > 1
    if clouds:
        parts = ", ".join(f"{p.provider}: {p.matching}/{p.total} in {p.scopes} scopes" for p in e.by_provider)
        line += f"\n  - per cloud: {parts}"
    if len(e.by_scope) > 1:
        parts = ", ".join(f"{s.provider + ' ' if clouds else ''}{s.scope}: {s.matching}/{s.total}" for s in e.by_scope[:20])
        line += f"\n  - per scope: {parts}"
    for gap in e.coverage_gaps[:5]:
        line += f"\n  - coverage: {gap}"
    return line


def render(assessment: Assessment) -> str:
    src = assessment.source
    scopes = ", ".join(s.id for s in src.scopes) or "–"
    lines = [
        "# Cloud Maturity Model — suggested answers",
        "",
        f"Provider **{src.provider}**, scopes {scopes}, regions {', '.join(src.regions) or '–'}; "
        f"{src.fact_count} facts, snapshot of {src.snapshot_started_at:%Y-%m-%d %H:%M} UTC, "
        f"cmm-scan {assessment.tool_version}.",
        "",
    ]
    if src.partial:
        lines += [f"**Partial estate**: scored without shard {', '.join(src.missing_shards)}; every answer is marked partial.", ""]
    if len(src.snapshots) > 1:
        lines += [
            f"Estate of {len(src.snapshots)} snapshots:",
            "",
            "| Snapshot | Cloud | Scopes | Shard | Facts |",
            "|---|---|---|---|---|",
        ]
        lines += [
            f"| {s.file} | {s.provider} | {len(s.scopes)} | {f'{s.shard[0]}/{s.shard[1]}' if s.shard else '–'} | {s.fact_count} |"
            for s in src.snapshots
        ]
        lines.append("")
    if src.coverage_problems:
        lines += [
            f"**Coverage problems: {len(src.coverage_problems)}** collector runs could not read everything; "
            'questions that depend on them say "I don\'t know" rather than guess.',
            "",
        ]
    lines += ["| Category | Questions | Suggested by the scan | Need a person | Mean answer |", "|---|---|---|---|---|"]
    lines += [f"| {t} | {n} | {s} | {m} | {mean} |" for t, n, s, m, mean in summary_rows(assessment)]
    for framework, heading in (("cmm", "GOV.UK Cloud Maturity Model"), ("csmm", "Cloud Security Maturity Model")):
        results = assessment.for_framework(framework)
        if not results:
            continue
        lines += ["", f"## {heading}", ""]
        current = None
        for r in results:
            if r.category != current:
                current = r.category
                lines += [f"### {cmm_category_titles().get(current, current.title())}", ""]
            lines += _question(r)
    from cmm_scan.outputs.ownership_views import markdown as policy_and_owners

    lines += policy_and_owners(assessment)
    return "\n".join(lines) + "\n"


def _question(r: QuestionResult) -> list[str]:
    out = [f"#### {r.title}", "", f"Answer: **{answer_text(r)}** · automation {r.automation} · status {r.status}"]
    if r.level_range and r.suggested_level is None:
        out.append(f"Possible levels: {', '.join(map(str, r.possible_levels))}")
    if r.because:
        out.append(f"Because: {r.because}")
    if r.to_settle:
        out.append(("What would lift it: " if r.status == "floor" else "What would settle it: ") + r.to_settle)
    if r.tie_break:
        out.append(f"Tie-break: {r.tie_break}")
    if r.human:
        h = r.human
        flags = [f for f, on in (("EXPIRED", h.expired), ("disagrees with the scan", h.disagrees)) if on]
        by = f" by {h.answered_by}" if h.answered_by else ""
        out.append(f"Human answer: level {h.level}{by}" + (f" ({'; '.join(flags)})" if flags else "") + (f" — {h.note}" if h.note else ""))
        scan = f"{r.suggested_level} ({r.confidence})" if r.suggested_level is not None else "no level"
        out.append(f"Scan suggestion: {scan}" + (" — exported instead of the expired answer" if h.expired else ""))
    out.append("")
    if r.evidence:
        out += [_evidence_line(e) for e in r.evidence]
        out.append("")
    if r.reasons:
        out += [f"> {reason}" for reason in r.reasons] + [""]
    if r.next_level:
        out += [f"Next level ({r.next_level.level}): {r.next_level.needs}", ""]
    if r.status == "manual" and r.evidence_to_bring:
        out += ["Evidence a person should bring:"] + [f"- {item}" for item in r.evidence_to_bring] + [""]
    return out


def write(assessment: Assessment, out_dir: Path, config: Config) -> Path:
    path = out_dir / FILENAME
    with AtomicFile(path) as out:
        out.write(render(assessment))
    return path
