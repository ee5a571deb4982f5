"""Run one REST collector spec in one scope unit: list, follow up, join, derive, map, emit.

Everything here is generic; a collector's behaviour lives in its YAML spec (docs/cloud-collectors.md)
and a cloud's wire details in its Transport. The rule of the catalogue holds: a denied or failed read
leaves its attributes null (unknown), never false or zero, and is recorded in coverage.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import string
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from jmespath.exceptions import JMESPathTypeError

from cmm_scan.cloud import transforms
from cmm_scan.cloud.jmes import as_item, hashable, plain, search
from cmm_scan.cloud.memo import Memo
from cmm_scan.cloud.permissions import lookups_of
from cmm_scan.cloud.spec import PLACEHOLDER, Attribute, Call, Catalogue, Collector, Draw, GuideUse, Join, Lookup, Request, _Items
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
    # a bulk read over a whole organisation names its items' owners its own way (GCP project numbers) and also
    # returns owners outside the scan: when set, a collector's `fact_scope` value is looked up here, and an
    # item whose value is not found is dropped
    scope_of: dict[str, str] | None = field(default=None, hash=False, compare=False)


@dataclass
class Context:
    """What every unit of one scan shares."""

    catalogue: Catalogue
    transport: Transport
    emit: Sink
    memo: Memo = field(default_factory=Memo)
    keep: frozenset[str] = frozenset()  # collectors whose facts lookups read
    # lookup -> the keys the selected collectors draw from it ([] = every item): its request's `{drawn}`
    drawn: dict[str, list[str]] | None = None
    # Secret redaction (issue #17) happens in the snapshot's fact sink, so every provider gets it; a provider
    # that must drop a field before it leaves the adapter can set this too.
    redact: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    # per-item follow-up reads of one call in flight at once (each a round trip; a cloud with no bulk read sets more)
    call_workers: int = 1

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


class Partial(Exception):
    """A list refused (or not addressable) for some `for_each` parents: the items read for the others, and why the
    rest is unknown."""

    def __init__(self, found: list[dict[str, Any]], reason: str, status: str = "denied"):
        super().__init__(reason)
        self.found, self.reason, self.status = found, reason, status


class MissingValue(RuntimeError):
    """A request's path needs a value its item lacks (absent or null): that one read cannot be made, and what
    needs it is unknown for that item only. A path is never sent with "None" in it."""


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
            return _value(values[whole.group(1)])
        return PLACEHOLDER.sub(lambda m: str(_value(values[m.group(1)])) if m.group(1) in values else m.group(0), template)
    if isinstance(template, dict):
        return {k: fill(v, values) for k, v in template.items()}
    if isinstance(template, list):
        return [fill(v, values) for v in template]
    return template


def _value(value: Any) -> Any:
    """A unit variable may be a function of no arguments (memoised by the provider): it is called only when a template
    names it, so a value that costs a request (OCI's Object Storage namespace) is read only when a request needs it."""
    return value() if callable(value) else value


class UnitRun:
    """One scope unit: every request goes through here, counted."""

    def __init__(self, context: Context, unit: Unit):
        self.context, self.unit = context, unit
        self.requests = 0
        self._count = threading.Lock()  # follow-up calls may run on several threads
        self.outcome: Outcome | None = None  # the running collector's: a handler records its failed steps there

    def prepare(self, request: Request, item: dict[str, Any] | None = None, extra: dict[str, Any] | None = None) -> Prepared:
        values = {**self.unit.vars, **(extra or {})}
        values.update({name: search(expr, item or {}) for name, expr in request.args.items()})
        path = fill(request.path, values)
        # a value the unit lacks, or a field the item lacks (null, or empty for an item's own field: a bucket without
        # its name): that read cannot be made, never a request to ".../None" (a host left null is the service's own)
        named = [n for n in PLACEHOLDER.findall(request.path) if n in values]
        lacking = [n for n in named if values[n] is None or (n in request.args and values[n] == "")]
        missing = PLACEHOLDER.findall(path) + lacking
        if missing:
            raise MissingValue(f"{request.operation}: no value for {', '.join(missing)} in the path {request.path}")
        return Prepared(
            operation=request.operation,
            api=request.api,
            method=request.method,
            path=path,
            query=fill(request.query, values),
            body=fill(request.body, values),
            paging=request.paging,
            page_size=request.page_size,
            host=fill(request.host, values) if request.host else None,
            region=self.unit.vars.get("region") or (None if self.unit.region == "global" else self.unit.region),
        )

    def pages(self, request: Request, item: dict[str, Any] | None = None, extra: dict[str, Any] | None = None) -> Iterator[Any]:
        return self._send(self.prepare(request, item, extra))

    def _send(self, prepared: Prepared) -> Iterator[Any]:
        for page in self.context.transport.pages(prepared):
            with self._count:
                self.requests += 1
            yield page

    def items(
        self,
        request: Request,
        item: dict[str, Any] | None = None,
        errors: dict[str, Any] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> list[Any]:
        """The listed items of every page; an error named in `errors` stands for a response meaning a known value."""
        return _collect(self.pages_or_known(request, item, errors, extra), request.items)

    def shared_items(self, request: Request, errors: dict[str, Any] | None = None, extra: dict[str, Any] | None = None) -> list[Any]:
        """A unit-wide list request's items, sent once per unit however many collectors and lookups list the
        same thing (a failure is shared too); each caller gets its own shallow copies to add keys to."""
        # keyed on what goes on the wire, whatever the unit: specs that fill the same request differently, and units
        # that send the same request (a tenancy-wide unit and its home region's), share it; the pages are shared, and
        # each spec picks its own items from them (two specs may read different items of one answer)
        prepared = self.prepare(request, None, extra)
        key = ("pages", repr(prepared), repr(sorted((errors or {}).items())))
        pages = self.context.memo.get(key, lambda: self._known(self._send(prepared), errors))
        return [dict(x) if isinstance(x, dict) else x for x in _collect(pages, request.items)]

    def pages_or_known(
        self, request: Request, item: dict[str, Any] | None, errors: dict[str, Any] | None, extra: dict[str, Any] | None = None
    ) -> list[Any]:
        return self._known(self.pages(request, item, extra), errors)

    @staticmethod
    def _known(pages: Iterator[Any], errors: dict[str, Any] | None) -> list[Any]:
        try:
            return list(pages)
        except CloudError as exc:
            key = exc.matches(errors or {})
            if key is None:
                raise
            return [errors[key]]  # type: ignore[index]

    def classify(self, exc: CloudError, not_enabled: list[str] | None = None) -> tuple[str, str]:
        if not_enabled and exc.matches(not_enabled):
            return "not_enabled", str(exc)[:300]
        return self.context.transport.classify(exc)

    def first_reads(self, collectors: Iterable[Collector]) -> list[Prepared]:
        """The unit-wide list requests these collectors (and the lookups and collectors they read) send here, filled
        exactly as `shared_items` will fill them: a transport that combines requests sends them together up front."""
        catalogue, found = self.context.catalogue, {}
        pending = [spec for spec in collectors if spec.scope == self.unit.kind]
        seen: set[str] = set()
        while pending:
            spec = pending.pop()
            if spec.id in seen:
                continue
            seen.add(spec.id)
            reads = [(spec.source, None)] if spec.source and not spec.for_each else []
            for name in lookups_of(spec, catalogue):
                lookup = catalogue.lookups[name]
                if lookup.collector:
                    pending.append(catalogue.collectors[lookup.collector])
                elif lookup.source and not lookup.for_each:
                    reads.append((lookup.source, {"drawn": (self.context.drawn or {}).get(name, [])}))
            for request, extra in reads:
                try:
                    prepared = self.prepare(request, None, extra)
                except RuntimeError:  # a value this unit lacks: the read fails when it is made, not here
                    continue
                found[repr(prepared)] = prepared
        return list(found.values())

    # --- lookups ----------------------------------------------------------------------

    def lookup(self, name: str) -> list[Any]:
        spec = self.context.catalogue.lookups[name]
        key = ("lookup", name) if spec.shared else ("lookup", name, self.unit.key)
        return self.context.memo.get(key, lambda: self._fetch_lookup_checked(name, spec))

    def _fetch_lookup_checked(self, name: str, spec: Lookup) -> list[Any]:
        found = self._fetch_lookup(name, spec)
        if spec.empty_unknown and not found:
            raise StepFailed("error", f"{name}: listed nothing, so it covers nothing its joins look for")
        return found

    def draw(self, draw: Draw) -> list[dict[str, Any]]:
        """A lookup's items whose key is one of the draw's keys (every item without keys), each a shallow copy:
        a collector adds its calls, joins and derived values to its own items only."""
        if not draw.keys:
            return [dict(item) for item in self.lookup(draw.lookup)]
        index = self.context.memo.get(("index", draw.lookup, self.unit.key), lambda: self._index(draw.lookup))
        return [dict(item) for key in draw.keys for item in index.get(key, [])]

    def _index(self, name: str) -> dict[Any, list[Any]]:
        key = self.context.catalogue.lookups[name].key
        if not key:
            raise RuntimeError(f"lookup {name} is drawn from by key but has no `key`")
        index: dict[Any, list[Any]] = {}
        for item in self.lookup(name):
            index.setdefault(hashable(search(key, item)), []).append(item)
        return index

    def fact_scope(self, spec: _Items, item: dict[str, Any]) -> str | None:
        """The scope of an item's fact (None: the unit's only scope, or, with `scope_of`, outside the scan)."""
        expr = getattr(spec, "fact_scope", None)
        raw = search(expr, item) if expr else None
        if self.unit.scope_of is None or raw is None:
            return raw
        return self.unit.scope_of.get(raw)

    def _fetch_lookup(self, name: str, spec: Lookup) -> list[Any]:
        if spec.collector:
            outcome = self.scope_collector(spec.collector)
            if outcome.status != "ok":
                raise StepFailed(outcome.status, f"{spec.collector}: {outcome.reason}")
            return [{"resource_id": f.resource_id, **f.attributes} for f in outcome.facts]
        if spec.var:
            return [as_item(x) for x in self.unit.vars.get(spec.var) or []]
        if not (spec.for_each or spec.calls or spec.derive or spec.aggregate or spec.filter):  # a plain list
            if spec.draw:
                found = self.draw(spec.draw)
            else:
                assert spec.source
                drawn = (self.context.drawn or {}).get(name, [])
                try:
                    found = [as_item(x) for x in self.shared_items(spec.source, spec.errors, {"drawn": drawn})]
                except CloudError as exc:
                    raise StepFailed(*self.classify(exc)) from None
            for join in spec.joins if found else ():  # no lookup is read for an empty list
                try:
                    self.join_all(found, join)
                except StepFailed as exc:
                    if spec.strict:
                        raise StepFailed(exc.status, f"{name}: join:{join.lookup}: {exc.reason}") from None
                # else the joined key stays null: what needs it reads as unknown
            return found
        # a lookup is all or nothing: a half-read list or follow-up would look like "none"
        outcome = Outcome()
        try:
            found = list_items(spec, self, outcome)
        except Partial as partial:
            raise StepFailed(partial.status, f"{name}: {partial.reason}") from None
        except CloudError as exc:
            raise StepFailed(*self.classify(exc)) from None
        enrich(spec, self, found, outcome)
        guide = spec.guide.by if spec.guide else None
        for (step, _), (status, reason) in outcome.problems.items():
            if step != guide and (spec.strict or not step.startswith("join:")):
                raise StepFailed(status, f"{name}: {step}: {reason}")
        return found

    def guided(self, use: GuideUse, parents: list[Any], parent_key: str, outcome: Outcome) -> list[Any]:
        """The parents the guide's inventory says hold `use.kind` (every parent when it cannot say)."""
        guide = self.context.catalogue.guides[use.by]
        kind = use.kind.lower()
        try:
            if guide.indexed:
                known = self.context.memo.get(
                    ("indexed", use.by, self.unit.key),
                    lambda: frozenset(str(search(guide.indexed_kind, x) or "").lower() for x in self.lookup(guide.indexed or "")),
                )
                if kind not in known:
                    return parents  # a kind the inventory does not index: its silence would mean nothing
            holding = self.context.memo.get(("guide", use.by, self.unit.key), lambda: self._guide_index(use.by))
        except StepFailed as exc:
            outcome.problem(use.by, exc.status, f"{exc.reason}; listed for every parent")
            return parents
        here = holding.get(kind, set())
        return [p for p in parents if hashable(search(parent_key, p)) in here]

    def _guide_index(self, name: str) -> dict[str, set[Any]]:
        guide = self.context.catalogue.guides[name]
        index: dict[str, set[Any]] = {}
        for item in self.lookup(guide.lookup):
            index.setdefault(str(search(guide.kind, item) or "").lower(), set()).add(hashable(search(guide.parent, item)))
        return index

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
                keys = _key(lookup.key, other)
                for key in keys if isinstance(keys, list) else [keys]:  # a list of keys: indexed under each
                    index.setdefault(hashable(key), []).append(other)
        for item in items:
            if join.match is None or not lookup.key:
                item[join.as_] = others
                continue
            keys = _key(join.match, item)
            keys = keys if isinstance(keys, list) else [keys]
            item[join.as_] = [o for k in keys if k is not None for o in index.get(hashable(k), [])]

    def scope_collector(self, collector_id: str) -> Outcome:
        """The result of a collector in this unit, running it now if no thread has yet."""
        spec = self.context.catalogue.collectors[collector_id]
        key = ("collector", collector_id, self.unit.key)
        return self.context.memo.get(key, lambda: run_collector(spec, UnitRun(self.context, self.unit)))


def _key(expression: str, item: dict[str, Any]) -> Any:
    """A join key; an item holding a field the expression needs in another shape (or not at all, where a function
    needs it) has none: it matches nothing, and the rest of the join goes on."""
    try:
        return search(expression, item)
    except JMESPathTypeError:
        return None


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
    # a collector read through a lookup runs inside another on the same UnitRun: the outer one's outcome comes back
    outer, run.outcome = run.outcome, outcome
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
    finally:
        run.outcome = outer
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
            source=source_of(spec, run.context.catalogue),
        )
    )


