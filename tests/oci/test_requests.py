"""Fewer requests, the same facts (issue #14): Search-guided reads of Recovery Service protection policies and
Console dashboard groups, Management Dashboards in one subtree list a region, and the old unguided readers' answer
compared with the guided one on whole estates."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest
import yaml

from cmm_scan.oci.permissions import catalogue
from tests.oci.support import FRANKFURT, LONDON, TENANCY, Estate, Result, cid, scan

ROOT = Path(__file__).resolve().parents[2]
EVERY_FACT = sorted({c.fact for c in catalogue().collectors.values()})
UNGUIDED = {"operation": "search.resourceTypes.list"}  # no type is known indexed: every compartment is listed


def _asked(result: Result, path: str) -> list[tuple[str, str]]:
    """(region, compartment) of each request to `path`."""
    return sorted((r["path"].split("/")[1], r["query"].get("compartmentId", "")) for r in result.log if r["path"].endswith(path))


def _policies() -> Estate:
    estate = Estate(regions=(LONDON, FRANKFURT))
    data = estate.compartment("data")
    estate.compartment("web")
    estate.compartment("empty", parent="web")
    estate.add(
        "/20210216/protectionPolicies",
        {"id": "ocid1.recoveryservicepolicy.oc1..records", "isPredefinedPolicy": False, "policyLockedDateTime": "2026-01-01T00:00:00Z"},
        compartment=data,
        search_type="ProtectionPolicy",
    )
    return estate


def test_protection_policies_are_listed_only_where_search_sees_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """ListProtectionPolicies takes one compartment: it is asked of the one compartment of the one region where Search
    (type ProtectionPolicy) sees a policy, not of the four compartments in two regions; the locked policy is read."""
    result = scan(_policies(), ["storage.backup_vault"], monkeypatch)
    assert _asked(result, "/20210216/protectionPolicies") == [(LONDON, cid("data"))]
    assert result.one("storage.backup_vault", "records") == {"locked": True, "lock_mode": "compliance"}
    assert result.status("recovery.protection_policies") == {"ok"}


def test_protection_policies_are_listed_everywhere_when_search_cannot_say(monkeypatch: pytest.MonkeyPatch) -> None:
    """A tenancy whose Search does not list the type (ListResourceTypes refused here) is listed in every compartment
    of every region, as before: a wrong guess about the type costs requests, never facts."""
    estate = _policies()
    estate.data["faults"]["deny"].append(UNGUIDED)
    result = scan(estate, ["storage.backup_vault"], monkeypatch)
    assert len(_asked(result, "/20210216/protectionPolicies")) == 8  # root, data, web, empty; two regions
    assert result.one("storage.backup_vault", "records")["locked"] is True


def test_a_refused_protection_policy_list_is_unknown_not_none(monkeypatch: pytest.MonkeyPatch) -> None:
    """Search sees the policy but the list is refused (404): the region's coverage is denied and no backup vault is
    read as "none"."""
    estate = _policies()
    estate.deny_path("/20210216/protectionPolicies")
    result = scan(estate, ["storage.backup_vault"], monkeypatch)
    assert result.of("storage.backup_vault") == []
    assert result.status("recovery.protection_policies", LONDON) == {"denied"}


def _dashboards() -> Estate:
    estate = Estate()
    web = estate.compartment("web")
    estate.compartment("data")
    group, dashboard = "ocid1.consoledashboardgroup.oc1..web", "ocid1.consoledashboard.oc1..shop"
    estate.add("/20210731/dashboardGroups", {"id": group, "displayName": "web"}, compartment=web, search_type="ConsoleDashboardGroup")
    estate.add("/20210731/dashboards", {"id": dashboard, "displayName": "shop", "dashboardGroupId": group}, compartment=web)
    widgets = [{"displayName": "Checkout", "type": "metrics", "namespace": "shop_orders", "query": "Latency[5m].mean()"}]
    estate.single(f"/20210731/dashboards/{dashboard}", {"id": dashboard, "schemaVersion": "V1", "widgets": widgets})
    return estate


def test_dashboard_groups_are_listed_only_where_search_sees_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """ListDashboardGroups is asked of the compartment where Search (type ConsoleDashboardGroup) sees a group, not of
    the root or the empty compartment; the group's dashboard is read for its widgets."""
    result = scan(_dashboards(), ["monitoring.dashboard"], monkeypatch)
    assert _asked(result, "/20210731/dashboardGroups") == [(LONDON, cid("web"))]
    assert result.one("monitoring.dashboard", "consoledashboard.oc1..shop") == {"widgets": 1, "application_metrics": True}


def test_refused_dashboard_groups_where_search_sees_one_are_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    """The group list refused: which dashboards exist is unknown (the collector's coverage is not ok), never none."""
    estate = _dashboards()
    estate.deny_path("/20210731/dashboardGroups")
    result = scan(estate, ["monitoring.dashboard"], monkeypatch)
    assert [f for f in result.of("monitoring.dashboard") if "consoledashboard" in f.resource_id] == []
    assert result.status("dashboard.dashboards") - {"ok"}


