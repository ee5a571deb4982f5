"""Run the selected collectors in every scope unit of a scan, on a bounded thread pool."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from cmm_scan.cloud.executor import Context, Outcome, Unit, UnitRun, emit_coverage
from cmm_scan.cloud.permissions import drawn_keys
from cmm_scan.cloud.spec import Collector
from cmm_scan.models import Coverage, Fact


def kept(context: Context) -> frozenset[str]:
    """Collectors whose facts a lookup reads: their outcomes keep the facts."""
    return frozenset(lookup.collector for lookup in context.catalogue.lookups.values() if lookup.collector)


def run_units(context: Context, units: Iterable[Unit], collectors: list[Collector], workers: int, progress: Any = None) -> None:
    """Every collector in every unit of its scope kind; one task's failure (even a bug) never stops the others."""
    lock = threading.Lock()
    emit = context.emit

    def safe_emit(record: Fact | Coverage) -> None:
        with lock:
            emit(record)

    context.emit = safe_emit
    context.keep = context.keep | kept(context)
    if context.drawn is None:
        context.drawn = drawn_keys(context.catalogue, collectors)
    units = list(units)
    prefetch = getattr(context.transport, "prefetch", None)
    if prefetch is not None:  # one round trip for the first reads a transport can combine, before any collector runs
        for unit in units:
            prefetch(UnitRun(context, unit).first_reads(collectors))
    tasks = [(unit, spec) for unit in units for spec in collectors if spec.scope == unit.kind]
    if progress is not None:
        progress.total = len(tasks)

    def task(item: tuple[Unit, Collector]) -> None:
        unit, spec = item
        try:
            UnitRun(context, unit).scope_collector(spec.id)
        except Exception as exc:  # a bug in one collector must not stop the others; it is reported, not hidden
            emit_coverage(spec, context, unit, Outcome(status="error", reason=f"internal error: {type(exc).__name__}: {exc}"))
        finally:
            if progress is not None:
                with lock:
                    progress.advance(1, f"{unit.key} {spec.id}")

    try:
        with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix=f"cmm-{context.provider}") as pool:
            list(pool.map(task, tasks))
    finally:
        context.emit = emit
