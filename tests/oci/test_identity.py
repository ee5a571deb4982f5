"""IAM users: console access, MFA, keys and their ages, administrators (by group or by policy), federation."""

from __future__ import annotations

import pytest

from tests.oci.support import TENANCY, Estate, scan

V = "/20160918"


def user(estate: Estate, name: str, *, groups: tuple[str, ...] = (), api_keys: int = 0, tokens: int = 0, **fields: object) -> str:
    uid = f"ocid1.user.oc1..{name}"
    estate.add(
        f"{V}/users",
        {
            "id": uid,
            "name": name,
            "isMfaActivated": False,
            "capabilities": {"canUseConsolePassword": True},
            "timeCreated": "2025-01-01T00:00:00Z",
            **fields,
        },
        region=None,
    )
    keys = [
        {"keyId": f"{uid}/k{n}", "fingerprint": "aa", "lifecycleState": "ACTIVE", "timeCreated": "2025-06-01T00:00:00Z"}
        for n in range(api_keys)
    ]
    estate.single(f"{V}/users/{uid}/apiKeys", keys, region=None)
    estate.single(
        f"{V}/users/{uid}/authTokens",
        [{"id": f"{uid}/t{n}", "lifecycleState": "ACTIVE", "timeCreated": "2026-01-01T00:00:00Z"} for n in range(tokens)],
        region=None,
    )
    estate.single(f"{V}/users/{uid}/customerSecretKeys", [], region=None)
    for group in groups:
        estate.add(f"{V}/userGroupMemberships", {"userId": uid, "groupId": f"ocid1.group.oc1..{group}"}, region=None)
    return uid


def _estate() -> Estate:
    estate = Estate()
    for group in ("Administrators", "NetworkAdmins", "Readers"):
        estate.add(f"{V}/groups", {"id": f"ocid1.group.oc1..{group}", "name": group}, region=None)
    estate.add(
        f"{V}/policies",
        {"name": "net", "statements": ["Allow group NetworkAdmins to manage all-resources in tenancy"]},
        region=None,
        search_type="Policy",
    )
    estate.add(
        f"{V}/policies",
        {"name": "read", "statements": ["Allow group Readers to read all-resources in tenancy"]},
        region=None,
        search_type="Policy",
    )
    user(estate, "alice", groups=("Administrators",), isMfaActivated=True, lastSuccessfulLoginTime="2026-11-30T00:00:00Z")
    user(estate, "bob", groups=("NetworkAdmins",))
    user(estate, "carol", groups=("Readers",))
    user(estate, "ci-deployer", api_keys=2, tokens=1, capabilities={"canUseConsolePassword": False})
    user(estate, "fed-dave", identityProviderId="ocid1.saml2idp.oc1..azuread")
    estate.add(
        f"{V}/identityProviders",
        {
            "id": "ocid1.saml2idp.oc1..azuread",
            "name": "AzureAD",
            "protocol": "SAML2",
            "metadataUrl": "https://login.microsoftonline.com/x/federationmetadata",
        },
        region=None,
    )
    return estate


def test_users(monkeypatch: pytest.MonkeyPatch) -> None:
    result = scan(_estate(), ["identity.user"], monkeypatch)
    alice = result.one("identity.user", "alice")
    assert alice["admin"] is True and alice["mfa_active"] is True and alice["mfa_kind"] == "virtual"
    assert alice["console_access"] is True and alice["human"] is True and alice["active_keys"] == 0 and alice["is_root"] is False
    assert result.one("identity.user", "bob")["admin"] is True  # manage all-resources in tenancy by policy
    assert result.one("identity.user", "carol")["admin"] is False
    robot = result.one("identity.user", "ci-deployer")
    assert robot["console_access"] is False and robot["human"] is False
    assert robot["active_keys"] == 3 and robot["oldest_key_age_days"] > 300
    dave = result.one("identity.user", "fed-dave")
    assert dave["mfa_active"] is None and dave["console_access"] is True  # the identity provider holds the second factor
    assert {f.scope for f in result.of("identity.user")} == {TENANCY}
    assert {f.region for f in result.of("identity.user")} == {"global"}


