"""Identity security questions from moto estates: sec.nhi_auth, sec.nhi_cloud, sec.user_identity,
sec.access_reviews, sec.user_provisioning, sec.staff_identity, sec.mfa and sec.privileged_access.

Each estate is built through the public APIs and scanned by the real adapter; the expected answer
comes from the level text quoted in the docstring (questions.json), never from running the code.
A level is expected only where the configuration shows it; where the remaining levels turn on
practice (reviews, vaulting, written mandates, identities as code), the expected answer is 0.

What moto 5.2 cannot show, and how these tests stand in for it:

* The root user. moto's credential report has no ``<root_account>`` row, and its account summary
  hard-codes root MFA off (root MFA is set in the console, with no API), so the scan judges root
  only where the report lists it, as real IAM always does (tests/aws/test_identity.py serves such
  a row; the root cases of each rule are golden tests in tests/rules/test_cmm_security.py).
* Identity Center: moto creates one instance per region with an empty identity store; users made
  with identitystore CreateUser carry no ExternalIds (only SCIM sets them, and SCIM is no AWS API),
  so "provisioned automatically" (sec.user_provisioning 4) cannot be built. Its MFA settings have
  no API at all.
* Security Hub GetEnabledStandards is not implemented (coverage `error`), so "no automated identity
  check" is never confirmed on moto: posture standards stay unknown.
* Time: users and keys are created "now". `backdated` moves moto's IAM clock so that a user or key
  can be 200 days old, as an estate that has existed for a while would be.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import boto3
import pytest

from tests.aws.estates import ACCOUNT, REGION, answer, assert_dont_know, deny, explain

EVERYTHING = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
CODES = {"AuthenticationCode1": "123456", "AuthenticationCode2": "654321"}


# --- builders ------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _report_at_once(monkeypatch) -> None:
    """moto has the credential report on the second request; the scan need not wait 2 s between the two."""
    monkeypatch.setattr("cmm_scan.aws.handlers.iam.REPORT_WAIT_SECONDS", 0.0)


@contextmanager
def backdated(days: int) -> Iterator[None]:
    """IAM users and access keys created inside are `days` old."""
    import moto.iam.models as iam_models

    real = iam_models.utcnow
    iam_models.utcnow = lambda: real() - timedelta(days=days)
    try:
        yield
    finally:
        iam_models.utcnow = real


def person(name: str, mfa: str | None = "virtual", admin: bool = False, keys: int = 0) -> None:
    """A local IAM user with a console password; MFA 'virtual' (an app), 'hardware' (a token) or None."""
    iam = boto3.client("iam")
    iam.create_user(UserName=name)
    iam.create_login_profile(UserName=name, Password="Correct-horse-battery-1")
    if mfa == "virtual":
        serial = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"]["SerialNumber"]
        iam.enable_mfa_device(UserName=name, SerialNumber=serial, **CODES)
    elif mfa == "hardware":
        iam.enable_mfa_device(UserName=name, SerialNumber=f"GAHT{abs(hash(name)) % 10**8:08d}", **CODES)
    if admin:  # an AdministratorAccess equivalent (moto does not load the AWS managed policies)
        iam.put_user_policy(UserName=name, PolicyName="admin", PolicyDocument=EVERYTHING)
    for _ in range(keys):
        iam.create_access_key(UserName=name)


def people(prefix: str, n: int, **kwargs) -> None:
    for i in range(n):
        person(f"{prefix}{i}", **kwargs)


def software(name: str) -> None:
    """An IAM user used by software: an access key, no console password."""
    iam = boto3.client("iam")
    iam.create_user(UserName=name)
    iam.create_access_key(UserName=name)


def _trust(principal: dict, action: str = "sts:AssumeRole") -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": principal, "Action": action}]})


def workload_roles(n: int) -> None:
    """Roles that hand workloads short-lived credentials: instance, function and task roles."""
    services = ["ec2.amazonaws.com", "lambda.amazonaws.com", "ecs-tasks.amazonaws.com"]
    for i in range(n):
        boto3.client("iam").create_role(RoleName=f"workload-{i}", AssumeRolePolicyDocument=_trust({"Service": services[i % 3]}))


def ci_role() -> None:
    """A deployment role assumed through OIDC web identity from CI."""
    iam = boto3.client("iam")
    iam.create_open_id_connect_provider(
        Url="https://token.actions.githubusercontent.com", ThumbprintList=["a" * 40], ClientIDList=["sts.amazonaws.com"]
    )
    oidc = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
    iam.create_role(RoleName="deploy", AssumeRolePolicyDocument=_trust({"Federated": oidc}, "sts:AssumeRoleWithWebIdentity"))


def secrets(n: int, rotated: int = 0) -> None:
    sm = boto3.client("secretsmanager", REGION)
    for i in range(n):
        sm.create_secret(Name=f"app/secret-{i}", SecretString="x")
        if i < rotated:
            sm.rotate_secret(SecretId=f"app/secret-{i}", RotationRules={"AutomaticallyAfterDays": 30}, RotateImmediately=False)


def sso_people(n: int) -> None:
    """People in the identity centre's store (created through the identity store API, so not SCIM-provisioned)."""
    (instance,) = boto3.client("sso-admin", REGION).list_instances()["Instances"]
    store = boto3.client("identitystore", REGION)
    for i in range(n):
        store.create_user(
            IdentityStoreId=instance["IdentityStoreId"],
            UserName=f"person{i}@example.gov.uk",
            DisplayName=f"Person {i}",
            Name={"GivenName": "Person", "FamilyName": str(i)},
        )