def _only_scope(spec: Collector, unit: Unit) -> str:
    if len(unit.scopes) != 1:
        raise AssertionError(f"collector {spec.id} runs over {len(unit.scopes)} scopes: it needs `fact_scope`")
    return unit.scopes[0]


def source_of(spec: Collector, catalogue: Catalogue | None = None) -> str:
    requests = [spec.source] if spec.source else list(spec.requests)
    lookup = catalogue.lookups.get(spec.for_each or "") if catalogue and not spec.source else None
    if lookup is not None and lookup.source:  # the items are a lookup's: its list is where they come from
        requests = [lookup.source, *lookup.calls]
    drawn = [f"{spec.draw.lookup}[{','.join(spec.draw.keys)}]"] if spec.draw else []
    return ", ".join(dict.fromkeys([*drawn, *(f"{r.api}:{r.operation}" for r in [*requests, *spec.calls] if r is not None)]))


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


def list_items(spec: _Items, run: UnitRun, outcome: Outcome, empty_on: list[str] | None = None) -> list[dict[str, Any]]:
    """The listed items: of one request, of one per `for_each` parent (only where the guide says), or the for_each
    lookup's own, or a bulk lookup's drawn by key. A parent whose list is refused raises `Partial` with the others' items."""
    if spec.draw:
        found = [{**x, "_unit": run.unit.vars} for x in run.draw(spec.draw)]
        return [x for x in found if not spec.filter or search(spec.filter, x)]
    if spec.source is None:
        assert spec.for_each
        found = [{**x, "_unit": run.unit.vars} for x in run.lookup(spec.for_each)]  # copies: calls and joins write into them
        return [x for x in found if not spec.filter or search(spec.filter, x)]
    parents: list[Any] = [None]
    if spec.for_each:
        parents = run.lookup(spec.for_each)
        if spec.guide:
            key = run.context.catalogue.lookups[spec.for_each].key or "id"
            parents = run.guided(spec.guide, parents, key, outcome)
    items: list[dict[str, Any]] = []
    refused: list[str] = []
    unaddressed: list[str] = []  # parents lacking the value their list's path needs
    for parent in parents:
        context = {"_parent": parent} if parent is not None else None
        try:
            listed = [
                as_item(x)
                for x in (
                    run.items(spec.source, context, spec.errors) if parent is not None else run.shared_items(spec.source, spec.errors)
                )
            ]
        except MissingValue as exc:
            if parent is None:
                raise
            unaddressed.append(f"{search('id || name', as_item(parent)) or parent} ({exc})")
            continue
        except CloudError as exc:
            if empty_on and exc.matches(empty_on):
                continue
            if parent is None or run.classify(exc)[0] != "denied":
                raise
            refused.append(str(search("id || name", as_item(parent)) or parent))
            continue
        if spec.aggregate:  # one item for the parent: what its items add up to
            listed = [{**(transforms.apply(spec.aggregate, listed) or {})}]
        for item in listed:
            item["_unit"] = run.unit.vars  # what specs may compare with: the tenant, the region read
            if parent is not None:
                item["_parent"] = parent
            if spec.filter and not search(spec.filter, item):
                continue
            items.append(item)
    if refused:
        names = ", ".join(refused[:3]) + (" ..." if len(refused) > 3 else "")
        raise Partial(items, f"{spec.source.operation} refused for {len(refused)} of {len(parents)}: {names}")
    if unaddressed:
        names = ", ".join(unaddressed[:3]) + (" ..." if len(unaddressed) > 3 else "")
        raise Partial(items, f"not listed for {len(unaddressed)} of {len(parents)}: {names}", status="error")
    return items


