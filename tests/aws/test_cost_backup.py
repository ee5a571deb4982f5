"""Budgets, cost-anomaly monitors, billing data exports, AWS Backup plans and vaults, EBS volumes."""

from __future__ import annotations

import boto3

from tests.aws.fixture_server import recorded, serving
from tests.aws.support import scan

REGION = "eu-west-2"
ACCOUNT = "123456789012"


def test_budgets_and_notifications(aws) -> None:
    budgets = boto3.client("budgets", "us-east-1")
    limit = {"BudgetLimit": {"Amount": "100", "Unit": "USD"}, "TimeUnit": "MONTHLY", "BudgetType": "COST"}
    forecast = {"NotificationType": "FORECASTED", "ComparisonOperator": "GREATER_THAN", "Threshold": 80}
    email = [{"SubscriptionType": "EMAIL", "Address": "team@example.gov.uk"}]
    budgets.create_budget(
        AccountId=ACCOUNT,
        Budget={"BudgetName": "ec2", **limit, "CostFilters": {"Service": ["Amazon Elastic Compute Cloud - Compute"]}},
        NotificationsWithSubscribers=[{"Notification": forecast, "Subscribers": email}],
    )
    budgets.create_budget(AccountId=ACCOUNT, Budget={"BudgetName": "whole-bill", **limit})

    result = scan(["cost.budget"])

    assert result.one("cost.budget", "budget/ec2") == {"budget_type": "COST", "notifications": 1, "forecast_alert": True, "scoped": True}
    assert result.one("cost.budget", "budget/whole-bill") == {
        "budget_type": "COST",
        "notifications": 0,
        "forecast_alert": False,
        "scoped": False,
    }
    assert {f.region for f in result.of("cost.budget")} == {"global"}


def test_anomaly_monitors_from_recorded_responses(aws, monkeypatch) -> None:
    routes = {
        "GetAnomalyMonitors": [(200, recorded("ce-get-anomaly-monitors.json"))],
        "GetAnomalySubscriptions": [(200, recorded("ce-get-anomaly-subscriptions.json"))],
    }
    with serving(monkeypatch, "COST_EXPLORER", routes):
        result = scan(["cost.anomaly_monitor"])
    assert result.one("cost.anomaly_monitor", "11111111") == {"monitor_type": "DIMENSIONAL", "subscriptions": 1}
    assert result.one("cost.anomaly_monitor", "33333333") == {"monitor_type": "CUSTOM", "subscriptions": 0}


def test_anomaly_subscriptions_denied_leaves_the_count_unknown(aws, monkeypatch) -> None:
    denied = {"__type": "AccessDeniedException", "message": "not authorized to perform: ce:GetAnomalySubscriptions"}
    routes = {"GetAnomalyMonitors": [(200, recorded("ce-get-anomaly-monitors.json"))], "GetAnomalySubscriptions": [(400, denied)]}
    with serving(monkeypatch, "COST_EXPLORER", routes):
        result = scan(["cost.anomaly_monitor"])
    assert result.one("cost.anomaly_monitor", "11111111") == {"monitor_type": "DIMENSIONAL", "subscriptions": None}
    assert result.status("ce.anomaly_monitors") == {"ok"}
    assert result.status("ce.anomaly_monitors/join:anomaly_subscribed_monitors") == {"denied"}


def _export(name: str, query: str, tables: dict) -> dict:
    """An export as GetExport returns it (the API reference's shape)."""
    arn = f"arn:aws:bcm-data-exports:us-east-1:{ACCOUNT}:export/{name}-0123"
    s3 = {
        "S3Bucket": "billing",
        "S3Prefix": name,
        "S3Region": REGION,
        "S3OutputConfigurations": {"OutputType": "CUSTOM", "Format": "PARQUET"},
    }
    return {
        "Export": {
            "ExportArn": arn,
            "Name": name,
            "DataQuery": {"QueryStatement": query, "TableConfigurations": tables},
            "DestinationConfigurations": {"S3Destination": s3},
            "RefreshCadence": {"Frequency": "SYNCHRONOUS"},
        },
        "ExportStatus": {"StatusCode": "HEALTHY"},
    }


EXPORTS = [
    _export("cur2", "SELECT line_item_unblended_cost FROM COST_AND_USAGE_REPORT", {"COST_AND_USAGE_REPORT": {"TIME_GRANULARITY": "DAILY"}}),
    _export("carbon", "SELECT total_mbm_emissions_value FROM CARBON_EMISSIONS", {"CARBON_EMISSIONS": {}}),
    _export("focus", "SELECT BilledCost FROM FOCUS_1_0_AWS", {"FOCUS_1_0_AWS": {}}),
]
LISTED = {
    "Exports": [
        {"ExportArn": e["Export"]["ExportArn"], "ExportName": e["Export"]["Name"], "ExportStatus": e["ExportStatus"]} for e in EXPORTS
    ]
}


