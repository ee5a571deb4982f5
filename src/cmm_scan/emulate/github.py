"""GitHub: an organisation's repositories through the REST API (api.github.com shapes), over http.

The estate (docs/emulator.md) lists organisations and their repositories. Each repository holds
what the API returns about it, in GitHub's own shapes: the repository object (`repository:`, a
"minimal repository" as `GET /orgs/{org}/repos` lists it), the default branch's classic protection
(`protection:`, as `GET .../branches/{branch}/protection` returns it; absent = "Branch not
protected"), the rules that apply to the default branch (`rules:`, as `GET .../rules/branches/{branch}`
returns them) and the rulesets (`rulesets:`), the commits of the default branch newest first
(`commits:`, commit objects as `GET .../commits` lists them), other branch names (`branches:`),
Actions workflow runs (`workflow_runs:`) and the default branch's files (`files:` path -> text; the
git tree, blob SHAs and base64 contents are derived from them as git would).

`POST /graphql` serves GitHub's GraphQL API over the same estate (emulate/github_graphql.py: queries
executed by graphql-core against a subset of GitHub's schema, `data/github-graphql.graphql`).

Every request needs `Authorization: Bearer <token>` (or `token <token>`) with the token the
emulator prints (GITHUB_TOKEN); lists page with `page`/`per_page` and a `Link` header; every
answer carries `x-ratelimit-*` headers.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from cmm_scan.emulate.core import Call, Emulator, EstateBase, LinkHeaderPaging, Problem, Provider, Reply, Route, Throttle

DOCS = "https://docs.github.com/rest"
RATE_LIMIT = 5000


# --- the estate ------------------------------------------------------------------------------


class Served(BaseModel):
    """A GitHub object as the API returns it: keys beyond the ones named are served as written."""

    model_config = ConfigDict(extra="allow")


class RepositoryObject(Served):
    name: str
    default_branch: str = "main"
    archived: bool = False
    private: bool = True
    fork: bool = False


class Repo(BaseModel):
    model_config = ConfigDict(extra="forbid")

    repository: RepositoryObject
    branches: list[str] = Field(default_factory=list, description="branch names beside the default branch")
    protection: dict[str, Any] | None = Field(default=None, description="classic protection of the default branch; None: not protected")
    rules: list[dict[str, Any]] = Field(
        default_factory=list, description="rules applying to the default branch (GET .../rules/branches/{b})"
    )
    rulesets: list[dict[str, Any]] = Field(default_factory=list, description="GET .../rulesets items")
    commits: list[dict[str, Any]] = Field(default_factory=list, description="default-branch commits, newest first (GET .../commits items)")
    workflow_runs: list[dict[str, Any]] = Field(default_factory=list, description="GET .../actions/runs items")
    actions_enabled: bool = True
    viewer_admin: bool = Field(
        default=True,
        description="the token may administer the repository; if not, REST refuses its classic protection (403) and "
        "GraphQL answers `branchProtectionRule: null` beside `viewerCanAdminister: false`, with no error",
    )
    tree_truncated: bool = False  # answer the recursive tree as GitHub does past its limit: truncated, as given
    files: dict[str, str] = Field(default_factory=dict, description="the default branch's files: path -> text")

    @model_validator(mode="after")
    def _commits_have_shas(self) -> Repo:
        for n, commit in enumerate(self.commits):
            if not isinstance(commit.get("sha"), str) or not isinstance((commit.get("commit") or {}).get("committer"), dict):
                raise ValueError(f"commits[{n}] needs a sha and commit.committer.date (a commit object as GET .../commits lists it)")
        return self


class Org(BaseModel):
    model_config = ConfigDict(extra="forbid")

    login: str
    repos: list[Repo] = Field(default_factory=list)


class GithubEstate(EstateBase):
    provider: Literal["github"]
    orgs: list[Org] = Field(default_factory=list)


# --- derived views ---------------------------------------------------------------------------


def blob_sha(text: str) -> str:
    data = text.encode()
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


@dataclass
class RepoView:
    owner: str
    repo: Repo
    item: dict[str, Any]
    tree: list[dict[str, Any]]
    tree_sha: str
    head_sha: str
    positions: dict[str, int] = field(default_factory=dict)  # commit sha -> index in repo.commits (GraphQL's parents)


@dataclass
class GithubState:
    orgs: dict[str, list[RepoView]] = field(default_factory=dict)  # org login (lowercase) -> repositories
    repos: dict[str, RepoView] = field(default_factory=dict)  # "owner/name" (lowercase) -> repository


def _tree(files: dict[str, str]) -> list[dict[str, Any]]:
    """A recursive git tree's entries: each folder once, then each file (blob SHAs as git computes them)."""
    entries: dict[str, dict[str, Any]] = {}
    for path in sorted(files):
        parts = path.split("/")
        for depth in range(1, len(parts)):
            folder = "/".join(parts[:depth])
            entries.setdefault(
                folder,
                {"path": folder, "mode": "040000", "type": "tree", "sha": hashlib.sha1(folder.encode(), usedforsecurity=False).hexdigest()},
            )
        text = files[path]
        entries[path] = {"path": path, "mode": "100644", "type": "blob", "sha": blob_sha(text), "size": len(text.encode())}
    return [entries[k] for k in sorted(entries)]


