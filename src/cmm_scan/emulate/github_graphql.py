"""GitHub's GraphQL API (`POST /graphql`) for the `github` emulator: queries are parsed, validated
and executed by graphql-core against a subset of GitHub's own schema (`data/github-graphql.graphql`),
over the same estate the REST routes serve. Nothing matches query strings.

What the REST routes refuse, GraphQL refuses too, field by field as GitHub does: a deny fault on an
operation (`repos/get-branch-protection`, `repos/list-commits`, ...) makes the matching field null
with a `FORBIDDEN` error on its path; an unknown repository is `NOT_FOUND` on its alias. The rest of
the answer stands. Connections page with `first`/`after` (1-100, and at most the emulator's page size
per page) and opaque cursors, as GitHub's do.
"""

from __future__ import annotations

import base64
from functools import cache
from importlib import resources as package_files
from typing import TYPE_CHECKING, Any

from cmm_scan.emulate.core import Call, Problem, Reply

if TYPE_CHECKING:
    from cmm_scan.emulate.github import RepoView

MAX_PAGE = 100  # GitHub: first/last must be within 1-100


@cache
def schema() -> Any:
    from graphql import build_schema  # the emulator's extra (graphql-core): imported only when GraphQL is asked

    text = package_files.files("cmm_scan.emulate").joinpath("data/github-graphql.graphql").read_text(encoding="utf-8")
    return build_schema(text)


def error(message: str, kind: str) -> Exception:
    """A field error as GitHub words it: `type` (NOT_FOUND, FORBIDDEN, ...) beside message and path."""
    from graphql import GraphQLError

    return GraphQLError(message, extensions={"type": kind})


def answer(call: Call) -> Reply:
    from graphql import graphql_sync

    body = call.json()
    query = body.get("query") if isinstance(body, dict) else None
    if not isinstance(query, str) or not query.strip():
        raise Problem("bad_request", "A query attribute must be specified and must be a string.")
    variables = body.get("variables") or {}
    if not isinstance(variables, dict):
        raise Problem("bad_request", "Variables are invalid JSON.")
    result = graphql_sync(schema(), query, root_value=_root(call), variable_values=variables)
    out: dict[str, Any] = {}
    if result.errors:
        out["errors"] = [_formatted(e) for e in result.errors]
    if result.data is not None or not result.errors:
        out["data"] = result.data
    return Reply(out)


def _formatted(err: Any) -> dict[str, Any]:
    out = dict(err.formatted)
    extensions = dict(out.pop("extensions", None) or {})
    if "type" in extensions:
        out["type"] = extensions.pop("type")
    if extensions:
        out["extensions"] = extensions
    return out


def _root(call: Call) -> dict[str, Any]:
    def repository(info: Any, owner: str, name: str, followRenames: bool = True) -> dict[str, Any]:
        view = call.state.repos.get(f"{owner}/{name}".lower())
        if view is None:
            raise error(f"Could not resolve to a Repository with the name '{owner}/{name}'.", "NOT_FOUND")
        if call.denied("repos/get", view.item["full_name"]):
            raise error("Resource not accessible by integration", "FORBIDDEN")
        return _repository(call, view)

    def rate_limit(info: Any, dryRun: bool = False) -> dict[str, Any]:
        return {"cost": 1, "limit": 5000, "nodeCount": 0, "remaining": 5000, "resetAt": "2099-01-01T00:00:00Z", "used": 0}

    return {"repository": repository, "rateLimit": rate_limit}


def _cursor(n: int) -> str:
    return base64.b64encode(f"cursor:{n}".encode()).decode()


def connection(call: Call, items: list[Any], args: dict[str, Any], what: str, make: Any = None) -> dict[str, Any]:
    """One page of a connection: nodes, totalCount and pageInfo, as GitHub pages them (`make` turns
    the page's items into nodes: only the page's, not the whole list's)."""
    first, last, after = args.get("first"), args.get("last"), args.get("after")
    if first is None and last is None:
        message = f"You must provide a `first` or `last` value to properly paginate the `{what}` connection."
        raise error(message, "MISSING_PAGINATION_BOUNDARIES")
    wanted = first if first is not None else last
    if not 1 <= wanted <= MAX_PAGE:
        message = f"Requesting {wanted} records on the `{what}` connection exceeds the `first` limit of 100 records."
        raise error(message, "EXCESSIVE_PAGINATION")
    start = 0
    if after:
        try:
            start = int(base64.b64decode(after).decode().removeprefix("cursor:")) + 1
        except ValueError:
            raise error(f"`{after}` does not appear to be a valid cursor.", "INVALID_CURSOR_ARGUMENTS") from None
    size = min(wanted, call.emulator.page_size)
    if first is None:  # last n
        start = max(0, len(items) - size)
    chunk = items[start : start + size]
    end = start + len(chunk)
    return {
        "nodes": [make(x) for x in chunk] if make else chunk,
        "totalCount": len(items),
        "pageInfo": {
            "hasNextPage": end < len(items),
            "hasPreviousPage": start > 0,
            "startCursor": _cursor(start) if chunk else None,
            "endCursor": _cursor(end - 1) if chunk else None,
        },
    }