def test_refused_policies_leave_admin_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    estate = _estate()
    estate.deny_path("/20160918/policies")
    result = scan(estate, ["identity.user"], monkeypatch)
    assert result.one("identity.user", "alice")["admin"] is None
    assert result.one("identity.user", "alice")["mfa_active"] is True
    assert result.status("identity.users/join:policies") == {"denied"}


def test_credentials_are_read_in_bulk_per_identity_domain(monkeypatch: pytest.MonkeyPatch) -> None:
    """Three paged SCIM lists for the whole domain (pages of two here), never a read per user."""
    estate = _estate()
    estate.page_size = 2
    for n in range(6):
        user(estate, f"robot{n}", api_keys=1, capabilities={"canUseConsolePassword": False})
    result = scan(estate, ["identity.user"], monkeypatch)
    assert result.one("identity.user", "ci-deployer")["active_keys"] == 3
    assert all(result.one("identity.user", f"robot{n}")["active_keys"] == 1 for n in range(6))
    assert result.one("identity.user", "alice")["active_keys"] == 0  # the domain's lists name none of hers: read, none
    paths = [r["path"] for r in result.log]
    assert not [p for p in paths if "/users/ocid1." in p]
    assert len([p for p in paths if p.endswith("/admin/v1/ApiKeys")]) == 4  # 8 keys, two a page


def test_refused_domain_key_listing_leaves_keys_unknown_not_zero(monkeypatch: pytest.MonkeyPatch) -> None:
    """The domain answers 404 NotAuthorizedOrNotFound: every user's keys are unknown, none is counted zero."""
    estate = _estate()
    estate.deny_path("/admin/v1/ApiKeys")
    result = scan(estate, ["identity.user"], monkeypatch)
    robot = result.one("identity.user", "ci-deployer")
    assert robot["active_keys"] is None and robot["human"] is None and robot["oldest_key_age_days"] is None
    assert result.one("identity.user", "alice")["active_keys"] is None
    assert result.one("identity.user", "alice")["mfa_active"] is True  # the user list itself was read
    assert result.status("identity.users/join:api_keys") == {"denied"}


def test_a_tenancy_listing_no_identity_domain_leaves_keys_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    """No domain listed means no bulk read covered the users: their credentials are unknown, not none."""
    estate = _estate()
    estate.data["resources"]["20160918/domains"] = []
    result = scan(estate, ["identity.user"], monkeypatch)
    assert result.one("identity.user", "ci-deployer")["active_keys"] is None
    assert result.one("identity.user", "alice")["active_keys"] is None
    assert result.status("identity.users/join:api_keys") == {"error"}


def test_identity_providers(monkeypatch: pytest.MonkeyPatch) -> None:
    result = scan(_estate(), ["identity.federation_provider"], monkeypatch)
    assert result.one("identity.federation_provider", "azuread") == {
        "kind": "saml",
        "url": "https://login.microsoftonline.com/x/federationmetadata",
        "ci_issuer": False,
    }


def test_dynamic_groups_and_the_authentication_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    estate = _estate()
    estate.add(
        f"{V}/dynamicGroups",
        {"id": "ocid1.dynamicgroup.oc1..builders", "name": "Builders", "matchingRule": "ALL {resource.type = 'devopsbuildpipeline'}"},
        region=None,
    )
    estate.add(
        f"{V}/policies",
        {"name": "ci", "statements": ["Allow dynamic-group builders to manage all-resources in tenancy"]},
        region=None,
        search_type="Policy",
    )
    estate.single(f"{V}/authenticationPolicies/{TENANCY}", {"passwordPolicy": {"minimumPasswordLength": 14}}, region=None)
    result = scan(estate, ["identity.role", "identity.password_policy"], monkeypatch)
    role = result.one("identity.role", "dynamicgroup")
    assert role["workload_identity"] is True and role["trust_kinds"] == ["service"] and role["admin"] is True
    assert result.one("identity.password_policy", "authentication-policy") == {"present": True, "min_length": 14}


