"""Golden OCI tenancies for incident plans held in the cloud: Full Stack Disaster Recovery protection groups, their DR
plans and plan executions (ops.response_plan), read with the real signer from the emulator. Each expected level is read
off the level text of ops.incident_planning, quoted in the docstring."""

from __future__ import annotations

from typing import Any

from tests.oci.golden import answer, explain
from tests.oci.support import FRANKFURT, LONDON, Estate, scan

DR = "/20220125"


def _group(estate: Estate, name: str, compartment: str, role: str, region: str, peer_region: str) -> str:
    gid = f"ocid1.drprotectiongroup.oc1..{name}"
    estate.add(
        f"{DR}/drProtectionGroups",
        {
            "id": gid,
            "displayName": name,
            "role": role,
            "peerId": f"ocid1.drprotectiongroup.oc1..{name}-peer",
            "peerRegion": peer_region,
            "lifecycleState": "ACTIVE",
            "timeUpdated": "2026-01-01T00:00:00Z",
        },
        compartment=compartment,
        region=region,
        search_type="DrProtectionGroup",
    )
    return gid


def _plan(estate: Estate, group: str, kind: str, compartment: str, region: str, state: str = "ACTIVE") -> str:
    pid = f"{group.replace('drprotectiongroup', 'drplan')}-{kind.lower()}"
    estate.add(
        f"{DR}/drPlans",
        {
            "id": pid,
            "displayName": f"{kind.title()} to {region}",
            "type": kind,
            "drProtectionGroupId": group,
            "peerDrProtectionGroupId": f"{group}-peer",
            "peerRegion": LONDON,
            "lifecycleState": state,
            "timeUpdated": "2026-01-01T00:00:00Z",
        },
        compartment=compartment,
        region=region,
        search_type="DrPlan",
    )
    return pid


def _run(estate: Estate, group: str, plan: str, kind: str, ended: str, compartment: str, region: str, state: str = "SUCCEEDED") -> None:
    estate.add(
        f"{DR}/drPlanExecutions",
        {
            "id": f"{plan.replace('drplan', 'drplanexecution')}-{kind.lower()}-{ended[:10]}",
            "displayName": f"{kind} {ended[:10]}",
            "planId": plan,
            "planExecutionType": kind,
            "drProtectionGroupId": group,
            "peerDrProtectionGroupId": f"{group}-peer",
            "peerRegion": LONDON,
            "timeStarted": ended,
            "timeEnded": ended,
            "executionDurationInSec": 1800,
            "lifecycleState": state,
        },
        compartment=compartment,
        region=region,
        search_type="DrPlanExecution",
    )


def _paired(estate: Estate, name: str = "orders", runs: list[tuple[str, str, str]] | None = None) -> tuple[str, str]:
    """An application stack paired across London (primary) and Frankfurt (standby), its switchover and drill plans in
    the standby group, as Full Stack DR creates them."""
    apps = estate.compartment("apps")
    _group(estate, f"{name}-primary", apps, "PRIMARY", LONDON, FRANKFURT)
    standby = _group(estate, f"{name}-standby", apps, "STANDBY", FRANKFURT, LONDON)
    switchover = _plan(estate, standby, "SWITCHOVER", apps, FRANKFURT)
    drill = _plan(estate, standby, "START_DRILL", apps, FRANKFURT)
    for kind, ended, state in runs or []:
        _run(estate, standby, drill if "DRILL" in kind else switchover, kind, ended, apps, FRANKFURT, state)
    return apps, standby


def _plans(result: Any) -> dict[str, dict[str, Any]]:
    return {f.resource_id: f.attributes for f in result.of("ops.response_plan")}


def test_a_standby_group_with_active_plans_is_a_formal_incident_plan(monkeypatch, tmp_path) -> None:
    """At least level 2, 'We create a plan when launching a new service.': the orders stack has a DR protection group
    pair whose standby group holds an active switchover plan and a drill plan, runbooks Full Stack DR executes step by
    step. Level 1, 'We don't have a formal incident plan.', is ruled out. Whether the plans are kept up to date (3), part
    of wider IT and business continuity and tested often (4) is for a person: the plans' runs are evidence to bring."""
    estate = Estate(regions=(LONDON, FRANKFURT))
    _paired(estate)
    result = answer(estate, "ops.incident_planning", monkeypatch, tmp_path)
    assert result.status == "floor" and result.answer == 2, explain(result)
    assert {o.level: o.verdict for o in result.levels}[1] == "ruled_out", explain(result)


def test_one_fact_per_planned_group_with_its_last_exercise(monkeypatch) -> None:
    """The standby group is one plan (a runbook); the primary, which holds no plan, is none. The last exercise is the
    latest successful run that was not a precheck (a failed switchover and a later precheck do not count)."""
    estate = Estate(regions=(LONDON, FRANKFURT))
    _, standby = _paired(
        estate,
        runs=[
            ("START_DRILL", "2026-09-01T10:00:00Z", "SUCCEEDED"),
            ("SWITCHOVER", "2026-10-01T10:00:00Z", "FAILED"),
            ("SWITCHOVER_PRECHECK", "2026-11-01T10:00:00Z", "SUCCEEDED"),
        ],
    )
    result = scan(estate, ["ops.response_plan"], monkeypatch)
    plans = _plans(result)
    assert list(plans) == [standby], plans
    attrs = plans[standby]
    assert (attrs["runbook"], attrs["engagements"], attrs["chat_channel"]) == (True, 0, False)
    assert isinstance(attrs["tested_days"], int) and attrs["tested_days"] >= 90, attrs
    assert {c.status for c in result.coverage} == {"ok"}


