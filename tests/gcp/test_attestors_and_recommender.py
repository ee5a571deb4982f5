"""Binary Authorization attestors (artifact.signing_profile, from the inventory) and the IAM recommender
(security.service of kind access_analysis: once for a whole organisation, else per project; a refusal stays
unknown)."""

from __future__ import annotations

from tests.gcp import estates
from tests.gcp.support import scan

POLICY = {
    "name": "projects/app-1/policy",
    "defaultAdmissionRule": {
        "evaluationMode": "REQUIRE_ATTESTATION",
        "enforcementMode": "ENFORCED_BLOCK_AND_AUDIT_LOG",
        "requireAttestationsBy": ["projects/app-1/attestors/built-by-cloud-build"],
    },
    "clusterAdmissionRules": {
        "europe-west2.staging": {
            "evaluationMode": "REQUIRE_ATTESTATION",
            "enforcementMode": "DRYRUN_AUDIT_LOG_ONLY",
            "requireAttestationsBy": ["projects/app-1/attestors/security-review"],
        }
    },
}


def test_attestors_a_policy_requires(gcp) -> None:
    estate = estates.org_estate()
    estate["assets"] = [
        estates.asset(
            "//binaryauthorization.googleapis.com/projects/app-1/policy",
            "binaryauthorization.googleapis.com/Policy",
            POLICY,
            parent="//cloudresourcemanager.googleapis.com/projects/1001",
        ),
        estates.asset(
            "//binaryauthorization.googleapis.com/projects/app-2/policy",
            "binaryauthorization.googleapis.com/Policy",
            {"name": "projects/app-2/policy", "defaultAdmissionRule": {"evaluationMode": "ALWAYS_ALLOW"}},
            parent="//cloudresourcemanager.googleapis.com/projects/1002",
        ),
    ]
    gcp.load(estate)
    result = scan(["artifact.signing_profile"], organization="100")
    found = {(f.scope, f.resource_id): f.attributes for f in result.of("artifact.signing_profile")}
    assert found == {
        ("app-1", "projects/app-1/attestors/built-by-cloud-build"): {"platform": "binary_authorization", "status": "Active"},
        ("app-1", "projects/app-1/attestors/security-review"): {"platform": "binary_authorization", "status": "DryRun"},
    }
    assert {c.status for c in result.coverage} == {"ok"}
    reads = [r for r in gcp.requests if r["operation"] == "cloudasset.assets.listResource"]
    assert len(reads) == 1, "from the inventory: no request per project"


def test_iam_recommender_per_project(gcp) -> None:
    estate = estates.org_estate()
    estate["faults"] = {"deny": [{"scope": "projects/app-2", "operation": "* v1/projects/*/locations/*/recommenders/*/recommendations"}]}
    gcp.load(estate)
    result = scan(["security.service"], projects="app-1,app-2")  # a project subset: read in each project
    (recommender,) = [f for f in result.of("security.service") if f.attributes["kind"] == "access_analysis"]
    assert recommender.scope == "app-1" and recommender.attributes["enabled"] is True
    assert {c.scope: c.status for c in result.coverage if c.collector == "recommender.iam"} == {"app-1": "ok", "app-2": "denied"}


def test_iam_recommender_read_once_for_a_whole_organisation(gcp) -> None:
    gcp.load(estates.org_estate())
    result = scan(["security.service"], organization="100")
    (recommender,) = [f for f in result.of("security.service") if f.attributes["kind"] == "access_analysis"]
    assert recommender.scope == "organizations/100" and recommender.resource_id.startswith("organizations/100/")
    assert len([r for r in gcp.requests if "recommendations" in r["path"]]) == 1
