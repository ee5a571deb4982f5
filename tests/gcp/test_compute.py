"""Compute collectors: GCE instances, managed instance groups and their autoscalers, GKE, Cloud Run,
Cloud Functions, read from the Cloud Asset Inventory of an organisation (two folders, four projects)."""

from __future__ import annotations

from tests.gcp import estates
from tests.gcp.support import scan


def compute_estate() -> dict:
    estate = estates.org_estate()
    estate["assets"] = [
        estates.instance("app-1", "bastion"),
        *estates.mig("app-2", "web", 3),
        estates.autoscaler("app-2", "web", estates.PUBSUB),
        *estates.mig("app-3", "office", 2),
        estates.autoscaler("app-3", "office", estates.SCHEDULE),
        estates.instance(
            "app-4", "spot-1", scheduling={"provisioningModel": "SPOT"}, machineType="zones/europe-west2-a/machineTypes/t2a-standard-1"
        ),
        estates.asset(
            "//container.googleapis.com/projects/app-1/locations/europe-west2/clusters/auto",
            "container.googleapis.com/Cluster",
            {"name": "auto", "currentMasterVersion": "1.30.1", "autopilot": {"enabled": True}},
            location="europe-west2",
        ),
        estates.asset(
            "//container.googleapis.com/projects/app-2/locations/europe-west2/clusters/std",
            "container.googleapis.com/Cluster",
            {
                "name": "std",
                "currentMasterVersion": "1.29.0",
                "nodePools": [{"name": "a", "autoscaling": {"enabled": True}}, {"name": "b"}],
            },
            location="europe-west2",
        ),
        estates.asset(
            "//run.googleapis.com/projects/app-1/locations/europe-west2/services/api",
            "run.googleapis.com/Service",
            {"metadata": {"name": "api"}, "spec": {"template": {"metadata": {"annotations": {"autoscaling.knative.dev/maxScale": "20"}}}}},
            location="europe-west2",
        ),
        estates.asset(
            "//cloudfunctions.googleapis.com/projects/app-4/locations/europe-west2/functions/f",
            "cloudfunctions.googleapis.com/CloudFunction",
            {"name": "f", "runtime": "python312", "updateTime": "2026-01-01T00:00:00Z"},
            location="europe-west2",
        ),
    ]
    return estate


def test_instances_groups_and_autoscalers(gcp) -> None:
    gcp.page_size = 4  # the inventory is paged to the end
    gcp.load(compute_estate())
    result = scan(["compute.instance", "compute.autoscaling_group"], organization="100")
    assert {f.scope for f in result.of("compute.instance")} == {"app-1", "app-2", "app-3", "app-4"}
    bastion = result.one("compute.instance", "/bastion")
    assert bastion["autoscaling_group"] == "none" and bastion["autoscaled"] is False and bastion["state"] == "running"
    assert bastion["instance_type"] == "e2-medium" and bastion["family"] == "e2" and bastion["tags"] == {"env": "prod"}
    web = result.one("compute.instance", "/web-0")
    assert web["autoscaling_group"] == "web" and web["autoscaled"] is True
    office = result.one("compute.instance", "/office-1")
    assert office["autoscaling_group"] == "office" and office["autoscaled"] is False
    spot = result.one("compute.instance", "spot-1")
    assert spot["spot"] is True and spot["arm"] is True
    group = result.one("compute.autoscaling_group", "/web")
    assert group["dynamic"] is True and group["metric_kinds"] == ["queue"] and group["advanced_metrics"] is True
    assert (group["min_size"], group["max_size"], group["desired"]) == (2, 10, 3)
    scheduled = result.one("compute.autoscaling_group", "/office")
    assert scheduled["scheduled_only"] is True and scheduled["dynamic"] is False
    facts = result.of("compute.instance")
    assert {f.region for f in facts} == {"europe-west2"}
    assert result.status("gce.instances") == {"ok"}
    pages = [r for r in gcp.requests if r["operation"] == "cloudasset.assets.listResource"]
    assert len(pages) >= 3 and all("organizations/100" in r["path"] for r in pages), "one paged read at organisation scope"


def test_kubernetes_run_and_functions(gcp) -> None:
    gcp.load(compute_estate())
    result = scan(["compute.kubernetes_cluster", "compute.container_service", "compute.function"])
    auto, std = result.one("compute.kubernetes_cluster", "/auto"), result.one("compute.kubernetes_cluster", "/std")
    assert auto["nodegroup_autoscaling"] is True and auto["fargate_profiles"] == 1
    assert std["nodegroup_autoscaling"] is False and std["fargate_profiles"] == 0
    api = result.one("compute.container_service", "/api")
    assert api["serverless"] is True and api["autoscaled"] is True and api["desired"] == 1
    assert result.one("compute.function", "/f")["runtime"] == "python312"


def test_projects_narrowed_by_folder_and_exclusion(gcp) -> None:
    gcp.load(compute_estate())
    result = scan(["compute.instance"], folders="11", projects="!app-4")
    # folders/11 holds app-2 and app-4; app-4 is excluded
    assert {f.scope for f in result.of("compute.instance")} == {"app-2"}
    assert {c.scope for c in result.coverage} == {"app-2"}


def test_regions_in_use(gcp) -> None:
    estate = compute_estate()
    estate["assets"].append(
        estates.asset(
            "//storage.googleapis.com/app-1-archive",
            "storage.googleapis.com/Bucket",
            {"name": "app-1-archive", "locationType": "multi-region"},
            location="EU",
            parent="//cloudresourcemanager.googleapis.com/projects/1001",
        )
    )
    gcp.load(estate)
    regions = {(f.scope, f.region): f.attributes for f in scan(["inventory.region"]).of("inventory.region")}
    assert regions[("app-1", "europe-west2")] == {"enabled": True, "scanned": True, "in_use": True, "workloads": True, "uk": True}
    assert regions[("app-1", "eu")]["workloads"] is False and regions[("app-1", "eu")]["uk"] is False