def enrich(spec: _Items, run: UnitRun, items: list[dict[str, Any]], outcome: Outcome) -> dict[int, set[str]]:
    """Calls first (they may describe the item the joins match on), then joins, then derive; what failed per item."""
    failed: dict[int, set[str]] = {i: set() for i in range(len(items))}
    if not items:
        return failed  # nothing to follow up or join: no lookup is read for an empty list
    for call in spec.calls:  # call by call: a call's `when` and `args` may read the calls above it
        _follow_up_all(spec, run, call, items, failed, outcome)
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
    return failed


def _data_collector(spec: Collector, run: UnitRun, outcome: Outcome) -> Iterator[FactOut]:
    try:
        items = list_items(spec, run, outcome, spec.empty_on)
    except Partial as partial:  # the population is incomplete, not smaller: the facts read, and coverage says so
        items = partial.found
        outcome.status, outcome.reason = partial.status, partial.reason
    if spec.each:  # one fact per sub-item, its item as _parent
        items = [{**as_item(sub), "_parent": item} for item in items for sub in (search(spec.each, item) or [])]
    if run.unit.scope_of is not None and spec.fact_scope:  # owners outside the scan
        items = [item for item in items if run.fact_scope(spec, item) is not None]
    failed = enrich(spec, run, items, outcome)
    for i, item in enumerate(items):
        if spec.keep and not search(spec.keep, item):
            continue
        yield _fact_out(spec, run, item, failed[i])


