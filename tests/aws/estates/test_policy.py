"""The DWP baseline (seed 002) on golden moto estates: every AWS check holds, does not hold, and
cannot tell when its reads are denied.

Each estate is built through the public AWS APIs in the in-process moto account, collected by the
real adapter (only the fact types the baseline reads), and judged by the bundled baseline. The
expected verdict of each check comes from the statement it quotes, never from running the code.
"""

from __future__ import annotations

import json
from pathlib import Path

import boto3

from cmm_scan.models import CheckResult
from cmm_scan.policy.evaluate import evaluate_baseline
from cmm_scan.policy.load import load_baseline
from tests.aws.estates import ACCOUNT, REGION, deny
from tests.aws.support import scan
from tests.support.estate import Estate

BASELINE = "dwp-cloud-security"
OTHER_REGION = "us-east-1"
REGION_SCP = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Deny",
            "NotAction": ["iam:*", "organizations:*", "sts:*", "support:*"],
            "Resource": "*",
            "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-2"]}},
        }
    ],
}
# the checks a single account in one scanned region can answer (residency is judged separately:
# it needs every enabled region read)
JUDGED_HERE = [
    "residency.region_guardrail",
    "identity.phishing_resistant_privileged",
    "identity.no_standing_admin_people",
    "identity.no_wildcard_user_grants",
    "encryption.at_rest",
    "encryption.customer_keys",
    "encryption.key_rotation",
    "configuration.drift_monitoring",
    "network.environment_separation",
    "network.flow_control",
    "backup.critical_data",
    "logging.everywhere",
    "logging.tamper_protected",
    "logging.retention",
    "logging.central_monitoring",
    "detection.threat_detection",
    "resilience.critical_services",
]


def judge(tmp_path: Path, regions: tuple[str, ...] = (REGION,), parameters: dict | None = None) -> dict[str, CheckResult]:
    """Collect what the baseline reads from the moto account and judge every check."""
    baseline = load_baseline(BASELINE, parameters)
    collected = scan(sorted(baseline.fact_types), regions)
    estate = Estate()
    estate.facts, estate.coverage = collected.facts, collected.coverage
    snapshot = estate.write(tmp_path / "snapshot.jsonl")
    return {c.id: c for c in evaluate_baseline([snapshot], baseline).checks}


def explain(check: CheckResult) -> str:
    values = "; ".join(f"{e.signal}={e.display} {e.resources_matching[:3]}" for e in check.evidence)
    return f"{check.id}: {check.verdict} — {check.because} [{values}] {check.reasons[:2]}"


def organisation(region_guardrail: bool) -> None:
    org = boto3.client("organizations", REGION)
    org.create_organization(FeatureSet="ALL")
    org.create_account(Email="prod@example.org", AccountName="prod")
    if region_guardrail:
        policy = org.create_policy(Content=json.dumps(REGION_SCP), Description="UK only", Name="uk-only", Type="SERVICE_CONTROL_POLICY")[
            "Policy"
        ]["PolicySummary"]["Id"]
        root = org.list_roots()["Roots"][0]["Id"]
        org.attach_policy(PolicyId=policy, TargetId=root)


