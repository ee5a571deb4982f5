"""The repository adapter (contract in cmm_scan.collect) over local checkouts.

`paths` are repositories, folders holding repositories (a clone-all folder, one or two levels
deep) or globs. Each repository is one scope (kind `repository`), named by its origin URL
without credentials (`github.com/org/name`) or, without a remote, `local/<folder name>`.
A repository git cannot read is recorded as coverage `error` (or `denied`): its signals are
unknown, never "no CI".
"""

from __future__ import annotations

import glob
import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cmm_scan.collect import ScanPlan, Sink, in_shard
from cmm_scan.errors import UserError
from cmm_scan.models import Coverage, Fact, ScopeInfo
from cmm_scan.repos import github, gitread
from cmm_scan.repos.config import relevant, wanted_files
from cmm_scan.repos.facts import facts, reading_from_git
from cmm_scan.repos.options import Options
from cmm_scan.repos.permissions import permissions as _permissions

FACT_TYPES = ["repos.repository", "repos.pipeline"]
COLLECTOR = "git.repository"
GITHUB_COLLECTOR = "github.repository"
SCP_LIKE = re.compile(r"^[\w.-]+@([\w.-]+):(.+)$")


@dataclass
class Target:
    path: Path | None  # a local checkout, or None for a repository read through a Git host's API
    id: str
    name: str
    remote: str
    api: dict[str, Any] | None = None  # the host's repository object (GitHub: full_name, default_branch, ...)


def permissions(fact_types: list[str]) -> str:
    return _permissions(fact_types)


def repo_id(path: Path, remote: str) -> str:
    return remote_id(remote) or f"local/{path.resolve().name}"


def remote_id(remote: str) -> str:
    """`https://github.com/org/x`, `git@github.com:org/x.git`, `ssh://git@host/org/x` -> `host/org/x`."""
    scp = SCP_LIKE.match(remote)
    if scp:
        return f"{scp.group(1)}/{scp.group(2)}".removesuffix(".git")
    if "://" in remote:
        rest = remote.split("://", 1)[1]
        host, _, tail = rest.partition("/")
        return f"{host.rsplit('@', 1)[-1].split(':')[0]}/{tail}".removesuffix(".git").rstrip("/")
    return ""


def find_repositories(paths: list[str]) -> list[Path]:
    """Repositories under the given paths and globs: a path that is a repository, else the repositories
    one or two folders down (a clone-all folder, or host/org/name)."""
    if not paths:
        raise UserError("which repositories? give local checkouts", "e.g. `cmm-scan scan repos ~/src/*` or `--paths ~/src`")
    found: dict[Path, None] = {}
    for given in paths:
        expanded = os.path.expanduser(given)
        matched = sorted(glob.glob(expanded)) if glob.has_magic(expanded) else [expanded]
        if not matched or not all(os.path.exists(m) for m in matched):
            raise UserError(f"{given}: no such file or folder", "give repositories, a folder of repositories, or a glob")
        for item in map(Path, matched):
            for repo in _repositories_at(item):
                found.setdefault(repo.resolve(), None)
    if not found:
        raise UserError(f"no git repositories in {', '.join(paths)}", "give checkouts (folders with a .git) or folders that hold them")
    return list(found)


def _repositories_at(path: Path) -> list[Path]:
    if not path.is_dir():
        return []
    if gitread.is_repository(path):
        return [path]
    out: list[Path] = []
    for child in _subfolders(path):
        if gitread.is_repository(child):
            out.append(child)
        else:
            out.extend(grand for grand in _subfolders(child) if gitread.is_repository(grand))
    return out


def _subfolders(path: Path) -> list[Path]:
    try:
        return sorted(p for p in path.iterdir() if p.is_dir() and not p.name.startswith("."))
    except OSError:
        return []


def plan(options: Options, fact_types: list[str]) -> ScanPlan:
    if not options.paths and not options.github_org:
        find_repositories([])  # the error that says what to give
    repositories = find_repositories(list(options.paths)) if options.paths else []
    targets: list[Target] = []
    seen: dict[str, int] = {}
    for path in repositories:
        remote = gitread.origin(path)
        ident = repo_id(path, remote)
        if ident in seen:  # two checkouts of one remote: both scanned, told apart
            seen[ident] += 1
            ident = f"{ident}#{seen[ident]}"
        else:
            seen[ident] = 1
        if in_shard(ident, options.shard):
            targets.append(Target(path, ident, path.name, remote))
    client = None
    if options.github_org:
        client = github.Client(github_api_url(options), github.token_from_env())
        host = github.host_of(github_api_url(options))
        for org in options.github_org:
            listed = github.list_repositories(client, org)
            if not listed and not repositories:
                raise UserError(
                    f"GitHub organisation {org}: no repositories that are not archived", "check the name and the token's access"
                )
            for repo in listed:
                ident = f"{host}/{repo['full_name']}"
                if ident not in seen and in_shard(ident, options.shard):
                    seen[ident] = 1
                    targets.append(Target(None, ident, repo["name"], f"https://{host}/{repo['full_name']}", api=repo))
    scopes = [ScopeInfo(id=t.id, kind="repository", name=t.name) for t in targets]
    not_held = [t for t in fact_types if not t.startswith("repos.")]
    return ScanPlan(scopes=scopes, regions=["global"], state=(targets, options.workers, client), not_held=not_held)


