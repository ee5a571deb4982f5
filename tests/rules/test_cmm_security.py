"""Golden estates for the CMM security rules (rules/cmm/sec.*.yaml).

Each expected answer is derived in the test from the level wording in questions.json:
a level is suggested only when every other level is ruled out, and a question whose
remaining levels turn on people gives a range (answer 0, "I don't know").
"""

from __future__ import annotations

import pytest

from tests.rules import verdicts
from tests.rules.identities import person, root
from tests.rules.scoring import score
from tests.support.estate import Estate

A, B = "111111111111", "222222222222"


def software(estate: Estate, n: int = 1, key_age: int = 30, scope: str = A) -> None:
    for _ in range(n):
        estate.fact(
            "identity.user",
            scope=scope,
            region="global",
            is_root=False,
            console_access=False,
            human=False,
            mfa_active=False,
            mfa_kind="none",
            active_keys=1,
            oldest_key_age_days=key_age,
            admin=False,
        )


def workload_roles(estate: Estate, n: int, scope: str = A) -> None:
    for _ in range(n):
        estate.fact(
            "identity.role",
            scope=scope,
            region="global",
            service_linked=False,
            sso_managed=False,
            trust_kinds=["service"],
            workload_identity=False,
            admin=False,
            unused_days=1,
        )


def no_idp(estate: Estate, scope: str = A) -> Estate:
    return estate.covered("identity.sso_instance", "identity.federation_provider", scope=scope, region="global")


# --- sec.mfa ------------------------------------------------------------------------------


def mfa_estate(with_mfa: int, without: int, kind: str = "virtual", root_mfa: bool = True) -> Estate:
    estate = no_idp(Estate())
    root(estate, mfa=root_mfa, kind=kind)
    person(estate, with_mfa, kind=kind)
    person(estate, without, mfa=False)
    return estate


def test_mfa_everyone_on_app_mfa_is_level_4(tmp_path):
    # IAM offers no SMS or phone codes: with MFA enforced at sign-in for everyone and IAM the only
    # way in, "only strong methods" (4) fits and "only hardware" (5) does not.
    result = score(mfa_estate(10, 0), tmp_path, "sec.mfa")
    assert result.answer == 4
    assert verdicts(result)[5] == "ruled_out"
    assert verdicts(result)[4] == "supported"
    assert result.confidence == "medium"


def test_mfa_everyone_on_hardware_is_level_5(tmp_path):
    result = score(mfa_estate(10, 0, kind="hardware"), tmp_path, "sec.mfa")
    assert result.answer == 5


def test_mfa_half_the_users_without_mfa_is_level_2(tmp_path):
    """5 of 10 console users with MFA and IAM the only way in: not "enforced for nearly all users" (3), but more
    than a suggestion: "It's required, but not always enforced" (2)."""
    result = score(mfa_estate(5, 5), tmp_path, "sec.mfa")
    assert (result.status, result.answer, result.possible_levels) == ("suggested", 2, [2])
    assert result.because == (
        "MFA is required but not always enforced: 5 of 10 console users have it, IAM is the only way in, and root users without it: 0."
    )


def test_mfa_on_a_small_minority_is_level_1(tmp_path):
    """2 of 10 console users with MFA and IAM the only way in: "It's suggested, but not required" (1)."""
    result = score(mfa_estate(2, 8), tmp_path, "sec.mfa")
    assert (result.status, result.answer, result.possible_levels) == ("suggested", 1, [1])
    assert result.because == "MFA is used by a minority only: 2 of 10 console users have it, and IAM is the only way in."


def test_mfa_minority_behind_an_identity_centre_stays_open(tmp_path):
    # People may sign in through the identity centre, whose MFA policy is not read: IAM users are only a sample.
    estate = mfa_estate(2, 8)
    estate.fact("identity.sso_instance", region="global", identity_source="internal", users=50)
    result = score(estate, tmp_path, "sec.mfa")
    assert result.answer == 0 and result.possible_levels == [1, 2]


@pytest.mark.parametrize(
    ("with_mfa", "without", "expected"),
    [(57, 3, 4), (54, 3, 2)],  # 57/60 = 95% meets nearly_all; 54/57 = 94.7% with 3 > 2 exceptions does not
)
def test_mfa_nearly_all_boundary(tmp_path, with_mfa, without, expected):
    result = score(mfa_estate(with_mfa, without), tmp_path, "sec.mfa")
    assert result.answer == expected


@pytest.mark.parametrize(("with_mfa", "without", "expected"), [(4, 4, 2), (3, 4, 1)])
def test_mfa_majority_boundary(tmp_path, with_mfa, without, expected):
    # 4 of 8 is the majority threshold (50%): required; 3 of 7 is below it: suggested
    assert score(mfa_estate(with_mfa, without), tmp_path, "sec.mfa").answer == expected


def test_mfa_two_exceptions_are_few(tmp_path):
    # 2 of 10 without MFA is 80%, but two documented exceptions are "few".
    result = score(mfa_estate(8, 2), tmp_path, "sec.mfa")
    assert result.answer == 4


