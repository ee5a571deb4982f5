"""CSMM governance, organisation management, IAM, data security, resilience, compliance and audit from
moto estates: one estate per level the configuration settles (or pins by a documented tie-break), the
expected answer read off the level text (csmm/categories.json) and quoted in each docstring, plus
never-guess cases (a denied collector gives 0) and the empty account as each rule's spec says.

Where moto lacks an API the real client is pointed at tests/aws/fixture_server.py for that one service:
- CloudTrail LookupEvents (activity.changes, resilience's IaC share): the recorded page in
  fixtures/aws-recorded/cloudtrail-lookup-events.json. Against moto alone the collector reports
  `error`, so the IaC share is unknown and multi-region resilience stays "I don't know".
- Security Hub GetEnabledStandards (security.standard, governance and compliance evidence): moto has
  Security Hub but not its standards calls; the test serves a response in the API reference's shape.
- Config DescribeRemediationConfigurations (config.remediation) is not served: on moto automatic
  remediation is unknown, so compliance level 5 is never supported (nor is it ever ruled out).
Other moto behaviours worked around here: it does not check IAM on S3 bucket sub-resource calls (a
refused GetBucketEncryption is answered on the client, `_refuse`), it routes a bucket named "logs" to
CloudWatch Logs (buckets are named dept-*), it has an empty IAM Identity Center instance in every region
(csmm.iam counts only instances with users), and its first GenerateCredentialReport answers STARTED
(the scanner's 2 s wait is patched out).
"""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import boto3
import pytest

from tests.aws.estates import ACCOUNT, REGION, answer, assess, deny, explain
from tests.aws.fixture_server import recorded, serving

OTHER = "eu-west-1"
TWO_REGIONS = (REGION, OTHER)


@pytest.fixture(autouse=True)
def _no_report_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    """moto's first GenerateCredentialReport answers STARTED; the scanner would wait 2 s before asking again."""
    monkeypatch.setattr("cmm_scan.aws.handlers.iam.REPORT_WAIT_SECONDS", 0.0)


def possible(result: Any) -> list[int]:
    return [o.level for o in result.levels if o.verdict != "ruled_out"]


def supported(result: Any) -> list[int]:
    return [o.level for o in result.levels if o.verdict in ("supported", "met")]


def never_guessed(result: Any) -> bool:
    return result.answer == 0 and result.suggested_level is None


def _refuse(monkeypatch: Any, service: str, operation: str) -> None:
    """Every client made from here on answers `operation` with AccessDenied, as AWS does for a denied call
    (for calls moto serves without checking IAM)."""
    original = boto3.Session.client

    def refuse(**_: Any) -> tuple[Any, dict[str, Any]]:
        return SimpleNamespace(status_code=403), {"Error": {"Code": "AccessDenied", "Message": f"not authorized: {operation}"}}

    def client(self: Any, name: str, *args: Any, **kwargs: Any) -> Any:
        made = original(self, name, *args, **kwargs)
        if name == service:
            made.meta.events.register(f"before-call.{made.meta.service_model.service_id.hyphenize()}.{operation}", refuse)
        return made

    monkeypatch.setattr(boto3.Session, "client", client)


# --- builders ------------------------------------------------------------------------------------


def _organization(members: int = 0, ous: int = 0, scp: bool = False) -> list[str]:
    org = boto3.client("organizations", "us-east-1")
    org.create_organization(FeatureSet="ALL")
    accounts = [
        org.create_account(AccountName=f"m{i}", Email=f"m{i}@example.org")["CreateAccountStatus"]["AccountId"] for i in range(members)
    ]
    root = org.list_roots()["Roots"][0]["Id"]
    units = [org.create_organizational_unit(ParentId=root, Name=f"ou{i}")["OrganizationalUnit"]["Id"] for i in range(ous)]
    for i, account in enumerate(accounts[: len(units)]):
        org.move_account(AccountId=account, SourceParentId=root, DestinationParentId=units[i])
    if scp:
        content = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Deny", "Action": ["organizations:LeaveOrganization", "cloudtrail:StopLogging"], "Resource": "*"}],
        }
        policy = org.create_policy(Name="baseline", Description="", Type="SERVICE_CONTROL_POLICY", Content=json.dumps(content))
        org.attach_policy(PolicyId=policy["Policy"]["PolicySummary"]["Id"], TargetId=units[0] if units else root)
    return accounts


