"""The shared engine's pieces for clouds that list per parent (OCI lists per compartment): for_each lists guided by a
bulk inventory, a refused parent, per-parent aggregates, lookups with the collector pipeline, shared lookups, lazy
unit variables, list join keys, parallel follow-ups, per-request host and region. A real HTTP server (tests/cloud/toy.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cmm_scan.cloud.executor import Context, Unit, UnitRun
from cmm_scan.cloud.http import Backoff
from cmm_scan.cloud.permissions import required
from cmm_scan.cloud.runner import run_units
from cmm_scan.cloud.spec import Request, load_catalogue
from cmm_scan.cloud.transforms import transform
from cmm_scan.models import Coverage, Fact
from tests.cloud.toy import ToyServer, ToyTransport

SPECS = Path(__file__).parent / "fanout"
GROUPS = [{"id": "g1"}, {"id": "g2"}, {"id": "g3"}]


@transform("toy_count")
def _count(items: Any) -> dict[str, int]:
    return {"count": len(items or [])}


@pytest.fixture(scope="module")
def server() -> Iterator[ToyServer]:
    toy = ToyServer()
    yield toy
    toy.close()


@pytest.fixture
def toy(server: ToyServer) -> ToyServer:
    server.reset()
    return server


def scan(toy: ToyServer, only: list[str], units: list[Unit] | None = None, call_workers: int = 1) -> tuple[list[Fact], list[Coverage]]:
    catalogue = load_catalogue("synthetic", SPECS)
    records: list[Fact | Coverage] = []
    context = Context(catalogue, ToyTransport(toy.url, Backoff(sleep=lambda _: None)), records.append, call_workers=call_workers)
    units = units or [Unit("all", "all", ("tenant",), vars={"groups": GROUPS})]
    run_units(context, units, [c for c in catalogue.collectors.values() if c.id in only], workers=2)
    return [r for r in records if isinstance(r, Fact)], [r for r in records if isinstance(r, Coverage)]


def statuses(coverage: list[Coverage], collector: str) -> set[str]:
    return {c.status for c in coverage if c.collector == collector}


def test_a_guided_list_runs_only_where_the_inventory_says_and_everywhere_for_a_kind_it_does_not_index(toy: ToyServer) -> None:
    facts, coverage = scan(toy, ["fan.vms", "fan.unindexed"])
    listed = {path for method, path in toy.log if path.endswith("/vms")}
    vms = {(f.scope, f.resource_id) for f in facts if f.source == "toy:vms/list" and "size" in f.attributes}
    assert {scope for scope, _ in vms} == {"g1", "g3"}  # g2 holds only a disk: never asked for VMs by fan.vms
    assert {f.scope for f in facts if "size" not in f.attributes} == {"g1", "g2", "g3"}  # "gpu" is not indexed
    assert listed == {"/groups/g1/vms", "/groups/g2/vms", "/groups/g3/vms"}
    assert toy.log.count(("GET", "/kinds")) == 1 and toy.log.count(("GET", "/inventory")) == 1  # read once, shared
    assert statuses(coverage, "fan.vms") == {"ok"}


def test_an_unreadable_inventory_lists_every_parent_and_says_so(toy: ToyServer) -> None:
    toy.faults.denied.add("/inventory")
    facts, coverage = scan(toy, ["fan.vms"])
    assert {f.scope for f in facts} == {"g1", "g2", "g3"}
    assert statuses(coverage, "fan.vms") == {"ok"} and statuses(coverage, "fan.vms/inventory") == {"denied"}


def test_a_parent_that_refuses_the_list_makes_the_collector_denied_but_keeps_the_others(toy: ToyServer) -> None:
    toy.faults.denied.add("/groups/g3/vms")
    facts, coverage = scan(toy, ["fan.vms"])
    assert {f.scope for f in facts} == {"g1"}
    (record,) = [c for c in coverage if c.collector == "fan.vms"]
    assert record.status == "denied" and "1 of 2" in record.reason and "g3" in record.reason


def test_aggregate_makes_one_item_per_parent(toy: ToyServer) -> None:
    facts, _ = scan(toy, ["fan.rule_counts"])
    assert {f.resource_id: f.attributes["rules"] for f in facts} == {"g1/rules": 3, "g2/rules": 0, "g3/rules": 0}


def test_a_lookup_with_calls_is_all_or_nothing(toy: ToyServer) -> None:
    facts, coverage = scan(toy, ["fan.sized"], call_workers=4)
    assert {f.resource_id: f.attributes["encrypted"] for f in facts}["vm-3"] is False and len(facts) == 7
    toy.reset()
    toy.faults.denied.add("/vms/vm-2/disk")
    facts, coverage = scan(toy, ["fan.sized"])
    assert facts == [] and statuses(coverage, "fan.sized") == {"denied"}  # half-read would look like "none"


def test_a_unit_variable_that_costs_a_request_is_read_only_when_a_template_names_it(toy: ToyServer) -> None:
    calls: list[int] = []

    def first() -> str:
        calls.append(1)
        return "g2"

    unit = Unit("all", "all", ("tenant",), vars={"groups": GROUPS, "first": first})
    facts, _ = scan(toy, ["fan.rule_counts"], units=[unit])
    assert facts and calls == []
    facts, _ = scan(toy, ["fan.lazy"], units=[unit])
    assert [f.resource_id for f in facts] == ["vm-9"] and calls == [1]


def test_requests_carry_the_units_region_and_a_resources_own_host() -> None:
    catalogue = load_catalogue("synthetic", SPECS)
    context = Context(catalogue, ToyTransport("http://127.0.0.1:9", Backoff()), lambda _: None)
    request = Request(
        operation="keys/list", api="toy", permissions=["toy/keys/read"], path="/keys", host="{endpoint}", args={"endpoint": "ep"}
    )
    regional = UnitRun(context, Unit("r", "r", ("t",), region="uk-london-1")).prepare(request, {"ep": "https://vault.example"})
    assert (regional.host, regional.region) == ("https://vault.example", "uk-london-1")
    home = UnitRun(context, Unit("h", "h", ("t",), vars={"region": "uk-cardiff-1"})).prepare(request, {})
    assert (home.host, home.region) == (None, "uk-cardiff-1")


def test_a_guides_requests_are_not_required_permissions() -> None:
    """Without the inventory a guided list runs everywhere: its permission is a hint, not a need."""
    catalogue = load_catalogue("synthetic", SPECS)
    needed = required(["compute.instance"], catalogue)
    assert needed == {"toy": ["toy/vms/read"]}


def test_lookup_and_guide_mistakes_are_refused(tmp_path: Path) -> None:
    from pydantic import ValidationError

    from cmm_scan.cloud.spec import Lookup
    from cmm_scan.errors import UserError

    source = {"operation": "x", "api": "toy", "permissions": ["p"], "path": "/x"}
    with pytest.raises(ValidationError, match="exactly one of"):
        Lookup(source=source, var="groups")
    with pytest.raises(ValidationError, match="exactly one of"):
        Lookup()
    with pytest.raises(ValidationError, match="needs `for_each` and `source`"):
        Lookup(source=source, guide={"by": "g", "kind": "vm"})
    (tmp_path / "a.yaml").write_text(
        "format_version: 1\nlookups:\n  parents: {var: parents, key: id}\n"
        "  guided: {for_each: parents, guide: {by: nope, kind: vm}, source: {operation: x, api: toy, permissions: [p], path: /x}}\n"
    )
    with pytest.raises(UserError, match="undefined guide 'nope'"):
        load_catalogue("synthetic", tmp_path)
