"""Functions, Container Instances, OKE clusters (virtual node pools), block volumes; ListResourceTypes guards Search."""

from __future__ import annotations

import pytest

from tests.oci.support import Estate, scan


def _estate() -> Estate:
    estate = Estate()
    app = estate.compartment("app")
    estate.add(
        "/20181201/functions",
        {
            "id": "ocid1.fnfunc.oc1..resize",
            "displayName": "resize",
            "shape": "GENERIC_ARM",
            "applicationId": "ocid1.fnapp.oc1..a",
            "timeUpdated": "2026-11-01T00:00:00Z",
        },
        compartment=app,
        search_type="FunctionsFunction",
    )
    estate.add(
        "/20210415/containerInstances",
        {"id": "ocid1.computecontainerinstance.oc1..ci", "displayName": "worker", "containerCount": 2},
        compartment=app,
        search_type="ContainerInstance",
        items_key="items",
    )
    estate.add(
        "/20180222/clusters",
        {"id": "ocid1.cluster.oc1..k", "name": "k", "kubernetesVersion": "v1.31.1", "lifecycleState": "ACTIVE"},
        compartment=app,
        search_type="ClustersCluster",
    )
    estate.add("/20180222/virtualNodePools", {"id": "ocid1.virtualnodepool.oc1..v", "clusterId": "ocid1.cluster.oc1..k"}, compartment=app)
    estate.add("/20160918/volumes", {"id": "ocid1.volume.oc1..d", "displayName": "data"}, compartment=app, search_type="Volume")
    return estate


def test_serverless_and_containers(monkeypatch: pytest.MonkeyPatch) -> None:
    result = scan(_estate(), ["compute.function", "compute.container_service", "compute.kubernetes_cluster", "storage.volume"], monkeypatch)
    fn = result.one("compute.function", "resize")
    assert fn["arm"] is True and fn["package_type"] == "Image" and fn["age_days"] >= 0
    ci = result.one("compute.container_service", "computecontainerinstance")
    assert (ci["serverless"], ci["desired"], ci["autoscaled"]) == (True, 1, False)
    cluster = result.one("compute.kubernetes_cluster", "cluster.oc1..k")
    assert cluster["version"] == "v1.31.1" and cluster["fargate_profiles"] == 1
    assert result.one("storage.volume", "volume.oc1..d") == {"encrypted": True, "volume_type": "block"}


def test_a_type_search_may_not_index_is_listed_in_every_compartment(monkeypatch: pytest.MonkeyPatch) -> None:
    estate = _estate()
    for resource in estate.data["resources"]:
        if resource["search_type"] == "ClustersCluster":
            resource["search_type"] = None  # not in ListResourceTypes: Search would be silent about it
    result = scan(estate, ["compute.kubernetes_cluster"], monkeypatch)
    assert result.one("compute.kubernetes_cluster", "cluster.oc1..k")["version"] == "v1.31.1"
