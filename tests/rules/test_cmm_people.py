"""Golden estates for the People rules: configuration can rule out, never set, a level."""

from __future__ import annotations

import pytest

from tests.rules import OTHER_REGION, OTHER_SCOPE, assert_no_level, evidence, verdicts
from tests.rules import GoldenEstate as Estate


def roles(*, external_admin=0, external_readonly=0, internal_admin=0, scope=None) -> Estate:
    estate = Estate().covered("identity.role")
    kw = {"scope": scope} if scope else {}
    if scope:
        estate.covered("identity.role", scope=scope)
    estate.many(external_admin, "identity.role", trusts_external_account=True, admin=True, service_linked=False, **kw)
    estate.many(external_readonly, "identity.role", trusts_external_account=True, admin=False, service_linked=False, **kw)
    estate.many(internal_admin, "identity.role", trusts_external_account=False, admin=True, service_linked=False, **kw)
    return estate


def test_external_admin_rules_out_no_special_access(tmp_path):
    result = roles(external_admin=1, internal_admin=3).score(tmp_path, "people.third_parties")
    assert result.possible_levels == [1, 2, 3]
    assert result.status == "range"
    assert_no_level(result)  # break-glass (3) or standing (1-2) is for people


@pytest.mark.parametrize(("unused_days", "answer"), [(200, 3), (90, 3), (89, 0), (5, 0)])
def test_an_idle_external_admin_is_emergency_access(tmp_path, unused_days, answer):
    """An outside administrator role unused for months: "Third parties ... have emergency access only" (3);
    "no special access" (4, 5) is ruled out by the role itself. One used lately is a working route (1-3 open)."""
    estate = roles(internal_admin=1)
    estate.fact("identity.role", trusts_external_account=True, admin=True, service_linked=False, unused_days=unused_days)
    result = estate.score(tmp_path, "people.third_parties")
    assert result.answer == answer
    if answer:
        assert result.because == (
            "Outside administrator access is kept for emergencies: none of the roles an outside account may assume "
            "with administrator rights (1) was used in the last months."
        )
    else:
        assert result.possible_levels == [1, 2, 3]


@pytest.mark.parametrize("readonly", [0, 2])
def test_no_external_admin_confirms_nothing(tmp_path, readonly):
    result = roles(external_readonly=readonly, internal_admin=2).score(tmp_path, "people.third_parties")
    assert result.possible_levels == [1, 2, 3, 4, 5]
    assert verdicts(result)[4] == verdicts(result)[5] == "supported"
    assert_no_level(result)  # supplier staff in your own identity provider are invisible


def test_third_parties_roles_denied_in_a_region_is_unknown(tmp_path):
    estate = roles(internal_admin=1)
    estate.denied("identity.role", region=OTHER_REGION)
    result = estate.score(tmp_path, "people.third_parties")
    assert result.possible_levels == [1, 2, 3, 4, 5]
    assert_no_level(result)


def test_third_parties_counted_across_accounts(tmp_path):
    estate = roles(external_readonly=1)
    estate.covered("identity.role", scope=OTHER_SCOPE)
    estate.fact("identity.role", scope=OTHER_SCOPE, trusts_external_account=True, admin=True, service_linked=False)
    result = estate.score(tmp_path, "people.third_parties")
    admins = evidence(result, "external_admin_roles")
    assert {s.scope: s.matching for s in admins.by_scope} == {OTHER_SCOPE: 1}
    assert 4 not in result.possible_levels


def test_service_linked_roles_are_not_third_parties(tmp_path):
    estate = roles()
    estate.fact("identity.role", trusts_external_account=True, admin=True, service_linked=True)
    assert 4 in estate.score(tmp_path, "people.third_parties").possible_levels


@pytest.mark.parametrize(
    "rule_id",
    [
        "people.career_changers",
        "people.exec_sponsorship",
        "people.hiring",
        "people.provider_engagement",
        "people.success_criteria",
        "people.suppliers",
        "people.training",
    ],
)
def test_people_questions_stay_manual(tmp_path, rule_id):
    estate = roles(external_admin=2)
    result = estate.score(tmp_path, rule_id)
    assert result.status == "manual"
    assert_no_level(result)
    assert len(result.evidence_to_bring) >= 2