def _member_session(account: str) -> boto3.Session:
    role = f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole"
    creds = boto3.client("sts").assume_role(RoleArn=role, RoleSessionName="build")["Credentials"]
    return boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name=REGION,
    )


def _people(n: int, session: Any = boto3, keys: bool = False, prefix: str = "person") -> None:
    """IAM users who sign in to the console (a password), optionally with an access key too."""
    iam = session.client("iam")
    for i in range(n):
        iam.create_user(UserName=f"{prefix}{i}")
        iam.create_login_profile(UserName=f"{prefix}{i}", Password="Correct-horse-battery-1")
        if keys:
            iam.create_access_key(UserName=f"{prefix}{i}")


def _sso_users(n: int, region: str = REGION) -> None:
    """People in the identity centre's store (moto has one empty instance in every region)."""
    (instance,) = boto3.client("sso-admin", region).list_instances()["Instances"]
    store = boto3.client("identitystore", region)
    for i in range(n):
        store.create_user(
            IdentityStoreId=instance["IdentityStoreId"],
            UserName=f"user{i}",
            DisplayName=f"User {i}",
            Name={"GivenName": "User", "FamilyName": str(i)},
        )


def _secrets(n: int, rotated: int = 0, region: str = REGION) -> None:
    sm = boto3.client("secretsmanager", region)
    for i in range(n):
        arn = sm.create_secret(Name=f"app/db{i}", SecretString="not-a-real-secret")["ARN"]
        if i < rotated:  # rotation rules alone, as for a managed rotation (moto would invoke a Lambda if named)
            sm.rotate_secret(SecretId=arn, RotationRules={"AutomaticallyAfterDays": 30}, RotateImmediately=False)


def _customer_key(region: str = REGION) -> str:
    return boto3.client("kms", region).create_key(Description="data")["KeyMetadata"]["Arn"]


def _bucket(name: str, region: str = REGION, encryption: str | None = "AES256", block: bool = True, versioned: bool = False) -> None:
    """A bucket named dept-<name>; `encryption` is None (none set: moto's default), "AES256" (provider key) or a KMS key ARN."""
    s3 = boto3.client("s3", region)
    name = f"dept-{name}"  # a bare "logs" would be routed by moto to CloudWatch Logs
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
    if encryption == "AES256":
        rule = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
        s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": [rule]})
    elif encryption:
        rule = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": encryption}}
        s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": [rule]})
    if block:
        settings = dict.fromkeys(("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), True)
        s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=settings)
    if versioned:
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})


def _volume(encrypted: bool, region: str = REGION) -> None:
    boto3.client("ec2", region).create_volume(AvailabilityZone=f"{region}a", Size=10, Encrypted=encrypted)


def _database(name: str, region: str = REGION, encrypted: bool = True, backups: int = 7) -> None:
    boto3.client("rds", region).create_db_instance(
        DBInstanceIdentifier=name,
        DBInstanceClass="db.t3.micro",
        Engine="postgres",
        AllocatedStorage=20,
        MasterUsername="admin1",
        MasterUserPassword="not-a-real-password",
        StorageEncrypted=encrypted,
        BackupRetentionPeriod=backups,
    )


def _instances(count: int, region: str = REGION) -> None:
    boto3.client("ec2", region).run_instances(ImageId="ami-12345678", InstanceType="t3.micro", MinCount=count, MaxCount=count)


def _backup_plan(copy_to: str | None = None, region: str = REGION) -> None:
    rule: dict[str, Any] = {"RuleName": "daily", "TargetBackupVaultName": "Default", "ScheduleExpression": "cron(0 3 * * ? *)"}
    if copy_to:
        rule["CopyActions"] = [{"DestinationBackupVaultArn": f"arn:aws:backup:{copy_to}:{ACCOUNT}:backup-vault:Default"}]
    boto3.client("backup", region).create_backup_plan(BackupPlan={"BackupPlanName": "daily", "Rules": [rule]})


