"""Collection: from the selected rules to a snapshot file, through one provider adapter.

An adapter is a module `cmm_scan.<provider>.adapter` with three functions:

    plan(options: CollectOptions, fact_types: list[str]) -> ScanPlan
        resolve credentials, scopes and regions; raise UserError for bad credentials or options
    run(plan: ScanPlan, fact_types: list[str], sink: Sink, progress: Progress) -> None
        read the estate, passing every Fact and Coverage to `sink`; never raise for one scope's failure
    permissions(fact_types: list[str]) -> dict
        the least-privilege policy document for those fact types
"""

from __future__ import annotations

import argparse
import importlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from cmm_scan import __version__
from cmm_scan.errors import UserError
from cmm_scan.models import Coverage, Fact, ScopeInfo, SnapshotHeader
from cmm_scan.rules import CompiledRule, fact_plan
from cmm_scan.snapshot_io import SnapshotWriter

if TYPE_CHECKING:
    from cmm_scan.cli import Console

Sink = Callable[[Fact | Coverage], None]


@dataclass
class CollectOptions:
    provider: str
    regions: list[str] | None = None
    profile: str | None = None
    role_arn: str | None = None
    external_id: str | None = None
    org: bool = False
    member_role: str = "OrganizationAccountAccessRole"
    accounts_include: list[str] = field(default_factory=list)
    accounts_exclude: list[str] = field(default_factory=list)
    shard: tuple[int, int] | None = None
    endpoint_url: str | None = None
    workers: int = 8
    # OCI (read by cmm_scan.oci.adapter)
    tenancy: str | None = None
    compartments: str | None = None
    config_file: str | None = None
    oci_profile: str | None = None
    auth: str | None = None

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> CollectOptions:
        accounts = [a.strip() for a in (args.accounts or "").split(",") if a.strip()]
        if args.workers < 1:
            raise UserError("--workers must be at least 1")
        return cls(
            provider=args.provider,
            regions=[r.strip() for r in args.regions.split(",") if r.strip()] if args.regions else None,
            profile=args.profile,
            role_arn=args.role_arn,
            external_id=args.external_id,
            org=args.org,
            member_role=args.member_role,
            accounts_include=[a for a in accounts if not a.startswith("!")],
            accounts_exclude=[a[1:] for a in accounts if a.startswith("!")],
            shard=parse_shard(args.shard) if args.shard else None,
            endpoint_url=args.endpoint_url,
            workers=args.workers,
            tenancy=getattr(args, "tenancy", None),
            compartments=getattr(args, "compartments", None),
            config_file=getattr(args, "config_file", None),
            oci_profile=getattr(args, "oci_profile", None),
            auth=getattr(args, "auth", None),
        )


def parse_shard(text: str) -> tuple[int, int]:
    try:
        index, count = (int(x) for x in text.split("/"))
    except ValueError:
        raise UserError(f"--shard '{text}' is not i/n", "for example --shard 2/4") from None
    if not 1 <= index <= count:
        raise UserError(f"--shard {text}: i must be between 1 and n", "for example --shard 2/4")
    return index, count


def in_shard(item: str, shard: tuple[int, int] | None) -> bool:
    """Stable assignment of an account (or any id) to one shard, the same on every machine."""
    if shard is None:
        return True
    import zlib

    index, count = shard
    return zlib.crc32(item.encode()) % count == index - 1


@dataclass
class ScanPlan:
    scopes: list[ScopeInfo]
    regions: list[str]
    state: Any = None  # the adapter's own: sessions, clients, account list


@dataclass
class CollectSummary:
    facts: int = 0
    coverage_ok: int = 0
    coverage_problems: int = 0
    statuses: dict[str, int] = field(default_factory=dict)

    @property
    def anything_read(self) -> bool:
        return self.coverage_ok > 0

    def __str__(self) -> str:
        parts = ", ".join(f"{n} {s}" for s, n in sorted(self.statuses.items()))
        return f"{self.facts} facts; collector runs: {parts or 'none'}"


def adapter(provider: str) -> ModuleType:
    try:
        return importlib.import_module(f"cmm_scan.{provider}.adapter")
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith(f"cmm_scan.{provider}"):
            raise UserError(f"the {provider} adapter is not available in this version", "scan aws, or use `cmm-scan demo`") from None
        raise UserError(
            f"the {provider} adapter needs the '{exc.name}' package",
            f"install it with: pip install 'cmm-scan[{provider}]'",
        ) from None


def collect(args: argparse.Namespace, rules: list[CompiledRule], output: Path, console: Console) -> CollectSummary:
    options = CollectOptions.from_args(args)
    fact_types = fact_plan(rules)
    module = adapter(options.provider)
    plan: ScanPlan = module.plan(options, fact_types)
    header = SnapshotHeader(
        tool_version=__version__,
        provider=options.provider,  # type: ignore[arg-type]
        started_at=datetime.now(UTC),
        scopes=plan.scopes,
        regions=plan.regions,
        fact_types=fact_types,
        questions=[r.id for r in rules],
    )
    summary = CollectSummary()

    with SnapshotWriter(output, header) as writer:

        def sink(record: Fact | Coverage) -> None:
            if isinstance(record, Fact):
                writer.fact(record)
                summary.facts += 1
                return
            writer.coverage(record)
            summary.statuses[record.status] = summary.statuses.get(record.status, 0) + 1
            if record.status in ("ok", "not_enabled"):
                summary.coverage_ok += 1
            else:
                summary.coverage_problems += 1
                console.debug(f"{record.status}: {record.collector} {record.scope}/{record.region} {record.reason}")

        progress = console.progress(f"collecting {options.provider}")
        try:
            module.run(plan, fact_types, sink, progress)
        finally:
            progress.finish()
    return summary


def permissions_document(provider: str, rules: list[CompiledRule]) -> str:
    document = adapter(provider).permissions(fact_plan(rules))
    return document if isinstance(document, str) else json.dumps(document, indent=2)  # OCI: policy statements