SAML_METADATA = (
    '<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.gov.uk/saml">'
    '<IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
    '<KeyDescriptor use="signing"><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>'
    + "MIIC"
    + "A" * 900
    + "</X509Certificate></X509Data></KeyInfo></KeyDescriptor>"
    '<SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example.gov.uk/sso"/>'
    "</IDPSSODescriptor></EntityDescriptor>"
)


def saml_provider() -> None:
    """The accounts trust the corporate SAML IdP directly."""
    boto3.client("iam").create_saml_provider(Name="corporate-idp", SAMLMetadataDocument=SAML_METADATA)


def identity_check() -> None:
    """An AWS Config managed rule that checks an identity setting."""
    boto3.client("config", REGION).put_config_rule(
        ConfigRule={"ConfigRuleName": "root-mfa", "Source": {"Owner": "AWS", "SourceIdentifier": "ROOT_ACCOUNT_MFA_ENABLED"}}
    )


# --- sec.nhi_auth: accounts used by software ------------------------------------------------------


def test_nhi_auth_workload_roles_only_is_level_5(aws, tmp_path) -> None:
    """'We use short-lived, strongly checked identities that change for each use': software runs under
    instance, function and task roles and a CI role assumed through OIDC; no IAM user holds a key."""
    workload_roles(3)
    ci_role()
    person("alice")
    result = answer(tmp_path, "sec.nhi_auth")
    assert result.answer == 5, explain(result)


def test_nhi_auth_old_keys_without_store_is_level_2(aws, tmp_path) -> None:
    """'We use API keys that don't change often': three services call AWS with access keys issued 200
    days ago; there is no secret store. Software cannot sign API calls with a password, and no console
    user is left who could be a service account on one, so not 'basic usernames and passwords' (1)."""
    with backdated(200):
        for name in ("billing-app", "reports-job", "ci-bot"):
            software(name)
    result = answer(tmp_path, "sec.nhi_auth")
    assert result.answer == 2, explain(result)


def test_nhi_auth_one_stale_key_among_roles_is_level_2(aws, tmp_path) -> None:
    """Ten workload roles and one service on a 200-day-old key: 91% short-lived, but a key that does not
    change rules out level 5 ('short-lived ... identities'); no store, so 'API keys that don't change often'."""
    workload_roles(10)
    with backdated(200):
        software("legacy-batch")
    result = answer(tmp_path, "sec.nhi_auth")
    assert result.answer == 2, explain(result)


