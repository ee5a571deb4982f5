"""More golden OCI tenancies: MFA, where workloads run, software identities, monitoring. Each expected level (or the
levels left open) is read off the level text quoted in the docstring."""

from __future__ import annotations

from tests.oci.golden import V, answer, explain, instance
from tests.oci.support import FRANKFURT, LONDON, TENANCY, Estate


def _user(estate: Estate, name: str, mfa: bool, console: bool = True, api_keys: int = 0, key_date: str = "2026-10-01T00:00:00Z") -> None:
    uid = f"ocid1.user.oc1..{name}"
    estate.add(
        f"{V}/users", {"id": uid, "name": name, "isMfaActivated": mfa, "capabilities": {"canUseConsolePassword": console}}, region=None
    )
    estate.single(
        f"{V}/users/{uid}/apiKeys",
        [{"keyId": f"{uid}/k{n}", "lifecycleState": "ACTIVE", "timeCreated": key_date} for n in range(api_keys)],
        region=None,
    )


def _levels(result) -> dict[int, str]:  # type: ignore[no-untyped-def]
    return {o.level: o.verdict for o in result.levels}


# --- sec.mfa: "How do you use two-factor or multi-factor authentication (2FA/MFA)?" ----------------


RULES = "/admin/v1/Rules"
FACTORS = "/admin/v1/AuthenticationFactorSettings/AuthenticationFactorSettings"


def _rule(name: str, mfa: bool, effect: str = "ALLOW") -> dict:
    """A sign-on rule as the identity domain lists it: `mfaRequired` among its returns when it prompts for a factor."""
    returns = [{"name": "effect", "value": effect}, {"name": "reAuthenticate", "value": "false"}]
    if mfa:
        returns.append({"name": "mfaRequired", "value": "true"})
    return {
        "schemas": ["urn:ietf:params:scim:schemas:oracle:idcs:Rule"],
        "id": name.replace(" ", ""),
        "name": name,
        "active": True,
        "policyType": {"value": "SignOn"},
        "return": returns,
    }


def _sign_on(estate: Estate, rules: list[dict], sms: bool = False) -> None:
    """The Default domain's sign-on rules and MFA settings (app passcodes, notifications and FIDO keys on)."""
    listing = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": len(rules), "startIndex": 1}
    estate.single(RULES, {**listing, "Resources": rules}, region=None)
    factors = {"totpEnabled": True, "pushEnabled": True, "fidoAuthenticatorEnabled": True, "emailEnabled": False}
    estate.single(FACTORS, {"id": "AuthenticationFactorSettings", **factors, "smsEnabled": sms, "phoneCallEnabled": False}, region=None)


def test_domain_requiring_mfa_with_strong_factors_only_is_level_4(monkeypatch, tmp_path) -> None:
    """Level 4, 'Only strong 2FA/MFA methods are allowed (no SMS or phone-based codes).': the Default domain's
    sign-on rules require MFA of everyone they let in (administrators first, then every other user; a blocked network
    is denied), its MFA settings allow app passcodes, notifications and FIDO keys but no SMS or phone call, and every
    console user has MFA. Level 5, 'Only hardware-based MFA is used', is ruled out: their factor is an app."""
    estate = Estate()
    for n in range(5):
        _user(estate, f"person{n}", mfa=True)
    _sign_on(estate, [_rule("Blocked networks", mfa=False, effect="DENY"), _rule("Administrators", mfa=True), _rule("Everyone", mfa=True)])
    result = answer(estate, "sec.mfa", monkeypatch, tmp_path)
    assert result.suggested_level == 4 and result.status == "suggested", explain(result)
    assert _levels(result)[5] == "ruled_out", explain(result)


def test_domain_requiring_mfa_but_allowing_sms_shows_level_3(monkeypatch, tmp_path) -> None:
    """At least level 3, 'It's enforced for nearly all users, with few exceptions.': the domain's sign-on rule
    requires MFA of everyone, but its MFA settings allow SMS codes, so level 4 ('no SMS or phone-based codes') is not
    shown (whether people actually pick SMS is for a person)."""
    estate = Estate()
    for n in range(5):
        _user(estate, f"person{n}", mfa=True)
    _sign_on(estate, [_rule("Everyone", mfa=True)], sms=True)
    result = answer(estate, "sec.mfa", monkeypatch, tmp_path)
    assert result.status == "floor" and result.answer == 3 and result.suggested_level is None, explain(result)


