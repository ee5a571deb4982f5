"""Neutral facts about one repository (`repos.repository`, `repos.pipeline`), from what was read of it.

The same builder serves a local checkout and a repository read through a Git host's API: both
give a `Reading` (history, refs, file list, configuration files); API-only fields such as branch
protection are added by the caller and stay absent (unknown) for a local checkout.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from cmm_scan.models import Fact
from cmm_scan.repos import branching
from cmm_scan.repos.config import RepoConfig, classify

WINDOW_DAYS = 90
RELEASE_TAG = re.compile(r"^(?:v|release[-/_]?|rel[-_])?\d+(?:\.\d+)+", re.IGNORECASE)
STEP_ATTRIBUTES = {  # pipeline step category -> repository attribute (true when any pipeline has it)
    "tests": "tests",
    "static_analysis": "static_analysis",
    "dependency_scanning": "dependency_scanning",
    "image_scanning": "image_scanning",
    "sbom": "sbom",
    "signing": "signing",
    "provenance": "provenance",
    "deploy": "deploys",
    "approval": "deploy_approval",
    "progressive": "progressive_delivery",
    "iac": "iac_in_pipeline",
    "policy_check": "policy_check",
}


@dataclass
class Reading:
    """What was read of one repository, whatever read it."""

    id: str
    name: str
    default_branch: str
    total_commits: int
    branches: list[str]
    tags: list[tuple[str, int]]  # (name, unix time)
    history: list[tuple[int, bool, str | None]]  # first-parent commits, newest first: (time, is merge, merged branch)
    files: list[str]
    texts: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)  # attributes only an API gives (branch protection, runs)
    shallow: bool = False  # history cut short (a shallow clone): history-based attributes are unknown


HISTORY_ATTRIBUTES = (
    "commits",
    "commits_90d",
    "branch_model",
    "branch_model_strict",
    "long_lived_branches",
    "merges_90d",
    "merges_per_week",
)


def facts(reading: Reading, provider: str = "repos", source: str = "git", now: float | None = None) -> list[Fact]:
    now = time.time() if now is None else now
    since = now - WINDOW_DAYS * 86400
    config = classify(reading.files, reading.texts)
    model = branching.classify(reading.default_branch, reading.branches, [s for _, _, s in reading.history if s], reading.total_commits)
    recent = [c for c in reading.history if c[0] >= since]
    merges = sum(1 for c in recent if c[1])
    release_tags = [t for t in reading.tags if RELEASE_TAG.match(t[0])]
    attributes: dict[str, Any] = {
        "name": reading.name,
        "host": "local",  # a Git host's reader says which (its extra replaces this)
        "default_branch": reading.default_branch,
        "commits": reading.total_commits,
        "commits_90d": len(recent),
        "branches": len(reading.branches),
        "branch_model": model.model,
        "branch_model_strict": model.strict,
        "long_lived_branches": list(model.long_lived),
        "merges_90d": merges,
        "merges_per_week": round(merges / (WINDOW_DAYS / 7), 2),
        "tags": len(reading.tags),
        "release_tags_90d": sum(1 for t in release_tags if t[1] >= since),
        **_pipeline_rollup(config),
        **_pinning(config),
        "update_bot": config.update_bots[0] if config.update_bots else "none",
        "codeowners": config.codeowners,
        "security_policy": config.security_policy,
        "iac_tools": config.iac_tools,
        "iac": bool(config.iac_tools),
        "policy_as_code": config.policy_files or any(p.steps["policy_check"] for p in config.pipelines),
        **reading.extra,
    }
    if reading.shallow:  # never read a cut history as "little use of version control"
        attributes.update(dict.fromkeys(HISTORY_ATTRIBUTES))
    out = [
        Fact(
            type="repos.repository",
            provider=provider,  # type: ignore[arg-type]
            scope=reading.id,
            region="global",
            resource_id=reading.id,
            attributes=attributes,
            source=source,
        )
    ]
    for pipeline in config.pipelines:
        out.append(
            Fact(
                type="repos.pipeline",
                provider=provider,  # type: ignore[arg-type]
                scope=reading.id,
                region="global",
                resource_id=f"{reading.id}:{pipeline.path}",
                attributes={
                    "path": pipeline.path,
                    "system": pipeline.system,
                    **{STEP_ATTRIBUTES[k]: v for k, v in pipeline.steps.items()},
                    "action_refs": pipeline.actions,
                    "action_refs_pinned": pipeline.actions_pinned,
                    "image_refs": pipeline.images,
                    "image_refs_pinned": pipeline.images_pinned,
                },
                source=source,
            )
        )
    return out


def _pipeline_rollup(config: RepoConfig) -> dict[str, Any]:
    systems = Counter(p.system for p in config.pipelines)
    rollup: dict[str, Any] = {
        "pipelines": len(config.pipelines),
        "ci_systems": sorted(systems),
        "primary_ci": systems.most_common(1)[0][0] if systems else "none",
    }
    for step, attribute in STEP_ATTRIBUTES.items():
        rollup[attribute] = any(p.steps[step] for p in config.pipelines)
    return rollup


def _pinning(config: RepoConfig) -> dict[str, Any]:
    actions = sum(p.actions for p in config.pipelines)
    actions_pinned = sum(p.actions_pinned for p in config.pipelines)
    images = sum(p.images for p in config.pipelines) + config.base_images
    images_pinned = sum(p.images_pinned for p in config.pipelines) + config.base_images_pinned
    unlocked = sorted(set(config.ecosystems) - set(config.locked_ecosystems))
    return {
        "dependency_ecosystems": sorted(config.ecosystems),
        "unlocked_ecosystems": unlocked,
        "lockfiles": not unlocked,
        "actions_pinned": actions_pinned == actions,
        "images_pinned": images_pinned == images,
        "fully_pinned": not unlocked and actions_pinned == actions and images_pinned == images,
    }


def reading_from_git(read: Any, repo_id: str, name: str) -> Reading:
    """A `Reading` from `gitread.read`."""
    return Reading(
        id=repo_id,
        name=name,
        default_branch=read.default_branch,
        total_commits=read.total_commits,
        branches=[b.name for b in read.branches],
        tags=[(t.name, t.when) for t in read.tags],
        history=[(c.when, c.merge, branching.merge_source(c.subject) if c.merge else None) for c in read.history],
        files=read.files,
        texts=read.texts,
        shallow=read.shallow,
    )
