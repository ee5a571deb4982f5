"""`cmm-scan scan repos --github-org ORG` end to end over real HTTP against the `github` emulator:
a golden organisation whose answers are the level texts, a refused protection read left unknown,
paging across pages, requests per repository, and the token in no output."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from cmm_scan.cli import main
from cmm_scan.emulate.core import Emulator
from tests.repos import ghbuild


def scan(tmp_path: Path, *args: str) -> tuple[int, dict[str, Any], list[dict[str, Any]]]:
    out = tmp_path / "report"
    code = main(["scan", "repos", *args, "-o", str(out), "--format", "json,md", "--no-store", "-q"])
    if code != 0:
        return code, {}, []
    records = [json.loads(line) for line in gzip.decompress((out / "snapshot.jsonl.gz").read_bytes()).splitlines() if line.strip()]
    return code, json.loads((out / "assessment.json").read_text()), records


def result(assessment: dict[str, Any], rule_id: str) -> dict[str, Any]:
    return next(r for r in assessment["results"] if r["id"] == rule_id)


def repository_facts(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["resource_id"]: r["attributes"] for r in records if r.get("type") == "repos.repository"}


def level_text(assessment: dict[str, Any], rule_id: str, level: int) -> str:
    return next(lv["cites"] for lv in result(assessment, rule_id)["levels"] if lv["level"] == level)


def test_golden_organisation_answers_from_the_level_texts(tmp_path: Path, github_emulator: Emulator) -> None:
    github_emulator.load(ghbuild.golden())
    code, assessment, records = scan(tmp_path, "--github-org", "dept")
    assert code == 0
    found = repository_facts(records)
    assert sorted(found) == ["127.0.0.1/dept/svc-a", "127.0.0.1/dept/svc-b", "127.0.0.1/dept/svc-c"]  # the archived one is not read
    a, b, c = (found[f"127.0.0.1/dept/{n}"] for n in ("svc-a", "svc-b", "svc-c"))
    assert (a["branch_model"], a["branch_model_strict"], a["commits_90d"], a["primary_ci"], a["tests"]) == (
        "trunk",
        True,
        12,
        "github_actions",
        True,
    )
    assert (a["branch_protected"], a["required_reviews"], a["required_status_checks"], a["force_push_blocked"]) == (True, 1, True, True)
    assert (b["branch_protected"], b["required_reviews"], b["required_status_checks"], b["force_push_blocked"]) == (True, 2, False, True)
    assert (c["branch_protected"], c["required_reviews"], c["force_push_blocked"]) == (False, 0, False)
    assert (a["actions_runs_30d"], a["median_run_minutes"], c["median_run_minutes"]) == (4, 4.5, 8.0)
    assert a["tags"] is None and a["release_tags_90d"] is None  # not read: unknown, never zero

    version_control = result(assessment, "gov.version_control")
    assert (version_control["status"], version_control["suggested_level"]) == ("suggested", 5)
    assert "GitHubFlow" in level_text(assessment, "gov.version_control", 5)  # "...such as GitHubFlow"
    reviewed = next(e for e in version_control["evidence"] if e["signal"] == "reviewed_default")
    assert (reviewed["matching"], reviewed["total"]) == (2, 3)

    speed = result(assessment, "ops.build_speed")
    verdicts = {lv["level"]: lv["verdict"] for lv in speed["levels"]}
    assert level_text(assessment, "ops.build_speed", 1).startswith("They take hours or days")
    assert verdicts[1] == "ruled_out"  # every median Actions run is under 10 minutes
    assert speed["possible_levels"] == [2, 3, 4, 5]  # "...finish in minutes, we monitor this..." stays possible: tracking is for people
    runs_minutes = next(e for e in speed["evidence"] if e["signal"] == "runs_within_minutes")
    assert (runs_minutes["matching"], runs_minutes["total"]) == (3, 3)

    cicd = result(assessment, "ops.cicd")
    assert 5 in cicd["possible_levels"] and level_text(assessment, "ops.cicd", 5) == "Everyone uses the same CI/CD process."


def test_token_in_no_output(tmp_path: Path, github_emulator: Emulator) -> None:
    github_emulator.load(ghbuild.golden())
    token = github_emulator.env["GITHUB_TOKEN"]
    code, _, _ = scan(tmp_path, "--github-org", "dept")
    assert code == 0
    for path in (tmp_path / "report").iterdir():
        data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        assert token.encode() not in data and b"ghp_" not in data, path


def test_refused_protection_read_is_unknown_not_false(tmp_path: Path, github_emulator: Emulator) -> None:
    github_emulator.load({**ghbuild.golden(), "faults": {"deny": [{"operation": "repos/get-branch-protection"}]}})
    code, assessment, records = scan(tmp_path, "--github-org", "dept")
    assert code == 0
    found = repository_facts(records)
    a, b = found["127.0.0.1/dept/svc-a"], found["127.0.0.1/dept/svc-b"]
    assert (a["branch_protected"], a["required_reviews"], a["force_push_blocked"]) == (None, None, None)  # classic unread, no rules
    assert (b["branch_protected"], b["required_reviews"], b["force_push_blocked"]) == (True, 2, True)  # the rules say so
    assert b["required_status_checks"] is None  # classic could require checks: unknown
    gaps = [r for r in records if r.get("record") == "coverage" and r["collector"] == "github.repository.branch_protection"]
    assert len(gaps) == 3 and {g["status"] for g in gaps} == {"denied"}
    assert all(g["enriches"] == ["repos.repository"] and "FORBIDDEN" in g["reason"] for g in gaps)  # GraphQL says why by type
    reviewed = next(e for e in result(assessment, "gov.version_control")["evidence"] if e["signal"] == "reviewed_default")
    assert reviewed["unknown"] == 2 and reviewed["matching"] == 1


def test_actions_disabled_leaves_run_times_unknown(tmp_path: Path, github_emulator: Emulator) -> None:
    estate = ghbuild.golden()
    for entry in estate["orgs"][0]["repos"]:
        entry["actions_enabled"] = False
    github_emulator.load(estate)
    code, _, records = scan(tmp_path, "--github-org", "dept")
    assert code == 0
    a = repository_facts(records)["127.0.0.1/dept/svc-a"]
    assert a["actions_runs_30d"] is None and a["median_run_minutes"] is None


def test_paging_across_pages_and_requests_per_repository(tmp_path: Path, github_emulator: Emulator) -> None:
    estate = {
        "provider": "github",
        "orgs": [
            {
                "login": "big",
                "repos": [
                    ghbuild.repo(
                        f"r{n}", commits=ghbuild.commits(f"r{n}", 7, spacing_days=0.1), branches=["a", "b", "c"], rules=ghbuild.RULES
                    )
                    for n in range(5)
                ],
            }
        ],
    }
    github_emulator.load(estate)
    github_emulator.page_size = 2  # 5 repositories on 3 pages; commits 7 on 4 GraphQL pages, branches 4 on 2, rules 3 on 2; runs 4 on 2
    code, _, records = scan(tmp_path, "--github-org", "big")
    assert code == 0
    found = repository_facts(records)
    assert len(found) == 5
    assert all(f["commits"] == 7 and f["commits_90d"] == 7 and f["actions_runs_30d"] == 4 for f in found.values())
    assert all((f["branches"], f["required_reviews"], f["force_push_blocked"]) == (4, 2, True) for f in found.values())
    listing = [r for r in github_emulator.requests if r["operation"] == "repos/list-for-org"]
    assert [r.get("query", {}).get("page") for r in listing] == [None, "2", "3"]
    per_repo = [r["operation"] for r in github_emulator.requests if r["path"].startswith("/repos/big/r0/")]
    assert sorted(per_repo) == ["actions/list-workflow-runs-for-repo"] * 2 + ["git/get-tree"]  # the rest is GraphQL
    # one query for the five, then one per further page of history (the longest connection), all five in each
    assert github_emulator.operations().count("graphql") == 4
    counted = {r["scope"]: r["requests"] for r in records if r.get("record") == "coverage" and r["collector"] == "github.repository"}
    assert counted["127.0.0.1/big/r0"] == 3 + 4  # its own REST requests and the GraphQL queries it shared


def test_bad_token_and_unknown_org_are_one_line_errors(tmp_path: Path, github_emulator: Emulator, monkeypatch, capsys) -> None:
    github_emulator.load(ghbuild.golden())
    code, _, _ = scan(tmp_path, "--github-org", "nobody")
    assert code != 0 and "nobody: not found" in capsys.readouterr().err
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_wrong")
    code, _, _ = scan(tmp_path, "--github-org", "dept")
    err = capsys.readouterr().err
    assert code != 0 and "ghp_wrong" not in err and "401" in err
    monkeypatch.delenv("GITHUB_TOKEN")
    monkeypatch.delenv("GH_TOKEN", raising=False)
    code, _, _ = scan(tmp_path, "--github-org", "dept")
    assert code != 0 and "GITHUB_TOKEN" in capsys.readouterr().err


@pytest.mark.parametrize("given", [["--paths", "."], []])
def test_permissions_name_the_read_only_token(given: list[str], capsys) -> None:
    assert main(["permissions", "repos"]) == 0
    printed = capsys.readouterr().out
    assert "administration: read" in printed and "actions: read" in printed and "contents: read" in printed


def test_throttled_and_failing_answers_are_retried_to_the_same_facts(tmp_path: Path, github_emulator: Emulator) -> None:
    github_emulator.load(ghbuild.golden())
    (tmp_path / "clean").mkdir()
    (tmp_path / "noisy").mkdir()
    _, _, clean = scan(tmp_path / "clean", "--github-org", "dept")
    github_emulator.load(
        {
            **ghbuild.golden(),
            "faults": {  # on the listing and the trees, whose requests are the same every day (a GraphQL body names a date)
                "seed": 2,
                "throttle": {"share": 0.3, "retry_after": 0, "operations": ["repos/*", "git/*"]},
                "fail": {"share": 0.3, "status": 502, "operations": ["repos/*", "git/*"]},
            },
        }
    )
    code, _, noisy = scan(tmp_path / "noisy", "--github-org", "dept")
    assert code == 0
    statuses = {r["status"] for r in github_emulator.requests}
    assert {403, 502} <= statuses  # the faults happened (a spent REST rate limit is GitHub's 403), and were retried
    assert repository_facts(noisy) == repository_facts(clean)


def test_a_rate_limited_graphql_answer_is_waited_out_and_retried(github_emulator: Emulator) -> None:
    """GraphQL's spent rate limit is a 200 whose error type is RATE_LIMITED, with x-ratelimit-reset:
    waited out and asked again; still spent after the retries, it is a failure (429), never a denial."""
    from cmm_scan.cloud.http import Backoff
    from cmm_scan.repos import github

    query = '{ repository(owner: "dept", name: "svc-a") { name } }'
    throttle = {"share": 0.5, "retry_after": 0, "operations": ["graphql"]}
    github_emulator.load({**ghbuild.golden(), "faults": {"seed": 3, "throttle": throttle}})
    waits: list[float] = []
    client = github.Client(
        github_emulator.url, github_emulator.env["GITHUB_TOKEN"], Backoff(attempts=3, sleep=waits.append, quota=github._rate_limit_wait)
    )
    data, errors = client.graphql(query)
    assert data == {"repository": {"name": "svc-a"}} and errors == []
    assert github_emulator.operations() == ["graphql", "graphql"] and len(waits) == 1 and 0 <= waits[0] <= 1  # until the reset
    github_emulator.load({**ghbuild.golden(), "faults": {"throttle": {"share": 1, "retry_after": 0, "operations": ["graphql"]}}})
    with pytest.raises(github.ApiError) as spent:
        client.graphql(query)
    assert spent.value.status == 429 and not spent.value.denied


def test_a_denied_repository_inside_a_batch_is_denied_alone(tmp_path: Path, github_emulator: Emulator) -> None:
    """GraphQL answers a repository the token may not read with an error on its alias: that
    repository's coverage is denied and its facts absent (unknown), never "no CI"; the rest of the
    batch, read in the same query, is whole."""
    github_emulator.load({**ghbuild.golden(), "faults": {"deny": [{"operation": "repos/get", "scope": "dept/svc-b"}]}})
    code, assessment, records = scan(tmp_path, "--github-org", "dept")
    assert code == 0
    assert github_emulator.operations().count("graphql") == 1
    found = repository_facts(records)
    assert sorted(found) == ["127.0.0.1/dept/svc-a", "127.0.0.1/dept/svc-c"]
    assert found["127.0.0.1/dept/svc-a"]["required_reviews"] == 1 and found["127.0.0.1/dept/svc-c"]["primary_ci"] == "github_actions"
    coverage = {r["scope"]: r for r in records if r.get("record") == "coverage" and r["collector"] == "github.repository"}
    assert coverage["127.0.0.1/dept/svc-b"]["status"] == "denied" and "FORBIDDEN" in coverage["127.0.0.1/dept/svc-b"]["reason"]
    assert {coverage[f"127.0.0.1/dept/{n}"]["status"] for n in ("svc-a", "svc-c")} == {"ok"}
    cicd = next(e for e in result(assessment, "gov.version_control")["evidence"] if e["signal"] == "reviewed_default")
    assert cicd["total"] == 2  # the denied repository is not counted as unreviewed


def test_a_failing_runs_list_is_an_error_gap_not_zero_runs(tmp_path: Path, github_emulator: Emulator) -> None:
    github_emulator.load({**ghbuild.golden(), "faults": {"fail": {"share": 1, "status": 500, "operations": ["actions/*"]}}})
    code, assessment, records = scan(tmp_path, "--github-org", "dept")
    assert code == 0
    a = repository_facts(records)["127.0.0.1/dept/svc-a"]
    assert a["actions_runs_30d"] is None and a["median_run_minutes"] is None and a["branch_protected"] is True
    gaps = [r for r in records if r.get("record") == "coverage" and r["collector"] == "github.repository.actions_runs"]
    assert {g["status"] for g in gaps} == {"error"} and "500" in gaps[0]["reason"]
    speed = result(assessment, "ops.build_speed")
    runs_slow = next(e for e in speed["evidence"] if e["signal"] == "runs_slow")
    assert runs_slow["unknown"] == 3 and not runs_slow["complete"]


def test_an_estate_file_part_reads_the_organisation(tmp_path: Path, github_emulator: Emulator) -> None:
    github_emulator.load(ghbuild.golden())
    estate = tmp_path / "estate.yaml"
    estate.write_text("format_version: 1\nname: dept\nparts:\n  - provider: repos\n    name: github\n    options: {github_org: [dept]}\n")
    out = tmp_path / "out"
    code = main(["scan", "--estate", str(estate), "-o", str(out), "--format", "json", "--no-store", "-q"])
    assert code == 0
    assessment = json.loads((out / "assessment.json").read_text())
    assert result(assessment, "gov.version_control")["suggested_level"] == 5


def test_local_checkouts_leave_the_github_only_evidence_out_not_unknown(tmp_path: Path) -> None:
    from tests.repos.gitbuild import Repo

    Repo(tmp_path / "svc").commits("main", 12, first_days_ago=40).build()
    code, assessment, records = scan(tmp_path, str(tmp_path / "svc"))
    assert code == 0
    assert repository_facts(records)["local/svc"]["host"] == "local"
    for rule_id, signal in (
        ("gov.version_control", "reviewed_default"),
        ("ops.build_speed", "runs_slow"),
        ("ops.build_speed", "repos_with_runs"),
    ):
        evidence = next(e for e in result(assessment, rule_id)["evidence"] if e["signal"] == signal)
        assert evidence["complete"] and evidence["unknown"] == 0, (rule_id, signal)


def test_an_organisation_with_nothing_to_read_is_a_user_error(tmp_path: Path, github_emulator: Emulator, capsys) -> None:
    github_emulator.load({"provider": "github", "orgs": [{"login": "quiet", "repos": [{"repository": {"name": "old", "archived": True}}]}]})
    code, _, _ = scan(tmp_path, "--github-org", "quiet")
    assert code != 0 and "no repositories that are not archived" in capsys.readouterr().err


def test_credentials_in_the_api_url_are_refused_before_anything_is_written(tmp_path: Path, capsys) -> None:
    code, _, _ = scan(tmp_path, "--github-org", "dept", "--github-api-url", "https://x-access-token:ghp_secret@api.github.com")
    err = capsys.readouterr().err
    assert code != 0 and "GITHUB_TOKEN" in err and "ghp_secret" not in err
    assert not (tmp_path / "report").exists()


def test_a_spent_rate_limit_waits_for_the_reset(github_emulator: Emulator) -> None:
    """403 with x-ratelimit-remaining 0 is retried after Retry-After, or at x-ratelimit-reset without one."""
    import time

    from cmm_scan.cloud.http import Backoff
    from cmm_scan.repos import github

    github_emulator.load({**ghbuild.golden(), "faults": {"throttle": {"share": 1, "retry_after": 2}}})
    waits: list[float] = []
    client = github.Client(
        github_emulator.url, github_emulator.env["GITHUB_TOKEN"], Backoff(attempts=3, sleep=waits.append, quota=github._rate_limit_wait)
    )
    with pytest.raises(github.ApiError) as refused:
        client.get("/orgs/dept/repos")
    assert refused.value.status == 429 and not refused.value.denied  # spent, not denied
    assert waits == [2.0, 2.0]  # the Retry-After GitHub sent, once per retry
    no_retry_after = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(time.time()) + 5)}
    assert 3 < github._rate_limit_wait(403, no_retry_after) <= 5
    assert github._rate_limit_wait(200, {"x-ratelimit-remaining": "10"}) is None


def test_a_truncated_tree_is_said_and_a_huge_file_is_not_fetched(tmp_path: Path, github_emulator: Emulator) -> None:
    huge = "FROM python:3.12\n" + "# padding\n" * 30000  # over 256 KiB: not a configuration file, as for a checkout
    estate = ghbuild.golden()
    estate["orgs"][0]["repos"][0]["tree_truncated"] = True
    estate["orgs"][0]["repos"][0]["files"]["Dockerfile"] = huge
    estate["orgs"][0]["repos"][1]["files"]["Dockerfile"] = "FROM python:3.12\n"  # small: read, its unpinned image seen
    github_emulator.load(estate)
    code, _, records = scan(tmp_path, "--github-org", "dept")
    assert code == 0
    found = repository_facts(records)
    assert found["127.0.0.1/dept/svc-a"]["images_pinned"] is True  # the huge Dockerfile's image was never read
    assert found["127.0.0.1/dept/svc-b"]["images_pinned"] is False
    assert found["127.0.0.1/dept/svc-a"]["dependency_ecosystems"] == found["127.0.0.1/dept/svc-b"]["dependency_ecosystems"]
    gaps = [r for r in records if r.get("record") == "coverage" and r["collector"] == "github.repository.files"]
    assert [(g["scope"], g["status"]) for g in gaps] == [("127.0.0.1/dept/svc-a", "error")] and "truncated" in gaps[0]["reason"]


def test_a_batch_query_that_fails_whole_is_asked_again_in_halves(github_emulator: Emulator) -> None:
    """GitHub answers 502 to a query past its time limit (a batch of heavy histories): after its
    retries, the batch is asked again in halves, so the repositories still read; one that fails even
    alone is an error (not denied), and the others of its batch stand."""
    from concurrent.futures import ThreadPoolExecutor

    from cmm_scan.cloud.http import Backoff
    from cmm_scan.repos import github

    now = 1_790_000_000.0  # a fixed window: the same query text, so the seeded faults fall the same way every run
    with ThreadPoolExecutor(2) as pool:
        github_emulator.load(ghbuild.golden())
        client = github.Client(github_emulator.url, github_emulator.env["GITHUB_TOKEN"], Backoff(attempts=1))
        repos = [(r, r["full_name"]) for r in github.list_repositories(client, "dept")]
        # seed 8: the three-repository query fails, its halves (one, then two) do not
        github_emulator.load({**ghbuild.golden(), "faults": {"seed": 8, "fail": {"share": 0.5, "status": 502, "operations": ["graphql"]}}})
        reads = github.read_batch(client, repos, pool, now=now)
        assert [r["status"] for r in github_emulator.requests if r["operation"] == "graphql"] == [502, 200, 200]
        assert [type(read).__name__ for read, _ in reads] == ["ApiRead"] * 3
        assert [requests for _, requests in reads] == [1 + 2 + 1, 1 + 2 + 1, 1 + 2 + 1]  # tree, the whole and its half, runs

        github_emulator.requests.clear()
        github_emulator.load({**ghbuild.golden(), "faults": {"fail": {"share": 1, "status": 502, "operations": ["graphql"]}}})
        reads = github.read_batch(client, repos, pool, now=now)
        assert len([r for r in github_emulator.requests if r["operation"] == "graphql"]) == 5  # [a b c], [a], [b c], [b], [c]
        assert all(isinstance(read, github.ApiError) and read.status == 502 and not read.denied for read, _ in reads)


def test_protection_a_token_may_not_administer_is_unknown_not_unprotected(tmp_path: Path, github_emulator: Emulator) -> None:
    """GitHub's GraphQL answers a token without admin rights on a repository `branchProtectionRule: null`
    and no error, the same as for an unprotected branch: the reader must not read that as "not
    protected". svc-a (classic protection only) stays unknown; svc-b's rules still show protection."""
    estate = ghbuild.golden()
    for entry in estate["orgs"][0]["repos"]:
        entry["viewer_admin"] = False
    github_emulator.load(estate)
    code, _, records = scan(tmp_path, "--github-org", "dept")
    assert code == 0
    found = repository_facts(records)
    a, b = found["127.0.0.1/dept/svc-a"], found["127.0.0.1/dept/svc-b"]
    assert (a["branch_protected"], a["required_reviews"], a["force_push_blocked"]) == (None, None, None)
    assert (b["branch_protected"], b["required_reviews"], b["force_push_blocked"]) == (True, 2, True)
    gaps = [r for r in records if r.get("record") == "coverage" and r["collector"] == "github.repository.branch_protection"]
    assert gaps and {g["status"] for g in gaps} == {"denied"}
    assert all("may not administer" in g["reason"] for g in gaps)
