"""Dashboards, log-based metrics and the alerts on them, container scanning, Backup and DR (all from the inventory),
SCC notification configs and postures, budget alerts, configuration recording and labelled resources: read with the
real transport against the emulator; a refused read leaves the evidence unknown, never zero."""

from __future__ import annotations

from tests.gcp import estates
from tests.gcp.support import scan

CHANNEL = "projects/app-1/notificationChannels/9"


CHECKOUT_FILTER = 'metric.type="custom.googleapis.com/checkout/latency"'
CPU_FILTER = 'metric.type="compute.googleapis.com/instance/cpu/utilization"'
DASHBOARDS = {
    "checkout": {
        "mosaicLayout": {
            "tiles": [
                {"widget": {"xyChart": {"dataSets": [{"timeSeriesQuery": {"timeSeriesFilter": {"filter": CHECKOUT_FILTER}}}]}}},
                {"widget": {"text": {"content": "Runbook: ..."}}},
            ]
        }
    },
    "vms": {"gridLayout": {"widgets": [{"scorecard": {"timeSeriesQuery": {"timeSeriesFilter": {"filter": CPU_FILTER}}}}]}},
    "logs": {"rowLayout": {"rows": [{"widgets": [{"logsPanel": {"filter": "severity>=ERROR"}}]}]}},
}


def dashboard(name: str, layout: dict) -> dict:
    return estates.asset(
        f"//monitoring.googleapis.com/projects/1001/dashboards/{name}",
        "monitoring.googleapis.com/Dashboard",
        {"name": f"projects/1001/dashboards/{name}", **layout},
        parent="//cloudresourcemanager.googleapis.com/projects/1001",
    )


IAM_FILTER = 'logName:"cloudaudit.googleapis.com%2Factivity" AND protoPayload.methodName:"SetIamPolicy"'
ERRORS_FILTER = 'resource.type="cloud_run_revision" AND severity>=ERROR'


def in_project(i: int, asset_type: str, path: str, data: dict, location: str = "global") -> dict:
    service = asset_type.split("/", 1)[0]
    return estates.asset(
        f"//{service}/projects/{1000 + i}/{path}",
        asset_type,
        data,
        location=location,
        parent=f"//cloudresourcemanager.googleapis.com/projects/{1000 + i}",
    )


def watching(metric: str) -> dict:
    return {"conditionThreshold": {"filter": f'metric.type="logging.googleapis.com/user/{metric}" AND resource.type="global"'}}


