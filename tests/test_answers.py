"""Human answers: they win in the export unless expired, sit beside the scan in every report,
and a bad answers file is one clear line with exit 2 and nothing written."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pytest

from cmm_scan.answers import AnswerEntry, apply_answers, load_answers
from cmm_scan.catalogue import all_questions
from cmm_scan.cli import main
from tests.support.estate import Estate

TODAY = date(2026, 11, 22)


def capacity_estate() -> Estate:
    """cost.capacity scores level 3 (3 of 10 running VMs autoscaled); the rest is unanswered."""
    estate = Estate()
    estate.many(3, "compute.instance", state="running", autoscaled=True)
    estate.many(7, "compute.instance", state="running", autoscaled=False)
    estate.covered("compute.autoscaling_group")
    return estate


def write_answers(path: Path, body: str) -> Path:
    path.write_text("format_version: 1\nanswers:\n" + body, encoding="utf-8")
    return path


def result(assessment, rule_id):
    return next(r for r in assessment.results if r.id == rule_id)


def test_human_wins_expired_falls_back_and_disagreement_is_flagged(tmp_path):
    assessment = capacity_estate().assess(tmp_path, "cost.capacity", "people.training", "people.hiring")
    assert result(assessment, "cost.capacity").suggested_level == 3
    apply_answers(
        assessment,
        {
            "cost.capacity": AnswerEntry(level=4, expires=date(2026, 11, 21)),
            "people.training": AnswerEntry(level=2, expires=date(2026, 11, 22)),
            "people.hiring": AnswerEntry(level=3, expires=date(2026, 1, 1)),
        },
        today=TODAY,
    )
    capacity, training, hiring = (result(assessment, i) for i in ("cost.capacity", "people.training", "people.hiring"))
    assert capacity.human.expired and capacity.human.disagrees
    assert (capacity.answer, capacity.answer_source) == (3, "machine")  # expired: the scan's level is exported
    assert not training.human.expired and (training.answer, training.answer_source) == (2, "human")  # expires today: valid
    assert hiring.human.expired and (hiring.answer, hiring.answer_source) == (0, "none")  # expired, nothing to fall back on
    assert not training.human.disagrees  # a manual question: the scan has no opinion


def test_agreement_and_i_dont_know_are_not_disagreements(tmp_path):
    assessment = capacity_estate().assess(tmp_path, "cost.capacity")
    apply_answers(assessment, {"cost.capacity": AnswerEntry(level=3)}, today=TODAY)
    assert not result(assessment, "cost.capacity").human.disagrees
    apply_answers(assessment, {"cost.capacity": AnswerEntry(level=0)}, today=TODAY)
    capacity = result(assessment, "cost.capacity")
    assert not capacity.human.disagrees and (capacity.answer, capacity.answer_source) == (0, "human")


def test_official_keys_are_accepted_as_answer_keys(tmp_path):
    key = all_questions()["people.training"].key
    answers = load_answers(write_answers(tmp_path / "a.yaml", f"  {key}:\n    level: 2\n"))
    assert answers["people.training"].level == 2


@pytest.mark.parametrize(
    ("body", "line", "says"),
    [
        ("  cost.capacity:\n    level: 3\n  no.such.question:\n    level: 1\n", 5, "not a question id or key"),
        ("  cost.capacity:\n    level: 9\n", 4, "less than or equal to 5"),
        ("  cost.geography:\n    level: 5\n", 4, "above the question's 4"),
        ("  cost.capacity:\n    level: 3\n  cost.capacity:\n    level: 4\n", 5, "given twice"),
        ("  cost.capacity:\n    level: 3\n    expires: 2026-02-30\n", 5, "not a valid date"),
        ("  cost.capacity:\n    level: 3\n    answered_on: 2026-05-01\n    expires: 2026-04-01\n", 6, "before answered_on"),
        ("  cost.capacity:\n    level: 3\n    colour: blue\n", 5, "colour"),
        ("  cost.capacity: [\n", 4, "not valid YAML"),
    ],
)
def test_bad_answers_file_is_one_line_exit_2_nothing_written(tmp_path, capsys, body, line, says):
    snapshot = capacity_estate().write(tmp_path / "estate.jsonl")
    answers = write_answers(tmp_path / "answers.yaml", body)
    out = tmp_path / "out"
    assert main(["score", str(snapshot), "--answers", str(answers), "--output-dir", str(out), "-q"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert f"{answers}:{line}:" in err and says in err
    assert not out.exists()


def test_every_report_shows_both_answers_and_the_flags(tmp_path):
    snapshot = capacity_estate().write(tmp_path / "estate.jsonl")
    answers = write_answers(
        tmp_path / "answers.yaml",
        "  cost.capacity:\n    level: 4\n    answered_by: A. Assessor\n    note: Most services scale\n"
        "  people.training:\n    level: 3\n    expires: 2020-01-01\n",
    )
    out = tmp_path / "out"
    args = ["score", str(snapshot), "--answers", str(answers), "--output-dir", str(out), "--format", "json,md,csv,html,cmm"]
    assert main([*args, "-q"]) == 0

    data = json.loads((out / "assessment.json").read_text(encoding="utf-8"))
    capacity = next(r for r in data["results"] if r["id"] == "cost.capacity")
    assert capacity["answer"] == 4 and capacity["suggested_level"] == 3 and capacity["human"]["disagrees"] is True

    md = (out / "assessment.md").read_text(encoding="utf-8")
    assert "Human answer: level 4 by A. Assessor (disagrees with the scan) — Most services scale" in md
    assert "Scan suggestion: 3 (high)" in md
    assert "Human answer: level 3 (EXPIRED)" in md

    rows = {r["id"]: r for r in csv.DictReader((out / "assessment.csv").open(encoding="utf-8"))}
    assert rows["cost.capacity"]["answer"] == "4" and rows["cost.capacity"]["suggested_level"] == "3"
    assert rows["cost.capacity"]["human_disagrees"] == "yes" and rows["cost.capacity"]["human_by"] == "A. Assessor"
    assert rows["people.training"]["human_expired"] == "yes" and rows["people.training"]["answer"] == "0"

    page = (out / "report.html").read_text(encoding="utf-8")
    assert "Disagrees with the scan (level 3)" in page and "Expired 2020-01-01: not used" in page

    export = json.loads((out / "cmm-assessment.json").read_text(encoding="utf-8"))["assessmentData"]
    assert export["cost"][all_questions()["cost.capacity"].key]["answer"] == 4
    assert export["people"][all_questions()["people.training"].key]["answer"] == 0
