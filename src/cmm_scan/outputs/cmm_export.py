"""`cmm-assessment.json`: the official GOV.UK tool's saved-report file ("Load a previous report").

Only the CMM questions go in, keyed by the SHA-256 of their title. 0 means "I don't know".
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cmm_scan.catalogue import cmm_category_titles
from cmm_scan.config import Config, level_for
from cmm_scan.models import Assessment, QuestionResult
from cmm_scan.snapshot_io import AtomicFile

FILENAME = "cmm-assessment.json"
TOOL_FORMAT_VERSION = "2.0.0"


def _iso(moment: Any) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def exported_answer(r: QuestionResult, config: Config) -> int:
    """`export: settled` keeps floors ("at least N") out of the official tool's file."""
    if config.export == "settled" and r.answer_source == "machine" and r.status == "floor":
        return 0
    return r.answer


def build(assessment: Assessment, config: Config) -> dict[str, Any]:
    created = _iso(assessment.created_at)
    data: dict[str, Any] = {"metadata": {"version": TOOL_FORMAT_VERSION, "createdAt": created}}
    categories: dict[str, dict[str, int]] = {}
    for category in cmm_category_titles():
        data[category] = {}
        categories[category] = {"answered": 0, "needsImprovement": 0}
    for r in assessment.for_framework("cmm"):
        answer = exported_answer(r, config)
        target = level_for(config.targets, r.id, r.category)
        needs = target is not None and answer < target
        data[r.category][r.key] = {"answer": answer, "needsImprovement": needs}
        categories[r.category]["answered"] += 1  # the tool counts every stored answer, "I don't know" (0) included
        categories[r.category]["needsImprovement"] += 1 if needs else 0
    return {
        "exportMetadata": {
            "version": TOOL_FORMAT_VERSION,
            "createdAt": created,
            "exportedAt": created,
            "improvementCount": sum(c["needsImprovement"] for c in categories.values()),
            "totalQuestions": len(assessment.for_framework("cmm")),
            "categories": categories,
        },
        "assessmentData": data,
    }


def write(assessment: Assessment, out_dir: Path, config: Config) -> Path:
    path = out_dir / FILENAME
    with AtomicFile(path) as out:
        json.dump(build(assessment, config), out, indent=2)
    return path
