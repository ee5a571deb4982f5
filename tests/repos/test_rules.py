"""Golden estates: real repositories (built by the tests, scanned by `cmm-scan collect repos`) scored alone
and pooled with a cloud snapshot. The expected level is quoted from its level text in each docstring."""

from __future__ import annotations

from pathlib import Path

import pytest

from cmm_scan.cli import main
from cmm_scan.engine import evaluate
from cmm_scan.models import QuestionResult
from tests.repos.gitbuild import Repo
from tests.rules import GoldenEstate
from tests.support.estate import _all_rules

SHA = "b4ffde65f46336ab88eb53be808477a3936bae11"


def workflow(*runs: str, uses: tuple[str, ...] = ()) -> str:
    steps = "".join(f"      - uses: {u}@{SHA}\n" for u in uses) + "".join(f"      - run: {r}\n" for r in runs)
    return f"on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n{steps}"


def trunk(root: Path, name: str, files: dict[str, str] | None = None, features: int = 4) -> Path:
    """GitHub Flow: main plus short branches merged through pull requests, active in the last 90 days."""
    repo = Repo(root / name).commits("main", 12, first_days_ago=300, last_days_ago=120)
    if files:
        repo.commit("main", files, days_ago=70)
    for i in range(features):
        repo.feature(f"feature/{name}-{i}", days_ago=60 - i * 10, pr=i + 1)
    return repo.build()


def gitflow(root: Path, name: str) -> Path:
    repo = Repo(root / name).commits("main", 12, first_days_ago=300, last_days_ago=200)
    repo.branch("develop", "main")
    for i in range(3):
        repo.feature(f"feature/{name}-{i}", into="develop", days_ago=80 - i * 20)
        repo.branch(f"release/{i}", "develop").commit(f"release/{i}", days_ago=75 - i * 20)
        repo.merge(f"release/{i}", into="main", days_ago=74 - i * 20).merge(f"release/{i}", into="develop", days_ago=73 - i * 20)
    return repo.build()


def environments(root: Path, name: str) -> Path:
    repo = Repo(root / name).commits("main", 12, first_days_ago=300, last_days_ago=200)
    repo.branch("dev", "main").branch("staging", "main")
    for i in range(3):
        repo.commit("dev", days_ago=60 - i * 10).merge("dev", into="staging", days_ago=59 - i * 10).merge(
            "staging", into="main", days_ago=58 - i * 10
        )
    return repo.build()


def collect_repos(root: Path, out: Path) -> Path:
    snapshot = out / "repos.snapshot.jsonl"
    assert main(["collect", "repos", str(root), "--output", str(snapshot), "-q"]) == 0
    return snapshot


def score(snapshots: list[Path], rule_id: str) -> QuestionResult:
    rules = [r for r in _all_rules(()) if r.id == rule_id]
    (result,) = evaluate(snapshots, rules).results
    return result


# --- gov.version_control ---------------------------------------------------------------


def test_textbook_gitflow_is_level_4(tmp_path):
    """'We follow a recognised strategy suited to complex projects (such as GitFlow).' (4)"""
    for name in ("billing", "ledger"):
        gitflow(tmp_path / "src", name)
    result = score([collect_repos(tmp_path / "src", tmp_path)], "gov.version_control")
    assert (result.status, result.suggested_level, result.answer) == ("suggested", 4, 4)
    assert "GitFlow as written" in result.because and "100% (2 of 2)" in result.because


def test_adapted_strategies_are_level_3(tmp_path):
    """'We use a recognised strategy (like GitFlow or GitHubFlow), with changes to better suit us.' (3):
    trunk-based with maintained release branches, and GitFlow beside a home-made model."""
    repo = Repo(tmp_path / "src" / "api").commits("main", 12, first_days_ago=300, last_days_ago=120)
    repo.branch("release/2.x", "main").commit("release/2.x", days_ago=20)
    for i in range(3):
        repo.feature(f"feature/{i}", days_ago=60 - i * 10)
    repo.build()
    gitflow(tmp_path / "src", "billing")
    environments(tmp_path / "src", "web")
    result = score([collect_repos(tmp_path / "src", tmp_path)], "gov.version_control")
    assert (result.suggested_level, result.answer) == (3, 3)


def test_environment_branches_are_level_2(tmp_path):
    """'We have our own way of managing branches, not standard methods.' (2): long-lived dev and staging
    branches merged into main in two of three repositories."""
    environments(tmp_path / "src", "web")
    environments(tmp_path / "src", "portal")
    trunk(tmp_path / "src", "lib")
    result = score([collect_repos(tmp_path / "src", tmp_path)], "gov.version_control")
    assert (result.suggested_level, result.answer) == (2, 2)


