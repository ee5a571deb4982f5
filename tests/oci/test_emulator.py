"""The OCI emulator answers the real oci SDK clients, signed with the real signer."""

from __future__ import annotations

import oci
import pytest

from cmm_scan.emulate.oci import OciEstate, parse_query
from tests.oci.server import TENANCY, serve


def _estate(**extra: object) -> OciEstate:
    compartments = [
        {"id": "ocid1.compartment.oc1..prod", "name": "prod"},
        {"id": "ocid1.compartment.oc1..app", "name": "app", "parent": "ocid1.compartment.oc1..prod"},
        {"id": "ocid1.compartment.oc1..secret", "name": "secret"},
    ]
    instances = [
        {
            "list": "/20160918/instances",
            "region": "uk-london-1",
            "search_type": "Instance",
            "data": {
                "id": f"ocid1.instance.oc1..i{n}",
                "compartmentId": "ocid1.compartment.oc1..app" if n < 7 else "ocid1.compartment.oc1..secret",
                "displayName": f"web-{n}",
                "availabilityDomain": "AD-1",
                "region": "uk-london-1",
                "shape": "VM.Standard.A1.Flex",
                "lifecycleState": "RUNNING",
                "timeCreated": "2026-01-01T00:00:00Z",
            },
        }
        for n in range(9)
    ]
    return OciEstate.model_validate(
        {
            "provider": "oci",
            "tenancy": TENANCY,
            "regions": ["uk-london-1", "eu-frankfurt-1"],
            "compartments": compartments,
            "resources": instances,
            "denied_compartments": ["ocid1.compartment.oc1..secret"],
            **extra,
        }
    )


@pytest.fixture
def no_sdk_retry(monkeypatch: pytest.MonkeyPatch) -> None:
    # the pager wraps every page in DEFAULT_RETRY_STRATEGY whatever the client says (sdk-testing.md)
    monkeypatch.setattr(oci.retry, "DEFAULT_RETRY_STRATEGY", oci.retry.NoneRetryStrategy())


def _config(running) -> dict:  # type: ignore[no-untyped-def]
    return oci.config.from_file(running.env["OCI_CONFIG_FILE"])


def test_compute_list_pages_through_opc_next_page_with_a_verified_signature(no_sdk_retry: None) -> None:
    with serve(_estate(), page_size=3) as running:
        client = oci.core.ComputeClient(
            _config(running), service_endpoint=running.url + "/uk-london-1", retry_strategy=oci.retry.NoneRetryStrategy()
        )
        result = oci.pagination.list_call_get_all_results(client.list_instances, "ocid1.compartment.oc1..app")
        assert [i.display_name for i in result.data] == [f"web-{n}" for n in range(7)]
        assert result.data[0].shape == "VM.Standard.A1.Flex"
        assert len([e for e in running.requests if e["path"].endswith("/instances")]) == 3  # 3 + 3 + 1


def test_a_denied_compartment_is_404_not_authorized_or_not_found(no_sdk_retry: None) -> None:
    with serve(_estate(), page_size=3) as running:
        client = oci.core.ComputeClient(_config(running), service_endpoint=running.url + "/uk-london-1")
        with pytest.raises(oci.exceptions.ServiceError) as denied:
            client.list_instances("ocid1.compartment.oc1..secret")
        assert (denied.value.status, denied.value.code) == (404, "NotAuthorizedOrNotFound")


def test_compartment_tree_accessible_leaves_out_the_denied_one(no_sdk_retry: None) -> None:
    with serve(_estate(), page_size=3) as running:
        identity = oci.identity.IdentityClient(_config(running), service_endpoint=running.url + "/uk-london-1")
        every = oci.pagination.list_call_get_all_results(
            identity.list_compartments, TENANCY, compartment_id_in_subtree=True, access_level="ANY"
        ).data
        readable = oci.pagination.list_call_get_all_results(
            identity.list_compartments, TENANCY, compartment_id_in_subtree=True, access_level="ACCESSIBLE"
        ).data
        assert {c.name for c in every} == {"prod", "app", "secret"}
        assert {c.name for c in readable} == {"prod", "app"}
        regions = identity.list_region_subscriptions(TENANCY).data
        assert {(r.region_name, r.is_home_region) for r in regions} == {("uk-london-1", True), ("eu-frankfurt-1", False)}


def test_search_is_regional_paged_and_silent_about_denied_compartments(no_sdk_retry: None) -> None:
    with serve(_estate(), page_size=3) as running:
        config = _config(running)
        details = oci.resource_search.models.StructuredSearchDetails(
            type="Structured", query="query Instance resources where lifecycleState != 'TERMINATED'", matching_context_type="NONE"
        )
        london = oci.resource_search.ResourceSearchClient(config, service_endpoint=running.url + "/uk-london-1")
        found = oci.pagination.list_call_get_all_results(london.search_resources, details).data
        assert sorted(s.display_name for s in found) == [f"web-{n}" for n in range(7)]  # web-7, web-8 are in the denied compartment
        frankfurt = oci.resource_search.ResourceSearchClient(config, service_endpoint=running.url + "/eu-frankfurt-1")
        assert oci.pagination.list_call_get_all_results(frankfurt.search_resources, details).data == []


def test_throttling_succeeds_on_the_sdk_retry() -> None:
    with serve(_estate(faults={"throttle": {"share": 0.5, "retry_after": 0}, "seed": 7}), page_size=3) as running:
        client = oci.core.ComputeClient(
            _config(running),
            service_endpoint=running.url + "/uk-london-1",
            retry_strategy=oci.retry.RetryStrategyBuilder(
                max_attempts=8, retry_base_sleep_time_seconds=0.01, retry_exponential_growth_factor=1
            ).get_retry_strategy(),
        )
        names = [i.display_name for i in oci.pagination.list_call_get_all_results(client.list_instances, "ocid1.compartment.oc1..app").data]
        assert names == [f"web-{n}" for n in range(7)]
        statuses = [e["status"] for e in running.requests]
        assert 429 in statuses and statuses.count(200) == 3  # throttled pages were retried until they succeeded


def test_a_request_without_a_valid_signature_is_401(no_sdk_retry: None) -> None:
    import requests

    with serve(_estate(), page_size=3) as running:
        answer = requests.get(running.url + "/uk-london-1/20160918/instances?compartmentId=x", timeout=5)
        assert (answer.status_code, answer.json()["code"]) == (401, "NotAuthenticated")
        forged = requests.get(
            running.url + "/uk-london-1/20160918/instances?compartmentId=x",
            headers={
                "Authorization": f'Signature version="1",keyId="{running.provider.key_id}",algorithm="rsa-sha256",'
                'headers="date (request-target) host",signature="AAAA"'
            },
            timeout=5,
        )
        assert forged.status_code == 401


def test_query_subset() -> None:
    assert parse_query("query all resources") == (set(), [], False)
    assert parse_query("query Instance, Bucket resources return allAdditionalFields where compartmentId = 'c' && a != 'b'") == (
        {"instance", "bucket"},
        [("compartmentId", "=", "c"), ("a", "!=", "b")],
        True,
    )
    with pytest.raises(ValueError):
        parse_query("query Instance resources where displayName =~ 'x'")