def _node_id(kind: str, key: str) -> str:
    return base64.b64encode(f"{kind}:{key}".encode()).decode()


def _repository(call: Call, view: RepoView) -> dict[str, Any]:
    item, full = view.item, view.item["full_name"]
    branch = item["default_branch"]

    def guard(operation: str) -> None:
        if call.denied(operation, full):
            raise error("Resource not accessible by integration", "FORBIDDEN")

    def ref(name: str) -> dict[str, Any] | None:
        if name == branch:
            return _default_ref(call, view, guard) if view.repo.commits else None
        if name in view.repo.branches:
            return _other_ref(view, name)
        return None

    def refs(info: Any, refPrefix: str, **page: Any) -> dict[str, Any]:
        guard("repos/list-branches")
        names = sorted({branch, *view.repo.branches}) if view.repo.commits and refPrefix == "refs/heads/" else []
        return connection(call, [ref(n) for n in names], page, "refs")

    def qualified(info: Any, qualifiedName: str) -> dict[str, Any] | None:
        return ref(qualifiedName.removeprefix("refs/heads/"))

    def git_object(info: Any, expression: str | None = None, oid: str | None = None) -> dict[str, Any] | None:
        if oid is not None:
            guard("repos/list-commits")
            at = next((n for n, c in enumerate(view.repo.commits) if c["sha"] == oid), None)
            return _commit(call, view, at, guard) if at is not None else None
        rev, _, path = (expression or "").partition(":")
        if rev not in ("HEAD", branch, view.head_sha) or not view.repo.commits:
            return None
        if not _:
            return _commit(call, view, 0, guard)
        guard("repos/get-content")
        path = path.strip("/")
        text = view.repo.files.get(path)
        if text is None:
            folder = any(p.startswith(path + "/") for p in view.repo.files) or not path
            if not folder:
                return None
            return {"__typename": "Tree", "oid": view.tree_sha, "abbreviatedOid": view.tree_sha[:7], "id": _node_id("Tree", path)}
        from cmm_scan.emulate.github import blob_sha

        sha = blob_sha(text)
        data = text.encode()
        return {
            "__typename": "Blob",
            "oid": sha,
            "abbreviatedOid": sha[:7],
            "id": _node_id("Blob", sha),
            "byteSize": len(data),
            "isBinary": b"\0" in data,
            "isTruncated": False,
            "text": text,
        }

    return {
        "__typename": "Repository",
        "id": item["node_id"],
        "name": item["name"],
        "nameWithOwner": full,
        "url": item["html_url"],
        "isArchived": bool(item.get("archived")),
        "isEmpty": not view.repo.commits,
        "isFork": bool(item.get("fork")),
        "isPrivate": bool(item.get("private", True)),
        "viewerCanAdminister": view.repo.viewer_admin,
        "defaultBranchRef": lambda info: ref(branch),
        "ref": qualified,
        "refs": refs,
        "object": git_object,
    }


def _other_ref(view: RepoView, name: str) -> dict[str, Any]:
    def target(info: Any) -> Any:
        raise error(f"the emulator holds only the default branch's history, not {name}'s", "UNPROCESSABLE")

    return {
        "__typename": "Ref",
        "id": _node_id("Ref", f"{view.item['full_name']}:{name}"),
        "name": name,
        "prefix": "refs/heads/",
        "target": target,
        "branchProtectionRule": None,
        "rules": lambda info, **page: {"nodes": [], "totalCount": 0, "pageInfo": {"hasNextPage": False, "hasPreviousPage": False}},
    }


def _default_ref(call: Call, view: RepoView, guard: Any) -> dict[str, Any]:
    branch = view.item["default_branch"]

    def protection(info: Any) -> dict[str, Any] | None:
        guard("repos/get-branch-protection")
        if not view.repo.viewer_admin:  # GitHub answers a token that may not administer with no rule, not an error
            return None
        return _protection_rule(view) if view.repo.protection is not None else None

    def rules(info: Any, **page: Any) -> dict[str, Any]:
        guard("repos/get-branch-rules")
        return connection(call, [_rule(view, n, r) for n, r in enumerate(view.repo.rules)], page, "rules")

    return {
        "__typename": "Ref",
        "id": _node_id("Ref", f"{view.item['full_name']}:{branch}"),
        "name": branch,
        "prefix": "refs/heads/",
        "target": lambda info: _commit(call, view, 0, guard),
        "branchProtectionRule": protection,
        "rules": rules,
    }


