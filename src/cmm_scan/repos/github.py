"""Read a GitHub organisation's repositories through the REST API (plain HTTPS, the standard library).

Per repository, whatever its size: one git tree (recursive) for the file list, the few
configuration files the classifier names (contents API), the default branch's commits of the
last 90 days (plus one request for the total), its branches, its classic protection and the
rules that apply to it, and the Actions runs of the last 30 days. The token comes from the
environment (GITHUB_TOKEN) and goes only into the Authorization header: never into a fact, a
coverage reason, a log line or an error message.

A read that is refused or fails leaves its attributes unknown (None), never false or zero; the
caller records why in coverage.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import re
import statistics
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

from cmm_scan.cloud.http import Backoff
from cmm_scan.errors import UserError
from cmm_scan.repos import branching
from cmm_scan.repos.config import relevant, wanted_files
from cmm_scan.repos.facts import WINDOW_DAYS, Reading
from cmm_scan.repos.gitread import MAX_FILE_BYTES

DEFAULT_API = "https://api.github.com"
TOKEN_VARIABLES = ("GITHUB_TOKEN", "GH_TOKEN")
RUN_WINDOW_DAYS = 30
MAX_HISTORY = 2000  # commits of the default branch read for cadence (the local reader's bound)
MAX_FILES = 50  # configuration files fetched per repository (the classifier's choice; more is not a config file)
TIMEOUT = 30
LINK = re.compile(r'<([^>]+)>\s*;\s*rel="([^"]+)"')
HOST_ATTRIBUTES = ("branch_protected", "required_reviews", "required_status_checks", "force_push_blocked")
RUN_ATTRIBUTES = ("actions_runs_30d", "median_run_minutes")


class ApiError(Exception):
    """A request the API refused or could not answer (the message never holds the token)."""

    def __init__(self, status: int, message: str, path: str):
        super().__init__(f"{status} {message} ({path})" if status else f"{message} ({path})")
        self.status, self.message, self.path = status, message, path

    @property
    def denied(self) -> bool:
        """Refused for want of permission (a spent rate limit is a 403 or 429 too, but not a denial)."""
        return self.status == 401 or (self.status == 403 and "rate limit" not in self.message.lower())


def token_from_env(environ: dict[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    for name in TOKEN_VARIABLES:
        if env.get(name, "").strip():
            return env[name].strip()
    raise UserError(
        "no GitHub token: set GITHUB_TOKEN",
        "a fine-grained token with read access to metadata, contents, administration and actions (`cmm-scan permissions repos`)",
    )


def host_of(api_url: str) -> str:
    """The host repositories are named under: github.com for api.github.com, else the API's host."""
    host = urlsplit(api_url).hostname or "github"
    return "github.com" if host == "api.github.com" else host


