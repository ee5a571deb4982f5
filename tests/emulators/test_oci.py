"""The OCI emulator driven by the real oci SDK: config from the printed OCI_CONFIG_FILE, requests
signed by the SDK and verified by the server, endpoints from the CMM_SCAN_OCI_ENDPOINT template.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import oci
import pytest
import yaml

from cmm_scan.emulate.core import Emulator

EXAMPLE = Path(__file__).resolve().parents[2] / "fixtures" / "emulator" / "oci-example.yaml"
TENANCY = "ocid1.tenancy.oc1..aaaaaaaaexampletenancy"
PLATFORM, PROD, SANDBOX = (
    "ocid1.compartment.oc1..aaaaaaaaplatform",
    "ocid1.compartment.oc1..aaaaaaaaplatformprod",
    "ocid1.compartment.oc1..aaaaaaaasandbox",
)


@pytest.fixture(autouse=True)
def _no_hidden_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """oci.pagination retries every page with DEFAULT_RETRY_STRATEGY whatever the client says."""
    monkeypatch.setattr(oci.retry, "DEFAULT_RETRY_STRATEGY", oci.retry.NoneRetryStrategy())


def example(extra_instances: int = 0, **extra: Any) -> dict[str, Any]:
    data = yaml.safe_load(EXAMPLE.read_text())
    london = data["regional"]["uk-london-1"]["20160918/instances"]
    london += [
        {**london[0], "id": f"ocid1.instance.oc1.uk-london-1.aaaaaaaaextra{i}", "displayName": f"extra-{i}"} for i in range(extra_instances)
    ]
    return {**data, **extra}


def client(kind: type, region: str = "uk-london-1", retry: Any = None) -> Any:
    config = oci.config.from_file(os.environ["OCI_CONFIG_FILE"])
    oci.config.validate_config(config)
    return kind(
        config,
        service_endpoint=os.environ["CMM_SCAN_OCI_ENDPOINT"].format(region=region),
        retry_strategy=retry or oci.retry.NoneRetryStrategy(),
        circuit_breaker_strategy=oci.circuit_breaker.NoCircuitBreakerStrategy(),
    )


def search(query: str, region: str = "uk-london-1", **kwargs: Any) -> list[Any]:
    details = oci.resource_search.models.StructuredSearchDetails(type="Structured", query=query, matching_context_type="NONE")
    search_client = client(oci.resource_search.ResourceSearchClient, region)
    return oci.pagination.list_call_get_all_results(search_client.search_resources, details, **kwargs).data


def test_compartment_tree_pages_over_three_pages(oci_emulator: Emulator) -> None:
    oci_emulator.load(example())
    oci_emulator.page_size = 1
    identity = client(oci.identity.IdentityClient)
    compartments = oci.pagination.list_call_get_all_results(
        identity.list_compartments, TENANCY, compartment_id_in_subtree=True, access_level="ACCESSIBLE"
    ).data
    assert sorted(c.name for c in compartments) == ["platform", "prod", "sandbox"]
    assert [r["status"] for r in oci_emulator.requests if r["operation"] == "identity.compartments.list"] == [200, 200, 200]
    top = identity.list_compartments(TENANCY).data
    assert sorted(c.name for c in top) == ["platform"]  # one page of one; the next page is the caller's to fetch
    subscriptions = identity.list_region_subscriptions(TENANCY).data
    assert [(s.region_name, s.is_home_region) for s in subscriptions] == [("uk-london-1", True), ("uk-cardiff-1", False)]


def test_search_is_regional_and_pages_with_opc_next_page(oci_emulator: Emulator) -> None:
    oci_emulator.load(example(extra_instances=4))
    oci_emulator.page_size = 2
    london = search("query instance resources where lifecycleState = 'RUNNING'")
    assert sorted(r.display_name for r in london) == ["extra-0", "extra-1", "extra-2", "extra-3", "web-1"]
    assert sum(1 for r in oci_emulator.requests if r["operation"] == "search.resources") == 3
    cardiff = search("query instance resources", region="uk-cardiff-1")
    assert [(r.display_name, r.lifecycle_state) for r in cardiff] == [("dr-1", "STOPPED")]
    everything = search("query all resources where compartmentId = 'ocid1.tenancy.oc1..aaaaaaaaexampletenancy'", region="uk-cardiff-1")
    assert sorted(r.resource_type for r in everything) == ["Compartment", "Compartment", "Policy", "User"]


def test_search_tag_conditions_and_sorting(oci_emulator: Emulator) -> None:
    oci_emulator.load(example())
    tagged = search("query all resources where freeformTags.key = 'CostCentre' sorted by displayName desc")
    assert [r.display_name for r in tagged] == ["web-1", "platform"]


def test_queries_outside_the_subset_are_refused_with_ocis_error(oci_emulator: Emulator) -> None:
    oci_emulator.load(example())
    with pytest.raises(oci.exceptions.ServiceError) as bad:
        search("query instance resources where displayName = web-1")  # unquoted value
    assert (bad.value.status, bad.value.code) == (400, "InvalidParameter")


def test_per_compartment_lists_and_gets_come_from_the_estate(oci_emulator: Emulator) -> None:
    oci_emulator.load(example())
    compute = client(oci.core.ComputeClient)
    instances = compute.list_instances(PROD).data
    assert [(i.display_name, i.shape) for i in instances] == [("web-1", "VM.Standard.E4.Flex")]
    assert compute.list_instances(SANDBOX).data == []
    assert compute.get_instance("ocid1.instance.oc1.uk-london-1.aaaaaaaaweb1").data.lifecycle_state == "RUNNING"
    pools = client(oci.core.ComputeManagementClient).list_instance_pools(PROD).data
    assert [p.size for p in pools] == [3]
    users = client(oci.identity.IdentityClient).list_users(TENANCY).data
    assert [u.is_mfa_activated for u in users] == [True]
    with pytest.raises(oci.exceptions.ServiceError) as missing:
        compute.get_instance("ocid1.instance.oc1.uk-london-1.aaaaaaaanothere")
    assert (missing.value.status, missing.value.code) == (404, "NotAuthorizedOrNotFound")


def test_a_denied_compartment_is_not_found_below_and_left_out_above(oci_emulator: Emulator) -> None:
    oci_emulator.load(example(faults={"deny": [{"scope": PLATFORM}]}))
    compute = client(oci.core.ComputeClient)
    with pytest.raises(oci.exceptions.ServiceError) as denied:
        compute.list_instances(PROD)  # prod sits inside platform
    assert (denied.value.status, denied.value.code) == (404, "NotAuthorizedOrNotFound")
    identity = client(oci.identity.IdentityClient)
    visible = identity.list_compartments(TENANCY, compartment_id_in_subtree=True, access_level="ACCESSIBLE").data
    assert [c.name for c in visible] == ["sandbox"]
    # accessLevel ANY (the API's default) checks no permission: OCI lists every compartment of the tree
    assert len(identity.list_compartments(TENANCY, compartment_id_in_subtree=True).data) == 3
    assert search("query instance resources") == []


def test_throttling_succeeds_on_retry(oci_emulator: Emulator) -> None:
    oci_emulator.load(example(extra_instances=5, faults={"seed": 5, "throttle": {"share": 0.5, "retry_after": 0}}))
    oci_emulator.page_size = 2
    retry = oci.retry.RetryStrategyBuilder(
        max_attempts=10, retry_base_sleep_time_seconds=0, retry_max_wait_between_calls_seconds=0, total_elapsed_time_seconds=30
    ).get_retry_strategy()
    compute = client(oci.core.ComputeClient, retry=retry)
    names, page = [], None
    while True:
        response = compute.list_instances(PROD, page=page)
        names += [i.display_name for i in response.data]
        page = response.next_page
        if not page:
            break
    assert len(names) == 6
    statuses = [r["status"] for r in oci_emulator.requests]
    assert 429 in statuses, "seed 5 throttles at least one page"
    assert statuses.count(200) == 3


def test_unsigned_or_foreign_requests_are_refused(oci_emulator: Emulator) -> None:
    import requests
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    oci_emulator.load(example())
    url = f"{oci_emulator.url}/uk-london-1/20160918/compartments?compartmentId={TENANCY}"
    unsigned = requests.get(url, timeout=10)
    assert (unsigned.status_code, unsigned.json()["code"]) == (401, "NotAuthenticated")
    config = oci.config.from_file(os.environ["OCI_CONFIG_FILE"])
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    config["key_content"] = other_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    config.pop("key_file")
    forged = oci.identity.IdentityClient(
        config, service_endpoint=f"{oci_emulator.url}/uk-london-1", retry_strategy=oci.retry.NoneRetryStrategy()
    )
    with pytest.raises(oci.exceptions.ServiceError) as refused:
        forged.list_compartments(TENANCY)
    assert refused.value.status == 401


def domain_get(path: str, **params: Any) -> Any:
    """GET at an identity domain's endpoint (the emulator's, here), signed by the SDK's signer: the SDK's own
    IdentityDomainsClient takes no endpoint with a path, which the emulator's per-region base has."""
    import requests

    config = oci.config.from_file(os.environ["OCI_CONFIG_FILE"])
    signer = oci.signer.Signer(config["tenancy"], config["user"], config["fingerprint"], config["key_file"])
    url = os.environ["CMM_SCAN_OCI_ENDPOINT"].format(region="uk-london-1") + path
    return requests.get(url, params=params, auth=signer, timeout=10)