def test_scratch_repositories_are_level_1(tmp_path):
    """'There is very little use of version control.' (1): a handful of commits, no model."""
    for name in ("a", "b"):
        Repo(tmp_path / "src" / name).commits("main", 4, first_days_ago=30).build()
    result = score([collect_repos(tmp_path / "src", tmp_path)], "gov.version_control")
    assert (result.suggested_level, result.answer) == (1, 1)


def test_without_repositories_version_control_stays_with_people(tmp_path):
    """A cloud-only estate: no repository evidence, no level."""
    cloud = GoldenEstate().covered("activity.changes").write(tmp_path / "aws.jsonl")
    result = score([cloud], "gov.version_control")
    assert result.answer == 0 and result.evidence == []


# --- pooled with a cloud snapshot ------------------------------------------------------------


def cloud_estate(tmp_path: Path, ci_units: int = 6, manual_units: int = 1) -> Path:
    """An AWS part: account-regions whose writes come from CI/CD identities or people, Inspector everywhere
    (not run centrally), registries with immutable tags that scan on push."""
    estate = GoldenEstate()
    for i in range(ci_units + manual_units):
        by_ci = 95 if i < ci_units else 0
        estate.fact(
            "activity.changes", region=f"eu-west-{i}", total=100, iac=by_ci, pipeline=0, cicd_identity=by_ci, console=100 - by_ci, other=0
        )
        estate.fact(
            "security.service",
            region=f"eu-west-{i}",
            service="inspector",
            kind="vulnerability_scanning",
            enabled=True,
            organization_managed=False,
        )
    estate.covered("cicd.pipeline", "cicd.build_project", "identity.federation_provider")
    estate.fact("identity.federation_provider", region="global", url="token.actions.githubusercontent.com", ci_issuer=True)
    for _ in range(3):
        estate.fact("artifact.repository", tag_immutable=True, scan_on_push=True, lifecycle_policy=True)
    estate.covered("artifact.signing_profile", "artifact.registry_scanning")
    return estate.write(tmp_path / "aws.snapshot.jsonl")


def test_cicd_nearly_all_repositories_is_level_4(tmp_path):
    """'Nearly all teams use CI/CD, but tools and processes vary.' (4): 9 of 10 active repositories define
    pipelines, in two CI systems."""
    for i in range(8):
        trunk(tmp_path / "src", f"svc{i}", {".github/workflows/ci.yml": workflow("pytest")})
    trunk(tmp_path / "src", "legacy", {"Jenkinsfile": "pipeline { steps { sh 'mvn verify' } }\n"})
    trunk(tmp_path / "src", "scripts")
    result = score([collect_repos(tmp_path / "src", tmp_path), cloud_estate(tmp_path)], "ops.cicd")
    assert (result.suggested_level, result.answer) == (4, 4)


def test_cicd_some_repositories_is_level_2_without_a_cloud(tmp_path):
    """'We use some CI/CD, but there's no standard.' (2): one of three repositories has a pipeline; the cloud
    part is not in the estate, and the repositories alone settle it."""
    trunk(tmp_path / "src", "svc", {".github/workflows/ci.yml": workflow("pytest")})
    trunk(tmp_path / "src", "a")
    trunk(tmp_path / "src", "b")
    result = score([collect_repos(tmp_path / "src", tmp_path)], "ops.cicd")
    assert (result.suggested_level, result.answer) == (2, 2)


def test_supply_chain_bots_everywhere_is_at_least_level_3(tmp_path):
    """'All code is checked and updated regularly, with fixes applied as needed.' (3): Dependabot or Renovate in
    every active repository; a central team and prioritisation (4, 5) are for people."""
    trunk(tmp_path / "src", "a", {".github/dependabot.yml": "version: 2\n"})
    trunk(tmp_path / "src", "b", {"renovate.json": "{}"})
    result = score([collect_repos(tmp_path / "src", tmp_path), cloud_estate(tmp_path)], "sec.supply_chain")
    assert (result.status, result.floor_level, result.answer) == ("floor", 3, 3)


def test_supply_chain_unchecked_repositories_rule_out_3(tmp_path):
    trunk(tmp_path / "src", "a", {".github/dependabot.yml": "version: 2\n"})
    trunk(tmp_path / "src", "b")
    result = score([collect_repos(tmp_path / "src", tmp_path), cloud_estate(tmp_path)], "sec.supply_chain")
    assert 3 not in result.possible_levels and result.answer == 0


def pinned_app(root: Path, name: str, signed: bool) -> Path:
    runs = ["pytest", "docker build -t app .", "kubectl apply -f k8s/"] + (["cosign sign --yes app"] if signed else [])
    files = {
        ".github/workflows/release.yml": workflow(*runs, uses=("actions/checkout",)),
        "package.json": "{}",
        "package-lock.json": "{}",
        "Dockerfile": "FROM node:22@sha256:" + "b" * 64 + "\n",
    }
    return trunk(root, name, files)


