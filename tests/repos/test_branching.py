"""Branch models read from real histories: branch names and the merges into the default branch."""

from __future__ import annotations

from tests.repos import repository
from tests.repos.gitbuild import Repo


def github_flow(repo: Repo, merges: int = 8) -> Repo:
    repo.commits("main", 20, first_days_ago=300, last_days_ago=120)
    for i in range(merges):
        repo.feature(f"feature/{i}", days_ago=80 - i * 8, pr=100 + i)
    return repo


def test_github_flow_is_trunk_as_written(tmp_path):
    """Only main lives on; short branches are merged through pull requests."""
    attrs = repository(github_flow(Repo(tmp_path / "svc")).build())
    assert (attrs["branch_model"], attrs["branch_model_strict"]) == ("trunk", True)
    assert attrs["long_lived_branches"] == []
    assert attrs["merges_90d"] == 8 and attrs["merges_per_week"] == round(8 / (90 / 7), 2)
    assert attrs["commits"] == 20 + 2 * 8 and attrs["default_branch"] == "main"


def test_trunk_with_maintained_release_branches_is_adapted(tmp_path):
    """Release branches kept beside main: a recognised model, with changes."""
    repo = github_flow(Repo(tmp_path / "svc"))
    repo.branch("release/1.x", "main").commit("release/1.x", days_ago=5)
    attrs = repository(repo.build())
    assert (attrs["branch_model"], attrs["branch_model_strict"]) == ("trunk", False)


def gitflow(repo: Repo, extra_source: str | None = None) -> Repo:
    repo.default = "main"
    repo.commits("main", 12, first_days_ago=300, last_days_ago=200)
    repo.branch("develop", "main").commit("develop", days_ago=150)
    for i in range(4):
        repo.feature(f"feature/f{i}", into="develop", days_ago=120 - i * 20)
        repo.branch(f"release/1.{i}", "develop").commit(f"release/1.{i}", days_ago=110 - i * 20)
        repo.merge(f"release/1.{i}", into="main", days_ago=108 - i * 20).merge(f"release/1.{i}", into="develop", days_ago=107 - i * 20)
        repo.tag(f"v1.{i}.0", "main", days_ago=108 - i * 20)
    repo.branch("hotfix/1.3.1", "main").commit("hotfix/1.3.1", days_ago=10).merge("hotfix/1.3.1", into="main", days_ago=9)
    if extra_source:
        for d in (40, 30, 20):
            repo.commit(extra_source, days_ago=d + 1) if extra_source in repo._tips else repo.branch(extra_source, "main").commit(
                extra_source, days_ago=d + 1
            )
            repo.merge(extra_source, into="main", days_ago=d)
    return repo


def test_gitflow_as_written(tmp_path):
    """develop, release/* and hotfix/*: the default branch only takes release and hotfix merges."""
    attrs = repository(gitflow(Repo(tmp_path / "app")).build())
    assert (attrs["branch_model"], attrs["branch_model_strict"]) == ("gitflow", True)
    assert "develop" in attrs["long_lived_branches"]
    assert attrs["tags"] == 4 and attrs["release_tags_90d"] == 3  # v1.1.0, v1.2.0, v1.3.0 (88, 68, 48 days ago)


def test_gitflow_with_a_staging_branch_is_adapted(tmp_path):
    attrs = repository(gitflow(Repo(tmp_path / "app"), extra_source="staging").build())
    assert (attrs["branch_model"], attrs["branch_model_strict"]) == ("gitflow", False)


def test_environment_branches(tmp_path):
    """dev -> staging -> main, merged again and again: long-lived environment branches."""
    repo = Repo(tmp_path / "web")
    repo.commits("main", 15, first_days_ago=200, last_days_ago=100)
    repo.branch("dev", "main").branch("staging", "main")
    for i in range(4):
        repo.commit("dev", days_ago=60 - i * 10).merge("dev", into="staging", days_ago=59 - i * 10)
        repo.merge("staging", into="main", days_ago=58 - i * 10)
    attrs = repository(repo.build())
    assert attrs["branch_model"] == "environment"
    assert set(attrs["long_lived_branches"]) >= {"dev", "staging"}


def test_home_made_long_lived_branch_is_ad_hoc(tmp_path):
    repo = Repo(tmp_path / "tool")
    repo.commits("main", 15, first_days_ago=200, last_days_ago=100)
    repo.branch("team-blue", "main")
    for i in range(3):
        repo.commit("team-blue", days_ago=50 - i * 10).merge("team-blue", into="main", days_ago=49 - i * 10)
    attrs = repository(repo.build())
    assert (attrs["branch_model"], attrs["long_lived_branches"]) == ("ad_hoc", ["team-blue"])


def test_too_little_history_is_minimal(tmp_path):
    attrs = repository(Repo(tmp_path / "scratch").commits("main", 3, first_days_ago=10).build())
    assert attrs["branch_model"] == "minimal"


def test_squash_merged_history_reads_as_trunk(tmp_path):
    """Squash merges leave no merge commit: the history is a straight line on main."""
    attrs = repository(Repo(tmp_path / "lib").commits("main", 40, first_days_ago=80).build())
    assert (attrs["branch_model"], attrs["branch_model_strict"], attrs["merges_90d"]) == ("trunk", True, 0)
    assert attrs["commits_90d"] == 40