def test_mfa_root_without_mfa_rules_out_enforcement(tmp_path):
    """A root user without MFA: not "enforced for nearly all users" (3); every console user has it, so it is
    "required, but not always enforced" (2)."""
    result = score(mfa_estate(10, 0, root_mfa=False), tmp_path, "sec.mfa")
    assert result.possible_levels == [2]
    assert result.answer == 2


def test_mfa_root_unreadable_is_not_root_without_mfa(tmp_path):
    # A root row whose MFA attribute was not read is unknown, not "no MFA": nothing is ruled out by it,
    # and nothing is confirmed either.
    estate = no_idp(Estate())
    estate.fact("identity.user", region="global", is_root=True, console_access=True, human=True)
    person(estate, 10)
    result = score(estate, tmp_path, "sec.mfa")
    assert result.answer == 0
    # root with MFA would give 4, root without would give 1-2; level 3 (weak methods allowed)
    # cannot happen where IAM is the only way in.
    assert result.possible_levels == [1, 2, 4]
    assert result.status == "unknown"


def test_mfa_denied_user_collector_is_unknown_not_no_mfa(tmp_path):
    estate = no_idp(Estate())
    estate.denied("identity.user", region="global")
    result = score(estate, tmp_path, "sec.mfa")
    assert result.answer == 0
    assert result.possible_levels == [1, 2, 3, 4, 5]


def test_mfa_denied_in_one_account_keeps_everything_open(tmp_path):
    estate = mfa_estate(10, 0)
    estate.denied("identity.user", scope=B, region="global")
    result = score(estate, tmp_path, "sec.mfa")
    assert result.answer == 0


def test_mfa_identity_centre_keeps_lower_levels_open(tmp_path):
    # People may sign in through the identity centre, whose MFA settings are not read.
    estate = Estate()
    estate.covered("identity.federation_provider", region="global")
    estate.fact("identity.sso_instance", region="global", identity_source="internal", users=200)
    root(estate)
    person(estate, 2)
    result = score(estate, tmp_path, "sec.mfa")
    assert result.answer == 0
    assert result.possible_levels == [1, 2, 3, 4]


def test_mfa_identity_centre_without_users_lets_nobody_in(tmp_path):
    # An identity store with no users is no way in: IAM stays the only one.
    estate = Estate()
    estate.covered("identity.federation_provider", region="global")
    estate.fact("identity.sso_instance", region="global", users=0, groups=0)
    root(estate)
    person(estate, 10)
    result = score(estate, tmp_path, "sec.mfa")
    assert result.answer == 4


def test_mfa_empty_account_is_not_applicable(tmp_path):
    estate = no_idp(Estate()).covered("identity.user", region="global")
    result = score(estate, tmp_path, "sec.mfa")
    assert result.status == "not_applicable"
    assert result.answer == 0


def test_mfa_multi_account_share_with_breakdown(tmp_path):
    estate = no_idp(no_idp(Estate()), scope=B)
    root(estate, scope=A)
    root(estate, scope=B)
    person(estate, 10, scope=A)
    person(estate, 7, scope=B)
    person(estate, 3, scope=B, mfa=False)
    result = score(estate, tmp_path, "sec.mfa")
    # 17 of 20 = 85% over both accounts, 3 > 2 without: not "nearly all", but required (2)
    assert result.possible_levels == [2]
    share = next(e for e in result.evidence if e.signal == "console_mfa")
    assert share.matching == 17 and share.total == 20
    by_scope = {s.scope: (s.matching, s.total) for s in share.by_scope}
    assert by_scope == {A: (10, 10), B: (7, 10)}


def test_mfa_threshold_override_changes_answer(tmp_path):
    estate = mfa_estate(5, 5)
    assert score(estate, tmp_path, "sec.mfa").answer == 2
    relaxed = score(estate, tmp_path, "sec.mfa", overrides={"sec.mfa": {"few_exceptions": 5}})
    assert relaxed.answer == 4


# --- sec.nhi_auth / sec.nhi_cloud ------------------------------------------------------------


def nhi_estate(roles: int, users: int, key_age: int = 30, secrets: int = 0, rotated: int = 0) -> Estate:
    estate = Estate().covered("identity.user", "identity.role", region="global").covered("secrets.secret")
    workload_roles(estate, roles)
    software(estate, users, key_age=key_age)
    for i in range(secrets):
        estate.fact("secrets.secret", rotation_enabled=i < rotated)
    return estate


def test_nhi_auth_short_lived_everywhere_is_level_5(tmp_path):
    result = score(nhi_estate(roles=9, users=1), tmp_path, "sec.nhi_auth")  # 9/10 = 90% short-lived
    assert result.answer == 5


def test_nhi_auth_short_lived_boundary(tmp_path):
    # 8/9 = 88.9% short-lived is not "nearly all": the rest hold API keys and no store rotates (2)
    result = score(nhi_estate(roles=8, users=1), tmp_path, "sec.nhi_auth")
    assert result.possible_levels == [2]
    assert result.answer == 2


def test_nhi_auth_stale_key_rules_out_level_5(tmp_path):
    result = score(nhi_estate(roles=20, users=1, key_age=91), tmp_path, "sec.nhi_auth")
    assert 5 not in result.possible_levels


