"""`cmm-evidence.json`: the evidence behind each exported answer, keyed like the export.

The official tool's file holds only a number per question. This file sits beside it and says,
for the same SHA-256 keys, where each number came from: the machine suggestion and its range
and confidence, the evidence (counts, denominators, per-scope figures, resource ids), the
reasons for "I don't know", the next level, and the human answer if one was given.
CSMM categories are kept apart under `csmm`, keyed by category id.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from cmm_scan.config import Config
from cmm_scan.models import Assessment, Confidence, Evidence, HumanAnswer, NextLevel, QuestionResult
from cmm_scan.snapshot_io import AtomicFile

FILENAME = "cmm-evidence.json"
BUNDLE_FORMAT = "cmm-scan-evidence"
BUNDLE_VERSION = 1


class BundleQuestion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="cmm-scan rule id")
    category: str
    title: str
    answer: int = Field(ge=0, le=5, description="The answer exported to cmm-assessment.json; 0 = I don't know")
    answer_source: Literal["human", "machine", "none"]
    status: str
    automation: str
    suggested_level: int | None
    floor_level: int | None = Field(default=None, description="status floor: the configuration shows at least this level")
    because: str = Field(default="", description="Why the answer is what it is, in one sentence")
    to_settle: str = Field(default="", description="What would settle an open answer or lift a floor")
    level_range: tuple[int, int] | None
    possible_levels: list[int]
    confidence: Confidence
    evidence: list[Evidence]
    reasons: list[str]
    next_level: NextLevel | None
    human: HumanAnswer | None
    guidance_url: str


class EvidenceBundle(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format: Literal["cmm-scan-evidence"] = BUNDLE_FORMAT
    format_version: int = BUNDLE_VERSION
    tool_version: str
    created_at: datetime
    export_file: str = Field(default="cmm-assessment.json", description="The official tool's file these answers went to")
    questions: dict[str, BundleQuestion] = Field(description="CMM questions keyed by the official tool's SHA-256 key")
    csmm: dict[str, BundleQuestion] = Field(default_factory=dict, description="CSMM categories keyed by category id")


def _entry(r: QuestionResult) -> BundleQuestion:
    return BundleQuestion(
        id=r.id,
        category=r.category,
        title=r.title,
        answer=r.answer,
        answer_source=r.answer_source,
        status=r.status,
        automation=r.automation,
        suggested_level=r.suggested_level,
        floor_level=r.floor_level,
        because=r.because,
        to_settle=r.to_settle,
        level_range=r.level_range,
        possible_levels=r.possible_levels,
        confidence=r.confidence,
        evidence=r.evidence,
        reasons=r.reasons,
        next_level=r.next_level,
        human=r.human,
        guidance_url=r.guidance_url,
    )


def build(assessment: Assessment) -> EvidenceBundle:
    return EvidenceBundle(
        tool_version=assessment.tool_version,
        created_at=assessment.created_at,
        questions={r.key: _entry(r) for r in assessment.for_framework("cmm")},
        csmm={r.key: _entry(r) for r in assessment.for_framework("csmm")},
    )


def write(assessment: Assessment, out_dir: Path, config: Config) -> Path:
    path = out_dir / FILENAME
    with AtomicFile(path) as out:
        out.write(build(assessment).model_dump_json(indent=2))
    return path