def test_default_sign_on_rule_without_mfa_leaves_levels_open(monkeypatch, tmp_path) -> None:
    """Levels 1-4 stay open for a person: every console user has MFA (so level 4, 'Only strong 2FA/MFA methods are
    allowed', is supported and level 5 ruled out), but the domain's sign-on rules do not require it of everyone:
    administrators are prompted for a factor, the Default Sign-On Rule lets everyone else in with a password. Nothing
    shows level 3, 'It's enforced for nearly all users'; nothing rules it out either."""
    estate = Estate()
    for n in range(5):
        _user(estate, f"person{n}", mfa=True)
    _sign_on(estate, [_rule("Administrators", mfa=True), _rule("Default Sign-On Rule", mfa=False)])
    result = answer(estate, "sec.mfa", monkeypatch, tmp_path)
    assert result.possible_levels == [1, 2, 3, 4] and result.suggested_level is None, explain(result)
    assert _levels(result)[4] == "supported" and _levels(result)[5] == "ruled_out", explain(result)


def test_seeded_default_domain_leaves_levels_open(monkeypatch, tmp_path) -> None:
    """Levels 1-4 stay open: a domain whose estate declares no sign-on rule has Oracle's seeded Default Sign-On Rule
    (the emulator serves it), which lets people in with a password alone, so MFA is not shown enforced."""
    estate = Estate()
    for n in range(5):
        _user(estate, f"person{n}", mfa=True)
    result = answer(estate, "sec.mfa", monkeypatch, tmp_path)
    assert result.possible_levels == [1, 2, 3, 4] and result.suggested_level is None, explain(result)


def test_refused_sign_on_rules_are_unknown_not_lower(monkeypatch, tmp_path) -> None:
    """ "I don't know" between levels 1 and 4: the domain refuses its sign-on rules, so whether it enforces MFA is not
    known; the answer is a range, never the 'suggested, but not required' level."""
    estate = Estate()
    for n in range(5):
        _user(estate, f"person{n}", mfa=True)
    _sign_on(estate, [_rule("Everyone", mfa=True)])
    estate.deny_path(RULES)
    result = answer(estate, "sec.mfa", monkeypatch, tmp_path)
    assert result.possible_levels == [1, 2, 3, 4] and result.suggested_level is None, explain(result)


def test_refused_mfa_settings_are_unknown_not_lower(monkeypatch, tmp_path) -> None:
    """ "I don't know" between levels 1 and 4: the sign-on rules require MFA of everyone, but the domain refuses its
    MFA settings, so the domain's reading is incomplete and shows nothing; never a lower level."""
    estate = Estate()
    for n in range(5):
        _user(estate, f"person{n}", mfa=True)
    _sign_on(estate, [_rule("Everyone", mfa=True)])
    estate.deny_path(FACTORS)
    result = answer(estate, "sec.mfa", monkeypatch, tmp_path)
    assert result.possible_levels == [1, 2, 3, 4] and result.suggested_level is None, explain(result)


def test_mfa_missing_for_many_rules_out_enforcement(monkeypatch, tmp_path) -> None:
    """Levels 1, 'It's suggested, but not required.', or 2, 'It's required, but not always enforced.': three of
    five console users have no MFA (more than the few exceptions level 3 allows), and the Default domain's seeded
    sign-on rule does not require it; whether a written policy does is for a person."""
    estate = Estate()
    for n in range(5):
        _user(estate, f"person{n}", mfa=n < 2)
    result = answer(estate, "sec.mfa", monkeypatch, tmp_path)
    assert result.possible_levels == [1, 2], explain(result)


def test_mfa_refused_user_listing_is_dont_know(monkeypatch, tmp_path) -> None:
    """ "I don't know": the users cannot be listed, so nothing about MFA is known."""
    estate = Estate()
    _user(estate, "person", mfa=False)
    estate.deny_path(f"{V}/users")
    result = answer(estate, "sec.mfa", monkeypatch, tmp_path)
    assert result.answer == 0 and result.suggested_level is None and result.possible_levels == [1, 2, 3, 4, 5], explain(result)


# --- cost.geography: "How do you choose where to run workloads and store data?" --------------------


def test_geography_one_region_is_level_1(monkeypatch, tmp_path) -> None:
    """Level 1, 'Everything in one region.': the tenancy subscribes to two regions but runs and stores everything
    in London; no bucket is replicated and the volume backup policy keeps its copies in London."""
    estate = Estate(regions=(LONDON, FRANKFURT))
    app = estate.compartment("app")
    instance(estate, "web", app)
    estate.add(
        f"{V}/volumeBackupPolicies",
        {
            "id": "ocid1.volumebackuppolicy.oc1..daily",
            "displayName": "daily",
            "destinationRegion": None,
            "schedules": [{"backupType": "INCREMENTAL", "period": "ONE_DAY", "retentionSeconds": 2592000}],
        },
        compartment=app,
    )
    result = answer(estate, "cost.geography", monkeypatch, tmp_path)
    assert result.answer == 1, explain(result)