def test_identity_domain_sign_on_rules_and_mfa_settings(oci_emulator: Emulator) -> None:
    """A domain's sign-on rules (ListRules with a SCIM filter on the policy type) and its MFA settings
    (GetAuthenticationFactorSetting), as SCIM resources: Oracle's seeded ones where the estate declares none, the
    estate's otherwise, and an error the estate names."""
    oci_emulator.load(example())
    seeded = domain_get("/admin/v1/Rules", filter='policyType.value eq "SignOn"', count=1000).json()
    assert seeded["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:ListResponse"] and seeded["totalResults"] == 1
    assert [(r["name"], r["return"]) for r in seeded["Resources"]] == [
        ("Default Sign-On Rule", [{"name": "effect", "value": "ALLOW"}, {"name": "reAuthenticate", "value": "false"}])
    ]
    assert domain_get("/admin/v1/Rules", filter='policyType.value eq "Password"').json()["totalResults"] == 0
    factors = domain_get("/admin/v1/AuthenticationFactorSettings/AuthenticationFactorSettings").json()
    assert (factors["smsEnabled"], factors["phoneCallEnabled"], factors["totpEnabled"]) == (False, False, True)

    mfa = {"name": "Everyone", "active": True, "policyType": {"value": "SignOn"}, "return": [{"name": "mfaRequired", "value": "true"}]}
    objects = {
        "admin/v1/Rules": {"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": 1, "Resources": [mfa]},
        "admin/v1/AuthenticationFactorSettings/AuthenticationFactorSettings": {"id": "AuthenticationFactorSettings", "smsEnabled": True},
    }
    oci_emulator.load(example(objects={**example().get("objects", {}), **objects}))
    rules = domain_get("/admin/v1/Rules", filter='policyType.value eq "SignOn"').json()["Resources"]
    assert [(r["name"], r["return"][0]["value"]) for r in rules] == [("Everyone", "true")]
    assert domain_get("/admin/v1/AuthenticationFactorSettings/AuthenticationFactorSettings").json()["smsEnabled"] is True

    oci_emulator.load(example(errors={"admin/v1/Rules": [404, "NotAuthorizedOrNotFound"]}))
    refused = domain_get("/admin/v1/Rules", filter='policyType.value eq "SignOn"')
    assert (refused.status_code, refused.json()["code"]) == (404, "NotAuthorizedOrNotFound")