class Client:
    """GitHub REST over keep-alive connections (one per thread), with bounded retries (cloud.http.Backoff)."""

    def __init__(self, api_url: str, token: str, backoff: Backoff | None = None):
        split = urlsplit(api_url.rstrip("/"))
        if split.scheme not in ("http", "https") or not split.hostname:
            raise UserError(f"--github-api-url {api_url}: not an http(s) URL", "e.g. https://api.github.com or https://ghe.example/api/v3")
        self.scheme, self.netloc, self.prefix = split.scheme, split.netloc, split.path
        self._token = token
        self.backoff = backoff or Backoff(attempts=4, budget=60.0, quota=_rate_limit_wait)
        self._local = threading.local()
        self.requests = 0
        self._count = threading.Lock()

    def _connection(self, fresh: bool = False) -> http.client.HTTPConnection:
        conn = getattr(self._local, "conn", None)
        if conn is None or fresh:
            if conn is not None:
                conn.close()
            kind = http.client.HTTPSConnection if self.scheme == "https" else http.client.HTTPConnection
            conn = kind(self.netloc, timeout=TIMEOUT)
            self._local.conn = conn
        return conn

    def get(self, path: str, query: dict[str, Any] | None = None) -> tuple[Any, dict[str, str]]:
        """One GET: (decoded JSON, headers). Raises ApiError for any status but 2xx."""
        target = path if path.startswith(("http://", "https://")) else f"{self.prefix}{path}" + (f"?{urlencode(query)}" if query else "")
        if target.startswith(("http://", "https://")):  # a Link header's URL: same server, its path and query
            split = urlsplit(target)
            target = split.path + (f"?{split.query}" if split.query else "")
        headers = {
            "Authorization": f"Bearer {self._token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
            "User-Agent": "cmm-scan",
        }

        def send() -> _Answer:
            with self._count:
                self.requests += 1
            self._local.sent = getattr(self._local, "sent", 0) + 1
            for attempt in (0, 1):  # a keep-alive connection the server closed: reconnect once
                conn = self._connection(fresh=attempt == 1)
                try:
                    conn.request("GET", target, headers=headers)
                    response = conn.getresponse()
                    answer = _Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
                    if answer.status_code == 403 and answer.headers.get("x-ratelimit-remaining") == "0":
                        answer.status_code = 429  # GitHub's spent primary rate limit: wait for the reset and retry
                    return answer
                except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                    if attempt:
                        raise ConnectionError("the GitHub API closed the connection") from None
                except OSError as exc:
                    raise ConnectionError(f"cannot reach the GitHub API: {exc.strerror or type(exc).__name__}") from None
            raise AssertionError("unreachable")

        try:
            answer = self.backoff.run(send)
        except (ConnectionError, TimeoutError) as exc:
            raise ApiError(0, str(exc), target.split("?", 1)[0]) from None
        try:
            body = json.loads(answer.body) if answer.body else None
        except ValueError:
            body = None
        if not 200 <= answer.status_code < 300:
            message = body.get("message", "") if isinstance(body, dict) else ""
            raise ApiError(answer.status_code, str(message)[:200], target.split("?", 1)[0])
        return body, answer.headers

    def sent_here(self) -> int:
        """Requests this thread has sent (retries included): a repository's count, read before and after."""
        return int(getattr(self._local, "sent", 0))

    def pages(self, path: str, query: dict[str, Any] | None = None, key: str | None = None, limit: int | None = None) -> list[Any]:
        """Every item of a list, following `Link: rel="next"` (at most `limit` items)."""
        items: list[Any] = []
        body, headers = self.get(path, {"per_page": 100, **(query or {})})
        while True:
            chunk = body.get(key, []) if key and isinstance(body, dict) else body
            items.extend(chunk or [])
            nxt = links(headers.get("link", "")).get("next")
            if not nxt or (limit is not None and len(items) >= limit):
                return items[:limit] if limit is not None else items
            body, headers = self.get(nxt)


@dataclass
class _Answer:
    status_code: int
    headers: dict[str, str]
    body: bytes


def _rate_limit_wait(status: int, headers: Any) -> float | None:
    """Seconds to wait when the primary rate limit is spent (x-ratelimit-remaining 0) and the answer
    names no Retry-After of its own (which, when present, is the wait GitHub asks for)."""
    if headers.get("x-ratelimit-remaining") == "0" and status in (403, 429) and "retry-after" not in headers:
        try:
            return max(0.0, float(headers.get("x-ratelimit-reset", "0")) - time.time())
        except ValueError:
            return None
    return None


def links(header: str) -> dict[str, str]:
    return {rel: url for url, rel in LINK.findall(header)}


def last_page(header: str) -> int | None:
    last = links(header).get("last")
    if not last:
        return None
    found = re.search(r"[?&]page=(\d+)", last)
    return int(found.group(1)) if found else None


