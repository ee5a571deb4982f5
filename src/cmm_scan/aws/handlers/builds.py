"""CodeBuild projects with their recent builds: how often and how fast the team builds.

Per project: one batch_get_projects for up to 100 names, then the newest page of
list_builds_for_project and one batch_get_builds for the builds of the last RECENT_DAYS days.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from statistics import median
from typing import Any

from cmm_scan.aws.executor import FactOut, RegionRun
from cmm_scan.aws.spec import Collector

RECENT_DAYS = 30
BATCH = 100


def _recent(run: RegionRun, project: str, since: datetime) -> tuple[int, float | None]:
    """(builds started since `since`, median minutes of those that finished)."""
    ids = run.call("codebuild", "list_builds_for_project", {"projectName": project, "sortOrder": "DESCENDING"}).get("ids", [])
    if not ids:
        return 0, None
    builds = run.call("codebuild", "batch_get_builds", {"ids": ids[:BATCH]}).get("builds", [])
    recent = [b for b in builds if isinstance(b.get("startTime"), datetime) and b["startTime"] >= since]
    minutes = [(b["endTime"] - b["startTime"]).total_seconds() / 60 for b in recent if isinstance(b.get("endTime"), datetime)]
    return len(recent), (round(median(minutes), 1) if minutes else None)


def projects(run: RegionRun, spec: Collector) -> Iterator[FactOut]:
    names = run.items("codebuild", "list_projects", {}, "projects")
    since = datetime.now(UTC) - timedelta(days=RECENT_DAYS)
    for start in range(0, len(names), BATCH):
        found: list[dict[str, Any]] = run.call("codebuild", "batch_get_projects", {"names": names[start : start + BATCH]}).get(
            "projects", []
        )
        for project in found:
            count, median_minutes = _recent(run, project["name"], since)
            yield FactOut(
                resource_id=project.get("arn") or project["name"],
                attributes={
                    "source_type": project.get("source", {}).get("type"),
                    "privileged": bool(project.get("environment", {}).get("privilegedMode", False)),
                    "timeout_minutes": project.get("timeoutInMinutes"),
                    "recent_builds": count,
                    "median_build_minutes": median_minutes,
                },
            )
