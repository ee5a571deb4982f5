"""Run one REST collector spec in one scope unit: list, follow up, join, derive, map, emit.

Everything here is generic; a collector's behaviour lives in its YAML spec (docs/cloud-collectors.md)
and a cloud's wire details in its Transport. The rule of the catalogue holds: a denied or failed read
leaves its attributes null (unknown), never false or zero, and is recorded in coverage.
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from jmespath.exceptions import JMESPathTypeError

from cmm_scan.cloud import transforms
from cmm_scan.cloud.jmes import as_item, hashable, plain, search
from cmm_scan.cloud.memo import Memo
from cmm_scan.cloud.spec import PLACEHOLDER, Attribute, Call, Catalogue, Collector, Join, Lookup, Request
from cmm_scan.cloud.transport import CloudError, Prepared, Transport, worst
from cmm_scan.models import Coverage, Fact

Sink = Callable[[Fact | Coverage], None]


@dataclass(frozen=True)
class Unit:
    """One place a collector runs: the provider decides what it is (a tenant, a group of subscriptions,
    a project, a compartment in a region). `scopes` are the fact scopes it covers: its coverage is
    recorded for each, so a denied group query leaves every subscription of the group unknown."""

    kind: str
    key: str
    scopes: tuple[str, ...]
    region: str = "global"
    vars: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    # smaller units covering the same scopes (one per subscription of a group): when a collector's list fails
    # here, it is asked again in each part, so one scope's denial never hides the others
    parts: tuple[Unit, ...] = field(default=(), hash=False, compare=False)


@dataclass
class Context:
    """What every unit of one scan shares."""

    catalogue: Catalogue
    transport: Transport
    emit: Sink
    memo: Memo = field(default_factory=Memo)
    keep: frozenset[str] = frozenset()  # collectors whose facts lookups read
    # Secret redaction (issue #17) happens in the snapshot's fact sink, so every provider gets it; a provider
    # that must drop a field before it leaves the adapter can set this too.
    redact: Callable[[dict[str, Any]], dict[str, Any]] | None = None

    @property
    def provider(self) -> str:
        return self.catalogue.provider


class StepFailed(Exception):
    """A lookup or call failed; `status` and `reason` go to coverage."""

    def __init__(self, status: str, reason: str):
        super().__init__(reason)
        self.status, self.reason = status, reason


class Skip(Exception):
    """Nothing to read in this unit (coverage `skipped`, with the reason)."""


@dataclass
class FactOut:
    """What a collector produces before it becomes a Fact."""

    resource_id: str
    attributes: dict[str, Any]
    region: str | None = None
    scope: str | None = None


@dataclass
class Outcome:
    status: str = "ok"
    reason: str = ""
    requests: int = 0
    emitted: int = 0
    facts: list[FactOut] = field(default_factory=list)
    # (step, fact scope or None for every scope of the unit) -> (status, reason)
    problems: dict[tuple[str, str | None], tuple[str, str]] = field(default_factory=dict)

    def problem(self, step: str, status: str, reason: str, scope: str | None = None) -> None:
        old = self.problems.get((step, scope))
        if old is None or worst(old[0], status) != old[0]:
            self.problems[(step, scope)] = (status, reason)


def fill(template: Any, values: dict[str, Any]) -> Any:
    """Fill {name} placeholders: a string that is exactly "{name}" takes the value itself (a list stays a list);
    elsewhere the value is formatted in. Unknown names are left alone (KQL and JSON have braces of their own)."""
    if isinstance(template, str):
        whole = PLACEHOLDER.fullmatch(template)
        if whole and whole.group(1) in values:
            return values[whole.group(1)]
        return PLACEHOLDER.sub(lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), template)
    if isinstance(template, dict):
        return {k: fill(v, values) for k, v in template.items()}
    if isinstance(template, list):
        return [fill(v, values) for v in template]
    return template


class UnitRun:
    """One scope unit: every request goes through here, counted."""

    def __init__(self, context: Context, unit: Unit):
        self.context, self.unit = context, unit
        self.requests = 0

    def prepare(self, request: Request, item: dict[str, Any] | None = None) -> Prepared:
        values = dict(self.unit.vars)
        values.update({name: search(expr, item or {}) for name, expr in request.args.items()})
        path = fill(request.path, values)
        missing = PLACEHOLDER.findall(path)
        if missing:
            raise RuntimeError(f"{request.operation}: no value for {', '.join(missing)} in the path {request.path}")
        return Prepared(
            operation=request.operation,
            api=request.api,
            method=request.method,
            path=path,
            query=fill(request.query, values),
            body=fill(request.body, values),
            paging=request.paging,
            page_size=request.page_size,
        )

    def pages(self, request: Request, item: dict[str, Any] | None = None) -> Iterator[Any]:
        for page in self.context.transport.pages(self.prepare(request, item)):
            self.requests += 1
            yield page

    def items(self, request: Request, item: dict[str, Any] | None = None, errors: dict[str, Any] | None = None) -> list[Any]:
        """The listed items of every page; an error named in `errors` stands for a response meaning a known value."""
        return _collect(self.pages_or_known(request, item, errors), request.items)

    def shared_items(self, request: Request, errors: dict[str, Any] | None = None) -> list[Any]:
        """A unit-wide list request's items, sent once per unit however many collectors and lookups list the
        same thing (a failure is shared too); each caller gets its own shallow copies to add keys to."""
        key = ("items", self.unit.key, request.model_dump_json(exclude={"permissions"}), repr(sorted((errors or {}).items())))
        found = self.context.memo.get(key, lambda: self.items(request, None, errors))
        return [dict(x) if isinstance(x, dict) else x for x in found]

    def pages_or_known(self, request: Request, item: dict[str, Any] | None, errors: dict[str, Any] | None) -> list[Any]:
        try:
            return list(self.pages(request, item))
        except CloudError as exc:
            key = exc.matches(errors or {})
            if key is None:
                raise
            return [errors[key]]  # type: ignore[index]

    def classify(self, exc: CloudError, not_enabled: list[str] | None = None) -> tuple[str, str]:
        if not_enabled and exc.matches(not_enabled):
            return "not_enabled", str(exc)[:300]
        return self.context.transport.classify(exc)

    # --- lookups ----------------------------------------------------------------------

    def lookup(self, name: str) -> list[Any]:
        spec = self.context.catalogue.lookups[name]
        return self.context.memo.get(("lookup", name, self.unit.key), lambda: self._fetch_lookup(spec))

    def _fetch_lookup(self, spec: Lookup) -> list[Any]:
        if spec.collector:
            outcome = self.scope_collector(spec.collector)
            if outcome.status != "ok":
                raise StepFailed(outcome.status, f"{spec.collector}: {outcome.reason}")
            found: list[Any] = [{"resource_id": f.resource_id, **f.attributes} for f in outcome.facts]
        else:
            assert spec.source
            try:
                found = self.shared_items(spec.source, spec.errors)
            except CloudError as exc:
                raise StepFailed(*self.classify(exc)) from None
        found = [as_item(x) for x in found]
        for join in spec.joins:
            with contextlib.suppress(StepFailed):  # the joined key stays null: what needs it reads as unknown
                self.join_all(found, join)
        return found

    def join_all(self, items: list[dict[str, Any]], join: Join, failed: dict[int, set[str]] | None = None) -> None:
        try:
            others = self.lookup(join.lookup)
        except StepFailed:
            for i, item in enumerate(items):
                item[join.as_] = None
                if failed is not None:
                    failed.setdefault(i, set()).add(join.as_)
            raise
        lookup = self.context.catalogue.lookups[join.lookup]
        index: dict[Any, list[Any]] = {}
        if lookup.key:
            for other in others:
                index.setdefault(hashable(search(lookup.key, other)), []).append(other)
        for item in items:
            if join.match is None or not lookup.key:
                item[join.as_] = others
                continue
            keys = search(join.match, item)
            keys = keys if isinstance(keys, list) else [keys]
            item[join.as_] = [o for k in keys if k is not None for o in index.get(hashable(k), [])]

    def scope_collector(self, collector_id: str) -> Outcome:
        """The result of a collector in this unit, running it now if no thread has yet."""
        spec = self.context.catalogue.collectors[collector_id]
        key = ("collector", collector_id, self.unit.key)
        return self.context.memo.get(key, lambda: run_collector(spec, UnitRun(self.context, self.unit)))


def _collect(pages: Iterable[Any], items_expr: str) -> list[Any]:
    found: list[Any] = []
    for page in pages:
        value = search(items_expr, page)
        if isinstance(value, list):
            found.extend(value)
        elif value is not None:
            found.append(value)
    return found


# --- one collector ------------------------------------------------------------------------


def run_collector(spec: Collector, run: UnitRun) -> Outcome:
    """Run, emit facts and coverage, and return the outcome (kept for lookups that read it)."""
    outcome = Outcome()
    try:
        produced = _handler(spec, run)(run, spec) if spec.handler else _data_collector(spec, run, outcome)
        for out in produced:
            _emit_fact(spec, run, out)
            outcome.emitted += 1
            if spec.id in run.context.keep:
                outcome.facts.append(out)
    except StepFailed as exc:
        outcome.status, outcome.reason = exc.status, exc.reason
    except Skip as exc:
        outcome.status, outcome.reason = "skipped", str(exc)
    except CloudError as exc:
        if not exc.matches(spec.empty_on):
            outcome.status, outcome.reason = run.classify(exc, spec.not_enabled)
    outcome.requests = run.requests
    if outcome.status in ("denied", "error") and run.unit.parts and not outcome.emitted:
        for part in run.unit.parts:  # ask scope by scope: only the scopes that really fail stay unknown
            part_outcome = UnitRun(run.context, part).scope_collector(spec.id)
            outcome.facts += part_outcome.facts
        outcome.status, outcome.reason = "ok", ""
        return outcome
    emit_coverage(spec, run.context, run.unit, outcome)
    return outcome


def _handler(spec: Collector, run: UnitRun) -> Callable[[UnitRun, Collector], Iterable[FactOut]]:
    assert spec.handler
    module, _, function = spec.handler.partition(":")
    # a bare module name lives in the provider's handlers package; a dotted one is imported as it is
    package = module if "." in module else f"cmm_scan.{run.context.provider}.handlers.{module}"
    return getattr(importlib.import_module(package), function)


def _emit_fact(spec: Collector, run: UnitRun, out: FactOut) -> None:
    # the facet is a promise the scoring engine relies on to keep other collectors' gaps away from these facts
    if spec.facet and any(out.attributes.get(k) != v for k, v in spec.facet.items()):
        raise AssertionError(f"collector {spec.id} emitted a fact outside its facet {spec.facet}: {out.resource_id}")
    scope = out.scope or _only_scope(spec, run.unit)
    attributes = plain(out.attributes)
    if run.context.redact:
        attributes = run.context.redact(attributes)
    run.context.emit(
        Fact(
            type=spec.fact,
            provider=run.context.provider,  # type: ignore[arg-type]
            scope=scope,
            region=out.region or run.unit.region,
            resource_id=out.resource_id,
            attributes=attributes,
            source=source_of(spec),
        )
    )


def _only_scope(spec: Collector, unit: Unit) -> str:
    if len(unit.scopes) != 1:
        raise AssertionError(f"collector {spec.id} runs over {len(unit.scopes)} scopes: it needs `fact_scope`")
    return unit.scopes[0]


def source_of(spec: Collector) -> str:
    requests = [spec.source] if spec.source else list(spec.requests)
    return ", ".join(dict.fromkeys(f"{r.api}:{r.operation}" for r in [*requests, *spec.calls] if r is not None))


def emit_coverage(spec: Collector, context: Context, unit: Unit, outcome: Outcome) -> None:
    """One record per scope the unit covers (the requests are counted once, on the first)."""
    for n, scope in enumerate(unit.scopes):
        context.emit(
            Coverage(
                collector=spec.id,
                provider=context.provider,  # type: ignore[arg-type]
                scope=scope,
                region=unit.region,
                status=outcome.status,  # type: ignore[arg-type]
                fact_types=[spec.fact],
                enriches=spec.enriches,
                facet=spec.facet,
                reason=outcome.reason,
                requests=outcome.requests if n == 0 else 0,
            )
        )
        if outcome.status != "ok":
            continue
        for (step, where), (status, reason) in sorted(outcome.problems.items(), key=lambda p: (p[0][0], p[0][1] or "")):
            if where is not None and where != scope:
                continue
            context.emit(
                Coverage(
                    collector=f"{spec.id}/{step}",
                    provider=context.provider,  # type: ignore[arg-type]
                    scope=scope,
                    region=unit.region,
                    status=status,  # type: ignore[arg-type]
                    enriches=[spec.fact],
                    reason=reason,
                )
            )


def _list_items(spec: Collector, run: UnitRun) -> list[dict[str, Any]]:
    assert spec.source
    parents: list[Any] = run.lookup(spec.for_each) if spec.for_each else [None]
    items: list[dict[str, Any]] = []
    for parent in parents:
        context = {"_parent": parent} if parent is not None else None
        listed = run.items(spec.source, context, spec.errors) if parent is not None else run.shared_items(spec.source, spec.errors)
        for found in listed:
            item = as_item(found)
            if spec.filter and not search(spec.filter, item):
                continue
            if parent is not None:
                item["_parent"] = parent
            items.append(item)
    return items


def _data_collector(spec: Collector, run: UnitRun, outcome: Outcome) -> Iterator[FactOut]:
    items = _list_items(spec, run)
    # calls first (they may describe the item the joins match on), then joins, then derive
    failed: dict[int, set[str]] = {i: set() for i in range(len(items))}
    for call in spec.calls:  # call by call: a call's `when` and `args` may read the calls above it
        for i, item in enumerate(items):
            _follow_up(spec, run, call, item, failed[i], outcome)
    for join in spec.joins:
        try:
            run.join_all(items, join, failed)
        except StepFailed as exc:
            outcome.problem(f"join:{join.lookup}", exc.status, exc.reason)
    for i, item in enumerate(items):
        item_failed = failed[i]
        for derive in spec.derive:
            item[derive.into] = value_of(derive, item, item_failed)
            if item[derive.into] is None and set(derive.requires) & item_failed:
                item_failed.add(derive.into)
        yield _fact_out(spec, run, item, item_failed)


def _follow_up(spec: Collector, run: UnitRun, call: Call, item: dict[str, Any], failed: set[str], outcome: Outcome) -> None:
    if call.when and not search(call.when, item):
        item[call.into] = None
        return
    try:
        if call.paging:
            result: Any = _collect(run.pages(call, item), call.result)
        else:
            result = search(call.result, next(iter(run.pages(call, item)), None))
    except CloudError as exc:
        key = exc.matches(call.errors)
        if key is not None:
            result = call.errors[key]
        else:
            status, reason = run.classify(exc, spec.not_enabled)
            # in a unit over several scopes, only the item's own scope is missing this step
            where = search(spec.fact_scope, item) if spec.fact_scope and len(run.unit.scopes) > 1 else None
            outcome.problem(call.operation, status, reason, where if where in run.unit.scopes else None)
            failed.add(call.into)
            result = None
    if call.into == ".":
        item.update(result or {})
    else:
        item[call.into] = result


def value_of(attr: Attribute, item: dict[str, Any], failed: set[str]) -> Any:
    if set(attr.requires) & failed:
        return None
    if attr.unknown_if and search(attr.unknown_if, item):
        return None
    try:
        value = search(attr.expr, item)
    except JMESPathTypeError:  # a field this item lacks or holds in another shape: not read, for this item only
        return None
    if attr.transform:
        value = transforms.apply(attr.transform, value)
    return attr.default if value is None else value


def _fact_out(spec: Collector, run: UnitRun, item: dict[str, Any], failed: set[str]) -> FactOut:
    attributes = {name: value_of(spec.attribute(name), item, failed) for name in spec.attributes}
    raw_id = search(spec.resource_id, item)
    resource_id = str(raw_id)
    if spec.resource_format:
        resource_id = spec.resource_format.format(id=raw_id, **run.unit.vars)
    region = search(spec.fact_region, item) if spec.fact_region else None
    scope = search(spec.fact_scope, item) if spec.fact_scope else None
    return FactOut(resource_id=resource_id, attributes=attributes, region=region or None, scope=scope or None)