def test_policies_are_listed_only_where_search_sees_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """ListPolicies takes one compartment: it is asked only of the compartments Search says hold a policy (the root
    here, and `apps`), not of every compartment; a policy in a sub-compartment still makes its group an administrator."""
    estate = _estate()
    apps = estate.compartment("apps")
    estate.compartment("empty")
    estate.add(
        f"{V}/policies",
        {"name": "apps", "statements": ["Allow group Readers to manage all-resources in tenancy"]},
        compartment=apps,
        region=None,
        search_type="Policy",
    )
    result = scan(estate, ["identity.user"], monkeypatch)
    asked = sorted(r["query"]["compartmentId"] for r in result.log if r["path"].endswith("/20160918/policies"))
    assert asked == sorted([TENANCY, apps])
    assert result.one("identity.user", "carol")["admin"] is True


def test_policies_are_listed_everywhere_when_search_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without Search nothing says where policies are: every compartment is asked, and the answer stays whole."""
    estate = _estate()
    estate.compartment("empty")
    estate.data["faults"]["deny"].append({"operation": "search.resources"})
    result = scan(estate, ["identity.user"], monkeypatch)
    asked = [r["query"]["compartmentId"] for r in result.log if r["path"].endswith("/20160918/policies")]
    assert len(asked) == 2 and result.one("identity.user", "bob")["admin"] is True


def test_the_tenancy_unit_reuses_the_home_regions_search(monkeypatch: pytest.MonkeyPatch) -> None:
    """The policies' guide reads the home region's Search in the tenancy unit: the same request the region unit sends
    for the inventory, so it is sent once."""
    result = scan(_estate(), ["identity.user", "inventory.resource"], monkeypatch)
    searches = [r for r in result.log if r["path"].endswith("/20180409/resources")]
    assert len(searches) == 1 and result.of("inventory.resource")


def _partner_estate() -> Estate:
    estate = _estate()
    estate.add(
        f"{V}/policies",
        {
            "id": "ocid1.policy.oc1..partner",
            "name": "partner-admins",
            "statements": [
                "Define tenancy Partner as ocid1.tenancy.oc1..partner",
                "Define group PartnerOps as ocid1.group.oc1..partnerops",
                "Admit group PartnerOps of tenancy Partner to manage all-resources in tenancy",
            ],
        },
        region=None,
        search_type="Policy",
    )
    estate.add(
        f"{V}/policies",
        {
            "id": "ocid1.policy.oc1..auditor",
            "name": "auditor",
            "statements": [
                "Define tenancy Auditor as ocid1.tenancy.oc1..auditor",
                "Admit any-user of tenancy Auditor to read all-resources in tenancy",
            ],
        },
        region=None,
        search_type="Policy",
    )
    estate.add(
        f"{V}/policies",
        {
            "id": "ocid1.policy.oc1..outbound",
            "name": "outbound",
            "statements": [
                "Define tenancy Shared as ocid1.tenancy.oc1..shared",
                "Endorse group NetworkAdmins to manage virtual-network-family in tenancy Shared",
            ],
        },
        region=None,
        search_type="Policy",
    )
    return estate


def test_admit_statements_are_outside_tenancies_ways_in(monkeypatch: pytest.MonkeyPatch) -> None:
    """An `Admit` statement lets another tenancy's group in; an `Endorse` lets ours out and is no way in. OCI keeps no
    last use of a cross-tenancy grant, so unused_days stays unknown."""
    result = scan(_partner_estate(), ["identity.role"], monkeypatch)
    partner = result.one("identity.role", "ocid1.policy.oc1..partner")
    assert partner["trusts_external_account"] is True and partner["admin"] is True and partner["service_linked"] is False
    assert partner.get("unused_days") is None
    assert result.one("identity.role", "ocid1.policy.oc1..auditor")["admin"] is False
    assert not [f for f in result.of("identity.role") if f.resource_id == "ocid1.policy.oc1..outbound"]
