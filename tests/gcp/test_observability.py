"""Dashboards, log-based metrics and the alerts on them, SCC notification configs, container scanning and budget
alerts: read with the real transport against the emulator; a refused read leaves the evidence unknown, never zero."""

from __future__ import annotations

from tests.gcp import estates
from tests.gcp.support import scan

CHANNEL = "projects/app-1/notificationChannels/9"


def observability_estate() -> dict:
    estate = estates.org_estate()
    estate["assets"] = [
        estates.asset(
            f"//cloudbilling.googleapis.com/projects/app-{i}/billingInfo",
            "cloudbilling.googleapis.com/ProjectBillingInfo",
            {"name": f"projects/app-{i}/billingInfo", "billingAccountName": "billingAccounts/0A1B2C-000000-ABCDEF", "billingEnabled": True},
        )
        for i in range(1, 5)
    ]
    estate["rest"] = {
        "/v1/projects/app-1/dashboards": {
            "dashboards": [
                {
                    "name": "projects/1001/dashboards/checkout",
                    "mosaicLayout": {
                        "tiles": [
                            {
                                "widget": {
                                    "xyChart": {
                                        "dataSets": [
                                            {
                                                "timeSeriesQuery": {
                                                    "timeSeriesFilter": {"filter": 'metric.type="custom.googleapis.com/checkout/latency"'}
                                                }
                                            }
                                        ]
                                    }
                                }
                            },
                            {"widget": {"text": {"content": "Runbook: ..."}}},
                        ]
                    },
                },
                {
                    "name": "projects/1001/dashboards/vms",
                    "gridLayout": {
                        "widgets": [
                            {
                                "scorecard": {
                                    "timeSeriesQuery": {
                                        "timeSeriesFilter": {"filter": 'metric.type="compute.googleapis.com/instance/cpu/utilization"'}
                                    }
                                }
                            }
                        ]
                    },
                },
                {
                    "name": "projects/1001/dashboards/logs",
                    "rowLayout": {"rows": [{"widgets": [{"logsPanel": {"filter": "severity>=ERROR"}}]}]},
                },
            ]
        },
        "/v2/projects/app-1/metrics": {
            "metrics": [
                {
                    "name": "iam-changes",
                    "filter": 'logName:"cloudaudit.googleapis.com%2Factivity" AND protoPayload.methodName:"SetIamPolicy"',
                },
                {"name": "checkout-errors", "filter": 'resource.type="cloud_run_revision" AND severity>=ERROR'},
                {
                    "name": "bucket-audit",
                    "filter": 'logName:"cloudaudit.googleapis.com"',
                    "bucketName": "projects/app-1/locations/global/buckets/audit",
                },
            ]
        },
        "/v3/projects/app-1/alertPolicies": {
            "alertPolicies": [
                {
                    "name": "projects/app-1/alertPolicies/1",
                    "enabled": True,
                    "notificationChannels": [CHANNEL],
                    "conditions": [
                        {
                            "conditionThreshold": {
                                "filter": 'metric.type="logging.googleapis.com/user/iam-changes" AND resource.type="global"'
                            }
                        }
                    ],
                },
                {
                    # watches checkout-errors but reaches nobody: not an alarm that acts
                    "name": "projects/app-1/alertPolicies/2",
                    "enabled": True,
                    "conditions": [{"conditionThreshold": {"filter": 'metric.type="logging.googleapis.com/user/checkout-errors"'}}],
                },
            ]
        },
        "/v1/organizations/100/notificationConfigs": {
            "notificationConfigs": [
                {
                    "name": "organizations/100/notificationConfigs/high-findings",
                    "pubsubTopic": "projects/app-1/topics/scc-findings",
                    "streamingConfig": {"filter": 'severity="HIGH" OR severity="CRITICAL"'},
                }
            ]
        },
        "/v1/projects/app-1/services": {
            "services": [{"name": "projects/1001/services/containerscanning.googleapis.com", "state": "ENABLED"}]
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
    result = scan(["monitoring.dashboard"], projects="app-1")
    assert result.one("monitoring.dashboard", "dashboards/checkout") == {"widgets": 2, "application_metrics": True}
    assert result.one("monitoring.dashboard", "dashboards/vms") == {"widgets": 1, "application_metrics": False}
    assert result.one("monitoring.dashboard", "dashboards/logs") == {"widgets": 1, "application_metrics": True}
    assert {c.status for c in result.coverage} == {"ok"}


def test_log_based_metrics_and_the_alerts_on_them(gcp) -> None:
    gcp.load(observability_estate())
    result = scan(["monitoring.metric_filter"], projects="app-1")
    assert result.one("monitoring.metric_filter", "metrics/iam-changes") == {
        "log_group": "projects/app-1",
        "audit_log": True,
        "organization_audit_log": False,
        "alarmed": True,
    }
    errors = result.one("monitoring.metric_filter", "metrics/checkout-errors")
    assert errors["audit_log"] is False and errors["alarmed"] is False, "an alert policy without channels notifies nobody"
    # a metric over a log bucket may read an organisation sink's logs: not resolved, so unknown
    bucket = result.one("monitoring.metric_filter", "metrics/bucket-audit")
    assert bucket["log_group"].endswith("/buckets/audit") and bucket["organization_audit_log"] is None
    reads = [r for r in gcp.requests if r["path"].endswith("/alertPolicies")]
    assert len(reads) == 1


def test_refused_alert_policies_leave_alarmed_unknown_not_false(gcp) -> None:
    estate = observability_estate()
    estate["faults"] = {"deny": [{"operation": "list v3/projects/*/alertPolicies"}]}
    gcp.load(estate)
    result = scan(["monitoring.metric_filter"], projects="app-1")
    assert {f.attributes["alarmed"] for f in result.of("monitoring.metric_filter")} == {None}
    statuses = {c.collector: c.status for c in result.coverage}
    assert statuses["logging.metrics"] == "ok" and "denied" in statuses.values()


def test_denied_or_disabled_reads_are_unknown_not_zero(gcp) -> None:
    estate = observability_estate()
    estate["faults"] = {"deny": [{"scope": "projects/app-2", "operation": "* v2/projects/*/metrics"}]}
    estate["disabled_apis"] = [{"service": "monitoring.googleapis.com", "projects": ["app-3"]}]
    gcp.load(estate)
    result = scan(["monitoring.metric_filter", "monitoring.dashboard"])
    metrics = {c.scope: c.status for c in result.coverage if c.collector == "logging.metrics"}
    dashboards = {c.scope: c.status for c in result.coverage if c.collector == "monitoring.dashboards"}
    assert metrics["app-2"] == "denied" and metrics["app-1"] == "ok"
    assert dashboards["app-3"] == "denied" and dashboards["app-4"] == "ok"
    assert not [f for f in result.facts if f.scope in ("app-2", "app-3") and f.type != "monitoring.metric_filter"]


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
    estate = observability_estate()
    estate["faults"] = {"deny": [{"scope": "projects/app-3", "operation": "get v1/projects/*/services/*"}]}
    gcp.load(estate)
    result = scan(["artifact.registry_scanning"])
    found = {f.scope: f.attributes for f in result.of("artifact.registry_scanning")}
    assert found["app-1"] == {"scan_type": "ENHANCED", "continuous": True}
    assert found["app-2"] == {"scan_type": "none", "continuous": False}, "Service Usage answers DISABLED for an API never turned on"
    assert "app-3" not in found
    assert {c.scope: c.status for c in result.coverage}["app-3"] == "denied"


def test_budget_alerts_one_per_threshold(gcp) -> None:
    gcp.load(observability_estate())
    result = scan(["cost.budget_alert"])
    assert len(result.of("cost.budget_alert")) == 3
    forecast = result.one("cost.budget_alert", "team/FORECASTED_SPEND")
    # a channel, a topic and the billing role's email: whose the channel and topic are is not read
    assert forecast == {"budget_scoped": True, "forecast": True, "threshold": 90.0, "recipients": 3, "team_recipients": None}
    whole = result.one("cost.budget_alert", "whole-bill/")
    assert whole == {"budget_scoped": False, "forecast": False, "threshold": 100.0, "recipients": 1, "team_recipients": 0}