def test_nhi_auth_rotated_store_is_at_least_3(aws, tmp_path) -> None:
    """'A central place to store secrets and sometimes rotate them' (3): 1 of 3 secrets rotates. Whether
    services also use certificates, mutual TLS (4), is not in the configuration: at least 3."""
    software("ci-bot")
    secrets(3, rotated=1)
    result = answer(tmp_path, "sec.nhi_auth")
    assert (result.status, result.floor_level, result.possible_levels) == ("floor", 3, [3, 4]), explain(result)


def test_nhi_auth_people_on_the_console_do_not_make_passwords(aws, tmp_path) -> None:
    """Two services on keys beside four people who sign in to the console (no keys): the software uses
    'API keys that don't change often' (2), whatever the people do."""
    software("ci-bot")
    software("reports-job")
    people("user", 4)
    result = answer(tmp_path, "sec.nhi_auth")
    assert result.answer == 2, explain(result)


def test_nhi_auth_users_with_password_and_keys_could_be_service_accounts(aws, tmp_path) -> None:
    """Two services on keys, and two users with both a console password and keys: people on the
    command line, or service accounts set up like people on a password. 'Basic usernames and
    passwords' (1) cannot be told from 'API keys' (2)."""
    software("ci-bot")
    software("reports-job")
    people("svc", 2, mfa=None, keys=1)
    assert_dont_know(answer(tmp_path, "sec.nhi_auth"), [1, 2])


@pytest.mark.parametrize("denied", ["iam:GenerateCredentialReport", "iam:GetAccountAuthorizationDetails"])
def test_nhi_auth_denied_identities_is_i_dont_know(aws, tmp_path, monkeypatch, denied: str) -> None:
    """Never guess: the roles-only estate of level 5, but users (keys) or roles cannot be read."""
    workload_roles(3)
    deny(monkeypatch, denied)
    assert_dont_know(answer(tmp_path, "sec.nhi_auth"))


def test_nhi_auth_denied_secrets_is_i_dont_know(aws, tmp_path, monkeypatch) -> None:
    """Never guess: services on keys, but the secret store cannot be listed (it might rotate: level 3)."""
    software("ci-bot")
    deny(monkeypatch, "secretsmanager:ListSecrets")
    assert_dont_know(answer(tmp_path, "sec.nhi_auth"))


def test_nhi_auth_empty_account_is_not_applicable(aws, tmp_path) -> None:
    """No software identity and no secret: nothing to assess (the spec's not_applicable_when)."""
    result = answer(tmp_path, "sec.nhi_auth")
    assert (result.status, result.answer) == ("not_applicable", 0), explain(result)


# --- sec.nhi_cloud: service accounts in the cloud ---------------------------------------------------


def test_nhi_cloud_keys_without_store_is_level_2(aws, tmp_path) -> None:
    """'Service accounts use long-lived API keys, managed by each team': services hold IAM access keys,
    there is no secret store and no short-lived identity; none is a user account with a password (1)."""
    with backdated(200):
        software("billing-app")
        software("ci-bot")
    result = answer(tmp_path, "sec.nhi_cloud")
    assert result.answer == 2, explain(result)


def test_nhi_cloud_keys_with_store_is_at_least_2(aws, tmp_path) -> None:
    """Software on its own access keys: 'Service accounts use long-lived API keys' (2) is shown; with a central
    secret store in use, whether 'everyone must use' it (3) is a mandate, not configuration: at least 2."""
    software("ci-bot")
    secrets(2)
    result = answer(tmp_path, "sec.nhi_cloud")
    assert (result.status, result.floor_level, result.possible_levels) == ("floor", 2, [2, 3]), explain(result)


