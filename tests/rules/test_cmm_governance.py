"""Golden estates for the Governance rules (expected answers from the level text)."""

from __future__ import annotations

import pytest

from tests.rules import OTHER_REGION, OTHER_SCOPE, assert_no_level, evidence, verdicts
from tests.rules import GoldenEstate as Estate


def activity(estate: Estate, *, console=0, iac=0, pipeline=0, other=0, ci_iac=0, scope=None, region=None) -> Estate:
    """One account-region's writes; `ci_iac` of the `iac` writes were made by CI/CD identities (cicd_identity)."""
    kw = {k: v for k, v in (("scope", scope), ("region", region)) if v}
    total = console + iac + pipeline + other
    estate.fact(
        "activity.changes",
        window_days=90,
        total=total,
        console=console,
        iac=iac,
        pipeline=pipeline,
        other=other,
        cicd_identity=pipeline + ci_iac,
        **kw,
    )
    return estate


# --- gov.environment_mgmt ----------------------------------------------------------------------


def env_estate(automated: int, manual: int, *, stacks_checked: int = 0, stacks_unchecked: int = 0) -> Estate:
    estate = Estate().covered("activity.changes", "iac.stack")
    activity(estate, iac=automated, console=manual)
    estate.many(stacks_checked, "iac.stack", drift_status="IN_SYNC")
    estate.many(stacks_unchecked, "iac.stack", drift_status="NOT_CHECKED")
    return estate


@pytest.mark.parametrize(
    ("automated", "manual", "checked", "unchecked", "possible", "level"),
    [
        (19, 81, 0, 0, [1, 2], None),  # mostly manual: documentation decides, a person answers
        (20, 80, 0, 0, [3], 3),  # at some_automated
        (69, 31, 0, 0, [3], 3),  # just below most_automated
        (70, 30, 0, 0, [4], 4),  # at most_automated
        (94, 6, 10, 0, [4], 4),  # just below all_automated, drift checked
        (95, 5, 8, 2, [5], 5),  # at all_automated, 80% of stacks drift-checked
        (95, 5, 7, 3, [4], 4),  # drift checks on 70% only
        (100, 0, 0, 0, [4, 5], None),  # no stacks: drift detection elsewhere is invisible
    ],
)
def test_environment_levels(tmp_path, automated, manual, checked, unchecked, possible, level):
    estate = env_estate(automated, manual, stacks_checked=checked, stacks_unchecked=unchecked)
    result = estate.score(tmp_path, "gov.environment_mgmt")
    assert result.possible_levels == possible, result.reasons
    assert result.suggested_level == level
    assert result.answer == (level or 0)


def test_environment_pipeline_changes_count_as_automated(tmp_path):
    estate = Estate().covered("activity.changes", "iac.stack")
    activity(estate, pipeline=50, iac=30, console=20)
    assert estate.score(tmp_path, "gov.environment_mgmt").suggested_level == 4


def test_environment_no_activity_is_not_applicable(tmp_path):
    estate = Estate().covered("activity.changes", "iac.stack")
    activity(estate)
    assert estate.score(tmp_path, "gov.environment_mgmt").status == "not_applicable"


def test_environment_activity_denied_is_unknown(tmp_path):
    estate = Estate().covered("iac.stack").denied("activity.changes")
    assert_no_level(estate.score(tmp_path, "gov.environment_mgmt"))


def test_environment_one_account_unread_is_not_a_confident_level(tmp_path):
    estate = env_estate(70, 30)  # level 4 where read
    estate.denied("activity.changes", scope=OTHER_SCOPE)
    result = estate.score(tmp_path, "gov.environment_mgmt")
    assert_no_level(result)


def test_environment_sums_every_account(tmp_path):
    estate = env_estate(90, 10)  # account 1: 90% automated
    activity(estate, console=100, scope=OTHER_SCOPE)  # account 2: all console
    result = estate.score(tmp_path, "gov.environment_mgmt")
    assert evidence(result, "changes").value.lo == 200
    assert {s.scope for s in evidence(result, "changes").by_scope} == {"111111111111", OTHER_SCOPE}
    assert result.suggested_level == 3  # 90 of 200 automated