def observability_estate() -> dict:
    estate = estates.org_estate()
    estate["assets"] = [
        estates.asset(
            f"//cloudbilling.googleapis.com/projects/app-{i}/billingInfo",
            "cloudbilling.googleapis.com/ProjectBillingInfo",
            {"name": f"projects/app-{i}/billingInfo", "billingAccountName": "billingAccounts/0A1B2C-000000-ABCDEF", "billingEnabled": True},
        )
        for i in range(1, 5)
    ] + [dashboard(name, layout) for name, layout in DASHBOARDS.items()]
    estate["assets"] += [
        in_project(1, "logging.googleapis.com/LogMetric", "metrics/iam-changes", {"name": "iam-changes", "filter": IAM_FILTER}),
        in_project(1, "logging.googleapis.com/LogMetric", "metrics/checkout-errors", {"name": "checkout-errors", "filter": ERRORS_FILTER}),
        in_project(
            1,
            "logging.googleapis.com/LogMetric",
            "metrics/bucket-audit",
            {
                "name": "bucket-audit",
                "filter": 'logName:"cloudaudit.googleapis.com"',
                "bucketName": "projects/app-1/locations/global/buckets/audit",
            },
        ),
        # the same metric name in another project, watched by nobody there
        in_project(2, "logging.googleapis.com/LogMetric", "metrics/iam-changes", {"name": "iam-changes", "filter": IAM_FILTER}),
        in_project(
            1,
            "monitoring.googleapis.com/AlertPolicy",
            "alertPolicies/1",
            {
                "name": "projects/app-1/alertPolicies/1",
                "enabled": True,
                "notificationChannels": [CHANNEL],
                "conditions": [watching("iam-changes")],
            },
        ),
        # watches checkout-errors but reaches nobody: not an alarm that acts
        in_project(
            1,
            "monitoring.googleapis.com/AlertPolicy",
            "alertPolicies/2",
            {"name": "projects/app-1/alertPolicies/2", "enabled": True, "conditions": [watching("checkout-errors")]},
        ),
        in_project(
            1,
            "serviceusage.googleapis.com/Service",
            "services/containerscanning.googleapis.com",
            {"name": "projects/1001/services/containerscanning.googleapis.com", "state": "ENABLED"},
        ),
        in_project(
            2,
            "serviceusage.googleapis.com/Service",
            "services/compute.googleapis.com",
            {"name": "projects/1002/services/compute.googleapis.com", "state": "ENABLED"},
        ),
    ]
    estate["rest"] = {
        "/v1/organizations/100/notificationConfigs": {
            "notificationConfigs": [
                {
                    "name": "organizations/100/notificationConfigs/high-findings",
                    "pubsubTopic": "projects/app-1/topics/scc-findings",
                    "streamingConfig": {"filter": 'severity="HIGH" OR severity="CRITICAL"'},
                }
            ]
        },
        "/v1/billingAccounts/0A1B2C-000000-ABCDEF/budgets": {
            "budgets": [
                {
                    "name": "billingAccounts/0A1B2C-000000-ABCDEF/budgets/team",
                    "budgetFilter": {"projects": ["projects/1001"]},
                    "thresholdRules": [{"thresholdPercent": 0.5}, {"thresholdPercent": 0.9, "spendBasis": "FORECASTED_SPEND"}],
                    "notificationsRule": {"monitoringNotificationChannels": [CHANNEL], "pubsubTopic": "projects/app-1/topics/budget"},
                },
                {
                    "name": "billingAccounts/0A1B2C-000000-ABCDEF/budgets/whole-bill",
                    "thresholdRules": [{"thresholdPercent": 1.0}],
                },
            ]
        },
    }
    return estate


def test_dashboards_and_what_they_show(gcp) -> None:
    gcp.load(observability_estate())
    result = scan(["monitoring.dashboard"], organization="100")
    assert result.one("monitoring.dashboard", "dashboards/checkout") == {"widgets": 2, "application_metrics": True}
    assert result.one("monitoring.dashboard", "dashboards/vms") == {"widgets": 1, "application_metrics": False}
    assert result.one("monitoring.dashboard", "dashboards/logs") == {"widgets": 1, "application_metrics": True}
    assert {c.status for c in result.coverage} == {"ok"}


def test_log_based_metrics_and_the_alerts_on_them(gcp) -> None:
    gcp.load(observability_estate())
    result = scan(["monitoring.metric_filter"], organization="100")
    found = {(f.scope, f.resource_id.rsplit("/", 1)[-1]): f.attributes for f in result.of("monitoring.metric_filter")}
    assert found[("app-1", "iam-changes")] == {
        "log_group": "projects/1001",
        "audit_log": True,
        "organization_audit_log": False,
        "alarmed": True,
    }
    assert found[("app-2", "iam-changes")]["alarmed"] is False, "an alert in app-1 watches app-1's metric, not app-2's of the same name"
    errors = found[("app-1", "checkout-errors")]
    assert errors["audit_log"] is False and errors["alarmed"] is False, "an alert policy without channels notifies nobody"
    # a metric over a log bucket reads an organisation's audit log only when an organisation-wide sink writes there
    bucket = found[("app-1", "bucket-audit")]
    assert bucket["log_group"].endswith("/buckets/audit") and bucket["organization_audit_log"] is False
    assert {c.status for c in result.coverage} == {"ok"}
    assert not [r for r in gcp.requests if r["path"].endswith(("/metrics", "/alertPolicies"))], "one inventory read, no per-project calls"


