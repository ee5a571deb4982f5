"""GCP estates for tests, written in Google's own shapes (Resource Manager v3 and Cloud Asset Inventory assets)."""

from __future__ import annotations

from typing import Any

ORG = "organizations/100"


def org_estate(projects: int = 4) -> dict[str, Any]:
    """An organisation with two folders (prod, dev) and `projects` projects spread over them."""
    folders = [
        {"name": "folders/11", "parent": ORG, "displayName": "prod"},
        {"name": "folders/12", "parent": ORG, "displayName": "dev"},
    ]
    return {
        "provider": "gcp",
        "organization": {"name": ORG, "displayName": "example.gov.uk", "directoryCustomerId": "C0abc"},
        "folders": folders,
        "projects": [project(i, folders[i % 2]["name"]) for i in range(1, projects + 1)],
        "assets": [],
    }


def project(i: int, parent: str) -> dict[str, Any]:
    return {"name": f"projects/{1000 + i}", "projectId": f"app-{i}", "parent": parent, "displayName": f"App {i}", "state": "ACTIVE"}


def instance(project_id: str, name: str, zone: str = "europe-west2-a", **data: Any) -> dict[str, Any]:
    return asset(
        f"//compute.googleapis.com/projects/{project_id}/zones/{zone}/instances/{name}",
        "compute.googleapis.com/Instance",
        {"name": name, "machineType": f"zones/{zone}/machineTypes/e2-medium", "status": "RUNNING", "labels": {"env": "prod"}, **data},
        location=zone,
    )


def asset(name: str, asset_type: str, data: dict[str, Any], location: str = "global", parent: str = "", **extra: Any) -> dict[str, Any]:
    resource: dict[str, Any] = {"version": "v1", "data": data, "location": location}
    if parent:
        resource["parent"] = parent
    return {"name": name, "assetType": asset_type, "resource": resource, **extra}
