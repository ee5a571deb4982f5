"""Compute collectors: instances (shapes, Ampere, pools), instance pools with autoscaling configurations."""

from __future__ import annotations

import pytest

from tests.oci.support import TENANCY, Estate, scan


def _pool_estate() -> Estate:
    estate = Estate()
    app = estate.compartment("app")
    for n in range(4):
        estate.add(
            "/20160918/instances",
            {
                "id": f"ocid1.instance.oc1..web{n}",
                "displayName": f"web-{n}",
                "shape": "VM.Standard.A1.Flex",
                "lifecycleState": "RUNNING",
                "region": "uk-london-1",
            },
            compartment=app,
            search_type="Instance",
        )
    estate.add(
        "/20160918/instances",
        {
            "id": "ocid1.instance.oc1..batch",
            "displayName": "batch",
            "shape": "VM.Standard.E4.Flex",
            "lifecycleState": "STOPPED",
            "preemptibleInstanceConfig": {"preemptionAction": {"type": "TERMINATE"}},
        },
        compartment=app,
        search_type="Instance",
    )
    estate.add(
        "/20160918/instancePools",
        {"id": "ocid1.instancepool.oc1..web", "displayName": "web", "size": 2, "lifecycleState": "RUNNING"},
        compartment=app,
        search_type="InstancePool",
    )
    estate.single(
        "/20160918/instancePools/ocid1.instancepool.oc1..web/instances",
        [{"id": "ocid1.instance.oc1..web0", "displayName": "web-0"}, {"id": "ocid1.instance.oc1..web1", "displayName": "web-1"}],
    )
    estate.add(
        "/20181001/autoScalingConfigurations",
        {
            "id": "ocid1.autoscalingconfiguration.oc1..web",
            "displayName": "web-scaling",
            "isEnabled": True,
            "resource": {"type": "instancePool", "id": "ocid1.instancepool.oc1..web"},
            "policies": [
                {
                    "policyType": "threshold",
                    "isEnabled": True,
                    "capacity": {"min": 2, "max": 8, "initial": 2},
                    "rules": [
                        {
                            "action": {"type": "CHANGE_COUNT_BY", "value": 1},
                            "metric": {
                                "metricSource": "COMPUTE_AGENT",
                                "metricType": "CPU_UTILIZATION",
                                "threshold": {"operator": "GT", "value": 70},
                            },
                        }
                    ],
                }
            ],
        },
        compartment=app,
    )
    return estate


def test_instances_shapes_state_and_pool_membership(monkeypatch: pytest.MonkeyPatch) -> None:
    result = scan(_pool_estate(), ["compute.instance"], monkeypatch)
    web0 = result.one("compute.instance", "web0")
    assert web0["instance_type"] == "VM.Standard.A1.Flex"
    assert web0["arm"] is True and web0["family"] == "standard.a1"
    assert web0["state"] == "running"
    assert web0["autoscaling_group"] == "web" and web0["autoscaled"] is True
    web3 = result.one("compute.instance", "web3")
    assert web3["autoscaling_group"] == "none" and web3["autoscaled"] is False
    batch = result.one("compute.instance", "batch")
    assert batch["arm"] is False and batch["spot"] is True and batch["state"] == "stopped"
    assert result.status("core.instances") == {"ok"}
    assert {f.scope for f in result.of("compute.instance")} == {"ocid1.compartment.oc1..app"}


def test_pool_scaling_from_the_autoscaling_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    result = scan(_pool_estate(), ["compute.autoscaling_group"], monkeypatch)
    pool = result.one("compute.autoscaling_group", "instancepool.oc1..web")
    assert pool["name"] == "web"
    assert (pool["min_size"], pool["max_size"], pool["desired"], pool["instance_count"]) == (2, 8, 2, 2)
    assert pool["dynamic"] is True and pool["metric_kinds"] == ["cpu"] and pool["advanced_metrics"] is False
    assert pool["scheduled_only"] is False


def test_a_refused_autoscaling_read_leaves_pool_scaling_unknown_not_false(monkeypatch: pytest.MonkeyPatch) -> None:
    estate = _pool_estate()
    estate.deny_path("/20181001/autoScalingConfigurations")
    result = scan(estate, ["compute.instance", "compute.autoscaling_group"], monkeypatch)
    web0 = result.one("compute.instance", "web0")
    assert web0["autoscaled"] is None and web0["autoscaling_group"] is None
    assert result.status("core.instance_pools") == {"denied"}


def test_a_denied_compartment_is_unknown_and_search_silence_is_not_none(monkeypatch: pytest.MonkeyPatch) -> None:
    estate = _pool_estate()
    estate.compartment("secret")
    estate.add(
        "/20160918/instances",
        {"displayName": "hidden", "shape": "VM.Standard2.1", "lifecycleState": "RUNNING"},
        compartment="ocid1.compartment.oc1..secret",
        search_type="Instance",
    )
    estate.deny("secret")
    result = scan(estate, ["compute.instance"], monkeypatch)
    assert "hidden" not in {f.attributes.get("instance_type") for f in result.of("compute.instance")}
    denied = [c for c in result.coverage if c.collector == "core.instances" and c.status == "denied"]
    assert [c.scope for c in denied] == ["ocid1.compartment.oc1..secret"]
    assert TENANCY in {c.scope for c in result.coverage if c.status == "ok"}