def build_state(estate: GithubEstate, url: str) -> GithubState:
    state = GithubState()
    for org in estate.orgs:
        views = state.orgs.setdefault(org.login.lower(), [])
        for n, repo in enumerate(org.repos, start=1):
            item = _repository_item(org.login, repo.repository, n, url)
            tree = _tree(repo.files)
            tree_sha = hashlib.sha1(repr([(e["path"], e["sha"]) for e in tree]).encode(), usedforsecurity=False).hexdigest()
            head = repo.commits[0]["sha"] if repo.commits else hashlib.sha1(item["full_name"].encode(), usedforsecurity=False).hexdigest()
            view = RepoView(org.login, repo, item, tree, tree_sha, head, {c["sha"]: n for n, c in enumerate(repo.commits)})
            views.append(view)
            state.repos[item["full_name"].lower()] = view
    return state


def _repository_item(owner: str, repository: RepositoryObject, n: int, url: str) -> dict[str, Any]:
    data = repository.model_dump()
    full = f"{owner}/{repository.name}"
    defaults = {
        "id": n,
        "node_id": base64.b64encode(f"010:Repository{n}".encode()).decode(),
        "full_name": full,
        "owner": {"login": owner, "id": 1, "type": "Organization", "url": f"{url}/users/{owner}"},
        "html_url": f"https://github.com/{full}",
        "url": f"{url}/repos/{full}",
        "visibility": "private" if repository.private else "public",
        "disabled": False,
    }
    return {**defaults, **data}


# --- handlers --------------------------------------------------------------------------------

PAGES = LinkHeaderPaging()
RUN_PAGES = LinkHeaderPaging(items_key="workflow_runs")


def _state(call: Call) -> GithubState:
    return call.state  # type: ignore[no-any-return]


def _repo(call: Call) -> RepoView:
    view = _state(call).repos.get(f"{call.params['owner']}/{call.params['repo']}".lower())
    if view is None:
        raise Problem("not_found", "Not Found")
    return view


def _default_branch(call: Call, view: RepoView) -> None:
    """The emulator holds only the default branch's protection, rules, tree and history."""
    branch = call.params.get("branch") or call.params.get("sha")
    if branch and branch not in (view.item["default_branch"], view.head_sha, view.tree_sha):
        if branch in view.repo.branches:
            raise Problem("bad_request", f"the emulator holds only the default branch ({view.item['default_branch']}), not {branch}")
        raise Problem("not_found", "Branch not found")