def _activity_page(iac_share: float | None = None) -> dict[str, Any]:
    """One page of CloudTrail write events (every region is served the same page). Without a share: the
    recorded events (7 changes, 2 by IaC: 29%). With one: copies of the recorded CloudFormation change and
    of the recorded console change in that proportion of 20."""
    events = [e for page in recorded("cloudtrail-lookup-events.json")["pages"] for e in page["Events"]]
    if iac_share is not None:
        iac = next(e for e in events if "cloudformation.amazonaws.com" in e["CloudTrailEvent"])
        console = next(e for e in events if "console.amazonaws.com" in e["CloudTrailEvent"])
        n = round(20 * iac_share)
        events = [iac] * n + [console] * (20 - n)
    return {"Events": events}


def _serve_activity(monkeypatch: Any, page: dict[str, Any]) -> Any:
    return serving(monkeypatch, "CLOUDTRAIL", {"LookupEvents": [(200, page)]})


def _standard(name: str) -> dict[str, Any]:
    arn = f"arn:aws:securityhub:{REGION}::standards/{name}"
    return {
        "StandardsSubscriptionArn": f"arn:aws:securityhub:{REGION}:{ACCOUNT}:subscription/{name}",
        "StandardsArn": arn,
        "StandardsInput": {},
        "StandardsStatus": "READY",
    }


CIS = _standard("cis-aws-foundations-benchmark/v/1.4.0")


def _serve_standards(monkeypatch: Any, *standards: dict[str, Any]) -> Any:
    """Security Hub GetEnabledStandards (moto lacks it), shaped as in the API reference."""
    return serving(monkeypatch, "SECURITYHUB", {"POST /standards/get": [(200, {"StandardsSubscriptions": list(standards)})]})


def _recorder(region: str = REGION) -> None:
    config = boto3.client("config", region)
    config.put_configuration_recorder(
        ConfigurationRecorder={
            "name": "default",
            "roleARN": f"arn:aws:iam::{ACCOUNT}:role/config",
            "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": True},
        }
    )
    config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": "config-bucket"})
    config.start_configuration_recorder(ConfigurationRecorderName="default")


def _config_rule(name: str = "restricted-ssh", identifier: str = "INCOMING_SSH_DISABLED", region: str = REGION) -> None:
    rule = {"ConfigRuleName": name, "Source": {"Owner": "AWS", "SourceIdentifier": identifier}}
    boto3.client("config", region).put_config_rule(ConfigRule=rule)


def _org_aggregator() -> None:
    boto3.client("config", REGION).put_configuration_aggregator(
        ConfigurationAggregatorName="org",
        OrganizationAggregationSource={"RoleArn": f"arn:aws:iam::{ACCOUNT}:role/aggregator", "AllAwsRegions": True},
    )


# --- csmm.governance ---------------------------------------------------------------------------------


def test_governance_full_posture_is_at_least_3(aws, tmp_path, monkeypatch) -> None:
    """CIS enabled, a custom SCP attached, Config rules: "Initial policies in use. Basic use of standards
    and benchmarks (e.g., CIS) for configuration baselines" (3) is shown, so the answer is at least 3;
    "Central cloud team has SMEs" (4) and "Governance is managed using automated tooling" (5) are people
    and process: a floor, exported as 3."""
    _organization(members=1, ous=1, scp=True)
    _config_rule()
    with _serve_standards(monkeypatch, CIS):
        result = answer(tmp_path, "csmm.governance")
    assert (result.status, result.floor_level, result.answer) == ("floor", 3, 3), explain(result)
    assert result.possible_levels == [3, 4, 5] and supported(result) == [3, 4], explain(result)


def test_governance_on_bare_moto_needs_no_standards_read(aws, tmp_path) -> None:
    """moto cannot list Security Hub standards; the Config rules that check baselines and the attached SCP
    still show "Initial policies in use. Basic use of standards and benchmarks": at least 3."""
    _organization(members=1, ous=1, scp=True)
    _config_rule()
    result = answer(tmp_path, "csmm.governance")
    assert (result.status, result.answer) == ("floor", 3), explain(result)
    assert result.because.startswith("Initial policies and benchmarks are in use: 1 configuration rules"), result.because


def test_governance_bare_account_rules_nothing_out(aws, tmp_path, monkeypatch) -> None:
    """No standards, guardrails or rules: governance may still be on paper ("Main cloud providers are
    approved. Some policies in development"), or third-party tools enforce it; nothing is ruled out."""
    with _serve_standards(monkeypatch):
        result = answer(tmp_path, "csmm.governance")
    assert never_guessed(result) and possible(result) == [1, 2, 3, 4, 5] and supported(result) == [], explain(result)