def test_environment_threshold_override(tmp_path):
    estate = env_estate(60, 40)
    assert estate.score(tmp_path, "gov.environment_mgmt").suggested_level == 3
    result = estate.score(tmp_path, "gov.environment_mgmt", overrides={"gov.environment_mgmt": {"most_automated": 0.6}})
    assert result.suggested_level == 4


# --- gov.provisioning ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("units", "level", "possible"),
    [
        ([dict(console=100)], 1, [1]),  # console only
        ([dict(console=75, other=16, iac=9)], 1, [1]),  # 9% automated, 16% scripts
        ([dict(console=60, other=31, iac=9)], 2, [2]),  # scripting without IaC: no standards is for a person
        ([dict(console=71, other=20, iac=9)], 2, [2]),  # scripts at the scripting threshold
        ([dict(console=80, iac=20), dict(console=100)], 3, [3]),  # 10% overall: at automation_low; no account mostly automated
        ([dict(iac=60, console=40), dict(console=100)], 4, [4]),  # half the accounts automated: at most_units
        ([dict(iac=60, console=40), dict(console=100), dict(console=100)], 3, [3]),  # a third
        ([dict(pipeline=98, console=2)], 5, [5]),  # pipelines make almost every change
        ([dict(pipeline=97, console=3)], 4, [4]),  # just below pipeline_all
    ],
)
def test_provisioning_levels(tmp_path, units, level, possible):
    estate = Estate().covered("activity.changes")
    for i, unit in enumerate(units):
        activity(estate, scope=f"{i + 1}" * 12, **unit)
    result = estate.score(tmp_path, "gov.provisioning")
    assert result.possible_levels == possible, result.reasons
    assert result.suggested_level == level
    assert result.answer == level


@pytest.mark.parametrize(
    ("units", "level"),
    [
        (dict(iac=100, ci_iac=100), 5),  # GitHub Actions applying Terraform: IaC, and every change by CI/CD
        (dict(iac=60, ci_iac=60, pipeline=39, console=1), 5),  # 99% by CI/CD identities
        (dict(iac=100, ci_iac=90), 4),  # a tenth of the IaC applied by people
    ],
)
def test_provisioning_ci_cd_identities_count_whatever_tool_they_ran(tmp_path, units, level):
    estate = Estate().covered("activity.changes")
    activity(estate, **units)
    result = estate.score(tmp_path, "gov.provisioning")
    assert result.suggested_level == level, result.reasons


def test_provisioning_ci_cd_share_unread_keeps_level_5_open(tmp_path):
    """Activity facts from before cicd_identity was collected: level 5 can be neither confirmed nor ruled out."""
    estate = Estate().covered("activity.changes")
    estate.fact("activity.changes", window_days=90, total=100, console=0, iac=100, pipeline=0, other=0)
    result = estate.score(tmp_path, "gov.provisioning")
    assert_no_level(result)
    assert result.possible_levels == [4, 5]


def test_provisioning_quiet_accounts_do_not_count_as_teams(tmp_path):
    estate = Estate().covered("activity.changes")
    activity(estate, iac=60, console=40)
    activity(estate, console=5, scope=OTHER_SCOPE)  # below unit_min_changes
    result = estate.score(tmp_path, "gov.provisioning")
    share = evidence(result, "automated_units")
    assert (share.matching, share.total) == (1, 1)
    assert result.suggested_level == 4


def test_provisioning_share_of_accounts_is_over_every_account(tmp_path):
    estate = Estate().covered("activity.changes")
    activity(estate, iac=80, console=20)
    activity(estate, console=50, other=50, scope=OTHER_SCOPE)
    result = estate.score(tmp_path, "gov.provisioning")
    share = evidence(result, "automated_units")
    assert {s.scope: (s.matching, s.total) for s in share.by_scope} == {"111111111111": (1, 1), OTHER_SCOPE: (0, 1)}
    assert result.suggested_level == 4  # 1 of 2 accounts: at most_units