def github_api_url(options: Options) -> str:
    return (options.github_api_url or os.environ.get("CMM_SCAN_GITHUB_API_URL") or github.DEFAULT_API).rstrip("/")


def run(plan: ScanPlan, fact_types: list[str], sink: Sink, progress: Any) -> None:
    targets, workers, client = plan.state
    wanted = [t for t in FACT_TYPES if t in fact_types]
    if not wanted:
        return
    lock = threading.Lock()
    progress.total = len(targets)

    def emit(records: list[Fact | Coverage], target: Target) -> None:
        with lock:
            for record in records:
                sink(record)
            progress.advance(1, target.name)

    local = [t for t in targets if t.api is None]
    hosted = [t for t in targets if t.api is not None]
    batches = [hosted[n : n + github.BATCH] for n in range(0, len(hosted), github.BATCH)]

    def one_batch(batch: list[Target]) -> None:  # one GraphQL query per batch; its trees and runs on the readers' pool
        for target, records in zip(batch, _from_github(client, batch, wanted, pool), strict=True):
            emit(records, target)

    with (
        ThreadPoolExecutor(max_workers=min(workers, 8), thread_name_prefix="cmm-repos") as pool,
        ThreadPoolExecutor(max_workers=github.BATCHES_AT_ONCE, thread_name_prefix="cmm-repos-batch") as batcher,
    ):
        list(pool.map(lambda t: emit(_from_checkout(t, wanted), t), local))
        list(batcher.map(one_batch, batches))  # a separate pool: batches wait on the readers' pool, never inside it


def _from_github(client: github.Client, batch: list[Target], wanted: list[str], pool: Any) -> list[list[Fact | Coverage]]:
    try:
        reads = github.read_batch(client, [(t.api or {}, t.id) for t in batch], pool)
    except Exception as exc:  # a surprise must not stop the other batches: these repositories are reported, not hidden
        why = f"internal error: {type(exc).__name__}: {exc}"
        return [[_coverage(t, wanted, "error", why, GITHUB_COLLECTOR)] for t in batch]
    out: list[list[Fact | Coverage]] = []
    for target, (read, requests) in zip(batch, reads, strict=True):
        if isinstance(read, github.ApiError):
            status = "denied" if read.denied else "error"
            failed = _coverage(target, wanted, status, f"the GitHub API refused or failed a read: {read}", GITHUB_COLLECTOR)
            out.append([failed.model_copy(update={"requests": requests})])
            continue
        found = [f for f in facts(read.reading, source="github") if f.type in wanted]
        done = _coverage(target, wanted, "ok", collector=GITHUB_COLLECTOR)
        coverage = [done.model_copy(update={"requests": requests})]
        for what, why in sorted(read.unknown.items()):  # part of the evidence unread: unknown, said so
            status = "denied" if why.startswith("denied") else "error"
            gap = _coverage(target, [], status, f"{what}: {why}", f"{GITHUB_COLLECTOR}.{what}")
            coverage.append(gap.model_copy(update={"enriches": ["repos.repository"]}))
        out.append([*found, *coverage])
    return out


def _from_checkout(target: Target, wanted: list[str]) -> list[Fact | Coverage]:
    assert target.path is not None
    records: list[Fact | Coverage]
    try:
        read = gitread.read(target.path, wanted_files, target.remote, keep=relevant)
        found = [f for f in facts(reading_from_git(read, target.id, target.name)) if f.type in wanted]
        records = [*found, _coverage(target, wanted, "ok")]
    except PermissionError as exc:
        records = [_coverage(target, wanted, "denied", f"cannot read the checkout: {exc.strerror or exc}")]
    except gitread.GitError as exc:
        status = "denied" if "permission denied" in str(exc).lower() or "dubious ownership" in str(exc) else "error"
        records = [_coverage(target, wanted, status, f"git could not read it: {exc}")]
    except Exception as exc:  # one repository's surprise must not stop the others; it is reported, not hidden
        records = [_coverage(target, wanted, "error", f"internal error: {type(exc).__name__}: {exc}")]
    return records


def _coverage(target: Target, fact_types: list[str], status: str, reason: str = "", collector: str = COLLECTOR) -> Coverage:
    return Coverage(
        collector=collector,
        provider="repos",
        scope=target.id,
        region="global",
        status=status,  # type: ignore[arg-type]
        fact_types=fact_types,
        reason=reason,
    )
