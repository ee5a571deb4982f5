"""`cmm-scan scan repos PATH...` end to end over real checkouts: paths and globs, clone-all folders,
a repository git cannot read, bad input, and no file content or token in any output."""

from __future__ import annotations

import gzip
import json
import subprocess
from pathlib import Path

import pytest

from cmm_scan.cli import main
from cmm_scan.engine import evaluate
from cmm_scan.repos.adapter import remote_id
from cmm_scan.rules import load_rules
from tests.repos.gitbuild import Repo
from tests.repos.test_config import SECRET_MARK, rich_repo
from tests.support.estate import Estate


def scan(tmp_path: Path, *args: str, formats: str = "json") -> tuple[int, dict]:
    out = tmp_path / "report"
    code = main(["scan", "repos", *args, "-o", str(out), "--format", formats, "--no-store", "-q"])
    return code, json.loads((out / "assessment.json").read_text())


def result(assessment: dict, rule_id: str) -> dict:
    return next(r for r in assessment["results"] if r["id"] == rule_id)


def test_clone_all_folder_scanned_with_no_secret_in_any_output(tmp_path):
    """A folder of checkouts (org/name two levels down too); ids from origin without credentials."""
    rich_repo(tmp_path / "src", "app")
    Repo(tmp_path / "src" / "dept" / "lib", remote="git@github.com:dept/lib.git").commits("main", 15, first_days_ago=40).build()
    (tmp_path / "src" / "notes").mkdir()  # not a repository: ignored
    code, assessment = scan(tmp_path, str(tmp_path / "src"), formats="json,md,csv,html")
    assert code == 0
    scopes = sorted(s["id"] for s in assessment["source"]["scopes"])
    assert scopes == ["github.com/dept/app", "github.com/dept/lib"]
    written = sorted(p.name for p in (tmp_path / "report").iterdir())
    assert {"assessment.json", "snapshot.jsonl.gz"} <= set(written) and any(n.endswith(".html") for n in written)
    for path in (tmp_path / "report").iterdir():
        data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        assert SECRET_MARK.encode() not in data and b"ghp_" not in data, path


def test_glob_and_version_control_answer(tmp_path):
    """Two GitHub Flow repositories: 'a recognised strategy suited to continuous delivery (such as GitHubFlow)' (5)."""
    for name in ("svc-a", "svc-b"):
        repo = Repo(tmp_path / name).commits("main", 12, first_days_ago=200, last_days_ago=100)
        for i in range(5):
            repo.feature(f"feature/{i}", days_ago=50 - i * 5, pr=i + 1)
        repo.build()
    code, assessment = scan(tmp_path, str(tmp_path / "svc-*"))
    assert code == 0
    version_control = result(assessment, "gov.version_control")
    assert (version_control["status"], version_control["answer"]) == ("suggested", 5)
    assert "GitHub Flow as written" in version_control["because"]


def test_unreadable_repository_is_unknown_never_no_ci(tmp_path):
    """A checkout git cannot read: its coverage is an error, so 'no CI' (level 1) is not concluded."""
    broken = Repo(tmp_path / "repos" / "broken").commits("main", 12, first_days_ago=30).build()
    (broken / ".git" / "HEAD").write_text("ref: refs/heads/nowhere\n")  # a checkout on a branch that does not exist
    (broken / ".git" / "refs" / "heads" / "main").unlink(missing_ok=True)
    for pack in (broken / ".git").rglob("packed-refs"):
        pack.unlink()
    code, assessment = scan(tmp_path, str(tmp_path / "repos"))
    assert code == 3  # nothing could be read
    problems = assessment["source"]["coverage_problems"]
    assert [(p["collector"], p["status"]) for p in problems] == [("git.repository", "error")]
    cicd = result(assessment, "ops.cicd")
    assert cicd["answer"] == 0 and 1 in cicd["possible_levels"]


