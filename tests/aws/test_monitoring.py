"""CloudWatch alarms and dashboards, log metric filters, EventBridge rules."""

from __future__ import annotations

import json

import boto3

from tests.aws.fixture_server import serving
from tests.aws.support import scan

REGION = "eu-west-2"
TOPIC = "arn:aws:sns:eu-west-2:123456789012:alerts"
FACTS = ["monitoring.alarm", "monitoring.dashboard", "monitoring.metric_filter", "monitoring.event_rule"]


def _metrics(*rows: list[str]) -> dict:
    return {"type": "metric", "properties": {"metrics": list(rows), "region": REGION, "period": 300}}


def test_monitoring(aws) -> None:
    cw = boto3.client("cloudwatch", REGION)
    common = {"EvaluationPeriods": 1, "Period": 60, "Statistic": "Average", "Threshold": 1.0}
    cw.put_metric_alarm(
        AlarmName="cpu",
        MetricName="CPUUtilization",
        Namespace="AWS/EC2",
        ComparisonOperator="GreaterThanThreshold",
        AlarmActions=[TOPIC],
        **common,
    )
    cw.put_metric_alarm(AlarmName="orders", MetricName="Orders", Namespace="Shop", ComparisonOperator="LessThanThreshold", **common)
    latency = {"Id": "m1", "MetricStat": {"Metric": {"Namespace": "Shop", "MetricName": "Latency"}, "Period": 60, "Stat": "Average"}}
    cw.put_metric_alarm(
        AlarmName="latency-band",
        EvaluationPeriods=1,
        ComparisonOperator="LessThanLowerOrGreaterThanUpperThreshold",
        ThresholdMetricId="band",
        Metrics=[latency, {"Id": "band", "Expression": "ANOMALY_DETECTION_BAND(m1, 2)"}],
        AlarmActions=[TOPIC],
    )
    cw.put_dashboard(DashboardName="service", DashboardBody=json.dumps({"widgets": []}))
    cw.put_dashboard(DashboardName="traces", DashboardBody=json.dumps({"widgets": [_metrics(["AWS/X-Ray", "ApproximateTraceCount"])]}))
    cw.put_dashboard(
        DashboardName="hosts", DashboardBody=json.dumps({"widgets": [_metrics(["AWS/EC2", "CPUUtilization"], ["...", "i-2"])]})
    )
    cw.put_dashboard(
        DashboardName="shop",
        DashboardBody=json.dumps({"widgets": [_metrics(["AWS/EC2", "CPUUtilization"], [".", "NetworkIn"], ["Shop", "Orders"])]}),
    )
    cw.put_dashboard(
        DashboardName="logs", DashboardBody=json.dumps({"widgets": [{"type": "log", "properties": {"query": "fields @message"}}]})
    )
    logs = boto3.client("logs", REGION)
    logs.create_log_group(logGroupName="/app/web")
    transform = [{"metricName": "Errors", "metricNamespace": "Shop", "metricValue": "1"}]
    logs.put_metric_filter(logGroupName="/app/web", filterName="errors", filterPattern="ERROR", metricTransformations=transform)
    events = boto3.client("events", REGION)
    events.put_rule(Name="findings", EventPattern=json.dumps({"source": ["aws.guardduty"], "detail-type": ["GuardDuty Finding"]}))
    events.put_targets(Rule="findings", Targets=[{"Id": "sns", "Arn": TOPIC}])
    events.create_event_bus(Name="apps")
    events.put_rule(Name="nightly", ScheduleExpression="rate(1 day)", EventBusName="default")
    events.put_rule(Name="orders", EventPattern=json.dumps({"source": ["shop.orders"]}), EventBusName="apps")

    result = scan(FACTS)

    assert result.one("monitoring.alarm", "alarm:cpu") == {
        "has_actions": True,
        "namespace": "AWS/EC2",
        "custom_metric": False,
        "composite": False,
        "anomaly_detection": False,
    }
    orders = result.one("monitoring.alarm", "alarm:orders")
    assert orders["has_actions"] is False and orders["custom_metric"] is True and orders["namespace"] == "Shop"
    band = result.one("monitoring.alarm", "alarm:latency-band")
    assert band["anomaly_detection"] is True and band["namespace"] == "Shop" and band["custom_metric"] is True
    assert result.one("monitoring.dashboard", "dashboard/service") == {"widgets": 0, "application_metrics": False}
    assert result.one("monitoring.dashboard", "dashboard/hosts") == {"widgets": 1, "application_metrics": False}
    assert result.one("monitoring.dashboard", "dashboard/shop") == {"widgets": 1, "application_metrics": True}
    assert result.one("monitoring.dashboard", "dashboard/traces") == {"widgets": 1, "application_metrics": True}
    assert result.one("monitoring.dashboard", "dashboard/logs") == {"widgets": 1, "application_metrics": True}
    assert result.one("monitoring.metric_filter", "/app/web:metric-filter:errors") == {
        "log_group": "/app/web",
        "audit_log": False,
        "organization_audit_log": False,
        "alarmed": False,  # the alarm on Shop/Orders does not act, and nothing watches Shop/Errors
    }
    assert result.one("monitoring.event_rule", "rule/findings") == {"security_events": True, "targets": 1}
    assert result.one("monitoring.event_rule", "rule/nightly") == {"security_events": False, "targets": 0}
    assert result.one("monitoring.event_rule", "rule/apps/orders")["security_events"] is False
    assert {c.status for c in result.coverage} == {"ok"}