def test_nhi_auth_rotated_store_is_at_least_3(tmp_path):
    """ "We use a central place to store secrets and sometimes rotate them" (3) is shown; certificates (4)
    are not read, so a person decides whether it is 4: at least 3."""
    result = score(nhi_estate(roles=1, users=5, key_age=400, secrets=5, rotated=1), tmp_path, "sec.nhi_auth")
    assert result.possible_levels == [3, 4]
    assert (result.status, result.floor_level, result.answer) == ("floor", 3, 3)
    assert result.because == "Secrets are kept in a central store and some are rotated: 1 of 5 stored secrets rotate automatically."


def test_nhi_auth_keys_without_store_is_level_2(tmp_path):
    # "API keys that don't change often": software holds year-old access keys; with no console users,
    # no service account can be on a username and password (1).
    result = score(nhi_estate(roles=0, users=5, key_age=400), tmp_path, "sec.nhi_auth")
    assert result.possible_levels == [2]
    assert result.answer == 2


@pytest.mark.parametrize(("people", "expected"), [(1, [2]), (2, [1, 2])])  # 1 of 6 = 17% <= 20%; 2 of 7 = 29%
def test_nhi_auth_users_with_password_and_keys_could_be_service_accounts(tmp_path, people, expected):
    # A user with a console password and keys is a person on the command line, or a service account
    # set up like a person ("usernames and passwords"); console users without keys are people.
    estate = nhi_estate(roles=0, users=5, key_age=400)
    person(estate, people, active_keys=1)
    person(estate, 10)
    result = score(estate, tmp_path, "sec.nhi_auth")
    assert result.possible_levels == expected


def test_nhi_auth_secrets_alone_leave_1_or_2(tmp_path):
    # No software identity is visible: the unrotated secrets could be passwords or keys.
    result = score(nhi_estate(roles=0, users=0, secrets=3), tmp_path, "sec.nhi_auth")
    assert result.possible_levels == [1, 2]
    assert result.answer == 0


def test_nhi_auth_rotation_threshold_override(tmp_path):
    estate = nhi_estate(roles=0, users=5, key_age=400, secrets=10, rotated=1)  # 10% rotated
    assert score(estate, tmp_path, "sec.nhi_auth").possible_levels == [2]
    result = score(estate, tmp_path, "sec.nhi_auth", overrides={"sec.nhi_auth": {"some_rotation": 0.1}})
    assert result.possible_levels == [3, 4]


def test_nhi_auth_denied_roles_is_unknown(tmp_path):
    estate = Estate().covered("identity.user").covered("secrets.secret").denied("identity.role", region="global")
    software(estate, 1)
    result = score(estate, tmp_path, "sec.nhi_auth")
    assert result.answer == 0


def test_nhi_auth_empty_account_is_not_applicable(tmp_path):
    result = score(nhi_estate(0, 0), tmp_path, "sec.nhi_auth")
    assert result.status == "not_applicable"


def test_nhi_cloud_short_lived_is_level_4(tmp_path):
    """ "Service accounts use short-lived identities, checked each time" (4) is shown; identities-as-code and
    organisation trust (5) are not read: at least 4."""
    result = score(nhi_estate(roles=10, users=0), tmp_path, "sec.nhi_cloud")
    assert result.possible_levels == [4, 5]
    assert (result.status, result.floor_level, result.answer) == ("floor", 4, 4)


def test_nhi_cloud_keys_with_store_is_a_range(tmp_path):
    """Keys rule out "like user accounts" (1) and show "long-lived API keys" (2); whether the store is
    mandatory (3) is for a person: at least 2."""
    result = score(nhi_estate(roles=1, users=4, key_age=200, secrets=2), tmp_path, "sec.nhi_cloud")
    assert result.possible_levels == [2, 3]
    assert (result.status, result.floor_level, result.answer) == ("floor", 2, 2)


def test_nhi_cloud_keys_without_store_is_level_2(tmp_path):
    result = score(nhi_estate(roles=1, users=4, key_age=200), tmp_path, "sec.nhi_cloud")
    assert result.answer == 2


def test_nhi_cloud_multi_account(tmp_path):
    estate = Estate()
    for scope in (A, B):
        estate.covered("identity.user", "identity.role", scope=scope, region="global").covered("secrets.secret", scope=scope)
    workload_roles(estate, 9, scope=A)
    software(estate, 1, scope=B)
    result = score(estate, tmp_path, "sec.nhi_cloud")
    assert result.possible_levels == [4, 5]  # 9 of 10 identities short-lived across both accounts
    users = next(e for e in result.evidence if e.signal == "software_users")
    assert {s.scope: s.matching for s in users.by_scope} == {B: 1}


# --- sec.user_identity -------------------------------------------------------------------------


def identity_estate(admin_mfa: bool = True, sso_users: int = 100, local: int = 2, rules: bool = True) -> Estate:
    estate = Estate().covered("identity.federation_provider", region="global").covered("security.standard", "security.service")
    root(estate)
    estate.fact("identity.password_policy", region="global", present=True)  # read once in every account
    person(estate, 1, admin=True, mfa=admin_mfa)
    person(estate, local - 1)
    estate.fact("identity.sso_instance", region="global", users=sso_users)
    if rules:
        estate.fact("config.rule", identifier="ROOT_ACCOUNT_MFA_ENABLED")
    else:
        estate.covered("config.rule")
    return estate