def test_provisioning_region_denied_is_not_a_confident_level(tmp_path):
    estate = Estate().covered("activity.changes")
    activity(estate, console=100)
    estate.denied("activity.changes", region=OTHER_REGION)
    assert_no_level(estate.score(tmp_path, "gov.provisioning"))


def test_provisioning_denied_and_empty(tmp_path):
    assert_no_level(Estate().denied("activity.changes").score(tmp_path, "gov.provisioning"))
    empty = Estate().covered("activity.changes").score(tmp_path, "gov.provisioning")
    assert empty.status == "not_applicable"
    assert empty.answer == 0


def test_provisioning_threshold_override(tmp_path):
    estate = Estate().covered("activity.changes")
    activity(estate, pipeline=95, console=5)
    assert estate.score(tmp_path, "gov.provisioning").suggested_level == 4
    result = estate.score(tmp_path, "gov.provisioning", overrides={"gov.provisioning": {"pipeline_all": 0.95}})
    assert result.suggested_level == 5


# --- gov.policy_enforcement --------------------------------------------------------------------

POLICY_TYPES = ("org.policy", "config.rule", "config.remediation", "security.standard", "config.recorder", "inventory.region")


def policy_estate(*, scps=0, rules=0, remediated=0, standards=0, recording=(0, 0), idle=0) -> Estate:
    """Recorders on and off in account-regions in use (one each), and `idle` scanned regions holding nothing."""
    estate = Estate().covered(*POLICY_TYPES)
    estate.fact("org.policy", policy_type="scp", aws_managed=True, attachments=5)  # FullAWSAccess
    estate.many(scps, "org.policy", policy_type="scp", aws_managed=False, attachments=2)
    estate.many(rules, "config.rule")
    estate.many(remediated, "config.rule")
    estate.many(remediated, "config.remediation", automatic=True)
    estate.many(standards, "security.standard", enabled=True)
    on, off = recording
    estate.many(on, "config.recorder", recording=True)
    estate.many(off, "config.recorder", recording=False)
    estate.many(on + off, "inventory.region", scanned=True, in_use=True)
    estate.many(idle, "config.recorder", recording=False)
    estate.many(idle, "inventory.region", scanned=True, in_use=False)
    return estate


@pytest.mark.parametrize(
    ("setup", "possible", "level"),
    [
        ({}, [1, 2, 3], None),  # no technical control: processes decide
        ({"rules": 3, "recording": (2, 8)}, [3, 4], None),  # some technology
        ({"scps": 2, "rules": 10, "recording": (9, 1)}, [4], 4),  # broad, no remediation
        # recording just below broad, but guardrails and rules: "processes and some technology" (4) is shown
        ({"scps": 2, "rules": 10, "recording": (8, 2)}, [4], 4),
        ({"scps": 2, "rules": 10, "remediated": 1, "recording": (10, 0)}, [4, 5], None),
    ],
)
def test_policy_enforcement_narrows_but_processes_decide(tmp_path, setup, possible, level):
    result = policy_estate(**setup).score(tmp_path, "gov.policy_enforcement")
    assert result.possible_levels == possible, result.reasons
    assert result.suggested_level == level
    assert "met" not in verdicts(result).values()  # processes are part of every level


def test_policy_enforcement_manual_remediation_is_not_enforcement(tmp_path):
    estate = policy_estate(scps=2, rules=10, recording=(10, 0))
    estate.many(3, "config.remediation", automatic=False)  # run by hand, on request
    assert policy_estate(scps=2, rules=10, recording=(10, 0)).score(tmp_path, "gov.policy_enforcement").suggested_level == 4
    assert estate.score(tmp_path, "gov.policy_enforcement").suggested_level == 4


