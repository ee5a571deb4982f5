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


def test_without_the_searchable_types_every_compartment_is_listed(monkeypatch: pytest.MonkeyPatch) -> None:
    """ListResourceTypes refused: Search cannot vouch for any type's absence, so each list runs in every compartment."""
    estate = _estate()
    estate.data["faults"]["deny"].append({"operation": "search.resourceTypes.list"})
    result = scan(estate, ["compute.kubernetes_cluster"], monkeypatch)
    assert result.one("compute.kubernetes_cluster", "cluster.oc1..k")["version"] == "v1.31.1"
    assert result.status("containerengine.clusters/search") == {"denied"}


def test_container_repositories(monkeypatch: pytest.MonkeyPatch) -> None:
    estate = Estate()
    app = estate.compartment("app")
    estate.add(
        "/20160918/container/repositories",
        {"id": "ocid1.containerrepo.oc1..api", "displayName": "api", "isImmutable": True},
        compartment=app,
    )
    estate.add(
        "/20160918/container/repositories",
        {"id": "ocid1.containerrepo.oc1..web", "displayName": "web", "isImmutable": False},
        compartment=app,
    )
    estate.add(
        "/20210215/containerScanTargets",
        {
            "id": "ocid1.vsscontainerscantarget.oc1..t",
            "lifecycleState": "ACTIVE",
            "targetRegistry": {"type": "OCIR", "compartmentId": app, "repositories": ["api"]},
        },
        compartment=app,
    )
    result = scan(estate, ["artifact.repository"], monkeypatch)
    # no policy lets workloads pull tenancy-wide: not shared
    api = {"tag_immutable": True, "scan_on_push": True, "shared_pull": False}
    assert result.one("artifact.repository", "containerrepo.oc1..api") == api
    assert result.one("artifact.repository", "containerrepo.oc1..web") == {
        "tag_immutable": False,
        "scan_on_push": False,
        "shared_pull": False,
    }
