"""Scanning and scoring an estate file's parts: which snapshot each part writes, and which are read."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from cmm_scan.errors import UserError
from cmm_scan.estatefile import Estate

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
        path = estate.snapshot_path(name, shard)
        part_options = options.model_copy(update={"shard": shard})
        summary = collect(part_options, rules, path, console, estate=estate.estate_key(name))
        console.note(f"wrote {path}: {summary}")
        summaries.append(summary)
    return summaries


def part_snapshots(estate: Estate) -> list[Path]:
    """Every snapshot the estate's parts wrote: a part's whole snapshot, or its shards."""
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
