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


ASSIGNMENTS = "/v1/inboundSsoAssignments"


def assignment(mode: str, target: str = "orgUnits/root", profile: str = "inboundSamlSsoProfiles/abc") -> dict[str, Any]:
    """An SSO assignment as Cloud Identity lists it: the organisational unit (or group) it targets and where it sends them."""
    found: dict[str, Any] = {"name": f"inboundSsoAssignments/{abs(hash((mode, target))) % 10**6}", "customer": "customers/C0abc"}
    found.update({"targetGroup": target, "rank": 1} if target.startswith("groups/") else {"targetOrgUnit": target})
    found["ssoMode"] = mode
    if mode == "SAML_SSO":
        found["samlSsoInfo"] = {"inboundSamlSsoProfile": profile}
    return found


def directory_estate(factors: str = "PASSKEY_ONLY", sso: str | None = "SAML_SSO") -> dict[str, Any]:
    """Alice administers the organisation, Carol views a project; both are people of the directory, which requires
    2-Step Verification. The root organisational unit's SSO assignment (`sso`) signs everyone in through SAML single
    sign-on to Entra ID (SAML_SSO), explicitly with Google (SSO_OFF), or there is none (None: with Google)."""
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
        ASSIGNMENTS: {"inboundSsoAssignments": [assignment(sso)] if sso else []},
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
    # Google's 2-Step Verification does not apply to a sign-in through single sign-on: the directory's enforcement
    # is not what protects these people, Entra ID's MFA is (not read)
    assert directory.attributes == {"identity_source": "external_idp", "users": 4, "mfa_enforced": None, "phone_methods_allowed": False}
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


DENIED_DIRECTORY = [
    {"operation": "list admin/directory/v1/users"},
    {"operation": "get admin/directory/v1/customers/*"},
    {"operation": "list v1/inboundSamlSsoProfiles"},
    {"operation": "list v1/inboundSsoAssignments"},
    {"operation": "list v1/policies"},
]


def test_refused_directory_leaves_people_unknown_never_local(gcp, tmp_path) -> None:
    """The same estate with the directory refused (no Admin console role): the people's second step, the identity
    centre and its single sign-on are unknown, so sec.staff_identity is not answered — never 'each service manages its own identities'."""
    estate = directory_estate()
    estate["faults"] = {"deny": DENIED_DIRECTORY}  # every directory read refused (no Admin console role)
    gcp.load(estate)
    result = scan(["identity.user", "identity.sso_instance"], organization="100")
    people = [f.attributes for f in result.of("identity.user") if f.attributes["human"]]
    assert people and all(p.get("mfa_active") is None and p.get("directory_user") is None for p in people)
    assert result.of("identity.sso_instance") == []
    assessed = answer(tmp_path, "sec.staff_identity", organization="100")
    assert assessed.answer == 0 and 1 in assessed.possible_levels, explain(assessed)


def checked_directory_estate(enrolled: bool = True) -> dict[str, Any]:
    """The directory estate, everyone signing in with Google (no SSO assignment), with the CIS posture deployed on the
    organisation (its MFA_NOT_ENFORCED detector checks identity settings automatically); Alice, the administrator, is
    always enrolled, Carol only when `enrolled`."""
    from tests.gcp.test_golden_posture import posture_estate

    estate = directory_estate(sso=None)
    estate["rest"].update(posture_estate()["rest"])
    users = [person("alice"), person("carol", enrolled=enrolled), person("dan"), person("erin")]
    estate["rest"][USERS] = {"users": users}
    return estate


def test_directory_enforcing_2sv_with_automated_checks_is_at_least_level_4(gcp, tmp_path) -> None:
    """sec.user_identity: every person signs in with Google through the directory, the directory enforces
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
    estate["faults"] = {"deny": DENIED_DIRECTORY}  # every directory read refused (no Admin console role)
    gcp.load(estate)
    result = answer(tmp_path, "sec.user_identity", organization="100")
    assert result.answer == 0 and result.status != "floor", explain(result)


def test_a_profile_no_assignment_names_signs_nobody_in(gcp) -> None:
    """A SAML profile set up but assigned to nobody (or only SSO_OFF assignments) is no way in: no federation provider,
    and the directory is its own identity source; one a SAML_SSO assignment names is."""
    for sso, providers, source in ((None, 0, "internal"), ("SSO_OFF", 0, "internal"), ("SAML_SSO", 1, "external_idp")):
        gcp.load(directory_estate(sso=sso))
        result = scan(["identity.sso_instance", "identity.federation_provider"], organization="100")
        assert len(result.of("identity.federation_provider")) == providers, sso
        assert result.of("identity.sso_instance")[0].attributes["identity_source"] == source, sso


def test_google_sign_in_with_enforced_passkeys_is_at_least_level_4(gcp, tmp_path) -> None:
    """sec.mfa: everyone signs in with Google (the Entra ID profile is assigned to nobody), the directory enforces
    2-Step Verification on every active person and allows only passkeys and security keys, so level 4 'Only strong
    2FA/MFA methods are allowed (no SMS or phone-based codes).' is shown; level 5 'Only hardware-based MFA is used,
    managed and given out by the organisation.' is for a person (who issues the keys), so the answer is 'at least 4'."""
    gcp.load(directory_estate(sso=None))
    result = answer(tmp_path, "sec.mfa", organization="100")
    assert (result.status, result.answer, result.possible_levels) == ("floor", 4, [4, 5]), explain(result)