def test_nhi_cloud_short_lived_is_at_least_4(aws, tmp_path) -> None:
    """'Short-lived identities, checked each time' (4) is shown; 'managed as code, with trust set up across
    the whole organisation' (5) is about how they are made, which the scan does not read: at least 4."""
    workload_roles(3)
    ci_role()
    result = answer(tmp_path, "sec.nhi_cloud")
    assert (result.status, result.floor_level, result.possible_levels) == ("floor", 4, [4, 5]), explain(result)


def test_nhi_cloud_denied_roles_is_i_dont_know(aws, tmp_path, monkeypatch) -> None:
    workload_roles(3)
    deny(monkeypatch, "iam:GetAccountAuthorizationDetails")
    assert_dont_know(answer(tmp_path, "sec.nhi_cloud"))


def test_nhi_cloud_empty_account_is_not_applicable(aws, tmp_path) -> None:
    result = answer(tmp_path, "sec.nhi_cloud")
    assert (result.status, result.answer) == ("not_applicable", 0), explain(result)


# --- sec.user_identity: identity rules and checks -------------------------------------------------


def test_user_identity_key_accounts_mfa_and_checks_is_level_3(aws, tmp_path) -> None:
    """'There are rules, such as two-factor authentication for key accounts, and some automated checks':
    root and the administrator have MFA, a Config rule checks root MFA; people sign in as local IAM
    users, half without MFA, so not 'Single Sign-On and two-factor authentication widely used' (4)."""
    person("admin", admin=True)
    people("dev", 2)
    people("analyst", 2, mfa=None)
    identity_check()
    result = answer(tmp_path, "sec.user_identity")
    assert result.answer == 3, explain(result)


def test_user_identity_sso_mfa_and_checks_leaves_4_or_5(aws, tmp_path) -> None:
    """'Single Sign-On and two-factor authentication are widely used', checks automated in every account
    (4); 'automated approval processes, and good reporting' (5) are not configuration."""
    person("breakglass", admin=True)
    sso_people(20)
    identity_check()
    assert_dont_know(answer(tmp_path, "sec.user_identity"), [4, 5])


def test_user_identity_no_config_rule_is_open_on_moto(aws, tmp_path) -> None:
    """MFA on root and the administrator, no Config identity rule: 'some automated checks' (3) turns on
    whether a posture standard is on, and moto cannot list Security Hub standards, so 3 stays open."""
    person("admin", admin=True)
    assert_dont_know(answer(tmp_path, "sec.user_identity"), [1, 2, 3])


def test_user_identity_denied_config_rules_is_i_dont_know(aws, tmp_path, monkeypatch) -> None:
    """Never guess: the level-3 estate, but whether anything checks identity automatically cannot be read."""
    person("admin", admin=True)
    identity_check()
    deny(monkeypatch, "config:DescribeConfigRules")
    assert_dont_know(answer(tmp_path, "sec.user_identity"))


def test_user_identity_denied_users_is_i_dont_know(aws, tmp_path, monkeypatch) -> None:
    person("admin", admin=True)
    identity_check()
    deny(monkeypatch, "iam:GenerateCredentialReport")
    assert_dont_know(answer(tmp_path, "sec.user_identity"))


def test_user_identity_empty_account_is_i_dont_know(aws, tmp_path) -> None:
    """An empty account (its root user not in moto's report): no privileged sign-in and no identity check
    to judge, and Security Hub standards unreadable on moto: every level stays open."""
    assert_dont_know(answer(tmp_path, "sec.user_identity"), [1, 2, 3, 4, 5])


# --- sec.access_reviews: right access for the role --------------------------------------------------


def test_access_reviews_lingering_unused_people_rule_out_regular_reviews(aws, tmp_path) -> None:
    """3 of 10 people's sign-ins were created 200 days ago and never used: access is not 'reviewed
    regularly' (4, 5). Whether reviews happen at all (1-3) is for a person."""
    people("active", 7)
    with backdated(200):
        people("gone", 3)
    assert_dont_know(answer(tmp_path, "sec.access_reviews"), [1, 2, 3])


