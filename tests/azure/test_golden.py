"""Golden Azure estates with known answers: served by the emulator, scanned by the real adapter through
azure-core, scored by the shipped rules. The expected level is quoted from the level text of the rule."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cmm_scan.models import QuestionResult
from cmm_scan.rules import fact_plan
from tests.aws.estates import explain
from tests.azure.entra import GLOBAL_ADMIN, require_mfa, tenant_graph, user
from tests.azure.support import DEV, PROD, SHARED, resource, rid, scan, tenant_estate
from tests.azure.test_compute import VMSS, autoscale, cpu_rule, scale_set, vm
from tests.support.estate import Estate, _all_rules


def answer(tmp_path: Path, rule_id: str, **options: Any) -> QuestionResult:
    (rule,) = [r for r in _all_rules(()) if r.id == rule_id]
    collected = scan(fact_plan([rule]), **options)
    estate = Estate(provider="azure")
    estate.facts, estate.coverage = collected.facts, collected.coverage
    (result,) = estate.assess(tmp_path, rule_id).results
    return result


def queue_rule() -> dict[str, Any]:
    bus = rid(SHARED, "rg", "Microsoft.ServiceBus/namespaces", "bus")
    return {"metricTrigger": {"metricName": "ActiveMessageCount", "metricResourceUri": bus}, "scaleAction": {"direction": "Increase"}}


def test_capacity_most_instances_autoscaled_is_level_4(azure, tmp_path: Path) -> None:
    """6 of 10 running instances are in a scale set with a CPU autoscale rule: 'Most systems scale automatically.'"""
    web = rid(PROD, "rg", VMSS, "web")
    azure.load(
        tenant_estate(
            [*scale_set(PROD, "web", 6), autoscale(PROD, "web-cpu", web, [cpu_rule(web)])] + [vm(DEV, f"vm{n}") for n in range(4)]
        )
    )
    result = answer(tmp_path, "cost.capacity")
    assert result.answer == 4 and result.suggested_level == 4


def test_capacity_everything_autoscaled_on_queue_depth_is_level_5(azure, tmp_path: Path) -> None:
    """Every running instance autoscales, driven by queue depth: 'Everything scales automatically.'"""
    a, b = rid(PROD, "rg", VMSS, "a"), rid(DEV, "rg", VMSS, "b")
    estate = [
        *scale_set(PROD, "a", 3),
        *scale_set(DEV, "b", 2),
        autoscale(PROD, "a-q", a, [queue_rule()]),
        autoscale(DEV, "b-q", b, [queue_rule()]),
    ]
    azure.load(tenant_estate(estate))
    result = answer(tmp_path, "cost.capacity")
    assert result.answer == 5 and result.suggested_level == 5


def test_capacity_is_dont_know_when_resource_graph_is_denied(azure, tmp_path: Path) -> None:
    """Never guess: with the inventory refused in every subscription there is no level, not level 1."""
    estate = tenant_estate([vm(PROD, "vm1"), vm(DEV, "vm2")])
    estate["faults"] = {"deny": [{"operation": "Microsoft.ResourceGraph/resources/read", "scope": "/subscriptions/*"}]}
    azure.load(estate)
    result = answer(tmp_path, "cost.capacity")
    assert result.answer == 0 and result.suggested_level is None


def test_retention_level_5_ruled_out_when_storage_has_no_retention(azure, tmp_path: Path) -> None:
    """Level 5 ('We follow policy and use automated cloud tools to check that we do.') is ruled out when most
    storage accounts have no lifecycle expiry or immutability; levels 1-4 stay for people to answer."""
    accounts = [resource(sub, "Microsoft.Storage/storageAccounts", f"st{sub[:4]}", kind="StorageV2", properties={}) for sub in (PROD, DEV)]
    children = [
        {"id": f"{a['id']}/blobServices/default", "type": "Microsoft.Storage/storageAccounts/blobServices", "properties": {}}
        for a in accounts
    ]
    workspace = resource(PROD, "Microsoft.OperationalInsights/workspaces", "logs", properties={"retentionInDays": 30})
    azure.load(tenant_estate([*accounts, *children, workspace]))
    result = answer(tmp_path, "data.retention")
    assert 5 not in result.possible_levels and result.possible_levels == [1, 2, 3, 4], explain(result)


def test_mfa_registered_in_entra_but_not_enforced_is_level_1_or_2(azure, tmp_path: Path) -> None:
    """Every Entra user has a FIDO2 key registered, but no conditional access policy or security default makes
    anyone use it: "It's enforced for nearly all users, with few exceptions." (level 3) and above are ruled out;
    "It's suggested, but not required." and "It's required, but not always enforced." stay for a person."""
    people = [user(f"u{n}") for n in range(4)]
    azure.load(tenant_estate(graph=tenant_graph(people, methods={f"u{n}": ["fido2"] for n in range(4)})))
    result = answer(tmp_path, "sec.mfa")
    assert result.possible_levels == [1, 2], explain(result)


def test_mfa_unknown_when_conditional_access_cannot_be_read(azure, tmp_path: Path) -> None:
    """Never guess: with the policies refused, registration alone says nothing of enforcement: "I don't know"."""
    estate = tenant_estate(graph=tenant_graph([user(f"u{n}") for n in range(4)]))
    estate["faults"] = {"deny": [{"operation": "graph/identity/conditionalAccess/*"}]}
    azure.load(estate)
    result = answer(tmp_path, "sec.mfa")
    assert result.answer == 0 and result.suggested_level is None and result.possible_levels == [1, 2, 3, 4, 5]


def test_standing_global_admin_without_mfa_rules_out_structured_privileged_access(azure, tmp_path: Path) -> None:
    """A Global Administrator held standing and excluded from the MFA policy: "We have structured admin processes,
    with one-time passwords for access." (level 3) and above are ruled out; "Each admin manages their own
    privileged accounts, with no set process." stays possible."""
    people = [user("ada"), user("root-admin"), user("bob")]
    graph = tenant_graph(people, [require_mfa(exclude=["root-admin"])], roles={"root-admin": [GLOBAL_ADMIN]})
    azure.load(tenant_estate(graph=graph))
    result = answer(tmp_path, "sec.privileged_access")
    assert result.possible_levels == [1, 2], explain(result)