def test_pinned_but_unsigned_artefacts_are_level_4(tmp_path):
    """'We lock down artefact dependencies and check them with digital signatures or hashes.' (4): lock files,
    actions pinned by commit and images by digest everywhere; nothing signs what it ships, so not 5."""
    for name in ("a", "b", "c"):
        pinned_app(tmp_path / "src", name, signed=False)
    result = score([collect_repos(tmp_path / "src", tmp_path), cloud_estate(tmp_path)], "gov.build_artefacts")
    assert (result.suggested_level, result.answer) == (4, 4)


def test_signed_and_immutable_leaves_4_and_5_to_people(tmp_path):
    for name in ("a", "b"):
        pinned_app(tmp_path / "src", name, signed=True)
    result = score([collect_repos(tmp_path / "src", tmp_path), cloud_estate(tmp_path)], "gov.build_artefacts")
    assert result.possible_levels == [4, 5] and result.answer == 0  # audit storage and recreating environments are not visible


@pytest.mark.parametrize(("applied", "level_5_possible"), [(True, True), (False, False)])
def test_provisioning_level_5_needs_repositories_iac_applied_by_pipelines(tmp_path, applied, level_5_possible):
    """'All cloud services are set up by CI/CD pipelines.' (5) is ruled out when a repository holds Terraform that
    no pipeline applies."""
    files = {"main.tf": "", ".github/workflows/infra.yml": workflow("terraform apply -auto-approve" if applied else "pytest")}
    trunk(tmp_path / "src", "infra", files)
    cloud = GoldenEstate()
    cloud.fact("activity.changes", total=100, iac=99, pipeline=0, cicd_identity=99, console=1, other=0)
    result = score([collect_repos(tmp_path / "src", tmp_path), cloud.write(tmp_path / "aws.jsonl")], "gov.provisioning")
    assert (5 in result.possible_levels) is level_5_possible


def test_cicd_quiet_cloud_with_repository_pipelines_is_not_not_applicable(tmp_path):
    """A cloud part with no active account-region is 'nothing to assess' alone; with repositories that run
    pipelines it is assessed: 'Everyone uses the same CI/CD process' (5) from one CI system everywhere."""
    for name in ("a", "b"):
        trunk(tmp_path / "src", name, {".github/workflows/ci.yml": workflow("pytest")})
    cloud = GoldenEstate().covered("activity.changes", "cicd.pipeline", "cicd.build_project", "identity.federation_provider")
    cloud_path = cloud.write(tmp_path / "aws.jsonl")
    assert score([cloud_path], "ops.cicd").status == "not_applicable"
    result = score([collect_repos(tmp_path / "src", tmp_path), cloud_path], "ops.cicd")
    assert (result.status, result.answer) == ("suggested", 5)


def test_provisioning_unapplied_iac_moves_a_pipeline_estate_to_level_4(tmp_path):
    """Every cloud write by pipelines, but Terraform in a repository no pipeline applies: 'All cloud services are
    set up by CI/CD pipelines' (5) is ruled out and 'Most teams use automation to set up cloud services' (4) fits;
    the lenses never rule out every level."""
    trunk(tmp_path / "src", "infra", {"main.tf": "", ".github/workflows/ci.yml": workflow("pytest")})
    cloud = GoldenEstate()
    for i in range(3):
        cloud.fact("activity.changes", region=f"eu-west-{i}", total=100, iac=99, pipeline=0, cicd_identity=99, console=1, other=0)
    result = score([collect_repos(tmp_path / "src", tmp_path), cloud.write(tmp_path / "aws.jsonl")], "gov.provisioning")
    assert result.possible_levels == [4] and result.answer == 4


def release_cloud(tmp_path: Path) -> Path:
    """Rolling updates everywhere in the cloud part."""
    cloud = GoldenEstate()
    cloud.covered("cicd.deployment_group")
    cloud.many(3, "compute.container_service", deployment_strategy="rolling")
    return cloud.write(tmp_path / "aws.jsonl")


@pytest.mark.parametrize(("progressive", "expected"), [(False, [2]), (True, [3, 4, 5])])
def test_release_progressive_pipelines_widen_never_contradict(tmp_path, progressive, expected):
    """Rolling container services: 'We update parts of our services at a time' (2). Pipelines that release by canary
    in the repositories rule out 1 and 2 and leave 3-5 open (the cloud part shows rolling; a person settles it),
    never a gap."""
    deploy = "kubectl argo rollouts promote app  # canary" if progressive else "kubectl apply -f k8s/"
    for name in ("a", "b"):
        trunk(tmp_path / "src", name, {".github/workflows/cd.yml": workflow("pytest", deploy)})
    result = score([collect_repos(tmp_path / "src", tmp_path), release_cloud(tmp_path)], "ops.release")
    assert result.possible_levels == expected
