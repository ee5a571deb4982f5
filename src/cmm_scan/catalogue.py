"""The question catalogues: 47 GOV.UK CMM questions and 12 CSMM categories."""

from __future__ import annotations

import json
from functools import cache

from pydantic import BaseModel

from cmm_scan.paths import package_data

# The official tool is published from co-cddo/cloudmaturity to GitHub Pages under /cloudmaturity/.
# Each category page lists its questions; a question's heading id is its SHA-256 key.
GUIDANCE_URL = "https://co-cddo.github.io/cloudmaturity"


class Level(BaseModel):
    level: int
    answer: str


class Question(BaseModel):
    """One question of either framework, keyed as the official tool keys it."""

    framework: str
    id: str
    key: str
    category: str
    category_title: str
    title: str
    levels: list[Level]
    seed_levels: list[dict[str, str]] = []
    order: int

    @property
    def max_level(self) -> int:
        return len(self.levels)


@cache
def cmm_questions() -> list[Question]:
    data = json.loads(package_data("cmm_questions.json").read_text(encoding="utf-8"))
    ids = json.loads(package_data("cmm_ids.json").read_text(encoding="utf-8"))
    return [
        Question(framework="cmm", id=ids[q["key"]], order=n, **{k: q[k] for k in _CMM_FIELDS})
        for n, q in enumerate(data["questions"], start=1)
    ]


_CMM_FIELDS = ("key", "category", "category_title", "title", "levels", "seed_levels")


@cache
def cmm_category_titles() -> dict[str, str]:
    return json.loads(package_data("cmm_questions.json").read_text(encoding="utf-8"))["categories"]


@cache
def csmm_categories() -> list[Question]:
    data = json.loads(package_data("csmm_categories.json").read_text(encoding="utf-8"))
    out = []
    for n, c in enumerate(data["categories"], start=1):
        levels = [Level(level=lv["level"], answer=lv["description"]) for lv in c["levels"]]
        out.append(
            Question(
                framework="csmm",
                id=f"csmm.{c['id']}",
                key=c["id"],
                category=c.get("domain", ""),
                category_title=c.get("domain", "").title(),
                title=c["name"],
                levels=levels,
                order=n,
            )
        )
    return out


@cache
def all_questions() -> dict[str, Question]:
    return {q.id: q for q in [*cmm_questions(), *csmm_categories()]}


def guidance_url(question: Question) -> str:
    """The official tool's page for the question: its category page, anchored at the question."""
    if question.framework != "cmm":
        return ""
    return f"{GUIDANCE_URL}/assessment/{question.category}/#{question.key}"
