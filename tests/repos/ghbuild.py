"""GitHub organisations for the `github` emulator, built in GitHub's REST shapes with dates relative to now."""

from __future__ import annotations

import hashlib
import time
from typing import Any

DAY = 86400


def iso(when: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(when))


def sha(*parts: object) -> str:
    return hashlib.sha1("|".join(map(str, parts)).encode(), usedforsecurity=False).hexdigest()


def commits(
    name: str, count: int, newest_days_ago: float = 1, spacing_days: float = 4, merges_from: tuple[str, ...] = ()
) -> list[dict[str, Any]]:
    """`count` first-parent commits, newest first; every merge source named makes a merge commit."""
    now = time.time()
    out = []
    shas = [sha(name, i) for i in range(count + 1)]
    for i in range(count):
        merged = merges_from[i] if i < len(merges_from) else None
        parents = [{"sha": shas[i + 1]}] if i + 1 < count else []
        if merged:
            parents.append({"sha": sha(name, "side", i)})
        message = f"Merge pull request #{i + 1} from dept/{merged}" if merged else f"change {i}"
        date = iso(now - (newest_days_ago + i * spacing_days) * DAY)
        who = {"name": "Dev", "email": "dev@example.gov.uk", "date": date}
        out.append({"sha": shas[i], "commit": {"author": who, "committer": who, "message": message}, "parents": parents})
    return out


def runs(minutes: list[float], branch: str = "main") -> list[dict[str, Any]]:
    now = time.time()
    out = []
    for n, length in enumerate(minutes, start=1):
        start = now - n * DAY / 2
        out.append(
            {
                "id": n,
                "name": "CI",
                "head_branch": branch,
                "path": ".github/workflows/ci.yml",
                "run_number": n,
                "event": "push",
                "status": "completed",
                "conclusion": "success",
                "created_at": iso(start),
                "run_started_at": iso(start),
                "updated_at": iso(start + length * 60),
            }
        )
    return out


WORKFLOW = """name: CI
on: [push, pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: pytest
"""

CLASSIC_PROTECTION = {
    "required_status_checks": {"strict": True, "contexts": ["CI / test"], "checks": [{"context": "CI / test", "app_id": 15368}]},
    "enforce_admins": {"enabled": True},
    "required_pull_request_reviews": {
        "dismiss_stale_reviews": True,
        "require_code_owner_reviews": False,
        "required_approving_review_count": 1,
    },
    "required_linear_history": {"enabled": False},
    "allow_force_pushes": {"enabled": False},
    "allow_deletions": {"enabled": False},
}

RULES = [
    {"type": "deletion", "ruleset_source_type": "Organization", "ruleset_source": "dept", "ruleset_id": 7},
    {"type": "non_fast_forward", "ruleset_source_type": "Organization", "ruleset_source": "dept", "ruleset_id": 7},
    {
        "type": "pull_request",
        "ruleset_source_type": "Organization",
        "ruleset_source": "dept",
        "ruleset_id": 7,
        "parameters": {
            "required_approving_review_count": 2,
            "dismiss_stale_reviews_on_push": True,
            "require_code_owner_review": False,
            "require_last_push_approval": False,
            "required_review_thread_resolution": False,
        },
    },
]


def repo(name: str, **more: Any) -> dict[str, Any]:
    """A trunk-based repository with an Actions workflow, 12 commits in the last 90 days."""
    entry: dict[str, Any] = {
        "repository": {"name": name, "default_branch": "main", "pushed_at": iso(time.time() - DAY)},
        "commits": commits(name, 12),
        "files": {".github/workflows/ci.yml": WORKFLOW, "requirements.txt": "requests==2.32.3\n", "README.md": "# " + name},
        "workflow_runs": runs([3, 4, 5, 6]),
    }
    entry.update(more)
    return entry


def golden() -> dict[str, Any]:
    """Three trunk-based (GitHub Flow) repositories with fast builds: one protected classically, one by
    an organisation ruleset, one unprotected; one archived repository (not read)."""
    return {
        "provider": "github",
        "orgs": [
            {
                "login": "dept",
                "repos": [
                    repo("svc-a", protection=CLASSIC_PROTECTION),
                    repo(
                        "svc-b",
                        rules=RULES,
                        rulesets=[{"id": 7, "name": "main", "source_type": "Organization", "source": "dept", "enforcement": "active"}],
                    ),
                    repo("svc-c", workflow_runs=runs([2, 8, 9])),
                    {"repository": {"name": "old", "archived": True}, "commits": commits("old", 3, newest_days_ago=400)},
                ],
            }
        ],
    }