def test_access_reviews_clean_estate_still_needs_a_person(aws, tmp_path) -> None:
    people("active", 5)
    assert_dont_know(answer(tmp_path, "sec.access_reviews"), [1, 2, 3, 4, 5])


def test_access_reviews_denied_users_is_i_dont_know(aws, tmp_path, monkeypatch) -> None:
    with backdated(200):
        people("gone", 3)
    deny(monkeypatch, "iam:GenerateCredentialReport")
    assert_dont_know(answer(tmp_path, "sec.access_reviews"), [1, 2, 3, 4, 5])


def test_access_reviews_empty_account_is_i_dont_know(aws, tmp_path) -> None:
    assert_dont_know(answer(tmp_path, "sec.access_reviews"))


# --- sec.user_provisioning: creating user accounts ----------------------------------------------


def test_provisioning_local_users_only_is_managed_by_hand(aws, tmp_path) -> None:
    """People sign in as local IAM users and no directory is linked: 'accounts are managed by hand' (1).
    'A central directory, but links to cloud systems are inconsistent' (2) would need a directory the scan
    cannot see, so levels 1-2 tie-break to 1."""
    people("user", 6)
    result = answer(tmp_path, "sec.user_provisioning")
    assert (result.answer, result.possible_levels) == (1, [1, 2]), explain(result)
    assert result.tie_break


def test_provisioning_mostly_identity_centre_is_level_3(aws, tmp_path) -> None:
    """'We have standard ways of working with cloud systems': 20 of 25 people (80%) come through the
    identity centre; 5 local IAM users remain, more than break-glass, so not 'automated' (4)."""
    sso_people(20)
    people("local", 5)
    result = answer(tmp_path, "sec.user_provisioning")
    assert result.answer == 3, explain(result)


def test_provisioning_identity_centre_users_made_by_hand_is_level_3(aws, tmp_path) -> None:
    """Everyone comes through the identity centre, but its users were created one by one (no SCIM or
    directory sync): standard ways (3), not 'Identity management is automated' (4)."""
    sso_people(12)
    result = answer(tmp_path, "sec.user_provisioning")
    assert result.answer == 3, explain(result)


def test_provisioning_direct_saml_without_local_people_is_at_least_4(aws, tmp_path) -> None:
    """People come in through the corporate SAML IdP, no local IAM people: no account to create in the
    cloud, 'Identity management is automated' (4) is shown; 'a single cloud-based directory ... non-standard
    systems are gone' (5) is for a person: at least 4."""
    saml_provider()
    result = answer(tmp_path, "sec.user_provisioning")
    assert (result.status, result.floor_level, result.possible_levels) == ("floor", 4, [4, 5]), explain(result)


def test_provisioning_denied_identity_store_is_i_dont_know(aws, tmp_path, monkeypatch) -> None:
    sso_people(20)
    people("local", 5)
    deny(monkeypatch, "identitystore:ListUsers")
    assert_dont_know(answer(tmp_path, "sec.user_provisioning"))


def test_provisioning_empty_account_is_not_applicable(aws, tmp_path) -> None:
    result = answer(tmp_path, "sec.user_provisioning")
    assert (result.status, result.answer) == ("not_applicable", 0), explain(result)


# --- sec.staff_identity: staff identities ---------------------------------------------------------


def test_staff_identity_local_users_only_is_level_1(aws, tmp_path) -> None:
    """'Each service manages its own identities' (1): the cloud manages its own users. A central system the
    cloud does not use (2) would be invisible, so levels 1-2 tie-break to 1."""
    people("user", 6)
    result = answer(tmp_path, "sec.staff_identity")
    assert (result.answer, result.possible_levels) == (1, [1, 2]), explain(result)


