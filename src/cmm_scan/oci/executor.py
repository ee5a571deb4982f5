"""Run OCI collector specs: Search first, then per-compartment lists only where Search found the type.

Honesty rules, because OCI answers 404 NotAuthorizedOrNotFound where it means "not allowed", and Search
silently leaves out what the caller may not read:
- a compartment the tree walk lists with accessLevel=ANY but not ACCESSIBLE is denied: every collector gets a
  `denied` coverage record for it (its facts are unknown, never "none");
- a list refused in any compartment makes the collector's coverage for that region `denied` (Search's silence
  about the type elsewhere can no longer be trusted);
- a refused follow-up call leaves null only the attributes that `require` it.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import jmespath

from cmm_scan.aws.spec import Attribute
from cmm_scan.cloud import transforms
from cmm_scan.models import Coverage, Fact
from cmm_scan.oci import transforms as _oci_transforms  # noqa: F401  (registers the OCI transforms)
from cmm_scan.oci.spec import HOME_FANOUTS, TREE_FANOUTS, Call, Catalogue, Collector, Lookup, Source
from cmm_scan.oci.transport import OciError, Transport, classify

SEARCH_QUERY = "query all resources where lifecycleState != 'TERMINATED' && lifecycleState != 'DELETED'"
SEARCH_PAGE = 1000  # Resource Search's most per page
ACTIVITY_DAYS = 7  # Audit events examined for who makes changes
CALL_WORKERS = 4  # per-item follow-up reads of one collector in flight at once


@lru_cache(maxsize=4096)
def _compiled(expression: str) -> Any:
    return jmespath.compile(expression)


def search(expression: str, data: Any) -> Any:
    return _compiled(expression).search(data)


def plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


class StepFailed(Exception):
    def __init__(self, status: str, reason: str):
        super().__init__(reason)
        self.status, self.reason = status, reason


@dataclass
class Tenancy:
    """What every collector of one scan shares."""

    transport: Transport
    tenancy: str
    home_region: str
    regions: list[str]  # scanned
    subscribed: list[str]
    compartments: list[dict[str, Any]]  # readable, the root included (id, name, compartmentId)
    denied: list[dict[str, Any]]  # listed by accessLevel=ANY only
    catalogue: Catalogue
    emit: Callable[[Fact | Coverage], None]
    _memo: dict[Any, Any] = field(default_factory=dict)
    _locks: dict[Any, threading.Lock] = field(default_factory=dict)
    _guard: threading.Lock = field(default_factory=threading.Lock)

    def memo(self, key: Any, make: Callable[[], Any]) -> Any:
        """Computed once per key, whichever thread asks first; a failure is remembered too."""
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._memo:
                try:
                    self._memo[key] = ("ok", make())
                except StepFailed as exc:
                    self._memo[key] = ("failed", exc)
            state, value = self._memo[key]
        if state == "failed":
            raise value
        return value

    def window(self) -> dict[str, Any]:
        """{window_start}, {now} (ISO, UTC) and {window_days} for activity reads: the same for every request."""

        def make() -> dict[str, Any]:
            from datetime import UTC, timedelta

            now = datetime.now(UTC).replace(microsecond=0)
            start = now - timedelta(days=ACTIVITY_DAYS)
            iso = {"now": now, "window_start": start}
            return {k: v.isoformat().replace("+00:00", "Z") for k, v in iso.items()} | {"window_days": ACTIVITY_DAYS}

        return self.memo("window", make)

    def namespace(self) -> str:
        def fetch() -> str:
            try:
                data, _ = self.transport.call("objectstorage", self.home_region, "/n/")
            except OciError as exc:
                raise StepFailed(*classify(exc)) from None
            return str(data)

        return self.memo("namespace", fetch)


@dataclass
class Outcome:
    status: str = "ok"
    reason: str = ""
    problems: dict[str, tuple[str, str]] = field(default_factory=dict)  # step -> (status, reason)


class RegionRun:
    def __init__(self, tenancy: Tenancy, region: str):
        self.t, self.region = tenancy, region

    # --- Search ---------------------------------------------------------------------------

    def summaries(self) -> list[dict[str, Any]]:
        """The region's Resource Search inventory, read once (raises StepFailed when Search is refused)."""

        def fetch() -> list[dict[str, Any]]:
            body = {"type": "Structured", "query": SEARCH_QUERY, "matchingContextType": "NONE"}
            found: list[dict[str, Any]] = []
            try:
                for page in self.t.transport.pages("search", self.region, "/resources", {"limit": SEARCH_PAGE}, body):
                    found.extend((page or {}).get("items", []))
            except OciError as exc:
                raise StepFailed(*classify(exc)) from None
            return found

        return self.t.memo(("search", self.region), fetch)

    def searchable(self) -> frozenset[str]:
        """The resource types Search indexes (ListResourceTypes, read once): Search guides a list only for these."""

        def fetch() -> frozenset[str]:
            try:
                pages = self.t.transport.pages("search", self.t.home_region, "/resourceTypes", {"limit": SEARCH_PAGE})
                return frozenset(str(t.get("name", "")).lower() for page in pages for t in page or [])
            except OciError as exc:
                raise StepFailed(*classify(exc)) from None

        return self.t.memo("searchable", fetch)

    def _compartments(self, source: Source, outcome: Outcome) -> list[str]:
        if source.fanout in ("tenancy", "tenancy_home"):
            return [self.t.tenancy]
        every = [c["id"] for c in self.t.compartments]
        if not source.search:
            return every
        try:
            if source.search.lower() not in self.searchable():
                return every  # a type Search does not index: its silence would mean nothing
            holding = {s.get("compartmentId") for s in self.summaries() if (s.get("resourceType") or "").lower() == source.search.lower()}
        except StepFailed as exc:  # no bulk inventory: list everywhere rather than guess
            outcome.problems.setdefault("search", (exc.status, f"Resource Search: {exc.reason}; listed every compartment"))
            return every
        return [c for c in every if c in holding]

    # --- items ----------------------------------------------------------------------------

    def items(self, source: Source, outcome: Outcome, failed: dict[int, set[str]]) -> list[dict[str, Any]]:
        if source.handler:
            from cmm_scan.oci import handlers

            found = getattr(handlers, source.handler)(self)
        elif source.fanout == "search":
            scanned = {c["id"] for c in self.t.compartments}  # the selected, readable compartments (and the root when scanned)
            found = [dict(s) for s in self.summaries() if s.get("compartmentId") in scanned]
        elif source.fanout == "lookup":
            assert source.lookup
            found = [dict(i) for i in self.lookup_items(source.lookup)]
        else:
            found = []
            refused: list[str] = []
            for compartment in self._compartments(source, outcome):
                try:
                    found.extend(self._list(source, compartment))
                except OciError as exc:
                    status, reason = classify(exc)
                    if status == "denied":
                        refused.append(compartment)
                    else:
                        raise StepFailed(status, f"{source.operation} in {compartment}: {reason}") from None
            if refused:
                names = ", ".join(refused[:3]) + (" ..." if len(refused) > 3 else "")
                raise _Partial(found, f"{source.operation} refused in {len(refused)} compartment(s): {names}")
        for item in found:  # what specs may compare with: the tenancy (root compartment) and the region read
            item.setdefault("_tenancy", self.t.tenancy)
            item.setdefault("_region", self.region)
        if source.filter:
            found = [i for i in found if search(source.filter, i)]
        self._follow_up(source, found, outcome, failed)
        if source.explode:
            found, failed_parents = self._explode(source, found, failed)
            failed.clear()
            failed.update(failed_parents)
        return found

    def _explode(
        self, source: Source, items: list[dict[str, Any]], failed: dict[int, set[str]]
    ) -> tuple[list[dict[str, Any]], dict[int, set[str]]]:
        """Each element of `explode` becomes an item; an item whose list could not be read yields nothing (its
        failure is already a coverage problem, so the fact type is incomplete, not empty)."""
        assert source.explode
        out: list[dict[str, Any]] = []
        for item in items:
            children = search(source.explode, item)
            for child in children if isinstance(children, list) else []:
                exploded = {**child, "_parent": item, "_tenancy": self.t.tenancy, "_region": self.region}
                if not source.explode_filter or search(source.explode_filter, exploded):
                    out.append(exploded)
        root = re.split(r"[.\[|]", source.explode, maxsplit=1)[0]
        unread = sum(1 for i in range(len(items)) if root in failed.get(i, set()))
        if unread:  # the facts those items hold are missing: the population is incomplete, not smaller
            raise _Partial(out, f"{root} could not be read for {unread} of {len(items)} item(s)")
        return out, {}

    def _list(self, source: Source, compartment: str) -> list[dict[str, Any]]:
        assert source.service and source.path
        params = {k: self._fill(v, compartment) for k, v in source.params.items()}
        params.setdefault("compartmentId", compartment)
        path = self._fill(source.path, compartment)
        found: list[dict[str, Any]] = []
        if source.paginate:
            pages: Any = self.t.transport.pages(source.service, self.region, path, params)
        else:
            pages = [self.t.transport.call(source.service, self.region, path, params)[0]]
        for page in pages:
            value = search(source.items, page)
            found.extend(
                v if isinstance(v, dict) else {"_value": v} for v in (value if isinstance(value, list) else [value] if value else [])
            )
        if source.aggregate:  # one item for the compartment: what its items add up to
            return [{"id": f"{compartment}/{self.region}", "compartmentId": compartment, **transforms.apply(source.aggregate, found)}]
        return found

    def _fill(self, value: Any, compartment: str, extra: dict[str, Any] | None = None) -> Any:
        if not isinstance(value, str) or "{" not in value:
            return value
        context = {"tenancy": self.t.tenancy, "region": self.region, "compartment": compartment, **self.t.window(), **(extra or {})}
        if "{namespace}" in value:
            context["namespace"] = self.t.namespace()
        return value.format(**context)

    def _follow_up(self, source: Source, items: list[dict[str, Any]], outcome: Outcome, failed: dict[int, set[str]]) -> None:
        if not items:
            return  # nothing to follow up or join: no lookup is read for an empty list
        for call in source.calls:

            def one(index: int, call: Call = call) -> tuple[int, Any, tuple[str, str] | None]:
                item = items[index]
                if call.when and not search(call.when, item):
                    return index, None, None
                try:
                    return index, self._call(source, call, item), None
                except (OciError, StepFailed) as exc:
                    return index, None, classify(exc) if isinstance(exc, OciError) else (exc.status, exc.reason)

            # per-item reads are independent: a few at a time, each a signed round trip
            with ThreadPoolExecutor(max_workers=min(CALL_WORKERS, len(items))) as pool:
                answers = list(pool.map(one, range(len(items))))
            for index, value, problem in answers:
                items[index][call.into] = value
                if problem:
                    failed.setdefault(index, set()).add(call.into)
                    outcome.problems.setdefault(call.operation, problem)
        for join in source.joins:
            try:
                index_of = self.lookup(join.lookup)
            except StepFailed as exc:
                outcome.problems.setdefault(f"join:{join.lookup}", (exc.status, exc.reason))
                for i, item in enumerate(items):
                    item[join.as_] = None
                    failed.setdefault(i, set()).add(join.as_)
                continue
            for item in items:
                item[join.as_] = index_of.get(_hashable(search(join.match, item)), [])
        for derive in source.derive:
            for i, item in enumerate(items):
                value = value_of(derive, item, failed.get(i, set()))
                item[derive.into] = value
                if value is None and set(derive.requires) & failed.get(i, set()):
                    failed.setdefault(i, set()).add(derive.into)

    def _call(self, source: Source, call: Call, item: dict[str, Any]) -> Any:
        args = {name: search(expr, item) for name, expr in call.args.items()}
        compartment = item.get("compartmentId") or self.t.tenancy
        path = self._fill(call.path, compartment, args)
        params = {k: self._fill(v, compartment, args) for k, v in call.params.items()}
        params.update({k: v for k, v in args.items() if "{" + k + "}" not in call.path})
        host = search(call.host, item) if call.host else None
        service = call.service or source.service or ""
        try:
            if call.paginate:
                pages = list(self.t.transport.pages(service, self.region, path, params, host=host))
                value: Any = [x for page in pages for x in (page if isinstance(page, list) else [page])] if pages else []
            else:
                value, _ = self.t.transport.call(service, self.region, path, params, host=host)
        except OciError as exc:
            if exc.code in call.errors:
                return call.errors[exc.code]
            raise
        return search(call.result, value)

    # --- lookups --------------------------------------------------------------------------

    def lookup_items(self, name: str) -> list[dict[str, Any]]:
        """A lookup's items, read once per region (home region for home fanouts) and shared."""
        spec: Lookup = self.t.catalogue.lookups[name]
        region = self.t.home_region if spec.fanout in HOME_FANOUTS else self.region
        run = self if region == self.region else RegionRun(self.t, region)

        def fetch() -> list[dict[str, Any]]:
            outcome = Outcome()
            failed: dict[int, set[str]] = {}
            try:
                found = run.items(spec, outcome, failed)
            except _Partial as partial:
                raise StepFailed("denied", partial.reason) from None
            if outcome.problems:  # a lookup is all or nothing: a half-read join would look like "none"
                step, (status, reason) = next(iter(outcome.problems.items()))
                if step != "search":
                    raise StepFailed(status, f"{name}: {step}: {reason}")
            return found

        return self.t.memo(("lookup", name, region), fetch)

    def lookup(self, name: str) -> dict[Any, list[dict[str, Any]]]:
        spec: Lookup = self.t.catalogue.lookups[name]
        index: dict[Any, list[dict[str, Any]]] = {}
        for item in self.lookup_items(name):
            keys = search(spec.key, item)
            for key in keys if isinstance(keys, list) else [keys]:
                if key is not None:
                    index.setdefault(_hashable(key), []).append(item)
        return index