def test_policy_enforcement_remediation_unread_keeps_level_5_open(tmp_path):
    """Rules, guardrails and recording, but the remediation configurations could not be read."""
    estate = policy_estate(scps=2, rules=10, recording=(10, 0))
    estate.denied("config.remediation")
    result = estate.score(tmp_path, "gov.policy_enforcement")
    assert_no_level(result)
    assert result.possible_levels == [4, 5]


def test_policy_enforcement_idle_regions_without_recorders_do_not_count(tmp_path):
    """Recording wherever workloads or data are, off in 20 idle scanned regions: still broad."""
    result = policy_estate(scps=1, rules=5, recording=(3, 0), idle=20).score(tmp_path, "gov.policy_enforcement")
    assert result.possible_levels == [4], result.reasons
    assert evidence(result, "recording").value.lo == pytest.approx(3 / 23)


def test_policy_enforcement_region_use_unread_keeps_level_3_open(tmp_path):
    estate = policy_estate(scps=1, rules=5, recording=(9, 1))
    estate.fact("inventory.region", scanned=True, in_use=None)  # a region whose resources could not be read
    assert estate.score(tmp_path, "gov.policy_enforcement").possible_levels == [3, 4]


def test_policy_enforcement_default_allow_all_is_not_a_guardrail(tmp_path):
    result = policy_estate().score(tmp_path, "gov.policy_enforcement")
    assert evidence(result, "preventive_guardrails").value.hi == 0


def test_policy_enforcement_org_policies_unread_leave_low_levels_open(tmp_path):
    estate = Estate().covered("config.rule", "config.remediation", "security.standard", "config.recorder", "inventory.region")
    estate.denied("org.policy")
    result = estate.score(tmp_path, "gov.policy_enforcement")
    assert_no_level(result)
    assert result.possible_levels == [1, 2, 3, 4]  # no remediation seen: level 5 is out either way


def test_policy_enforcement_recording_is_over_every_account(tmp_path):
    estate = policy_estate(scps=1, rules=5, recording=(5, 0))
    estate.covered(*POLICY_TYPES, scope=OTHER_SCOPE)
    estate.many(5, "config.recorder", scope=OTHER_SCOPE, recording=False)
    estate.many(5, "inventory.region", scope=OTHER_SCOPE, scanned=True, in_use=True)
    result = estate.score(tmp_path, "gov.policy_enforcement")
    share = evidence(result, "recording")
    assert share.value.lo == pytest.approx(0.5)
    assert {s.scope: (s.matching, s.total) for s in share.by_scope} == {"111111111111": (5, 5), OTHER_SCOPE: (0, 5)}
    assert result.possible_levels == [4]  # a guardrail and rules: "processes and some technology" is shown


def test_policy_enforcement_recorder_region_denied(tmp_path):
    estate = policy_estate(scps=2, rules=10, recording=(9, 1))
    estate.denied("config.recorder", region=OTHER_REGION)
    estate.fact("inventory.region", region=OTHER_REGION, scanned=True, in_use=True)
    result = estate.score(tmp_path, "gov.policy_enforcement")
    assert_no_level(result)
    assert result.possible_levels == [3, 4]  # level 3 back in: recording may be off in the unread region in use


def test_policy_enforcement_recorder_denied_in_an_idle_region(tmp_path):
    """Unread recorders can only add to those seen on: 9 of 10 regions in use recording stands."""
    estate = policy_estate(scps=2, rules=10, recording=(9, 1))
    estate.denied("config.recorder", region=OTHER_REGION)
    estate.fact("inventory.region", region=OTHER_REGION, scanned=True, in_use=False)
    assert estate.score(tmp_path, "gov.policy_enforcement").suggested_level == 4


def test_policy_enforcement_threshold_override(tmp_path):
    estate = policy_estate(scps=2, rules=10, recording=(8, 2))
    result = estate.score(tmp_path, "gov.policy_enforcement", overrides={"gov.policy_enforcement": {"recording_broad": 0.8}})
    assert result.suggested_level == 4


