"""Azure compute collectors (Resource Graph, ARM for scale-set instances) with the real azure-core client."""

from __future__ import annotations

from typing import Any

from tests.azure.support import DEV, PROD, SHARED, resource, rid, scan, tenant_estate

VM = "Microsoft.Compute/virtualMachines"
VMSS = "Microsoft.Compute/virtualMachineScaleSets"


def vm(sub: str, name: str, size: str = "Standard_D4s_v5", power: str = "running", **props: Any) -> dict[str, Any]:
    properties = {
        "hardwareProfile": {"vmSize": size},
        "timeCreated": "2024-01-01T00:00:00Z",
        "extended": {"instanceView": {"powerState": {"code": f"PowerState/{power}"}}},
        **props,
    }
    return resource(sub, VM, name, properties=properties, tags={"owner": "web"})


def autoscale(sub: str, name: str, target: str, rules: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    profile = {"name": "default", "capacity": {"minimum": "2", "maximum": "10", "default": "2"}, "rules": rules}
    return resource(
        sub,
        "Microsoft.Insights/autoscalesettings",
        name,
        properties={"enabled": True, "targetResourceUri": target, "profiles": [profile], **extra},
    )


def cpu_rule(target: str) -> dict[str, Any]:
    return {
        "metricTrigger": {"metricName": "Percentage CPU", "metricResourceUri": target, "operator": "GreaterThan", "threshold": 70},
        "scaleAction": {"direction": "Increase", "value": "1"},
    }


def scale_set(sub: str, name: str, capacity: int) -> list[dict[str, Any]]:
    base = resource(sub, VMSS, name, sku={"name": "Standard_D2ps_v5", "capacity": capacity}, properties={"orchestrationMode": "Uniform"})
    instances = [
        {
            "id": f"{base['id']}/virtualMachines/{n}",
            "type": f"{VMSS}/virtualMachines",
            "location": "uksouth",
            "sku": {"name": "Standard_D2ps_v5"},
            "properties": {"instanceView": {"statuses": [{"code": "ProvisioningState/succeeded"}, {"code": "PowerState/running"}]}},
        }
        for n in range(capacity)
    ]
    return [base, *instances]


def test_vms_scale_sets_and_their_autoscale_settings(azure) -> None:
    web = rid(PROD, "rg", VMSS, "web")
    queue = rid(DEV, "rg", VMSS, "workers")
    azure.load(
        tenant_estate(
            [
                vm(PROD, "db1"),
                vm(DEV, "old", size="Standard_B2ms", power="deallocated"),
                *scale_set(PROD, "web", 3),
                *scale_set(DEV, "workers", 2),
                autoscale(PROD, "web-cpu", web, [cpu_rule(web)]),
                autoscale(
                    DEV,
                    "workers-queue",
                    queue,
                    [
                        {
                            "metricTrigger": {
                                "metricName": "ActiveMessageCount",
                                "metricResourceUri": rid(SHARED, "rg", "Microsoft.ServiceBus/namespaces", "bus"),
                            }
                        }
                    ],
                ),
            ]
        )
    )
    result = scan(["compute.instance", "compute.autoscaling_group"])
    db1 = result.one("compute.instance", "virtualMachines/db1")
    assert db1 == {
        "instance_type": "Standard_D4s_v5",
        "family": "Dsv5",
        "arm": False,
        "state": "running",
        "age_days": db1["age_days"],
        "autoscaling_group": "none",
        "autoscaled": False,
        "spot": False,
        "kubernetes_node": False,
        "tags": {"owner": "web"},
    }
    assert db1["age_days"] > 300
    assert result.one("compute.instance", "virtualMachines/old")["state"] == "deallocated"
    instances = [f for f in result.of("compute.instance") if "/virtualMachineScaleSets/web/virtualMachines/" in f.resource_id]
    assert len(instances) == 3
    assert {(f.scope, f.attributes["state"], f.attributes["autoscaled"], f.attributes["arm"]) for f in instances} == {
        (PROD, "running", True, True)
    }
    web_group = result.one("compute.autoscaling_group", "/web")
    assert web_group["dynamic"] is True and web_group["metric_kinds"] == ["cpu"] and web_group["advanced_metrics"] is False
    assert (web_group["min_size"], web_group["max_size"], web_group["instance_count"]) == (2, 10, 3)
    workers = result.one("compute.autoscaling_group", "/workers")
    assert workers["metric_kinds"] == ["queue"] and workers["advanced_metrics"] is True
    assert set(result.status("azure.virtual_machines")) == {PROD, DEV, SHARED}
    assert set(result.status("azure.virtual_machines").values()) == {"ok"}


def test_a_denied_scale_set_instance_listing_leaves_those_instances_out_and_says_so(azure) -> None:
    estate = tenant_estate([*scale_set(PROD, "web", 2), vm(PROD, "db1")])
    estate["faults"] = {"deny": [{"operation": "Microsoft.Compute/virtualMachineScaleSets/virtualMachines/read"}]}
    azure.load(estate)
    result = scan(["compute.instance"])
    # only the subscription that has a scale set misses its instances (the others have none to list)
    assert result.status("azure.scale_set_instances") == {PROD: "denied", DEV: "ok", SHARED: "ok"}
    assert result.status("azure.virtual_machines")[PROD] == "ok"
    assert [f.resource_id.rsplit("/", 1)[-1] for f in result.of("compute.instance")] == ["db1"]


def test_aks_container_apps_and_functions(azure) -> None:
    azure.load(
        tenant_estate(
            [
                resource(
                    PROD,
                    "Microsoft.ContainerService/managedClusters",
                    "aks1",
                    properties={
                        "kubernetesVersion": "1.30.3",
                        "agentPoolProfiles": [
                            {"name": "system", "enableAutoScaling": True, "minCount": 1, "maxCount": 3},
                            {"name": "user", "enableAutoScaling": False, "count": 3},
                        ],
                    },
                ),
                resource(
                    DEV,
                    "Microsoft.App/containerApps",
                    "api",
                    properties={
                        "managedEnvironmentId": "/x/managedEnvironments/env1",
                        "template": {"scale": {"minReplicas": 1, "maxReplicas": 5}},
                    },
                ),
                resource(
                    DEV, "Microsoft.Web/sites", "fn", kind="functionapp,linux", properties={"siteConfig": {"linuxFxVersion": "Python|3.11"}}
                ),
                resource(DEV, "Microsoft.Web/sites", "site", kind="app", properties={}),
            ]
        )
    )
    result = scan(["compute.kubernetes_cluster", "compute.container_service", "compute.function"])
    assert result.one("compute.kubernetes_cluster", "aks1") == {
        "version": "1.30.3",
        "nodegroup_autoscaling": False,
        "fargate_profiles": 0,
        "tags": {},
    }
    api = result.one("compute.container_service", "api")
    assert (api["cluster"], api["serverless"], api["desired"], api["autoscaled"], api["deployment_strategy"]) == (
        "env1",
        True,
        1,
        True,
        "rolling",
    )
    assert [f.resource_id.rsplit("/", 1)[-1] for f in result.of("compute.function")] == ["fn"]
    assert result.one("compute.function", "fn")["runtime"] == "Python|3.11"


def test_app_service_plans_with_autoscale_are_autoscaling_groups(azure) -> None:
    plan = rid(PROD, "rg", "Microsoft.Web/serverfarms", "plan")
    azure.load(
        tenant_estate(
            [
                resource(PROD, "Microsoft.Web/serverfarms", "plan", sku={"name": "P1v3", "capacity": 2}, properties={}),
                resource(PROD, "Microsoft.Web/serverfarms", "fixed", sku={"name": "B1", "capacity": 1}, properties={}),
                autoscale(PROD, "plan-cpu", plan, [{"metricTrigger": {"metricName": "CpuPercentage", "metricResourceUri": plan}}]),
            ]
        )
    )
    result = scan(["compute.autoscaling_group"])
    scaled = result.one("compute.autoscaling_group", "serverfarms/plan")
    assert (scaled["dynamic"], scaled["metric_kinds"], scaled["min_size"], scaled["max_size"], scaled["instance_count"]) == (
        True,
        ["cpu"],
        2,
        10,
        2,
    )
    fixed = result.one("compute.autoscaling_group", "serverfarms/fixed")
    assert (fixed["dynamic"], fixed["policy_types"], fixed["min_size"]) == (False, [], 1)


def test_scale_set_instances_carry_their_age(azure) -> None:
    """A scale-set instance's timeCreated gives its age (instances rebuilt by a rolling upgrade are young); an
    instance without it has its age unknown, never 0."""
    young, unknown = scale_set(PROD, "web", 2)[1:]
    young["properties"]["timeCreated"] = "2026-11-24T06:00:00Z"
    azure.load(tenant_estate([scale_set(PROD, "web", 2)[0], young, unknown]))
    ages = {f.resource_id.rsplit("/", 1)[-1]: f.attributes["age_days"] for f in scan(["compute.instance"]).of("compute.instance")}
    assert ages["1"] is None and isinstance(ages["0"], int) and ages["0"] >= 0
