"""The organisation (org.organization): its active projects and its folders, counted from the inventory read for
the whole organisation."""

from __future__ import annotations

from collections.abc import Iterator

from cmm_scan.cloud.executor import FactOut, UnitRun, value_of
from cmm_scan.cloud.spec import Collector

PROJECT = "cloudresourcemanager.googleapis.com/Project"
FOLDER = "cloudresourcemanager.googleapis.com/Folder"


def summary(run: UnitRun, spec: Collector) -> Iterator[FactOut]:
    assert spec.draw, f"{spec.id} counts the containers it draws"
    (organization,) = run.unit.scopes
    assets = [a for a in run.draw(spec.draw) if organization in (a.get("ancestors") or [])]
    item = {
        "projects": sum(
            1 for a in assets if a.get("assetType") == PROJECT and (a.get("data") or {}).get("lifecycleState", "ACTIVE") == "ACTIVE"
        ),
        "folders": sum(
            1 for a in assets if a.get("assetType") == FOLDER and (a.get("data") or {}).get("lifecycleState", "ACTIVE") == "ACTIVE"
        ),
    }
    yield FactOut(resource_id=organization, attributes={name: value_of(spec.attribute(name), item, set()) for name in spec.attributes})
