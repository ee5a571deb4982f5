"""Collection: from the selected rules to a snapshot file, through one provider adapter.

The adapter contract. A provider is a package `cmm_scan.<provider>` with two modules:

`options` (imports no cloud SDK): `Options`, a `cmm_scan.options.ProviderOptions` subclass, and
`FLAGS`, `TITLE`, `CREDENTIALS` (see cmm_scan.options). The CLI parses the command line once into
an `Options`; nothing below the CLI sees argparse.

`adapter` (imports the SDK), three functions:

    plan(options: Options, fact_types: list[str]) -> ScanPlan
        resolve credentials, scopes (ScopeInfo with kind and parent) and regions, applying
        include/exclude filters and `options.shard` (use `in_shard`); raise UserError for bad
        credentials or options, before anything is read
    run(plan: ScanPlan, fact_types: list[str], sink: Sink, progress: Progress) -> None
        read the estate, passing every Fact and Coverage to `sink` (from any thread: the sink is
        not locked for you); record one scope's or region's failure as Coverage and go on, never raise;
        `progress` is a cmm_scan.console.Progress (set `.total`, call `.advance(n, detail)`)
    permissions(fact_types: list[str]) -> str
        (also, when it needs no SDK, in a module `cmm_scan.<provider>.permissions`, which
        `cmm-scan permissions` prefers so that printing a grant never imports the SDK)
        the least-privilege grant for those fact types, rendered as the cloud takes it: an IAM
        policy (AWS, JSON), a custom role definition (Azure, JSON), a custom role (GCP, YAML for
        `gcloud iam roles create --file`), policy statements (OCI, one per line)
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from cmm_scan import __version__, cancel
from cmm_scan.errors import UserError
from cmm_scan.factcatalogue import not_held_by
from cmm_scan.models import Coverage, Fact, ScopeInfo, SnapshotHeader
from cmm_scan.rules import CompiledRule, fact_plan
from cmm_scan.snapshot_io import SnapshotWriter

if TYPE_CHECKING:
    from cmm_scan.console import Console
    from cmm_scan.options import ProviderOptions

Sink = Callable[[Fact | Coverage], None]


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
    not_held: list[str] = field(default_factory=list)  # fact types this provider's estate cannot hold (SnapshotHeader.not_held)


@dataclass
class CollectSummary:
    facts: int = 0
    coverage_ok: int = 0
    coverage_problems: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    failed: dict[tuple[str, str], int] = field(default_factory=dict)  # (status, collector) -> scope/region runs

    @property
    def anything_read(self) -> bool:
        return self.coverage_ok > 0

    def failed_line(self, limit: int = 8) -> str:
        """One line naming the collectors that could not read (printed without -v: they widen answers)."""
        if not self.failed:
            return ""
        items = sorted(self.failed.items(), key=lambda kv: (-kv[1], kv[0]))
        named = ", ".join(f"{collector} {status}" + (f" x{n}" if n > 1 else "") for (status, collector), n in items[:limit])
        more = f" and {len(items) - limit} more" if len(items) > limit else ""
        return f"{len(items)} collectors could not read everything: {named}{more} (reasons with -v and in the reports)"

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


def collect(
    options: ProviderOptions,
    rules: list[CompiledRule],
    output: Path,
    console: Console,
    estate: str | None = None,
    extra_fact_types: Iterable[str] = (),
) -> CollectSummary:
    """Collect into `output`; `estate` names the part a sharded scan splits (default: derived from its
    scopes); `extra_fact_types`: what else to gather (a policy baseline's checks read facts no selected rule may)."""
    fact_types = sorted(set(fact_plan(rules)) | set(extra_fact_types))
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
        shard=options.shard,
        estate=(estate or estate_key(options.provider, plan.scopes, scope_filter(options))) if options.shard else estate,
        scope_filter=scope_filter(options),
        not_held=sorted(set(plan.not_held) | set(not_held_by(options.provider, fact_types))),
    )
    summary = CollectSummary()

    with SnapshotWriter(output, header) as writer:

        def sink(record: Fact | Coverage) -> None:
            cancel.check()  # an interrupted run writes nothing more
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
                key = (record.status, record.collector)
                summary.failed[key] = summary.failed.get(key, 0) + 1
                console.debug(f"{record.status}: {record.collector} {record.scope}/{record.region} {record.reason}")

        progress = console.progress(f"collecting {options.provider}")
        try:
            module.run(plan, fact_types, sink, progress)
        finally:
            progress.finish()
    return summary


def scope_filter(options: ProviderOptions) -> list[str]:
    """The scope list a scan was given, as typed: ids to include, then !ids to exclude (every `<x>_include` field)."""
    values = options.model_dump()
    names = sorted(n.removesuffix("_include") for n in values if n.endswith("_include"))
    return [i for n in names for i in values[f"{n}_include"]] + [f"!{e}" for n in names for e in values.get(f"{n}_exclude", [])]


def estate_key(provider: str, scopes: list[ScopeInfo], given: list[str]) -> str:
    """What every shard of one sharded scan shares: the umbrella scope it splits (an organisation,
    a tenancy, a tenant), else the scope list it was given."""
    import hashlib

    umbrellas = sorted(f"{s.kind}:{s.id}" for s in scopes if s.kind in ("organization", "tenant", "management_group", "tenancy"))
    if umbrellas:
        return f"{provider}:{','.join(umbrellas)}"
    if given:
        return f"{provider}:scopes-{hashlib.sha256(','.join(sorted(given)).encode()).hexdigest()[:12]}"
    return f"{provider}:default"


def permissions_document(provider: str, rules: list[CompiledRule], extra_fact_types: Iterable[str] = ()) -> str:
    """From `cmm_scan.<provider>.permissions` when the provider has one (the grant comes from its specs,
    so printing it needs no cloud SDK), else from the adapter."""
    module: ModuleType | None = None
    try:
        module = importlib.import_module(f"cmm_scan.{provider}.permissions")
    except ModuleNotFoundError as exc:
        if not (exc.name and f"cmm_scan.{provider}.permissions".startswith(exc.name)):
            raise
    if module is None or not hasattr(module, "permissions"):
        module = adapter(provider)  # says in one line when the provider is not available
    return module.permissions(sorted(set(fact_plan(rules)) | set(extra_fact_types)))
