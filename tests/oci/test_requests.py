"""Fewer requests, the same facts (issue #14): Search-guided reads of Recovery Service protection policies and
Console dashboard groups, and the old unguided readers' answer compared with the guided one on whole estates."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest
import yaml

from cmm_scan.oci.permissions import catalogue
from tests.oci.support import FRANKFURT, LONDON, Estate, Result, cid, scan

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
