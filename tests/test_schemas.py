"""The published JSON Schemas stay in step with the models, and real files validate against them."""

import json
from pathlib import Path

import jsonschema
import pytest

from cmm_scan.cli import main
from cmm_scan.demo import demo_snapshots
from cmm_scan.schemas import SCHEMAS, render

SCHEMA_DIR = Path(__file__).resolve().parents[1] / "schemas"


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_published_schema_matches_the_models(name):
    published = (SCHEMA_DIR / name).read_text(encoding="utf-8")
    assert published == render(SCHEMAS[name]), f"regenerate with: python -m cmm_scan.schemas schemas/ ({name})"


def test_demo_snapshot_lines_validate_against_the_schema():
    schema = json.loads((SCHEMA_DIR / "snapshot-record.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    for line in (line for path in demo_snapshots() for line in path.read_text(encoding="utf-8").splitlines()):
        validator.validate(json.loads(line))


def test_assessment_validates_against_the_schema(tmp_path):
    assert main(["demo", "--output-dir", str(tmp_path), "--format", "json", "-q"]) == 0
    schema = json.loads((SCHEMA_DIR / "assessment.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(json.loads((tmp_path / "assessment.json").read_text(encoding="utf-8")), schema)