def test_user_identity_central_sso_and_checks_is_level_4(tmp_path):
    result = score(identity_estate(), tmp_path, "sec.user_identity")  # 100 of 102 people via SSO
    assert result.possible_levels == [4, 5]
    assert result.answer == 0  # automated approvals and reporting (5) are for a person


def test_user_identity_admin_without_mfa_is_1_or_2(tmp_path):
    result = score(identity_estate(admin_mfa=False), tmp_path, "sec.user_identity")
    assert result.possible_levels == [1, 2]
    assert result.answer == 0


def test_user_identity_local_users_is_level_3(tmp_path):
    result = score(identity_estate(sso_users=10, local=10), tmp_path, "sec.user_identity")  # 50% SSO
    assert result.answer == 3


def test_user_identity_no_automated_checks(tmp_path):
    result = score(identity_estate(rules=False), tmp_path, "sec.user_identity")
    assert result.possible_levels == [1, 2]


@pytest.mark.parametrize(
    ("service", "kind"), [("guardduty", "threat_detection"), ("access_analyzer", "access_analysis"), ("securityhub", "posture")]
)
def test_user_identity_other_automated_checks_count(tmp_path, service, kind):
    """ "There are rules, such as two-factor authentication for key accounts, and some automated checks" (3):
    no identity configuration rule, but a service that checks identities automatically; with half the
    people local IAM users, single sign-on is not "widely used" (4): level 3."""
    estate = identity_estate(rules=False, sso_users=10, local=10)
    estate.fact("security.service", service=service, kind=kind, enabled=True)
    result = score(estate, tmp_path, "sec.user_identity")
    assert (result.status, result.answer) == ("suggested", 3)
    assert result.because.startswith("Key accounts use two-factor authentication and some checks are automated: 100% (2 of 2)")


def test_user_identity_services_that_are_off_check_nothing(tmp_path):
    estate = identity_estate(rules=False, sso_users=10, local=10)
    estate.fact("security.service", service="guardduty", kind="threat_detection", enabled=False)
    assert score(estate, tmp_path, "sec.user_identity").possible_levels == [1, 2]


def test_user_identity_sso_threshold_override(tmp_path):
    estate = identity_estate(sso_users=10, local=10)
    assert score(estate, tmp_path, "sec.user_identity").answer == 3
    result = score(estate, tmp_path, "sec.user_identity", overrides={"sec.user_identity": {"sso_wide": 0.5}})
    assert result.possible_levels == [4, 5]


def test_user_identity_denied_config_is_unknown(tmp_path):
    estate = Estate().covered("identity.federation_provider", region="global").covered("security.standard")
    root(estate)
    estate.fact("identity.password_policy", region="global", present=True)
    estate.fact("identity.sso_instance", region="global", users=10)
    estate.denied("config.rule")
    result = score(estate, tmp_path, "sec.user_identity")
    assert result.answer == 0


# --- sec.access_reviews ------------------------------------------------------------------------


def test_access_reviews_lingering_unused_people_rule_out_regular_reviews(tmp_path):
    estate = Estate().covered("identity.role", region="global")
    person(estate, 8)
    person(estate, 2, password_unused_days=200)  # 20% unused for 200 days
    result = score(estate, tmp_path, "sec.access_reviews")
    assert result.possible_levels == [1, 2, 3]
    assert result.answer == 0


def test_access_reviews_clean_estate_still_needs_a_person(tmp_path):
    estate = Estate().covered("identity.role", region="global")
    person(estate, 10)
    result = score(estate, tmp_path, "sec.access_reviews")
    assert result.possible_levels == [1, 2, 3, 4, 5]
    assert result.answer == 0


def test_access_reviews_boundary_and_override(tmp_path):
    estate = Estate().covered("identity.role", region="global")
    person(estate, 9)
    person(estate, 1, password_unused_days=91)  # 10%: at the limit, still allowed
    assert score(estate, tmp_path, "sec.access_reviews").possible_levels == [1, 2, 3, 4, 5]
    strict = score(estate, tmp_path, "sec.access_reviews", overrides={"sec.access_reviews": {"stale_share_max": 0.05}})
    assert strict.possible_levels == [1, 2, 3]


def reviews_estate(coverage: list[str], stale: int = 0) -> Estate:
    estate = Estate().covered("identity.role", region="global")
    account(estate)
    person(estate, 10 - stale)
    person(estate, stale, password_unused_days=200)
    estate.fact("security.service", service="access_analyzer", kind="access_analysis", enabled=True, coverage=coverage)
    return estate


def test_access_reviews_organisation_unused_access_analysis_is_at_least_3(tmp_path):
    """An unused-access analysis over the whole organisation and no unused sign-ins lingering: "We review access
    often" (3) is shown; expiry dates (4) and access that follows role changes (5) are for a person."""
    result = score(reviews_estate(["ORGANIZATION", "ORGANIZATION_UNUSED_ACCESS"]), tmp_path, "sec.access_reviews")
    assert (result.status, result.floor_level, result.possible_levels) == ("floor", 3, [3, 4, 5])
    assert result.because.startswith("Access is reviewed continuously by an automated unused-access analysis (organisation-wide: 1;")


