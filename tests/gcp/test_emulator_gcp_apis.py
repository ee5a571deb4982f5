"""What the GCP adapter adds to the GCP emulator: APIs not enabled (SERVICE_DISABLED, Google's shape) and
lists of known APIs that the estate does not mention (empty, as Google answers); the documented example
estate scanned as written."""

from __future__ import annotations

from pathlib import Path

import google.auth
from google.auth.transport.requests import AuthorizedSession

from tests.gcp import estates
from tests.gcp.support import scan

EXAMPLE = Path(__file__).resolve().parents[2] / "fixtures" / "emulator" / "gcp-example.yaml"


def session() -> AuthorizedSession:
    credentials, _ = google.auth.default(scopes=["https://www.googleapis.com/auth/cloud-platform"])
    return AuthorizedSession(credentials)


def test_disabled_api_says_service_disabled(gcp) -> None:
    estate = estates.org_estate()
    estate["rest"] = {"/v1/projects/app-1/triggers": {"triggers": [{"id": "t1", "name": "deploy"}]}}
    estate["disabled_apis"] = [{"service": "cloudbuild.googleapis.com", "projects": ["app-3"]}]
    gcp.load(estate)
    ok = session().get(f"{gcp.url}/v1/projects/app-1/triggers")
    assert ok.status_code == 200 and ok.json()["triggers"][0]["name"] == "deploy"
    off = session().get(f"{gcp.url}/v1/projects/1003/triggers")  # by number too
    error = off.json()["error"]
    assert off.status_code == 403 and error["status"] == "PERMISSION_DENIED"
    assert error["details"][0]["reason"] == "SERVICE_DISABLED" and error["details"][0]["metadata"]["consumer"] == "projects/1003"


def test_unmentioned_list_of_a_known_api_is_empty(gcp) -> None:
    gcp.load(estates.org_estate())
    empty = session().get(f"{gcp.url}/v3/projects/app-2/alertPolicies")
    assert empty.status_code == 200 and empty.json() == {}
    unknown = session().get(f"{gcp.url}/v1/projects/app-2/notAnApi")
    assert unknown.status_code == 404 and unknown.json()["error"]["status"] == "NOT_FOUND"


def test_example_estate_scans_as_written(gcp) -> None:
    gcp.load(EXAMPLE)
    result = scan(["compute.autoscaling_group", "storage.bucket", "org.policy", "cost.budget"])
    group = result.one("compute.autoscaling_group", "/web")
    assert group["dynamic"] is True and group["metric_kinds"] == ["cpu"]
    bucket = result.one("storage.bucket", "prod-app-assets")
    assert bucket["versioning"] == "Enabled" and bucket["public_access_blocked"] is True
    assert {f.attributes["denies_actions"][0] for f in result.of("org.policy")} == {
        "iam.disableServiceAccountKeyCreation",
        "gcp.resourceLocations",
    }
