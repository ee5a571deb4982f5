"""Golden GCP estates for the organisation's directory (Cloud Identity / Workspace, read with the Admin SDK and the
Cloud Identity API): people in IAM policies are the directory's, with their 2-Step Verification and last sign-in;
the expected level quoted from the rule's level text, and a refused directory read that leaves them unknown."""

from __future__ import annotations

from typing import Any

from tests.aws.estates import explain
from tests.gcp import estates
from tests.gcp.support import answer, scan
from tests.gcp.test_iam_people import ORG, policy

USERS = "/admin/directory/v1/users"


def person(name: str, last_login: str = "2026-11-30T09:00:00.000Z", enrolled: bool = True) -> dict[str, Any]:
    return {
        "kind": "admin#directory#user",
        "id": str(abs(hash(name)) % 10**12),
        "primaryEmail": f"{name}@example.gov.uk",
        "lastLoginTime": last_login,
        "creationTime": "2024-01-10T09:00:00.000Z",
        "suspended": False,
        "archived": False,
        "isEnrolledIn2Sv": enrolled,
        "isEnforcedIn2Sv": enrolled,
    }


def setting(kind: str, value: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": f"policies/{kind}",
        "customer": "customers/C0abc",
        "type": "ADMIN",
        "policyQuery": {"orgUnit": "orgUnits/root", "sortOrder": 1},
        "setting": {"type": f"settings/security.{kind}", "value": value},
    }


def directory_estate(factors: str = "PASSKEY_ONLY") -> dict[str, Any]:
    """Alice administers the organisation, Carol views a project; both are people of the directory, which signs
    everyone in through SAML single sign-on to Entra ID and requires 2-Step Verification."""
    estate = estates.org_estate()
    estate["assets"] = [
        estates.instance("app-1", "web-1"),
        policy(ORG, "Organization", {"roles/owner": ["user:alice@example.gov.uk"]}),
        policy("//cloudresourcemanager.googleapis.com/projects/1001", "Project", {"roles/viewer": ["user:carol@example.gov.uk"]}),
    ]
    estate["rest"] = {
        "/admin/directory/v1/customers/my_customer": {
            "kind": "admin#directory#customer",
            "id": "C0abc",
            "customerDomain": "example.gov.uk",
        },
        USERS: {"users": [person(n) for n in ("alice", "carol", "dan", "erin")]},
        "/v1/inboundSamlSsoProfiles": {
            "inboundSamlSsoProfiles": [
                {
                    "name": "inboundSamlSsoProfiles/abc",
                    "customer": "customers/C0abc",
                    "displayName": "Entra ID",
                    "idpConfig": {"entityId": "https://sts.windows.net/tenant/"},
                }
            ]
        },
        "/v1/policies": {
            "policies": [
                setting("password", {"allowedStrength": "STRONG", "minimumLength": 14, "allowReuse": False, "expirationDuration": "0s"}),
                setting("two_step_verification_enforcement_factor", {"allowedSignInFactorSet": factors}),
            ]
        },
    }
    return estate


def test_people_are_the_directorys_with_their_second_step(gcp) -> None:
    gcp.load(directory_estate())
    result = scan(
        ["identity.user", "identity.sso_instance", "identity.federation_provider", "identity.password_policy"], organization="100"
    )
    people = {f.resource_id.rsplit("/user:", 1)[-1]: f.attributes for f in result.of("identity.user") if f.attributes["human"]}
    assert {k: (v["directory_user"], v["mfa_active"], v["mfa_kind"]) for k, v in people.items()} == {
        "alice@example.gov.uk": (True, True, "hardware"),
        "carol@example.gov.uk": (True, True, "hardware"),
    }
    assert people["carol@example.gov.uk"]["password_unused_days"] >= 0
    [directory] = result.of("identity.sso_instance")
    assert directory.attributes == {"identity_source": "external_idp", "users": 4, "mfa_enforced": True, "phone_methods_allowed": False}
    assert [f.attributes["kind"] for f in result.of("identity.federation_provider")] == ["saml"]
    assert [f.attributes["min_length"] for f in result.of("identity.password_policy")] == [14]


def test_any_method_allowed_leaves_the_kind_of_second_step_unknown(gcp) -> None:
    gcp.load(directory_estate(factors="ALL"))
    result = scan(["identity.user", "identity.sso_instance"], organization="100")
    kinds = {f.attributes.get("mfa_kind") for f in result.of("identity.user") if f.attributes["human"]}
    assert kinds == {None}
    assert result.of("identity.sso_instance")[0].attributes["phone_methods_allowed"] is True