def test_access_reviews_external_access_analyser_is_not_a_review(tmp_path):
    # An analyser of external access only says who outside can reach resources, not whether people's access is reviewed.
    result = score(reviews_estate(["ACCOUNT"]), tmp_path, "sec.access_reviews")
    assert result.answer == 0 and result.possible_levels == [1, 2, 3, 4, 5]


def test_access_reviews_analysis_with_lingering_sign_ins_shows_nothing(tmp_path):
    """The analysis runs, but 3 of 10 people's sign-ins have gone unused for months: access is not removed, so
    4-5 are out and "review often" is not shown either."""
    result = score(reviews_estate(["ORGANIZATION_UNUSED_ACCESS"], stale=3), tmp_path, "sec.access_reviews")
    assert result.answer == 0 and result.possible_levels == [1, 2, 3]


# --- sec.user_provisioning / sec.staff_identity ----------------------------------------------


def directory_estate(local: int, sso_users: int, provisioned: int | None = None, saml: int = 0) -> Estate:
    estate = Estate().covered("identity.user", "identity.sso_instance", "identity.federation_provider", region="global")
    root(estate)
    person(estate, local)
    if sso_users:
        attrs = {"users": sso_users}
        if provisioned is not None:
            attrs["provisioned_users"] = provisioned
        estate.fact("identity.sso_instance", region="global", **attrs)
    for _ in range(saml):
        estate.fact("identity.federation_provider", region="global", kind="saml")
    return estate


def test_provisioning_local_users_only_is_1_or_2(tmp_path):
    """Local IAM users only, no directory linked: "accounts are managed by hand" (1); a directory the cloud
    is not linked to (2) is for a person, so the tie-break reads 1."""
    result = score(directory_estate(local=20, sso_users=0), tmp_path, "sec.user_provisioning")
    assert result.possible_levels == [1, 2]
    assert result.answer == 1 and result.tie_break
    assert result.because == (
        "Most people sign in as the cloud's own users: 20 local IAM people against 0 identity-centre users and 0 SAML providers."
    )


def test_provisioning_mostly_federated_is_level_3(tmp_path):
    result = score(directory_estate(local=5, sso_users=20), tmp_path, "sec.user_provisioning")  # 80%
    assert result.answer == 3


def test_provisioning_boundary_below_most_federated(tmp_path):
    result = score(directory_estate(local=6, sso_users=20), tmp_path, "sec.user_provisioning")  # 76.9%
    assert result.possible_levels == [1, 2]


def test_provisioning_automated_is_level_4(tmp_path):
    """ "Identity management is automated" (4): every identity-centre user made by sync, one local person
    (break-glass). A single cloud directory with non-standard systems gone (5) is for a person: at least 4."""
    result = score(directory_estate(local=1, sso_users=100, provisioned=100), tmp_path, "sec.user_provisioning")
    assert result.possible_levels == [4, 5]
    assert (result.status, result.floor_level, result.answer) == ("floor", 4, 4)


def test_provisioning_unknown_sync_keeps_3_to_5_open(tmp_path):
    # provisioned_users not read: identity management may or may not be automated
    result = score(directory_estate(local=1, sso_users=100), tmp_path, "sec.user_provisioning")
    assert result.possible_levels == [3, 4, 5]
    assert result.answer == 0


def test_staff_identity_bands(tmp_path):
    assert score(directory_estate(local=10, sso_users=0), tmp_path, "sec.staff_identity").possible_levels == [1, 2]
    assert score(directory_estate(local=5, sso_users=5), tmp_path, "sec.staff_identity").answer == 2  # 50%
    assert score(directory_estate(local=2, sso_users=8), tmp_path, "sec.staff_identity").answer == 3  # 80%
    assert score(directory_estate(local=1, sso_users=99), tmp_path, "sec.staff_identity").possible_levels == [4, 5]
    assert score(directory_estate(local=3, sso_users=97), tmp_path, "sec.staff_identity").answer == 4  # 97%, 3 local


def test_staff_identity_direct_saml_with_local_people_is_unknown(tmp_path):
    # People behind SAML are not counted: the share could be anything above the visible one.
    result = score(directory_estate(local=10, sso_users=0, saml=1), tmp_path, "sec.staff_identity")
    assert result.answer == 0
    assert result.possible_levels == [1, 2, 3, 4]


# --- sec.privileged_insider --------------------------------------------------------------------


def account(estate: Estate, scope: str = A) -> None:
    """One scanned account: the rules count accounts by their password-policy fact (read in each,
    set or not), which moto also gives; its credential report has no root row."""
    estate.fact("identity.password_policy", scope=scope, region="global", present=False)


def insider_estate(org_trail: bool = True, locked: bool = True, guardduty: int = 20, of: int = 20, alerts: bool = True) -> Estate:
    estate = Estate().covered("monitoring.metric_filter", "config.rule")  # a full scan reads them; none here
    account(estate)
    estate.fact(
        "audit.trail", logging=True, multi_region=True, organization_trail=org_trail, log_validation=True, destination_locked=locked
    )
    for i in range(of):
        estate.fact("security.service", region=f"r{i}", service="guardduty", kind="threat_detection", enabled=i < guardduty)
    if alerts:
        estate.fact("monitoring.event_rule", security_events=True, targets=1)
    else:
        estate.covered("monitoring.event_rule")
    return estate


