"""import-cmm: a report saved by the official tool becomes an answers file, and the round trip
export -> import-cmm -> score --answers -> export gives the same answers."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import yaml

from cmm_scan.catalogue import cmm_questions
from cmm_scan.cli import main
from cmm_scan.paths import package_data
from tests.test_answers import capacity_estate
from tests.test_cmm_export import CATEGORIES, official_loader_problems

KEYS = {q.id: q.key for q in cmm_questions()}


def answers_of(saved: Path) -> dict[str, int]:
    data = json.loads(saved.read_text(encoding="utf-8"))["assessmentData"]
    return {key: v["answer"] for c in CATEGORIES for key, v in data.get(c, {}).items()}


def official_file(path: Path, answers: dict[str, int], version: str = "2.0.0") -> Path:
    """A file as the official tool's "Save this report" writes it."""
    by_key = {q.key: q for q in cmm_questions()}
    data: dict = {"metadata": {"version": version, "createdAt": "2026-09-01T10:00:00.000Z"}, "intro": {"organisation": "Dept"}}
    for key, level in answers.items():
        data.setdefault(by_key[key].category, {})[key] = {"answer": level, "needsImprovement": level < 3}
    path.write_text(json.dumps({"exportMetadata": {"version": version}, "assessmentData": data}), encoding="utf-8")
    return path


def score(tmp_path: Path, out: str, *extra: str) -> Path:
    snapshot = tmp_path / "estate.jsonl"
    if not snapshot.exists():
        capacity_estate().write(snapshot)
    assert main(["score", str(snapshot), "--output-dir", str(tmp_path / out), "--format", "cmm", "-q", *extra]) == 0
    return tmp_path / out / "cmm-assessment.json"


def test_round_trip_gives_the_same_answers(tmp_path):
    first = score(tmp_path, "first")
    answers = tmp_path / "answers.yaml"
    assert main(["import-cmm", str(first), "--output", str(answers), "--answered-by", "A. Assessor", "-q"]) == 0
    second = score(tmp_path, "second", "--answers", str(answers))
    assert answers_of(second) == answers_of(first)
    assert answers_of(first)[KEYS["cost.capacity"]] == 3  # not trivially all zeros
    entry = yaml.safe_load(answers.read_text(encoding="utf-8"))["answers"]["cost.capacity"]
    created = json.loads(first.read_text(encoding="utf-8"))["assessmentData"]["metadata"]["createdAt"]
    assert (entry["level"], entry["answered_by"], str(entry["answered_on"])) == (3, "A. Assessor", created[:10])
    bundle = json.loads((second.parent / "cmm-evidence.json").read_text(encoding="utf-8"))
    assert bundle["questions"][KEYS["cost.capacity"]]["answer_source"] == "human"


def test_an_assessors_self_assessment_carries_over(tmp_path):
    saved = official_file(
        tmp_path / "self.json",
        {KEYS["cost.capacity"]: 4, KEYS["people.training"]: 2, KEYS["people.hiring"]: 0, KEYS["cost.geography"]: 4},
    )
    answers = tmp_path / "answers.yaml"
    assert main(["import-cmm", str(saved), "--output", str(answers), "-q"]) == 0
    written = yaml.safe_load(answers.read_text(encoding="utf-8"))
    assert written["format_version"] == 1
    assert {k: v["level"] for k, v in written["answers"].items()} == {"cost.capacity": 4, "cost.geography": 4, "people.training": 2}
    assert all(str(v["answered_on"]) == "2026-09-01" for v in written["answers"].values())
    export = score(tmp_path, "out", "--answers", str(answers))
    assert official_loader_problems(json.loads(export.read_text(encoding="utf-8"))) == []
    result = answers_of(export)
    assert (result[KEYS["cost.capacity"]], result[KEYS["people.training"]], result[KEYS["cost.geography"]]) == (4, 2, 4)
    assert result[KEYS["people.hiring"]] == 0  # "I don't know" was not imported: the scan's answer (here none) stands


def test_old_files_bare_numbers_and_older_titles(tmp_path):
    data = json.loads(package_data("cmm_questions.json").read_text(encoding="utf-8"))
    old = next(q for q in data["questions"] if q["key"] == KEYS["people.training"])
    old_key = hashlib.sha256(old["long_title"].encode("utf-8")).hexdigest()
    legacy = tmp_path / "v1.json"
    legacy.write_text(json.dumps({"people": {old_key: "3"}, "cost": {KEYS["cost.capacity"]: 2}}), encoding="utf-8")
    answers = tmp_path / "answers.yaml"
    assert main(["import-cmm", str(legacy), "--output", str(answers), "-q"]) == 0
    levels = {k: v["level"] for k, v in yaml.safe_load(answers.read_text(encoding="utf-8"))["answers"].items()}
    assert levels == {"cost.capacity": 2, "people.training": 3}


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("{not json", "not JSON"),
        ('{"assessmentData": {"metadata": {"createdAt": "2026-01-01"}}}', "metadata.version"),
        ('{"assessmentData": {"metadata": {"version": "2.0.0"}}}', "metadata.createdAt"),
        ("[1, 2]", "expected a JSON object"),
    ],
)
def test_bad_files_are_refused(tmp_path, capsys, content, says):
    saved = tmp_path / "saved.json"
    saved.write_text(content, encoding="utf-8")
    _refused(tmp_path, capsys, saved, says)


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        ({"answer": 6, "needsImprovement": False}, "not a whole number from 0 to 5"),
        ({"answer": 2.5, "needsImprovement": False}, "not a whole number from 0 to 5"),
        ({"answer": 3}, "needsImprovement must be true or false"),
        (3, "expected an object"),
        ({"answer": 5, "needsImprovement": False}, "above the question's 4 levels"),
    ],
)
def test_bad_answers_are_refused(tmp_path, capsys, answer, says):
    saved = official_file(tmp_path / "saved.json", {})
    data = json.loads(saved.read_text(encoding="utf-8"))
    data["assessmentData"]["cost"] = {KEYS["cost.geography"]: answer}
    saved.write_text(json.dumps(data), encoding="utf-8")
    _refused(tmp_path, capsys, saved, says)


def test_unknown_key_is_refused(tmp_path, capsys):
    saved = official_file(tmp_path / "saved.json", {})
    data = json.loads(saved.read_text(encoding="utf-8"))
    data["assessmentData"]["cost"] = {"ab" * 32: {"answer": 1, "needsImprovement": False}}
    saved.write_text(json.dumps(data), encoding="utf-8")
    _refused(tmp_path, capsys, saved, "not one of the 47 question keys")


def test_existing_answers_file_is_not_overwritten(tmp_path, capsys):
    saved = official_file(tmp_path / "saved.json", {KEYS["cost.capacity"]: 4})
    answers = tmp_path / "answers.yaml"
    answers.write_text("# my careful work\n", encoding="utf-8")
    assert main(["import-cmm", str(saved), "--output", str(answers)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert answers.read_text(encoding="utf-8") == "# my careful work\n"
    assert main(["import-cmm", str(saved), "--output", str(answers), "--force", "-q"]) == 0
    assert "cost.capacity" in answers.read_text(encoding="utf-8")


def _refused(tmp_path: Path, capsys, saved: Path, says: str) -> None:
    answers = tmp_path / "answers.yaml"
    assert main(["import-cmm", str(saved), "--output", str(answers)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and str(saved) in err and says in err, err
    assert not answers.exists() and list(tmp_path.glob(".answers.yaml.*")) == []