def test_three_standing_global_admins_rule_out_automated_privileged_access(azure, tmp_path: Path) -> None:
    """Three people hold Global Administrator standing (more than two break-glass accounts) though MFA covers
    them: "We use automated systems for privileged access, with strong controls and checks." (level 4) and
    above are ruled out; level 3 ("one-time passwords for access") stays possible."""
    admins = ["a1", "a2", "a3"]
    graph = tenant_graph([user(a) for a in [*admins, "bob"]], [require_mfa()], roles={a: [GLOBAL_ADMIN] for a in admins})
    azure.load(tenant_estate(graph=graph))
    result = answer(tmp_path, "sec.privileged_access")
    assert result.possible_levels == [1, 2, 3], explain(result)


def test_admin_rights_only_eligible_through_pim_leave_automated_access_possible(azure, tmp_path: Path) -> None:
    """Administrators are only eligible (just in time through PIM) and everyone must pass MFA: nothing rules out
    "We use automated systems for privileged access, with strong controls and checks." (level 4)."""
    admins = ["a1", "a2", "a3"]
    graph = tenant_graph([user(a) for a in admins], [require_mfa()], eligible={a: [GLOBAL_ADMIN] for a in admins})
    azure.load(tenant_estate(graph=graph))
    result = answer(tmp_path, "sec.privileged_access")
    assert 4 in result.possible_levels and 5 in result.possible_levels, explain(result)