def _follow_up_all(
    spec: _Items, run: UnitRun, call: Call, items: list[dict[str, Any]], failed: dict[int, set[str]], outcome: Outcome
) -> None:
    workers = min(run.context.call_workers, len(items))
    if workers > 1:  # independent reads, each a round trip: a few at a time
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="cmm-call") as pool:
            answers = list(pool.map(lambda item: _call_result(spec, run, call, item), items))
    else:
        answers = [_call_result(spec, run, call, item) for item in items]
    for i, (item, (result, problem)) in enumerate(zip(items, answers, strict=True)):
        if problem is not None:
            status, reason = problem
            # in a unit over several scopes, only the item's own scope is missing this step
            where = run.fact_scope(spec, item) if len(run.unit.scopes) > 1 else None
            outcome.problem(call.operation, status, reason, where if where in run.unit.scopes else None)
            failed[i].add(call.into)
        if call.into == ".":
            item.update(result or {})
        else:
            item[call.into] = result


def _call_result(spec: _Items, run: UnitRun, call: Call, item: dict[str, Any]) -> tuple[Any, tuple[str, str] | None]:
    if call.when and not search(call.when, item):
        return call.otherwise, None
    try:
        if call.paging:
            return _collect(run.pages(call, item), call.result), None
        return search(call.result, next(iter(run.pages(call, item)), None)), None
    except MissingValue as exc:  # this item lacks what the read is addressed by: its result is unknown, the others' are read
        return None, ("error", str(exc))
    except CloudError as exc:
        key = exc.matches(call.errors)
        if key is not None:
            return call.errors[key], None
        return None, run.classify(exc, getattr(spec, "not_enabled", None))


