"""Per-service REST collectors (alert policies, Cloud Build) and the faults that make evidence unknown:
a denied project, an API not enabled, a refused follow-up call, an organisation the inventory may not read."""

from __future__ import annotations

from tests.gcp import estates
from tests.gcp.support import scan

RECENT = "2026-11-30T10:00:00Z"


def services_estate() -> dict:
    estate = estates.org_estate()
    estate["rest"] = {
        "/v3/projects/app-1/alertPolicies": {
            "alertPolicies": [
                {
                    "name": "projects/app-1/alertPolicies/1",
                    "enabled": True,
                    "notificationChannels": ["projects/app-1/notificationChannels/9"],
                    "conditions": [{"conditionThreshold": {"filter": 'metric.type="custom.googleapis.com/checkout/errors"'}}],
                },
                {
                    "name": "projects/app-1/alertPolicies/2",
                    "conditions": [{"conditionThreshold": {"filter": 'metric.type="compute.googleapis.com/instance/cpu/utilization"'}}],
                },
            ]
        },
        "/v3/projects/app-2/alertPolicies": {},
        "/v3/projects/app-3/alertPolicies": {},
        "/v3/projects/app-4/alertPolicies": {},
        "/v1/projects/app-1/triggers": {"triggers": [{"id": "t1", "name": "deploy", "github": {"owner": "dept", "name": "app"}}]},
        '/v1/projects/app-1/builds?filter=trigger_id="t1"': {
            "builds": [
                {"id": "b1", "createTime": RECENT, "startTime": "2026-11-30T10:00:00Z", "finishTime": "2026-11-30T10:04:00Z"},
                {"id": "b2", "createTime": RECENT, "startTime": "2026-11-30T11:00:00Z", "finishTime": "2026-11-30T11:06:00Z"},
            ]
        },
        "/v1/projects/app-2/triggers": {"triggers": [{"id": "t2", "name": "nightly", "triggerTemplate": {"repoName": "x"}}]},
        "/v1/projects/app-4/triggers": {},
    }
    return estate


def test_alert_policies(gcp) -> None:
    gcp.load(services_estate())
    result = scan(["monitoring.alarm"])
    paging = result.one("monitoring.alarm", "alertPolicies/1")
    assert paging == {
        "has_actions": True,
        "namespace": "custom.googleapis.com",
        "custom_metric": True,
        "composite": False,
        "anomaly_detection": False,
        "cicd": False,
    }
    quiet = result.one("monitoring.alarm", "alertPolicies/2")
    assert quiet["has_actions"] is False and quiet["custom_metric"] is False
    assert {c.scope for c in result.coverage if c.status == "ok"} == {"app-1", "app-2", "app-3", "app-4"}


def test_denied_project_and_disabled_api_are_unknown_not_zero(gcp) -> None:
    estate = services_estate()
    estate["faults"] = {"deny": [{"scope": "projects/app-2", "operation": "list v1/projects/*/triggers"}]}
    estate["disabled_apis"] = [{"service": "cloudbuild.googleapis.com", "projects": ["app-3"]}]
    gcp.load(estate)
    result = scan(["cicd.build_project"])
    by_scope = {c.scope: c for c in result.coverage if c.collector == "cloudbuild.triggers"}
    assert by_scope["app-1"].status == "ok" and by_scope["app-4"].status == "ok"
    assert by_scope["app-2"].status == "denied" and "PERMISSION_DENIED" in by_scope["app-2"].reason
    assert by_scope["app-3"].status == "denied" and "API not enabled" in by_scope["app-3"].reason
    assert {f.scope for f in result.of("cicd.build_project")} == {"app-1"}
    deploy = result.one("cicd.build_project", "t1")
    assert deploy == {"source_type": "GITHUB", "recent_builds": 2, "median_build_minutes": 5.0}


def test_refused_follow_up_leaves_only_its_attributes_unknown(gcp) -> None:
    estate = services_estate()
    estate["faults"] = {"deny": [{"operation": "list v1/projects/*/builds"}]}
    gcp.load(estate)
    result = scan(["cicd.build_project"], projects="app-1")
    deploy = result.one("cicd.build_project", "t1")
    assert deploy["source_type"] == "GITHUB" and deploy["recent_builds"] is None and deploy["median_build_minutes"] is None
    # the shared engine names a refused follow-up by its operation (docs/cloud-collectors.md)
    assert {c.collector: c.status for c in result.coverage} == {
        "cloudbuild.triggers": "ok",
        "cloudbuild.triggers/cloudbuild.projects.builds.list": "denied",
    }