def list_org_repos(call: Call) -> Reply:
    views = _state(call).orgs.get(call.params["org"].lower())
    if views is None:
        raise Problem("not_found", "Not Found")
    wanted = call.query.get("type", "all")
    items = [v.item for v in views if wanted in ("all", "") or (wanted == "forks") == bool(v.item.get("fork"))]
    if wanted in ("public", "private"):
        items = [v.item for v in views if v.item.get("visibility") == wanted]
    return PAGES.reply(call, items)


def list_branches(call: Call) -> Reply:
    view = _repo(call)
    default = view.item["default_branch"]
    names = [default, *[b for b in view.repo.branches if b != default]]
    items = [
        {
            "name": name,
            "commit": {
                "sha": view.head_sha if name == default else hashlib.sha1(name.encode(), usedforsecurity=False).hexdigest(),
                "url": "",
            },
            "protected": name == default and (view.repo.protection is not None or bool(view.repo.rules)),
        }
        for name in sorted(names)
    ]
    return PAGES.reply(call, items)


def get_protection(call: Call) -> Reply:
    view = _repo(call)
    _default_branch(call, view)
    if not view.repo.viewer_admin:
        raise Problem("denied", "Must have admin rights to Repository.")
    if view.repo.protection is None:
        raise Problem("not_found", "Branch not protected")
    base = f"{view.item['url']}/branches/{call.params['branch']}/protection"
    return Reply({"url": base, **view.repo.protection})


def get_branch_rules(call: Call) -> Reply:
    view = _repo(call)
    _default_branch(call, view)
    return PAGES.reply(call, view.repo.rules)


def list_rulesets(call: Call) -> Reply:
    return PAGES.reply(call, _repo(call).repo.rulesets)


