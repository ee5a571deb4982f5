"""Golden OCI tenancies for sec.access_reviews, "How do you make sure people have the right access for their role?".
Each expected level (or the levels left open) is read off the level text quoted in the docstring."""

from __future__ import annotations

from tests.oci.golden import V, answer, explain
from tests.oci.support import Estate

RECENT, MONTHS_AGO = "2026-11-30T09:00:00Z", "2026-04-01T09:00:00Z"


def _person(estate: Estate, name: str, last_sign_in: str | None) -> None:
    """A person of the Default domain as the IAM user list shows them: console password, MFA, their last sign-in."""
    user = {"id": f"ocid1.user.oc1..{name}", "name": name, "isMfaActivated": True, "capabilities": {"canUseConsolePassword": True}}
    user["timeCreated"] = "2025-01-01T00:00:00Z"
    if last_sign_in:
        user["lastSuccessfulLoginTime"] = last_sign_in
    estate.add(f"{V}/users", user, region=None)


def _levels(result) -> dict[int, str]:  # type: ignore[no-untyped-def]
    return {o.level: o.verdict for o in result.levels}


def test_people_unused_for_months_rule_out_regular_reviews(monkeypatch, tmp_path) -> None:
    """Levels 1-3 only: one of three people has not signed in since April and another never has (created two years
    ago), so 'Access is reviewed regularly, with expiry dates set for each role.' (4) and 'Reviews are automated.
    Access changes when roles change' (5) are ruled out: unused sign-ins are left to linger."""
    estate = Estate()
    _person(estate, "ada", RECENT)
    _person(estate, "grace", MONTHS_AGO)
    _person(estate, "linus", None)
    result = answer(estate, "sec.access_reviews", monkeypatch, tmp_path)
    assert result.possible_levels == [1, 2, 3], explain(result)
    assert _levels(result)[4] == "ruled_out" and _levels(result)[5] == "ruled_out", explain(result)


def test_recent_sign_ins_leave_the_question_to_a_person(monkeypatch, tmp_path) -> None:
    """No level: every person signed in this week, so levels 4 and 5 are not ruled out, but nothing shows level 3,
    'We review access often': OCI has no automated unused-access analysis for the scan to read (Cloud Guard's
    detector rules check credentials, MFA and broad policies), so levels 1-3 are for a person."""
    estate = Estate()
    for name in ("ada", "grace", "linus"):
        _person(estate, name, RECENT)
    result = answer(estate, "sec.access_reviews", monkeypatch, tmp_path)
    assert result.suggested_level is None and result.floor_level is None, explain(result)
    assert _levels(result)[4] == "supported" and _levels(result)[5] == "supported", explain(result)


def test_refused_user_list_is_unknown_not_lower(monkeypatch, tmp_path) -> None:
    """ "I don't know": the users cannot be listed, so whether unused sign-ins linger is not known; levels 4 and 5
    are not ruled out on silence."""
    estate = Estate()
    _person(estate, "grace", MONTHS_AGO)
    estate.deny_path(f"{V}/users")
    result = answer(estate, "sec.access_reviews", monkeypatch, tmp_path)
    assert result.possible_levels == [1, 2, 3, 4, 5] and result.suggested_level is None, explain(result)