def compliant_estate() -> None:
    """Every must the configuration can show holds."""
    organisation(region_guardrail=True)
    iam = boto3.client("iam")
    iam.create_user(UserName="alice")
    iam.create_login_profile(UserName="alice", Password="a-Long-passw0rd!")
    reader = iam.create_policy(
        PolicyName="read-claims",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::records/*"}]}
        ),
    )["Policy"]["Arn"]
    iam.attach_user_policy(UserName="alice", PolicyArn=reader)
    iam.enable_mfa_device(
        UserName="alice",
        SerialNumber="arn:aws:iam::123456789012:u2f/user/alice/key",
        AuthenticationCode1="123456",
        AuthenticationCode2="654321",
    )
    kms = boto3.client("kms", REGION)
    key = kms.create_key(Description="data")["KeyMetadata"]["Arn"]
    kms.enable_key_rotation(KeyId=key)
    s3 = boto3.client("s3", REGION)
    s3.create_bucket(Bucket="records", CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_encryption(
        Bucket="records",
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key}}]
        },
    )
    s3.create_bucket(Bucket="audit-logs", CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_encryption(
        Bucket="audit-logs",
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key}}]
        },
    )
    ec2 = boto3.client("ec2", REGION)
    ec2.create_volume(AvailabilityZone=f"{REGION}a", Size=10, Encrypted=True)
    boto3.client("rds", REGION).create_db_instance(
        DBInstanceIdentifier="claims", DBInstanceClass="db.t3.micro", Engine="postgres", MasterUsername="admin",
        MasterUserPassword="a-Long-passw0rd", AllocatedStorage=20, StorageEncrypted=True, KmsKeyId=key, MultiAZ=True,
        BackupRetentionPeriod=14,
    )  # fmt: skip
    config = boto3.client("config", REGION)
    config.put_configuration_recorder(
        ConfigurationRecorder={
            "name": "default",
            "roleARN": f"arn:aws:iam::{ACCOUNT}:role/config",
            "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": True},
        }
    )
    config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": "audit-logs"})
    config.start_configuration_recorder(ConfigurationRecorderName="default")
    config.put_config_rule(
        ConfigRule={
            "ConfigRuleName": "s3-encrypted",
            "Source": {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED"},
        }
    )
    backup = boto3.client("backup", REGION)
    backup.create_backup_vault(BackupVaultName="vault")
    backup.create_backup_plan(
        BackupPlan={
            "BackupPlanName": "daily",
            "Rules": [{"RuleName": "daily", "TargetBackupVaultName": "vault", "ScheduleExpression": "cron(0 5 * * ? *)"}],
        }
    )
    trail = boto3.client("cloudtrail", REGION)
    trail.create_trail(
        Name="org", S3BucketName="audit-logs", IsMultiRegionTrail=True, EnableLogFileValidation=True, IsOrganizationTrail=True
    )
    trail.start_logging(Name="org")
    logs = boto3.client("logs", REGION)
    logs.create_log_group(logGroupName="app")
    logs.put_retention_policy(logGroupName="app", retentionInDays=400)
    boto3.client("guardduty", REGION).create_detector(Enable=True)
    for other in kms.list_keys()["Keys"]:  # moto creates keys of its own for some services: rotate every key
        kms.enable_key_rotation(KeyId=other["KeyId"])


def failing_estate() -> None:
    """Every must the configuration can show fails."""
    boto3.client("organizations", REGION).create_organization(FeatureSet="ALL")  # one account, no guardrail
    iam = boto3.client("iam")
    iam.create_user(UserName="root-like")
    iam.create_login_profile(UserName="root-like", Password="a-Long-passw0rd!")
    everything = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
    admin = iam.create_policy(PolicyName="everything", PolicyDocument=everything)["Policy"]["Arn"]  # moto has no AWS managed policies
    iam.attach_user_policy(UserName="root-like", PolicyArn=admin)
    kms = boto3.client("kms", REGION)
    kms.create_key(Description="never rotated")
    s3 = boto3.client("s3", REGION)
    s3.create_bucket(Bucket="records", CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_encryption(
        Bucket="records", ServerSideEncryptionConfiguration={"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]}
    )
    ec2 = boto3.client("ec2", REGION)
    ec2.create_volume(AvailabilityZone=f"{REGION}a", Size=10, Encrypted=False)
    group = ec2.create_security_group(GroupName="ssh", Description="ssh from anywhere")["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=group, IpPermissions=[{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
    )
    ec2.run_instances(ImageId="ami-12345678", InstanceType="t3.micro", MinCount=1, MaxCount=1, SecurityGroupIds=[group])
    boto3.client("rds", REGION).create_db_instance(
        DBInstanceIdentifier="claims", DBInstanceClass="db.t3.micro", Engine="postgres", MasterUsername="admin",
        MasterUserPassword="a-Long-passw0rd", AllocatedStorage=20, StorageEncrypted=False, MultiAZ=False,
        BackupRetentionPeriod=0,
    )  # fmt: skip
    trail = boto3.client("cloudtrail", REGION)
    trail.create_trail(Name="local", S3BucketName="records", IsMultiRegionTrail=False, EnableLogFileValidation=False)
    trail.start_logging(Name="local")
    logs = boto3.client("logs", REGION)
    logs.create_log_group(logGroupName="app")
    logs.put_retention_policy(logGroupName="app", retentionInDays=30)
    boto3.client("guardduty", REGION).create_detector(Enable=False)


def test_every_check_holds_on_a_compliant_estate(aws, moto_gaps, tmp_path: Path) -> None:
    """Statements such as "phishing-resistant authentication must be used for privileged access" and
    "Records must be safeguarded against alteration" hold when the estate shows the control."""
    compliant_estate()
    checks = judge(tmp_path)
    wrong = [explain(checks[c]) for c in JUDGED_HERE if checks[c].verdict != "holds"]
    assert wrong == [], "\n".join(wrong)


def test_every_check_fails_on_a_failing_estate(aws, moto_gaps, tmp_path: Path) -> None:
    """The same statements do not hold when the estate shows the opposite: an administrator signing in
    with a password and no key, unencrypted storage, a one-region trail without validation, 30-day logs."""
    failing_estate()
    checks = judge(tmp_path)
    wrong = [explain(checks[c]) for c in JUDGED_HERE if checks[c].verdict != "does_not_hold"]
    assert wrong == [], "\n".join(wrong)


def test_every_check_cannot_tell_when_its_reads_are_denied(aws, moto_gaps, tmp_path: Path, monkeypatch) -> None:
    """Never guess: the compliant estate read by a principal denied every call gives "cannot tell" for every
    check, not "does not hold" (a permission we lack is not a breach of policy)."""
    compliant_estate()
    deny(monkeypatch, "*")
    checks = judge(tmp_path)
    wrong = [explain(checks[c]) for c in JUDGED_HERE if checks[c].verdict != "cannot_tell"]
    assert wrong == [], "\n".join(wrong)


def test_a_denied_service_leaves_only_its_checks_unknown(aws, moto_gaps, tmp_path: Path, monkeypatch) -> None:
    """IAM and GuardDuty denied: the identity checks and threat detection cannot tell; encryption, read in
    full, still holds."""
    compliant_estate()
    deny(monkeypatch, "iam:*", "guardduty:*")
    checks = judge(tmp_path)
    for check in ("identity.phishing_resistant_privileged", "identity.no_standing_admin_people", "detection.threat_detection"):
        assert checks[check].verdict == "cannot_tell", explain(checks[check])
        assert checks[check].reasons, explain(checks[check])
    for check in ("encryption.at_rest", "encryption.customer_keys", "logging.tamper_protected"):
        assert checks[check].verdict == "holds", explain(checks[check])


def test_residency_holds_when_every_enabled_region_is_read_and_only_the_uk_is_used(aws, tmp_path: Path) -> None:
    """ "data residency and processing are limited to UK-approved jurisdictions": a workload and a bucket in
    eu-west-2 and nothing anywhere else, every enabled region read."""
    boto3.client("ec2", REGION).run_instances(ImageId="ami-12345678", InstanceType="t3.micro", MinCount=1, MaxCount=1)
    boto3.client("s3", REGION).create_bucket(Bucket="records", CreateBucketConfiguration={"LocationConstraint": REGION})
    every_region = tuple(r["RegionName"] for r in boto3.client("ec2", REGION).describe_regions()["Regions"])
    check = judge_one(tmp_path, "residency.regions_in_use", every_region)
    assert check.verdict == "holds", explain(check)


def test_residency_fails_for_a_workload_outside_the_allowed_regions(aws, tmp_path: Path) -> None:
    """An instance in us-east-1 breaks "limited to UK-approved jurisdictions" whatever the unread regions hold;
    allowing us-east-1 in the config (policy.parameters.allowed_regions) lifts the failure."""
    boto3.client("ec2", OTHER_REGION).run_instances(ImageId="ami-12345678", InstanceType="t3.micro", MinCount=1, MaxCount=1)
    check = judge_one(tmp_path, "residency.regions_in_use", (REGION, OTHER_REGION))
    assert check.verdict == "does_not_hold", explain(check)
    allowed = {"allowed_regions": {"aws": [REGION, OTHER_REGION]}}
    check = judge_one(tmp_path, "residency.regions_in_use", (REGION, OTHER_REGION), allowed)
    assert check.verdict == "cannot_tell", explain(check)  # no longer failing; regions not read stay unknown


def test_residency_cannot_tell_while_enabled_regions_go_unread(aws, tmp_path: Path) -> None:
    """Only eu-west-2 read: any other enabled region could hold data, so the scan cannot say the must holds."""
    boto3.client("ec2", REGION).run_instances(ImageId="ami-12345678", InstanceType="t3.micro", MinCount=1, MaxCount=1)
    check = judge_one(tmp_path, "residency.regions_in_use", (REGION,))
    assert check.verdict == "cannot_tell", explain(check)
    assert "unreadable" in check.because or "unknown" in check.because, check.because


def judge_one(tmp_path: Path, check_id: str, regions: tuple[str, ...], parameters: dict | None = None) -> CheckResult:
    """Collect only what one check reads, then judge it."""
    baseline = load_baseline(BASELINE, parameters)
    baseline.checks = [c for c in baseline.checks if c.id == check_id]
    collected = scan(sorted(baseline.fact_types), regions)
    estate = Estate()
    estate.facts, estate.coverage = collected.facts, collected.coverage
    snapshot = estate.write(tmp_path / f"{check_id}.jsonl")
    (check,) = evaluate_baseline([snapshot], baseline).checks
    return check


def test_the_generated_policy_covers_every_call_the_baseline_makes(aws, moto_gaps, tmp_path: Path, monkeypatch) -> None:
    """Read-only, least privilege: a principal allowed exactly `cmm-scan permissions aws --baseline
    dwp-cloud-security --questions <none of the rules>` reads the compliant estate in full: every check
    still holds, and no collector was denied."""
    from cmm_scan.collect import permissions_document
    from tests.aws.iam_enforced import scan_as_user_allowed

    compliant_estate()
    baseline = load_baseline(BASELINE)
    document = json.loads(permissions_document("aws", [], baseline.fact_types))
    actions = sorted({a for statement in document["Statement"] for a in _as_list(statement["Action"])})
    reads = ("Describe", "List", "Get", "Lookup", "Search", "BatchGet")
    # GenerateCredentialReport only asks IAM to prepare the report the scanner then reads (docs/aws.md)
    assert [a for a in actions if not a.split(":")[1].startswith(reads)] == ["iam:GenerateCredentialReport"]
    # moto checks S3 calls by operation name, not by the IAM action AWS documents for them: allow its spelling too
    scan_as_user_allowed(monkeypatch, sorted({*actions, *(MOTO_S3_SPELLING[a] for a in actions if a in MOTO_S3_SPELLING)}))
    from moto.iam.access_control import IAMRequest

    monkeypatch.setattr(IAMRequest, "_raise_signature_does_not_match", lambda self: None)  # as in `deny`
    collected = scan(sorted(baseline.fact_types), (REGION,))
    denied = sorted({f"{c.collector}: {c.reason}" for c in collected.coverage if c.status == "denied"})
    assert denied == [], denied
    checks = judge(tmp_path)
    wrong = [explain(checks[c]) for c in JUDGED_HERE if checks[c].verdict != "holds"]
    assert wrong == [], "\n".join(wrong)


# moto 5 authorises bucket sub-resource reads it has no name for (?encryption, ?object-lock) as s3:ListBucket
MOTO_S3_SPELLING = {
    "s3:GetEncryptionConfiguration": "s3:ListBucket",
    "s3:GetBucketObjectLockConfiguration": "s3:ListBucket",
    "s3:GetBucketPublicAccessBlock": "s3:ListBucket",
}


def _as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value