def test_governance_denied_policies_is_i_dont_know(aws, tmp_path, monkeypatch) -> None:
    """Never guess: guardrails that cannot be listed are not "no guardrails"."""
    _organization(members=1, ous=1, scp=True)
    _config_rule()
    deny(monkeypatch, "organizations:ListPolicies")
    with _serve_standards(monkeypatch, CIS):
        result = answer(tmp_path, "csmm.governance")
    assert never_guessed(result) and 4 not in supported(result), explain(result)


# --- csmm.organization_management --------------------------------------------------------------------


def test_org_standalone_account_is_level_1(aws, tmp_path) -> None:
    """An account in no organisation: "Single or unconnected deployments" (1); every higher level needs
    accounts associated with an organisation."""
    _instances(1)
    result = answer(tmp_path, "csmm.organization_management")
    assert result.answer == 1, explain(result)


def test_org_empty_standalone_account_is_not_applicable(aws, tmp_path) -> None:
    """No organisation and nothing deployed: there are no deployments to manage, and an empty account never
    scores level 1; the spec says not applicable, 0."""
    result = answer(tmp_path, "csmm.organization_management", regions=TWO_REGIONS)
    assert result.status == "not_applicable" and result.answer == 0, explain(result)


def test_org_members_without_guardrails_is_2_or_3(aws, tmp_path) -> None:
    """Three member accounts, no OUs, no custom SCP: "Most accounts associated with organization but manually
    managed" (2) and "centrally managed with consistent manual provisioning" (3) differ by checklists and
    CSPM use a person knows; "CSP preventative policies (guardrails) in use" (4) is ruled out."""
    _organization(members=3)
    result = answer(tmp_path, "csmm.organization_management", org=True)
    assert never_guessed(result) and possible(result) == [2, 3], explain(result)


def test_org_with_ous_and_guardrails_leaves_2_to_5(aws, tmp_path) -> None:
    """OUs and an attached SCP show "organized hierarchically" and "guardrails in use" (4), but IaC
    provisioning (4) and an account factory with automated deprovisioning (5) are not read: 0."""
    _organization(members=2, ous=2, scp=True)
    result = answer(tmp_path, "csmm.organization_management", org=True)
    assert never_guessed(result) and possible(result) == [2, 3, 4, 5], explain(result)


def test_org_centrally_managed_with_security_hub_everywhere_is_at_least_3(aws, tmp_path) -> None:
    """Level 3: "Deployments centrally managed with consistent manual provisioning of core security ... Initial
    use of CSPM or similar for security visibility." Two members in OUs under one organisation and Security Hub
    on in every account, scanned across the organisation: each account reports the organisation, counted once
    (3 accounts, 2 OUs); IaC provisioning (4) and an account factory (5) are for a person: at least 3."""
    members = _organization(members=2, ous=2, scp=True)
    boto3.client("securityhub", REGION).enable_security_hub()
    for member in members:
        _member_session(member).client("securityhub", REGION).enable_security_hub()
    result = answer(tmp_path, "csmm.organization_management", org=True)
    assert (result.status, result.answer, result.possible_levels) == ("floor", 3, [3, 4, 5]), explain(result)
    assert result.because.startswith("Deployments are managed centrally with posture management: 3 accounts"), result.because


def test_org_of_one_account_is_1_or_2(aws, tmp_path) -> None:
    """An organisation holding only its management account: a "single ... deployment" (1), yet associated
    with an organisation, where a core-security checklist (2) is for a person to show."""
    _organization()
    result = answer(tmp_path, "csmm.organization_management")
    assert never_guessed(result) and possible(result) == [1, 2], explain(result)


def test_org_denied_is_i_dont_know(aws, tmp_path, monkeypatch) -> None:
    """Never guess: a denied DescribeOrganization is not "no organisation" (which would be level 1)."""
    _organization(members=3, ous=1, scp=True)
    deny(monkeypatch, "organizations:DescribeOrganization")
    result = answer(tmp_path, "csmm.organization_management")
    assert never_guessed(result) and possible(result) == [1, 2, 3, 4, 5], explain(result)


