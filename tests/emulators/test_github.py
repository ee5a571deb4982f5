"""The `github` emulator in GitHub's own REST shapes: Link paging, per_page, the token check, 403/404
bodies, rate-limit headers, the runs filters, trees and contents derived from the estate's files;
and GitHub's GraphQL API executed against its schema (validation, paging, per-field denials)."""

from __future__ import annotations

import base64
from typing import Any

import pytest
import requests

from cmm_scan.emulate.core import Emulator
from cmm_scan.emulate.github import blob_sha
from tests.repos import ghbuild


def get(emulator: Emulator, path: str, token: str | None = None, **query: str) -> requests.Response:
    headers = {"Accept": "application/vnd.github+json", "Authorization": f"Bearer {token or emulator.env['GITHUB_TOKEN']}"}
    return requests.get(f"{emulator.url}{path}", params=query, headers=headers, timeout=10)


def test_org_repositories_page_with_link_headers(github_emulator: Emulator) -> None:
    github_emulator.load({"provider": "github", "orgs": [{"login": "dept", "repos": [ghbuild.repo(f"r{n}") for n in range(5)]}]})
    first = get(github_emulator, "/orgs/dept/repos", per_page="2")
    assert [r["full_name"] for r in first.json()] == ["dept/r0", "dept/r1"]
    assert 'rel="next"' in first.headers["Link"] and "page=3" in first.headers["Link"] and 'rel="last"' in first.headers["Link"]
    last = get(github_emulator, "/orgs/dept/repos", per_page="2", page="3")
    assert [r["name"] for r in last.json()] == ["r4"]
    assert 'rel="next"' not in last.headers["Link"] and 'rel="prev"' in last.headers["Link"]
    assert first.json()[0]["owner"]["login"] == "dept" and first.json()[0]["default_branch"] == "main"
    assert int(last.headers["x-ratelimit-remaining"]) < int(first.headers["x-ratelimit-remaining"]) <= 5000


def test_token_check(github_emulator: Emulator) -> None:
    github_emulator.load(ghbuild.golden())
    assert get(github_emulator, "/orgs/dept/repos", token="ghp_wrong").json()["message"] == "Bad credentials"
    bare = requests.get(f"{github_emulator.url}/orgs/dept/repos", timeout=10)
    assert bare.status_code == 401 and "x-ratelimit-limit" in bare.headers
    classic = requests.get(
        f"{github_emulator.url}/orgs/dept/repos", headers={"Authorization": f"token {github_emulator.env['GITHUB_TOKEN']}"}, timeout=10
    )
    assert classic.status_code == 200


def test_protection_404_rules_and_denied_403(github_emulator: Emulator) -> None:
    github_emulator.load(ghbuild.golden())
    unprotected = get(github_emulator, "/repos/dept/svc-c/branches/main/protection")
    assert unprotected.status_code == 404 and unprotected.json()["message"] == "Branch not protected"
    protected = get(github_emulator, "/repos/dept/svc-a/branches/main/protection").json()
    assert protected["required_pull_request_reviews"]["required_approving_review_count"] == 1
    assert protected["url"].endswith("/repos/dept/svc-a/branches/main/protection")
    rules = get(github_emulator, "/repos/dept/svc-b/rules/branches/main").json()
    assert [r["type"] for r in rules] == ["deletion", "non_fast_forward", "pull_request"]
    assert get(github_emulator, "/repos/dept/svc-b/rulesets").json()[0]["enforcement"] == "active"
    assert get(github_emulator, "/repos/dept/nope/branches/main/protection").status_code == 404
    github_emulator.set_faults({"deny": [{"operation": "repos/get-branch-protection", "scope": "dept/svc-a"}]})
    denied = get(github_emulator, "/repos/dept/svc-a/branches/main/protection")
    assert (denied.status_code, denied.json()["message"]) == (403, "Resource not accessible by integration")
    assert get(github_emulator, "/repos/dept/svc-c/branches/main/protection").status_code == 404  # other scopes unaffected


