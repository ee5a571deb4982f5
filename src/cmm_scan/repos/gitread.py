"""Read one local repository with `git` itself (no library): refs, first-parent history of the default
branch (bounded), the file list of its tree, and the few configuration files the classifier names.

Six or so `git` processes per repository whatever its size: history is read once with a bound
(`MAX_HISTORY` first-parent commits) and the tree's files in one `cat-file --batch`.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

MAX_HISTORY = 2000  # first-parent commits of the default branch read for cadence and merge sources
MAX_FILE_BYTES = 256 * 1024  # a configuration file larger than this is not read (it is not a config file)
GIT_TIMEOUT = 60


class GitError(Exception):
    """git could not read the repository (not a repository, unreadable, no commits)."""


@dataclass
class Ref:
    name: str  # short branch or tag name, remote prefix removed
    kind: str  # branch or tag
    when: int  # unix time of the tip commit (or the tag's creation)


@dataclass
class Commit:
    when: int
    merge: bool
    subject: str  # kept only long enough to find merged branch names; never emitted


@dataclass
class RepoRead:
    path: Path
    remote: str  # origin URL without credentials, or ""
    default_branch: str
    total_commits: int
    branches: list[Ref] = field(default_factory=list)
    tags: list[Ref] = field(default_factory=list)
    history: list[Commit] = field(default_factory=list)  # newest first, first-parent, bounded
    history_truncated: bool = False
    files: list[str] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)  # configuration files asked for, by path
    shallow: bool = False  # a shallow clone (a CI checkout): its history is cut, so history-based facts are unknown


def _git(path: Path, *args: str, stdin: bytes | None = None) -> bytes:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", "GIT_OPTIONAL_LOCKS": "0"}
    try:
        done = subprocess.run(["git", "-C", str(path), *args], input=stdin, capture_output=True, timeout=GIT_TIMEOUT, env=env, check=False)
    except FileNotFoundError:
        raise GitError("git is not installed (the repos scan runs `git`)") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"git {args[0]} took longer than {GIT_TIMEOUT} s") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(message[-1] if message else f"git {args[0]} failed")
    return done.stdout


def is_repository(path: Path) -> bool:
    return (path / ".git").exists() or ((path / "HEAD").is_file() and (path / "objects").is_dir())


CREDENTIALS = re.compile(r"^([a-z+]+://)[^/@]*@", re.IGNORECASE)


def clean_remote(url: str) -> str:
    """An origin URL fit for a report: no user, password or token, no `.git`."""
    url = CREDENTIALS.sub(r"\1", url.strip())
    return url.removesuffix(".git")


def origin(path: Path) -> str:
    """The origin URL without credentials, or ""."""
    try:
        return clean_remote(_git(path, "config", "--get", "remote.origin.url").decode())
    except GitError:
        return ""


def read(
    path: Path,
    wanted: Callable[[list[str]], Iterable[str]] | None = None,
    remote: str | None = None,
    keep: Callable[[list[str]], list[str]] | None = None,
) -> RepoRead:
    """Everything the facts need from one repository. `wanted(files)` names the files to read;
    `remote`: the origin URL when the caller has read it already; `keep(files)`: the paths worth
    keeping (a monorepo's file list is not held whole)."""
    remote = origin(path) if remote is None else remote
    refs = _git(
        path,
        "for-each-ref",
        "--format=%(refname)%09%(symref)%09%(creatordate:unix)%09%(committerdate:unix)",
        "refs/heads",
        "refs/remotes",
        "refs/tags",
    ).decode("utf-8", "replace")
    branches: dict[str, Ref] = {}
    tags: list[Ref] = []
    origin_head = ""
    for line in refs.splitlines():
        name, symref, created, committed = ([*line.split("\t"), "", "", ""])[:4]
        when = int(committed or created or 0)
        if name.startswith("refs/tags/"):
            tags.append(Ref(name.removeprefix("refs/tags/"), "tag", int(created or committed or 0)))
        elif name.startswith("refs/heads/"):
            short = name.removeprefix("refs/heads/")
            branches[short] = Ref(short, "branch", max(when, branches[short].when if short in branches else 0))
        elif name.startswith("refs/remotes/"):
            remote_name, _, short = name.removeprefix("refs/remotes/").partition("/")
            if short == "HEAD":
                if remote_name == "origin" and symref:
                    origin_head = symref.removeprefix(f"refs/remotes/{remote_name}/")
                continue
            if short:
                branches[short] = Ref(short, "branch", max(when, branches[short].when if short in branches else 0))
    default = origin_head or _head_branch(path)
    if default and default in branches:
        tip = f"refs/heads/{default}" if _has_ref(refs, f"refs/heads/{default}") else f"refs/remotes/origin/{default}"
    elif _resolves(path, "HEAD"):  # a detached checkout, as CI systems make: read what is checked out
        default, tip = "HEAD", "HEAD"
    else:
        raise GitError("no commits on a default branch (an empty repository?)")
    total = int(_git(path, "rev-list", "--count", tip).decode().strip() or 0)
    log = _git(path, "log", "--first-parent", f"--max-count={MAX_HISTORY}", "--format=%ct%x09%P%x09%s", tip).decode("utf-8", "replace")
    history = []
    for line in log.splitlines():
        when, parents, subject = ([*line.split("\t", 2), "", ""])[:3]
        history.append(Commit(int(when or 0), len(parents.split()) > 1, subject))
    files = [f for f in _git(path, "ls-tree", "-r", "-z", "--name-only", tip).decode("utf-8", "replace").split("\0") if f]
    files = keep(files) if keep else files
    chosen = [f for f in wanted(files) if "\n" not in f] if wanted else []
    texts = _cat(path, tip, chosen) if chosen else {}
    return RepoRead(
        path=path,
        remote=remote,
        default_branch=default,
        total_commits=total,
        branches=sorted(branches.values(), key=lambda r: r.name),
        tags=tags,
        history=history,
        history_truncated=total > len(history),
        files=files,
        texts=texts,
        shallow=_is_shallow(path),
    )


def _resolves(path: Path, name: str) -> bool:
    try:
        _git(path, "rev-parse", "--verify", "-q", f"{name}^{{commit}}")
    except GitError:
        return False
    return True


def _is_shallow(path: Path) -> bool:
    if (path / ".git").is_dir():  # a plain checkout: the marker file, rather than a process
        return (path / ".git" / "shallow").exists()
    try:
        return _git(path, "rev-parse", "--is-shallow-repository").decode().strip() == "true"
    except GitError:
        return False


def _has_ref(refs: str, name: str) -> bool:
    return any(line.split("\t", 1)[0] == name for line in refs.splitlines())


def _head_branch(path: Path) -> str:
    head = path / ".git" / "HEAD"
    if head.is_file():  # a plain checkout: read the file rather than start a process
        text = head.read_text(encoding="utf-8", errors="replace").strip()
        return text.removeprefix("ref: refs/heads/") if text.startswith("ref: refs/heads/") else ""
    try:
        return _git(path, "symbolic-ref", "-q", "--short", "HEAD").decode().strip()
    except GitError:
        return ""


def _cat(path: Path, tip: str, files: list[str]) -> dict[str, str]:
    """The named files of the tree in one `git cat-file --batch`; larger than MAX_FILE_BYTES are skipped."""
    request = "".join(f"{tip}:{name}\n" for name in files).encode()
    out = _git(path, "cat-file", "--batch", stdin=request)
    texts: dict[str, str] = {}
    at = 0
    for name in files:
        end = out.index(b"\n", at)
        header = out[at:end].split()
        at = end + 1
        if len(header) < 3 or header[1] != b"blob":  # "<name> missing"
            continue
        size = int(header[2])
        if size <= MAX_FILE_BYTES:
            texts[name] = out[at : at + size].decode("utf-8", "replace")
        at += size + 1
    return texts