def test_org_seen_from_a_member_account_is_i_dont_know(aws, tmp_path, monkeypatch) -> None:
    """Scanning only a member account: it belongs to an organisation, whose size and policies only the
    management account can list, so "single deployment" (1) cannot be told from the rest."""
    (member,) = _organization(members=1, ous=1, scp=True)
    creds = _member_session(member).get_credentials()
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", creds.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", creds.secret_key)
    monkeypatch.setenv("AWS_SESSION_TOKEN", creds.token)
    result = answer(tmp_path, "csmm.organization_management")
    assert never_guessed(result), explain(result)


# --- csmm.iam ------------------------------------------------------------------------------------------


def test_iam_local_users_only_is_level_1(aws, tmp_path) -> None:
    """Six IAM console users, no SAML provider, an identity centre with nobody in it: "Identities managed
    within individual cloud accounts. No federation." (1)."""
    _people(6)
    result = answer(tmp_path, "csmm.iam")
    assert result.answer == 1, explain(result)


def test_iam_some_federation_many_local_users_is_level_2(aws, tmp_path) -> None:
    """Two people in the identity centre, six still on IAM users: "Initial federation ... Extensive use of
    cloud-side entities" (2), not "Federation consistent" (3)."""
    _sso_users(2)
    _people(6)
    _secrets(1)
    result = answer(tmp_path, "csmm.iam")
    assert result.answer == 2, explain(result)


def test_iam_consistent_federation_with_a_secret_store_is_level_3(aws, tmp_path) -> None:
    """17 of 20 people federated (85%), a secret store in use but never rotated: "Federation consistent
    ... Initial secrets management use" (3); three local users are not "Complete federation" and unrotated
    secrets are not "Secrets management consistent" (4)."""
    _sso_users(17)
    _people(3)
    _secrets(2)
    result = answer(tmp_path, "csmm.iam")
    assert result.answer == 3, explain(result)


def test_iam_consistent_federation_without_secrets_manager_is_level_3(aws, tmp_path) -> None:
    """17 of 20 people federated, nothing in Secrets Manager: not "Initial federation ... Extensive use of
    cloud-side entities" (2), not "Complete federation" (4); static credentials may live in a vault outside
    the cloud, so "Initial secrets management use" (3) is not ruled out and 3 is what remains."""
    _sso_users(17)
    _people(3)
    result = answer(tmp_path, "csmm.iam")
    assert result.answer == 3, explain(result)


def test_iam_saml_federation_with_break_glass_is_level_3(aws, tmp_path) -> None:
    """People come in through a SAML IdP, one break-glass IAM user, secrets stored but not rotated: federation
    consistent with initial secrets management (3), secrets management not yet consistent (4)."""
    metadata = "<EntityDescriptor xmlns='urn:oasis:names:tc:SAML:2.0:metadata' entityID='https://idp.example.org'>" + " " * 1000
    metadata += "</EntityDescriptor>"  # the API wants at least 1000 characters
    boto3.client("iam").create_saml_provider(Name="corporate-idp", SAMLMetadataDocument=metadata)
    _people(1, prefix="breakglass")
    _secrets(2)
    result = answer(tmp_path, "csmm.iam")
    assert result.answer == 3, explain(result)


def test_iam_complete_federation_is_at_least_3(aws, tmp_path) -> None:
    """Everyone federated, no local people, rotated secrets: "Federation consistent through broker or similar.
    Initial secrets management use" (3) is shown; level 4's configuration is there too, but MFA at the IdP,
    automated IAM provisioning and conditional authorisation (4-5) are not read: at least 3."""
    _sso_users(10)
    _secrets(2, rotated=2)
    result = answer(tmp_path, "csmm.iam")
    assert (result.status, result.answer, result.possible_levels) == ("floor", 3, [3, 4, 5]), explain(result)


@pytest.mark.parametrize("denied", ["sso:ListInstances", "identitystore:ListUsers", "iam:GetCredentialReport"])
def test_iam_denied_identity_reads_are_i_dont_know(aws, tmp_path, monkeypatch, denied: str) -> None:
    """Never guess: an unreadable identity centre is not "no federation"; unreadable IAM users are not
    "no local people"."""
    _sso_users(17)
    _people(3)
    _secrets(2)
    deny(monkeypatch, denied)
    result = answer(tmp_path, "csmm.iam")
    assert never_guessed(result), explain(result)


