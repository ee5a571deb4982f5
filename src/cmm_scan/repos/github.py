"""Read a GitHub organisation's repositories through the REST and GraphQL APIs (plain HTTPS, the standard library).

Per repository, whatever its size: one git tree (REST, recursive) for the file list and, where it
has Actions workflows, its runs of the last 30 days (REST). Everything else comes from one GraphQL
query per BATCH repositories (aliases): the default branch's commits of the last 90 days and its
total, the branches, classic protection and the rules of active rulesets that apply to the default
branch, and the few configuration files the classifier names; a connection with more pages is
followed by further queries, batched likewise. About 2 requests per repository. The token comes from the
environment (GITHUB_TOKEN) and goes only into the Authorization header: never into a fact, a
coverage reason, a log line or an error message.

A read that is refused or fails leaves its attributes unknown (None), never false or zero; the
caller records why in coverage.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import statistics
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor
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

    def __init__(self, status: int, message: str, path: str, denied: bool | None = None, answered: bool = False):
        super().__init__(f"{status} {message} ({path})" if status else f"{message} ({path})")
        self.status, self.message, self.path = status, message, path
        self._denied = denied  # GraphQL says so by error type (FORBIDDEN, NOT_FOUND), not by status
        self.answered = answered  # status 0 with an answer (GraphQL's errors without data), not a lost connection

    @property
    def denied(self) -> bool:
        """Refused for want of permission (a spent rate limit is a 403 or 429 too, but not a denial)."""
        if self._denied is not None:
            return self._denied
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
        return self._send("GET", target)

    def graphql(self, query: str, variables: dict[str, Any] | None = None) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
        """One GraphQL request: (data, errors). GraphQL answers 200 with errors beside partial data;
        a spent rate limit (RATE_LIMITED) is waited out and retried like REST's. Raises ApiError when
        no data comes back at all."""
        # api.github.com/graphql; GitHub Enterprise Server: /api/graphql beside /api/v3
        path = self.prefix[: -len("/v3")] + "/graphql" if self.prefix.endswith("/api/v3") else f"{self.prefix}/graphql"
        body, _ = self._send("POST", path, json.dumps({"query": query, "variables": variables or {}}).encode())
        if not isinstance(body, dict):
            raise ApiError(0, "the GraphQL API gave no JSON object", path, answered=True)
        errors = [e for e in body.get("errors") or [] if isinstance(e, dict)]
        if body.get("data") is None:
            first = errors[0] if errors else {}
            kind = str(first.get("type") or "ERROR")
            message = f"{kind} {str(first.get('message', ''))[:200]}".strip()
            raise ApiError(0, message, path, denied=kind in ("FORBIDDEN", "NOT_FOUND"), answered=True)
        return body["data"], errors

    def _send(self, method: str, target: str, data: bytes | None = None) -> tuple[Any, dict[str, str]]:
        headers = {
            "Authorization": f"Bearer {self._token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
            "User-Agent": "cmm-scan",
        }
        if data is not None:
            headers["Content-Type"] = "application/json"

        def send() -> _Answer:
            with self._count:
                self.requests += 1
            self._local.sent = getattr(self._local, "sent", 0) + 1
            for attempt in (0, 1):  # a keep-alive connection the server closed: reconnect once
                conn = self._connection(fresh=attempt == 1)
                try:
                    conn.request(method, target, body=data, headers=headers)
                    response = conn.getresponse()
                    answer = _Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
                    if answer.status_code == 403 and (
                        answer.headers.get("x-ratelimit-remaining") == "0" or "retry-after" in answer.headers
                    ):
                        answer.status_code = 429  # GitHub's spent primary or secondary rate limit: wait and retry
                    elif answer.status_code == 200 and method == "POST" and _rate_limited(answer.body):
                        answer.status_code = 429  # GraphQL's spent rate limit is a 200 with a RATE_LIMITED error
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


def _rate_limited(body: bytes) -> bool:
    if b"RATE_LIMITED" not in body:
        return False
    try:
        errors = json.loads(body).get("errors") or []
    except (ValueError, AttributeError):
        return False
    return any(isinstance(e, dict) and e.get("type") == "RATE_LIMITED" for e in errors)


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


# Repositories per GraphQL query. Each asks for at most ~500 nodes (100 commits with 2 parents
# each, 100 branches, 100 rules, its configuration files), so 20 stay far under GitHub's
# 500,000-node limit and its rate-limit cost stays low (~25 points a query); bigger batches of
# history risk GitHub's 10-second query timeout, which fails the whole batch.
BATCH = 20
# Batches in flight at once: a heavy GraphQL query takes seconds on GitHub's side, so the next
# batch's trees and query overlap it; few, as GitHub asks clients not to flood GraphQL concurrently.
BATCHES_AT_ONCE = 3
PAGE = 100  # GitHub's largest page (first: 1-100)
HISTORY = "nodes { oid committedDate message parents(first: 2) { nodes { oid } } } pageInfo { hasNextPage endCursor }"
RULES = (
    "nodes { type parameters { ... on PullRequestParameters { requiredApprovingReviewCount }"
    " ... on RequiredStatusChecksParameters { requiredStatusChecks { context } } } } pageInfo { hasNextPage endCursor }"
)
CLASSIC = "requiresApprovingReviews requiredApprovingReviewCount requiresStatusChecks requiredStatusCheckContexts allowsForcePushes"
REFS = "nodes { name } pageInfo { hasNextPage endCursor }"
FRAGMENTS = {
    "History": f"fragment History on CommitHistoryConnection {{ {HISTORY} }}",
    "Rules": f"fragment Rules on RepositoryRuleConnection {{ {RULES} }}",
    "Refs": f"fragment Refs on RefConnection {{ {REFS} }}",
    "Blob": "fragment Blob on GitObject { ... on Blob { byteSize isBinary text } }",
    "Head": (
        "fragment Head on Ref { name branchProtectionRule { " + CLASSIC + " } rules(first: 100) { ...Rules } target { oid ... on Commit {"
        " all: history(first: 1) { totalCount } recent: history(first: 100, since: $since) { ...History } } } }"
    ),
}
WORKFLOWS = re.compile(r"^\.github/workflows/[^/]+\.ya?ml$")


@dataclass
class _Work:
    """One repository being read: what each step found, and what it cost."""

    repo: dict[str, Any]
    repo_id: str
    branch: str
    files: list[str] = field(default_factory=list)
    wanted: list[str] = field(default_factory=list)
    truncated: bool = False
    workflows: bool = False
    texts: dict[str, str] = field(default_factory=dict)
    head: str | None = None
    ref: str | None = None
    total: int | None = None
    commits: list[dict[str, Any]] = field(default_factory=list)
    branches: list[str] = field(default_factory=list)
    classic: dict[str, Any] | None = None
    rules: list[dict[str, Any]] = field(default_factory=list)
    pages: dict[str, str] = field(default_factory=dict)  # connection still to page ("history", "refs", "rules") -> cursor
    runs: dict[str, Any] = field(default_factory=dict)
    unknown: dict[str, str] = field(default_factory=dict)
    error: ApiError | None = None
    requests: int = 0  # its own REST requests
    queries: int = 0  # the GraphQL requests it was part of (counted apart: runs and queries overlap)

    @property
    def owner_name(self) -> tuple[str, str]:
        owner, _, name = self.repo["full_name"].partition("/")
        return owner, name


def read_batch(
    client: Client, repos: list[tuple[dict[str, Any], str]], pool: Executor, now: float | None = None
) -> list[tuple[ApiRead | ApiError, int]]:
    """Everything the facts need from up to BATCH repositories, and the requests each took.

    Per repository: its recursive git tree (REST: GraphQL has no whole-tree listing) and, where it
    has Actions workflows, its runs of the last 30 days (REST: GraphQL has no Actions); for the
    whole batch, one GraphQL query for history, branches, protection, rules and configuration files
    (plus one per further page of a connection, across the batch). A repository whose own reads fail
    comes back as its ApiError; host-only evidence that cannot be read is unknown (ApiRead.unknown).
    The requests a GraphQL query costs are counted for every repository in it."""
    now = time.time() if now is None else now
    work = [_Work(repo, repo_id, repo.get("default_branch") or "main") for repo, repo_id in repos]
    list(pool.map(lambda w: _counted(client, w, _tree), work))
    read = [w for w in work if w.error is None]
    runs = [pool.submit(_counted, client, w, lambda c, x: _runs(c, x, now)) for w in read]  # beside the GraphQL queries
    since = datetime.fromtimestamp(now - WINDOW_DAYS * 86400, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    _graphql(client, read, since)
    for done in runs:
        done.result()
    return [(w.error if w.error is not None else _assemble(w), w.requests + w.queries) for w in work]


def _counted(client: Client, work: _Work, step: Callable[[Client, _Work], None]) -> None:
    before = client.sent_here()
    try:
        step(client, work)
    except ApiError as exc:
        work.error = exc
    work.requests += client.sent_here() - before


def _tree(client: Client, work: _Work) -> None:
    tree, _ = client.get(f"/repos/{work.repo['full_name']}/git/trees/{_quote(work.branch)}", {"recursive": "1"})
    blobs = [e for e in tree.get("tree", []) if e.get("type") == "blob"]
    work.files = relevant([e["path"] for e in blobs])
    too_big = {e["path"] for e in blobs if int(e.get("size") or 0) > MAX_FILE_BYTES}  # not a config file: not fetched, as git skips it
    work.truncated = bool(tree.get("truncated"))
    if work.truncated:
        work.unknown["files"] = "failed: the git tree was truncated by the API: configuration files beyond it were not seen"
    work.wanted = [p for p in wanted_files(work.files) if p not in too_big][:MAX_FILES]
    work.workflows = any(WORKFLOWS.match(e["path"]) for e in blobs)


def _literal(text: str) -> str:
    return json.dumps(text)  # a JSON string is a GraphQL string literal


def _repository(work: _Work) -> str:
    owner, name = work.owner_name
    return f"repository(owner: {_literal(owner)}, name: {_literal(name)})"


def _query(parts: list[str], since: bool) -> str:
    body = " ".join(parts)
    used: list[str] = []
    pending = [n for n in FRAGMENTS if f"...{n}" in body]
    while pending:  # fragments that use fragments (Head uses History and Rules)
        name = pending.pop()
        if name not in used:
            used.append(name)
            pending += [n for n in FRAGMENTS if f"...{n}" in FRAGMENTS[name] and n not in used]
    head = "query($since: GitTimestamp!)" if since else "query"
    return f"{head} {{ {body} }} " + " ".join(FRAGMENTS[n] for n in sorted(used))


def _graphql(client: Client, work: list[_Work], since: str) -> None:
    """The batch's first query, then every further page its connections have, batched likewise."""
    if work:
        _ask(client, {f"r{n}": w for n, w in enumerate(work)}, _first_query, {"since": since}, _first_answer)
    while True:
        todo = [(f"r{n}", w) for n, w in enumerate(work) if w.error is None and w.pages]
        if not todo:
            return
        for start in range(0, len(todo), BATCH):
            _ask(client, dict(todo[start : start + BATCH]), _next_query, {"since": since}, _next_answer)


