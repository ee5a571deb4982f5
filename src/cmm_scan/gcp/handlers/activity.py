"""Who or what changes each project: its Admin Activity audit log over the window (one paged entries:list for a
group of projects), counted into one activity.changes fact per project — a project with no entries has 0."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cmm_scan.cloud.executor import FactOut, UnitRun, value_of
from cmm_scan.cloud.spec import Collector
from cmm_scan.gcp.transforms import activity_counts

OPERATION = "logging.entries.list"


def changes(run: UnitRun, spec: Collector) -> Iterator[FactOut]:
    by_project: dict[str, list[dict[str, Any]]] = {scope: [] for scope in run.unit.scopes}
    for entry in run.items(spec.request(OPERATION)):
        project = str((entry or {}).get("logName", "")).split("/logs/", 1)[0].removeprefix("projects/")
        if project in by_project:
            by_project[project].append(entry)
    for project, entries in by_project.items():
        item = activity_counts(entries) or {}
        yield FactOut(
            resource_id=f"projects/{project}/logs/cloudaudit.googleapis.com%2Factivity",
            attributes={name: value_of(spec.attribute(name), item, set()) for name in spec.attributes},
            scope=project,
        )