def test_iam_empty_account_is_not_applicable(aws, tmp_path) -> None:
    """No people at all (only the root user and an empty identity centre): the spec says not applicable, 0."""
    result = answer(tmp_path, "csmm.iam")
    assert result.status == "not_applicable" and result.answer == 0, explain(result)


def test_iam_identity_centre_in_another_region_is_level_3(aws, tmp_path) -> None:
    """The identity centre lives in eu-west-1 (17 people), three IAM users, secrets in eu-west-2:
    consistent federation with initial secrets management (3), wherever each service lives."""
    _sso_users(17, region=OTHER)
    _people(3)
    _secrets(1)
    result = answer(tmp_path, "csmm.iam", regions=TWO_REGIONS)
    assert result.answer == 3, explain(result)


def test_iam_member_accounts_full_of_local_users_is_level_2(aws, tmp_path) -> None:
    """Organisation: ten people in the management account's identity centre, eight IAM console users in a
    member account (56% federated): "Initial federation ... Extensive use of cloud-side entities" (2)."""
    (member,) = _organization(members=1)
    _sso_users(10)
    _people(8, session=_member_session(member))
    _secrets(1)
    result = answer(tmp_path, "csmm.iam", org=True)
    assert result.answer == 2, explain(result)


# --- csmm.data_security ------------------------------------------------------------------------------


def test_data_nothing_encrypted_and_open_is_level_1(aws, tmp_path) -> None:
    """Buckets with no encryption and no public-access block, an unencrypted volume and database: "Basic
    access controls, usually improperly configured" (1); encryption is not "turned on" (2)."""
    _bucket("open-a", encryption=None, block=False)
    _bucket("open-b", encryption=None, block=False)
    _volume(encrypted=False)
    _database("orders", encrypted=False)
    result = answer(tmp_path, "csmm.data_security")
    assert result.answer == 1, explain(result)


def test_data_default_keys_everywhere_is_level_2(aws, tmp_path) -> None:
    """Every bucket on the provider key with public access blocked, volumes and databases encrypted, no
    customer key: "'Checkbox' data security. Encryption turned on using default keys." (2)."""
    for name in ("logs", "assets", "exports"):
        _bucket(name)
    _volume(encrypted=True)
    _database("orders")
    result = answer(tmp_path, "csmm.data_security")
    assert result.answer == 2, explain(result)


def test_data_some_customer_keys_is_level_3(aws, tmp_path) -> None:
    """One bucket of five on a customer-managed key (20%), the rest on the provider key, all blocked:
    "Initial use of customer managed keys" (3), not "Extensive use" (4)."""
    key = _customer_key()
    _bucket("records", encryption=key)
    for name in ("logs", "assets", "exports", "tmp"):
        _bucket(name)
    _volume(encrypted=True)
    result = answer(tmp_path, "csmm.data_security")
    assert result.answer == 3, explain(result)


def test_data_extensive_customer_keys_is_level_4(aws, tmp_path) -> None:
    """Three buckets of five on customer keys (60%), nothing unencrypted: "Extensive use of customer managed
    keys. All critical data encrypted." (4); the rule's 3/4 tie-break reads it so ("Minimal use of default
    keys", 5, is ruled out with two buckets on the provider key)."""
    key = _customer_key()
    for name in ("records", "claims", "payments"):
        _bucket(name, encryption=key)
    _bucket("logs")
    _bucket("assets")
    _volume(encrypted=True)
    _database("orders")
    result = answer(tmp_path, "csmm.data_security")
    assert result.answer == 4 and possible(result) == [3, 4], explain(result)


def test_data_customer_keys_everywhere_with_macie_is_at_least_4(aws, tmp_path) -> None:
    """Every bucket on a customer key and Macie on: "Extensive use of customer managed keys. All critical data
    encrypted" (4) is shown and "Minimal use of default keys ... assessed for unapproved data" (5) is supported,
    but lifecycles and encryption specs in pipelines are for a person: at least 4."""
    key = _customer_key()
    for name in ("records", "claims", "payments"):
        _bucket(name, encryption=key)
    boto3.client("macie2", REGION).enable_macie()
    result = answer(tmp_path, "csmm.data_security")
    assert (result.status, result.answer, result.possible_levels) == ("floor", 4, [4, 5]), explain(result)