def test_google_sign_in_with_phone_codes_allowed_is_not_shown_strong(gcp, tmp_path) -> None:
    """The same with every 2-Step Verification method allowed (telephone codes among them): level 4 'Only strong
    2FA/MFA methods are allowed (no SMS or phone-based codes).' is not shown, and with the people's own methods not
    listed (whether any uses a security key) nothing is answered — never a lower level from what is not read."""
    gcp.load(directory_estate(factors="ALL", sso="SSO_OFF"))
    result = answer(tmp_path, "sec.mfa", organization="100")
    phone = next(e for e in result.evidence if e.signal == "phone_sso")
    assert phone.value.lo == 1 and result.answer == 0 and result.status != "floor", explain(result)


def test_single_sign_on_leaves_mfa_to_the_other_provider(gcp, tmp_path) -> None:
    """The root organisational unit signs in through SAML to Entra ID: Google's 2-Step Verification does not apply to
    those sign-ins and Entra ID's MFA is not read, so sec.mfa is not answered — never level 1 or 2 from it."""
    gcp.load(directory_estate(sso="SAML_SSO"))
    result = answer(tmp_path, "sec.mfa", organization="100")
    assert result.answer == 0 and {1, 2, 3, 4} <= set(result.possible_levels), explain(result)


def test_single_sign_on_for_one_group_leaves_mfa_open(gcp, tmp_path) -> None:
    """Only a contractors' group is sent to Entra ID: the directory's enforcement no longer covers everyone, so level 3
    is not shown from it and sec.mfa is not answered."""
    estate = directory_estate(sso=None)
    estate["rest"][ASSIGNMENTS] = {"inboundSsoAssignments": [assignment("SAML_SSO", target="groups/contractors")]}
    gcp.load(estate)
    result = scan(["identity.sso_instance"], organization="100")
    assert result.of("identity.sso_instance")[0].attributes.get("mfa_enforced") is None
    assessed = answer(tmp_path, "sec.mfa", organization="100")
    assert assessed.answer == 0, explain(assessed)


def test_refused_assignments_leave_mfa_unknown(gcp, tmp_path) -> None:
    """The SSO assignments refused: who signs in where is unknown, so the directory's enforcement is unknown and the
    profile is kept with the count incomplete; sec.mfa is not answered, never lowered."""
    estate = directory_estate(sso=None)
    estate["faults"] = {"deny": [{"operation": "list v1/inboundSsoAssignments"}]}
    gcp.load(estate)
    result = scan(["identity.sso_instance", "identity.federation_provider"], organization="100")
    assert result.of("identity.sso_instance")[0].attributes.get("mfa_enforced") is None
    assert {c.status for c in result.coverage if c.collector.startswith("cloudidentity.inbound_sso")} >= {"denied"}
    assessed = answer(tmp_path, "sec.mfa", organization="100")
    assert assessed.answer == 0 and assessed.status != "floor", explain(assessed)


def test_refused_directory_leaves_mfa_unknown(gcp, tmp_path) -> None:
    """The whole directory refused: sec.mfa is not answered (the people's second step is unknown), never level 1."""
    estate = directory_estate(sso=None)
    estate["faults"] = {"deny": DENIED_DIRECTORY}
    gcp.load(estate)
    result = answer(tmp_path, "sec.mfa", organization="100")
    assert result.answer == 0 and 4 in result.possible_levels, explain(result)


def test_who_created_the_directorys_people_is_not_read(gcp, tmp_path) -> None:
    """sec.user_provisioning: every person comes through the directory (no one outside it), which rules out levels 1
    and 2; whether its accounts are created automatically (level 4 'Identity management is automated. Non-standard
    systems are kept separate.') is not readable from Google's APIs, so levels 3 to 5 stay open, with SSO or without."""
    for sso in (None, "SAML_SSO"):
        gcp.load(directory_estate(sso=sso))
        result = answer(tmp_path, "sec.user_provisioning", organization="100")
        assert (result.status, result.possible_levels) == ("range", [3, 4, 5]), explain(result)
