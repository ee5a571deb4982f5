"""`assessment.json`: the whole assessment, schema in schemas/assessment.schema.json."""

from __future__ import annotations

from pathlib import Path

from cmm_scan.config import Config
from cmm_scan.models import Assessment
from cmm_scan.snapshot_io import AtomicFile

FILENAME = "assessment.json"


def write(assessment: Assessment, out_dir: Path, config: Config) -> Path:
    path = out_dir / FILENAME
    with AtomicFile(path) as out:
        out.write(assessment.model_dump_json(indent=2))
    return path