def test_staff_identity_half_central_is_level_2(aws, tmp_path) -> None:
    """'We have a central identity system, but not all services use it': 5 of 10 people through it."""
    sso_people(5)
    people("local", 5)
    result = answer(tmp_path, "sec.staff_identity")
    assert result.answer == 2, explain(result)


def test_staff_identity_mostly_central_is_level_3(aws, tmp_path) -> None:
    """'Most services use our central identity system, but a few don't': 8 of 10 people (80%)."""
    sso_people(8)
    people("local", 2)
    result = answer(tmp_path, "sec.staff_identity")
    assert result.answer == 3, explain(result)


def test_staff_identity_nearly_all_central_is_level_4(aws, tmp_path) -> None:
    """'Nearly all services use our central system': 57 of 60 people (95%); three local IAM people are
    more than break-glass, so not 'one identity system ... one identity per person' (5)."""
    sso_people(57)
    people("local", 3)
    result = answer(tmp_path, "sec.staff_identity")
    assert result.answer == 4, explain(result)


def test_staff_identity_all_central_is_at_least_4(aws, tmp_path) -> None:
    """Everyone through the identity centre: 'Nearly all services use our central system' (4) is shown;
    whether every other service and person follows (5) is for a person: at least 4."""
    sso_people(10)
    result = answer(tmp_path, "sec.staff_identity")
    assert (result.status, result.floor_level, result.possible_levels) == ("floor", 4, [4, 5]), explain(result)


def test_staff_identity_saml_beside_local_people_is_i_dont_know(aws, tmp_path) -> None:
    """People behind direct SAML federation are not counted, so the central share could be anything."""
    saml_provider()
    people("local", 6)
    assert_dont_know(answer(tmp_path, "sec.staff_identity"), [1, 2, 3, 4])


def test_staff_identity_denied_identity_store_is_i_dont_know(aws, tmp_path, monkeypatch) -> None:
    sso_people(8)
    people("local", 2)
    deny(monkeypatch, "identitystore:ListUsers")
    assert_dont_know(answer(tmp_path, "sec.staff_identity"))


def test_staff_identity_empty_account_is_not_applicable(aws, tmp_path) -> None:
    result = answer(tmp_path, "sec.staff_identity")
    assert (result.status, result.answer) == ("not_applicable", 0), explain(result)


# --- sec.mfa: two-factor authentication -------------------------------------------------------------


def test_mfa_everyone_on_app_mfa_is_level_4(aws, tmp_path) -> None:
    """'Only strong 2FA/MFA methods are allowed (no SMS or phone-based codes)': every console user and the
    root user have MFA; IAM offers no SMS or phone codes, and IAM is the only way in. Apps, not
    hardware keys, so not 'only hardware-based MFA' (5)."""
    people("user", 8)
    result = answer(tmp_path, "sec.mfa")
    assert result.answer == 4, explain(result)


def test_mfa_everyone_on_hardware_is_level_5(aws, tmp_path) -> None:
    """'Only hardware-based MFA is used': every console user on a hardware token, root on a hardware device."""
    people("user", 6, mfa="hardware")
    result = answer(tmp_path, "sec.mfa")
    assert result.answer == 5, explain(result)


def test_mfa_two_exceptions_are_few(aws, tmp_path) -> None:
    """'Enforced for nearly all users, with few exceptions': 8 of 10 with MFA, two exceptions; app
    devices only, IAM the only way in, so level 4 as above."""
    people("user", 8)
    people("breakglass", 2, mfa=None)
    result = answer(tmp_path, "sec.mfa")
    assert result.answer == 4, explain(result)


def test_mfa_half_without_is_required_not_enforced(aws, tmp_path) -> None:
    """5 of 10 without MFA and IAM the only way in: not "enforced for nearly all users" (3), but half have it:
    "It's required, but not always enforced" (2)."""
    people("user", 5)
    people("nomfa", 5, mfa=None)
    result = answer(tmp_path, "sec.mfa")
    assert (result.status, result.answer) == ("suggested", 2), explain(result)


