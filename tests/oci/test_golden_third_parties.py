"""Golden OCI tenancies for people.third_parties: another tenancy's groups let in by `Admit` policy statements.
Each expected level (or the levels left open) is read off the level text quoted in the docstring."""

from __future__ import annotations

from tests.oci.golden import V, answer, explain
from tests.oci.support import Estate


def _policy(estate: Estate, name: str, statements: list[str]) -> None:
    estate.add(
        f"{V}/policies", {"id": f"ocid1.policy.oc1..{name}", "name": name, "statements": statements}, region=None, search_type="Policy"
    )


def _levels(result) -> dict[int, str]:  # type: ignore[no-untyped-def]
    return {o.level: o.verdict for o in result.levels}


def test_a_partner_tenancy_admitted_as_administrator_rules_out_levels_4_and_5(monkeypatch, tmp_path) -> None:
    """A partner tenancy's group may `manage all-resources in tenancy`: a standing outside administrator, so level 4,
    'Third parties give advice but have no special access.', and level 5, 'We do not use third parties, or they only
    help as extra staff with no special access.', are ruled out. Level 3, 'Third parties help with specialist tasks
    and have emergency access only.', needs the grant to have gone unused for months, which OCI does not record: it
    stays open, not ruled in or out."""
    estate = Estate()
    _policy(
        estate,
        "partner",
        [
            "Define tenancy Partner as ocid1.tenancy.oc1..partner",
            "Define group PartnerOps as ocid1.group.oc1..partnerops",
            "Admit group PartnerOps of tenancy Partner to manage all-resources in tenancy",
        ],
    )
    result = answer(estate, "people.third_parties", monkeypatch, tmp_path)
    assert _levels(result)[4] == "ruled_out" and _levels(result)[5] == "ruled_out", explain(result)
    assert 3 in result.possible_levels and result.suggested_level != 3, explain(result)


def test_no_outside_administrator_keeps_levels_4_and_5_open(monkeypatch, tmp_path) -> None:
    """Only a read-only auditor tenancy is admitted, and an `Endorse` lets our own group out (no way in): no outside
    administrator, so level 4, 'Third parties give advice but have no special access.', and level 5 stay possible.
    Supplier staff inside our own identity domain are invisible, so neither is confirmed."""
    estate = Estate()
    _policy(
        estate,
        "auditor",
        ["Define tenancy Auditor as ocid1.tenancy.oc1..auditor", "Admit any-user of tenancy Auditor to read all-resources in tenancy"],
    )
    _policy(
        estate,
        "outbound",
        ["Define tenancy Shared as ocid1.tenancy.oc1..shared", "Endorse group Ops to manage all-resources in tenancy Shared"],
    )
    result = answer(estate, "people.third_parties", monkeypatch, tmp_path)
    assert _levels(result)[4] == "supported" and _levels(result)[5] == "supported", explain(result)
    assert result.suggested_level is None, explain(result)


def test_refused_policies_leave_third_parties_unknown(monkeypatch, tmp_path) -> None:
    """Policies that cannot be read hide any `Admit`: level 4, 'Third parties give advice but have no special access.',
    is neither supported nor ruled out (the signal is unknown, not zero), and nothing is ruled out."""
    estate = Estate()
    _policy(estate, "partner", ["Admit group PartnerOps of tenancy Partner to manage all-resources in tenancy"])
    estate.deny_path(f"{V}/policies")
    result = answer(estate, "people.third_parties", monkeypatch, tmp_path)
    assert "ruled_out" not in _levels(result).values(), explain(result)
    assert _levels(result)[4] == "possible" and _levels(result)[5] == "possible", explain(result)
    assert {e.signal: e.display for e in result.evidence}["external_admin_roles"].startswith("unknown"), explain(result)