def test_a_metric_over_the_organisation_sinks_bucket_reads_the_organisation_audit_log(gcp) -> None:
    estate = observability_estate()
    bucket = next(a for a in estate["assets"] if a["name"].endswith("/metrics/bucket-audit"))["resource"]["data"]["bucketName"]
    sink = {
        "name": "org-audit",
        "destination": f"logging.googleapis.com/{bucket}",
        "includeChildren": True,
        "filter": 'logName:"cloudaudit"',
    }
    estate["assets"].append(
        {
            "name": "//logging.googleapis.com/organizations/100/sinks/org-audit",
            "assetType": "logging.googleapis.com/LogSink",
            "ancestors": ["organizations/100"],
            "resource": {"version": "v2", "data": sink, "location": "global"},
        }
    )
    gcp.load(estate)
    result = scan(["monitoring.metric_filter"], organization="100")
    found = {f.resource_id.rsplit("/", 1)[-1]: f.attributes for f in result.of("monitoring.metric_filter") if f.scope == "app-1"}
    assert found["bucket-audit"]["organization_audit_log"] is True
    assert found["iam-changes"]["organization_audit_log"] is False, "a metric without a bucket counts its project's own entries"


def test_refused_inventory_leaves_metrics_unknown_not_zero(gcp) -> None:
    estate = observability_estate()
    estate["faults"] = {"deny": [{"scope": "projects/app-2", "operation": "cloudasset.*"}]}
    gcp.load(estate)
    result = scan(["monitoring.metric_filter", "monitoring.dashboard", "artifact.registry_scanning"], projects="app-1,app-2")
    statuses = {(c.collector, c.scope): c.status for c in result.coverage}
    for collector in ("logging.metrics", "monitoring.dashboards", "serviceusage.container_scanning"):
        assert statuses[(collector, "app-2")] == "denied" and statuses[(collector, "app-1")] == "ok"
    assert not [f for f in result.facts if f.scope == "app-2"]


def test_scc_notification_configs_route_findings(gcp) -> None:
    gcp.load(observability_estate())
    result = scan(["monitoring.event_rule"], organization="100")
    (rule,) = result.of("monitoring.event_rule")
    assert rule.scope == "organizations/100" and rule.attributes == {"security_events": True, "targets": 1}
    estate = observability_estate()
    estate["faults"] = {"deny": [{"operation": "list v1/organizations/*/notificationConfigs"}]}
    gcp.load(estate)
    denied = scan(["monitoring.event_rule"], organization="100")
    assert denied.of("monitoring.event_rule") == [] and {c.status for c in denied.coverage} == {"denied"}


def test_container_scanning_per_project(gcp) -> None:
    gcp.load(observability_estate())
    result = scan(["artifact.registry_scanning"], organization="100")
    found = {f.scope: f.attributes for f in result.of("artifact.registry_scanning")}
    assert found["app-1"] == {"scan_type": "ENHANCED", "continuous": True}
    # the inventory holds the enabled services: a project without Container Scanning scans nothing
    assert found["app-2"] == found["app-3"] == {"scan_type": "none", "continuous": False}
    assert set(found) == {"app-1", "app-2", "app-3", "app-4"}


def test_budget_alerts_one_per_threshold(gcp) -> None:
    gcp.load(observability_estate())
    result = scan(["cost.budget_alert"])
    assert len(result.of("cost.budget_alert")) == 3
    forecast = result.one("cost.budget_alert", "team/FORECASTED_SPEND")
    # a channel, a topic and the billing role's email: whose the channel and topic are is not read
    assert forecast == {"budget_scoped": True, "forecast": True, "threshold": 90.0, "recipients": 3, "team_recipients": None}
    whole = result.one("cost.budget_alert", "whole-bill/")
    assert whole == {"budget_scoped": False, "forecast": False, "threshold": 100.0, "recipients": 1, "team_recipients": 0}


def team_channel_estate(address: str) -> dict:
    estate = observability_estate()
    estate["rest"]["/v3/projects/app-1/notificationChannels"] = {
        "notificationChannels": [{"name": CHANNEL, "type": "email", "displayName": "Alerts", "labels": {"email_address": address}}]
    }
    return estate


