"""The Azure emulator driven by the real azure-core pipeline and azure-mgmt-resourcegraph client.

Only the server is ours; request building, bearer-token policy, TLS verification against the
printed CA (REQUESTS_CA_BUNDLE), retries and deserialisation are the SDKs' own.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import pytest
from azure.core import PipelineClient
from azure.core.credentials import AccessToken
from azure.core.exceptions import HttpResponseError
from azure.core.pipeline.policies import BearerTokenCredentialPolicy, RetryPolicy
from azure.core.rest import HttpRequest
from azure.mgmt.resourcegraph import ResourceGraphClient
from azure.mgmt.resourcegraph.models import QueryRequest, QueryRequestOptions

from cmm_scan.emulate.core import Emulator

PROD = "11111111-1111-1111-1111-111111111111"
DEV = "22222222-2222-2222-2222-222222222222"
ARM_SCOPE = "https://management.azure.com/.default"
GRAPH_SCOPE = "https://graph.microsoft.com/.default"


class EnvironmentToken:
    """The static bearer token the emulator prints as AZURE_ACCESS_TOKEN."""

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken(os.environ["AZURE_ACCESS_TOKEN"], int(time.time()) + 3600)


def vm(sub: str, group: str, name: str, **properties: Any) -> dict[str, Any]:
    return {
        "id": f"/subscriptions/{sub}/resourceGroups/{group}/providers/Microsoft.Compute/virtualMachines/{name}",
        "type": "Microsoft.Compute/virtualMachines",
        "location": "uksouth",
        "tags": {"env": "prod" if sub == PROD else "dev"},
        "properties": {"hardwareProfile": {"vmSize": "Standard_B2s"}, **properties},
    }


def estate(vms_per_sub: int = 5, **extra: Any) -> dict[str, Any]:
    return {
        "provider": "azure",
        "subscriptions": [{"subscriptionId": PROD, "displayName": "prod"}, {"subscriptionId": DEV, "displayName": "dev"}],
        "resources": [vm(sub, "web", f"vm{i}") for sub in (PROD, DEV) for i in range(vms_per_sub)]
        + [
            {
                "id": f"/subscriptions/{PROD}/providers/Microsoft.Security/pricings/VirtualMachines",
                "type": "Microsoft.Security/pricings",
                "properties": {"pricingTier": "Standard"},
            },
            {
                "id": f"/subscriptions/{PROD}/resourceGroups/web/providers/Microsoft.Compute/virtualMachines/vm0"
                "/providers/Microsoft.Insights/diagnosticSettings/to-workspace",
                "type": "Microsoft.Insights/diagnosticSettings",
                "properties": {"workspaceId": "/workspace"},
            },
            {
                "id": f"/subscriptions/{PROD}/providers/Microsoft.Consumption/budgets/monthly",
                "type": "Microsoft.Consumption/budgets",
                "properties": {"amount": 1000, "timeGrain": "Monthly"},
            },
        ],
        "graph": {"users": [{"id": f"user-{i}", "displayName": f"User {i}"} for i in range(7)]},
        **extra,
    }


def arm(emulator: Emulator, retries: int = 0, scope: str = ARM_SCOPE) -> PipelineClient:
    policies = [RetryPolicy(retry_total=retries, retry_backoff_factor=0), BearerTokenCredentialPolicy(EnvironmentToken(), scope)]
    return PipelineClient(base_url=emulator.url, policies=policies)


def get(client: PipelineClient, url: str, **params: str) -> Any:
    response = client.send_request(HttpRequest("GET", url, params=params))
    if response.status_code != 200:
        raise HttpResponseError(response=response)
    return response.json()


def list_all(client: PipelineClient, path: str, link_key: str = "nextLink", **params: str) -> tuple[list[Any], int]:
    """Follow the server's next links as the mgmt SDKs' pagers do; returns (items, pages)."""
    page = get(client, f"{os.environ['CMM_SCAN_AZURE_ENDPOINT']}{path}", **params)
    items, pages = list(page["value"]), 1
    while page.get(link_key):
        page = get(client, page[link_key])
        items += page["value"]
        pages += 1
    return items, pages


def graph_client(emulator: Emulator, retries: int = 0) -> ResourceGraphClient:
    return ResourceGraphClient(
        EnvironmentToken(), base_url=os.environ["CMM_SCAN_AZURE_ENDPOINT"], retry_total=retries, retry_backoff_factor=0
    )


def query_all(client: ResourceGraphClient, query: str, top: int | None = None, **scope: Any) -> tuple[list[Any], int]:
    """Loop over $skipToken as a Resource Graph collector must (the SDK has no pager for it)."""
    rows: list[Any] = []
    token, pages = None, 0
    while True:
        options = QueryRequestOptions(skip_token=token, top=top, result_format="objectArray")
        result = client.resources(QueryRequest(query=query, options=options, **scope))
        rows += result.data
        pages += 1
        token = result.skip_token
        if not token:
            return rows, pages


# --- Resource Manager ----------------------------------------------------------------------


def test_resources_list_follows_next_link_over_three_pages(azure_emulator: Emulator) -> None:
    azure_emulator.load(estate(vms_per_sub=5))
    azure_emulator.page_size = 2
    items, pages = list_all(arm(azure_emulator), f"/subscriptions/{PROD}/resources", **{"api-version": "2021-04-01"})
    assert pages == 3
    assert sorted(i["name"] for i in items) == [f"vm{i}" for i in range(5)]
    assert all(r["status"] == 200 and r["operation"] == "Microsoft.Resources/subscriptions/resources/read" for r in azure_emulator.requests)


def test_views_are_derived_from_resources_written_once(azure_emulator: Emulator) -> None:
    azure_emulator.load(estate(vms_per_sub=2))
    client, version = arm(azure_emulator), {"api-version": "2023-01-01"}
    groups, _ = list_all(client, f"/subscriptions/{PROD}/resourcegroups", **version)
    assert [(g["name"], g["type"]) for g in groups] == [("web", "Microsoft.Resources/resourceGroups")]
    pricings, _ = list_all(client, f"/subscriptions/{PROD}/providers/Microsoft.Security/pricings", **version)
    assert [p["properties"]["pricingTier"] for p in pricings] == ["Standard"]
    vm0 = f"/subscriptions/{PROD}/resourceGroups/web/providers/Microsoft.Compute/virtualMachines/vm0"
    settings, _ = list_all(client, f"{vm0}/providers/Microsoft.Insights/diagnosticSettings", **version)
    assert [s["properties"]["workspaceId"] for s in settings] == ["/workspace"]
    assert azure_emulator.operations()[-1] == "Microsoft.Insights/diagnosticSettings/read"
    by_type, _ = list_all(client, f"/subscriptions/{DEV}/providers/Microsoft.Compute/virtualMachines", **version)
    assert sorted(v["name"] for v in by_type) == ["vm0", "vm1"]
    one = get(
        client, f"{azure_emulator.url}/subscriptions/{DEV}/resourceGroups/web/providers/Microsoft.Compute/virtualMachines/vm1", **version
    )
    assert one["tags"] == {"env": "dev"}
    with pytest.raises(HttpResponseError) as missing:
        get(
            client,
            f"{azure_emulator.url}/subscriptions/{DEV}/resourceGroups/web/providers/Microsoft.Compute/virtualMachines/nope",
            **version,
        )
    assert (missing.value.status_code, missing.value.error.code) == (404, "ResourceNotFound")


def test_child_lists_filter_on_a_property_as_container_registry_runs_do(azure_emulator: Emulator) -> None:
    registry = f"/subscriptions/{PROD}/resourceGroups/build/providers/Microsoft.ContainerRegistry/registries/acr"
    runs = [
        {
            "id": f"{registry}/runs/r{i}",
            "type": "Microsoft.ContainerRegistry/registries/runs",
            "properties": {"task": task, "status": "Succeeded"},
        }
        for i, task in enumerate(["api", "web", "api"])
    ]
    azure_emulator.load(estate(vms_per_sub=0) | {"resources": runs})
    client, version = arm(azure_emulator), {"api-version": "2019-06-01-preview"}
    found, _ = list_all(client, f"{registry}/runs", **version, **{"$filter": "TaskName eq 'api'"})
    assert sorted(r["name"] for r in found) == ["r0", "r2"]
    both, _ = list_all(client, f"{registry}/runs", **version, **{"$filter": "TaskName eq 'api' and Status eq 'Failed'"})
    assert both == []
    with pytest.raises(HttpResponseError) as refused:
        list_all(client, f"/subscriptions/{PROD}/resources", **{"api-version": "2021-04-01", "$filter": "Status eq 'x'"})
    assert refused.value.status_code == 400


def test_a_request_without_api_version_is_refused_as_arm_does(azure_emulator: Emulator) -> None:
    azure_emulator.load(estate())
    with pytest.raises(HttpResponseError) as refused:
        get(arm(azure_emulator), f"{azure_emulator.url}/subscriptions")
    assert (refused.value.status_code, refused.value.error.code) == (400, "MissingApiVersionParameter")


def test_the_bearer_token_must_be_the_printed_one(azure_emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    azure_emulator.load(estate())
    monkeypatch.setenv("AZURE_ACCESS_TOKEN", "someone-elses-token")
    with pytest.raises(HttpResponseError) as refused:
        get(arm(azure_emulator), f"{azure_emulator.url}/subscriptions", **{"api-version": "2022-12-01"})
    assert (refused.value.status_code, refused.value.error.code) == (401, "AuthenticationFailed")


def test_a_denied_subscription_is_refused_with_arms_403_and_left_out_of_tenant_listings(azure_emulator: Emulator) -> None:
    azure_emulator.load(estate(faults={"deny": [{"scope": f"/subscriptions/{DEV}"}]}))
    client, version = arm(azure_emulator), {"api-version": "2022-12-01"}
    subs, _ = list_all(client, "/subscriptions", **version)
    assert [s["subscriptionId"] for s in subs] == [PROD]
    with pytest.raises(HttpResponseError) as denied:
        list_all(client, f"/subscriptions/{DEV}/resources", **version)
    assert (denied.value.status_code, denied.value.error.code) == (403, "AuthorizationFailed")
    rows, _ = query_all(graph_client(azure_emulator), "Resources | project subscriptionId")
    assert {r["subscriptionId"] for r in rows} == {PROD}
    with pytest.raises(HttpResponseError) as named:
        query_all(graph_client(azure_emulator), "Resources", subscriptions=[DEV])
    assert named.value.status_code == 403


def test_a_denied_operation_is_refused_only_for_that_operation(azure_emulator: Emulator) -> None:
    azure_emulator.load(estate(faults={"deny": [{"operation": "Microsoft.Consumption/*"}]}))
    client, version = arm(azure_emulator), {"api-version": "2023-05-01"}
    with pytest.raises(HttpResponseError) as denied:
        list_all(client, f"/subscriptions/{PROD}/providers/Microsoft.Consumption/budgets", **version)
    assert denied.value.status_code == 403
    pricings, _ = list_all(client, f"/subscriptions/{PROD}/providers/Microsoft.Security/pricings", **version)
    assert len(pricings) == 1


def test_throttling_succeeds_on_retry_and_is_the_same_for_the_same_seed(azure_emulator: Emulator) -> None:
    faults = {"seed": 7, "throttle": {"share": 0.5, "retry_after": 0}}
    statuses = []
    for _ in range(2):
        azure_emulator.reset()
        azure_emulator.load(estate(vms_per_sub=5, faults=faults))
        azure_emulator.page_size = 2
        items, pages = list_all(arm(azure_emulator, retries=10), f"/subscriptions/{PROD}/resources", **{"api-version": "2021-04-01"})
        assert (len(items), pages) == (5, 3)
        statuses.append([r["status"] for r in azure_emulator.requests])
    assert 429 in statuses[0], "seed 7 throttles at least one of these requests"
    assert statuses[0] == statuses[1]


def test_throttled_answers_carry_retry_after_and_the_arm_error(azure_emulator: Emulator) -> None:
    azure_emulator.load(estate(faults={"throttle": {"share": 1, "retry_after": 3}}))
    response = arm(azure_emulator).send_request(
        HttpRequest("GET", f"{azure_emulator.url}/subscriptions", params={"api-version": "2022-12-01"})
    )
    assert (response.status_code, response.headers["Retry-After"], response.json()["error"]["code"]) == (429, "3", "TooManyRequests")


def test_injected_server_errors_are_retried_by_the_sdk(azure_emulator: Emulator) -> None:
    azure_emulator.load(estate(faults={"seed": 3, "fail": 0.4}))
    subs, _ = list_all(arm(azure_emulator, retries=10), "/subscriptions", **{"api-version": "2022-12-01"})
    assert len(subs) == 2
    assert [r["status"] for r in azure_emulator.requests][-1] == 200


# --- Resource Graph -------------------------------------------------------------------------


def test_resource_graph_pages_over_three_pages_with_skip_token(azure_emulator: Emulator) -> None:
    azure_emulator.load(estate(vms_per_sub=3))
    rows, pages = query_all(
        graph_client(azure_emulator), "Resources | where type =~ 'Microsoft.Compute/virtualMachines' | project id", top=2
    )
    assert pages == 3
    assert len(rows) == 6
    assert len({r["id"] for r in rows}) == 6


def test_resource_graph_where_project_order_limit(azure_emulator: Emulator) -> None:
    resources = [vm(PROD, "web", f"vm{i}", priority=i) for i in range(4)]
    azure_emulator.load({"provider": "azure", "subscriptions": [{"subscriptionId": PROD}], "resources": resources})
    query = (
        "Resources | where type == 'microsoft.compute/virtualmachines' and (properties.priority >= 1 or name in~ ('VM0'))"
        " | project name, size = properties.hardwareProfile.vmSize, p = properties.priority | order by p desc | limit 3"
    )
    rows, _ = query_all(graph_client(azure_emulator), query, subscriptions=[PROD])
    assert rows == [{"name": f"vm{i}", "size": "Standard_B2s", "p": i} for i in (3, 2, 1)]


def test_resource_containers_hold_subscriptions_with_their_management_group_chain(azure_emulator: Emulator) -> None:
    root = "/providers/Microsoft.Management/managementGroups/root"
    groups = [
        {"id": root, "type": "Microsoft.Management/managementGroups", "properties": {"displayName": "Root"}},
        {
            "id": "/providers/Microsoft.Management/managementGroups/platform",
            "type": "Microsoft.Management/managementGroups",
            "properties": {
                "displayName": "Platform",
                "details": {"parent": {"id": root}},
                "children": [{"id": f"/subscriptions/{PROD}", "type": "/subscriptions"}],
            },
        },
    ]
    data = estate(vms_per_sub=1)
    data["resources"] += groups
    azure_emulator.load(data)
    rows, _ = query_all(
        graph_client(azure_emulator),
        "ResourceContainers | where type == 'microsoft.resources/subscriptions'"
        " | project subscriptionId, chain = properties.managementGroupAncestorsChain",
    )
    chains = {r["subscriptionId"]: [g["name"] for g in r["chain"]] for r in rows}
    assert chains == {PROD: ["platform", "root"], DEV: []}
    in_platform, _ = query_all(graph_client(azure_emulator), "Resources | project subscriptionId", management_groups=["platform"])
    assert {r["subscriptionId"] for r in in_platform} == {PROD}


@pytest.mark.parametrize(
    "query",
    ["Resources | summarize count() by type", "Nonsense | take 1", "Resources | where", "Resources | where name matches regex 'x'"],
)
def test_queries_outside_the_subset_get_resource_graphs_invalid_query(azure_emulator: Emulator, query: str) -> None:
    azure_emulator.load(estate())
    with pytest.raises(HttpResponseError) as bad:
        query_all(graph_client(azure_emulator), query)
    assert bad.value.status_code == 400
    assert bad.value.error.code == "BadRequest"
    assert [d.code for d in bad.value.error.details] == ["InvalidQuery"]


def test_types_outside_resource_graph_are_not_in_any_table(azure_emulator: Emulator) -> None:
    azure_emulator.load(estate(vms_per_sub=0))
    security, _ = query_all(graph_client(azure_emulator), "SecurityResources | project type")
    assert [r["type"] for r in security] == ["microsoft.security/pricings"]
    everything, _ = query_all(graph_client(azure_emulator), "Resources | project type")
    assert everything == []  # budgets live only in the Consumption API


# --- Microsoft Graph -------------------------------------------------------------------------


def test_graph_collections_page_with_top_and_odata_next_link(azure_emulator: Emulator) -> None:
    azure_emulator.load(estate())
    client = arm(azure_emulator, scope=GRAPH_SCOPE)
    base = os.environ["CMM_SCAN_GRAPH_ENDPOINT"]
    page = get(client, f"{base}/v1.0/users", **{"$top": "3"})
    users, pages = list(page["value"]), 1
    while page.get("@odata.nextLink"):
        page = get(client, page["@odata.nextLink"])
        users += page["value"]
        pages += 1
    assert (len(users), pages) == (7, 3)
    assert get(client, f"{base}/v1.0/users/user-4")["displayName"] == "User 4"


def test_graph_filter_subset(azure_emulator: Emulator) -> None:
    details = [
        {"id": "a", "userPrincipalName": "ada@example.org", "isMfaRegistered": True, "isAdmin": True},
        {"id": "b", "userPrincipalName": "bob@example.org", "isMfaRegistered": False, "isAdmin": True},
        {"id": "c", "userPrincipalName": "cy@other.org", "isMfaRegistered": False, "isAdmin": False},
    ]
    azure_emulator.load(estate(graph={"reports/authenticationMethods/userRegistrationDetails": details}))
    client, url = arm(azure_emulator, scope=GRAPH_SCOPE), f"{azure_emulator.url}/beta/reports/authenticationMethods/userRegistrationDetails"
    found = get(client, url, **{"$filter": "isAdmin eq true and isMfaRegistered eq false"})["value"]
    assert [d["id"] for d in found] == ["b"]
    found = get(client, url, **{"$filter": "startswith(userPrincipalName,'cy') or userPrincipalName eq 'ada@example.org'"})["value"]
    assert [d["id"] for d in found] == ["a", "c"]
    with pytest.raises(HttpResponseError) as bad:
        get(client, url, **{"$filter": "methodsRegistered/any(m: m eq 'fido2')"})
    assert (bad.value.status_code, bad.value.error.code) == (400, "BadRequest")


def test_graph_answers_its_own_error_shapes(azure_emulator: Emulator) -> None:
    azure_emulator.load(estate(faults={"deny": [{"operation": "graph/users*"}]}))
    client, base = arm(azure_emulator, scope=GRAPH_SCOPE), os.environ["CMM_SCAN_GRAPH_ENDPOINT"]
    with pytest.raises(HttpResponseError) as denied:
        get(client, f"{base}/v1.0/users")
    assert (denied.value.status_code, denied.value.error.code) == (403, "Authorization_RequestDenied")
    with pytest.raises(HttpResponseError) as unknown:
        get(client, f"{base}/beta/nothingHere")
    assert (unknown.value.status_code, unknown.value.error.code) == (400, "BadRequest")


# --- request log ------------------------------------------------------------------------------


def test_request_log_file_has_one_json_line_per_request(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cmm_scan.emulate import provider

    log = tmp_path / "requests.jsonl"
    with Emulator(provider("azure"), estate(vms_per_sub=3), page_size=2, request_log=log) as emulator:
        for key, value in emulator.env.items():
            monkeypatch.setenv(key, value)
        list_all(arm(emulator), f"/subscriptions/{PROD}/resources", **{"api-version": "2021-04-01"})
        with pytest.raises(HttpResponseError):
            arm(emulator).send_request(HttpRequest("PUT", f"{emulator.url}/subscriptions/{PROD}/resourceGroups/new")).raise_for_status()
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert [(x["method"], x["status"]) for x in lines] == [("GET", 200), ("GET", 200), ("PUT", 405)]
    assert lines[0] == {
        "method": "GET",
        "path": f"/subscriptions/{PROD}/resources",
        "query": {"api-version": "2021-04-01"},
        "operation": "Microsoft.Resources/subscriptions/resources/read",
        "status": 200,
    }


def test_azure_identity_client_secret_credential_gets_its_token_from_the_emulator(azure_emulator: Emulator) -> None:
    from azure.identity import ClientSecretCredential

    azure_emulator.load(estate(tenantId="33333333-3333-4333-8333-333333333333"))
    credential = ClientSecretCredential(
        "33333333-3333-4333-8333-333333333333",
        "app-id",
        "app-secret",
        authority=azure_emulator.url,
        disable_instance_discovery=True,
    )
    client = ResourceGraphClient(credential, base_url=azure_emulator.url, retry_total=0)
    rows, _ = query_all(client, "ResourceContainers | where type == 'microsoft.resources/subscriptions' | project subscriptionId")
    assert sorted(r["subscriptionId"] for r in rows) == [PROD, DEV]
    assert azure_emulator.operations()[-1] == "Microsoft.ResourceGraph/resources/read"
    assert "entra/token" in azure_emulator.operations()


def test_graph_batch_answers_each_request_through_the_normal_routes(azure_emulator: Emulator) -> None:
    """JSON batching: each request has its own status, headers and body; a deny fault and paging apply to it alone."""
    people = [{"id": f"u{n}", "userPrincipalName": f"u{n}@example.org"} for n in range(3)]
    graph = {"users": people, "domains": [{"id": "example.org"}], "organization": [{"id": "org"}]}
    azure_emulator.load(estate(graph=graph, faults={"deny": [{"operation": "graph/domains"}]}))
    client, base = arm(azure_emulator, scope=GRAPH_SCOPE), os.environ["CMM_SCAN_GRAPH_ENDPOINT"]
    requests = [
        {"id": "1", "method": "GET", "url": "/users?$select=id&$top=2"},
        {"id": "2", "method": "GET", "url": "/domains"},
        {"id": "3", "method": "GET", "url": "organization"},
    ]
    response = client.send_request(HttpRequest("POST", f"{base}/v1.0/$batch", json={"requests": requests}))
    assert response.status_code == 200
    answers = {r["id"]: r for r in response.json()["responses"]}
    assert answers["1"]["status"] == 200 and [u["id"] for u in answers["1"]["body"]["value"]] == ["u0", "u1"]
    rest = get(client, answers["1"]["body"]["@odata.nextLink"])  # a sub-response's next page is an ordinary request
    assert [u["id"] for u in rest["value"]] == ["u2"]
    assert (answers["2"]["status"], answers["2"]["body"]["error"]["code"]) == (403, "Authorization_RequestDenied")
    assert answers["3"]["status"] == 200 and answers["3"]["body"]["value"] == [{"id": "org"}]
    assert answers["1"]["headers"]["Content-Type"] == "application/json"
    logged = [(r["operation"], r["status"], bool(r.get("batched"))) for r in azure_emulator.requests]
    assert logged == [  # each request of the batch first, then the batch itself, then the next page
        ("graph/users", 200, True),
        ("graph/domains", 403, True),
        ("graph/organization", 200, True),
        ("graph/$batch", 200, False),
        ("graph/users", 200, False),
    ]
    too_many = [{"id": str(n), "method": "GET", "url": "/organization"} for n in range(21)]
    response = client.send_request(HttpRequest("POST", f"{base}/v1.0/$batch", json={"requests": too_many}))
    assert (response.status_code, response.json()["error"]["code"]) == (400, "BadRequest")
