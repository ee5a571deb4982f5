"""Golden GCP estates for artefact stores: an Artifact Registry repository whose own IAM policy lets another
project's workloads pull is one store serving several environments (artifact.repository shared_pull)."""

from __future__ import annotations

from typing import Any

from tests.aws.estates import explain
from tests.gcp import estates
from tests.gcp.support import answer, scan


def repository(readers: list[str]) -> dict[str, Any]:
    name = "projects/app-1/locations/europe-west2/repositories/images"
    repo = estates.asset(
        f"//artifactregistry.googleapis.com/{name}",
        "artifactregistry.googleapis.com/Repository",
        {"name": name, "format": "DOCKER", "dockerConfig": {"immutableTags": True}},
        location="europe-west2",
        parent="//cloudresourcemanager.googleapis.com/projects/1001",
    )
    if readers:
        repo["iamPolicy"] = {"bindings": [{"role": "roles/artifactregistry.reader", "members": readers}]}
    return repo


def artefact_estate(readers: list[str]) -> dict[str, Any]:
    estate = estates.org_estate()
    estate["assets"] = [repository(readers)]
    return estate


def test_who_may_pull_decides_whether_a_repository_is_shared(gcp) -> None:
    cases = {
        "another project's workload": (["serviceAccount:runtime@app-2.iam.gserviceaccount.com"], True),
        "the whole domain": (["domain:example.gov.uk"], True),
        "its own project's compute": (["serviceAccount:1001-compute@developer.gserviceaccount.com"], False),
        "people only": (["group:developers@example.gov.uk"], False),
        "no policy of its own": ([], False),
    }
    for case, (readers, shared) in cases.items():
        gcp.load(artefact_estate(readers))
        [repo] = scan(["artifact.repository"], organization="100").of("artifact.repository")
        assert repo.attributes["shared_pull"] is shared, case


def test_one_store_pulled_by_other_environments_saves_artefacts(gcp, tmp_path) -> None:
    """gov.build_artefacts: app-2's workloads pull the images app-1 builds, so level 3 'We save artefacts, sometimes
    with version control, but there's no focus on making them secure or unchangeable.' is shown as a floor (whether
    dependencies are locked down and signed is for a person or the repositories scan)."""
    gcp.load(artefact_estate(["serviceAccount:runtime@app-2.iam.gserviceaccount.com"]))
    result = answer(tmp_path, "gov.build_artefacts", organization="100")
    assert result.status == "floor" and result.answer == 3, explain(result)


def test_refused_repository_policies_leave_sharing_unknown(gcp, tmp_path) -> None:
    estate = artefact_estate(["serviceAccount:runtime@app-2.iam.gserviceaccount.com"])
    estate["faults"] = {"deny": [{"operation": "cloudasset.assets.listIamPolicy"}]}
    gcp.load(estate)
    [repo] = scan(["artifact.repository"], organization="100").of("artifact.repository")
    assert repo.attributes["shared_pull"] is None and repo.attributes["tag_immutable"] is True
    result = answer(tmp_path, "gov.build_artefacts", organization="100")
    assert result.answer == 0, explain(result)
