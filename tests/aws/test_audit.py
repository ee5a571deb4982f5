"""CloudTrail trails and AWS Config: recorders, rules, conformance packs, aggregators."""

from __future__ import annotations

import boto3

from tests.aws.fixture_server import recorded, serving
from tests.aws.support import scan

REGION = "eu-west-2"
LOCATION = {"CreateBucketConfiguration": {"LocationConstraint": REGION}}
KEY = "arn:aws:kms:eu-west-2:123456789012:key/11111111-2222-3333-4444-555555555555"


def test_trails(aws) -> None:
    s3 = boto3.client("s3", REGION)
    s3.create_bucket(Bucket="trail-locked", ObjectLockEnabledForBucket=True, **LOCATION)
    s3.create_bucket(Bucket="trail-plain", **LOCATION)
    ct = boto3.client("cloudtrail", REGION)
    ct.create_trail(Name="main", S3BucketName="trail-locked", IsMultiRegionTrail=True, EnableLogFileValidation=True, KmsKeyId=KEY)
    ct.start_logging(Name="main")
    ct.create_trail(Name="data-only", S3BucketName="trail-plain")
    ct.put_event_selectors(TrailName="data-only", EventSelectors=[{"ReadWriteType": "All", "IncludeManagementEvents": False}])
    # a multi-region trail shows in other regions too: it must still be one fact
    result = scan(["audit.trail"], regions=(REGION, "us-east-1"))

    assert len(result.of("audit.trail")) == 2
    assert result.one("audit.trail", "trail/main") == {
        "multi_region": True,
        "organization_trail": False,
        "log_validation": True,
        "logging": True,
        "management_events": True,
        "kms_encrypted": True,
        "destination_locked": True,
        "home_region": REGION,
    }
    data_only = result.one("audit.trail", "trail/data-only")
    assert data_only["logging"] is False and data_only["management_events"] is False
    assert data_only["destination_locked"] is False and data_only["kms_encrypted"] is False
    assert result.status("cloudtrail.trails") == {"ok"}


def test_advanced_selectors_count_management_events(aws) -> None:
    boto3.client("s3", REGION).create_bucket(Bucket="trail-bucket", **LOCATION)
    ct = boto3.client("cloudtrail", REGION)
    ct.create_trail(Name="advanced", S3BucketName="trail-bucket")
    selector = {"Name": "mgmt", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]}
    ct.put_event_selectors(TrailName="advanced", AdvancedEventSelectors=[selector])
    assert scan(["audit.trail"]).one("audit.trail", "advanced")["management_events"] is True


