"""Writers for each output format; `write_outputs` picks them by name."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from cmm_scan.config import Config
from cmm_scan.errors import UserError
from cmm_scan.models import Assessment

Writer = Callable[[Assessment, Path, Config], Path]
Companion = Callable[[Assessment, Path, Config], Path | None]  # None: nothing to write for this assessment


def _writers() -> dict[str, Writer]:
    from cmm_scan.outputs import cmm_export, csv_out, html, json_out, markdown

    return {
        "json": json_out.write,
        "md": markdown.write,
        "csv": csv_out.write,
        "cmm": cmm_export.write,
        "html": html.write,
    }


def _companions() -> dict[str, list[Companion]]:
    """Files written whenever a format is: the export's numbers never travel without their evidence."""
    from cmm_scan.outputs import evidence_bundle, ownership_views

    return {"cmm": [evidence_bundle.write], "csv": [ownership_views.write_policy_csv]}


FORMATS = ("json", "md", "csv", "cmm", "html")
FILENAMES = {"json": "assessment.json", "md": "assessment.md", "csv": "assessment.csv", "cmm": "cmm-assessment.json", "html": "report.html"}


def parse_formats(text: str) -> list[str]:
    formats = [f.strip().lower() for f in text.split(",") if f.strip()]
    known = _writers()
    unknown = [f for f in formats if f not in known]
    if unknown or not formats:
        raise UserError(f"--format: unknown format {', '.join(unknown) or '(none)'}", f"choose from {', '.join(known)}")
    return list(dict.fromkeys(formats))


def write_outputs(assessment: Assessment, out_dir: Path, formats: list[str], config: Config) -> list[Path]:
    """Write the set into a staging directory, then move it into `out_dir` whole (cmm_scan.outpaths)."""
    from cmm_scan.outpaths import write_set

    writers, companions = _writers(), _companions()

    def write(staging: Path) -> list[Path]:
        written = []
        for name in formats:
            if name == "cmm" and not assessment.for_framework("cmm"):
                continue  # the official tool holds CMM answers only: no empty file to load
            written.append(writers[name](assessment, staging, config))
            written += [p for companion in companions.get(name, []) if (p := companion(assessment, staging, config))]
        return written

    return write_set(out_dir, write)