def test_a_budget_channel_naming_no_finance_function_reaches_a_team(gcp, tmp_path) -> None:
    """cost.spend: the team budget (scoped to app-1) alerts the app-1 team's address, so level 4 'Developers can see
    and consider costs.' is shown (a floor: whether the team manages cost together is for a person)."""
    from tests.aws.estates import explain
    from tests.gcp.support import answer

    gcp.load(team_channel_estate("app-1-team@example.gov.uk"))
    result = scan(["cost.budget_alert"])
    assert result.one("cost.budget_alert", "team/FORECASTED_SPEND")["team_recipients"] == 1
    assert any(r["path"].endswith("/projects/app-1/notificationChannels") for r in gcp.requests)
    assessed = answer(tmp_path, "cost.spend")
    assert assessed.status == "floor" and assessed.answer == 4, explain(assessed)


def test_a_finance_channel_and_an_unread_topic_leave_the_team_unknown(gcp) -> None:
    gcp.load(team_channel_estate("finance@example.gov.uk"))
    result = scan(["cost.budget_alert"])
    # the channel is finance's; the topic's subscribers are not read: no team found, none ruled out
    assert result.one("cost.budget_alert", "team/FORECASTED_SPEND")["team_recipients"] is None


def test_refused_channels_leave_the_team_unknown(gcp) -> None:
    estate = team_channel_estate("app-1-team@example.gov.uk")
    estate["faults"] = {"deny": [{"operation": "list v3/projects/*/notificationChannels"}]}
    gcp.load(estate)
    result = scan(["cost.budget_alert"])
    assert result.one("cost.budget_alert", "team/FORECASTED_SPEND")["team_recipients"] is None
    assert "denied" in {c.status for c in result.coverage}


def backup_estate() -> dict:
    estate = estates.org_estate()
    plan = "backupdr.googleapis.com/BackupPlan"
    vault = "backupdr.googleapis.com/BackupVault"
    estate["assets"] = [
        in_project(
            1,
            plan,
            "locations/europe-west2/backupPlans/daily",
            {
                "name": "projects/app-1/locations/europe-west2/backupPlans/daily",
                "backupVault": "projects/app-1/locations/europe-west2/backupVaults/vault",
                "resourceType": "compute.googleapis.com/Instance",
                "backupRules": [{"ruleId": "daily", "backupRetentionDays": 30}, {"ruleId": "monthly", "backupRetentionDays": 365}],
            },
            location="europe-west2",
        ),
        in_project(
            1,
            plan,
            "locations/europe-west2/backupPlans/offsite",
            {
                "name": "projects/app-1/locations/europe-west2/backupPlans/offsite",
                "backupVault": "projects/app-1/locations/europe-west1/backupVaults/dr",
                "backupRules": [{"ruleId": "weekly", "backupRetentionDays": 90}],
            },
            location="europe-west2",
        ),
        in_project(
            1,
            vault,
            "locations/europe-west2/backupVaults/vault",
            {
                "name": "projects/app-1/locations/europe-west2/backupVaults/vault",
                "backupMinimumEnforcedRetentionDuration": "2592000s",
                "effectiveTime": "2026-01-01T00:00:00Z",
                "backupCount": "42",
                "state": "ACTIVE",
            },
            location="europe-west2",
        ),
        in_project(
            1,
            vault,
            "locations/europe-west1/backupVaults/dr",
            {
                "name": "projects/app-1/locations/europe-west1/backupVaults/dr",
                "backupMinimumEnforcedRetentionDuration": "86400s",
                "state": "ACTIVE",
            },
            location="europe-west1",
        ),
    ]
    return estate


