"""Scope: the whole compartment tree once, every subscribed region, --compartments and --regions, denied compartments."""

from __future__ import annotations

import pytest

from cmm_scan.errors import UserError
from tests.oci.support import FRANKFURT, LONDON, TENANCY, scan
from tests.oci.tenancy import nested_tenancy


def test_three_deep_compartments_in_two_regions(monkeypatch: pytest.MonkeyPatch) -> None:
    result = scan(nested_tenancy(), ["compute.instance", "storage.bucket", "inventory.region"], monkeypatch)
    instances = {f.resource_id.rsplit(".", 1)[1]: f for f in result.of("compute.instance")}
    assert set(instances) == {"web0", "web1", "web2", "batch", "tools"}  # not "hidden": its compartment is denied
    assert instances["batch"].region == FRANKFURT and instances["web0"].scope == "ocid1.compartment.oc1..web"
    assert instances["web0"].attributes["autoscaled"] is True
    assert {f.region for f in result.of("storage.bucket")} == {LONDON, FRANKFURT}
    regions = {f.resource_id: f.attributes for f in result.of("inventory.region")}
    assert regions[LONDON]["in_use"] is True and regions[LONDON]["uk"] is True and regions[FRANKFURT]["uk"] is False
    # the denied compartment: coverage says so for every collector, so no answer counts its silence as "none"
    denied = {(c.collector, c.scope) for c in result.coverage if c.status == "denied"}
    assert ("core.instances", "ocid1.compartment.oc1..secret") in denied
    assert ("objectstorage.buckets", "ocid1.compartment.oc1..secret") in denied
    # paging (page size 2) went through: the tree and the Search pages were followed
    assert sum(1 for r in result.log if r["operation"] == "identity.compartments.list") >= 4


def test_compartment_and_region_selection(monkeypatch: pytest.MonkeyPatch) -> None:
    result = scan(nested_tenancy(), ["compute.instance"], monkeypatch, compartments="prod,!web", regions=[FRANKFURT])
    assert [f.resource_id for f in result.of("compute.instance")] == ["ocid1.instance.oc1..batch"]
    assert {c.region for c in result.coverage} == {FRANKFURT}


def test_bad_selection_is_one_clear_line(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(UserError, match="no such compartment"):
        scan(nested_tenancy(), ["compute.instance"], monkeypatch, compartments="nope")
    with pytest.raises(UserError, match="not subscribed"):
        scan(nested_tenancy(), ["compute.instance"], monkeypatch, regions=["us-ashburn-1"])


def test_one_region_failing_does_not_stop_the_other(monkeypatch: pytest.MonkeyPatch) -> None:
    estate = nested_tenancy(deny_secret=False)
    estate.data["faults"]["deny"] = [{"operation": "search.resources"}]  # Search refused: list everywhere instead
    result = scan(estate, ["compute.instance"], monkeypatch)
    assert "ocid1.instance.oc1..hidden" in {f.resource_id for f in result.of("compute.instance")}
    assert result.status("core.instances/search") == {"denied"}
    assert result.status("core.instances") == {"ok"}
    assert TENANCY


def test_typed_options_with_include_and_exclude_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    """The shared options model gives compartments as include/exclude lists."""
    result = scan(nested_tenancy(), ["compute.instance"], monkeypatch, compartments_include=["prod"], compartments_exclude=["web"])
    assert [f.resource_id for f in result.of("compute.instance")] == ["ocid1.instance.oc1..batch"]


def test_throttling_is_retried_until_every_collector_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    """Half the requests answered 429 TooManyRequests: the transport backs off and retries; nothing is lost."""
    estate = nested_tenancy(deny_secret=False)
    estate.data["faults"].update(throttle={"share": 0.5, "retry_after": 0}, seed=3)
    result = scan(estate, ["compute.instance", "storage.bucket"], monkeypatch)
    assert 429 in {r["status"] for r in result.log}
    assert {c.status for c in result.coverage} == {"ok"}
    assert len(result.of("compute.instance")) == 6 and len(result.of("storage.bucket")) == 2


def test_shards_split_the_compartments_and_together_read_everything_once(monkeypatch: pytest.MonkeyPatch) -> None:
    whole = scan(nested_tenancy(deny_secret=False), ["compute.instance", "inventory.resource"], monkeypatch)
    parts = [
        scan(nested_tenancy(deny_secret=False), ["compute.instance", "inventory.resource"], monkeypatch, shard=(i, 3)) for i in (1, 2, 3)
    ]
    for fact_type in ("compute.instance", "inventory.resource"):
        together = sorted(f.resource_id for p in parts for f in p.of(fact_type))
        assert together == sorted(f.resource_id for f in whole.of(fact_type)), fact_type


def test_search_inventory_keeps_to_the_selected_compartments(monkeypatch: pytest.MonkeyPatch) -> None:
    result = scan(nested_tenancy(), ["inventory.resource"], monkeypatch, compartments="shared")
    assert {f.scope for f in result.of("inventory.resource")} == {"ocid1.compartment.oc1..shared"}