def value_of(attr: Attribute, item: dict[str, Any], failed: set[str]) -> Any:
    if set(attr.requires) & failed:
        return None
    try:
        if attr.unknown_if and search(attr.unknown_if, item):
            return None
        value = search(attr.expr, item)
    # a field this item lacks or holds in another shape (JMESPath orders a string against a number with a TypeError):
    # not read, for this item only
    except (JMESPathTypeError, TypeError):
        return None
    if attr.transform:
        value = transforms.apply(attr.transform, value)
    return attr.default if value is None else value


def _fact_out(spec: Collector, run: UnitRun, item: dict[str, Any], failed: set[str]) -> FactOut:
    attributes = {name: value_of(spec.attribute(name), item, failed) for name in spec.attributes}
    raw_id = search(spec.resource_id, item)
    if raw_id is None:  # an item lacking its id field: a stable id from its content, not "None" shared by all such
        raw_id = "unidentified:" + _digest(item)
    resource_id = str(raw_id)
    if spec.resource_format:  # unit variables it names, a lazily read one (OCI's namespace) too
        fields = {name for _, name, _, _ in string.Formatter().parse(spec.resource_format)}
        names = {name for name in fields if name and name != "id" and name in run.unit.vars}
        resource_id = spec.resource_format.format(id=raw_id, **{name: _value(run.unit.vars[name]) for name in names})
    region = search(spec.fact_region, item) if spec.fact_region else None
    scope = run.fact_scope(spec, item)
    return FactOut(resource_id=resource_id, attributes=attributes, region=region or None, scope=scope or None)


def _digest(item: dict[str, Any]) -> str:
    own = {k: v for k, v in item.items() if k != "_unit"}
    return hashlib.sha256(json.dumps(plain(own), sort_keys=True, default=str).encode()).hexdigest()[:16]
