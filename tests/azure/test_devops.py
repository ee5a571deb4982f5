"""Azure DevOps (--devops-org): YAML pipelines, the test tasks of their latest run, the environments they deployed
to and those environments' approvals, read through azure-core from the emulator's dev.azure.com routes. Without
--devops-org nothing is read (not collected, never "none"); a refused read leaves the evidence unknown, never lower."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tests.azure.support import scan, tenant_estate
from tests.support.estate import Estate

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "fixtures" / "emulator" / "azure-demo.yaml"
PROJECT = "5e0c0000-0000-4000-8000-000000000001"
BASE = f"acme/{PROJECT}/_apis"


def definition(did: int, name: str, build: int | None) -> dict[str, Any]:
    found: dict[str, Any] = {"id": did, "name": name, "type": "build", "repository": {"type": "GitHub", "name": name}}
    if build is not None:
        found["latestBuild"] = {"id": build, "status": "completed", "result": "succeeded"}
    return found


def task(name: str) -> dict[str, Any]:
    return {"type": "Task", "name": name, "result": "succeeded", "task": {"id": name, "name": name, "version": "2.0.0"}}


def record(rid: int, env: int, did: int) -> dict[str, Any]:
    return {"id": rid, "environmentId": env, "stageName": "Deploy", "jobName": "Deploy", "definition": {"id": did, "name": str(did)}}


def organisation() -> dict[str, Any]:
    """`api` tests (VSTest) and deploys to production behind an approval; `infra` deploys to dev with no test and a
    business-hours check only; `docs` has never run."""
    return {
        "acme/_apis/projects": [{"id": PROJECT, "name": "shop"}],
        f"{BASE}/build/definitions": [definition(1, "api", 101), definition(2, "infra", 201), definition(3, "docs", None)],
        f"{BASE}/build/builds/101/timeline": {"records": [{"type": "Stage", "name": "Build"}, task("VSTest"), task("AzureWebApp")]},
        f"{BASE}/build/builds/201/timeline": {"records": [{"type": "Stage", "name": "Apply"}, task("TerraformTaskV4")]},
        f"{BASE}/distributedtask/environments": [
            {"id": 7, "name": "production", "project": {"id": PROJECT}},
            {"id": 8, "name": "dev", "project": {"id": PROJECT}},
        ],
        f"{BASE}/pipelines/checks/configurations": [
            {"id": 1, "type": {"name": "Approval"}, "resource": {"type": "environment", "id": "7"}},
            {"id": 2, "type": {"name": "Task Check"}, "resource": {"type": "environment", "id": "8"}},
        ],
        f"{BASE}/distributedtask/environments/7/environmentdeploymentrecords": [record(1, 7, 1)],
        f"{BASE}/distributedtask/environments/8/environmentdeploymentrecords": [record(2, 8, 2)],
    }


def test_pipelines_tests_deployments_and_approvals(azure) -> None:
    azure.load(tenant_estate(devops=organisation()))
    result = scan(["cicd.pipeline"], devops_orgs="acme")
    api = result.one("cicd.pipeline", f"/{PROJECT}/_apis/build/definitions/1")
    assert api == {
        "stages": 1,
        "source_provider": "GitHub",
        "has_build": True,
        "has_test": True,
        "has_deploy": True,
        "has_manual_approval": True,
        "deploy_targets": ["production"],
    }
    infra = result.one("cicd.pipeline", f"/{PROJECT}/_apis/build/definitions/2")
    assert (infra["has_test"], infra["has_deploy"], infra["has_manual_approval"]) == (False, True, False)
    docs = result.one("cicd.pipeline", f"/{PROJECT}/_apis/build/definitions/3")
    assert (docs["has_build"], docs["has_test"], docs["has_deploy"]) == (False, False, False)  # never ran, never deployed


def test_every_page_of_pipelines_is_read(azure) -> None:
    """Azure DevOps pages with the x-ms-continuationtoken header: 250 pipelines (100 a page) are 250 facts."""
    org = organisation()
    org[f"{BASE}/build/definitions"] = [definition(n, f"svc{n}", None) for n in range(1, 251)]
    azure.load(tenant_estate(devops=org))
    result = scan(["cicd.pipeline"], devops_orgs="acme")
    assert len(result.of("cicd.pipeline")) == 250
    lists = [r for r in azure.http_requests() if r["path"].endswith("/build/definitions")]
    assert len(lists) == 3


def test_without_an_organisation_nothing_is_read(azure) -> None:
    azure.load(tenant_estate(devops=organisation()))
    result = scan(["cicd.pipeline"])
    assert result.of("cicd.pipeline") == []
    assert not [c for c in result.coverage if c.collector.startswith("azure.devops")]  # not collected, not "none"


def test_refused_environments_leave_deploy_qa_unknown_never_lower(azure, tmp_path: Path) -> None:
    """The demo tenant with its environments refused (403): CI/CD identities still made most writes, so "By hand, on
    a schedule." (1) and "Some automation, but most deployments are manual and rare." (2) stay ruled out, but whether
    the pipeline deploys is unknown, so "Integrated approach, with some automation and regular checks." (3) is no
    longer shown: the answer widens to the range 3-5, never drops below 3."""
    estate = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    estate["faults"] = {"deny": [{"operation": "devops/*/_apis/distributedtask/environments"}]}
    azure.load(estate)
    result = scan(["cicd.pipeline", "activity.changes"], devops_orgs="dept")
    (pipeline,) = result.of("cicd.pipeline")
    assert pipeline.attributes["has_test"] is True
    assert (pipeline.attributes["has_deploy"], pipeline.attributes["has_manual_approval"]) == (None, None)
    assert "denied" in {c.status for c in result.coverage if c.collector.startswith("azure.devops_pipelines")}
    shown = Estate(provider="azure")
    shown.facts, shown.coverage = result.facts, result.coverage
    answer = shown.score(tmp_path, "ops.deploy_qa")
    assert (answer.status, answer.possible_levels) == ("range", [3, 4, 5])


VSTEST = "ef087383-ee5e-42c7-9a53-ab56c98420f9"


def release_stage(name: str, tasks: list[str], approvers: int) -> dict[str, Any]:
    approvals = [{"rank": n + 1, "isAutomated": False, "approver": {"displayName": f"approver{n}"}} for n in range(approvers)]
    return {
        "id": len(name),
        "name": name,
        "deployPhases": [
            {"phaseType": "agentBasedDeployment", "workflowTasks": [{"taskId": t, "name": t, "enabled": True} for t in tasks]}
        ],
        "preDeployApprovals": {"approvals": approvals or [{"rank": 1, "isAutomated": True}]},
    }


def test_classic_releases_tests_and_pre_deployment_approvals(azure) -> None:
    """A classic release read whole from vsrm.dev.azure.com: `legacy` runs VSTest in QA and needs an approver before
    production; `hotfix` deploys straight away with no test."""
    org = organisation()
    legacy = {"id": 4, "name": "legacy", "environments": [release_stage("qa", [VSTEST], 0), release_stage("production", ["deploy"], 1)]}
    hotfix = {"id": 5, "name": "hotfix", "environments": [release_stage("production", ["deploy"], 0)]}
    org[f"{BASE}/release/definitions"] = [{"id": 4, "name": "legacy"}, {"id": 5, "name": "hotfix"}]
    org[f"{BASE}/release/definitions/4"] = legacy
    org[f"{BASE}/release/definitions/5"] = hotfix
    azure.load(tenant_estate(devops=org))
    result = scan(["cicd.pipeline"], devops_orgs="acme")
    assert result.one("cicd.pipeline", "/_apis/release/definitions/4") == {
        "stages": 2,
        "has_build": False,
        "has_test": True,
        "has_deploy": True,
        "has_manual_approval": True,
        "deploy_targets": ["qa", "production"],
    }
    hot = result.one("cicd.pipeline", "/_apis/release/definitions/5")
    assert (hot["has_test"], hot["has_deploy"], hot["has_manual_approval"]) == (False, True, False)
    assert len(result.of("cicd.pipeline")) == 5  # three YAML pipelines, two releases