def test_insider_central_immutable_checked_logs_is_level_4(tmp_path):
    result = score(insider_estate(), tmp_path, "sec.privileged_insider")
    assert verdicts(result)[4] == "met"
    assert result.possible_levels == [4, 5]  # legal audits (5) leave no trace in configuration
    assert result.answer == 4 and result.tie_break  # the rule's 4/5 tie-break reads the level 4 it sees


def test_insider_per_account_trail_locked_is_level_4(tmp_path):
    # no organisation trail, but the one account has its own validated trail into a locked bucket
    result = score(insider_estate(org_trail=False), tmp_path, "sec.privileged_insider")
    assert result.answer == 4


def test_insider_tie_break_never_covers_an_unread_account_list(tmp_path):
    estate = insider_estate(org_trail=False)
    estate.denied("identity.password_policy", region="global")
    result = score(estate, tmp_path, "sec.privileged_insider")
    assert result.answer == 0


def test_insider_unlocked_logs_leave_4_open_not_met(tmp_path):
    """An organisation trail keeps every account's logs: "Systems keep logs" (2) is shown. Unlocked logs leave
    "can't be changed" (4) open (a SIEM may hold them), so the answer is the floor: at least 2."""
    result = score(insider_estate(locked=False), tmp_path, "sec.privileged_insider")
    assert verdicts(result)[4] == "possible"
    assert (result.status, result.floor_level, result.answer, result.possible_levels) == ("floor", 2, 2, [2, 3, 4, 5])
    assert result.because == (
        "Management-plane logs are kept for every account (organisation trails: 1; accounts with a multi-region trail: 1 of 1)."
    )


def test_insider_account_without_trail_rules_out_4(tmp_path):
    estate = insider_estate(org_trail=False)
    account(estate, scope=B)  # second account, no trail there
    estate.covered("audit.trail", scope=B)
    result = score(estate, tmp_path, "sec.privileged_insider")
    assert result.possible_levels == [2, 3]


def test_insider_guardduty_coverage_boundary(tmp_path):
    assert score(insider_estate(guardduty=19, of=20), tmp_path, "sec.privileged_insider").answer == 4
    assert score(insider_estate(guardduty=18, of=20), tmp_path, "sec.privileged_insider").possible_levels == [2, 3, 4, 5]


@pytest.mark.parametrize(
    "check",
    [
        {"fact": "monitoring.metric_filter", "audit_log": True, "organization_audit_log": True, "alarmed": True},
        {"fact": "config.rule", "identifier": "CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED"},
    ],
    ids=["alarms-on-the-trail-log", "config-rules-on-the-trail"],
)
def test_insider_other_automatic_checks_are_equivalent_to_threat_detection(tmp_path, check):
    """ "Logs are stored in one place, can't be changed, and are checked automatically" (4): with no threat
    detection at all, alarms that act on metric filters over the organisation trail's log, or configuration
    rules checking the trail, are the automatic check."""
    estate = insider_estate(guardduty=0, alerts=False)
    fact = dict(check)
    estate.fact(fact.pop("fact"), **fact)
    result = score(estate, tmp_path, "sec.privileged_insider")
    assert result.answer == 4 and result.possible_levels == [4, 5]


def test_insider_alarms_that_do_not_act_are_not_a_check(tmp_path):
    estate = insider_estate(guardduty=0, alerts=False)
    estate.fact("monitoring.metric_filter", audit_log=True, organization_audit_log=True, alarmed=False)
    result = score(estate, tmp_path, "sec.privileged_insider")
    assert (result.status, result.floor_level) == ("floor", 2)


def test_insider_no_trail_at_all(tmp_path):
    estate = Estate()
    account(estate)
    estate.covered("audit.trail", "security.service", "monitoring.event_rule")
    result = score(estate, tmp_path, "sec.privileged_insider")
    assert result.possible_levels == [1, 2, 3]


def test_insider_denied_trails_is_unknown(tmp_path):
    estate = Estate()
    account(estate)
    estate.denied("audit.trail").covered("security.service", "monitoring.event_rule")
    result = score(estate, tmp_path, "sec.privileged_insider")
    assert result.answer == 0
    assert result.possible_levels == [1, 2, 3, 4, 5]


# --- sec.supply_chain / sec.vuln_mgmt / sec.network ----------------------------------------------


def supply_estate() -> Estate:
    return Estate().covered("artifact.repository", "artifact.registry_scanning", "security.service")


def test_supply_chain_scanning_everywhere_is_at_least_3(tmp_path):
    """A scanner in every account-region and no unscanned repository: "All code is checked" (3) is shown;
    a central team (4) and advanced tools (5) are for a person: at least 3."""
    estate = supply_estate()
    estate.fact("security.service", service="inspector", kind="vulnerability_scanning", enabled=True, organization_managed=True)
    result = score(estate, tmp_path, "sec.supply_chain")
    assert (result.status, result.floor_level, result.possible_levels) == ("floor", 3, [3, 4, 5])
    assert verdicts(result)[4] == "human"  # central scanning is shown as evidence; a central team is for a person
    assert result.because.startswith("All running code is checked: a vulnerability scanner in 100% (1 of 1) of account-regions")