def test_mfa_small_minority_is_suggested_only(aws, tmp_path) -> None:
    """1 of 6 console users with MFA and IAM the only way in: "It's suggested, but not required" (1)."""
    people("user", 1)
    people("nomfa", 5, mfa=None)
    result = answer(tmp_path, "sec.mfa")
    assert (result.status, result.answer) == ("suggested", 1), explain(result)
    assert result.because == "MFA is used by a minority only: 1 of 6 console users have it, and IAM is the only way in."


def test_mfa_people_in_identity_centre_keep_1_to_4_open(aws, tmp_path) -> None:
    """People also sign in through the identity centre, whose MFA settings have no API (and none in moto)."""
    people("user", 4)
    sso_people(10)
    assert_dont_know(answer(tmp_path, "sec.mfa"), [1, 2, 3, 4])


@pytest.mark.parametrize("denied", ["iam:GenerateCredentialReport", "identitystore:ListUsers"])
def test_mfa_denied_reads_are_i_dont_know(aws, tmp_path, monkeypatch, denied: str) -> None:
    """Never guess: the level-4 estate, but users or the identity centre's people cannot be read."""
    people("user", 8)
    deny(monkeypatch, denied)
    assert_dont_know(answer(tmp_path, "sec.mfa"))


def test_mfa_empty_account_is_i_dont_know(aws, tmp_path) -> None:
    """No one signs in (moto's report lists no root user): nothing to assess, so no level."""
    result = answer(tmp_path, "sec.mfa")
    assert (result.status, result.answer) == ("not_applicable", 0), explain(result)


# --- sec.privileged_access: privileged access -----------------------------------------------------


def test_privileged_access_local_admins_without_mfa_leave_1_or_2(aws, tmp_path) -> None:
    """'Each admin manages their own privileged accounts' (1): two admin users with their own keys and
    no MFA. Whether their passwords and keys are vaulted centrally (2) is not configuration."""
    person("admin-a", mfa=None, admin=True, keys=1)
    person("admin-b", mfa=None, admin=True, keys=1)
    assert_dont_know(answer(tmp_path, "sec.privileged_access"), [1, 2])


def test_privileged_access_no_standing_admins_leaves_2_to_5(aws, tmp_path) -> None:
    """No local administrators, root with MFA and no keys: not ad hoc (1); vaulting, one-time passwords,
    automated workflows and just-in-time approval (2-5) live in tools the scan does not read."""
    people("user", 3)
    assert_dont_know(answer(tmp_path, "sec.privileged_access"), [2, 3, 4, 5])


def test_privileged_access_many_local_admins_rule_out_automation(aws, tmp_path) -> None:
    """Three standing admin users (more than break-glass), all with MFA: 'one-time passwords for access'
    (3) may hold, 'automated systems for privileged access' (4, 5) does not."""
    people("admin", 3, admin=True)
    assert_dont_know(answer(tmp_path, "sec.privileged_access"), [1, 2, 3])


def logging_trail() -> None:
    s3 = boto3.client("s3", REGION)
    s3.create_bucket(Bucket="audit-logs-archive", CreateBucketConfiguration={"LocationConstraint": REGION})
    trail = boto3.client("cloudtrail", REGION)
    trail.create_trail(Name="management", S3BucketName="audit-logs-archive", IsMultiRegionTrail=True)
    trail.start_logging(Name="management")


def test_privileged_access_break_glass_admins_on_mfa_is_at_least_3(aws, tmp_path) -> None:
    """Two break-glass administrators, both signing in with MFA and holding no keys, IAM the only way in,
    and a trail logging: "structured admin processes, with one-time passwords for access" (3) is shown;
    automated, just-in-time access (4, 5) lives in tools the scan does not read: at least 3."""
    people("breakglass", 2, admin=True)
    people("user", 3)
    logging_trail()
    result = answer(tmp_path, "sec.privileged_access")
    assert (result.status, result.floor_level, result.possible_levels) == ("floor", 3, [3, 4, 5]), explain(result)
    assert result.because.startswith("Privileged access needs a one-time password: 2 administrator users, all with MFA")