def test_a_group_never_exercised_has_no_last_exercise(monkeypatch) -> None:
    estate = Estate(regions=(LONDON, FRANKFURT))
    _, standby = _paired(estate)
    attrs = _plans(scan(estate, ["ops.response_plan"], monkeypatch))[standby]
    assert attrs["runbook"] is True and attrs["tested_days"] is None


def test_inactive_plans_are_no_plan(monkeypatch) -> None:
    estate = Estate(regions=(LONDON, FRANKFURT))
    apps = estate.compartment("apps")
    standby = _group(estate, "orders-standby", apps, "STANDBY", FRANKFURT, LONDON)
    _plan(estate, standby, "SWITCHOVER", apps, FRANKFURT, state="INACTIVE")
    result = scan(estate, ["ops.response_plan"], monkeypatch)
    assert _plans(result) == {} and {c.status for c in result.coverage} == {"ok"}


def test_no_dr_groups_leaves_the_levels_to_a_person(monkeypatch, tmp_path) -> None:
    """No DR protection group (and so no plan held in the cloud): plans kept elsewhere (documents, a paging tool) are
    invisible, so nothing is ruled out and no level is shown: 'We don't have a formal incident plan.' is not claimed."""
    estate = Estate(regions=(LONDON, FRANKFURT))
    estate.compartment("apps")
    result = answer(estate, "ops.incident_planning", monkeypatch, tmp_path)
    assert result.possible_levels == [1, 2, 3, 4, 5] and result.suggested_level is None, explain(result)
    assert {o.level: o.verdict for o in result.levels}[1] == "supported", explain(result)


def test_a_denied_compartment_is_unknown_never_no_plan(monkeypatch, tmp_path) -> None:
    """The only DR groups are in a compartment the scan may not read (404 NotAuthorizedOrNotFound): whether there is a
    plan is unknown, so no level is shown and the answer is not 'no formal incident plan'."""
    estate = Estate(regions=(LONDON, FRANKFURT))
    _paired(estate)
    estate.deny("apps")
    result = answer(estate, "ops.incident_planning", monkeypatch, tmp_path)
    assert result.possible_levels == [1, 2, 3, 4, 5] and result.suggested_level is None, explain(result)
    # level 1 stays possible, not supported: "none seen" is not "none there"
    assert {o.level: o.verdict for o in result.levels}[1] == "possible", explain(result)
    plans = next(e for e in result.evidence if e.signal == "response_plans")
    assert plans.display.startswith("unknown"), explain(result)


def test_refused_plan_lists_are_unknown_not_none(monkeypatch) -> None:
    """The groups are listed but their plans are refused: the standby group is kept with its runbook unknown."""
    estate = Estate(regions=(LONDON, FRANKFURT))
    _paired(estate)
    estate.deny_path(f"{DR}/drPlans")
    result = scan(estate, ["ops.response_plan"], monkeypatch)
    plans = _plans(result)
    assert len(plans) == 2 and all(p["runbook"] is None for p in plans.values()), plans
    assert result.status("disasterrecovery.dr_plans/ListDrPlans") == {"denied"}


def test_plans_and_runs_are_read_page_by_page(monkeypatch) -> None:
    """One item a page (`opc-next-page`): the drill two pages into the runs is still the last exercise."""
    estate = Estate(regions=(LONDON, FRANKFURT), page_size=1)
    _, standby = _paired(
        estate,
        runs=[
            ("SWITCHOVER_PRECHECK", "2026-06-01T10:00:00Z", "SUCCEEDED"),
            ("SWITCHOVER", "2026-07-01T10:00:00Z", "FAILED"),
            ("START_DRILL", "2026-11-01T10:00:00Z", "SUCCEEDED"),
        ],
    )
    one_page = Estate(regions=(LONDON, FRANKFURT))
    _paired(one_page, runs=[("START_DRILL", "2026-11-01T10:00:00Z", "SUCCEEDED")])
    paged = _plans(scan(estate, ["ops.response_plan"], monkeypatch))
    assert list(paged) == [standby] and paged[standby]["runbook"] is True
    assert paged[standby]["tested_days"] == _plans(scan(one_page, ["ops.response_plan"], monkeypatch))[standby]["tested_days"]


def test_no_dr_group_costs_no_request(monkeypatch) -> None:
    """Search sees no DR protection group: no compartment is listed (so the bench keeps its request count). Every
    Full Stack DR path is refused here, so a single DR request would make the coverage denied."""
    estate = Estate(regions=(LONDON, FRANKFURT))
    estate.compartment("apps")
    estate.deny_path(DR)
    result = scan(estate, ["ops.response_plan"], monkeypatch)
    assert result.status("disasterrecovery.dr_plans") == {"ok"} and result.of("ops.response_plan") == []


def test_refused_dr_protection_group_lists_are_unknown_not_no_plan(monkeypatch, tmp_path) -> None:
    """Search sees the groups but the scanner lacks `inspect disaster-recovery-protection-groups` (every list answers
    404 NotAuthorizedOrNotFound): 'We don't have a formal incident plan.' stays possible, never supported."""
    estate = Estate(regions=(LONDON, FRANKFURT))
    _paired(estate)
    estate.deny_path(DR)
    result = answer(estate, "ops.incident_planning", monkeypatch, tmp_path)
    assert result.possible_levels == [1, 2, 3, 4, 5] and result.suggested_level is None, explain(result)
    assert {o.level: o.verdict for o in result.levels}[1] == "possible", explain(result)