def test_inventory_denied_at_organisation_falls_back_to_projects(gcp) -> None:
    """The organisation refuses the inventory: each project is tried on its own; what none of them allows
    stays unknown (denied, with the reason), never an empty estate."""
    estate = estates.org_estate()
    estate["assets"] = [estates.instance(f"app-{i}", f"vm-{i}") for i in range(1, 5)]
    estate["faults"] = {"deny": [{"scope": "organizations/100", "operation": "cloudasset.*"}]}
    gcp.load(estate)
    result = scan(["compute.instance"], organization="100")
    assert result.of("compute.instance") == []
    statuses = {c.scope: c.status for c in result.coverage}
    assert statuses == {"app-1": "denied", "app-2": "denied", "app-3": "denied", "app-4": "denied", "organizations/100": "denied"}
    tried = {r["path"] for r in gcp.requests if r["operation"] == "cloudasset.assets.listResource"}
    assert tried == {"/v1/organizations/100/assets", *{f"/v1/projects/{1000 + i}/assets" for i in range(1, 5)}}


def test_quota_errors_are_retried(gcp) -> None:
    estate = services_estate()
    estate["faults"] = {
        "seed": 7,
        "throttle": {"share": 0.5, "retry_after": 0, "operations": ["list *alertPolicies", "resourcemanager.*"]},
    }
    gcp.load(estate)
    result = scan(["monitoring.alarm"])
    assert len(result.of("monitoring.alarm")) == 2 and {c.status for c in result.coverage} == {"ok"}
    assert any(r["status"] == 429 for r in gcp.requests)


def test_security_command_center_services(gcp) -> None:
    estate = estates.org_estate()
    estate["rest"] = {
        "/v1/projects/app-1/locations/global/securityCenterServices": {
            "securityCenterServices": [
                {
                    "name": "projects/1001/locations/global/securityCenterServices/event-threat-detection",
                    "effectiveEnablementState": "ENABLED",
                    "intendedEnablementState": "INHERITED",
                },
                {
                    "name": "projects/1001/locations/global/securityCenterServices/security-health-analytics",
                    "effectiveEnablementState": "DISABLED",
                    "intendedEnablementState": "DISABLED",
                },
                {
                    "name": "projects/1001/locations/global/securityCenterServices/web-security-scanner",
                    "effectiveEnablementState": "ENABLED",
                },
            ]
        }
    }
    gcp.load(estate)
    result = scan(["security.service"], projects="app-1")
    # SCC's own service names; rules read the neutral `kind` (HELPERS.md), never a vendor's name
    found = {f.attributes["service"]: f.attributes for f in result.of("security.service") if f.attributes["kind"] != "access_analysis"}
    assert {name: attributes["kind"] for name, attributes in found.items()} == {
        "event-threat-detection": "threat_detection",
        "security-health-analytics": "posture",
        "web-security-scanner": "vulnerability_scanning",
    }
    etd, sha = found["event-threat-detection"], found["security-health-analytics"]
    assert etd["enabled"] is True and etd["organization_managed"] is True
    assert sha["enabled"] is False and sha["organization_managed"] is False


def test_security_command_center_read_once_for_a_whole_organisation(gcp) -> None:
    estate = estates.org_estate()
    services = [
        {"name": "organizations/100/locations/global/securityCenterServices/event-threat-detection", "effectiveEnablementState": "ENABLED"}
    ]
    estate["rest"] = {"/v1/organizations/100/locations/global/securityCenterServices": {"securityCenterServices": services}}
    gcp.load(estate)
    result = scan(["security.service"], organization="100")
    (etd,) = [f for f in result.of("security.service") if f.attributes["kind"] != "access_analysis"]  # SCC's, not the IAM recommender
    assert etd.scope == "organizations/100" and etd.attributes["enabled"] is True
    assert len([r for r in gcp.requests if "securityCenterServices" in r["path"]]) == 1