def _protection_rule(view: RepoView) -> dict[str, Any]:
    """Classic protection (the estate holds it in REST's shape) as GraphQL's BranchProtectionRule."""
    p = view.repo.protection or {}
    reviews = p.get("required_pull_request_reviews")
    checks = p.get("required_status_checks")
    contexts = list((checks or {}).get("contexts") or [])
    contexts += [c["context"] for c in (checks or {}).get("checks") or [] if c.get("context") not in contexts]

    def enabled(key: str) -> bool:
        return bool((p.get(key) or {}).get("enabled", False))

    return {
        "__typename": "BranchProtectionRule",
        "id": _node_id("BranchProtectionRule", view.item["full_name"]),
        "pattern": view.item["default_branch"],
        "allowsDeletions": enabled("allow_deletions"),
        "allowsForcePushes": enabled("allow_force_pushes"),
        "isAdminEnforced": enabled("enforce_admins"),
        "requiresApprovingReviews": reviews is not None,
        "requiredApprovingReviewCount": (reviews or {}).get("required_approving_review_count"),
        "requiresCodeOwnerReviews": bool((reviews or {}).get("require_code_owner_reviews")),
        "requiresLinearHistory": enabled("required_linear_history"),
        "requiresStatusChecks": checks is not None,
        "requiresStrictStatusChecks": bool((checks or {}).get("strict")),
        "requiredStatusCheckContexts": contexts,
    }


def _rule(view: RepoView, n: int, rule: dict[str, Any]) -> dict[str, Any]:
    """A rule (REST's shape in the estate) as GraphQL's RepositoryRule: type upper-cased, parameters typed."""
    params = rule.get("parameters") or {}
    parameters: dict[str, Any] | None = None
    if rule.get("type") == "pull_request":
        parameters = {
            "__typename": "PullRequestParameters",
            "requiredApprovingReviewCount": int(params.get("required_approving_review_count", 0)),
            "dismissStaleReviewsOnPush": bool(params.get("dismiss_stale_reviews_on_push")),
            "requireCodeOwnerReview": bool(params.get("require_code_owner_review")),
            "requireLastPushApproval": bool(params.get("require_last_push_approval")),
            "requiredReviewThreadResolution": bool(params.get("required_review_thread_resolution")),
        }
    elif rule.get("type") == "required_status_checks":
        parameters = {
            "__typename": "RequiredStatusChecksParameters",
            "requiredStatusChecks": [
                {"context": c["context"], "integrationId": c.get("integration_id")} for c in params.get("required_status_checks") or []
            ],
            "strictRequiredStatusChecksPolicy": bool(params.get("strict_required_status_checks_policy")),
        }
    return {
        "__typename": "RepositoryRule",
        "id": _node_id("RepositoryRule", f"{view.item['full_name']}:{n}"),
        "type": str(rule.get("type", "")).upper(),
        "parameters": parameters,
    }


def _commit(call: Call, view: RepoView, at: int, guard: Any) -> dict[str, Any]:
    """The estate's n-th default-branch commit (newest first) as a GraphQL Commit."""
    from cmm_scan.emulate.github import _when

    commits = view.repo.commits
    entry = commits[at]
    sha = entry["sha"]
    message = entry["commit"].get("message") or ""
    by_sha = view.positions

    def history(info: Any, since: str | None = None, until: str | None = None, **page: Any) -> dict[str, Any]:
        guard("repos/list-commits")
        low = _when(since) if since else float("-inf")
        high = _when(until) if until else float("inf")
        picked = [n for n in range(at, len(commits)) if low <= _when(commits[n]["commit"]["committer"]["date"]) <= high]
        return connection(call, picked, page, "history", lambda n: _commit(call, view, n, guard))

    def parents(info: Any, **page: Any) -> dict[str, Any]:
        shas = [p["sha"] for p in entry.get("parents") or []]
        nodes = [_commit(call, view, by_sha[s], guard) if s in by_sha else _unheld_commit(s) for s in shas]
        return connection(call, nodes, page, "parents")

    return {
        "__typename": "Commit",
        "oid": sha,
        "abbreviatedOid": sha[:7],
        "id": _node_id("Commit", sha),
        "committedDate": entry["commit"]["committer"]["date"],
        "message": message,
        "messageHeadline": message.split("\n", 1)[0],
        "history": history,
        "parents": parents,
    }


def _unheld_commit(sha: str) -> dict[str, Any]:
    """A parent outside the estate's default-branch list (a merged branch's tip): its oid only."""

    def unheld(info: Any, **args: Any) -> Any:
        raise error(f"the emulator holds only the default branch's first-parent commits, not {sha}", "UNPROCESSABLE")

    return {
        "__typename": "Commit",
        "oid": sha,
        "abbreviatedOid": sha[:7],
        "id": _node_id("Commit", sha),
        "committedDate": unheld,
        "message": unheld,
        "messageHeadline": unheld,
        "history": unheld,
        "parents": unheld,
    }