def test_data_unencrypted_volume_in_a_second_region_is_level_3(aws, tmp_path) -> None:
    """Customer keys on 60% of buckets in eu-west-2 (level 4 alone), but an unencrypted volume in
    eu-west-1: not "All critical data encrypted" (4), still "Initial use of customer managed keys" (3)."""
    key = _customer_key()
    for name in ("records", "claims", "payments"):
        _bucket(name, encryption=key)
    _bucket("logs")
    _bucket("assets", region=OTHER)
    _volume(encrypted=False, region=OTHER)
    result = answer(tmp_path, "csmm.data_security", regions=TWO_REGIONS)
    assert result.answer == 3, explain(result)


@pytest.mark.parametrize("denied", ["s3:ListAllMyBuckets", "s3:GetEncryptionConfiguration", "kms:ListKeys"])
def test_data_denied_reads_are_i_dont_know(aws, tmp_path, monkeypatch, denied: str) -> None:
    """Never guess: with buckets, their encryption or the key list unreadable, level 3 ("Initial use of
    customer managed keys") cannot be told from 2."""
    key = _customer_key()
    _bucket("records", encryption=key)
    for name in ("logs", "assets", "exports", "tmp"):
        _bucket(name)
    if denied == "s3:GetEncryptionConfiguration":
        _refuse(monkeypatch, "s3", "GetBucketEncryption")  # moto does not check IAM on bucket sub-resources
    else:
        deny(monkeypatch, denied)
    result = answer(tmp_path, "csmm.data_security")
    assert never_guessed(result), explain(result)


def test_data_empty_account_is_not_applicable(aws, tmp_path) -> None:
    """No buckets, volumes, databases or customer keys: the spec says not applicable, 0."""
    result = answer(tmp_path, "csmm.data_security")
    assert result.status == "not_applicable" and result.answer == 0, explain(result)


# --- csmm.resilience --------------------------------------------------------------------------------------


def _basic_resilience(region: str = REGION) -> None:
    _backup_plan(region=region)
    _bucket(f"data-{region}", region=region, versioned=True)
    _database(f"orders-{region}", region=region)


def test_resilience_backups_in_one_region_is_level_2(aws, tmp_path) -> None:
    """A backup plan, a versioned bucket and a database with automated backups, all in eu-west-2; the scan
    reads eu-west-1 too (default VPC, security group and service settings, nothing deployed): "Some basic
    data backup/lifecycles ... Largely single provider/region deployments" (2)."""
    _basic_resilience()
    _instances(2)
    results = assess(tmp_path, "csmm.resilience", "csmm.network_security", "csmm.security_monitoring", regions=TWO_REGIONS)
    result = results["csmm.resilience"]
    assert result.answer == 2, explain(result)


def test_resilience_nothing_backed_up_is_1_or_2(aws, tmp_path) -> None:
    """Instances only, no backups, versioning or scaling: "No formal resiliency" (1) is supported, but a
    backup tool outside the cloud could give "Some basic data backup" (2): 0, as the rule's spec says."""
    _instances(2)
    result = answer(tmp_path, "csmm.resilience", regions=TWO_REGIONS)
    assert never_guessed(result) and possible(result) == [1, 2], explain(result)


def test_resilience_cross_region_copies_and_some_iac_is_level_3(aws, tmp_path, monkeypatch) -> None:
    """Backups copied to eu-west-1, databases in two regions, 2 of 7 changes in each region by CloudFormation
    or Terraform (29%): "Initial use of multi-region resiliency. Some deployments use IaC" (3), not "Most
    deployments provisioned with IaC" (4)."""
    _backup_plan(copy_to=OTHER)
    _database("orders")
    _database("orders-replica", region=OTHER)
    with _serve_activity(monkeypatch, _activity_page()):
        result = answer(tmp_path, "csmm.resilience", regions=TWO_REGIONS)
    assert result.answer == 3, explain(result)


def test_resilience_multi_region_mostly_iac_is_at_least_4(aws, tmp_path, monkeypatch) -> None:
    """Multi-region with 95% of changes by IaC: "Most deployments provisioned with IaC. Some use of multi-region
    ... resiliency" (4) is shown and "All production deployments provisioned with IaC" (5) is possible, but
    failover automation and chaos engineering are for a person: at least 4."""
    _backup_plan(copy_to=OTHER)
    _database("orders")
    with _serve_activity(monkeypatch, _activity_page(iac_share=0.95)):
        result = answer(tmp_path, "csmm.resilience", regions=TWO_REGIONS)
    assert (result.status, result.answer, result.possible_levels) == ("floor", 4, [4, 5]), explain(result)