def test_privileged_access_many_admins_on_mfa_is_level_3(aws, tmp_path) -> None:
    """Three standing administrators on MFA with a trail logging: one-time passwords (3) shown, and more
    standing admins than break-glass rule out "automated systems for privileged access" (4, 5): level 3."""
    people("admin", 3, admin=True)
    logging_trail()
    result = answer(tmp_path, "sec.privileged_access")
    assert (result.status, result.answer) == ("suggested", 3), explain(result)


def identity_centre_admins() -> None:
    """People take administrator rights from the identity centre: the role its permission set provisions in the
    account (moto does not provision permission sets, so the role is made as the identity centre makes it)."""
    provider = f"arn:aws:iam::{ACCOUNT}:saml-provider/AWSSSO_0123456789abcdef_DO_NOT_DELETE"
    name = "AWSReservedSSO_AdministratorAccess_0123456789abcdef"
    iam = boto3.client("iam")
    iam.create_role(
        RoleName=name,
        Path=f"/aws-reserved/sso.amazonaws.com/{REGION}/",
        AssumeRolePolicyDocument=_trust({"Federated": provider}, "sts:AssumeRoleWithSAML"),
    )
    iam.put_role_policy(RoleName=name, PolicyName="AdministratorAccess", PolicyDocument=EVERYTHING)


def test_privileged_access_admins_through_identity_centre_is_at_least_2(aws, tmp_path) -> None:
    """Level 2, "we use central controls for passwords and keys, with basic logging": people take administrator
    rights from the identity centre, the two local administrators are break-glass users on MFA with no keys,
    root is locked down and a trail logs. The identity centre's MFA settings are not readable, so "one-time
    passwords for access" (3) is not shown, and automated or just-in-time access (4, 5) is for a person:
    at least 2."""
    sso_people(20)
    identity_centre_admins()
    people("breakglass", 2, admin=True)
    logging_trail()
    result = answer(tmp_path, "sec.privileged_access")
    assert (result.status, result.floor_level, result.answer) == ("floor", 2, 2), explain(result)
    assert result.because.startswith("People sign in through a central identity service (identity centres with users: 1;")


def test_privileged_access_identity_centre_beside_an_admin_key_shows_nothing(aws, tmp_path) -> None:
    """The same, but a break-glass administrator holds a long-lived access key: a personal key outside central
    control, so level 2 is not shown, and the key rules out "automated systems for privileged access" (4, 5);
    with the identity centre's MFA unread, 1-3 stay open."""
    sso_people(20)
    identity_centre_admins()
    person("breakglass-0", admin=True)
    person("breakglass-1", admin=True, keys=1)
    logging_trail()
    assert_dont_know(answer(tmp_path, "sec.privileged_access"), [1, 2, 3])


def test_privileged_access_identity_centre_roles_denied_is_i_dont_know(aws, tmp_path, monkeypatch) -> None:
    """Users' and roles' policies cannot be read: which local users are administrators is unknown, so nothing is shown."""
    sso_people(20)
    identity_centre_admins()
    people("breakglass", 2, admin=True)
    logging_trail()
    deny(monkeypatch, "iam:GetAccountAuthorizationDetails")
    result = answer(tmp_path, "sec.privileged_access")
    assert result.answer == 0 and result.floor_level is None, explain(result)


def test_privileged_access_denied_users_is_i_dont_know(aws, tmp_path, monkeypatch) -> None:
    person("admin-a", mfa=None, admin=True, keys=1)
    deny(monkeypatch, "iam:GenerateCredentialReport")
    assert_dont_know(answer(tmp_path, "sec.privileged_access"), [1, 2, 3, 4, 5])