def test_runs_filter_by_created_and_status(github_emulator: Emulator) -> None:
    entry = ghbuild.repo(
        "svc", workflow_runs=[*ghbuild.runs([3, 4]), {**ghbuild.runs([5])[0], "id": 99, "status": "in_progress", "conclusion": None}]
    )
    entry["workflow_runs"].append({**ghbuild.runs([6])[0], "id": 100, "created_at": "2020-01-22T19:33:08Z"})
    github_emulator.load({"provider": "github", "orgs": [{"login": "dept", "repos": [entry]}]})
    every = get(github_emulator, "/repos/dept/svc/actions/runs").json()
    assert every["total_count"] == 4 and len(every["workflow_runs"]) == 4
    recent = get(github_emulator, "/repos/dept/svc/actions/runs", status="completed", created=">=2026-01-01").json()
    assert sorted(r["id"] for r in recent["workflow_runs"]) == [1, 2]
    assert get(github_emulator, "/repos/dept/svc/actions/runs", conclusion="x", status="success").json()["total_count"] == 3
    assert get(github_emulator, "/repos/dept/svc/actions/runs", created="2020-01-22").json()["total_count"] == 1
    assert get(github_emulator, "/repos/dept/svc/actions/runs", created="2019-01-01..2020-12-31").json()["total_count"] == 1


def test_tree_and_contents_from_the_files(github_emulator: Emulator) -> None:
    github_emulator.load(ghbuild.golden())
    tree = get(github_emulator, "/repos/dept/svc-a/git/trees/main", recursive="1").json()
    blobs = {e["path"]: e for e in tree["tree"] if e["type"] == "blob"}
    assert set(blobs) == {".github/workflows/ci.yml", "requirements.txt", "README.md"} and tree["truncated"] is False
    assert {e["path"] for e in tree["tree"] if e["type"] == "tree"} == {".github", ".github/workflows"}
    assert blobs["README.md"]["sha"] == blob_sha("# svc-a")  # as `git hash-object` computes it
    top = get(github_emulator, "/repos/dept/svc-a/git/trees/main").json()
    assert {e["path"] for e in top["tree"]} == {".github", "README.md", "requirements.txt"}
    content = get(github_emulator, "/repos/dept/svc-a/contents/.github/workflows/ci.yml", ref="main").json()
    assert (content["type"], content["encoding"], content["path"]) == ("file", "base64", ".github/workflows/ci.yml")
    assert base64.b64decode(content["content"]).decode() == ghbuild.WORKFLOW
    assert get(github_emulator, "/repos/dept/svc-a/contents/nope.txt").status_code == 404


@pytest.mark.parametrize(("since", "expected"), [(None, 12), ("2000-01-01T00:00:00Z", 12), ("2999-01-01T00:00:00Z", 0)])
def test_commits_since_and_paging(github_emulator: Emulator, since: str | None, expected: int) -> None:
    github_emulator.load(ghbuild.golden())
    query = {"sha": "main", "per_page": "100", **({"since": since} if since else {})}
    found = get(github_emulator, "/repos/dept/svc-a/commits", **query).json()
    assert len(found) == expected
    one = get(github_emulator, "/repos/dept/svc-a/commits", sha="main", per_page="1")
    assert 'page=12>; rel="last"' in one.headers["Link"]
    assert found == [] or found[0]["parents"][0]["url"].endswith(f"/repos/dept/svc-a/commits/{found[0]['parents'][0]['sha']}")


def graphql(emulator: Emulator, query: str, **variables: Any) -> dict[str, Any]:
    headers = {"Authorization": f"bearer {emulator.env['GITHUB_TOKEN']}"}
    answer = requests.post(f"{emulator.url}/graphql", json={"query": query, "variables": variables}, headers=headers, timeout=10)
    assert answer.status_code == 200
    return answer.json()  # type: ignore[no-any-return]


