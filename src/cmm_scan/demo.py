"""The offline demo: the whole pipeline on a sample estate bundled in fixtures/demo/.

The estate is an AWS organisation of three accounts collected as three shards, so the demo
scores an estate of several snapshots, as a distributed scan's reduce step does."""

from __future__ import annotations

from pathlib import Path

from cmm_scan.models import Assessment
from cmm_scan.outputs.markdown import answer_text, summary_rows
from cmm_scan.paths import bundled


def demo_snapshots() -> list[Path]:
    return sorted((bundled("fixtures") / "demo").glob("*.snapshot.jsonl"))


def summary_table(assessment: Assessment) -> str:
    """The console summary: the CMM per category, then the CSMM category by category (whichever were scored)."""
    tables = []
    if assessment.for_framework("cmm"):
        header = ("Category", "Questions", "Suggested", "Need a person", "Mean answer")
        tables.append(_table(header, [(t, str(n), str(s), str(m), mean) for t, n, s, m, mean in summary_rows(assessment)]))
    csmm = assessment.for_framework("csmm")
    if csmm:
        tables.append(_table(("Cloud Security Maturity Model", "Answer"), [(r.title, answer_text(r)) for r in csmm]))
    return "\n\n".join(tables)


def _table(header: tuple[str, ...], body: list[tuple[str, ...]]) -> str:
    rows = [header, *body]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
