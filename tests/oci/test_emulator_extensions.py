"""What the OCI adapter needs from the emulator beyond listing, checked with the real oci SDK clients: accessLevel
ANY lists a denied compartment (ACCESSIBLE does not), exact-path objects and errors, *Collection-shaped lists,
buckets got by name, ListResourceTypes, and a 429 the SDK retries."""

from __future__ import annotations

import oci
import pytest

from tests.oci.server import serve
from tests.oci.support import TENANCY, Estate


@pytest.fixture
def no_sdk_retry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(oci.retry, "DEFAULT_RETRY_STRATEGY", oci.retry.NoneRetryStrategy())


def _estate() -> Estate:
    estate = Estate()
    app = estate.compartment("app")
    estate.compartment("secret")
    estate.deny("secret")
    estate.add("/n/golden/b", {"id": "ocid1.bucket.oc1..logs", "name": "logs", "namespace": "golden"}, compartment=app)
    estate.single("/n/golden/b/logs", {"name": "logs", "versioning": "Enabled", "publicAccessType": "NoPublicAccess"})
    estate.single("/n/golden/b/logs/l", error=(404, "LifecyclePolicyNotFound"))
    estate.single("/n/", "golden", region=None)
    estate.add("/20210415/containerInstances", {"id": "ocid1.computecontainerinstance.oc1..c", "containerCount": 1}, compartment=app)
    return estate


def _config(running) -> dict:  # type: ignore[no-untyped-def]
    return oci.config.from_file(running.env["OCI_CONFIG_FILE"])


def test_access_level_any_lists_the_denied_compartment(no_sdk_retry: None) -> None:
    with serve(_estate().build(), page_size=1) as running:
        identity = oci.identity.IdentityClient(_config(running), service_endpoint=running.url + "/uk-london-1")
        every = oci.pagination.list_call_get_all_results(
            identity.list_compartments, TENANCY, compartment_id_in_subtree=True, access_level="ANY"
        )
        readable = oci.pagination.list_call_get_all_results(
            identity.list_compartments, TENANCY, compartment_id_in_subtree=True, access_level="ACCESSIBLE"
        )
        assert {c.name for c in every.data} == {"app", "secret"} and {c.name for c in readable.data} == {"app"}


def test_objects_errors_collections_and_resource_types(no_sdk_retry: None) -> None:
    with serve(_estate().build()) as running:
        config, base = _config(running), running.url + "/uk-london-1"
        storage = oci.object_storage.ObjectStorageClient(config, service_endpoint=base)
        assert storage.get_namespace().data == "golden"
        bucket = storage.get_bucket("golden", "logs").data
        assert (bucket.versioning, bucket.public_access_type) == ("Enabled", "NoPublicAccess")
        with pytest.raises(oci.exceptions.ServiceError) as missing:
            storage.get_object_lifecycle_policy("golden", "logs")
        assert (missing.value.status, missing.value.code) == (404, "LifecyclePolicyNotFound")
        containers = oci.container_instances.ContainerInstanceClient(config, service_endpoint=base)
        listed = containers.list_container_instances("ocid1.compartment.oc1..app").data
        assert [c.id for c in listed.items] == ["ocid1.computecontainerinstance.oc1..c"]
        search = oci.resource_search.ResourceSearchClient(config, service_endpoint=base)
        names = {t.name for t in oci.pagination.list_call_get_all_results(search.list_resource_types).data}
        assert {"Instance", "Bucket", "InstancePool", "ContainerInstance", "FunctionsFunction"} <= names


def test_throttling_is_retried_by_the_sdk() -> None:
    estate = _estate()
    estate.data["faults"]["throttle"] = {"share": 0.5, "retry_after": 0}
    estate.data["faults"]["seed"] = 7
    with serve(estate.build()) as running:
        strategy = oci.retry.RetryStrategyBuilder(max_attempts=10, retry_base_sleep_time_seconds=0.01, retry_exponential_growth_factor=1)
        identity = oci.identity.IdentityClient(
            _config(running), service_endpoint=running.url + "/uk-london-1", retry_strategy=strategy.get_retry_strategy()
        )
        for _ in range(4):
            assert {c.name for c in identity.list_compartments(TENANCY, compartment_id_in_subtree=True, limit=10).data} == {"app", "secret"}
        assert 429 in [r["status"] for r in running.requests]
