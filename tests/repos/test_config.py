"""Configuration files read from a real repository's default branch: pipelines and their steps, pinning,
update bots, infrastructure as code, CODEOWNERS. Never their text in a fact."""

from __future__ import annotations

import json

from tests.repos import repo_facts, repository
from tests.repos.gitbuild import Repo

SHA = "b4ffde65f46336ab88eb53be808477a3936bae11"
DIGEST = "sha256:" + "a" * 64
SECRET_MARK = "do-not-leak-7f3a"

RELEASE_WORKFLOW = f"""
name: release  # {SECRET_MARK}
on: {{push: {{branches: [main]}}}}
jobs:
  build:
    runs-on: ubuntu-latest
    container:
      image: python:3.12@{DIGEST}
    steps:
      - uses: actions/checkout@{SHA}
      - run: uv run pytest -q
      - run: uv run ruff check .
      - uses: github/codeql-action/analyze@{SHA}
      - run: pip-audit
      - uses: aquasecurity/trivy-action@{SHA}
      - uses: anchore/sbom-action@{SHA}
      - run: cosign sign --yes ghcr.io/dept/app@{DIGEST}
      - uses: actions/attest-build-provenance@{SHA}
  infra:
    runs-on: ubuntu-latest
    steps:
      - uses: hashicorp/setup-terraform@{SHA}
      - run: checkov -d infra
      - run: terraform apply -auto-approve
  deploy:
    needs: build
    environment: production
    steps:
      - run: kubectl argo rollouts set image app app=ghcr.io/dept/app@{DIGEST}
"""

LOOSE_WORKFLOW = """
on: push
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: ./.github/actions/local
      # - run: cosign sign everything   (commented out: does nothing)
      - run: npm test
"""


def rich_repo(tmp_path, name="app"):
    repo = Repo(tmp_path / name, remote=f"https://x-access-token:ghp_{SECRET_MARK}@github.com/dept/{name}.git")
    repo.commits("main", 12, first_days_ago=60)
    repo.commit(
        "main",
        {
            ".github/workflows/release.yml": RELEASE_WORKFLOW,
            ".github/dependabot.yml": "version: 2\n",
            ".github/CODEOWNERS": "* @dept/platform\n",
            "SECURITY.md": f"report to security@example.invalid {SECRET_MARK}\n",
            "pyproject.toml": "[project]\nname='app'\n",
            "uv.lock": "version = 1\n",
            "Dockerfile": f"FROM python:3.12@{DIGEST} AS build\nFROM build\nFROM scratch\n",
            "infra/main.tf": 'resource "aws_s3_bucket" "b" {}\n',
            "infra/.terraform.lock.hcl": "# lock\n",
            "src/app.py": f"print('{SECRET_MARK}')\n",
        },
        days_ago=5,
    )
    return repo.build()


def test_steps_pinning_and_repository_files(tmp_path):
    attrs = repository(rich_repo(tmp_path))
    steps = ("tests", "static_analysis", "dependency_scanning", "image_scanning", "sbom", "signing", "provenance", "deploys")
    assert all(attrs[s] for s in steps), {s: attrs[s] for s in steps}
    assert attrs["deploy_approval"] and attrs["progressive_delivery"] and attrs["iac_in_pipeline"] and attrs["policy_check"]
    assert (attrs["pipelines"], attrs["ci_systems"], attrs["primary_ci"]) == (1, ["github_actions"], "github_actions")
    assert attrs["actions_pinned"] and attrs["images_pinned"] and attrs["lockfiles"] and attrs["fully_pinned"]
    assert attrs["dependency_ecosystems"] == ["python", "terraform"] and attrs["unlocked_ecosystems"] == []
    assert (attrs["update_bot"], attrs["codeowners"], attrs["security_policy"]) == ("dependabot", True, True)
    assert (attrs["iac_tools"], attrs["iac"], attrs["policy_as_code"]) == (["terraform"], True, True)


def test_no_file_text_or_token_in_any_fact(tmp_path):
    out = json.dumps([f.model_dump() for f in repo_facts(rich_repo(tmp_path))])
    assert SECRET_MARK not in out
    assert "ghp_" not in out and "x-access-token" not in out


def test_tags_and_unpinned_references(tmp_path):
    repo = Repo(tmp_path / "web")
    repo.commits("main", 12, first_days_ago=60)
    repo.commit(
        "main",
        {
            ".github/workflows/ci.yml": LOOSE_WORKFLOW,
            "package.json": "{}",
            "Dockerfile": "FROM node:22\n",
            "requirements.txt": "flask>=3\n",
            "renovate.json": "{}",
        },
        days_ago=2,
    )
    attrs = repository(repo.build())
    assert attrs["tests"] and not attrs["signing"] and not attrs["deploys"]  # the commented-out cosign step does nothing
    assert not attrs["actions_pinned"] and not attrs["images_pinned"]
    assert attrs["unlocked_ecosystems"] == ["npm", "python"] and not attrs["lockfiles"] and not attrs["fully_pinned"]
    assert attrs["update_bot"] == "renovate" and not attrs["codeowners"]
    (pipeline,) = [f for f in repo_facts(repo.path) if f.type == "repos.pipeline"]
    assert (pipeline.attributes["action_refs"], pipeline.attributes["action_refs_pinned"]) == (1, 0)  # the local action is ours


def test_each_ci_system_is_recognised(tmp_path):
    files = {
        ".gitlab-ci.yml": "test:\n  script: [go test ./...]\ndeploy:\n  script: [helm upgrade app ./chart]\n  when: manual\n",
        "azure-pipelines.yml": "steps:\n- script: dotnet test\n",
        "Jenkinsfile": "pipeline { stages { stage('t') { steps { sh 'mvn verify' } } } }\n",
        "buildspec.yml": "phases:\n  build:\n    commands: [sam deploy]\n",
        "cloudbuild.yaml": "steps:\n- name: gcr.io/cloud-builders/gcloud\n  args: [run, deploy, app, --traffic, 10]\n",
        "build_spec.yaml": "steps:\n  - type: Command\n    command: pytest\n",
        "requirements.txt": "flask==3.0.0 --hash=sha256:abc\n",
        "go.mod": "module x\n",
        "go.sum": "",
    }
    repo = Repo(tmp_path / "multi").commits("main", 12, first_days_ago=30)
    repo.commit("main", files, days_ago=1)
    attrs = repository(repo.build())
    assert attrs["ci_systems"] == ["azure_pipelines", "cloud_build", "codebuild", "gitlab_ci", "jenkins", "oci_devops"]
    assert attrs["deploy_approval"] and attrs["progressive_delivery"] and attrs["deploys"]
    assert attrs["lockfiles"]  # go.sum, and requirements pinned with ==