def test_client_vpn_with_certificates_rules_out_no_perimeter(azure, tmp_path: Path) -> None:
    """SSH and RDP are closed to the internet and Bastion grants sessions per Entra identity, but people still
    connect through a point-to-site VPN: "We don't use network perimeters. Access is based on device and user
    identity, with strong checks." (level 5) is ruled out; "In some areas, we use strong identity checks instead
    of network controls, reducing VPN use." (level 4) stays possible."""
    web = resource(PROD, "Microsoft.Network/networkSecurityGroups", "web", properties={
        "securityRules": [{"name": "https", "properties": {"direction": "Inbound", "access": "Allow", "sourceAddressPrefix": "Internet",
                                                           "destinationPortRange": "443"}}],
        "subnets": [{"id": "/web"}]})  # fmt: skip
    vpn = resource(PROD, "Microsoft.Network/virtualNetworkGateways", "p2s", properties={
        "gatewayType": "Vpn", "vpnClientConfiguration": {"vpnAuthenticationTypes": ["Certificate"]}})  # fmt: skip
    bastion = resource(PROD, "Microsoft.Network/bastionHosts", "bastion", properties={})
    azure.load(tenant_estate([web, vpn, bastion]))
    result = answer(tmp_path, "sec.network")
    assert 5 not in result.possible_levels and 4 in result.possible_levels, explain(result)


def test_one_uk_region_with_geo_redundant_backups_is_not_everything_in_one_region(azure, tmp_path: Path) -> None:
    """Every workload runs in uksouth, but the backup vault restores across regions: "Everything in one region."
    (level 1) is ruled out; "We use another region for non-production workloads or backup and recovery." (level 2)
    fits, and whether regions are picked on cost or energy (level 3) is for a person."""
    vault = resource(
        PROD, "Microsoft.RecoveryServices/vaults", "backup", properties={"redundancySettings": {"crossRegionRestore": "Enabled"}}
    )
    policy = {
        "id": f"{vault['id']}/backupPolicies/daily",
        "type": "Microsoft.RecoveryServices/vaults/backupPolicies",
        "properties": {
            "schedulePolicy": {"scheduleRunFrequency": "Daily"},
            "retentionPolicy": {"dailySchedule": {"retentionDuration": {"count": 30, "durationType": "Days"}}},
        },
    }
    azure.load(tenant_estate([vm(PROD, "app1"), vm(DEV, "app2"), vault, policy]))
    result = answer(tmp_path, "cost.geography")
    assert result.possible_levels == [2, 3], explain(result)


def test_policy_assignments_and_a_compliance_standard_rule_out_we_dont(azure, tmp_path: Path) -> None:
    """An Azure Policy assignment checks resources and Defender assesses a regulatory standard: "We don't." and
    "We have policies, but don't check whether people follow them." (levels 1 and 2) are ruled out."""
    assignment = {
        "id": "/providers/Microsoft.Management/managementGroups/prod/providers/Microsoft.Authorization/policyAssignments/tags",
        "type": "Microsoft.Authorization/policyAssignments",
        "properties": {
            "displayName": "Require tags",
            "policyDefinitionId": "/providers/Microsoft.Authorization/policyDefinitions/871b6d14-10aa-478d-b590-94f262ecfa99",
        },
    }
    standard = {
        "id": f"/subscriptions/{PROD}/providers/Microsoft.Security/regulatoryComplianceStandards/CIS-Azure-2.0.0",
        "type": "Microsoft.Security/regulatoryComplianceStandards",
        "properties": {"state": "Failed"},
    }
    azure.load(tenant_estate([assignment, standard, vm(PROD, "app1")]))
    result = answer(tmp_path, "gov.policy_enforcement")
    assert 1 not in result.possible_levels and 2 not in result.possible_levels, explain(result)


def test_changes_made_by_hand_in_the_portal_is_level_1(azure, tmp_path: Path) -> None:
    """Every change of the last 14 days was made by people in the portal: "Manually, with no automation." (1)."""
    from tests.azure.test_changes import change

    azure.load(tenant_estate([change(PROD, n, "User", "Azure Portal") for n in range(25)]))
    result = answer(tmp_path, "gov.provisioning")
    assert result.suggested_level == 1 and result.answer == 1, explain(result)


def test_changes_all_made_by_deployment_pipelines_leaves_level_5_possible(azure, tmp_path: Path) -> None:
    """Every change was made by a service principal applying templates: "All cloud services are set up by CI/CD
    pipelines." (level 5) is possible, "Manually, with no automation." (level 1) is ruled out."""
    from tests.azure.test_changes import change

    changes = [change(sub, n, "Application", "ARM Template") for sub in (PROD, DEV) for n in range(25)]
    azure.load(tenant_estate(changes))
    result = answer(tmp_path, "gov.provisioning")
    assert 5 in result.possible_levels and 1 not in result.possible_levels, explain(result)