def test_data_exports_table_granularity_and_carbon(aws, monkeypatch) -> None:
    """Each export's table from its query, its granularity from the table's configuration (carbon data is
    monthly); a FOCUS export without TIME_GRANULARITY has an unknown granularity, not a made-up one."""
    routes = {"ListExports": [(200, LISTED)], "GetExport": [(200, e) for e in EXPORTS]}
    with serving(monkeypatch, "BCM_DATA_EXPORTS", routes):
        result = scan(["cost.data_export"])
    assert result.one("cost.data_export", "export/cur2") == {"table": "cost_and_usage", "granularity": "daily", "carbon": False}
    assert result.one("cost.data_export", "export/carbon") == {"table": "carbon_emissions", "granularity": "monthly", "carbon": True}
    assert result.one("cost.data_export", "export/focus") == {"table": "focus", "granularity": None, "carbon": False}
    assert {f.region for f in result.of("cost.data_export")} == {"global"}
    assert result.status("dataexports.exports") == {"ok"}


def test_data_exports_unreadable_export_is_unknown(aws, monkeypatch) -> None:
    """Listed but GetExport refused: the export is there, what it holds is unknown (never 'not carbon')."""
    denied = {"__type": "AccessDeniedException", "message": "not authorized to perform: bcm-data-exports:GetExport"}
    with serving(monkeypatch, "BCM_DATA_EXPORTS", {"ListExports": [(200, LISTED)], "GetExport": [(400, denied)]}):
        result = scan(["cost.data_export"])
    assert result.one("cost.data_export", "export/carbon") == {"table": None, "granularity": None, "carbon": None}
    assert result.status("dataexports.exports") == {"ok"}
    assert result.status("dataexports.exports/get_export") == {"denied"}


def test_legacy_cost_and_usage_reports(aws, monkeypatch) -> None:
    report = {
        "ReportName": "hourly-cur",
        "TimeUnit": "HOURLY",
        "Format": "Parquet",
        "Compression": "Parquet",
        "AdditionalSchemaElements": ["RESOURCES"],
        "S3Bucket": "billing",
        "S3Prefix": "cur",
        "S3Region": REGION,
    }
    with serving(monkeypatch, "COST_AND_USAGE_REPORT_SERVICE", {"DescribeReportDefinitions": [(200, {"ReportDefinitions": [report]})]}):
        result = scan(["cost.data_export"])
    assert result.one("cost.data_export", "definition/hourly-cur") == {"table": "cost_and_usage", "granularity": "hourly", "carbon": False}
    assert result.status("cur.report_definitions") == {"ok"}


def test_backup_plans_and_vaults(aws) -> None:
    backup = boto3.client("backup", REGION)
    backup.create_backup_vault(BackupVaultName="locked")
    backup.put_backup_vault_lock_configuration(BackupVaultName="locked", MinRetentionDays=7)
    backup.create_backup_vault(BackupVaultName="open")
    copy = {"DestinationBackupVaultArn": "arn:aws:backup:eu-west-1:123456789012:backup-vault:dr", "Lifecycle": {"DeleteAfterDays": 90}}
    rules = [
        {"RuleName": "daily", "TargetBackupVaultName": "locked", "Lifecycle": {"DeleteAfterDays": 35}, "CopyActions": [copy]},
        {"RuleName": "monthly", "TargetBackupVaultName": "locked", "Lifecycle": {"DeleteAfterDays": 365}},
    ]
    backup.create_backup_plan(BackupPlan={"BackupPlanName": "copied", "Rules": rules})
    backup.create_backup_plan(BackupPlan={"BackupPlanName": "forever", "Rules": [{"RuleName": "keep", "TargetBackupVaultName": "open"}]})

    result = scan(["storage.backup_plan", "storage.backup_vault"])

    plans = {f.attributes["rules"]: f.attributes for f in result.of("storage.backup_plan")}
    assert plans[2] == {"rules": 2, "cross_region_copy": True, "max_retention_days": 365}
    assert plans[1] == {"rules": 1, "cross_region_copy": False, "max_retention_days": 0}
    assert result.one("storage.backup_vault", "vault:locked") == {"locked": True, "lock_mode": "governance", "recovery_points": 0}
    assert result.one("storage.backup_vault", "vault:open") == {"locked": False, "lock_mode": "none", "recovery_points": 0}


def test_volumes(aws) -> None:
    ec2 = boto3.client("ec2", REGION)
    encrypted = ec2.create_volume(Size=1, AvailabilityZone="eu-west-2a", Encrypted=True, VolumeType="gp3")["VolumeId"]
    plain = ec2.create_volume(Size=1, AvailabilityZone="eu-west-2a", VolumeType="gp2")["VolumeId"]
    instance = ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1, Placement={"AvailabilityZone": "eu-west-2a"})["Instances"][
        0
    ]
    ec2.attach_volume(VolumeId=plain, InstanceId=instance["InstanceId"], Device="/dev/sdf")

    result = scan(["storage.volume"])

    assert result.one("storage.volume", encrypted) == {"encrypted": True, "attached": False, "volume_type": "gp3"}
    assert result.one("storage.volume", plain) == {"encrypted": False, "attached": True, "volume_type": "gp2"}