def test_denied_repository_beside_readable_ones_keeps_shares_unknown(tmp_path):
    good = Repo(tmp_path / "repos" / "good").commits("main", 12, first_days_ago=30)
    good.commit("main", {".github/workflows/ci.yml": "jobs: {t: {steps: [{run: pytest}]}}\n"}, days_ago=1).build()
    broken = Repo(tmp_path / "repos" / "broken").commits("main", 12, first_days_ago=30).build()
    (broken / ".git" / "HEAD").write_text("ref: refs/heads/nowhere\n")
    code, assessment = scan(tmp_path, str(tmp_path / "repos"))
    assert code == 0
    cicd = result(assessment, "ops.cicd")
    share = next(e for e in cicd["evidence"] if e["signal"] == "repos_with_ci")
    assert not share["complete"] and share["value"] == {"lo": 0.0, "hi": 1.0}
    assert cicd["answer"] == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["/nonexistent/checkouts"], "/nonexistent/checkouts: no such file or folder"),
        ([], "which repositories? give local checkouts"),
    ],
)
def test_bad_paths_are_one_line_exit_2(tmp_path, capsys, args, message):
    code = main(["scan", "repos", *args, "-o", str(tmp_path / "out"), "--no-store"])
    err = capsys.readouterr().err
    assert code == 2 and message in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_empty_folder_is_one_line(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert main(["collect", "repos", str(tmp_path / "empty"), "--output", str(tmp_path / "s.jsonl")]) == 2
    assert "no git repositories in" in capsys.readouterr().err


def test_paths_belong_to_repos_only(tmp_path, capsys):
    assert main(["collect", "aws", str(tmp_path), "--output", str(tmp_path / "s.jsonl")]) == 2
    assert "only `repos` takes paths" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("remote", "expected"),
    [
        ("https://github.com/dept/app.git", "github.com/dept/app"),
        ("git@github.com:dept/app.git", "github.com/dept/app"),
        ("ssh://git@gitlab.example.internal:2222/grp/sub/app", "gitlab.example.internal/grp/sub/app"),
        ("https://oauth2:glpat-secret@gitlab.com/grp/app", "gitlab.com/grp/app"),
    ],
)
def test_repository_ids_carry_no_credentials(remote, expected):
    assert remote_id(remote) == expected


def test_ten_thousand_commits_are_read_within_bounds(tmp_path):
    """A large history is read with a bound: every commit counted, at most 2000 walked."""
    repo = Repo(tmp_path / "big")
    repo.commits("main", 10_000, first_days_ago=1500, last_days_ago=1)
    repo.build()
    snapshot = tmp_path / "snapshot.jsonl"
    code = main(["collect", "repos", str(repo.path), "--output", str(snapshot), "--questions", "gov.version_control", "-q"])
    (fact,) = [json.loads(line) for line in snapshot.open() if '"record":"fact"' in line]
    assert fact["attributes"]["commits"] == 10_000
    assert 550 <= fact["attributes"]["commits_90d"] <= 650  # 10,000 over 1,500 days: about 600 in 90
    assert code == 0  # the time is measured by bench/repos_bench.py, not here


def test_estate_file_with_a_repos_part_pools_with_a_cloud_snapshot(tmp_path):
    """`scan --estate` collects the repos part from the file's paths and scores it with the cloud part's
    snapshot in the folder; the cloud snapshot cannot hold repos.* facts, so nothing reads as 'not collected'."""
    for name in ("svc-a", "svc-b"):
        repo = Repo(tmp_path / "checkouts" / name).commits("main", 12, first_days_ago=200, last_days_ago=100)
        for i in range(3):
            repo.feature(f"feature/{i}", days_ago=50 - i * 5)
        repo.build()
    snapshots = tmp_path / "snaps"
    snapshots.mkdir()
    estate_file = tmp_path / "estate.yaml"
    estate_file.write_text(
        "format_version: 1\nname: dept\nsnapshots: snaps\nparts:\n"
        f"  - provider: repos\n    name: code\n    options: {{paths: ['{tmp_path / 'checkouts'}']}}\n"
    )
    code = main(["scan", "--estate", str(estate_file), "-o", str(tmp_path / "out"), "--format", "json", "--no-store", "-q"])
    assert code == 0 and (snapshots / "code.jsonl.gz").exists()
    Estate().covered("activity.changes").write(snapshots / "aws.jsonl")
    pooled = evaluate(sorted(snapshots.iterdir()), [r for r in load_rules() if r.id == "gov.version_control"])
    (result,) = pooled.results
    assert result.answer == 5 and pooled.source.providers == ["aws", "repos"]
    assert all(e.complete for e in result.evidence)


def test_ci_checkout_shallow_and_detached_leaves_history_unknown(tmp_path):
    """The repository a pipeline runs in: a depth-1 clone on a detached HEAD. Its configuration is read;
    its cut history is unknown, never 'very little use of version control'."""
    source = Repo(tmp_path / "origin").commits("main", 30, first_days_ago=100)
    source.commit("main", {".github/workflows/ci.yml": "jobs: {t: {steps: [{run: pytest}]}}\n"}, days_ago=1).build()
    checkout = tmp_path / "work" / "app"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{source.path}", str(checkout)], check=True)
    subprocess.run(["git", "-C", str(checkout), "checkout", "-q", "--detach"], check=True)
    subprocess.run(["git", "-C", str(checkout), "update-ref", "-d", "refs/remotes/origin/HEAD"], check=False)
    snapshot = tmp_path / "s.jsonl"
    assert main(["collect", "repos", str(checkout), "--output", str(snapshot), "-q"]) == 0
    (fact,) = [json.loads(line) for line in snapshot.open() if '"type":"repos.repository"' in line]
    attrs = fact["attributes"]
    assert attrs["tests"] is True and attrs["pipelines"] == 1
    assert attrs["branch_model"] is None and attrs["commits"] is None and attrs["commits_90d"] is None
    (result,) = evaluate([snapshot], [r for r in load_rules() if r.id == "gov.version_control"]).results
    assert result.answer == 0