def test_backup_plans_and_vaults(gcp) -> None:
    gcp.load(backup_estate())
    result = scan(["storage.backup_plan", "storage.backup_vault"], projects="app-1")
    assert result.one("storage.backup_plan", "backupPlans/daily") == {"rules": 2, "max_retention_days": 365, "cross_region_copy": False}
    assert result.one("storage.backup_plan", "backupPlans/offsite")["cross_region_copy"] is True
    assert result.one("storage.backup_vault", "backupVaults/vault") == {"locked": True, "lock_mode": "compliance", "recovery_points": 42}
    # no effective time: the minimum retention holds, but it can still be lowered; no backups yet (zero is left out)
    assert result.one("storage.backup_vault", "backupVaults/dr") == {"locked": False, "lock_mode": "governance", "recovery_points": 0}
    assert {f.region for f in result.of("storage.backup_vault")} == {"europe-west2", "europe-west1"}


def test_refused_inventory_leaves_backups_unknown_not_zero(gcp) -> None:
    estate = backup_estate()
    estate["faults"] = {"deny": [{"scope": "projects/app-1", "operation": "cloudasset.*"}]}
    gcp.load(estate)
    result = scan(["storage.backup_plan", "storage.backup_vault"], projects="app-1,app-2")
    statuses = {(c.collector, c.scope): c.status for c in result.coverage}
    assert statuses[("backupdr.backup_plans", "app-1")] == "denied" and statuses[("backupdr.backup_vaults", "app-1")] == "denied"
    assert statuses[("backupdr.backup_plans", "app-2")] == "ok"
    assert result.facts == []


def test_configuration_recording_and_the_organisation_view(gcp) -> None:
    estate = estates.org_estate()
    estate["assets"] = [estates.instance("app-1", "web-1"), estates.instance("app-2", "web-2", zone="europe-west1-b")]
    gcp.load(estate)
    result = scan(["config.recorder", "config.aggregator"], organization="100")
    recorders = {(f.scope, f.region): f.attributes for f in result.of("config.recorder")}
    assert set(recorders) == {("app-1", "europe-west2"), ("app-2", "europe-west1")}
    recording = {"recording": True, "all_supported": True, "include_global": True, "remediation_available": False}
    assert all(a == recording for a in recorders.values())
    (aggregator,) = result.of("config.aggregator")
    assert aggregator.scope == "organizations/100" and aggregator.attributes == {"organization": True}
    # only projects scanned: no organisation-wide view is read, and none is claimed
    projects = scan(["config.aggregator"], projects="app-1")
    assert projects.of("config.aggregator") == []


def test_inventory_refused_leaves_recording_unknown(gcp) -> None:
    estate = estates.org_estate()
    estate["assets"] = [estates.instance("app-1", "web-1")]
    estate["faults"] = {"deny": [{"operation": "cloudasset.*"}]}
    gcp.load(estate)
    result = scan(["config.recorder"], organization="100")
    assert result.of("config.recorder") == [] and {c.status for c in result.coverage} == {"denied"}


def test_labelled_resources_from_the_inventory_search(gcp) -> None:
    estate = estates.org_estate()
    estate["assets"] = [
        estates.instance("app-1", "web-1", labels={"cost-centre": "cc-42", "env": "prod"}),
        estates.instance("app-2", "web-2", labels={"data-classification": "official"}),
    ]
    gcp.load(estate)
    result = scan(["inventory.resource"], organization="100")
    web1 = result.one("inventory.resource", "instances/web-1")
    assert web1["resource_type"] == "compute.googleapis.com/Instance" and web1["has_cost_tags"] is True
    assert web1["tag_keys"] == ["cost-centre", "env"] and web1["has_data_tags"] is False
    web2 = result.one("inventory.resource", "instances/web-2")
    assert web2["has_cost_tags"] is False and web2["has_data_tags"] is True
    assert {f.scope for f in result.of("inventory.resource") if "instances/" in f.resource_id} == {"app-1", "app-2"}
    searches = [r for r in gcp.requests if r["path"].endswith(":searchAllResources")]
    assert len(searches) == 1, "one search for the whole organisation"