def test_dashboard_body_denied_is_unknown(aws, monkeypatch) -> None:
    from tests.aws.estates import deny

    boto3.client("cloudwatch", REGION).put_dashboard(
        DashboardName="shop", DashboardBody=json.dumps({"widgets": [_metrics(["Shop", "Orders"])]})
    )
    deny(monkeypatch, "cloudwatch:GetDashboard")
    result = scan(["monitoring.dashboard"])
    assert result.one("monitoring.dashboard", "dashboard/shop") == {"widgets": None, "application_metrics": None}  # unread, not "none"
    # moto answers a denied CloudWatch call with an XML error botocore cannot parse as AccessDenied: "error", not "denied"
    assert result.status("cloudwatch.dashboards/get_dashboard") in ({"denied"}, {"error"})


def test_alarmed_metric_filters_on_the_audit_trails_log_group(aws) -> None:
    """CIS-style checks: a metric filter over the log group a trail delivers to, whose metric an acting alarm watches."""
    logs = boto3.client("logs", REGION)
    logs.create_log_group(logGroupName="org-trail-events")
    logs.create_log_group(logGroupName="/app/web")
    group_arn = logs.describe_log_groups(logGroupNamePrefix="org-trail-events")["logGroups"][0]["arn"]
    iam = boto3.client("iam")
    role = iam.create_role(RoleName="trail-to-logs", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}))
    s3 = boto3.client("s3", REGION)
    s3.create_bucket(Bucket="audit-archive", CreateBucketConfiguration={"LocationConstraint": REGION})
    trail = boto3.client("cloudtrail", REGION)
    trail.create_trail(
        Name="org-trail",
        S3BucketName="audit-archive",
        IsMultiRegionTrail=True,
        CloudWatchLogsLogGroupArn=group_arn,
        CloudWatchLogsRoleArn=role["Role"]["Arn"],
    )
    for name, group in (("root-usage", "org-trail-events"), ("console-no-mfa", "org-trail-events"), ("errors", "/app/web")):
        transform = [{"metricName": name, "metricNamespace": "Security", "metricValue": "1"}]
        logs.put_metric_filter(logGroupName=group, filterName=name, filterPattern="{ $.x = 1 }", metricTransformations=transform)
    cw = boto3.client("cloudwatch", REGION)
    common = {"EvaluationPeriods": 1, "Period": 60, "Statistic": "Sum", "Threshold": 1.0}
    common["ComparisonOperator"] = "GreaterThanOrEqualToThreshold"
    cw.put_metric_alarm(AlarmName="root-usage", MetricName="root-usage", Namespace="Security", AlarmActions=[TOPIC], **common)
    cw.put_metric_alarm(AlarmName="console-no-mfa", MetricName="console-no-mfa", Namespace="Security", **common)  # no action
    cw.put_metric_alarm(AlarmName="errors", MetricName="errors", Namespace="Security", AlarmActions=[TOPIC], **common)

    result = scan(["monitoring.metric_filter"])

    root = result.one("monitoring.metric_filter", "org-trail-events:metric-filter:root-usage")
    assert (root["audit_log"], root["organization_audit_log"], root["alarmed"]) == (True, False, True)
    assert result.one("monitoring.metric_filter", "org-trail-events:metric-filter:console-no-mfa")["alarmed"] is False
    errors = result.one("monitoring.metric_filter", "/app/web:metric-filter:errors")
    assert (errors["audit_log"], errors["alarmed"]) == (False, True)
    assert {c.status for c in result.coverage} == {"ok"}


