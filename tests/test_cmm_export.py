"""cmm-assessment.json loads in the official GOV.UK tool, and cmm-evidence.json explains it.

`official_loader_problems` restates the rules of the official tool's loader (co-cddo/cloudmaturity,
"Load a previous report": DataMigrationService.validateSchema) from its behaviour, plus what the
tool assumes but does not check: keys are the SHA-256 of the 47 titles in the right category
and answers are whole numbers within each question's levels.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import jsonschema

from cmm_scan.catalogue import cmm_questions
from cmm_scan.cli import main
from cmm_scan.paths import package_data
from tests.test_answers import capacity_estate, write_answers

CATEGORIES = ("cost", "data", "governance", "operations", "people", "security", "tech")
QUESTIONS = json.loads(package_data("cmm_questions.json").read_text(encoding="utf-8"))  # a copy of shared/cmm/questions.json


def official_loader_problems(saved: dict[str, Any]) -> list[str]:
    problems = []
    data = saved.get("assessmentData")
    if not isinstance(data, dict):
        return ["assessmentData is missing"]
    meta = data.get("metadata")
    if not isinstance(meta, dict):
        return ["metadata is missing"]
    if not isinstance(meta.get("version"), str) or not re.fullmatch(r"\d+\.\d+\.\d+", meta["version"]):
        problems.append(f"metadata.version {meta.get('version')!r}")
    if not isinstance(meta.get("createdAt"), str):
        problems.append("metadata.createdAt is missing")
    else:
        datetime.fromisoformat(meta["createdAt"].replace("Z", "+00:00"))
    expected = {q["key"]: q for q in QUESTIONS["questions"]}
    assert all(hashlib.sha256(q["title"].encode()).hexdigest() == k for k, q in expected.items())
    for key in data:
        if key not in (*CATEGORIES, "metadata", "intro"):
            problems.append(f"unexpected top-level key {key}")
    for category in CATEGORIES:
        answers = data.get(category, {})
        if not isinstance(answers, dict):
            problems.append(f"{category} is not an object")
            continue
        for key, value in answers.items():
            question = expected.get(key)
            if question is None or question["category"] != category:
                problems.append(f"{category}.{key} is not one of its questions")
                continue
            if not isinstance(value, dict) or set(value) != {"answer", "needsImprovement"}:
                problems.append(f"{category}.{key}: {value!r}")
                continue
            answer = value["answer"]
            if type(answer) is not int or not 0 <= answer <= len(question["levels"]):
                problems.append(f"{category}.{key}: answer {answer!r}")
            if type(value["needsImprovement"]) is not bool:
                problems.append(f"{category}.{key}: needsImprovement {value['needsImprovement']!r}")
    return problems


def _score(tmp_path: Path, *extra: str) -> Path:
    snapshot = capacity_estate().write(tmp_path / "estate.jsonl")
    out = tmp_path / "out"
    assert main(["score", str(snapshot), "--output-dir", str(out), "-q", *extra]) == 0
    return out


def test_export_passes_the_official_loader_rules(tmp_path):
    answers = write_answers(tmp_path / "a.yaml", "  people.training:\n    level: 3\n  cost.geography:\n    level: 4\n")
    out = _score(tmp_path, "--answers", str(answers))
    saved = json.loads((out / "cmm-assessment.json").read_text(encoding="utf-8"))
    assert official_loader_problems(saved) == []
    data = saved["assessmentData"]
    assert sum(len(data[c]) for c in CATEGORIES) == 47  # every question, unanswered ones as 0
    meta = saved["exportMetadata"]
    assert meta["totalQuestions"] == 47 and meta["improvementCount"] == 0  # no targets: nothing flagged
    for category in CATEGORIES:
        # the official tool's meaning: every stored answer, "I don't know" (0) included
        assert meta["categories"][category]["answered"] == len(data[category])
    assert data["people"][all_keys()["people.training"]]["answer"] == 3
    assert data["cost"][all_keys()["cost.geography"]]["answer"] == 4


def test_the_checker_catches_what_the_official_tool_rejects(tmp_path):
    saved = json.loads((_score(tmp_path) / "cmm-assessment.json").read_text(encoding="utf-8"))
    key = next(iter(saved["assessmentData"]["cost"]))
    for breakage, says in (
        (lambda d: d["cost"][key].update(answer=6), "answer 6"),
        (lambda d: d["cost"][key].update(answer="3"), "answer '3'"),
        (lambda d: d["cost"][key].update(needsImprovement=1), "needsImprovement 1"),
        (lambda d: d["metadata"].pop("version"), "metadata.version"),
        (lambda d: d["metadata"].pop("createdAt"), "createdAt"),
        (lambda d: d["data"].update({key: d["cost"][key]}), "not one of its questions"),
    ):
        broken = json.loads(json.dumps(saved))
        breakage(broken["assessmentData"])
        assert any(says in p for p in official_loader_problems(broken)), says


def test_targets_set_needs_improvement(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text("targets:\n  all: 2\n  cost: 4\n  cost.capacity: 3\n", encoding="utf-8")
    saved = json.loads((_score(tmp_path, "--config", str(config)) / "cmm-assessment.json").read_text(encoding="utf-8"))
    assert official_loader_problems(saved) == []
    by_id = all_keys()
    data = saved["assessmentData"]
    assert data["cost"][by_id["cost.capacity"]] == {"answer": 3, "needsImprovement": False}  # meets its own target
    flagged = 0
    for q in cmm_questions():
        target = 3 if q.id == "cost.capacity" else 4 if q.category == "cost" else 2
        entry = data[q.category][q.key]
        assert entry["needsImprovement"] is (entry["answer"] < target), q.id
        flagged += entry["needsImprovement"]
    assert flagged > 0 and saved["exportMetadata"]["improvementCount"] == flagged


def test_evidence_bundle_sits_beside_the_export(tmp_path):
    answers = write_answers(tmp_path / "a.yaml", "  cost.capacity:\n    level: 4\n    answered_by: A. Assessor\n")
    out = _score(tmp_path, "--answers", str(answers), "--format", "cmm")
    assert sorted(p.name for p in out.iterdir()) == ["cmm-assessment.json", "cmm-evidence.json"]
    export = json.loads((out / "cmm-assessment.json").read_text(encoding="utf-8"))["assessmentData"]
    bundle = json.loads((out / "cmm-evidence.json").read_text(encoding="utf-8"))
    assert (bundle["format"], bundle["format_version"]) == ("cmm-scan-evidence", 1)
    exported = {key: v["answer"] for c in CATEGORIES for key, v in export[c].items()}
    assert {key: q["answer"] for key, q in bundle["questions"].items()} == exported
    capacity = bundle["questions"][next(q.key for q in cmm_questions() if q.id == "cost.capacity")]
    assert (capacity["answer"], capacity["answer_source"], capacity["suggested_level"]) == (4, "human", 3)
    assert capacity["human"]["disagrees"] is True and capacity["human"]["answered_by"] == "A. Assessor"
    assert capacity["level_range"] == [3, 3] and capacity["confidence"] == "high"
    running = next(e for e in capacity["evidence"] if e["signal"] == "running_instances")
    assert running["matching"] == 10 and len(running["resources_matching"]) == 10
    assert capacity["next_level"]["level"] == 4 and capacity["guidance_url"].endswith("#" + capacity_key())
    assert len(bundle["csmm"]) == 12
    schema = json.loads((Path(__file__).resolve().parents[1] / "schemas" / "evidence-bundle.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(bundle, schema)


def all_keys() -> dict[str, str]:
    return {q.id: q.key for q in cmm_questions()}


def capacity_key() -> str:
    return next(q.key for q in cmm_questions() if q.id == "cost.capacity")


def test_no_bundle_without_the_export(tmp_path):
    out = _score(tmp_path, "--format", "json")
    assert sorted(p.name for p in out.iterdir()) == ["assessment.json"]
