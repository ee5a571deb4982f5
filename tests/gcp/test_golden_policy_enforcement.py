"""Golden GCP estates for gov.policy_enforcement: organisation policy constraints (preventive), a deployed posture's
Security Health Analytics detectors (detective) and the Asset Inventory's recording, on a cloud whose detectors cannot
carry an automatic remediation. The expected level quoted from the rule's level text; refused reads leave it open."""

from __future__ import annotations

from typing import Any

from tests.aws.estates import explain
from tests.gcp.support import answer, scan
from tests.gcp.test_golden_posture import posture_estate
from tests.gcp.test_governance import governance_estate


def enforced_estate() -> dict[str, Any]:
    """The CIS posture deployed on the organisation (its detectors on) and organisation policy constraints enforced
    on the organisation and a project; workloads in two projects."""
    estate = posture_estate()
    estate["assets"] += [a for a in governance_estate()["assets"] if "orgPolicy" in a]
    return estate


def test_guardrails_and_detectors_show_at_least_level_4(gcp, tmp_path) -> None:
    """Enforced constraints and deployed detectors, recorded in every project and region in use: level 4 'We use
    processes and some technology to apply policies.' is shown. GCP's detectors cannot carry a remediation, so its
    absence does not rule out level 5 'We have robust processes and technology to ensure that policies are always
    followed.': that stays for a person, and the answer is 'at least 4'."""
    gcp.load(enforced_estate())
    result = answer(tmp_path, "gov.policy_enforcement", organization="100")
    assert (result.status, result.answer, result.possible_levels) == ("floor", 4, [4, 5]), explain(result)
    evidence = {e.signal: e for e in result.evidence}
    assert evidence["remediated_rules"].complete and evidence["remediated_rules"].value.hi == 0
    assert evidence["recording_unremediable"].value.lo == evidence["recording_regions"].value.lo >= 1


def test_recording_says_remediation_cannot_be_attached(gcp) -> None:
    gcp.load(enforced_estate())
    recorders = scan(["config.recorder"], organization="100").of("config.recorder")
    assert recorders and all(r.attributes["recording"] and r.attributes["remediation_available"] is False for r in recorders)


def test_refused_constraints_leave_it_open_never_lower(gcp, tmp_path) -> None:
    """The same estate with the inventory's organisation policies refused: preventive guardrails are unknown, so level
    4 is not shown; the detectors still rule out level 1 'We don't.' — never a lower answer from a refused read."""
    estate = enforced_estate()
    estate["faults"] = {"deny": [{"operation": "cloudasset.assets.listOrgPolicy"}]}
    gcp.load(estate)
    result = answer(tmp_path, "gov.policy_enforcement", organization="100")
    guardrails = next(e for e in result.evidence if e.signal == "preventive_guardrails")
    assert not guardrails.complete, explain(result)
    assert result.status != "floor" and result.answer == 0, explain(result)
    assert 1 not in result.possible_levels and {4, 5} <= set(result.possible_levels), explain(result)


def test_refused_detectors_without_guardrails_leave_it_open(gcp, tmp_path) -> None:
    """No constraint enforced and the postures' detectors refused: the deployed posture (a security standard) rules
    out 'We don't.' and, with no guardrail, level 5 is out; whether it is 3 'We use processes to apply policies, but not
    much technology.' or 4 stays open — never the lower one from a refused read."""
    estate = posture_estate()
    estate["faults"] = {"deny": [{"operation": "list v1/organizations/*/locations/global/postures"}]}
    gcp.load(estate)
    result = answer(tmp_path, "gov.policy_enforcement", organization="100")
    assert (result.status, result.answer, result.possible_levels) == ("range", 0, [3, 4]), explain(result)
