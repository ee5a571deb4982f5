"""Publish JSON Schemas for the files cmm-scan writes.

python -m cmm_scan.schemas schemas/     # regenerate; a test keeps them in step with the models
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from cmm_scan.models import Assessment, SnapshotRecord


def snapshot_record_schema() -> dict[str, Any]:
    schema = TypeAdapter(SnapshotRecord).json_schema()
    schema["title"] = "cmm-scan snapshot record (one JSON Lines line)"
    schema["description"] = (
        "A snapshot is JSON Lines: line 1 a header record, then fact and coverage records, "
        "and last an end record. Each line validates against this schema."
    )
    return schema


def assessment_schema() -> dict[str, Any]:
    schema = Assessment.model_json_schema()
    schema["title"] = "cmm-scan assessment"
    return schema


def evidence_bundle_schema() -> dict[str, Any]:
    from cmm_scan.outputs.evidence_bundle import EvidenceBundle

    schema = EvidenceBundle.model_json_schema()
    schema["title"] = "cmm-scan evidence bundle (cmm-evidence.json)"
    return schema


SCHEMAS = {
    "snapshot-record.schema.json": snapshot_record_schema,
    "assessment.schema.json": assessment_schema,
    "evidence-bundle.schema.json": evidence_bundle_schema,
}


def render(build: Any) -> str:
    return json.dumps(build(), indent=2, sort_keys=True) + "\n"


def main(out_dir: str = "schemas") -> None:
    target = Path(out_dir)
    target.mkdir(parents=True, exist_ok=True)
    for name, build in SCHEMAS.items():
        (target / name).write_text(render(build), encoding="utf-8")
        print(f"wrote {target / name}")


if __name__ == "__main__":
    main(*sys.argv[1:])