# --- gov.build_artefacts ----------------------------------------------------------------------


@pytest.mark.parametrize(("immutable", "mutable", "level_5_open"), [(9, 1, True), (8, 1, False), (0, 3, False)])
def test_build_artefacts_mutable_tags_rule_out_level_5(tmp_path, immutable, mutable, level_5_open):
    estate = Estate().covered("artifact.repository", "artifact.signing_profile")
    estate.many(immutable, "artifact.repository", tag_immutable=True, scan_on_push=True)
    estate.many(mutable, "artifact.repository", tag_immutable=False, scan_on_push=False)
    result = estate.score(tmp_path, "gov.build_artefacts")
    assert_no_level(result)
    assert (5 in result.possible_levels) is level_5_open
    assert [lv for lv in result.possible_levels if lv < 5] == [1, 2, 3, 4]


def test_build_artefacts_without_cloud_repositories_is_unknown(tmp_path):
    result = Estate().covered("artifact.repository", "artifact.signing_profile").score(tmp_path, "gov.build_artefacts")
    assert_no_level(result)
    assert result.possible_levels == [1, 2, 3, 4, 5]  # artefacts may live in Artifactory or GitHub


def test_build_artefacts_repositories_across_accounts(tmp_path):
    estate = Estate().covered("artifact.repository", "artifact.signing_profile")
    estate.many(9, "artifact.repository", tag_immutable=True)
    estate.many(2, "artifact.repository", scope=OTHER_SCOPE, tag_immutable=False)
    result = estate.score(tmp_path, "gov.build_artefacts")
    share = evidence(result, "immutable_repositories")
    assert {s.scope: (s.matching, s.total) for s in share.by_scope} == {"111111111111": (9, 9), OTHER_SCOPE: (0, 2)}
    assert 5 not in result.possible_levels  # 9 of 11 overall


def test_build_artefacts_region_denied_keeps_level_5_open(tmp_path):
    estate = Estate().covered("artifact.signing_profile")
    estate.many(3, "artifact.repository", tag_immutable=False)
    estate.denied("artifact.repository", region=OTHER_REGION)
    assert 5 in estate.score(tmp_path, "gov.build_artefacts").possible_levels


def test_build_artefacts_threshold_override(tmp_path):
    estate = Estate().covered("artifact.signing_profile")
    estate.many(8, "artifact.repository", tag_immutable=True)
    estate.many(2, "artifact.repository", tag_immutable=False)
    assert 5 not in estate.score(tmp_path, "gov.build_artefacts").possible_levels
    result = estate.score(tmp_path, "gov.build_artefacts", overrides={"gov.build_artefacts": {"immutable_all": 0.8}})
    assert 5 in result.possible_levels


def test_policy_enforcement_no_remediation_to_attach_leaves_level_5_open(tmp_path):
    """Every recording region is in a cloud whose configuration rules cannot carry a remediation (GCP): its absence
    does not rule out level 5 'We have robust processes and technology to ensure that policies are always followed.';
    guardrails and rules show level 4, so the answer is 'at least 4'."""
    estate = policy_estate(scps=2, rules=10, recording=(0, 0))
    estate.many(10, "config.recorder", recording=True, remediation_available=False)
    estate.fact("inventory.region", scanned=True, in_use=True)
    result = estate.score(tmp_path, "gov.policy_enforcement")
    assert (result.status, result.floor_level, result.possible_levels) == ("floor", 4, [4, 5]), result.reasons


def test_policy_enforcement_remediation_where_offered_is_still_required(tmp_path):
    """Recorders where remediation can be attached (here unsaid, as AWS Config's) beside ones where it cannot: with none
    attached, level 5 stays ruled out and the answer is 4 'We use processes and some technology to apply policies.'"""
    estate = policy_estate(scps=2, rules=10, recording=(5, 0))
    estate.many(5, "config.recorder", recording=True, remediation_available=False)
    assert estate.score(tmp_path, "gov.policy_enforcement").suggested_level == 4