def test_incident_manager_response_plans(aws, monkeypatch) -> None:
    """Response plans read from Incident Manager (moto has none): engagements, runbook and chat channel of each."""
    arn = "arn:aws:ssm-incidents::123456789012:response-plan/outage"
    plan = {
        "arn": arn,
        "name": "outage",
        "incidentTemplate": {"title": "Outage", "impact": 1},
        "engagements": [
            "arn:aws:ssm-contacts:eu-west-2:123456789012:contact/primary",
            "arn:aws:ssm-contacts:eu-west-2:123456789012:contact/backup",
        ],
        "actions": [{"ssmAutomation": {"documentName": "runbook", "roleArn": "arn:aws:iam::123456789012:role/runbook"}}],
        "chatChannel": {"chatbotSns": ["arn:aws:sns:eu-west-2:123456789012:responders"]},
    }
    routes = {
        "POST /listResponsePlans": [(200, {"responsePlanSummaries": [{"arn": arn, "name": "outage"}]})],
        "GET /getResponsePlan": [(200, plan)],
    }
    with serving(monkeypatch, "SSM_INCIDENTS", routes) as server:
        result = scan(["ops.response_plan"])
    assert result.one("ops.response_plan", "response-plan/outage") == {"engagements": 2, "runbook": True, "chat_channel": True}
    assert result.status("incidents.plans") == {"ok"}
    assert ("GET /getResponsePlan", {}) in server.requests


def test_incident_manager_plan_without_engagements_reads_as_none(aws, monkeypatch) -> None:
    arn = "arn:aws:ssm-incidents::123456789012:response-plan/quiet"
    plan = {"arn": arn, "name": "quiet", "incidentTemplate": {"title": "Quiet", "impact": 5}, "chatChannel": {"empty": {}}}
    routes = {
        "POST /listResponsePlans": [(200, {"responsePlanSummaries": [{"arn": arn, "name": "quiet"}]})],
        "GET /getResponsePlan": [(200, plan)],
    }
    with serving(monkeypatch, "SSM_INCIDENTS", routes):
        result = scan(["ops.response_plan"])
    assert result.one("ops.response_plan", "response-plan/quiet") == {"engagements": 0, "runbook": False, "chat_channel": False}


def test_incident_manager_listing_denied(aws, monkeypatch) -> None:
    denied = {"__type": "AccessDeniedException", "message": "User is not authorized to perform: ssm-incidents:ListResponsePlans"}
    with serving(monkeypatch, "SSM_INCIDENTS", {"POST /listResponsePlans": [(403, denied)]}):
        result = scan(["ops.response_plan"])
    assert result.of("ops.response_plan") == []
    assert result.status("incidents.plans") == {"denied"}
