"""`cmm-scan import-cmm`: a report saved by the official GOV.UK tool becomes an answers file.

The official tool's loader ("Load a previous report") accepts a file when `metadata.version`
is an x.y.z string, `metadata.createdAt` is a string, and every answer in the seven
categories is an object whose `answer` is a number from 0 to 5 and whose `needsImprovement`
is a boolean; version 1.0.0 files held bare numbers instead of objects. We apply the same
rules, and stricter ones where a wrong value would mislead (integers, within the question's
levels), so a file the official tool would start afresh on is refused here too.

Answer 0 means "I don't know": it is skipped, not imported, because a person's answer wins
over the scan and an imported "I don't know" would hide every machine suggestion.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

from cmm_scan.answers import ANSWERS_VERSION, AnswersFile
from cmm_scan.catalogue import cmm_questions
from cmm_scan.errors import UserError
from cmm_scan.infiles import check_regular
from cmm_scan.paths import package_data
from cmm_scan.snapshot_io import AtomicFile
from cmm_scan.yamlfile import dump_yaml

CATEGORIES = ("cost", "data", "governance", "operations", "people", "security", "tech")
_VERSION = re.compile(r"^\d+\.\d+\.\d+$")
_FIX = "give a file saved by the official tool's “Save this report” button"


def _keys() -> dict[str, str]:
    """Official key -> rule id, for the current titles and the older long titles."""
    keys = {q.key: q.id for q in cmm_questions()}
    data = json.loads(package_data("cmm_questions.json").read_text(encoding="utf-8"))
    for q in data["questions"]:
        if q.get("long_title"):
            keys.setdefault(hashlib.sha256(q["long_title"].encode("utf-8")).hexdigest(), keys[q["key"]])
    return keys


def read_saved_report(path: Path) -> tuple[dict[str, Any], dict[str, int]]:
    """(session metadata, rule id -> level 1..N) from a saved report; 0 answers are left out."""
    check_regular(path, _FIX)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {exc.strerror}", _FIX) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        where = f":{exc.lineno}" if isinstance(exc, json.JSONDecodeError) else ""
        raise UserError(f"{path}{where}: not JSON: {exc}", _FIX) from None
    # The tool saves {"exportMetadata", "assessmentData"}; its own storage is the bare session.
    session = raw.get("assessmentData", raw) if isinstance(raw, dict) else None
    if not isinstance(session, dict):
        raise UserError(f"{path}: not a saved CMM report: expected a JSON object", _FIX)
    meta = session.get("metadata")
    legacy = meta is None or (isinstance(meta, dict) and meta.get("version") == "1.0.0")
    if not legacy:
        _check_metadata(path, meta)
    by_key = _keys()
    questions = {q.id: q for q in cmm_questions()}
    levels: dict[str, int] = {}
    for category in CATEGORIES:
        answers = session.get(category)
        if answers is None:
            continue
        if not isinstance(answers, dict):
            raise UserError(f"{path}: {category}: expected an object of answers", _FIX)
        for key, value in answers.items():
            where = f"{path}: {category}.{key[:12]}…"
            level = value if legacy and not isinstance(value, dict) else _answer(where, value)
            if isinstance(level, str) and level.isdigit():  # version 1.0.0 kept radio values as text
                level = int(level)
            if not isinstance(level, int) or isinstance(level, bool) or not 0 <= level <= 5:
                raise UserError(f"{where}: answer {level!r} is not a whole number from 0 to 5", _FIX)
            rule_id = by_key.get(key)
            if rule_id is None:
                raise UserError(f"{where}: not one of the 47 question keys (SHA-256 of a question title)", _FIX)
            if level > questions[rule_id].max_level:
                raise UserError(f"{where}: answer {level} is above the question's {questions[rule_id].max_level} levels", _FIX)
            if level:
                levels[rule_id] = level
    return (meta if isinstance(meta, dict) else {}), levels


def _check_metadata(path: Path, meta: Any) -> None:
    if not isinstance(meta, dict):
        raise UserError(f"{path}: metadata: expected an object with version and createdAt", _FIX)
    version, created = meta.get("version"), meta.get("createdAt")
    if not isinstance(version, str) or not _VERSION.match(version):
        raise UserError(f"{path}: metadata.version: expected a version like 2.0.0, got {version!r}", _FIX)
    if not isinstance(created, str) or not created:
        raise UserError(f"{path}: metadata.createdAt: missing", _FIX)


def _answer(where: str, value: Any) -> Any:
    if not isinstance(value, dict):
        raise UserError(f"{where}: expected an object with answer and needsImprovement", _FIX)
    if not isinstance(value.get("needsImprovement"), bool):
        raise UserError(f"{where}: needsImprovement must be true or false", _FIX)
    return value.get("answer")


def _day(text: Any) -> date | None:
    try:
        return datetime.fromisoformat(str(text).replace("Z", "+00:00")).date()
    except ValueError:
        return None


def answers_document(source: Path, meta: dict[str, Any], levels: dict[str, int], answered_by: str) -> dict[str, Any]:
    answered_on = _day(meta.get("createdAt"))
    order = {q.id: q.order for q in cmm_questions()}
    answers: dict[str, Any] = {}
    for rule_id in sorted(levels, key=order.__getitem__):
        entry: dict[str, Any] = {"level": levels[rule_id], "note": f"Imported from the official tool's saved report {source.name}"}
        if answered_by:
            entry["answered_by"] = answered_by
        if answered_on:
            entry["answered_on"] = answered_on
        answers[rule_id] = entry
    return {"format_version": ANSWERS_VERSION, "answers": answers}


def import_cmm(source: Path, output: Path, answered_by: str = "", force: bool = False) -> int:
    """Write the answers file; returns how many answers it holds."""
    if output.exists() and not force:
        raise UserError(f"{output}: already exists; not overwriting an answers file", "pass --force, or choose --output")
    meta, levels = read_saved_report(source)
    document = answers_document(source, meta, levels, answered_by)
    AnswersFile.model_validate(document)  # what we write must load back
    header = (
        f"# Human answers imported by `cmm-scan import-cmm` from {source.name}.\n"
        "# Answers of 0 (\"I don't know\") were left out, so the scan's suggestions show for those questions.\n"
        "# Review each answer, then add expires: YYYY-MM-DD so it is re-checked (docs/answers.md).\n"
    )
    with AtomicFile(output) as out:
        out.write(header + dump_yaml(document))
    return len(levels)
