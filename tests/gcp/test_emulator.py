"""The GCP emulator against Google's own clients: google-cloud-asset (REST transport) with Application
Default Credentials from the emulator's throwaway key file, and google-auth's AuthorizedSession."""

from __future__ import annotations

import pytest
from google.api_core import exceptions, retry
from google.api_core.client_options import ClientOptions

from cmm_scan.emulate.core import Emulator as Server
from tests.gcp import estates


def asset_client(server: Server):
    import google.auth
    from google.cloud import asset_v1

    credentials, _ = google.auth.default(scopes=["https://www.googleapis.com/auth/cloud-platform"])
    return asset_v1.AssetServiceClient(credentials=credentials, transport="rest", client_options=ClientOptions(api_endpoint=server.url))


def big_estate(count: int = 25) -> dict:
    estate = estates.org_estate()
    estate["assets"] = [estates.instance(f"app-{1 + i % 4}", f"vm-{i}") for i in range(count)]
    return estate


def test_search_all_resources_pages_to_the_end_with_adc(gcp_emulator: Server) -> None:
    gcp_emulator.page_size = 10
    gcp_emulator.load(big_estate(25))
    client = asset_client(gcp_emulator)
    results = list(client.search_all_resources(request={"scope": estates.ORG, "asset_types": ["compute.googleapis.com/Instance"]}))
    assert len(results) == 25
    assert {r.project for r in results} == {f"projects/{1000 + i}" for i in range(1, 5)}
    assert results[0].location == "europe-west2-a" and results[0].labels["env"] == "prod"
    searches = [r for r in gcp_emulator.requests if r["operation"] == "cloudasset.assets.searchAllResources"]
    assert len(searches) == 3 and all(r["status"] == 200 for r in searches)
    # GAPIC clients sign their own JWT with the key file (self-signed JWT): no token request, yet authenticated


def test_list_assets_by_content_type_and_folder_scope(gcp_emulator: Server) -> None:
    from google.cloud import asset_v1

    estate = big_estate(8)
    estate["assets"].append(
        estates.asset(
            "//cloudresourcemanager.googleapis.com/projects/1001",
            "cloudresourcemanager.googleapis.com/Project",
            {"projectId": "app-1"},
            iamPolicy={"bindings": [{"role": "roles/owner", "members": ["user:a@example.gov.uk"]}]},
            orgPolicy=[{"constraint": "constraints/iam.disableServiceAccountKeyCreation", "booleanPolicy": {"enforced": True}}],
        )
    )
    gcp_emulator.page_size = 3
    gcp_emulator.load(estate)
    client = asset_client(gcp_emulator)
    resources = list(client.list_assets(request={"parent": "folders/11", "content_type": asset_v1.ContentType.RESOURCE}))
    # folders/11 holds app-2 and app-4; instances vm-1, vm-3, vm-5, vm-7 live there
    assert sorted(a.name.rsplit("/", 1)[-1] for a in resources if a.asset_type.endswith("Instance")) == ["vm-1", "vm-3", "vm-5", "vm-7"]
    assert resources[0].ancestors[-1] == estates.ORG
    iam = list(client.list_assets(request={"parent": estates.ORG, "content_type": asset_v1.ContentType.IAM_POLICY}))
    assert [a.iam_policy.bindings[0].role for a in iam] == ["roles/owner"]
    org = list(client.list_assets(request={"parent": "projects/app-1", "content_type": asset_v1.ContentType.ORG_POLICY}))
    assert org[0].org_policy[0].boolean_policy.enforced is True
    policies = list(client.search_all_iam_policies(request={"scope": estates.ORG, "query": "policy:roles/owner"}))
    assert [p.resource for p in policies] == ["//cloudresourcemanager.googleapis.com/projects/1001"]


def test_denied_project_is_permission_denied(gcp_emulator: Server) -> None:
    estate = big_estate(4)
    estate["faults"] = {"deny": [{"scope": "projects/app-2"}]}
    gcp_emulator.load(estate)
    client = asset_client(gcp_emulator)
    with pytest.raises(exceptions.Forbidden):
        list(client.search_all_resources(request={"scope": "projects/1002"}))
    assert len(list(client.search_all_resources(request={"scope": "projects/app-1"}))) == 1


def test_throttling_succeeds_on_retry(gcp_emulator: Server) -> None:
    estate = big_estate(4)
    estate["faults"] = {"seed": 1, "throttle": {"share": 0.5, "retry_after": 0, "operations": ["cloudasset.*"]}}
    gcp_emulator.load(estate)
    client = asset_client(gcp_emulator)
    again = retry.Retry(predicate=retry.if_exception_type(exceptions.TooManyRequests), initial=0.01, maximum=0.05, timeout=10)
    assert len(list(client.search_all_resources(request={"scope": estates.ORG}, retry=again))) == 4
    statuses = [r["status"] for r in gcp_emulator.requests if r["operation"] == "cloudasset.assets.searchAllResources"]
    assert statuses[-1] == 200 and 429 in statuses, statuses


