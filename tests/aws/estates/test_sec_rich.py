"""A fully equipped account, scanned once, answers every security, data and third-party question.

One moto account in one region with what a well-run estate turns on: people on MFA with two
break-glass administrators, workloads on roles, a rotated secret store, a validated trail into a
locked archive, threat detection with findings routed, a posture service, a vulnerability scanner,
configuration rules, an unused-access analysis, classified buckets with retention, a scanned image
repository and an outside administrator role kept for emergencies. Each expected answer is quoted
from the level text in EXPECTED; where the levels above turn on people the answer is a floor.

moto lacks Access Analyzer, Detective, Client VPN and Verified Access: `moto_gaps` serves them
(tests/aws/estates/platform.py), with an unused-access analyser answered here.
"""

from __future__ import annotations

import json

import boto3
import pytest

from tests.aws.estates import ACCOUNT, REGION, assess, explain
from tests.aws.estates.platform import HTTPS, guardduty, inspector, instance_with_group, route_findings, securityhub, trail
from tests.aws.estates.test_sec_identity import _report_at_once, backdated, people, secrets, software, workload_roles  # noqa: F401
from tests.aws.fixture_server import serving

EVERYTHING = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
UNUSED_ACCESS = {
    "analyzers": [
        {
            "arn": f"arn:aws:access-analyzer:{REGION}:{ACCOUNT}:analyzer/unused-access",
            "name": "unused-access",
            "type": "ACCOUNT_UNUSED_ACCESS",
            "status": "ACTIVE",
            "createdAt": "2026-01-05T10:00:00Z",
        }
    ]
}

# question -> (status, level, the level text that gives it)
EXPECTED = {
    "sec.mfa": ("suggested", 4, "Only strong 2FA/MFA methods are allowed (no SMS or phone-based codes)."),
    "sec.privileged_access": ("floor", 3, "We have structured admin processes, with one-time passwords for access."),
    "sec.user_identity": (
        "suggested",
        3,
        "There are rules, such as two-factor authentication for key accounts, and some automated checks.",
    ),
    "sec.staff_identity": ("suggested", 1, "Each service manages its own identities."),
    "sec.user_provisioning": ("suggested", 1, "People share accounts, or accounts are managed by hand."),
    "sec.access_reviews": ("floor", 3, "We review access often, but mostly add new access rather than remove it."),
    "sec.nhi_auth": ("suggested", 5, "We use short-lived, strongly checked identities that change for each use."),
    "sec.nhi_cloud": ("floor", 4, "Service accounts use short-lived identities, checked each time."),
    "sec.privileged_insider": ("suggested", 4, "Logs are stored in one place, can’t be changed, and are checked automatically."),
    "sec.vuln_mgmt": ("floor", 4, "We hunt for threats and respond quickly, with some automation."),
    "sec.supply_chain": ("floor", 3, "All code is checked and updated regularly, with fixes applied as needed."),
    "sec.network": ("floor", 1, "We rely on network controls like firewalls and IP allow-lists."),
    "data.management": ("floor", 3, "We inventory and classify all our data"),
    "data.retention": ("suggested", 5, "We follow policy and use automated cloud tools to check that we do."),
    "people.third_parties": ("suggested", 3, "Third parties help with specialist tasks and have emergency access only."),
}


def _config(*identifiers: str) -> None:
    config = boto3.client("config", REGION)
    recorder = {"name": "default", "roleARN": f"arn:aws:iam::{ACCOUNT}:role/config", "recordingGroup": {"allSupported": True}}
    config.put_configuration_recorder(ConfigurationRecorder=recorder)
    config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": "management-trail-logs"})
    config.start_configuration_recorder(ConfigurationRecorderName="default")
    for identifier in identifiers:
        rule = {"ConfigRuleName": identifier.lower().replace("_", "-"), "Source": {"Owner": "AWS", "SourceIdentifier": identifier}}
        config.put_config_rule(ConfigRule=rule)


def _data() -> None:
    s3, logs = boto3.client("s3", REGION), boto3.client("logs", REGION)
    expire = {"Rules": [{"ID": "expire", "Status": "Enabled", "Filter": {"Prefix": ""}, "Expiration": {"Days": 2555}}]}
    for name in ("case-records", "exports"):
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
        s3.put_bucket_lifecycle_configuration(Bucket=name, LifecycleConfiguration=expire)
        s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": [{"Key": "data-classification", "Value": "OFFICIAL"}]})
    for group in ("/app/web", "/app/worker"):
        logs.create_log_group(logGroupName=group)
        logs.put_retention_policy(logGroupName=group, retentionInDays=400)


