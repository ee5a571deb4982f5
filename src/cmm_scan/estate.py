"""An estate: the snapshots that make up one organisation, checked before they are scored together.

`score` takes files, folders and globs; they resolve to snapshot paths here, and their headers
are checked so the pooled assessment neither counts a scope twice nor passes off an incomplete
set of shards as the whole organisation.
"""

from __future__ import annotations

import glob
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cmm_scan.errors import UserError
from cmm_scan.models import SnapshotHeader
from cmm_scan.snapshot_io import read_header
from cmm_scan.storage import is_url, snapshots_at

SNAPSHOT_SUFFIXES = (".jsonl", ".jsonl.gz")
# Scopes that hold facts: one of these in two snapshots would count its resources twice.
# (An organisation, tenant or tenancy is shared by all its shards, and rightly so.)
LEAF_KINDS = frozenset({"account", "subscription", "project", "compartment", "repository", "synthetic"})
_GLOB_CHARS = frozenset("*?[")


@dataclass
class EstateInputs:
    paths: list[Path]
    headers: list[SnapshotHeader]
    missing_shards: list[str] = field(default_factory=list)  # "estate i/n", only when allowed partial

    @property
    def partial(self) -> bool:
        return bool(self.missing_shards)


def snapshot_paths(inputs: Sequence[str | Path]) -> list[Path]:
    """Files as given, a folder's snapshot files, a glob's matches; each file once, in a stable order."""
    found: list[Path] = []
    for item in inputs:
        text = str(item)
        path = Path(text)
        if is_url(item):  # shared storage: the listed objects, fetched to temporary files
            found += snapshots_at(text)
        elif path.is_dir():
            inside = sorted(p for p in path.iterdir() if p.is_file() and p.name.endswith(SNAPSHOT_SUFFIXES))
            if not inside:
                raise UserError(f"{path}: no snapshot files (*.jsonl, *.jsonl.gz) in this folder", "pass the folder the scans wrote to")
            found += inside
        elif path.exists() or not _GLOB_CHARS & set(text):
            found.append(path)  # a missing file is reported by the reader, with its name
        else:
            matches = sorted(Path(m) for m in glob.glob(text) if Path(m).is_file())
            if not matches:
                raise UserError(f"{text}: matches no file", "check the pattern (quote it so the shell leaves it alone)")
            found += matches
    seen: dict[Path, Path] = {}
    for path in found:
        key = path.resolve()
        if key in seen:
            raise UserError(f"{path}: given twice", "name each snapshot once")
        seen[key] = path
    return found


def check_estate(paths: list[Path], allow_partial: bool = False) -> EstateInputs:
    """Read every header; refuse a scope counted twice and an incomplete or doubled shard set."""
    headers = [read_header(p) for p in paths]
    missing = _check_shards(paths, headers, allow_partial)  # first: a doubled shard also doubles its scopes
    _refuse_double_scopes(paths, headers)
    return EstateInputs(paths, headers, missing)


def _refuse_double_scopes(paths: list[Path], headers: list[SnapshotHeader]) -> None:
    owner: dict[tuple[str, str], Path] = {}
    for path, header in zip(paths, headers, strict=True):
        for scope in header.scopes:
            if scope.kind not in LEAF_KINDS:
                continue
            key = (header.provider, scope.id)
            if key in owner and owner[key] != path:
                raise UserError(
                    f"{header.provider} {scope.kind} {scope.id} is in both {owner[key].name} and {path.name}",
                    "score each scope once: leave one of the snapshots out",
                )
            owner[key] = path


def _check_shards(paths: list[Path], headers: list[SnapshotHeader], allow_partial: bool) -> list[str]:
    """The shards of each estate key must be 1..n, each once; the missing ones as 'key i/n'."""
    sets: dict[str, dict[int, list[Path]]] = defaultdict(lambda: defaultdict(list))
    counts: dict[str, set[int]] = defaultdict(set)
    for path, header in zip(paths, headers, strict=True):
        if header.shard is None:
            continue
        key = header.estate or header.provider
        index, count = header.shard
        sets[key][index].append(path)
        counts[key].add(count)
    missing: list[str] = []
    problems: list[str] = []
    for key in sorted(sets):
        if len(counts[key]) > 1:
            raise UserError(
                f"shards of {key} disagree on the shard count ({', '.join(f'of {n}' for n in sorted(counts[key]))})",
                "score shards of one sharded scan, all run with the same --shard i/n",
            )
        (count,) = counts[key]
        doubled = [f"{i}/{count} ({', '.join(map(str, files))})" for i, files in sorted(sets[key].items()) if len(files) > 1]
        if doubled:
            raise UserError(f"shards of {key} given twice: {'; '.join(doubled)}", "pass each shard's snapshot once")
        absent = [f"{i}/{count}" for i in range(1, count + 1) if i not in sets[key]]
        if absent:
            problems.append(f"{key} misses shard {', '.join(absent)}")
            missing += [f"{key} {a}" for a in absent]
    if problems and not allow_partial:
        raise UserError(
            f"incomplete shard set: {'; '.join(problems)}",
            "collect the missing shards, or pass --allow-partial to score what is here (every result marked partial)",
        )
    return missing