def test_geography_workloads_in_two_regions_rules_out_level_1(monkeypatch, tmp_path) -> None:
    """Not level 1, 'Everything in one region.': instances run in London and Frankfurt. Whether regions are chosen
    for cost or sustainability (3) or moved automatically (4) is for a person."""
    estate = Estate(regions=(LONDON, FRANKFURT))
    app = estate.compartment("app")
    instance(estate, "web", app)
    estate.add(
        f"{V}/instances",
        {"id": "ocid1.instance.oc1..dr", "shape": "VM.Standard.E4.Flex", "lifecycleState": "RUNNING"},
        compartment=app,
        region=FRANKFURT,
    )
    result = answer(estate, "cost.geography", monkeypatch, tmp_path)
    assert 1 not in result.possible_levels and result.possible_levels == [2, 3, 4], explain(result)


# --- sec.nhi_auth: "How do you manage accounts used by software, not people?" -----------------------


def test_software_identities_are_dynamic_groups_only_is_level_5(monkeypatch, tmp_path) -> None:
    """Level 5, 'We use short-lived, strongly checked identities that change for each use.': software calls OCI only
    as instance and resource principals (dynamic groups); no user holds an API key."""
    estate = Estate()
    for name in ("builders", "workers"):
        estate.add(f"{V}/dynamicGroups", {"id": f"ocid1.dynamicgroup.oc1..{name}", "name": name}, region=None)
    _user(estate, "person", mfa=True)
    result = answer(estate, "sec.nhi_auth", monkeypatch, tmp_path)
    assert result.answer == 5, explain(result)


def test_software_on_old_api_keys_rules_out_level_5(monkeypatch, tmp_path) -> None:
    """Not level 5, 'short-lived, strongly checked identities': a service user without console access signs with
    two API keys created in 2024 (older than the rule's key age), and no dynamic group exists."""
    estate = Estate()
    _user(estate, "ci", mfa=False, console=False, api_keys=2, key_date="2024-01-01T00:00:00Z")
    result = answer(estate, "sec.nhi_auth", monkeypatch, tmp_path)
    assert 5 not in result.possible_levels, explain(result)
    assert TENANCY


# --- ops.monitoring: "How do you monitor your systems?" ---------------------------------------------


def test_monitoring_alarms_on_application_metrics_keep_level_4_open(monkeypatch, tmp_path) -> None:
    """Level 4, 'Advanced monitoring tools with some integration between infrastructure and applications', stays
    open: alarms notify a topic, one of them on an application's own metric namespace (not oci_*)."""
    estate = Estate()
    app = estate.compartment("app")
    for n, namespace in enumerate(("oci_computeagent", "oci_computeagent", "shop_orders")):
        estate.add(
            "/20180401/alarms",
            {
                "id": f"ocid1.alarm.oc1..a{n}",
                "namespace": namespace,
                "query": "X[1m].mean() > 1",
                "destinations": ["ocid1.onstopic.oc1..ops"],
                "isEnabled": True,
            },
            compartment=app,
        )
    result = answer(estate, "ops.monitoring", monkeypatch, tmp_path)
    assert 4 in result.possible_levels and _levels(result)[4] != "ruled_out", explain(result)


# --- sec.privileged_access: "How do you manage privileged access?" ----------------------------------


def _admins(estate: Estate, mfa: tuple[bool, ...]) -> None:
    estate.add(f"{V}/groups", {"id": "ocid1.group.oc1..administrators", "name": "Administrators"}, region=None)
    for n, on in enumerate(mfa):
        _user(estate, f"admin{n}", mfa=on)
        estate.add(
            f"{V}/userGroupMemberships",
            {"id": f"ocid1.groupmembership.oc1..m{n}", "userId": f"ocid1.user.oc1..admin{n}", "groupId": "ocid1.group.oc1..administrators"},
            region=None,
        )


def test_privileged_an_administrator_without_mfa_rules_out_level_3_and_above(monkeypatch, tmp_path) -> None:
    """Level 1, 'Each admin manages their own privileged accounts, with no set process.', or 2: one of two members of
    Administrators signs in to the console without MFA, which rules out level 3, 'structured admin processes, with
    one-time passwords for access', and everything above it."""
    estate = Estate()
    _admins(estate, (True, False))
    result = answer(estate, "sec.privileged_access", monkeypatch, tmp_path)
    assert result.possible_levels == [1, 2], explain(result)