def _first_query(aliases: dict[str, _Work]) -> str:
    parts = []
    for alias, w in aliases.items():
        files = " ".join(f"f{i}: object(expression: {_literal(f'{w.branch}:{p}')}) {{ ...Blob }}" for i, p in enumerate(w.wanted))
        refs = f'refs(refPrefix: "refs/heads/", first: {PAGE}) {{ ...Refs }}'
        parts.append(f"{alias}: {_repository(w)} {{ viewerCanAdminister defaultBranchRef {{ ...Head }} {refs} {files} }}")
    return _query(parts, since=True)


def _next_query(aliases: dict[str, _Work]) -> str:
    return _query([f"{alias}: {_repository(w)} {{ {_next_pages(w)} }}" for alias, w in aliases.items()], since=True)


def _next_pages(w: _Work) -> str:
    asked = []
    if "history" in w.pages:
        after = _literal(w.pages["history"])
        asked.append(
            f"head: object(oid: {_literal(w.head or '')}) {{ ... on Commit {{"
            f" recent: history(first: {PAGE}, since: $since, after: {after}) {{ ...History }} }} }}"
        )
    if "refs" in w.pages:
        asked.append(f'refs(refPrefix: "refs/heads/", first: {PAGE}, after: {_literal(w.pages["refs"])}) {{ ...Refs }}')
    if "rules" in w.pages:
        ref = _literal(f"refs/heads/{w.ref or w.branch}")
        asked.append(f"ref(qualifiedName: {ref}) {{ rules(first: {PAGE}, after: {_literal(w.pages['rules'])}) {{ ...Rules }} }}")
    return " ".join(asked)