def test_deny_guardrails_with_detective_policies_rule_out_not_much_technology(azure, tmp_path: Path) -> None:
    """Deny policies (allowed locations, no public IPs) assigned to a management group and a subscription, audit
    and deployIfNotExists policies, Resource Graph recording every location in use: "We use processes to apply
    policies, but not much technology." (level 3) and below are ruled out; "We use processes and some technology
    to apply policies." (4) and "We have robust processes and technology to ensure that policies are always
    followed." (5) stay open (an initiative's effects are not expanded, so the guardrail count is a range)."""
    from tests.azure.test_policy_effects import estate

    data = estate()
    data["resources"].append(vm(PROD, "app1"))
    azure.load(data)
    result = answer(tmp_path, "gov.policy_enforcement")
    assert result.possible_levels == [4, 5], explain(result)


def test_every_person_in_entra_is_nearly_all_on_the_central_system(azure, tmp_path: Path) -> None:
    """Entra ID is the central identity system and every person signs in through it, with no cloud-local
    accounts: "Nearly all services use our central system, and we keep them in sync." (level 4) and above;
    "We have a central identity system, but not all services use it." (level 2) and below are ruled out."""
    people = [user(f"u{n}") for n in range(6)]
    azure.load(tenant_estate(graph=tenant_graph(people, [require_mfa()])))
    result = answer(tmp_path, "sec.staff_identity")
    assert result.possible_levels == [4, 5], explain(result)


def test_pipelines_with_federated_credentials_and_no_secrets_allow_short_lived_identities(azure, tmp_path: Path) -> None:
    """Every app registration deploys with a federated credential (GitHub OIDC) and none holds a secret or
    certificate: "We use short-lived, strongly checked identities that change for each use." (level 5) is
    possible."""
    github = "https://token.actions.githubusercontent.com"
    apps = [
        {"id": f"o{n}", "appId": f"app{n}", "displayName": f"deploy-{n}", "passwordCredentials": [], "keyCredentials": [],
         "federatedIdentityCredentials": [{"issuer": github, "subject": f"repo:dept/app{n}:ref:refs/heads/main"}]}
        for n in range(3)
    ]  # fmt: skip
    graph = tenant_graph([user("ada")], [require_mfa()])
    graph["applications"] = apps
    azure.load(tenant_estate(graph=graph))
    result = answer(tmp_path, "sec.nhi_auth")
    assert 5 in result.possible_levels, explain(result)


def test_an_app_registration_with_a_year_old_secret_rules_out_short_lived_identities(azure, tmp_path: Path) -> None:
    """One app registration signs in with a client secret created 400 days ago: "We use short-lived, strongly
    checked identities that change for each use." (level 5) is ruled out."""
    from tests.azure.test_identity_and_keys import iso

    secret = {"startDateTime": iso(400), "endDateTime": iso(-300)}
    apps = [{"id": "o1", "appId": "legacy", "displayName": "legacy", "passwordCredentials": [secret], "keyCredentials": []}]
    graph = tenant_graph([user("ada")], [require_mfa()])
    graph["applications"] = apps
    azure.load(tenant_estate(graph=graph))
    result = answer(tmp_path, "sec.nhi_auth")
    assert 5 not in result.possible_levels, explain(result)


def test_changes_mostly_by_hand_rule_out_most_things_automated(azure, tmp_path: Path) -> None:
    """Of 30 changes, 3 came from a pipeline and 27 from people in the portal: "Manually, when needed, with no set
    process." (level 1) and "Documented manual processes." (level 2) stay possible; "Most things are standardised
    and automated." (level 4) and above are ruled out."""
    from tests.azure.test_changes import change

    changes = [change(PROD, n, "User", "Azure Portal") for n in range(27)] + [
        change(PROD, 100 + n, "Application", "ARM Template") for n in range(3)
    ]
    azure.load(tenant_estate(changes))
    result = answer(tmp_path, "gov.environment_mgmt")
    assert 4 not in result.possible_levels and 5 not in result.possible_levels and 1 in result.possible_levels, explain(result)