def _management_dashboards() -> Estate:
    """Team dashboards in the root, a compartment and its sub-compartment, in both regions; one of Oracle's own."""
    estate = Estate(regions=(LONDON, FRANKFURT))
    estate.compartment("ops")
    estate.compartment("shop", parent="ops")
    estate.compartment("lab")
    tile = {"displayName": "orders", "dataConfig": [{"namespace": "shop_orders", "query": "Orders[1m].sum()"}]}
    for region in (LONDON, FRANKFURT):
        for place in ("root", "ops", "shop"):
            dashboard = f"ocid1.managementdashboard.oc1..{place}-{region}"
            home = None if place == "root" else cid(place)
            estate.add(
                "/20200901/managementDashboards",
                {"id": dashboard, "dashboardId": dashboard, "isOobDashboard": False},
                compartment=home,
                region=region,
            )
            estate.single(f"/20200901/managementDashboards/{dashboard}", {"id": dashboard, "tiles": [tile]}, region=region)
    estate.add("/20200901/managementDashboards", {"id": "ocid1.managementdashboard.oc1..oob", "isOobDashboard": True})
    return estate


def _dashboards_read(result: Result) -> list[tuple[str, str, str]]:
    return sorted((f.scope, f.region, f.resource_id) for f in result.of("monitoring.dashboard"))


def test_management_dashboards_are_one_subtree_list_a_region(monkeypatch: pytest.MonkeyPatch) -> None:
    """The root is scanned: ListManagementDashboards is asked once a region, from the root with
    compartmentIdInSubtree, and reads the team's dashboards of every compartment (Oracle's own left out)."""
    result = scan(_management_dashboards(), ["monitoring.dashboard"], monkeypatch)
    lists = [r for r in result.log if r["path"].endswith("/20200901/managementDashboards")]
    assert sorted((r["path"].split("/")[1], r["query"]["compartmentIdInSubtree"]) for r in lists) == [(FRANKFURT, "true"), (LONDON, "true")]
    assert len(_dashboards_read(result)) == 6 and not [f for f in result.of("monitoring.dashboard") if "oob" in f.resource_id]
    assert {f.attributes["application_metrics"] for f in result.of("monitoring.dashboard")} == {True}


def test_management_dashboards_without_the_root_are_listed_per_compartment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Compartments named (the root not scanned: the subtree flag is valid only there): each scanned compartment is
    listed on its own, and reads what the subtree list reads there — the old per-compartment reader's answer."""
    named = scan(_management_dashboards(), ["monitoring.dashboard"], monkeypatch, compartments="ops,lab")
    asked = _asked(named, "/20200901/managementDashboards")
    assert sorted({c for _, c in asked}) == sorted([cid("ops"), cid("shop"), cid("lab")]) and len(asked) == 6
    whole = scan(_management_dashboards(), ["monitoring.dashboard"], monkeypatch)
    assert _dashboards_read(named) == [d for d in _dashboards_read(whole) if d[0] != TENANCY]


def test_a_denied_compartment_left_out_of_the_subtree_list_is_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    """The subtree list returns only "the accessible resources": a compartment the scanner may not read is silent in
    it, and its coverage says denied (it is listed by accessLevel=ANY only), never "no dashboards"."""
    estate = _management_dashboards()
    estate.deny("shop")
    result = scan(estate, ["monitoring.dashboard"], monkeypatch)
    assert not [d for d in _dashboards_read(result) if d[0] == cid("shop")]
    denied = {(c.scope, c.region) for c in result.coverage if c.collector == "managementdashboard.dashboards" and c.status == "denied"}
    assert denied == {(cid("shop"), LONDON), (cid("shop"), FRANKFURT)}


def test_a_refused_subtree_list_leaves_management_dashboards_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    estate = _management_dashboards()
    estate.deny_path("/20200901/managementDashboards")
    result = scan(estate, ["monitoring.dashboard"], monkeypatch)
    assert result.of("monitoring.dashboard") == []
    assert result.status("managementdashboard.dashboards") == {"denied"}


# --- the old readers' answer and the new one, on whole estates ------------------------------------------------------


def _facts(result: Result) -> list[tuple[Any, ...]]:
    return sorted((f.type, f.scope, f.region, f.resource_id, yaml.safe_dump(f.attributes, sort_keys=True)) for f in result.facts)


def _coverage(result: Result) -> list[tuple[str, str, str, str]]:
    """Each collector's own coverage (a guide's sub-step is how it listed, not what it read)."""
    return sorted({(c.collector, c.scope, c.region, c.status) for c in result.coverage if not c.collector.endswith("/search")})


def _estate_from(data: dict[str, Any], page_size: int = 100) -> Estate:
    estate = Estate(page_size=page_size)
    estate.data = {**data, "faults": {"deny": list((data.get("faults") or {}).get("deny", []))}}
    return estate


def _bench_estate() -> dict[str, Any]:
    spec = importlib.util.spec_from_file_location("oci_bench", ROOT / "bench" / "oci_bench.py")
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return bench.estate(600, 30)


@pytest.mark.parametrize("name", ["demo", "bench"])
def test_guided_reads_give_the_same_facts_and_coverage_as_listing_every_compartment(name: str, monkeypatch) -> None:
    """The OCI demo estate and the bench tenancy (30 compartments, two regions), scanned for every OCI fact: the
    Search-guided reads and the old per-compartment lists (every type unindexed) give the same facts and coverage,
    apart from order, in fewer requests."""
    data = yaml.safe_load((ROOT / "fixtures" / "emulator" / "oci-demo.yaml").read_text()) if name == "demo" else _bench_estate()
    guided = scan(_estate_from(data, 1000), EVERY_FACT, monkeypatch)
    unguided_estate = _estate_from(data, 1000)
    unguided_estate.data["faults"]["deny"].append(UNGUIDED)
    unguided = scan(unguided_estate, EVERY_FACT, monkeypatch)
    assert _facts(guided) == _facts(unguided)
    assert _coverage(guided) == _coverage(unguided)
    assert guided.requests < unguided.requests