def _ask(
    client: Client,
    aliases: dict[str, _Work],
    build: Callable[[dict[str, _Work]], str],
    variables: dict[str, Any],
    take: Callable[[_Work, dict[str, Any]], None],
) -> None:
    """One GraphQL request for several repositories: per-alias errors go to their repository
    (protection and rules to its unknowns, anything else to the repository itself). A request that
    fails as a whole after its retries (a 5xx: GitHub answers 502 to a query past its time limit; or
    no answer) is asked again in halves, so one heavy repository fails alone; a refusal fails them all."""
    for w in aliases.values():
        w.queries += 1
    try:
        data, errors = client.graphql(build(aliases), variables)
    except ApiError as exc:
        if len(aliases) > 1 and (exc.status >= 500 or (exc.status == 0 and not exc.answered)):
            items = list(aliases.items())
            for half in (items[: len(items) // 2], items[len(items) // 2 :]):
                _ask(client, dict(half), build, variables, take)
            return
        for w in aliases.values():
            w.error = exc
        return
    for err in errors:
        path = [str(p) for p in err.get("path") or []]
        w = aliases.get(path[0]) if path else None
        kind, message = str(err.get("type") or "ERROR"), str(err.get("message", ""))[:200]
        exc = ApiError(0, f"{kind} {message}", "/graphql", denied=kind in ("FORBIDDEN", "NOT_FOUND"))
        if w is None:  # not about one repository: the query itself failed
            for other in aliases.values():
                other.error = other.error or exc
        elif "branchProtectionRule" in path:
            w.unknown["branch_protection"] = _why("classic branch protection not read", exc)
        elif "rules" in path:
            w.unknown["branch_rules"] = _why("rules for the default branch not read", exc)
        else:
            w.error = w.error or exc
    for alias, w in aliases.items():
        node = (data or {}).get(alias)
        if w.error is not None:
            continue
        if node is None:
            w.error = ApiError(0, "the repository was not returned by the GraphQL API", "/graphql")
            continue
        take(w, node)


def _connection(w: _Work, key: str, conn: dict[str, Any] | None) -> list[Any]:
    if not conn:
        return []
    info = conn.get("pageInfo") or {}
    if info.get("hasNextPage") and info.get("endCursor"):
        w.pages[key] = info["endCursor"]
    return [n for n in conn.get("nodes") or [] if n is not None]


def _first_answer(w: _Work, node: dict[str, Any]) -> None:
    ref = node.get("defaultBranchRef")
    if not ref:
        w.error = ApiError(0, "the repository has no default branch (empty)", "/graphql")
        return
    w.ref = ref.get("name") or w.branch
    if "branch_protection" not in w.unknown:
        w.classic = ref.get("branchProtectionRule")
        if w.classic is None and node.get("viewerCanAdminister") is False:
            # GitHub answers a token that may not administer the repository with no rule, not an error
            w.unknown["branch_protection"] = "denied: classic branch protection not read: the token may not administer the repository"
    if "branch_rules" not in w.unknown:
        w.rules = _connection(w, "rules", ref.get("rules"))
    target = ref.get("target") or {}
    w.head = target.get("oid")
    w.total = (target.get("all") or {}).get("totalCount")
    w.commits = _connection(w, "history", target.get("recent"))
    w.branches = [r["name"] for r in _connection(w, "refs", node.get("refs"))]
    for i, path in enumerate(w.wanted):
        blob = node.get(f"f{i}")
        if blob and blob.get("text") is not None:  # null: no such file, or binary
            w.texts[path] = blob["text"]


def _next_answer(w: _Work, node: dict[str, Any]) -> None:
    w.pages = {}  # each asked page's connection says again whether more follow
    if "head" in node:
        w.commits += _connection(w, "history", (node.get("head") or {}).get("recent"))
        if len(w.commits) >= MAX_HISTORY:
            w.pages.pop("history", None)
    if "refs" in node:
        w.branches += [r["name"] for r in _connection(w, "refs", node.get("refs"))]
    if "ref" in node and "branch_rules" not in w.unknown:
        w.rules += _connection(w, "rules", (node.get("ref") or {}).get("rules"))


def _assemble(w: _Work) -> ApiRead:
    commits = [
        {
            "sha": c["oid"],
            "parents": [{"sha": p["oid"]} for p in (c.get("parents") or {}).get("nodes") or []],
            "commit": {"message": c.get("message") or "", "committer": {"date": c["committedDate"]}},
        }
        for c in w.commits[:MAX_HISTORY]
    ]
    # tags are not read (their dates cost more than they tell): unknown, never zero
    extra: dict[str, Any] = {"host": "github", "tags": None, "release_tags_90d": None}
    extra.update(dict.fromkeys((*HOST_ATTRIBUTES, *RUN_ATTRIBUTES)))
    extra.update(_protection(w))
    extra.update(w.runs)
    reading = Reading(
        id=w.repo_id,
        name=w.repo.get("name", w.repo["full_name"].rsplit("/", 1)[-1]),
        default_branch=w.branch,
        total_commits=w.total or len(commits) or 1,
        branches=sorted(w.branches),
        tags=[],
        history=first_parent(commits),
        files=w.files,
        texts=w.texts,
        extra=extra,
    )
    return ApiRead(reading, w.unknown)


def _why(what: str, exc: ApiError) -> str:
    """'denied: ...' or 'failed: ...' and the API's status and message (the coverage status follows the first word)."""
    status = f"{exc.status} " if exc.status else ""
    return f"{'denied' if exc.denied else 'failed'}: {what}: {status}{exc.message}".strip()


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


def _protection(w: _Work) -> dict[str, Any]:
    """Required reviews, status checks and force-push blocking on the default branch, from classic
    protection (Ref.branchProtectionRule) and the rules of active rulesets, the organisation's
    included (Ref.rules). Each read that fails leaves its half unknown: a True from either half
    stands; False needs both halves read."""
    classic, rules = w.classic, w.rules
    both = "branch_protection" not in w.unknown and "branch_rules" not in w.unknown
    review_count = []
    if classic and classic.get("requiresApprovingReviews"):
        count = classic.get("requiredApprovingReviewCount")
        review_count.append(int(count) if count is not None else 1)
    review_count += [
        int((r.get("parameters") or {}).get("requiredApprovingReviewCount") or 0) for r in rules if r.get("type") == "PULL_REQUEST"
    ]
    checks = bool(classic and classic.get("requiresStatusChecks") and classic.get("requiredStatusCheckContexts")) or any(
        r.get("type") == "REQUIRED_STATUS_CHECKS" and (r.get("parameters") or {}).get("requiredStatusChecks") for r in rules
    )
    force = (classic is not None and not classic.get("allowsForcePushes", False)) or any(r.get("type") == "NON_FAST_FORWARD" for r in rules)
    seen = (classic is not None) or bool(rules)

    def known(value: bool | int) -> bool | int | None:
        return value if (value or both) else None

    return {
        "branch_protected": known(seen),
        "required_reviews": known(max(review_count, default=0)),
        "required_status_checks": known(checks),
        "force_push_blocked": known(force),
    }


def _runs(client: Client, w: _Work, now: float) -> None:
    """Completed Actions runs of the default branch in the last 30 days and their median duration
    (run start to last update, as the runs list gives them). A repository with no workflow file on
    its default branch has no runs there: nothing is asked (a truncated tree may hide one: asked)."""
    if not (w.workflows or w.truncated):
        w.runs = {"actions_runs_30d": 0, "median_run_minutes": None}
        return
    day = datetime.fromtimestamp(now - RUN_WINDOW_DAYS * 86400, UTC).strftime("%Y-%m-%d")
    base = f"/repos/{w.repo['full_name']}"
    try:
        runs = client.pages(
            f"{base}/actions/runs", {"branch": w.branch, "status": "completed", "created": f">={day}"}, key="workflow_runs", limit=1000
        )
    except ApiError as exc:
        w.unknown["actions_runs"] = _why("Actions runs not read", exc)
        return
    minutes = [d for d in (_duration(r) for r in runs) if d is not None]
    w.runs = {"actions_runs_30d": len(runs), "median_run_minutes": round(statistics.median(minutes), 1) if minutes else None}


def _duration(run: dict[str, Any]) -> float | None:
    start, end = run.get("run_started_at") or run.get("created_at"), run.get("updated_at")
    if not start or not end:
        return None
    seconds = _stamp(end) - _stamp(start)
    return seconds / 60 if seconds >= 0 else None


def _stamp(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