def test_refused_search_leaves_labels_unknown(gcp) -> None:
    estate = estates.org_estate()
    estate["assets"] = [estates.instance("app-1", "web-1")]
    estate["faults"] = {"deny": [{"operation": "cloudasset.*"}]}
    gcp.load(estate)
    result = scan(["inventory.resource"], organization="100")
    assert result.of("inventory.resource") == [] and {c.status for c in result.coverage} == {"denied"}


def test_deployed_postures_are_security_standards(gcp) -> None:
    estate = estates.org_estate()
    estate["rest"] = {
        "/v1/organizations/100/locations/global/postureDeployments": {
            "postureDeployments": [
                {
                    "name": "organizations/100/locations/global/postureDeployments/cis",
                    "targetResource": "organizations/100",
                    "postureId": "organizations/100/locations/global/postures/cis-benchmark-v2",
                    "state": "ACTIVE",
                },
                {
                    "name": "organizations/100/locations/global/postureDeployments/pci",
                    "targetResource": "folders/11",
                    "postureId": "organizations/100/locations/global/postures/pci-dss",
                    "state": "CREATE_FAILED",
                },
            ]
        }
    }
    gcp.load(estate)
    result = scan(["security.standard"], organization="100")
    assert {f.attributes["name"]: f.attributes["enabled"] for f in result.of("security.standard")} == {
        "cis-benchmark-v2": True,
        "pci-dss": False,
    }
    estate["faults"] = {"deny": [{"operation": "list v1/organizations/*/locations/global/postureDeployments"}]}
    gcp.load(estate)
    denied = scan(["security.standard"], organization="100")
    assert denied.of("security.standard") == [] and {c.status for c in denied.coverage} == {"denied"}


def test_infrastructure_manager_deployments_are_stacks(gcp) -> None:
    estate = estates.org_estate()
    deployment = "config.googleapis.com/Deployment"
    estate["assets"] = [
        in_project(
            1,
            deployment,
            "locations/europe-west2/deployments/network",
            {"name": "projects/app-1/locations/europe-west2/deployments/network", "state": "ACTIVE", "updateTime": "2026-11-01T00:00:00Z"},
            location="europe-west2",
        ),
        in_project(
            1,
            deployment,
            "locations/europe-west2/deployments/old",
            {"name": "projects/app-1/locations/europe-west2/deployments/old", "state": "DELETED"},
            location="europe-west2",
        ),
    ]
    gcp.load(estate)
    result = scan(["iac.stack"], organization="100")
    (stack,) = result.of("iac.stack")
    assert stack.scope == "app-1" and stack.region == "europe-west2"
    assert stack.attributes["status"] == "ACTIVE" and stack.attributes["drift_status"] == "NOT_CHECKED"
    assert stack.attributes["age_days"] >= 30 and "termination_protection" not in stack.attributes


def test_cloud_deploy_stages_are_deployment_groups(gcp) -> None:
    estate = estates.org_estate()
    stages = [
        {"targetId": "staging", "strategy": {"standard": {"verify": True}}},
        {"targetId": "production", "strategy": {"canary": {"canaryDeployment": {"percentages": [10, 50], "verify": True}}}},
    ]
    estate["assets"] = [
        in_project(
            1,
            "clouddeploy.googleapis.com/DeliveryPipeline",
            "locations/europe-west2/deliveryPipelines/api",
            {"name": "projects/app-1/locations/europe-west2/deliveryPipelines/api", "serialPipeline": {"stages": stages}},
            location="europe-west2",
        )
    ]
    gcp.load(estate)
    result = scan(["cicd.deployment_group"], organization="100")
    found = {f.resource_id.rsplit("/", 1)[-1]: f.attributes for f in result.of("cicd.deployment_group")}
    # no automation: nothing rolls a failed rollout back, and a person advances the canary (test_cloud_deploy.py)
    assert found["staging"] == {"strategy": "rolling", "manual_cutover": False, "auto_rollback": False, "alarm_rollback": False}
    assert found["production"] == {"strategy": "canary", "manual_cutover": True, "auto_rollback": False, "alarm_rollback": False}
    assert {f.region for f in result.of("cicd.deployment_group")} == {"europe-west2"}
