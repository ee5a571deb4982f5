"""A floor ("at least N") is marked as one in every output, with what would lift it; `export: settled` keeps it out."""

from __future__ import annotations

import csv
import json

import pytest

from cmm_scan.config import Config
from cmm_scan.engine import evaluate
from cmm_scan.outputs import write_outputs
from cmm_scan.outputs.cmm_export import build
from tests.test_scoring_semantics import FLOOR_RULE, instances, rule_from


@pytest.fixture
def floor_assessment(tmp_path):
    """3 of 10 instances autoscale: level 3 ("some systems scale automatically") is shown, 4-5 need a person."""
    rule = rule_from(tmp_path, FLOOR_RULE)
    assessment = evaluate(instances(3, 7).write(tmp_path / "s.jsonl"), [rule])
    (result,) = assessment.results
    assert (result.status, result.answer) == ("floor", 3)
    return assessment


def test_every_output_marks_the_floor_and_what_would_lift_it(tmp_path, floor_assessment):
    out = tmp_path / "out"
    out.mkdir()
    write_outputs(floor_assessment, out, ["json", "md", "csv", "cmm", "html"], Config())
    (row,) = json.loads((out / "assessment.json").read_text())["results"]
    assert (row["status"], row["floor_level"], row["answer"]) == ("floor", 3, 3)
    md = (out / "assessment.md").read_text()
    assert "at least 3 (a floor: exported as 3)" in md
    assert "Because: 3 of 10 instances scale automatically." in md
    assert "What would lift it: Only a person can say whether it is level 4 or above" in md
    (line,) = csv.DictReader((out / "assessment.csv").open())
    assert (line["status"], line["floor_level"], line["answer"]) == ("floor", "3", "3")
    assert line["because"] == "3 of 10 instances scale automatically."
    html = (out / "report.html").read_text()
    assert "At least 3" in html and "a floor shown by the configuration" in html and "What would lift it" in html
    bundle = json.loads((out / "cmm-evidence.json").read_text())
    (entry,) = bundle["questions"].values()
    assert (entry["status"], entry["floor_level"], entry["answer"]) == ("floor", 3, 3)
    assert entry["to_settle"].startswith("Only a person can say")
    exported = json.loads((out / "cmm-assessment.json").read_text())["assessmentData"]["cost"]
    assert [q["answer"] for q in exported.values()] == [3]


def test_export_settled_exports_no_floor(floor_assessment):
    data = build(floor_assessment, Config(export="settled"))["assessmentData"]["cost"]
    assert [q["answer"] for q in data.values()] == [0]
    assert [q["answer"] for q in build(floor_assessment, Config())["assessmentData"]["cost"].values()] == [3]