def test_supply_chain_unscanned_repositories_stop_at_2(tmp_path):
    """Scanner everywhere but most container repositories unscanned: "Some teams use tools to check
    security" (2) is shown, "All code is checked" (3) is not: at least 2."""
    estate = supply_estate()
    estate.fact("security.service", service="inspector", kind="vulnerability_scanning", enabled=True, organization_managed=False)
    estate.fact("artifact.repository", scan_on_push=True)
    estate.many(3, "artifact.repository", scan_on_push=False)
    estate.fact("artifact.registry_scanning", scan_type="BASIC", continuous=False)
    result = score(estate, tmp_path, "sec.supply_chain")
    assert (result.status, result.floor_level, result.answer) == ("floor", 2, 2)
    assert result.because == (
        "Some code is checked by tools (account-regions with a vulnerability scanner: 1; container repositories scanning on push: 1 of 4)."
    )


def test_supply_chain_no_cloud_scanning_rules_nothing_out(tmp_path):
    # Repository scanning (Dependabot, Snyk) is not visible: absence of cloud scanning proves nothing.
    estate = supply_estate()
    estate.fact("security.service", service="inspector", kind="vulnerability_scanning", enabled=False, organization_managed=False)
    result = score(estate, tmp_path, "sec.supply_chain")
    assert result.possible_levels == [1, 2, 3, 4, 5] and result.answer == 0


def test_supply_chain_denied_scanner_is_never_a_floor(tmp_path):
    estate = Estate().covered("artifact.repository", "artifact.registry_scanning").denied("security.service")
    estate.fact("artifact.repository", scan_on_push=False)
    assert score(estate, tmp_path, "sec.supply_chain").answer == 0


def test_vuln_mgmt_full_tooling_is_a_floor_never_a_settled_level(tmp_path):
    """ "We hunt for threats and respond quickly, with some automation" (4) is shown; red and purple teams (5)
    only a person can tell: at least 4."""
    estate = Estate().covered("config.recorder", "config.rule")
    for service, kind in (("securityhub", "posture"), ("inspector", "vulnerability_scanning"), ("detective", "investigation")):
        estate.fact("security.service", service=service, kind=kind, enabled=True)
    estate.fact("monitoring.event_rule", security_events=True, targets=2)
    result = score(estate, tmp_path, "sec.vuln_mgmt")
    assert (result.status, result.floor_level, result.answer, result.suggested_level) == ("floor", 4, 4, None)
    assert verdicts(result)[3] == "supported" and verdicts(result)[4] == "supported"
    assert result.because.startswith("Threats are watched for and answered with automation (event rules acting on findings: 1;")


def test_vuln_mgmt_configuration_rules_everywhere_are_automated_scanning(tmp_path):
    """Recording on in every account-region with configuration rules, no posture or scanner service:
    "We use automated tools to scan for problems and do regular checks" (3) is shown: at least 3."""
    estate = Estate().covered("security.service", "monitoring.event_rule")
    estate.fact("config.recorder", recording=True)
    estate.fact("config.rule", identifier="S3_BUCKET_PUBLIC_READ_PROHIBITED")
    result = score(estate, tmp_path, "sec.vuln_mgmt")
    assert (result.status, result.floor_level, result.possible_levels) == ("floor", 3, [3, 4, 5])


def test_vuln_mgmt_threat_detection_with_routed_findings_is_at_least_4(tmp_path):
    """Posture service and threat detection everywhere, findings acted on by an event rule: "We hunt for
    threats and respond quickly, with some automation" (4) is shown; red and purple teams (5) are not."""
    estate = Estate().covered("config.recorder", "config.rule")
    for service, kind in (("securityhub", "posture"), ("guardduty", "threat_detection")):
        estate.fact("security.service", service=service, kind=kind, enabled=True)
    estate.fact("monitoring.event_rule", security_events=True, targets=1)
    result = score(estate, tmp_path, "sec.vuln_mgmt")
    assert (result.status, result.floor_level, result.answer) == ("floor", 4, 4)


def test_vuln_mgmt_unrouted_findings_stop_at_3(tmp_path):
    estate = Estate().covered("config.recorder", "config.rule", "monitoring.event_rule")
    for service, kind in (("securityhub", "posture"), ("guardduty", "threat_detection")):
        estate.fact("security.service", service=service, kind=kind, enabled=True)
    assert score(estate, tmp_path, "sec.vuln_mgmt").floor_level == 3


def test_vuln_mgmt_scanning_in_part_of_the_estate_shows_nothing(tmp_path):
    estate = Estate()
    estate.fact("security.service", service="securityhub", kind="posture", enabled=True)
    estate.fact("security.service", service="securityhub", kind="posture", enabled=False)
    estate.fact("security.service", service="inspector", kind="vulnerability_scanning", enabled=True)
    assert score(estate, tmp_path, "sec.vuln_mgmt").answer == 0