def test_graphql_is_executed_against_github_schema_not_matched(github_emulator: Emulator) -> None:
    """Variables, fragments, aliases and inline fragments work as on GitHub; a field GitHub's schema
    lacks is a validation error; a connection needs `first` or `last` within 1-100."""
    github_emulator.load(ghbuild.golden())
    query = """query($owner: String!) { a: repository(owner: $owner, name: "svc-a") { ...Names }
      b: repository(owner: $owner, name: "svc-b") { ...Names defaultBranchRef { rules(first: 10) { nodes { type
        parameters { ... on PullRequestParameters { requiredApprovingReviewCount } } } } } } }
      fragment Names on Repository { nameWithOwner defaultBranchRef { name branchProtectionRule { requiredApprovingReviewCount } } }"""
    data = graphql(github_emulator, query, owner="dept")["data"]
    protected = {"name": "main", "branchProtectionRule": {"requiredApprovingReviewCount": 1}}
    assert data["a"] == {"nameWithOwner": "dept/svc-a", "defaultBranchRef": protected}
    assert data["b"]["defaultBranchRef"]["branchProtectionRule"] is None
    assert [r["type"] for r in data["b"]["defaultBranchRef"]["rules"]["nodes"]] == ["DELETION", "NON_FAST_FORWARD", "PULL_REQUEST"]
    assert data["b"]["defaultBranchRef"]["rules"]["nodes"][2]["parameters"] == {"requiredApprovingReviewCount": 2}
    wrong = graphql(github_emulator, '{ repository(owner: "dept", name: "svc-a") { stars } }')
    assert "data" not in wrong and "Cannot query field 'stars' on type 'Repository'" in wrong["errors"][0]["message"]
    for page, kind in (("", "MISSING_PAGINATION_BOUNDARIES"), (", first: 101", "EXCESSIVE_PAGINATION")):
        refs = f'refs(refPrefix: "refs/heads/"{page}) {{ totalCount }}'
        answer = graphql(github_emulator, f'{{ repository(owner: "dept", name: "svc-a") {{ {refs} }} }}')
        assert answer["errors"][0]["type"] == kind and answer["data"]["repository"]["refs"] is None


def test_graphql_history_pages_with_cursors_to_the_rest_list(github_emulator: Emulator) -> None:
    github_emulator.load(ghbuild.golden())
    github_emulator.page_size = 5
    query = """query($after: String) { repository(owner: "dept", name: "svc-a") { defaultBranchRef { target { ... on Commit {
      history(first: 100, after: $after) { totalCount nodes { oid } pageInfo { hasNextPage endCursor } } } } } } }"""
    oids: list[str] = []
    after = None
    for _ in range(10):
        history = graphql(github_emulator, query, after=after)["data"]["repository"]["defaultBranchRef"]["target"]["history"]
        assert history["totalCount"] == 12
        oids += [n["oid"] for n in history["nodes"]]
        if not history["pageInfo"]["hasNextPage"]:
            break
        after = history["pageInfo"]["endCursor"]
    assert oids == [c["sha"] for c in ghbuild.commits("svc-a", 12)]  # 12 on 3 pages, in git log order, none twice


def test_graphql_denials_are_per_field_and_per_alias(github_emulator: Emulator) -> None:
    github_emulator.load(ghbuild.golden())
    github_emulator.set_faults({"deny": [{"operation": "repos/get-branch-protection", "scope": "dept/svc-a"}]})
    query = """{ a: repository(owner: "dept", name: "svc-a") { name defaultBranchRef { branchProtectionRule { pattern } } }
      c: repository(owner: "dept", name: "svc-c") { defaultBranchRef { branchProtectionRule { pattern } } }
      x: repository(owner: "dept", name: "nope") { name } }"""
    answer = graphql(github_emulator, query)
    unprotected = {"defaultBranchRef": {"branchProtectionRule": None}}
    assert answer["data"] == {"a": {"name": "svc-a", **unprotected}, "c": unprotected, "x": None}
    errors = {tuple(e["path"]): e["type"] for e in answer["errors"]}
    assert errors == {("a", "defaultBranchRef", "branchProtectionRule"): "FORBIDDEN", ("x",): "NOT_FOUND"}  # svc-c: unprotected, no error
