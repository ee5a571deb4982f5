"""Read an assessment.json back, refusing formats and versions we do not know."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from cmm_scan.errors import UserError
from cmm_scan.infiles import read_text
from cmm_scan.models import ASSESSMENT_FORMAT, ASSESSMENT_VERSION, ASSESSMENT_VERSIONS_READ, Assessment

_FIX = "pass an assessment.json written by `cmm-scan score`"


def read_assessment(path: Path) -> Assessment:
    text = read_text(path, _FIX, "an assessment.json")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})", _FIX) from None
    if not isinstance(data, dict) or data.get("format") != ASSESSMENT_FORMAT:
        raise UserError(f"{path}: not a cmm-scan assessment", _FIX)
    if data.get("format_version") not in ASSESSMENT_VERSIONS_READ:
        raise UserError(
            f"{path}: assessment format version {data.get('format_version')} is not supported "
            f"(this cmm-scan reads versions {ASSESSMENT_VERSIONS_READ[0]} to {ASSESSMENT_VERSION})",
            "score the snapshot again with this version",
        )
    try:
        return Assessment.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"])
        raise UserError(f"{path}: {where}: {error['msg']}", _FIX) from None