def test_privileged_two_admins_with_mfa_and_no_keys_keep_level_4_open(monkeypatch, tmp_path) -> None:
    """Level 4, 'We use automated systems for privileged access, with strong controls', stays open: the two
    administrators (break-glass sized) have MFA and no API keys."""
    estate = Estate()
    _admins(estate, (True, True))
    result = answer(estate, "sec.privileged_access", monkeypatch, tmp_path)
    assert 4 in result.possible_levels and _levels(result)[3] != "ruled_out", explain(result)


# --- data.retention: "What is your approach to data retention?" -------------------------------------


def _retention_estate(kept: bool) -> Estate:
    estate = Estate()
    data = estate.compartment("data")
    for name in ("records", "exports"):
        estate.add("/n/golden/b", {"id": f"ocid1.bucket.oc1..{name}", "name": name, "namespace": "golden"}, compartment=data)
        estate.single(f"/n/golden/b/{name}", {"name": name, "versioning": "Enabled", "publicAccessType": "NoPublicAccess"})
        rule = [{"name": "expire", "action": "DELETE", "isEnabled": True, "timeAmount": 365, "timeUnit": "DAYS"}] if kept else []
        estate.single(f"/n/golden/b/{name}/l", {"items": rule})
    estate.single("/n/", "golden", region=None)
    estate.single("/20190901/configuration", {"retentionPeriodDays": 365}, region=None)
    return estate


def test_retention_everywhere_supports_level_5(monkeypatch, tmp_path) -> None:
    """Level 5, 'We follow policy and use automated cloud tools to check that we do.', is supported: every bucket has
    a lifecycle rule that deletes old objects and the logs (Audit) have a retention period."""
    result = answer(_retention_estate(kept=True), "data.retention", monkeypatch, tmp_path)
    assert _levels(result)[5] == "supported", explain(result)


def test_no_bucket_retention_rules_out_level_5(monkeypatch, tmp_path) -> None:
    """Not level 5, 'We follow policy and use automated cloud tools to check that we do.': no bucket has a lifecycle
    rule or a retention rule, so retention is not applied by the platform."""
    result = answer(_retention_estate(kept=False), "data.retention", monkeypatch, tmp_path)
    assert 5 not in result.possible_levels, explain(result)


# --- ops.cicd: "Do you use continuous integration and continuous deployment (CI/CD)?" ---------------


def test_cicd_every_active_compartment_changed_by_pipelines_rules_out_levels_1_to_3(monkeypatch, tmp_path) -> None:
    """Level 4, 'Nearly all teams use CI/CD, but tools and processes vary.', or 5, 'Everyone uses the same CI/CD
    process.': in both active compartments (at least 20 writes in the week) DevOps pipelines made most changes."""
    from tests.oci.test_activity import event

    estate = Estate()
    n = 0
    for name in ("payments", "records"):
        compartment = estate.compartment(name)
        for i in range(25):
            n += 1
            if i < 20:
                event(estate, compartment, n, "PUT", auth="res", agent="Terraform/1.9.5", principal="ocid1.devopsdeploypipeline.oc1..p")
            else:
                event(estate, compartment, n, "POST", console=True, agent="Oracle-Console")
    result = answer(estate, "ops.cicd", monkeypatch, tmp_path)
    assert set(result.possible_levels) <= {4, 5} and result.possible_levels, explain(result)


# --- gov.build_artefacts: "How do you manage and store build artefacts?" ----------------------------


def _repositories(estate: Estate, immutable: tuple[bool, ...]) -> None:
    app = estate.compartment("app")
    for n, on in enumerate(immutable):
        estate.add(
            "/20160918/container/repositories",
            {"id": f"ocid1.containerrepo.oc1..r{n}", "displayName": f"r{n}", "isImmutable": on},
            compartment=app,
        )


def test_artefacts_mutable_repositories_rule_out_level_5(monkeypatch, tmp_path) -> None:
    """Not level 5, 'All build artefacts are unchangeable, signed, and stored for audits.': two of three Container
    Registry repositories let a tag be pushed again."""
    estate = Estate()
    _repositories(estate, (True, False, False))
    result = answer(estate, "gov.build_artefacts", monkeypatch, tmp_path)
    assert 5 not in result.possible_levels, explain(result)


def test_artefacts_all_immutable_keep_level_5_open(monkeypatch, tmp_path) -> None:
    """Level 5, 'All build artefacts are unchangeable...', stays open: every repository has immutable tags (signing
    and audit storage are for a person to show)."""
    estate = Estate()
    _repositories(estate, (True, True))
    result = answer(estate, "gov.build_artefacts", monkeypatch, tmp_path)
    assert 5 in result.possible_levels and _levels(result)[5] != "ruled_out", explain(result)