class _Partial(Exception):
    """Some compartments refused the list: the items read elsewhere, and why the rest is unknown."""

    def __init__(self, found: list[dict[str, Any]], reason: str):
        super().__init__(reason)
        self.found, self.reason = found, reason


def _hashable(value: Any) -> Any:
    return json.dumps(value, sort_keys=True) if isinstance(value, list | dict) else value


def value_of(attr: Attribute, item: dict[str, Any], failed: set[str]) -> Any:
    if set(attr.requires) & failed:
        return None
    if attr.unknown_if and search(attr.unknown_if, item):
        return None
    value = search(attr.expr, item)
    if attr.transform:
        value = transforms.apply(attr.transform, value)
    return attr.default if value is None else value


# --- one collector in one region -------------------------------------------------------------


def run_collector(tenancy: Tenancy, spec: Collector, region: str) -> None:
    run = RegionRun(tenancy, region)
    outcome = Outcome()
    failed: dict[int, set[str]] = {}
    fact_region = "global" if spec.fanout in HOME_FANOUTS else region
    try:
        try:
            items = run.items(spec, outcome, failed)
        except _Partial as partial:
            items = partial.found
            outcome.status, outcome.reason = "denied", partial.reason
        for index, item in enumerate(items):
            attributes = {name: value_of(spec.attribute(name), item, failed.get(index, set())) for name in spec.attributes}
            tenancy.emit(
                Fact(
                    type=spec.fact,
                    provider="oci",
                    scope=str(item.get("compartmentId") or tenancy.tenancy),
                    region=str(search(spec.fact_region, item)) if spec.fact_region else fact_region,
                    resource_id=str(search(spec.resource_id, item)),
                    attributes=plain(attributes),
                    source=", ".join(dict.fromkeys([spec.operation or "SearchResources"] + [c.operation for c in spec.calls])),
                )
            )
    except StepFailed as exc:
        outcome.status, outcome.reason = exc.status, exc.reason
    _emit_coverage(tenancy, spec, fact_region, outcome)


def _emit_coverage(tenancy: Tenancy, spec: Collector, region: str, outcome: Outcome) -> None:
    def record(collector: str, status: str, reason: str, scope: str, main: bool) -> Coverage:
        return Coverage(
            collector=collector,
            provider="oci",
            scope=scope,
            region=region,
            status=status,  # type: ignore[arg-type]
            fact_types=[spec.fact] if main else [],
            enriches=spec.enriches if main else [spec.fact],
            facet=spec.facet if main else {},
            reason=reason,
        )

    tenancy.emit(record(spec.id, outcome.status, outcome.reason, tenancy.tenancy, True))
    for step, (status, reason) in sorted(outcome.problems.items()):
        tenancy.emit(record(f"{spec.id}/{step}", status, reason, tenancy.tenancy, False))
    if spec.fanout in TREE_FANOUTS:
        for compartment in tenancy.denied:
            reason = f"compartment {compartment.get('name') or compartment['id']} is not readable (listed by accessLevel=ANY only)"
            tenancy.emit(record(spec.id, "denied", reason, compartment["id"], True))
