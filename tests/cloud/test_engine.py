"""The shared REST collector engine, run for real: specs from YAML, the executor and runner, retries, against a
real HTTP server on 127.0.0.1 (tests/cloud/toy.py) through a minimal provider transport."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from cmm_scan.cloud.executor import Context, Unit, fill
from cmm_scan.cloud.http import Backoff, retry_after
from cmm_scan.cloud.permissions import all_requests, required
from cmm_scan.cloud.runner import run_units
from cmm_scan.cloud.spec import Collector, Request, load_catalogue
from cmm_scan.errors import UserError
from cmm_scan.models import Coverage, Fact
from tests.cloud.toy import GROUPS, ToyServer, ToyTransport

SPECS = Path(__file__).parent


@pytest.fixture(scope="module")
def server() -> Iterator[ToyServer]:
    toy = ToyServer()
    yield toy
    toy.close()


@pytest.fixture
def toy(server: ToyServer) -> ToyServer:
    server.reset()
    return server


class Result:
    def __init__(self, records: list[Fact | Coverage], waits: list[float]):
        self.facts = [r for r in records if isinstance(r, Fact)]
        self.coverage = [r for r in records if isinstance(r, Coverage)]
        self.waits = waits

    def fact(self, type_: str, resource_id: str) -> Fact:
        (found,) = [f for f in self.facts if f.type == type_ and f.resource_id == resource_id]
        return found

    def status(self, collector: str) -> dict[str, str]:
        """scope -> status of a collector's (or a step's) coverage records."""
        return {c.scope: c.status for c in self.coverage if c.collector == collector}


def group(name: str) -> Unit:
    return Unit(kind="group", key=f"group:{name}", scopes=(name,), vars={"group": name})


UNITS = [group("g1"), group("g2"), group("g3"), Unit(kind="tenant_group", key="tg", scopes=("g1", "g2"), vars={"groups": ["g1", "g2"]})]


def scan(toy: ToyServer, units: list[Unit] = UNITS, only: list[str] | None = None, workers: int = 4) -> Result:
    catalogue = load_catalogue("synthetic", SPECS)
    waits: list[float] = []
    records: list[Fact | Coverage] = []
    transport = ToyTransport(toy.url, Backoff(sleep=waits.append))
    context = Context(catalogue=catalogue, transport=transport, emit=records.append)
    collectors = [c for c in catalogue.collectors.values() if only is None or c.id in only]
    run_units(context, units, collectors, workers=workers)
    return Result(records, waits)


def test_lists_every_page_follows_up_joins_and_derives(toy: ToyServer) -> None:
    result = scan(toy, only=["toy.vms"])
    g1 = [f for f in result.facts if f.scope == "g1"]
    assert sorted(f.resource_id for f in g1) == [f"/groups/g1/vms/vm-{n}" for n in range(1, 6)]
    vm1 = result.fact("compute.instance", "/groups/g1/vms/vm-1")
    assert vm1.attributes == {"size": "small", "owner": "team-a", "disk_encrypted": True, "open_ports": 1}
    assert vm1.source == "toy:vms/list, toy:vms/disk/get" and vm1.region == "global"
    assert result.fact("compute.instance", "/groups/g1/vms/vm-3").attributes["disk_encrypted"] is False
    assert result.fact("compute.instance", "/groups/g1/vms/vm-2").attributes["open_ports"] == 0
    # tags not returned at all: the owner is unknown; an empty tag map is read and says "none"
    assert result.fact("compute.instance", "/groups/g2/vms/vm-9").attributes["owner"] is None
    assert result.fact("compute.instance", "/groups/g3/vms/vm-20").attributes["owner"] == "none"
    assert result.status("toy.vms") == {"g1": "ok", "g2": "ok", "g3": "ok"}
    (g1_coverage,) = [c for c in result.coverage if c.collector == "toy.vms" and c.scope == "g1"]
    assert g1_coverage.requests == 3 + 5 + 1  # three pages of VMs, a disk each, the rules lookup
    assert toy.log.count(("GET", "/groups/g1/vms")) == 3


def test_a_denied_follow_up_leaves_only_what_requires_it_unknown(toy: ToyServer) -> None:
    toy.faults.denied.add("/vms/vm-2/disk")
    toy.faults.missing.add("/vms/vm-4/disk")
    result = scan(toy, only=["toy.vms"])
    vm2 = result.fact("compute.instance", "/groups/g1/vms/vm-2").attributes
    assert vm2["disk_encrypted"] is None and vm2["size"] == "large" and vm2["open_ports"] == 0
    # NotFound is declared a known answer ("no disk settings"): the default applies, not unknown
    assert result.fact("compute.instance", "/groups/g1/vms/vm-4").attributes["disk_encrypted"] is False
    assert result.status("toy.vms")["g1"] == "ok"
    (step,) = [c for c in result.coverage if c.collector == "toy.vms/vms/disk/get"]
    assert (step.scope, step.status, step.enriches) == ("g1", "denied", ["compute.instance"])
    assert "AuthorizationFailed" in step.reason


def test_a_denied_lookup_leaves_the_joined_attributes_unknown(toy: ToyServer) -> None:
    toy.faults.denied.add("/groups/g1/rules")
    result = scan(toy, only=["toy.vms"])
    assert {f.attributes["open_ports"] for f in result.facts if f.scope == "g1"} == {None}
    assert {f.attributes["open_ports"] for f in result.facts if f.scope == "g2"} == {0}
    assert result.status("toy.vms/join:rules") == {"g1": "denied"}


def test_a_denied_list_is_denied_coverage_for_that_scope_only(toy: ToyServer) -> None:
    toy.faults.denied.add("/groups/g2/vms")
    result = scan(toy, only=["toy.vms"])
    assert not [f for f in result.facts if f.scope == "g2"]
    assert result.status("toy.vms") == {"g1": "ok", "g2": "denied", "g3": "ok"}
    (denied,) = [c for c in result.coverage if c.collector == "toy.vms" and c.scope == "g2"]
    assert denied.reason.startswith("AuthorizationFailed") and denied.fact_types == ["compute.instance"]


def test_one_query_over_a_group_of_scopes_pages_to_the_end_and_covers_each_scope(toy: ToyServer) -> None:
    result = scan(toy, only=["toy.databases"])
    assert sorted((f.scope, f.resource_id) for f in result.facts) == [("g1", "db-1"), ("g1", "db-2"), ("g1", "db-3")] + [
        ("g2", f"db-{n}") for n in (4, 5, 6)
    ]
    assert result.fact("database.instance", "db-2").attributes == {"encrypted": False}
    assert toy.log.count(("POST", "/query")) == 3
    records = [c for c in result.coverage if c.collector == "toy.databases"]
    assert [(c.scope, c.status, c.requests) for c in records] == [("g1", "ok", 3), ("g2", "ok", 0)]


def test_a_denied_group_query_leaves_every_scope_of_the_group_unknown(toy: ToyServer) -> None:
    toy.faults.denied.add("/query")
    result = scan(toy, only=["toy.databases"])
    assert result.facts == []
    assert result.status("toy.databases") == {"g1": "denied", "g2": "denied"}


def test_not_enabled_and_other_errors_are_told_apart(toy: ToyServer) -> None:
    toy.faults.off.add("/groups/g1/feature")
    result = scan(toy, only=["toy.feature"])
    status = result.status("toy.feature")
    assert status == {"g1": "not_enabled", "g2": "error", "g3": "error"}
    assert result.facts == []


def test_throttling_is_retried_after_the_servers_wait(toy: ToyServer) -> None:
    toy.faults.throttle_once.add("/groups/g3/vms")
    result = scan(toy, only=["toy.vms"])
    assert result.waits == [2.0]
    assert result.status("toy.vms")["g3"] == "ok"
    assert result.fact("compute.instance", "/groups/g3/vms/vm-20").attributes["size"] == "small"
    assert toy.log.count(("GET", "/groups/g3/vms")) == 2


def test_a_hand_written_collector_uses_its_declared_requests(toy: ToyServer) -> None:
    result = scan(toy, only=["toy.handled"])
    assert result.fact("toy.handled", "sizes/g1").attributes == {"sizes": {"small": 3, "large": 2}}
    assert result.fact("toy.handled", "sizes/g1").source == "toy:vms/list"


def test_a_bug_in_one_unit_is_an_error_in_its_coverage_not_a_crash(toy: ToyServer) -> None:
    broken = Unit(kind="group", key="group:broken", scopes=("broken",), vars={})
    result = scan(toy, units=[broken, group("g2")], only=["toy.vms"])
    (record,) = [c for c in result.coverage if c.collector == "toy.vms" and c.scope == "broken"]
    assert record.status == "error" and "no value for group" in record.reason
    assert result.status("toy.vms")["g2"] == "ok"


def _template(path: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\\\{[A-Za-z_]+\\\}", "[^/]+", re.escape(path)) + "$")


def test_every_request_made_is_declared_and_the_permissions_cover_them(toy: ToyServer) -> None:
    scan(toy)
    catalogue = load_catalogue("synthetic", SPECS)
    declared = [(r.method, _template(r.path)) for r in all_requests(catalogue)]
    assert toy.log
    for method, path in toy.log:
        assert any(m == method and t.match(path) for m, t in declared), (method, path)
    perms = required(["compute.instance", "database.instance"], catalogue)
    assert perms == {"toy": ["toy/databases/read", "toy/query/read", "toy/rules/read", "toy/vms/disk/read", "toy/vms/read"]}


def test_templates_keep_lists_whole_and_leave_foreign_braces_alone() -> None:
    values = {"groups": ["a", "b"], "id": "/subscriptions/s1/rg/x"}
    assert fill({"scopes": "{groups}", "q": "T | where x == '{other}'"}, values) == {"scopes": ["a", "b"], "q": "T | where x == '{other}'"}
    assert fill("{id}/providers/X/settings", values) == "/subscriptions/s1/rg/x/providers/X/settings"


class _Answer:
    def __init__(self, status_code: int, headers: dict[str, str] | None = None):
        self.status_code, self.headers = status_code, headers or {}


def _sender(answers: list[Any]) -> Any:
    def send() -> _Answer:
        answer = answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        return answer

    return send


def test_backoff_honours_retry_after_within_its_bounds() -> None:
    waits: list[float] = []
    backoff = Backoff(sleep=waits.append, longest_wait=10)
    answer = backoff.run(_sender([_Answer(429, {"Retry-After": "3"}), _Answer(503, {"retry-after": "60"}), _Answer(200)]))
    assert answer.status_code == 200 and waits == [3.0, 10]


def test_backoff_gives_up_with_the_last_answer_when_the_budget_is_spent() -> None:
    waits: list[float] = []
    backoff = Backoff(sleep=waits.append, budget=5, attempts=5)
    answer = backoff.run(_sender([_Answer(429, {"Retry-After": "4"}), _Answer(429, {"Retry-After": "4"})]))
    assert answer.status_code == 429 and waits == [4.0]


def test_backoff_retries_connection_errors_then_raises() -> None:
    waits: list[float] = []
    backoff = Backoff(sleep=waits.append, attempts=3, base=1)
    with pytest.raises(ConnectionError):
        backoff.run(_sender([ConnectionResetError(), ConnectionResetError(), ConnectionResetError()]))
    assert waits == [1, 2]


def test_backoff_slows_down_when_the_quota_hook_says_the_quota_is_spent() -> None:
    waits: list[float] = []

    def quota(status: int, headers: Any) -> float | None:
        return 5.0 if headers.get("x-quota-remaining") == "0" else None

    backoff = Backoff(sleep=waits.append, quota=quota)
    assert backoff.run(_sender([_Answer(200, {"x-quota-remaining": "3"})])).status_code == 200
    assert waits == []
    assert backoff.run(_sender([_Answer(200, {"x-quota-remaining": "0"})])).status_code == 200
    assert waits == [5.0]
    assert backoff.run(_sender([_Answer(429, {"x-quota-remaining": "0"}), _Answer(200)])).status_code == 200
    assert waits == [5.0, 5.0]  # a throttled answer waits what the quota says, not the default back-off


def test_retry_after_zero_retries_at_once() -> None:
    waits: list[float] = []
    backoff = Backoff(sleep=waits.append)
    assert backoff.run(_sender([_Answer(429, {"Retry-After": "0"}), _Answer(503), _Answer(200)])).status_code == 200
    assert waits == [0.0, 1.0], "the server said now; without a word, the back-off (second attempt: 2 x 0.5 s)"


def test_retry_after_reads_seconds_and_http_dates() -> None:
    assert retry_after({"Retry-After": "7"}) == 7.0
    assert retry_after({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 0.0
    assert retry_after({}) is None


def test_spec_mistakes_are_refused(tmp_path: Path) -> None:
    request = {"operation": "x", "api": "toy", "permissions": ["toy/x/read"], "path": "/x"}
    with pytest.raises(ValidationError, match="a body needs method POST"):
        Request(**request, body={"q": 1})
    with pytest.raises(ValidationError, match="at least 1"):
        Request(**{**request, "permissions": []})
    with pytest.raises(ValidationError, match="exactly one of `source` or `handler`"):
        Collector(id="c", fact="f", scope="s", source=request, handler="m:f", resource_id="id")
    (tmp_path / "a.yaml").write_text(
        "format_version: 1\ncollectors:\n  - {id: c, fact: f, scope: s, resource_id: id, joins: [{lookup: nope, as: _x}],"
        " source: {operation: x, api: toy, permissions: [p], path: /x}}\n"
    )
    with pytest.raises(UserError, match="undefined lookup 'nope'"):
        load_catalogue("synthetic", tmp_path)


def test_a_failed_follow_up_in_a_group_unit_is_recorded_for_the_items_scope_only(toy: ToyServer) -> None:
    toy.faults.denied.add("/vms/vm-9/disk")
    both = Unit(kind="group", key="both", scopes=("g1", "g2"), vars={"group": "g2"})
    catalogue = load_catalogue("synthetic", SPECS)
    spec = catalogue.collectors["toy.vms"].model_copy(update={"fact_scope": "'g2'"})
    catalogue.collectors["toy.vms"] = spec
    records: list[Fact | Coverage] = []
    context = Context(catalogue=catalogue, transport=ToyTransport(toy.url, Backoff(sleep=lambda _: None)), emit=records.append)
    run_units(context, [both], [spec], workers=1)
    steps = [(c.scope, c.status) for c in records if isinstance(c, Coverage) and c.collector == "toy.vms/vms/disk/get"]
    assert steps == [("g2", "denied")]


def test_an_attribute_of_the_wrong_shape_in_one_item_is_unknown_for_that_item_only(toy: ToyServer) -> None:
    catalogue = load_catalogue("synthetic", SPECS)
    spec = catalogue.collectors["toy.vms"]
    attributes = {**spec.attributes, "large": "contains(size, 'large')"}
    catalogue.collectors["toy.vms"] = spec.model_copy(update={"attributes": attributes})
    GROUPS["g3"][0]["size"] = None
    try:
        records: list[Fact | Coverage] = []
        context = Context(catalogue=catalogue, transport=ToyTransport(toy.url, Backoff(sleep=lambda _: None)), emit=records.append)
        run_units(context, [group("g2"), group("g3")], [catalogue.collectors["toy.vms"]], workers=1)
    finally:
        GROUPS["g3"][0]["size"] = "small"
    large = {r.scope: r.attributes["large"] for r in records if isinstance(r, Fact)}
    assert large == {"g2": True, "g3": None}
    assert {r.scope: r.status for r in records if isinstance(r, Coverage)} == {"g2": "ok", "g3": "ok"}


def test_a_handler_records_its_failed_steps_in_its_own_coverage_after_a_lookup_ran_another_collector(toy: ToyServer) -> None:
    """toy.checked reads toy.vms's facts through a lookup (running toy.vms inside it), then records a denied step:
    the step is toy.checked's, and toy.vms's coverage stays clean."""
    result = scan(toy, only=["toy.checked"], workers=1)
    assert result.fact("toy.checked", "checked/g1").attributes == {"vms": 5}
    assert result.status("toy.checked/sizes") == {"g1": "denied", "g2": "denied", "g3": "denied"}
    assert not [c for c in result.coverage if c.collector.startswith("toy.vms/")]
    assert result.status("toy.vms") == {"g1": "ok", "g2": "ok", "g3": "ok"}
