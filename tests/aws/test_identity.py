"""IAM users (credential report), roles and trust, MFA, password policy, federation, Identity Center, Organizations."""

from __future__ import annotations

import json

import boto3
import pytest

from tests.aws.support import scan

EVERYTHING = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})


def _trust(principal: dict, action: str = "sts:AssumeRole") -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": principal, "Action": action}]})


def test_iam_users_roles_and_mfa(aws) -> None:
    iam = boto3.client("iam")
    admin = iam.create_policy(PolicyName="everything", PolicyDocument=EVERYTHING)["Policy"]["Arn"]  # an AdministratorAccess equivalent
    iam.create_user(UserName="alice")
    iam.create_login_profile(UserName="alice", Password="Correct-horse-1")
    serial = iam.create_virtual_mfa_device(VirtualMFADeviceName="alice")["VirtualMFADevice"]["SerialNumber"]
    iam.enable_mfa_device(UserName="alice", SerialNumber=serial, AuthenticationCode1="123456", AuthenticationCode2="654321")
    iam.create_group(GroupName="admins")
    iam.attach_group_policy(GroupName="admins", PolicyArn=admin)
    iam.add_user_to_group(GroupName="admins", UserName="alice")
    iam.create_user(UserName="ci-bot")
    iam.create_access_key(UserName="ci-bot")
    iam.create_open_id_connect_provider(
        Url="https://token.actions.githubusercontent.com", ThumbprintList=["a" * 40], ClientIDList=["sts.amazonaws.com"]
    )
    oidc = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
    iam.create_role(RoleName="deploy", AssumeRolePolicyDocument=_trust({"Federated": oidc}, "sts:AssumeRoleWithWebIdentity"))
    iam.create_role(RoleName="vendor", AssumeRolePolicyDocument=_trust({"AWS": "arn:aws:iam::999999999999:root"}), MaxSessionDuration=7200)
    iam.attach_role_policy(RoleName="vendor", PolicyArn=admin)
    iam.create_role(RoleName="app", AssumeRolePolicyDocument=_trust({"Service": "ec2.amazonaws.com"}))
    iam.update_account_password_policy(MinimumPasswordLength=14, PasswordReusePrevention=5)

    result = scan(["identity.user", "identity.role", "identity.mfa_device", "identity.password_policy", "identity.federation_provider"])

    alice = result.one("identity.user", "user/alice")
    assert alice["console_access"] and alice["mfa_active"] and alice["mfa_kind"] == "virtual" and alice["admin"] and alice["human"]
    bot = result.one("identity.user", "user/ci-bot")
    assert bot["active_keys"] == 1 and bot["human"] is False and bot["admin"] is False and bot["mfa_kind"] == "none"
    # moto's report has no <root_account> row, and no root user is made up in its place
    assert not [f for f in result.of("identity.user") if f.attributes["is_root"]]
    deploy = result.one("identity.role", "role/deploy")
    assert deploy["trust_kinds"] == ["oidc"] and deploy["workload_identity"] is True and deploy["admin"] is False
    vendor = result.one("identity.role", "role/vendor")
    assert vendor["trusts_external_account"] is True and vendor["admin"] is True and vendor["max_session_hours"] == 2.0
    assert result.one("identity.role", "role/app")["trust_kinds"] == ["service"]
    (device,) = result.of("identity.mfa_device")
    assert device.attributes == {"kind": "virtual", "user": "alice"}
    assert result.one("identity.password_policy", "password-policy") == {
        "present": True,
        "min_length": 14,
        "max_age_days": 0,
        "reuse_prevention": 5,
    }
    provider = result.one("identity.federation_provider", "oidc-provider")
    assert provider["kind"] == "oidc" and provider["ci_issuer"] is True
    assert all(f.region == "global" for f in result.facts)


ROOT_ROW = (
    "<root_account>,arn:aws:iam::123456789012:root,2020-01-01T00:00:00+00:00,not_supported,2026-11-01T09:00:00+00:00,"
    "not_supported,not_supported,{mfa},{keys},2021-01-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"
)


@pytest.mark.parametrize(("mfa", "keys"), [("true", "false"), ("false", "true")])
def test_root_row_of_a_real_report(aws, monkeypatch, mfa: str, keys: str) -> None:
    """Real IAM lists the root user first; its MFA and keys come from that row."""
    from moto.iam.models import IAMBackend

    original = IAMBackend.get_credential_report

    def with_root(self: IAMBackend) -> str:
        header, _, users = original(self).partition("\n")
        return f"{header}\n{ROOT_ROW.format(mfa=mfa, keys=keys)}{users}"

    monkeypatch.setattr(IAMBackend, "get_credential_report", with_root)
    result = scan(["identity.user", "identity.mfa_device"])
    root = result.one("identity.user", ":root")
    assert root["is_root"] and root["admin"] and root["human"] and root["console_access"]
    assert root["mfa_active"] is (mfa == "true") and root["active_keys"] == (1 if keys == "true" else 0)
    hardware = [f.attributes for f in result.of("identity.mfa_device") if f.attributes["user"] == "<root_account>"]
    assert hardware == ([{"kind": "hardware", "user": "<root_account>"}] if mfa == "true" else [])


def test_no_password_policy_is_a_known_answer(aws) -> None:
    result = scan(["identity.password_policy"])
    assert result.one("identity.password_policy", "password-policy")["present"] is False
    assert result.status("iam.password_policy") == {"ok"}


def test_identity_center_and_organization(aws) -> None:
    org = boto3.client("organizations")
    org.create_organization(FeatureSet="ALL")
    root = org.list_roots()["Roots"][0]["Id"]
    ou = org.create_organizational_unit(ParentId=root, Name="workloads")["OrganizationalUnit"]["Id"]
    member = org.create_account(AccountName="prod", Email="prod@example.org")["CreateAccountStatus"]["AccountId"]
    org.move_account(AccountId=member, SourceParentId=root, DestinationParentId=ou)
    scp = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Deny",
                "NotAction": ["iam:*"],
                "Resource": "*",
                "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-2"]}},
            },
            {"Effect": "Deny", "Action": ["organizations:LeaveOrganization"], "Resource": "*"},
        ],
    }
    policy = org.create_policy(Name="uk-only", Description="", Type="SERVICE_CONTROL_POLICY", Content=json.dumps(scp))["Policy"]
    org.attach_policy(PolicyId=policy["PolicySummary"]["Id"], TargetId=ou)
    store = boto3.client("sso-admin", "eu-west-2").list_instances()["Instances"]
    if store:
        boto3.client("identitystore", "eu-west-2").create_group(IdentityStoreId=store[0]["IdentityStoreId"], DisplayName="engineers")

    result = scan(["org.organization", "org.account", "org.policy", "identity.sso_instance"])

    (organization,) = result.of("org.organization")
    assert organization.attributes == {"all_features": True, "accounts": 2, "ous": 1}
    assert result.one("org.account", member)["ou_path"] == "/workloads"
    uk_only = result.one("org.policy", policy["PolicySummary"]["Id"])
    assert uk_only["restricts_regions"] is True and uk_only["denies_actions"] == ["leave_organization"] and uk_only["attachments"] == 1
    full = [f.attributes for f in result.of("org.policy") if f.attributes["aws_managed"]]
    assert full and full[0]["restricts_regions"] is False
    assert result.status("sso.instances") == {"ok"}
    if store:
        (instance,) = result.of("identity.sso_instance")
        assert instance.attributes["groups"] == 1
