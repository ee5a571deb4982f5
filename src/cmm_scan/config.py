"""The user's config file: threshold overrides and target levels, no code needed."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from cmm_scan.yamlfile import load_yaml_model

CONFIG_VERSION = 1
Level = Annotated[int, Field(ge=0, le=5, description="an answer level, 1 to 5; 0 sets none")]


class PolicyConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    baseline: str | None = Field(default=None, description="Bundled baseline name or folder; --baseline wins")
    parameters: dict[str, float | list[str] | dict[str, list[str]]] = Field(
        default_factory=dict, description="Baseline parameter overrides, e.g. allowed_regions: {aws: [eu-west-2]}"
    )


class ResponsibilityConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    file: Path | None = Field(default=None, description="Responsibility model file; --responsibility wins")
    review_max_age_days: int = Field(
        default=365, ge=1, description="A model reviewed longer ago than this is not evidence for gov.shared_responsibility"
    )


class Config(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format_version: int = Field(default=CONFIG_VERSION, ge=1, le=CONFIG_VERSION)
    thresholds: dict[str, dict[str, float]] = Field(default_factory=dict, description="rule id -> threshold name -> value")
    targets: dict[str, Level] = Field(
        default_factory=dict,
        description="question id, category or 'all' -> target level; below it, the export sets needsImprovement",
    )
    export: Literal["all", "settled"] = Field(
        default="all",
        description="all: floors ('at least N') are exported as N; settled: only settled levels are exported, floors as 0",
    )
    minimums: dict[str, Level] = Field(
        default_factory=dict,
        description="question id, category or 'all' -> the lowest acceptable answer; below it, CI gating fails",
    )
    policy: PolicyConfig = Field(default_factory=PolicyConfig, description="Policy baseline (docs/baselines.md)")
    responsibility: ResponsibilityConfig = Field(
        default_factory=ResponsibilityConfig, description="Responsibility model (docs/responsibility.md)"
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
