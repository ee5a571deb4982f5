"""The shared engine's bulk reads (docs/cloud-collectors.md): collectors that `draw` from one inventory lookup
(one request for all of them, asking only for the keys they draw), `each`, `keep`, a unit's `scope_of` (owners
named another way, owners outside the scan dropped) and `apply()` in expressions — against the toy server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cmm_scan.cloud import transforms
from cmm_scan.cloud.executor import Context, Unit
from cmm_scan.cloud.http import Backoff
from cmm_scan.cloud.permissions import drawn_keys, required
from cmm_scan.cloud.runner import run_units
from cmm_scan.cloud.spec import load_catalogue
from cmm_scan.models import Coverage, Fact
from tests.cloud.test_engine import Result
from tests.cloud.toy import ToyServer, ToyTransport

transforms.transform("toy_upper")(lambda value: value.upper() if isinstance(value, str) else None)
CATALOGUE = load_catalogue("synthetic", Path(__file__).parent / "bulk")
OWNERS = {"n1": "g1", "n2": "g2"}


@pytest.fixture(scope="module")
def server() -> Iterator[ToyServer]:
    served = ToyServer()
    yield served
    served.close()


@pytest.fixture
def toy(server: ToyServer) -> ToyServer:
    server.reset()
    return server


def part(name: str) -> Unit:
    return Unit("bulk", f"bulk:{name}", (OWNERS[name],), vars={"where": name}, scope_of={name: OWNERS[name]})


WHOLE = Unit("bulk", "bulk:all", ("g1", "g2"), vars={"where": "all"}, scope_of=OWNERS, parts=(part("n1"), part("n2")))


def scan(toy: ToyServer, only: list[str]) -> Result:
    records: list[Fact | Coverage] = []
    context = Context(catalogue=CATALOGUE, transport=ToyTransport(toy.url, Backoff(sleep=lambda _: None)), emit=records.append)
    run_units(context, [WHOLE], [CATALOGUE.collectors[c] for c in only], workers=2)
    return Result(records, [])


def test_collectors_draw_from_one_read_that_asks_only_for_what_they_draw(toy: ToyServer) -> None:
    result = scan(toy, ["bulk.vms", "bulk.vm_parts"])
    assert toy.log == [("GET", "/assets/all")], "one bulk read feeds both collectors"
    assert sorted(toy.queries[0]["kind"]) == ["disk", "vm"], "the kinds drawn, directly or through a lookup; no buckets"
    vms = {f.resource_id: (f.scope, f.attributes) for f in result.facts if f.type == "compute.instance"}
    # n9 is outside the scan (not in scope_of); skip-me is dropped by `keep`; disks joined through apply()
    assert vms == {"a": ("g1", {"encrypted": True, "parts": 2}), "b": ("g2", {"encrypted": False, "parts": 1})}
    parts = {(f.scope, f.resource_id, f.attributes["p"]) for f in result.facts if f.type == "toy.part"}
    assert parts == {("g1", "a/1", 1), ("g1", "a/2", 2), ("g2", "b/3", 3)}, "`each`: one fact per sub-item, scoped by its parent"
    assert {(c.collector, c.scope, c.status) for c in result.coverage} == {
        (c, g, "ok") for c in ("bulk.vms", "bulk.vm_parts") for g in ("g1", "g2")
    }
    assert sum(c.requests for c in result.coverage) == 1


def test_one_collector_draws_only_its_own_keys(toy: ToyServer) -> None:
    scan(toy, ["bulk.vm_parts"])
    assert toy.queries[0]["kind"] == ["vm"]
    assert drawn_keys(CATALOGUE, [CATALOGUE.collectors["bulk.vms"]]) == {"assets": ["disk", "vm"]}


def test_a_refused_bulk_read_is_asked_again_owner_by_owner(toy: ToyServer) -> None:
    toy.faults.denied = {"/assets/all", "/assets/n2"}
    result = scan(toy, ["bulk.vms"])
    assert {f.resource_id for f in result.facts} == {"a"}
    assert {c.scope: c.status for c in result.coverage if c.collector == "bulk.vms"} == {"g1": "ok", "g2": "denied"}


def test_permissions_of_a_draw_are_its_lookups_requests() -> None:
    assert required(["toy.part"], CATALOGUE) == {"toy": ["toy/assets/read"]}
