"""The user's config file: threshold overrides and target levels, no code needed."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from cmm_scan.yamlfile import load_yaml_model

CONFIG_VERSION = 1


class Config(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format_version: int = Field(default=CONFIG_VERSION, ge=1, le=CONFIG_VERSION)
    thresholds: dict[str, dict[str, float]] = Field(default_factory=dict, description="rule id -> threshold name -> value")
    targets: dict[str, int] = Field(
        default_factory=dict,
        description="question id, category or 'all' -> target level; below it, the export sets needsImprovement",
    )
    export: Literal["all", "settled"] = Field(
        default="all",
        description="all: floors ('at least N') are exported as N; settled: only settled levels are exported, floors as 0",
    )
    minimums: dict[str, int] = Field(
        default_factory=dict,
        description="question id, category or 'all' -> the lowest acceptable answer; below it, CI gating fails",
    )


def load_config(path: Path | None) -> Config:
    if path is None:
        return Config()
    config, _ = load_yaml_model(path, Config, "see docs/configuration.md for the format")
    return config


def level_for(table: dict[str, int], question_id: str, category: str) -> int | None:
    """Most specific entry wins: the question, then its category, then 'all'."""
    for key in (question_id, category, "all"):
        if key in table:
            return table[key]
    return None
