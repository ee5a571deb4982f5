"""Who or what changes each project (activity.changes) from the Admin Activity audit log: one entries:list for a
group of projects, one fact per project (0 where nothing changed), Google's own service agents left out, and a
refused project unknown while the others are read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.gcp import estates
from tests.gcp.support import scan

RECENT = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
OLD = (datetime.now(UTC) - timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")


def entry(project: str, principal: str, agent: str = "", when: str = RECENT, via: str = "") -> dict:
    auth: dict = {"principalEmail": principal}
    if via:
        auth["serviceAccountDelegationInfo"] = [{"principalSubject": via}]
    return {
        "logName": f"projects/{project}/logs/cloudaudit.googleapis.com%2Factivity",
        "timestamp": when,
        "protoPayload": {
            "authenticationInfo": auth,
            "requestMetadata": {"callerSuppliedUserAgent": agent},
            "methodName": "v1.compute.instances.insert",
        },
    }


def activity_estate() -> dict:
    estate = estates.org_estate()
    github = "principal://iam.googleapis.com/projects/1001/locations/global/workloadIdentityPools/github/subject/repo:dept/app"
    estate["log_entries"] = [
        entry("app-1", "ada@example.gov.uk", "Mozilla/5.0 (X11; Linux x86_64),gzip(gfe)"),
        entry("app-1", "ada@example.gov.uk", "Terraform/1.9.0 terraform-provider-google/6.0"),
        entry("app-1", "deployer@app-1.iam.gserviceaccount.com", "Terraform/1.9.0 terraform-provider-google/6.0", via=github),
        entry("app-1", "1001@cloudbuild.gserviceaccount.com", "google-cloud-sdk gcloud/500.0.0"),
        entry("app-1", "bob@example.gov.uk", "google-cloud-sdk gcloud/500.0.0"),
        entry("app-1", "service-1001@compute-system.iam.gserviceaccount.com", "GCE Managed Instance Group"),  # autoscaling
        entry("app-1", "ada@example.gov.uk", "Mozilla/5.0", when=OLD),  # outside the window
        entry("app-2", "carol@example.gov.uk", "Mozilla/5.0"),
    ]
    return estate


def test_changes_counted_per_project_from_one_read(gcp) -> None:
    gcp.load(activity_estate())
    result = scan(["activity.changes"], organization="100")
    found = {f.scope: f.attributes for f in result.of("activity.changes")}
    assert found["app-1"] == {"window_days": 7, "total": 5, "console": 1, "iac": 2, "pipeline": 1, "cicd_identity": 2, "other": 1}
    assert found["app-2"]["total"] == 1 and found["app-2"]["console"] == 1
    assert found["app-3"]["total"] == 0 and found["app-4"]["total"] == 0, "no entries: nothing changed, a known 0"
    assert len([r for r in gcp.requests if r["path"] == "/v2/entries:list"]) == 1, "four projects, one read"
    assert {c.status for c in result.coverage} == {"ok"}


def test_a_refused_project_is_unknown_and_the_others_read(gcp) -> None:
    estate = activity_estate()
    estate["faults"] = {"deny": [{"scope": "projects/app-2", "operation": "logging.logEntries.list"}]}
    gcp.load(estate)
    result = scan(["activity.changes"], organization="100")
    assert {f.scope for f in result.of("activity.changes")} == {"app-1", "app-3", "app-4"}
    assert {c.scope: c.status for c in result.coverage} == {"app-1": "ok", "app-2": "denied", "app-3": "ok", "app-4": "ok"}