def test_network_open_admin_ports_rule_out_no_perimeter(tmp_path):
    """SSH open to the internet rules out "We don't use network perimeters" (5); the security groups themselves
    show "We rely on network controls like firewalls and IP allow-lists" (1): at least 1."""
    estate = Estate().covered("network.remote_access")
    estate.fact("network.security_group", in_use=True, admin_ports_open=True)
    result = score(estate, tmp_path, "sec.network")
    assert result.possible_levels == [1, 2, 3, 4]
    assert (result.status, result.floor_level, result.answer) == ("floor", 1, 1)
    assert result.because == "Network controls guard the workloads: 1 security groups (firewall rules and allow-lists) are in use."


def test_network_unreadable_remote_access_is_no_floor(tmp_path):
    # remote access not read (moto has no Client VPN): a read level 5 turns on is missing, so no floor
    estate = Estate().denied("network.remote_access")
    estate.fact("network.security_group", in_use=True, admin_ports_open=True)
    assert score(estate, tmp_path, "sec.network").answer == 0


def test_network_client_vpn_rules_out_level_5(tmp_path):
    estate = Estate()
    estate.fact("network.security_group", in_use=True, admin_ports_open=False)
    estate.fact("network.remote_access", kind="client_vpn", identity_aware=False)
    assert 5 not in score(estate, tmp_path, "sec.network").possible_levels


def test_network_denied_groups_keep_level_5_open(tmp_path):
    estate = Estate().denied("network.security_group")
    estate.fact("network.remote_access", kind="verified_access", identity_aware=True)
    result = score(estate, tmp_path, "sec.network")
    assert 5 in result.possible_levels
    assert result.answer == 0


# --- sec.privileged_access -------------------------------------------------------------------


def test_privileged_access_local_admin_without_mfa(tmp_path):
    estate = Estate()
    root(estate)
    person(estate, 1, admin=True, mfa=False)
    result = score(estate, tmp_path, "sec.privileged_access")
    assert result.possible_levels == [1, 2]


def test_privileged_access_central_admin_leaves_2_to_5(tmp_path):
    estate = Estate()
    root(estate, kind="hardware")
    person(estate, 3)
    result = score(estate, tmp_path, "sec.privileged_access")
    assert result.possible_levels == [2, 3, 4, 5]
    assert result.answer == 0


def test_privileged_access_root_without_mfa_keeps_level_1_open(tmp_path):
    # No local admin users, but the account's most privileged sign-in has no second factor: that is
    # ad hoc (1) as much as vaulted (2); never "central controls" by elimination.
    estate = Estate()
    root(estate, mfa=False)
    person(estate, 3)
    result = score(estate, tmp_path, "sec.privileged_access")
    assert result.possible_levels == [1, 2]
    assert result.answer == 0


def test_privileged_access_root_keys_rule_out_otp_levels(tmp_path):
    estate = Estate()
    root(estate, keys=1)
    result = score(estate, tmp_path, "sec.privileged_access")
    assert result.possible_levels == [1, 2]


def test_privileged_access_admins_on_mfa_with_logging_is_at_least_3(tmp_path):
    """ "We have structured admin processes, with one-time passwords for access" (3): every admin and root on MFA,
    no admin or root keys, a trail logging, IAM the only way in. At least 3."""
    estate = no_idp(Estate())
    root(estate, kind="hardware")
    person(estate, 2, admin=True)
    estate.fact("audit.trail", logging=True, multi_region=True)
    result = score(estate, tmp_path, "sec.privileged_access")
    assert (result.status, result.floor_level, result.possible_levels) == ("floor", 3, [3, 4, 5])


def test_privileged_access_identity_centre_people_keep_otp_unshown(tmp_path):
    # Administrators may also come in through the identity centre, whose MFA settings are not read.
    estate = no_idp(Estate())
    root(estate, kind="hardware")
    person(estate, 2, admin=True)
    estate.fact("audit.trail", logging=True, multi_region=True)
    estate.fact("identity.sso_instance", region="global", users=30)
    result = score(estate, tmp_path, "sec.privileged_access")
    # one-time passwords (3) stay unshown; people signing in centrally with only break-glass local admins on MFA,
    # no keys and a trail logging show "central controls for passwords and keys, with basic logging" (2)
    assert (result.status, result.floor_level, result.possible_levels) == ("floor", 2, [2, 3, 4, 5])


def test_privileged_access_admin_with_keys_is_not_otp_only(tmp_path):
    estate = no_idp(Estate())
    root(estate)
    person(estate, 1, admin=True, active_keys=1)
    estate.fact("audit.trail", logging=True, multi_region=True)
    result = score(estate, tmp_path, "sec.privileged_access")
    assert result.answer == 0 and 1 in result.possible_levels


# --- manual questions --------------------------------------------------------------------------


@pytest.mark.parametrize("rule_id", ["sec.risk", "sec.data_breach"])
def test_people_questions_never_get_a_level_from_configuration(tmp_path, rule_id):
    estate = mfa_estate(10, 0, kind="hardware")
    result = score(estate, tmp_path, rule_id)
    assert result.status == "manual"
    assert result.answer == 0
    assert len(result.evidence_to_bring) >= 3
