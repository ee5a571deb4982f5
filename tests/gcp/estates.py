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


def mig(project_id: str, name: str, size: int, zone: str = "europe-west2-a") -> list[dict[str, Any]]:
    """A managed instance group of `size` running instances (their created-by metadata names the group)."""
    link = f"projects/{project_id}/zones/{zone}/instanceGroupManagers/{name}"
    group = asset(
        f"//compute.googleapis.com/{link}",
        "compute.googleapis.com/InstanceGroupManager",
        {"name": name, "selfLink": f"https://www.googleapis.com/compute/v1/{link}", "targetSize": size, "zone": zone},
        location=zone,
    )
    created_by = f"projects/{1000 + int(project_id.rsplit('-', 1)[-1])}/zones/{zone}/instanceGroupManagers/{name}"
    members = [
        instance(project_id, f"{name}-{i}", zone, metadata={"items": [{"key": "created-by", "value": created_by}]}) for i in range(size)
    ]
    return [group, *members]


def autoscaler(project_id: str, group: str, policy: dict[str, Any], zone: str = "europe-west2-a") -> dict[str, Any]:
    target = f"https://www.googleapis.com/compute/v1/projects/{project_id}/zones/{zone}/instanceGroupManagers/{group}"
    return asset(
        f"//compute.googleapis.com/projects/{project_id}/zones/{zone}/autoscalers/{group}-as",
        "compute.googleapis.com/Autoscaler",
        {"name": f"{group}-as", "target": target, "autoscalingPolicy": {"minNumReplicas": 2, "maxNumReplicas": 10, "mode": "ON", **policy}},
        location=zone,
    )


CPU = {"cpuUtilization": {"utilizationTarget": 0.6}}
PUBSUB = {
    "customMetricUtilizations": [{"metric": "pubsub.googleapis.com/subscription/num_undelivered_messages", "singleInstanceAssignment": 100}]
}
SCHEDULE = {"mode": "OFF", "scalingSchedules": {"office": {"schedule": "0 8 * * MON-FRI", "minRequiredReplicas": 4, "durationSec": 36000}}}