def list_repositories(client: Client, org: str) -> list[dict[str, Any]]:
    """The organisation's repositories, archived ones left out (nothing lands on them)."""
    try:
        items = client.pages(f"/orgs/{org}/repos", {"type": "all"})
    except ApiError as exc:
        if exc.status == 404:
            raise UserError(f"GitHub organisation {org}: not found (or not visible to this token)") from None
        if exc.denied:
            raise UserError(f"GitHub organisation {org}: the token may not list its repositories ({exc.status})") from None
        raise UserError(f"GitHub organisation {org}: cannot list repositories: {exc}") from None
    return [r for r in items if not r.get("archived")]


@dataclass
class ApiRead:
    """A repository read through the API: the Reading the facts builder takes, and what was not read."""

    reading: Reading
    unknown: dict[str, str] = field(default_factory=dict)  # what could not be read -> why


def read_repository(client: Client, repo: dict[str, Any], repo_id: str, now: float | None = None) -> ApiRead:
    """Everything the facts need from one repository on GitHub. Raises ApiError when the repository
    itself cannot be read (its tree or history); host-only evidence that cannot be read is unknown."""
    now = time.time() if now is None else now
    full, branch = repo["full_name"], repo.get("default_branch") or "main"
    base = f"/repos/{full}"
    unknown: dict[str, str] = {}

    tree, _ = client.get(f"{base}/git/trees/{_quote(branch)}", {"recursive": "1"})
    blobs = [e for e in tree.get("tree", []) if e.get("type") == "blob"]
    files = relevant([e["path"] for e in blobs])
    too_big = {e["path"] for e in blobs if int(e.get("size") or 0) > MAX_FILE_BYTES}  # not a config file: not fetched, as git skips it
    if tree.get("truncated"):
        unknown["files"] = "failed: the git tree was truncated by the API: configuration files beyond it were not seen"
    texts: dict[str, str] = {}
    for path in [p for p in wanted_files(files) if p not in too_big][:MAX_FILES]:
        try:
            content, _ = client.get(f"{base}/contents/{_quote(path)}", {"ref": branch})
        except ApiError as exc:
            if exc.status == 404:
                continue
            raise
        if isinstance(content, dict) and content.get("encoding") == "base64":
            texts[path] = base64.b64decode(content.get("content", "")).decode("utf-8", "replace")

    since = datetime.fromtimestamp(now - WINDOW_DAYS * 86400, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    commits = client.pages(f"{base}/commits", {"sha": branch, "since": since}, limit=MAX_HISTORY)
    _, head = client.get(f"{base}/commits", {"sha": branch, "per_page": 1})
    total = last_page(head.get("link", "")) or len(commits) or 1
    history = first_parent(commits)
    branches = [b["name"] for b in client.pages(f"{base}/branches")]

    # tags are not read (their dates cost a request each): unknown, never zero
    extra: dict[str, Any] = {"host": "github", "tags": None, "release_tags_90d": None}
    extra.update(dict.fromkeys((*HOST_ATTRIBUTES, *RUN_ATTRIBUTES)))
    extra.update(_protection(client, base, branch, unknown))
    extra.update(_runs(client, base, branch, now, unknown))
    reading = Reading(
        id=repo_id,
        name=repo.get("name", full.rsplit("/", 1)[-1]),
        default_branch=branch,
        total_commits=total,
        branches=branches,
        tags=[],
        history=history,
        files=files,
        texts=texts,
        extra=extra,
    )
    return ApiRead(reading, unknown)


def _why(what: str, exc: ApiError) -> str:
    """'denied: ...' or 'failed: ...' and the API's status and message (the coverage status follows the first word)."""
    return f"{'denied' if exc.denied else 'failed'}: {what}: {exc.status} {exc.message}".strip()


def _quote(path: str) -> str:
    from urllib.parse import quote

    return quote(path, safe="/")


def first_parent(commits: list[dict[str, Any]]) -> list[tuple[int, bool, str | None]]:
    """The default branch's first-parent line from a commit list (newest first): (time, merge, merged branch)."""
    if not commits:
        return []
    by_sha = {c["sha"]: c for c in commits}
    out: list[tuple[int, bool, str | None]] = []
    at: dict[str, Any] | None = commits[0]
    seen: set[str] = set()
    while at is not None and at["sha"] not in seen:
        seen.add(at["sha"])
        parents = at.get("parents") or []
        merge = len(parents) > 1
        subject = (at.get("commit", {}).get("message") or "").split("\n", 1)[0]
        when = int(datetime.fromisoformat(at["commit"]["committer"]["date"].replace("Z", "+00:00")).timestamp())
        out.append((when, merge, branching.merge_source(subject) if merge else None))
        at = by_sha.get(parents[0]["sha"]) if parents else None
    return out


def _protection(client: Client, base: str, branch: str, unknown: dict[str, str]) -> dict[str, Any]:
    """Required reviews, status checks and force-push blocking on the default branch, from classic
    protection and the rules (rulesets) that apply to it. Each read that fails leaves its half
    unknown: a True from either half stands; False needs both halves read."""
    classic: dict[str, Any] | None = None
    classic_read = True
    try:
        classic, _ = client.get(f"{base}/branches/{_quote(branch)}/protection")
    except ApiError as exc:
        if exc.status == 404 and "not protected" in exc.message.lower():
            classic = None
        else:
            classic_read = False
            unknown["branch_protection"] = _why("classic branch protection not read", exc)
    rules: list[dict[str, Any]] = []
    rules_read = True
    try:
        rules = client.pages(f"{base}/rules/branches/{_quote(branch)}")
    except ApiError as exc:
        rules_read = False
        unknown["branch_rules"] = _why("rules for the default branch not read", exc)

    reviews_classic = (classic or {}).get("required_pull_request_reviews")
    review_count = [int((reviews_classic or {}).get("required_approving_review_count", 1))] if reviews_classic else []
    review_count += [
        int((r.get("parameters") or {}).get("required_approving_review_count", 0)) for r in rules if r.get("type") == "pull_request"
    ]
    checks_classic = (classic or {}).get("required_status_checks") or {}
    checks = bool(checks_classic.get("contexts") or checks_classic.get("checks")) or any(
        r.get("type") == "required_status_checks" and (r.get("parameters") or {}).get("required_status_checks") for r in rules
    )
    force_classic = classic is not None and not ((classic.get("allow_force_pushes") or {}).get("enabled", False))
    force = force_classic or any(r.get("type") == "non_fast_forward" for r in rules)
    both = classic_read and rules_read
    seen = (classic is not None) or bool(rules)

    def known(value: bool | int) -> bool | int | None:
        return value if (value or both) else None

    return {
        "branch_protected": known(seen),
        "required_reviews": known(max(review_count, default=0)),
        "required_status_checks": known(checks),
        "force_push_blocked": known(force),
    }


def _runs(client: Client, base: str, branch: str, now: float, unknown: dict[str, str]) -> dict[str, Any]:
    """Completed Actions runs of the default branch in the last 30 days and their median duration
    (run start to last update, as the runs list gives them)."""
    day = datetime.fromtimestamp(now - RUN_WINDOW_DAYS * 86400, UTC).strftime("%Y-%m-%d")
    try:
        runs = client.pages(
            f"{base}/actions/runs", {"branch": branch, "status": "completed", "created": f">={day}"}, key="workflow_runs", limit=1000
        )
    except ApiError as exc:
        unknown["actions_runs"] = _why("Actions runs not read", exc)
        return {}
    minutes = [d for d in (_duration(r) for r in runs) if d is not None]
    return {"actions_runs_30d": len(runs), "median_run_minutes": round(statistics.median(minutes), 1) if minutes else None}


def _duration(run: dict[str, Any]) -> float | None:
    start, end = run.get("run_started_at") or run.get("created_at"), run.get("updated_at")
    if not start or not end:
        return None
    seconds = _stamp(end) - _stamp(start)
    return seconds / 60 if seconds >= 0 else None


def _stamp(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