def test_everyone_in_the_central_directory_is_nearly_all_central(gcp, tmp_path) -> None:
    """sec.staff_identity: every person bound in IAM signs in with the organisation's directory (through SAML to
    Entra ID), so level 4 'Nearly all services use our central system, and we keep them in sync.' is shown; whether
    one identity system serves every service (level 5) is for a person."""
    gcp.load(directory_estate())
    result = answer(tmp_path, "sec.staff_identity", organization="100")
    assert result.status == "floor" and result.answer == 4, explain(result)


def test_federated_people_and_rotated_secrets_are_consistent_federation(gcp, tmp_path) -> None:
    """csmm.iam: people federated through the directory and none local, so level 3 'Federation consistent through
    broker or similar. Initial secrets management use ...' is what the configuration shows once a secret is stored."""
    estate = directory_estate()
    estate["assets"].append(
        estates.asset(
            "//secretmanager.googleapis.com/projects/1001/secrets/db",
            "secretmanager.googleapis.com/Secret",
            {"name": "projects/1001/secrets/db", "rotation": {"rotationPeriod": "2592000s"}},
            parent="//cloudresourcemanager.googleapis.com/projects/1001",
        )
    )
    gcp.load(estate)
    result = answer(tmp_path, "csmm.iam", organization="100")
    assert result.answer == 3, explain(result)


def test_refused_directory_leaves_people_unknown_never_local(gcp, tmp_path) -> None:
    """The same estate with the directory refused (no Admin console role): the people's second step, the identity
    centre and its single sign-on are unknown, so sec.staff_identity is not answered — never 'each service manages its own identities'."""
    estate = directory_estate()
    estate["faults"] = {
        "deny": [
            {"operation": "list admin/directory/v1/users"},
            {"operation": "get admin/directory/v1/customers/*"},
            {"operation": "list v1/inboundSamlSsoProfiles"},
            {"operation": "list v1/policies"},
        ]
    }
    gcp.load(estate)
    result = scan(["identity.user", "identity.sso_instance"], organization="100")
    people = [f.attributes for f in result.of("identity.user") if f.attributes["human"]]
    assert people and all(p.get("mfa_active") is None and p.get("directory_user") is None for p in people)
    assert result.of("identity.sso_instance") == []
    assessed = answer(tmp_path, "sec.staff_identity", organization="100")
    assert assessed.answer == 0 and 1 in assessed.possible_levels, explain(assessed)


def checked_directory_estate(enrolled: bool = True) -> dict[str, Any]:
    """The directory estate with the CIS posture deployed on the organisation (its MFA_NOT_ENFORCED detector checks
    identity settings automatically); Alice, the administrator, is always enrolled, Carol only when `enrolled`."""
    from tests.gcp.test_golden_posture import posture_estate

    estate = directory_estate()
    estate["rest"].update(posture_estate()["rest"])
    users = [person("alice"), person("carol", enrolled=enrolled), person("dan"), person("erin")]
    estate["rest"][USERS] = {"users": users}
    return estate


def test_directory_enforcing_2sv_with_automated_checks_is_at_least_level_4(gcp, tmp_path) -> None:
    """sec.user_identity: every person signs in through the directory (SAML to Entra ID), the directory enforces
    2-Step Verification on every active user and a deployed posture checks identity settings, so level 4 'There are
    central rules for all users, with most checks and enforcement automated. Single Sign-On and two-factor
    authentication are widely used.' is shown; level 5's automated approvals and reporting are for a person."""
    gcp.load(checked_directory_estate())
    result = answer(tmp_path, "sec.user_identity", organization="100")
    assert (result.status, result.answer) == ("floor", 4), explain(result)
    assert result.possible_levels == [4, 5]


def test_directory_not_enforcing_2sv_everywhere_is_not_shown_at_level_4(gcp, tmp_path) -> None:
    """The same estate where Carol is not enrolled in (nor held to) 2-Step Verification: two-factor authentication is
    not 'widely used' (one of two console people), so level 4 is not shown and level 3 'There are rules, such as
    two-factor authentication for key accounts, and some automated checks.' is the answer."""
    gcp.load(checked_directory_estate(enrolled=False))
    result = answer(tmp_path, "sec.user_identity", organization="100")
    assert (result.status, result.answer) == ("suggested", 3), explain(result)


def test_refused_directory_leaves_user_identity_unknown(gcp, tmp_path) -> None:
    """The same estate with the directory refused: the people's second step and the directory's enforcement are
    unknown, so sec.user_identity is not answered (never a level from what could not be read)."""
    estate = checked_directory_estate()
    estate["faults"] = {
        "deny": [
            {"operation": "list admin/directory/v1/users"},
            {"operation": "get admin/directory/v1/customers/*"},
            {"operation": "list v1/inboundSamlSsoProfiles"},
            {"operation": "list v1/policies"},
        ]
    }
    gcp.load(estate)
    result = answer(tmp_path, "sec.user_identity", organization="100")
    assert result.answer == 0 and result.status != "floor", explain(result)
