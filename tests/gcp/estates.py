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


def as_assets(estate: dict[str, Any]) -> dict[str, Any]:
    """The same estate with the organisation, folders and projects written as Cloud Asset Inventory assets
    and every asset's ancestors spelled out (the form an estate takes when written from CAI exports)."""
    out = {k: v for k, v in estate.items() if k not in ("organization", "folders", "projects")}
    parents = {f["name"]: f["parent"] for f in estate.get("folders", [])}
    by_id = {p["projectId"]: p for p in estate.get("projects", [])}

    def chain(name: str) -> list[str]:
        found = [name]
        while found[-1] in parents:
            found.append(parents[found[-1]])
        return found

    containers = []
    if estate.get("organization"):
        org = estate["organization"]
        containers.append(_container(org["name"], "Organization", [org["name"]], {"displayName": org.get("displayName", "")}))
    for folder in estate.get("folders", []):
        containers.append(
            _container(folder["name"], "Folder", chain(folder["name"]), {"displayName": folder["displayName"], "parent": folder["parent"]})
        )
    for project in estate.get("projects", []):
        data = {
            "projectId": project["projectId"],
            "displayName": project.get("displayName", ""),
            "lifecycleState": project.get("state", "ACTIVE"),
        }
        containers.append(_container(project["name"], "Project", [project["name"], *chain(project["parent"])], data))
    assets = []
    for item in estate.get("assets", []):
        item = dict(item)
        if "ancestors" not in item:
            parent = (item.get("resource") or {}).get("parent", "") + " " + item["name"]
            import re

            match = re.search(r"/(projects|organizations|folders)/([^/ ]+)", parent)
            kind, ident = match.groups() if match else ("", "")
            if kind == "projects":
                project = by_id.get(ident) or next((p for p in estate["projects"] if p["name"] == f"projects/{ident}"), None)
                item["ancestors"] = [project["name"], *chain(project["parent"])] if project else [f"projects/{ident}"]
            else:
                item["ancestors"] = chain(f"{kind}/{ident}")
        assets.append(item)
    # merge container assets that the estate also lists (IAM or org policies set on them)
    listed = {a["name"]: a for a in assets}
    for container in containers:
        if container["name"] in listed:
            listed[container["name"]].setdefault("resource", container["resource"])
        else:
            assets.insert(0, container)
    out["assets"] = assets
    out["rest"] = {path.lstrip("/").split("?", 1)[0]: _bare(body) for path, body in estate.get("rest", {}).items()}
    return out


def _container(name: str, kind: str, ancestors: list[str], data: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": f"//cloudresourcemanager.googleapis.com/{name}",
        "assetType": f"cloudresourcemanager.googleapis.com/{kind}",
        "ancestors": ancestors,
        "resource": {"version": "v3", "data": {"name": name, **data}},
    }


def _bare(body: Any) -> Any:
    lists = [v for v in body.values() if isinstance(v, list)] if isinstance(body, dict) else []
    return lists[0] if len(lists) == 1 and len(body) == 1 else body