def test_people_synced_from_active_directory_into_entra_show_automated_identity_management(azure, tmp_path: Path) -> None:
    """Every person is in Entra ID, synced from Active Directory, with no cloud-local accounts: "People share
    accounts, or accounts are managed by hand." (1) and "links to cloud systems are inconsistent." (2) are ruled
    out; "Identity management is automated." (level 4) is possible."""
    people = [{**user(f"u{n}"), "onPremisesSyncEnabled": True} for n in range(5)]
    azure.load(tenant_estate(graph=tenant_graph(people, [require_mfa()])))
    result = answer(tmp_path, "sec.user_provisioning")
    assert 1 not in result.possible_levels and 2 not in result.possible_levels and 4 in result.possible_levels, explain(result)


def test_a_third_of_people_not_signed_in_for_months_rules_out_regular_reviews(azure, tmp_path: Path) -> None:
    """3 of 9 people have not signed in for 200 days yet keep their access: "Access is reviewed regularly, with
    expiry dates set for each role." (level 4) and above are ruled out."""
    from tests.azure.test_identity_and_keys import iso

    active = [{**user(f"a{n}"), "signInActivity": {"lastSignInDateTime": iso(5)}} for n in range(6)]
    stale = [{**user(f"s{n}"), "signInActivity": {"lastSignInDateTime": iso(200)}} for n in range(3)]
    azure.load(tenant_estate(graph=tenant_graph(active + stale, [require_mfa()])))
    result = answer(tmp_path, "sec.access_reviews")
    assert 4 not in result.possible_levels and 5 not in result.possible_levels, explain(result)


def test_mfa_required_of_everyone_with_no_phone_codes_is_level_4(azure, tmp_path: Path) -> None:
    """Conditional access requires MFA of every enabled user and the authentication methods policy allows no SMS
    or voice codes: "Only strong 2FA/MFA methods are allowed (no SMS or phone-based codes)." (level 4); level 5
    ("Only hardware-based MFA") is ruled out while people use authenticator apps."""
    people = [user(f"u{n}") for n in range(4)]
    methods = {f"u{n}": ["microsoftAuthenticatorPush"] for n in range(4)}
    azure.load(tenant_estate(graph=tenant_graph(people, [require_mfa()], methods=methods, phone=False)))
    result = answer(tmp_path, "sec.mfa")
    assert (result.answer, result.suggested_level, result.possible_levels) == (4, 4, [4]), explain(result)


def test_mfa_required_of_everyone_but_sms_allowed_is_at_least_level_3(azure, tmp_path: Path) -> None:
    """MFA required of every enabled user, SMS codes still allowed: "It's enforced for nearly all users, with few
    exceptions." (level 3) is shown; level 4 stays open (people may not use the SMS codes the policy allows)."""
    people = [user(f"u{n}") for n in range(4)]
    methods = {f"u{n}": ["microsoftAuthenticatorPush"] for n in range(4)}
    azure.load(tenant_estate(graph=tenant_graph(people, [require_mfa()], methods=methods, phone=True)))
    result = answer(tmp_path, "sec.mfa")
    assert (result.answer, result.floor_level, result.possible_levels) == (3, 3, [3, 4]), explain(result)


def test_mfa_not_shown_when_the_methods_policy_cannot_be_read(azure, tmp_path: Path) -> None:
    """MFA required of everyone but the authentication methods policy refused: whether phone codes are allowed is
    unknown, so neither level 3 nor 4 is shown (no floor from a partial read), and nothing lower is chosen."""
    people = [user(f"u{n}") for n in range(4)]
    estate = tenant_estate(graph=tenant_graph(people, [require_mfa()], phone=False))
    estate["faults"] = {"deny": [{"operation": "graph/policies/authenticationMethodsPolicy"}]}
    azure.load(estate)
    result = answer(tmp_path, "sec.mfa")
    assert result.answer == 0 and result.suggested_level is None and 4 in result.possible_levels, explain(result)
