"""Entra ID through Microsoft Graph: conditional access and security defaults (who must pass MFA), the
authentication-methods policy, directory roles held standing or eligible through PIM, guests."""

from __future__ import annotations

from tests.azure.entra import GLOBAL_ADMIN, OWNER, READER, SECURITY_READER, block_legacy, rbac, require_mfa, tenant_graph, user
from tests.azure.support import DEV, PROD, SHARED, TENANT, scan, tenant_estate


def users_of(result) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    return {f.resource_id: f.attributes for f in result.of("identity.user") if f.attributes["human"]}


def test_conditional_access_decides_who_must_pass_mfa(azure) -> None:
    """Matched by id, group (direct membership), directory role and guest type; exclusions win; report-only,
    location-bound and 'MFA or compliant device' policies do not count."""
    people = [user("ada"), user("bob", groups=["breakglass"]), user("cy", groups=["ops"]), user("dee"), user("eve", guest=True)]
    policies = [
        require_mfa("Everyone", exclude=["dee"], users={"excludeGroups": ["breakglass"], "excludeUsers": ["dee", "eve"]}),
        require_mfa("Ops", include=[], users={"includeGroups": ["ops"]}),
        require_mfa("Guests", include=["GuestsOrExternalUsers"], state="enabledForReportingButNotEnforced"),
        require_mfa("Dee off site", include=["dee"]),
        require_mfa("Dee either", include=["dee"], grantControls={"operator": "OR", "builtInControls": ["mfa", "compliantDevice"]}),
    ]
    policies[3]["conditions"]["locations"] = {"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]}
    azure.load(tenant_estate(graph=tenant_graph(people, policies)))
    found = users_of(scan(["identity.user"]))
    assert {u: a["mfa_active"] for u, a in found.items()} == {"ada": True, "bob": False, "cy": True, "dee": False, "eve": False}
    assert (found["eve"]["external"], found["ada"]["external"]) == (True, False)


def test_security_defaults_require_mfa_of_everyone(azure) -> None:
    azure.load(tenant_estate(graph=tenant_graph([user("ada"), user("bob")], defaults=True)))
    result = scan(["identity.user", "identity.sso_instance"])
    assert {a["mfa_active"] for a in users_of(result).values()} == {True}
    (tenant,) = result.of("identity.sso_instance")
    assert (tenant.attributes["mfa_enforced"], tenant.attributes["legacy_auth_blocked"]) == (True, True)


def test_the_tenant_says_whether_mfa_is_enforced_legacy_sign_in_blocked_and_phone_codes_allowed(azure) -> None:
    people = [user("ada"), user("bob"), user("off", enabled=False)]
    azure.load(tenant_estate(graph=tenant_graph(people, [require_mfa(exclude=["off"]), block_legacy()], phone=False)))
    (tenant,) = scan(["identity.sso_instance"]).of("identity.sso_instance")
    assert tenant.scope == TENANT
    assert {k: tenant.attributes[k] for k in ("users", "mfa_enforced", "legacy_auth_blocked", "phone_methods_allowed")} == {
        "users": 3,
        "mfa_enforced": True,  # a disabled account cannot sign in
        "legacy_auth_blocked": True,
        "phone_methods_allowed": False,
    }


def test_standing_and_eligible_privileged_roles(azure) -> None:
    people = [user("ada"), user("bob"), user("cy")]
    roles = {"ada": [GLOBAL_ADMIN], "cy": [SECURITY_READER]}
    azure.load(tenant_estate(graph=tenant_graph(people, [require_mfa()], roles=roles, eligible={"bob": [GLOBAL_ADMIN]})))
    found = users_of(scan(["identity.user"]))
    assert {u: (a["admin"], a["eligible_admin"]) for u, a in found.items()} == {
        "ada": (True, False),
        "bob": (False, True),
        "cy": (False, False),  # Security Reader is not a privileged role
    }


def test_denied_policies_leave_mfa_unknown_and_denied_roles_leave_admin_unknown(azure) -> None:
    estate = tenant_estate(graph=tenant_graph([user("ada")], [require_mfa()], roles={"ada": [GLOBAL_ADMIN]}))
    estate["faults"] = {"deny": [{"operation": "graph/identity/conditionalAccess/*"}, {"operation": "graph/roleManagement/*"}]}
    azure.load(estate)
    result = scan(["identity.user", "identity.sso_instance"])
    ada = users_of(result)["ada"]
    assert (ada["mfa_active"], ada["admin"], ada["eligible_admin"]) == (None, None, None)
    (tenant,) = result.of("identity.sso_instance")
    assert (tenant.attributes["mfa_enforced"], tenant.attributes["legacy_auth_blocked"]) == (None, None)
    assert result.status("azure.entra_users/join:conditional_access") == {TENANT: "denied"}
    assert result.status("azure.entra_users/join:role_assignments") == {TENANT: "denied"}


def test_federated_domains_are_saml_identity_providers(azure) -> None:
    """A domain federated to another IdP (AD FS, Okta...) hands sign-in, and its MFA, to that IdP."""
    azure.load(tenant_estate(graph=tenant_graph([user("ada")], federated=["corp.example.org"])))
    (idp,) = scan(["identity.federation_provider"]).of("identity.federation_provider")
    assert (idp.resource_id, idp.attributes["kind"], idp.scope) == ("corp.example.org", "saml", TENANT)


def test_owner_on_azure_resources_is_admin_for_people_and_service_principals(azure) -> None:
    """Owner at a management group or subscription is admin (standing); Reader is not. An app registration is
    admin through its service principal."""
    graph = tenant_graph([user("ada"), user("bob"), user("cy")])
    graph["applications"] = [{"id": "o1", "appId": "app1", "displayName": "deployer", "passwordCredentials": [], "keyCredentials": []}]
    graph["servicePrincipals"] = [
        {"id": "sp1", "appId": "app1", "servicePrincipalType": "Application", "appOwnerOrganizationId": TENANT},
        {"id": "sp-ms", "appId": "00000003-0000-0000-c000-000000000000", "appOwnerOrganizationId": "f8cdef31-a31e-4b4a-93e4-5f571e91255a"},
    ]
    estate = tenant_estate(
        [
            rbac("/providers/Microsoft.Management/managementGroups/prod", "ada", OWNER),
            rbac(f"/subscriptions/{PROD}", "bob", READER),
            rbac(f"/subscriptions/{PROD}", "sp1", OWNER, kind="ServicePrincipal"),
        ],
        graph=graph,
    )
    azure.load(estate)
    result = scan(["identity.user"])
    admins = {f.resource_id: f.attributes["admin"] for f in result.of("identity.user")}
    assert admins == {"ada": True, "bob": False, "cy": False, "app1": True}


def test_denied_role_assignments_on_resources_leave_admin_unknown(azure) -> None:
    estate = tenant_estate([rbac(f"/subscriptions/{PROD}", "ada", OWNER)], graph=tenant_graph([user("ada")]))
    estate["faults"] = {"deny": [{"operation": "Microsoft.ResourceGraph/resources/read"}]}
    azure.load(estate)
    assert users_of(scan(["identity.user"]))["ada"]["admin"] is None


def test_people_synced_from_active_directory_are_provisioned_and_the_users_list_is_read_once(azure) -> None:
    people = [{**user("ada"), "onPremisesSyncEnabled": True}, {**user("bob"), "onPremisesSyncEnabled": True}, user("cloud-only")]
    azure.load(tenant_estate(graph=tenant_graph(people)))
    result = scan(["identity.user", "identity.sso_instance"])
    (tenant,) = result.of("identity.sso_instance")
    assert (tenant.attributes["users"], tenant.attributes["provisioned_users"]) == (3, 2)
    listed = [r for r in azure.requests if r["operation"] == "graph/users" and "onPremisesSyncEnabled" in str(r.get("query"))]
    assert len(listed) == 1  # the users collector and the tenant's lookup share one request


def test_a_user_in_20_groups_may_be_in_an_excluded_group_graph_did_not_expand(azure) -> None:
    """Graph expands at most 20 groups per user: with an excluded group unseen, MFA enforcement is unknown."""
    many = user("ada", groups=[f"g{n}" for n in range(20)])
    policy = require_mfa(users={"excludeGroups": ["breakglass"]})
    azure.load(tenant_estate(graph=tenant_graph([many, user("bob")], [policy])))
    found = users_of(scan(["identity.user"]))
    assert (found["ada"]["mfa_active"], found["bob"]["mfa_active"]) == (None, True)


def test_days_since_each_person_last_signed_in(azure) -> None:
    from tests.azure.test_identity_and_keys import iso

    people = [
        {**user("ada"), "signInActivity": {"lastSignInDateTime": iso(3), "lastSuccessfulSignInDateTime": iso(2)}},
        {**user("bob"), "signInActivity": {"lastSignInDateTime": iso(200)}},
        {**user("new"), "createdDateTime": iso(10)},  # never signed in: its age
    ]
    azure.load(tenant_estate(graph=tenant_graph(people)))
    found = users_of(scan(["identity.user"]))
    assert {u: a["password_unused_days"] for u, a in found.items()} == {"ada": 2, "bob": 200, "new": 10}


def test_unread_directory_roles_matter_only_to_policies_that_name_roles(azure) -> None:
    admins_only = require_mfa("Admins", include=[], users={"includeRoles": [GLOBAL_ADMIN]})
    estate = tenant_estate(graph=tenant_graph([user("ada")], [require_mfa(exclude=["bob"]), admins_only]))
    estate["faults"] = {"deny": [{"operation": "graph/roleManagement/*"}]}
    azure.load(estate)
    assert users_of(scan(["identity.user"]))["ada"]["mfa_active"] is True  # all users: no role needed
    estate = tenant_estate(graph=tenant_graph([user("ada")], [admins_only]))
    estate["faults"] = {"deny": [{"operation": "graph/roleManagement/*"}]}
    azure.load(estate)
    assert users_of(scan(["identity.user"]))["ada"]["mfa_active"] is None  # is ada an administrator? not read


def test_every_subscription_signs_in_under_the_tenants_password_policy(azure) -> None:
    """One identity.password_policy per subscription (so 'accounts scanned' counts subscriptions), from the
    default domain: 2147483647 days is 'never expires' (0), unset is Entra's default of 90 days; a denied
    domains read leaves every subscription's policy unknown, never absent."""
    graph = tenant_graph([user("ada")])
    graph["domains"][0]["passwordValidityPeriodInDays"] = 2147483647
    graph["domains"].append({"id": "other.example.org", "authenticationType": "Managed", "isVerified": True, "isDefault": False})
    azure.load(tenant_estate(graph=graph))
    found = scan(["identity.password_policy"]).of("identity.password_policy")
    assert {f.scope for f in found} == {PROD, DEV, SHARED}
    assert {(f.attributes["present"], f.attributes["min_length"], f.attributes["max_age_days"]) for f in found} == {(True, 8, 0)}
    del graph["domains"][0]["passwordValidityPeriodInDays"]
    azure.load(tenant_estate(graph=graph))
    assert {f.attributes["max_age_days"] for f in scan(["identity.password_policy"]).of("identity.password_policy")} == {90}
    estate = tenant_estate(graph=graph)
    estate["faults"] = {"deny": [{"operation": "graph/domains"}]}
    azure.load(estate)
    result = scan(["identity.password_policy"])
    assert result.of("identity.password_policy") == []
    assert result.status("azure.password_policy") == {PROD: "denied", DEV: "denied", SHARED: "denied"}


def review(name: str, query: str, auto: bool = True, recommendations: bool = True, status: str = "InProgress") -> dict:  # type: ignore[type-arg]
    return {
        "id": name,
        "displayName": name,
        "status": status,
        "scope": {"@odata.type": "#microsoft.graph.accessReviewQueryScope", "query": query, "queryType": "MicrosoftGraph"},
        "settings": {
            "autoApplyDecisionsEnabled": auto,
            "recommendationsEnabled": recommendations,
            "recurrence": {"pattern": {"type": "absoluteMonthly", "interval": 3}, "range": {"type": "noEnd"}},
        },
    }


def test_recurring_self_applying_access_reviews_are_automated_unused_access_reviews(azure) -> None:
    """A recurring review that applies its decisions and recommends on sign-in activity is an automated
    unused-access review; over every group (or user) it covers the organisation, over one group only part. A
    review whose decisions wait for someone, or a one-off, is not automated. Denied: no fact, coverage denied."""
    graph = tenant_graph([user("ada")])
    cases = {
        "organisation": ([review("all", "/groups"), review("manual", "/groups", auto=False)], (True, ["organization_unused_access"])),
        "one group": ([review("ops", "/groups/ops-id/transitiveMembers")], (True, ["unused_access"])),
        "by hand": ([review("manual", "/users", auto=False), review("done", "/users", status="Completed")], (False, [])),
    }
    for name, (reviews, expected) in cases.items():
        graph["identityGovernance/accessReviews/definitions"] = reviews
        azure.load(tenant_estate(graph=graph))
        (found,) = [f for f in scan(["security.service"]).of("security.service") if f.attributes["service"] == "entra_access_reviews"]
        assert (found.attributes["enabled"], found.attributes["coverage"]) == expected, name
        assert (found.scope, found.attributes["kind"]) == (TENANT, "access_analysis")
    estate = tenant_estate(graph=graph)
    estate["faults"] = {"deny": [{"operation": "graph/identityGovernance/*"}]}
    azure.load(estate)
    result = scan(["security.service"])
    assert [f for f in result.of("security.service") if f.attributes["service"] == "entra_access_reviews"] == []
    assert result.status("azure.access_reviews") == {TENANT: "denied"}