def test_disabled_api_says_service_disabled(gcp_emulator: Server) -> None:
    import google.auth
    from google.auth.transport.requests import AuthorizedSession

    estate = estates.org_estate()
    estate["rest"] = {"/v1/projects/app-1/triggers": {"triggers": [{"id": "t1", "name": "deploy"}]}}
    estate["disabled_apis"] = [{"service": "cloudbuild.googleapis.com", "projects": ["app-3"]}]
    gcp_emulator.load(estate)
    credentials, _ = google.auth.default(scopes=["https://www.googleapis.com/auth/cloud-platform"])
    session = AuthorizedSession(credentials)
    ok = session.get(f"{gcp_emulator.url}/v1/projects/app-1/triggers")
    assert gcp_emulator.requests[0]["operation"] == "oauth2.token", "ADC fetched its token from the emulator's token_uri"
    assert ok.status_code == 200 and ok.json()["triggers"][0]["name"] == "deploy"
    off = session.get(f"{gcp_emulator.url}/v1/projects/app-3/triggers")
    error = off.json()["error"]
    assert off.status_code == 403 and error["status"] == "PERMISSION_DENIED"
    assert error["details"][0]["reason"] == "SERVICE_DISABLED" and error["details"][0]["metadata"]["consumer"] == "projects/1003"


def test_resource_manager_views(gcp_emulator: Server) -> None:
    import google.auth
    from google.auth.transport.requests import AuthorizedSession

    gcp_emulator.page_size = 4
    gcp_emulator.load(estates.org_estate(6))
    credentials, _ = google.auth.default(scopes=["https://www.googleapis.com/auth/cloud-platform"])
    session = AuthorizedSession(credentials)
    first = session.get(f"{gcp_emulator.url}/v3/projects:search", params={"query": "state:ACTIVE"}).json()
    assert len(first["projects"]) == 4 and first["nextPageToken"]
    second = session.get(f"{gcp_emulator.url}/v3/projects:search", params={"pageToken": first["nextPageToken"]}).json()
    assert len(second["projects"]) == 2 and "nextPageToken" not in second
    folders = session.get(f"{gcp_emulator.url}/v3/folders", params={"parent": estates.ORG}).json()["folders"]
    assert [f["displayName"] for f in folders] == ["prod", "dev"]
    orgs = session.get(f"{gcp_emulator.url}/v3/organizations:search").json()["organizations"]
    assert orgs[0]["name"] == estates.ORG
    unauthenticated = __import__("requests").get(f"{gcp_emulator.url}/v3/organizations:search")
    assert unauthenticated.status_code == 401 and unauthenticated.json()["error"]["status"] == "UNAUTHENTICATED"


def test_example_estate_loads_and_scans(gcp_emulator) -> None:
    """The documented example (fixtures/emulator/gcp-example.yaml) is served as written and scanned."""
    from pathlib import Path

    from cmm_scan.paths import bundled
    from tests.gcp.support import scan

    gcp_emulator.load(Path(bundled("fixtures")) / "emulator" / "gcp-example.yaml")
    result = scan(["compute.instance", "storage.bucket", "monitoring.alarm", "cicd.build_project"])
    assert {f.attributes["autoscaled"] for f in result.of("compute.instance")} == {True}
    assert result.one("storage.bucket", "shop-prod-orders")["data_classification"] == "official"
    statuses = {(c.collector, c.scope): c.status for c in result.coverage}
    assert statuses[("monitoring.alert_policies", "shop-dev")] == "denied"
    assert statuses[("cloudbuild.triggers", "shop-dev")] == "denied"
    assert statuses[("monitoring.alert_policies", "shop-prod")] == "ok"


def test_malformed_estate_names_file_line_and_path(tmp_path) -> None:
    import pytest as _pytest

    from cmm_scan.emulate import provider
    from cmm_scan.emulate.core import load_estate
    from cmm_scan.errors import UserError

    bad = tmp_path / "bad.yaml"
    bad.write_text("provider: gcp\nprojects:\n  - name: projects/1\n    parent: folders/1\n", encoding="utf-8")
    with _pytest.raises(UserError) as caught:
        load_estate(provider("gcp"), bad)
    assert "bad.yaml:3" in caught.value.message and "projects.0.projectId" in caught.value.message