def _estate() -> None:
    people("breakglass", 2, admin=True)
    people("analyst", 6)
    workload_roles(9)
    software("legacy-export")
    secrets(2, rotated=1)
    trail(locked=True, validation=True)
    # the trail bucket is classified and locked like the data buckets
    boto3.client("s3", REGION).put_bucket_tagging(
        Bucket="management-trail-logs", Tagging={"TagSet": [{"Key": "data-classification", "Value": "OFFICIAL-SENSITIVE"}]}
    )
    guardduty()
    securityhub()
    inspector()
    route_findings("sns")
    _config("ROOT_ACCOUNT_MFA_ENABLED", "CW_LOGGROUP_RETENTION_PERIOD_CHECK", "S3_LIFECYCLE_POLICY_CHECK")
    _data()
    boto3.client("ecr", REGION).create_repository(repositoryName="web", imageScanningConfiguration={"scanOnPush": True})
    instance_with_group([HTTPS])
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999999999999:root"}, "Action": "sts:AssumeRole"}],
    }
    with backdated(200):  # a supplier's break-glass role, never used since it was made
        boto3.client("iam").create_role(RoleName="supplier-breakglass", AssumeRolePolicyDocument=json.dumps(trust))
    boto3.client("iam").put_role_policy(RoleName="supplier-breakglass", PolicyName="admin", PolicyDocument=EVERYTHING)


@pytest.fixture
def rich(moto_gaps, monkeypatch):
    moto_gaps.detective_on()
    _estate()
    with serving(monkeypatch, "ACCESSANALYZER", {"GET /analyzer": [(200, UNUSED_ACCESS)]}):
        yield


def test_a_fully_equipped_account_answers_every_question(rich, tmp_path) -> None:
    results = assess(tmp_path, *EXPECTED)
    got = {q: (r.status, r.answer) for q, r in results.items()}
    assert got == {q: (status, level) for q, (status, level, _) in EXPECTED.items()}, "\n".join(explain(r) for r in results.values())
    for question, result in results.items():
        assert result.because and "{" not in result.because, (question, result.because)
        assert result.answer_source == "machine"


def test_alarms_on_the_trails_log_are_the_automatic_check(moto_gaps, tmp_path) -> None:
    """No threat detection at all, but the trail delivers to a log group whose metric filters (root sign-in,
    console sign-in without MFA) feed alarms that page: with the validated trail in a locked archive, "Logs are
    stored in one place, can't be changed, and are checked automatically" (4). Legal audits (5) leave no trace."""
    logs, cloudwatch = boto3.client("logs", REGION), boto3.client("cloudwatch", REGION)
    logs.create_log_group(logGroupName="management-trail")
    group_arn = logs.describe_log_groups(logGroupNamePrefix="management-trail")["logGroups"][0]["arn"]
    trail(locked=True, validation=True)
    boto3.client("cloudtrail", REGION).update_trail(
        Name="management", CloudWatchLogsLogGroupArn=group_arn, CloudWatchLogsRoleArn=f"arn:aws:iam::{ACCOUNT}:role/trail-to-logs"
    )
    for name in ("root-sign-in", "console-without-mfa"):
        transform = [{"metricName": name, "metricNamespace": "CISBenchmark", "metricValue": "1"}]
        logs.put_metric_filter(
            logGroupName="management-trail", filterName=name, filterPattern="{ $.x = 1 }", metricTransformations=transform
        )
        cloudwatch.put_metric_alarm(
            AlarmName=name,
            MetricName=name,
            Namespace="CISBenchmark",
            Statistic="Sum",
            Period=300,
            EvaluationPeriods=1,
            Threshold=1,
            ComparisonOperator="GreaterThanOrEqualToThreshold",
            AlarmActions=[f"arn:aws:sns:{REGION}:{ACCOUNT}:security"],
        )
    result = assess(tmp_path, "sec.privileged_insider")["sec.privileged_insider"]
    assert (result.status, result.answer) == ("suggested", 4), explain(result)
    assert "alarms on the organisation trail's log: 0" in result.because  # a per-account trail: its alarms count per account
