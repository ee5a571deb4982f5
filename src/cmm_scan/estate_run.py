"""Scanning and scoring an estate file's parts: which snapshot each part writes, and which are read."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from cmm_scan.errors import UserError
from cmm_scan.estatefile import Estate
from cmm_scan.storage import StorageUrl, fetch, list_snapshots, local_output

if TYPE_CHECKING:
    from cmm_scan.collect import CollectSummary
    from cmm_scan.console import Console
    from cmm_scan.rules import CompiledRule


def collect_parts(estate: Estate, rules: list[CompiledRule], console: Console, shard: tuple[int, int] | None) -> list[CollectSummary]:
    """Collect every part (or shard i/n of every part) into the estate's snapshot folder."""
    from cmm_scan.collect import collect

    if shard and shard[1] != estate.spec.shards:
        raise UserError(
            f"--shard {shard[0]}/{shard[1]}: {estate.path} splits each part into {estate.spec.shards} shards",
            f"use --shard i/{estate.spec.shards}, or change `shards:` in the file",
        )
    summaries = []
    for name, options in estate.parts:
        target = estate.snapshot_path(name, shard)
        part_options = options.model_copy(update={"shard": shard})
        with local_output(target) as path:  # a storage URL: written locally, uploaded once whole
            summary = collect(part_options, rules, path, console, estate=estate.estate_key(name))
        console.note(f"wrote {target}: {summary}")
        summaries.append(summary)
    return summaries


def part_snapshots(estate: Estate) -> list[Path]:
    """Every snapshot the estate's parts wrote: a part's whole snapshot, or its shards."""
    if isinstance(estate.folder, StorageUrl):
        return _stored_part_snapshots(estate, estate.folder)
    found: list[Path] = []
    for name, _ in estate.parts:
        whole = estate.snapshot_path(name, None)
        shards = sorted(estate.folder.glob(f"{name}.shard-*-of-*.jsonl.gz"))
        if whole.exists() and shards:
            raise UserError(
                f"{estate.folder}: part {name} has a whole snapshot and shards",
                f"remove {whole.name} or the {name}.shard-* files: they would count its scopes twice",
            )
        if not whole.exists() and not shards:
            raise UserError(f"{estate.folder}: no snapshot of part {name}", f"scan it first: cmm-scan scan --estate {estate.path}")
        found += [whole] if whole.exists() else shards
    return found


def _stored_part_snapshots(estate: Estate, folder: StorageUrl) -> list[Path]:
    """`part_snapshots` for a folder in shared storage: one listing, then the chosen objects fetched."""
    listed = {url.key.rsplit("/", 1)[-1]: url for url in list_snapshots(folder.child(""))}
    chosen: list[StorageUrl] = []
    for name, _ in estate.parts:
        whole = estate.snapshot_name(name, None)
        shards = sorted(n for n in listed if re.fullmatch(rf"{re.escape(name)}\.shard-\d+-of-\d+\.jsonl\.gz", n))
        if whole in listed and shards:
            raise UserError(
                f"{folder}: part {name} has a whole snapshot and shards",
                f"remove {whole} or the {name}.shard-* objects: they would count its scopes twice",
            )
        if whole not in listed and not shards:
            raise UserError(f"{folder}: no snapshot of part {name}", f"scan it first: cmm-scan scan --estate {estate.path}")
        chosen += [listed[whole]] if whole in listed else [listed[n] for n in shards]
    return fetch(chosen)
