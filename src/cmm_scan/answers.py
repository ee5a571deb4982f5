"""Human answers: attestations that win over machine suggestions, kept apart from them.

File format (YAML), keyed by rule id or by the official tool's question key:

    format_version: 1
    answers:
      people.training:
        level: 3
        note: "Training budget and records in the L&D system"
        links: ["https://wiki.example/training"]
        answered_by: "A. Assessor"
        answered_on: 2026-10-01
        expires: 2027-10-01
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from cmm_scan.catalogue import all_questions
from cmm_scan.errors import UserError
from cmm_scan.models import Assessment, HumanAnswer
from cmm_scan.yamlfile import load_yaml_model

ANSWERS_VERSION = 1
_FIX = "see docs/answers.md for the format"


class AnswerEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    level: int = Field(ge=0, le=5, description="0 = I don't know")
    note: str = ""
    links: list[str] = Field(default_factory=list)
    answered_by: str = ""
    answered_on: date | None = None
    expires: date | None = None


class AnswersFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format_version: int = Field(ge=1, le=ANSWERS_VERSION)
    answers: dict[str, AnswerEntry] = Field(default_factory=dict)


def load_answers(path: Path) -> dict[str, AnswerEntry]:
    """Answers keyed by rule id; keys given as official-tool keys are translated."""
    parsed, _ = load_yaml_model(path, AnswersFile, _FIX)
    questions = all_questions()
    by_key = {q.key: q.id for q in questions.values()}
    out: dict[str, AnswerEntry] = {}
    for key, entry in parsed.answers.items():
        rule_id = key if key in questions else by_key.get(key)
        if rule_id is None:
            raise UserError(f"{path}: answers: '{key}' is not a question id or key", "see `cmm-scan rules list`")
        if entry.level > questions[rule_id].max_level:
            raise UserError(
                f"{path}: answers: {key}: level {entry.level} is above the question's {questions[rule_id].max_level}",
                _FIX,
            )
        out[rule_id] = entry
    return out


def apply_answers(assessment: Assessment, answers: dict[str, AnswerEntry], today: date | None = None) -> None:
    """Attach human answers; an unexpired one becomes the exported answer."""
    today = today or datetime.now(UTC).date()
    for result in assessment.results:
        entry = answers.get(result.id)
        if entry is None:
            continue
        expired = entry.expires is not None and entry.expires < today
        machine = result.suggested_level
        result.human = HumanAnswer(
            **entry.model_dump(),
            expired=expired,
            disagrees=machine is not None and entry.level != machine,
        )
        if not expired:
            result.answer, result.answer_source = entry.level, "human"
