"""`assessment.csv`: one row per question, for spreadsheets."""

from __future__ import annotations

import csv
from pathlib import Path

from cmm_scan.config import Config
from cmm_scan.models import Assessment
from cmm_scan.outputs.ownership_views import CSV_OWNER_COLUMNS, csv_columns
from cmm_scan.snapshot_io import AtomicFile

FILENAME = "assessment.csv"
COLUMNS = [
    "framework", "id", "key", "category", "title", "automation", "status", "answer", "answer_source",
    "suggested_level", "range_low", "range_high", "confidence", "human_level", "next_level", "next_needs",
    "human_expired", "human_disagrees", "human_by", "floor_level", "because", "to_settle", "partial",
]  # fmt: skip


def write(assessment: Assessment, out_dir: Path, config: Config) -> Path:
    path = out_dir / FILENAME
    with AtomicFile(path) as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS + CSV_OWNER_COLUMNS)
        for r in assessment.results:
            low, high = r.level_range or (None, None)
            writer.writerow(
                [
                    r.framework, r.id, r.key, r.category, r.title, r.automation, r.status, r.answer,
                    r.answer_source, r.suggested_level or "", low or "", high or "", r.confidence,
                    r.human.level if r.human else "", r.next_level.level if r.next_level else "",
                    r.next_level.needs if r.next_level else "",
                    _flag(r.human.expired) if r.human else "", _flag(r.human.disagrees) if r.human else "",
                    r.human.answered_by if r.human else "", r.floor_level or "", r.because, r.to_settle,
                    _flag(r.partial), *csv_columns(r),
                ]
            )  # fmt: skip
    return path


def _flag(on: bool) -> str:
    return "yes" if on else "no"