def test_config_recorder_rules_and_aggregator(aws) -> None:
    cfg = boto3.client("config", REGION)
    boto3.client("s3", REGION).create_bucket(Bucket="config-bucket", **LOCATION)
    group = {"allSupported": True, "includeGlobalResourceTypes": True}
    cfg.put_configuration_recorder(
        ConfigurationRecorder={"name": "default", "roleARN": "arn:aws:iam::123456789012:role/config", "recordingGroup": group}
    )
    cfg.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": "config-bucket"})
    cfg.start_configuration_recorder(ConfigurationRecorderName="default")
    cfg.put_config_rule(
        ConfigRule={"ConfigRuleName": "s3-versioning", "Source": {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"}}
    )
    source = {"OrganizationAggregationSource": {"RoleArn": "arn:aws:iam::123456789012:role/agg", "AllAwsRegions": True}}
    cfg.put_configuration_aggregator(ConfigurationAggregatorName="org", **source)

    result = scan(["config.recorder", "config.rule", "config.aggregator"])

    assert result.one("config.recorder", "default") == {"recording": True, "all_supported": True, "include_global": True}
    assert result.one("config.rule", "config-rule") == {
        "name": "s3-versioning",
        "source": "managed",
        "identifier": "S3_BUCKET_VERSIONING_ENABLED",
        "conformance_pack": False,
    }
    assert result.one("config.aggregator", "config-aggregator")["organization"] is True


def test_no_recorder_is_a_region_not_recording(aws) -> None:
    """A region without a recorder is read and off: one fact, so recorder shares are shares of account-regions."""
    result = scan(["config.recorder"])
    (fact,) = result.of("config.recorder")
    assert fact.resource_id == "arn:aws:config:eu-west-2:123456789012:config-recorder/none"
    assert fact.attributes == {"recording": False, "all_supported": False, "include_global": False}
    assert result.status("config.recorders") == {"ok"}


def test_conformance_packs_from_a_recorded_response(aws, monkeypatch) -> None:
    routes = {"DescribeConformancePacks": [(200, recorded("config-describe-conformance-packs.json"))]}
    with serving(monkeypatch, "CONFIG_SERVICE", routes) as server:
        result = scan(["config.conformance_pack"])
    assert result.one("config.conformance_pack", "ncsc") == {"name": "operational-best-practices-for-ncsc"}
    assert [key for key, _ in server.requests] == ["DescribeConformancePacks"]


def _config_rule(name: str, identifier: str | None) -> dict:
    source = (
        {"Owner": "AWS", "SourceIdentifier": identifier}
        if identifier
        else {"Owner": "CUSTOM_LAMBDA", "SourceIdentifier": "arn:aws:lambda:eu-west-2:123456789012:function:check"}
    )
    return {
        "ConfigRuleName": name,
        "ConfigRuleArn": f"arn:aws:config:eu-west-2:123456789012:config-rule/config-rule-{name}",
        "Source": source,
    }


def _remediation(rule: str, automatic: bool) -> dict:
    arn = f"arn:aws:config:eu-west-2:123456789012:remediation-configuration/{rule}/0000"
    return {
        "ConfigRuleName": rule,
        "TargetType": "SSM_DOCUMENT",
        "TargetId": "AWS-ConfigureS3BucketVersioning",
        "Automatic": automatic,
        "Arn": arn,
    }


def test_remediations_one_call_per_page_of_rules(aws, monkeypatch) -> None:
    """Moto has no remediation API: served. 26 rules come in two pages, so two calls of at most 25 names."""
    rules = [_config_rule(f"rule-{i:02d}", "S3_BUCKET_VERSIONING_ENABLED") for i in range(25)] + [_config_rule("custom", None)]
    routes = {
        # listed twice: once for the pages of names, once to join each remediation to its rule
        "DescribeConfigRules": [(200, {"ConfigRules": rules[:25], "NextToken": "next"}), (200, {"ConfigRules": rules[25:]})] * 2,
        "DescribeRemediationConfigurations": [
            (200, {"RemediationConfigurations": [_remediation("rule-00", True), _remediation("rule-01", False)]}),
            (200, {"RemediationConfigurations": [_remediation("custom", True)]}),
        ],
    }
    with serving(monkeypatch, "CONFIG_SERVICE", routes) as server:
        result = scan(["config.remediation"])
    assert result.one("config.remediation", "rule-00/") == {
        "rule": "rule-00",
        "identifier": "S3_BUCKET_VERSIONING_ENABLED",
        "automatic": True,
    }
    assert result.one("config.remediation", "rule-01/")["automatic"] is False
    assert result.one("config.remediation", "custom/") == {"rule": "custom", "identifier": "none", "automatic": True}
    asked = [len(body["ConfigRuleNames"]) for key, body in server.requests if key == "DescribeRemediationConfigurations"]
    assert asked == [25, 1]
    assert result.status("config.remediations") == {"ok"}


def test_no_rules_is_no_remediation_call(aws) -> None:
    result = scan(["config.remediation"])
    assert result.of("config.remediation") == [] and result.status("config.remediations") == {"ok"}


def test_remediations_denied_is_unknown(aws, monkeypatch) -> None:
    denied = {"__type": "AccessDeniedException", "message": "not authorized to perform: config:DescribeRemediationConfigurations"}
    routes = {
        "DescribeConfigRules": [(200, {"ConfigRules": [_config_rule("a", "S3_BUCKET_VERSIONING_ENABLED")]})],
        "DescribeRemediationConfigurations": [(400, denied)],
    }
    with serving(monkeypatch, "CONFIG_SERVICE", routes):
        result = scan(["config.remediation"])
    assert result.of("config.remediation") == [] and result.status("config.remediations") == {"denied"}


def test_trails_denied(aws, monkeypatch) -> None:
    denied = {"__type": "AccessDeniedException", "message": "not authorized to perform: cloudtrail:DescribeTrails"}
    with serving(monkeypatch, "CLOUDTRAIL", {"DescribeTrails": [(400, denied)]}):
        result = scan(["audit.trail"])
    assert result.of("audit.trail") == []
    assert result.status("cloudtrail.trails") == {"denied"}