def _when(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def _created_filter(expression: str) -> tuple[float, float]:
    """GitHub's date search syntax as the runs list takes it: >=D, >D, <=D, <D, D..D, D."""
    expression = expression.strip()

    def day(text: str, end: bool = False) -> float:
        text = text.strip()
        stamp = _when(text if "T" in text else f"{text}T00:00:00Z")
        return stamp + (86400 if end and "T" not in text else 0)

    if ".." in expression:
        low, high = expression.split("..", 1)
        return (day(low) if low != "*" else float("-inf"), day(high, True) if high != "*" else float("inf"))
    for prefix, make in (
        (">=", lambda d: (day(d), float("inf"))),
        ("<=", lambda d: (float("-inf"), day(d, True))),
        (">", lambda d: (day(d, True), float("inf"))),
        ("<", lambda d: (float("-inf"), day(d))),
    ):
        if expression.startswith(prefix):
            return make(expression[len(prefix) :])  # type: ignore[no-untyped-call]
    return day(expression), day(expression, True)


def list_runs(call: Call) -> Reply:
    view = _repo(call)
    if not view.repo.actions_enabled:
        raise Problem("not_found", "Not Found")
    runs = view.repo.workflow_runs
    try:
        low, high = _created_filter(call.query["created"]) if call.query.get("created") else (float("-inf"), float("inf"))
    except ValueError:
        raise Problem("bad_request", f"created {call.query['created']!r} is not a date range", "Validation Failed") from None
    status = call.query.get("status")
    conclusions = {"success", "failure", "neutral", "cancelled", "skipped", "timed_out", "action_required", "stale", "startup_failure"}
    picked = []
    for run in runs:
        if not low <= _when(run["created_at"]) < high:
            continue
        if status and (run.get("conclusion") != status if status in conclusions else run.get("status") != status):
            continue
        if call.query.get("branch") and run.get("head_branch") != call.query["branch"]:
            continue
        if call.query.get("event") and run.get("event") != call.query["event"]:
            continue
        picked.append(run)
    return RUN_PAGES.reply(call, picked)


def get_tree(call: Call) -> Reply:
    view = _repo(call)
    _default_branch(call, view)
    recursive = "recursive" in call.query  # any value recurses, "0" and "false" included; only omitting it does not
    entries = view.tree if recursive else [e for e in view.tree if "/" not in e["path"]]
    base = view.item["url"]
    tree = [{**e, "url": f"{base}/git/{'blobs' if e['type'] == 'blob' else 'trees'}/{e['sha']}"} for e in entries]
    return Reply({"sha": view.tree_sha, "url": f"{base}/git/trees/{view.tree_sha}", "tree": tree, "truncated": view.repo.tree_truncated})


def get_content(call: Call) -> Reply:
    view = _repo(call)
    ref = call.query.get("ref")
    if ref:
        call.params["branch"] = ref
        _default_branch(call, view)
    path = call.params["path"].strip("/")
    text = view.repo.files.get(path)
    if text is None:
        raise Problem("not_found", "Not Found")
    data = text.encode()
    encoded = base64.encodebytes(data).decode()  # GitHub wraps base64 content at 60 columns
    sha, base = blob_sha(text), view.item["url"]
    url = f"{base}/contents/{path}?ref={view.item['default_branch']}"
    html = f"{view.item['html_url']}/blob/{view.item['default_branch']}/{path}"
    git = f"{base}/git/blobs/{sha}"
    return Reply(
        {
            "type": "file",
            "encoding": "base64",
            "size": len(data),
            "name": path.rsplit("/", 1)[-1],
            "path": path,
            "content": encoded,
            "sha": sha,
            "url": url,
            "git_url": git,
            "html_url": html,
            "download_url": f"https://raw.githubusercontent.com/{view.item['full_name']}/{view.item['default_branch']}/{path}",
            "_links": {"self": url, "git": git, "html": html},
        }
    )


def list_commits(call: Call) -> Reply:
    view = _repo(call)
    if call.query.get("sha"):
        call.params["sha"] = call.query["sha"]
        _default_branch(call, view)
    if not view.repo.commits:
        raise Problem("conflict", "Git Repository is empty.")
    since = _when(call.query["since"]) if call.query.get("since") else float("-inf")
    until = _when(call.query["until"]) if call.query.get("until") else float("inf")
    base = view.item["url"]
    items = []
    for commit in view.repo.commits:
        when = _when(commit["commit"]["committer"]["date"])
        if since <= when <= until:
            sha = commit["sha"]
            parents = [
                {"sha": p["sha"], "url": f"{base}/commits/{p['sha']}", "html_url": f"{view.item['html_url']}/commit/{p['sha']}"}
                for p in commit.get("parents", [])
            ]
            items.append(
                {"url": f"{base}/commits/{sha}", "html_url": f"{view.item['html_url']}/commit/{sha}", **commit, "parents": parents}
            )
    return PAGES.reply(call, items)


def graphql_answer(call: Call) -> Reply:
    from cmm_scan.emulate import github_graphql

    return github_graphql.answer(call)


# --- the provider ----------------------------------------------------------------------------


class Github(Provider):
    name = "github"
    estate_model = GithubEstate
    errors = {  # noqa: RUF012 - data, as the other providers
        "bad_request": (422, "Validation Failed"),
        "unauthenticated": (401, "Bad credentials"),
        "denied": (403, "Resource not accessible by integration"),
        "not_found": (404, "Not Found"),
        "unrouted": (404, "Not Found"),
        "conflict": (409, "Conflict"),
        "throttled": (429, "API rate limit exceeded"),
        "failed": (500, "Server Error"),
    }
    routes = [  # noqa: RUF012 - data: method, path, operation (GitHub's own operation ids), handler
        Route("GET", "/orgs/{org}/repos", "repos/list-for-org", list_org_repos),
        Route("GET", "/repos/{owner}/{repo}/branches", "repos/list-branches", list_branches),
        Route("GET", "/repos/{owner}/{repo}/branches/{branch*}/protection", "repos/get-branch-protection", get_protection),
        Route("GET", "/repos/{owner}/{repo}/rules/branches/{branch*}", "repos/get-branch-rules", get_branch_rules),
        Route("GET", "/repos/{owner}/{repo}/rulesets", "repos/get-repo-rulesets", list_rulesets),
        Route("GET", "/repos/{owner}/{repo}/actions/runs", "actions/list-workflow-runs-for-repo", list_runs),
        Route("GET", "/repos/{owner}/{repo}/git/trees/{sha*}", "git/get-tree", get_tree),
        Route("GET", "/repos/{owner}/{repo}/contents/{path*}", "repos/get-content", get_content),
        Route("GET", "/repos/{owner}/{repo}/commits", "repos/list-commits", list_commits),
        Route("POST", "/graphql", "graphql", graphql_answer),
    ]

    def __init__(self) -> None:
        self.token = "ghp_" + secrets.token_hex(18)
        self._used = 0
        self._lock = threading.Lock()
        self._reset = int(time.time()) + 3600

    def index(self, estate: EstateBase) -> GithubState:
        return build_state(estate, self._url)  # type: ignore[arg-type]

    _url = "https://api.github.com"

    def prepare(self, emulator: Emulator, workdir: Any) -> None:
        if self._url != emulator.url:  # links in bodies name this server
            self._url = emulator.url
            emulator.state = self.index(emulator.estate)

    def error_body(self, call: Call, status: int, code: str, message: str) -> Any:
        return {"message": message or code, "documentation_url": DOCS, "status": str(status)}

    def error(self, call: Call, kind: str, message: str, code: str | None = None, headers: dict[str, str] | None = None) -> Reply:
        if kind == "denied":  # what GitHub says to a token without the permission
            message = self.errors["denied"][1]
        return super().error(call, kind, message, code, headers)

    def throttled(self, call: Call, throttle: Throttle) -> Reply:
        """GitHub's spent rate limit: 403, x-ratelimit-remaining 0, the reset time, and Retry-After. GraphQL
        answers 200 with a RATE_LIMITED error and the reset time (no Retry-After), as GitHub does."""
        retry = f"{throttle.retry_after:g}"
        reset = str(int(time.time() + throttle.retry_after + 0.999))
        if call.operation == "graphql":
            body = {"errors": [{"type": "RATE_LIMITED", "message": "API rate limit already exceeded for user ID 1."}]}
            return Reply(body, 200, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": reset})
        headers = {"Retry-After": retry, "x-ratelimit-remaining": "0", "x-ratelimit-reset": reset}
        reply = self.error(call, "throttled", f"API rate limit exceeded; retry after {retry} s", headers=headers)
        reply.status = 403
        return reply

    def authenticate(self, call: Call) -> str | None:
        header = call.headers.get("Authorization") or ""
        scheme, _, token = header.partition(" ")
        if scheme.lower() not in ("bearer", "token") or not token:
            return "Requires authentication"
        return None if secrets.compare_digest(token.strip(), self.token) else "Bad credentials"

    def scope_of(self, call: Call) -> str:
        """`owner/repo` for a repository's requests, the organisation's login for its listing."""
        if "owner" in call.params:
            return f"{call.params['owner']}/{call.params['repo']}"
        return call.params.get("org", call.path.strip("/"))

    def response_headers(self, call: Call, reply: Reply) -> dict[str, str]:
        with self._lock:
            self._used += 1
            used = self._used
        return {
            "x-ratelimit-limit": str(RATE_LIMIT),
            "x-ratelimit-remaining": str(max(0, RATE_LIMIT - used)),
            "x-ratelimit-used": str(used),
            "x-ratelimit-reset": str(self._reset),
            "x-ratelimit-resource": "graphql" if call.operation == "graphql" else "core",
            "x-github-api-version-selected": "2022-11-28",
        }

    def settings(self, emulator: Emulator) -> dict[str, str]:
        return {"GITHUB_TOKEN": self.token, "CMM_SCAN_GITHUB_API_URL": emulator.url}


def provider() -> Github:
    return Github()
