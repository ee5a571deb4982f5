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

import yaml
from pydantic import BaseModel, ConfigDict, Field

from cmm_scan.catalogue import all_questions
from cmm_scan.errors import UserError
from cmm_scan.models import Assessment, HumanAnswer
from cmm_scan.yamlfile import line_of, load_yaml_model

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
    """Answers keyed by rule id; keys given as official-tool keys are translated.

    Every problem is one UserError naming the file and the line of the offending entry.
    """
    parsed, node = load_yaml_model(path, AnswersFile, _FIX)
    key_lines = _refuse_duplicate_keys(path, node)
    questions = all_questions()
    by_key = {q.key: q.id for q in questions.values()}
    out: dict[str, AnswerEntry] = {}
    seen_as: dict[str, str] = {}
    for key, entry in parsed.answers.items():

        def at(*field: str, key: str = key) -> str:
            return f"{path}:{line_of(node, ('answers', key, *field)) if field else key_lines.get(key, 1)}"

        rule_id = key if key in questions else by_key.get(key)
        if rule_id is None:
            raise UserError(f"{at()}: answers: '{key}' is not a question id or key", "see `cmm-scan rules list`")
        if rule_id in seen_as:
            raise UserError(f"{at()}: answers: '{key}' answers {rule_id} again (already as '{seen_as[rule_id]}')", _FIX)
        if entry.level > questions[rule_id].max_level:
            raise UserError(
                f"{at('level')}: answers: {key}: level {entry.level} is above the question's {questions[rule_id].max_level}",
                _FIX,
            )
        if entry.expires and entry.answered_on and entry.expires < entry.answered_on:
            raise UserError(f"{at('expires')}: answers: {key}: expires {entry.expires} is before answered_on", _FIX)
        seen_as[rule_id] = key
        out[rule_id] = entry
    return out


def _refuse_duplicate_keys(path: Path, node: yaml.Node) -> dict[str, int]:
    """Line of each answer's key. YAML keeps the last of two equal keys silently; two answers
    to one question is a mistake, so it is refused."""
    answers = next((v for k, v in node.value if k.value == "answers"), None) if isinstance(node, yaml.MappingNode) else None
    lines: dict[str, int] = {}
    if not isinstance(answers, yaml.MappingNode):
        return lines
    for key, _ in answers.value:
        if key.value in lines:
            raise UserError(f"{path}:{key.start_mark.line + 1}: answers: '{key.value}' is given twice", _FIX)
        lines[key.value] = key.start_mark.line + 1
    return lines


def apply_answers(assessment: Assessment, answers: dict[str, AnswerEntry], today: date | None = None) -> None:
    """Attach human answers. An unexpired one becomes the exported answer; an expired one is
    kept for the reports but the export falls back to the machine suggestion (or 0)."""
    today = today or datetime.now(UTC).date()
    for result in assessment.results:
        entry = answers.get(result.id)
        if entry is None:
            continue
        expired = entry.expires is not None and entry.expires < today
        result.human = HumanAnswer(
            **entry.model_dump(), expired=expired, disagrees=disagrees(entry.level, result.suggested_level, result.possible_levels)
        )
        if expired:
            machine = result.suggested_level if result.suggested_level is not None else result.floor_level
            result.answer, result.answer_source = (machine, "machine") if machine is not None else (0, "none")
        else:
            result.answer, result.answer_source = entry.level, "human"


def disagrees(level: int, suggested: int | None, possible: list[int]) -> bool:
    """A person's level disagrees with the scan when the scan suggested another level, or
    ruled the person's level out. "I don't know" (0) disagrees with nothing."""
    if level == 0:
        return False
    if suggested is not None:
        return level != suggested
    return bool(possible) and level not in possible
