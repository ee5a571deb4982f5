"""The GCP emulator driven by the real google-cloud-asset REST client and google-auth.

Credentials come from Application Default Credentials, i.e. only the printed
GOOGLE_APPLICATION_CREDENTIALS: the key file's token_uri points at the emulator.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import google.auth
import pytest
from google.api_core import exceptions, retry
from google.api_core.client_options import ClientOptions
from google.auth.transport.requests import AuthorizedSession
from google.cloud import asset_v1

from cmm_scan.emulate.core import Emulator

ORG, FOLDER = "organizations/789000000001", "folders/456000000001"
PROD_NUMBER, SANDBOX_NUMBER = "projects/100000000001", "projects/100000000002"
EXAMPLE = Path(__file__).resolve().parents[2] / "fixtures" / "emulator" / "gcp-example.yaml"
SCOPES = ["https://www.googleapis.com/auth/cloud-platform"]


def instance(project_id: str, number: str, name: str, ancestors: list[str]) -> dict[str, Any]:
    return {
        "name": f"//compute.googleapis.com/projects/{project_id}/zones/europe-west2-a/instances/{name}",
        "assetType": "compute.googleapis.com/Instance",
        "ancestors": [number, *ancestors],
        "resource": {"version": "v1", "location": "europe-west2-a", "data": {"name": name, "status": "RUNNING"}},
    }


def estate_with_instances(count: int, **extra: Any) -> dict[str, Any]:
    import yaml

    data = yaml.safe_load(EXAMPLE.read_text())
    data["assets"] += [instance("prod-app", PROD_NUMBER, f"vm-{i}", [FOLDER, ORG]) for i in range(count)]
    data["assets"] += [instance("sandbox-1", SANDBOX_NUMBER, "scratch", [ORG])]
    return {**data, **extra}


def asset_client() -> asset_v1.AssetServiceClient:
    credentials, _ = google.auth.default(scopes=SCOPES)
    return asset_v1.AssetServiceClient(
        credentials=credentials, transport="rest", client_options=ClientOptions(api_endpoint=os.environ["CMM_SCAN_GCP_ENDPOINT"])
    )


def session() -> AuthorizedSession:
    credentials, _ = google.auth.default(scopes=SCOPES)
    return AuthorizedSession(credentials)


def pages_of(emulator: Emulator, operation: str) -> int:
    return sum(1 for r in emulator.requests if r["operation"] == operation and r["status"] == 200)


def test_search_all_resources_pages_over_three_pages(gcp_emulator: Emulator) -> None:
    gcp_emulator.load(estate_with_instances(5))
    results = list(
        asset_client().search_all_resources(
            request={"scope": "projects/prod-app", "asset_types": ["compute.googleapis.com/Instance"], "page_size": 2}
        )
    )
    assert sorted(r.display_name for r in results) == [f"vm-{i}" for i in range(5)]
    assert {r.project for r in results} == {PROD_NUMBER}
    assert list(results[0].folders) == [FOLDER]
    assert pages_of(gcp_emulator, "cloudasset.assets.searchAllResources") == 3


def test_search_query_terms_and_asset_type_patterns(gcp_emulator: Emulator) -> None:
    gcp_emulator.load(estate_with_instances(2))
    results = asset_client().search_all_resources(
        request={"scope": ORG, "asset_types": ["compute.googleapis.com.*"], "query": "state:RUNNING location:europe-west2-*"}
    )
    assert sorted(r.display_name for r in results) == ["scratch", "vm-0", "vm-1"]
    with pytest.raises(exceptions.BadRequest):
        list(asset_client().search_all_resources(request={"scope": ORG, "query": "NOT (state:RUNNING)"}))


def test_list_assets_serves_each_content_type(gcp_emulator: Emulator) -> None:
    gcp_emulator.load(estate_with_instances(1))
    client = asset_client()
    buckets = list(
        client.list_assets(request={"parent": ORG, "content_type": "RESOURCE", "asset_types": ["storage.googleapis.com/Bucket"]})
    )
    assert [b.resource.data["versioning"]["enabled"] for b in buckets] == [True]
    policies = list(client.list_assets(request={"parent": ORG, "content_type": "IAM_POLICY"}))
    assert [(p.name.rsplit("/", 1)[-1], p.iam_policy.bindings[0].role) for p in policies] == [("100000000001", "roles/owner")]
    org_policies = list(client.list_assets(request={"parent": ORG, "content_type": "ORG_POLICY"}))
    assert [p.constraint for p in org_policies[0].org_policy] == [
        "constraints/iam.disableServiceAccountKeyCreation",
        "constraints/gcp.resourceLocations",
    ]
    operations = [r["operation"] for r in gcp_emulator.requests if r["path"].endswith("/assets")]
    assert operations == ["cloudasset.assets.listResource", "cloudasset.assets.listIamPolicy", "cloudasset.assets.listOrgPolicy"]


def test_search_all_iam_policies(gcp_emulator: Emulator) -> None:
    gcp_emulator.load(estate_with_instances(0))
    results = list(asset_client().search_all_iam_policies(request={"scope": ORG, "query": "policy:ada@example.org"}))
    assert [(r.project, r.policy.bindings[1].members[0]) for r in results] == [(PROD_NUMBER, "user:ada@example.org")]


def test_resource_manager_and_other_rest_apis_through_google_auth(gcp_emulator: Emulator) -> None:
    gcp_emulator.load(estate_with_instances(0))
    gcp_emulator.page_size = 1
    base, http = os.environ["CMM_SCAN_GCP_ENDPOINT"], session()
    projects, token = [], None
    while True:
        page = http.get(f"{base}/v3/projects:search", params={"pageToken": token} if token else {}).json()
        projects += page["projects"]
        token = page.get("nextPageToken")
        if not token:
            break
    assert [(p["projectId"], p["parent"]) for p in projects] == [("prod-app", FOLDER), ("sandbox-1", ORG)]
    folders = http.get(f"{base}/v3/folders", params={"parent": ORG}).json()["folders"]
    assert [f["displayName"] for f in folders] == ["platform"]
    orgs = http.get(f"{base}/v3/organizations:search").json()["organizations"]
    assert [(o["name"], o["directoryCustomerId"]) for o in orgs] == [(ORG, "C00example")]
    assert http.post(f"{base}/v3/projects/prod-app:getIamPolicy").json()["bindings"][0]["role"] == "roles/owner"
    budgets = http.get(f"{base}/v1/billingAccounts/012345-6789AB-CDEF01/budgets").json()["budgets"]
    assert [b["displayName"] for b in budgets] == ["Monthly platform budget"]
    missing = http.get(f"{base}/v1/billingAccounts/012345-6789AB-CDEF01/nothing")
    assert (missing.status_code, missing.json()["error"]["status"]) == (404, "NOT_FOUND")
    assert gcp_emulator.operations()[0] == "oauth2/token", "google-auth fetched its token from the key file's token_uri"


def test_a_denied_folder_is_refused_below_it_and_left_out_above_it(gcp_emulator: Emulator) -> None:
    gcp_emulator.load(estate_with_instances(2, faults={"deny": [{"scope": FOLDER}]}))
    with pytest.raises(exceptions.Forbidden) as denied:
        list(asset_client().search_all_resources(request={"scope": "projects/prod-app"}))
    assert denied.value.code == 403
    assert denied.value.response.json()["error"]["status"] == "PERMISSION_DENIED"
    visible = asset_client().search_all_resources(request={"scope": ORG, "asset_types": ["compute.googleapis.com/Instance"]})
    assert [r.display_name for r in visible] == ["scratch"]


def test_throttling_succeeds_on_retry(gcp_emulator: Emulator) -> None:
    gcp_emulator.load(estate_with_instances(5, faults={"seed": 11, "throttle": 0.5}))
    gcp_emulator.page_size = 2
    retrying = retry.Retry(predicate=retry.if_exception_type(exceptions.TooManyRequests), initial=0.01, maximum=0.01, timeout=30)
    results = list(
        asset_client().search_all_resources(request={"scope": ORG, "asset_types": ["compute.googleapis.com/Instance"]}, retry=retrying)
    )
    assert len(results) == 6
    statuses = [r["status"] for r in gcp_emulator.requests if r["operation"] == "cloudasset.assets.searchAllResources"]
    assert 429 in statuses, "seed 11 throttles at least one page"
    assert statuses.count(200) == 3


def test_requests_without_the_emulators_credentials_are_refused(gcp_emulator: Emulator) -> None:
    import requests

    gcp_emulator.load(estate_with_instances(0))
    url = f"{gcp_emulator.url}/v1/{ORG}:searchAllResources"
    for headers in ({}, {"Authorization": "Bearer ya29.someone-elses"}):
        refused = requests.get(url, headers=headers, timeout=10)
        assert (refused.status_code, refused.json()["error"]["status"]) == (401, "UNAUTHENTICATED")