def test_resilience_multi_region_without_readable_activity_is_i_dont_know(aws, tmp_path) -> None:
    """Never guess: workloads in two regions and cross-region copies, but moto has no LookupEvents, so who
    makes changes (IaC or people) is unknown and levels 2 to 5 stay open."""
    _backup_plan(copy_to=OTHER)
    _instances(1)
    _instances(1, region=OTHER)
    result = answer(tmp_path, "csmm.resilience", regions=TWO_REGIONS)
    assert never_guessed(result) and possible(result) == [2, 3, 4, 5], explain(result)


@pytest.mark.parametrize("denied", [None, "backup:ListBackupPlans", "rds:DescribeDBInstances", "ec2:DescribeInstances"])
def test_resilience_denied_reads_are_i_dont_know(aws, tmp_path, monkeypatch, denied: str | None) -> None:
    """Never guess: backups, a database and an instance in eu-west-2 only, some IaC, are level 2 ("Largely
    single provider/region deployments"); with backup plans (cross-region copies), databases or instances
    unreadable in either region, "Initial use of multi-region resiliency" (3) cannot be ruled out."""
    _backup_plan()
    _database("orders")
    _instances(1)
    if denied:
        deny(monkeypatch, denied)
    with _serve_activity(monkeypatch, _activity_page()):
        result = answer(tmp_path, "csmm.resilience", regions=TWO_REGIONS)
    if denied:
        assert never_guessed(result) and possible(result) == [2, 3], explain(result)
    else:
        assert result.answer == 2, explain(result)


# --- csmm.compliance_and_audit -------------------------------------------------------------------------


def test_compliance_continuous_assessment_is_at_least_4(aws, tmp_path, monkeypatch) -> None:
    """Recorders on in both scanned regions, Config rules and CIS: "Continuous assessment of in-scope
    resources using automated guardrails" (4) is shown; automatic remediation and fully automated
    reporting (5) are for a person (moto cannot list remediation, which decides no level): at least 4."""
    _organization(members=1)
    for region in TWO_REGIONS:
        _recorder(region)
        _config_rule(region=region)
    _org_aggregator()
    with _serve_standards(monkeypatch, CIS):
        result = answer(tmp_path, "csmm.compliance_and_audit", regions=TWO_REGIONS)
    assert (result.status, result.answer, result.possible_levels) == ("floor", 4, [4, 5]), explain(result)
    assert supported(result) == [4], explain(result)


def test_compliance_recorder_in_one_region_of_two_does_not_support_4(aws, tmp_path, monkeypatch) -> None:
    """The recorder is off in eu-west-1: assessment is not continuous "of in-scope resources", so nothing is
    supported; a third-party tool could still assess, so nothing is ruled out."""
    _recorder(REGION)
    _config_rule()
    with _serve_standards(monkeypatch):
        result = answer(tmp_path, "csmm.compliance_and_audit", regions=TWO_REGIONS)
    assert never_guessed(result) and possible(result) == [1, 2, 3, 4, 5] and supported(result) == [], explain(result)


def test_compliance_bare_account_rules_nothing_out(aws, tmp_path, monkeypatch) -> None:
    """No recorder, rules or standards: "No reporting or compliance actions" (1) or ad hoc assessment (2)
    may hold, or a third-party tool does it all; nothing is ruled out."""
    with _serve_standards(monkeypatch):
        result = answer(tmp_path, "csmm.compliance_and_audit")
    assert never_guessed(result) and possible(result) == [1, 2, 3, 4, 5] and supported(result) == [], explain(result)


def test_compliance_denied_recorders_is_i_dont_know(aws, tmp_path, monkeypatch) -> None:
    """Never guess: recorders that cannot be read do not support level 4."""
    _recorder(REGION)
    _config_rule()
    deny(monkeypatch, "config:DescribeConfigurationRecorders")
    with _serve_standards(monkeypatch, CIS):
        result = answer(tmp_path, "csmm.compliance_and_audit")
    assert never_guessed(result) and 4 not in supported(result), explain(result)
