"""Run one collector spec in one account and region: list, follow up, join, derive, map, emit.

Everything here is generic; a collector's behaviour lives in its YAML spec (docs/aws-collectors.md).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from cmm_scan.aws import transforms
from cmm_scan.aws.clients import GLOBAL_REGION, AccountClients
from cmm_scan.aws.errors import classify, error_code, worst
from cmm_scan.aws.permissions import declared_calls
from cmm_scan.aws.spec import Attribute, Call, Catalogue, Collector, Join, Lookup
from cmm_scan.cloud.jmes import as_item, hashable, plain, search
from cmm_scan.cloud.memo import Memo
from cmm_scan.models import Coverage, Fact

AWS_ERRORS = (ClientError, BotoCoreError)


class StepFailed(Exception):
    """A lookup or call failed; `status` and `reason` go to coverage."""

    def __init__(self, status: str, reason: str):
        super().__init__(reason)
        self.status, self.reason = status, reason


class Skip(Exception):
    """Nothing to read here (organisation data in a member account). When the account that holds it
    is part of the same scan, this account's coverage is `ok`: nothing is missing from the snapshot."""

    def __init__(self, reason: str, covered_by: str | None = None):
        super().__init__(reason)
        self.covered_by = covered_by


@dataclass
class FactOut:
    """What a hand-written collector yields."""

    resource_id: str
    attributes: dict[str, Any]
    region: str | None = None
    source: str | None = None


@dataclass
class Outcome:
    status: str = "ok"
    reason: str = ""
    requests: int = 0
    facts: list[FactOut] = field(default_factory=list)
    problems: dict[str, tuple[str, str]] = field(default_factory=dict)  # step -> (status, reason)

    def problem(self, step: str, status: str, reason: str) -> None:
        old = self.problems.get(step)
        if old is None or worst(old[0], status) != old[0]:
            self.problems[step] = (status, reason)


@dataclass
class Scope:
    """Everything collectors of one account share."""

    account: str
    clients: AccountClients
    regions: list[str]
    catalogue: Catalogue
    memo: Memo
    emit: Callable[[Fact | Coverage], None]
    known_accounts: frozenset[str] = frozenset()
    partition: str = "aws"
    keep: frozenset[str] = frozenset()  # collectors whose facts other collectors read
    regions_with_facts: set[str] = field(default_factory=set)


class RegionRun:
    """One account and region (region 'global' for global collectors)."""

    def __init__(self, scope: Scope, region: str):
        self.scope, self.region = scope, region
        self.requests = 0
        self._declared = declared_calls(scope.catalogue)

    @property
    def account(self) -> str:
        return self.scope.account

    @property
    def client_region(self) -> str:
        return GLOBAL_REGION if self.region == "global" else self.region

    # --- API calls --------------------------------------------------------------------

    def client(self, service: str, region: str | None = None) -> Any:
        return self.scope.clients.client(service, region or self.client_region)

    def call(self, service: str, operation: str, params: dict[str, Any] | None = None, region: str | None = None) -> Any:
        """One API call. Only calls some spec declares are allowed: the generated policy must cover the scan."""
        if (service, operation) not in self._declared:
            raise RuntimeError(f"{service}.{operation} is not declared in any providers/aws spec")
        self.requests += 1
        return getattr(self.client(service, region), operation)(**(params or {}))

    def pages(
        self, service: str, operation: str, params: dict[str, Any] | None = None, region: str | None = None, page_size: int | None = None
    ) -> Iterator[Any]:
        """Every page of a call: the boto3 paginator when there is one, else the single response."""
        client = self.client(service, region)
        if (service, operation) not in self._declared:
            raise RuntimeError(f"{service}.{operation} is not declared in any providers/aws spec")
        if not client.can_paginate(operation):
            yield self.call(service, operation, params, region)
            return
        config = {"PaginationConfig": {"PageSize": page_size}} if page_size else {}
        for page in client.get_paginator(operation).paginate(**(params or {}), **config):
            self.requests += 1
            yield page

    def fill(self, params: dict[str, Any]) -> dict[str, Any]:
        """Literal parameters may name {account}, {region} or {partition} (s3control needs AccountId)."""
        values = {"account": self.account, "region": self.client_region, "partition": self.scope.partition}
        return {k: v.format(**values) if isinstance(v, str) and "{" in v else v for k, v in params.items()}

    def items(
        self,
        service: str,
        operation: str,
        params: dict[str, Any],
        items_expr: str,
        region: str | None = None,
        errors: dict[str, Any] | None = None,
        page_size: int | None = None,
    ) -> list[Any]:
        """The items of every page; a code in `errors` stands for a response that means a known value."""
        try:
            pages = list(self.pages(service, operation, self.fill(params), region, page_size))
        except AWS_ERRORS as exc:
            code = error_code(exc)
            if not errors or code not in errors:
                raise
            pages = [errors[code]]
        found: list[Any] = []
        for page in pages:
            value = search(items_expr, page)
            if isinstance(value, list):
                found.extend(value)
            elif value is not None:
                found.append(value)
        return found

    # --- lookups ----------------------------------------------------------------------

    def lookup(self, name: str) -> list[Any]:
        spec = self.scope.catalogue.lookups[name]
        region = "global" if spec.region == "global" else self.region
        key = ("lookup", name, region)
        run = self if region == self.region else RegionRun(self.scope, region)
        return self.scope.memo.get(key, lambda: run._fetch_lookup(name, spec))

    def _fetch_lookup(self, name: str, spec: Lookup) -> list[Any]:
        if spec.collector:
            outcome = self.scope_collector(spec.collector)
            if outcome.status != "ok":
                raise StepFailed(outcome.status, f"{spec.collector}: {outcome.reason}")
            found: list[Any] = [{"resource_id": f.resource_id, **f.attributes} for f in outcome.facts]
        else:
            assert spec.service and spec.operation
            try:
                found = self.items(
                    spec.service, spec.operation, dict(spec.params), spec.items, errors=spec.errors, page_size=spec.page_size
                )
            except AWS_ERRORS as exc:
                raise StepFailed(*classify(exc)) from None
        found = [as_item(x) for x in found]
        for join in spec.joins:
            # on failure the joined key stays null: attributes that need it read as unknown
            with contextlib.suppress(StepFailed):
                self._join_all(found, join)
        return found

    def _join_all(self, items: list[dict[str, Any]], join: Join, failed: dict[int, set[str]] | None = None) -> None:
        try:
            others = self.lookup(join.lookup)
        except StepFailed:
            for i, item in enumerate(items):
                item[join.as_] = None
                if failed is not None:
                    failed.setdefault(i, set()).add(join.as_)
            raise
        lookup = self.scope.catalogue.lookups[join.lookup]
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
        """The result of a collector in this account (and region), running it now if no thread has yet."""
        spec = self.scope.catalogue.collectors[collector_id]
        region = "global" if spec.region == "global" else self.region
        key = ("collector", collector_id, region)
        return self.scope.memo.get(key, lambda: run_collector(spec, RegionRun(self.scope, region)))


# --- one collector ------------------------------------------------------------------------


def run_collector(spec: Collector, run: RegionRun) -> Outcome:
    """Run, emit facts and coverage, and return the outcome (kept for lookups that read it)."""
    outcome = Outcome()
    try:
        if spec.management_account_only:
            _require_management_account(run)
        produced = _handler(spec)(run, spec) if spec.handler else _data_collector(spec, run, outcome)
        for out in produced:
            _emit_fact(spec, run, out)
            if spec.id in run.scope.keep:
                outcome.facts.append(out)
    except StepFailed as exc:
        outcome.status, outcome.reason = exc.status, exc.reason
    except Skip as exc:
        if exc.covered_by and exc.covered_by in run.scope.known_accounts:
            outcome.reason = f"read in the management account {exc.covered_by}"
        else:
            outcome.status, outcome.reason = "skipped", str(exc)
    except AWS_ERRORS as exc:
        code = error_code(exc)
        if code in spec.empty_on:
            pass
        else:
            outcome.status, outcome.reason = classify(exc, set(spec.not_enabled))
    outcome.requests = run.requests
    _emit_coverage(spec, run, outcome)
    return outcome


def _require_management_account(run: RegionRun) -> None:
    org = run.scope.memo.get(("org", "describe"), lambda: run.call("organizations", "describe_organization")["Organization"])
    manager = org.get("MasterAccountId")
    if manager != run.account:
        raise Skip("not the organisation's management account: read there (scan it, or use --org)", covered_by=manager)


def _handler(spec: Collector) -> Callable[[RegionRun, Collector], Iterable[FactOut]]:
    import importlib

    assert spec.handler
    module, _, function = spec.handler.partition(":")
    return getattr(importlib.import_module(f"cmm_scan.aws.handlers.{module}"), function)


def _emit_fact(spec: Collector, run: RegionRun, out: FactOut) -> None:
    # the facet is a promise the engine relies on to keep other collectors' gaps away from its facts
    if spec.facet and any(out.attributes.get(k) != v for k, v in spec.facet.items()):
        raise AssertionError(f"collector {spec.id} emitted a fact outside its facet {spec.facet}: {out.resource_id}")
    region = out.region or run.region
    if region != "global":
        run.scope.regions_with_facts.add(region)
    run.scope.emit(
        Fact(
            type=spec.fact,
            provider="aws",
            scope=run.account,
            region=region,
            resource_id=out.resource_id,
            attributes=plain(out.attributes),
            source=out.source or _source(spec),
        )
    )


def _source(spec: Collector) -> str:
    ops = [f"{spec.service}:{spec.operation}"] if spec.operation else [f"{p.service}:{p.operation}" for p in spec.permissions]
    ops += [f"{c.service or spec.service}:{c.operation}" for c in spec.calls]
    return ", ".join(dict.fromkeys(ops))


def _emit_coverage(spec: Collector, run: RegionRun, outcome: Outcome) -> None:
    emit = run.scope.emit
    emit(
        Coverage(
            collector=spec.id,
            provider="aws",
            scope=run.account,
            region=run.region,
            status=outcome.status,  # type: ignore[arg-type]
            fact_types=[spec.fact],
            enriches=spec.enriches,
            facet=spec.facet,
            reason=outcome.reason,
            requests=outcome.requests,
        )
    )
    if outcome.status != "ok":
        return
    for step, (status, reason) in sorted(outcome.problems.items()):
        emit(
            Coverage(
                collector=f"{spec.id}/{step}",
                provider="aws",
                scope=run.account,
                region=run.region,
                status=status,  # type: ignore[arg-type]
                enriches=[spec.fact],
                reason=reason,
            )
        )


def _list_calls(spec: Collector, run: RegionRun) -> Iterator[tuple[dict[str, Any], dict[str, Any] | None]]:
    """(params, parent) for every list call the collector makes."""
    sets = spec.param_sets or [{}]
    parents: list[Any] = [None]
    if spec.for_each:
        parents = run.lookup(spec.for_each)
    for parent in parents:
        extra = {name: search(expr, {"_parent": parent}) for name, expr in spec.args.items()} if parent is not None else {}
        for param_set in sets:
            yield {**spec.params, **param_set, **extra}, parent


def _data_collector(spec: Collector, run: RegionRun, outcome: Outcome) -> Iterator[FactOut]:
    assert spec.service and spec.operation
    items: list[dict[str, Any]] = []
    for params, parent in _list_calls(spec, run):
        for found in run.items(spec.service, spec.operation, params, spec.items, errors=spec.errors, page_size=spec.page_size):
            item = as_item(found)
            if spec.filter and not search(spec.filter, item):
                continue
            if parent is not None:
                item["_parent"] = parent
            items.append(item)
    # calls first (they may describe the item the joins match on), then joins, then derive
    failed: dict[int, set[str]] = {i: set() for i in range(len(items))}
    for call in spec.calls:  # call by call: a batched call needs every item's earlier calls done
        if call.batch:
            _follow_up_batched(spec, run, call, items, failed, outcome)
            continue
        for i, item in enumerate(items):
            _follow_up(spec, run, call, item, failed[i], outcome)
    for join in spec.joins:
        try:
            run._join_all(items, join, failed)
        except StepFailed as exc:
            outcome.problem(f"join:{join.lookup}", exc.status, exc.reason)
    for i, item in enumerate(items):
        item_failed = failed[i]
        for derive in spec.derive:
            item[derive.into] = _value(derive, item, item_failed)
            if item[derive.into] is None and set(derive.requires) & item_failed:
                item_failed.add(derive.into)
        yield _fact_out(spec, run, item, item_failed)


def _follow_up(spec: Collector, run: RegionRun, call: Call, item: dict[str, Any], failed: set[str], outcome: Outcome) -> None:
    if call.when and not search(call.when, item):
        item[call.into] = None
        return
    service = call.service or spec.service
    params = {**run.fill(call.params), **{k: search(v, item) for k, v in call.args.items()}}
    try:
        if call.paginate:
            result: Any = run.items(service, call.operation, params, call.result)
        else:
            result = search(call.result, run.call(service, call.operation, params))
    except AWS_ERRORS as exc:
        code = error_code(exc)
        if code in call.errors:
            result = call.errors[code]
        else:
            status, reason = classify(exc, set(spec.not_enabled))
            outcome.problem(call.operation, status, reason)
            failed.add(call.into)
            result = None
    _store(call, item, result)


def _store(call: Call, item: dict[str, Any], result: Any) -> None:
    if call.into == ".":
        item.update(result or {})
    else:
        item[call.into] = result


def _follow_up_batched(
    spec: Collector, run: RegionRun, call: Call, items: list[dict[str, Any]], failed: dict[int, set[str]], outcome: Outcome
) -> None:
    """One call per `batch.size` items that share the other parameters; each result goes to the item its key names."""
    assert call.batch
    batch, service = call.batch, call.service or spec.service or ""
    groups: dict[str, tuple[dict[str, Any], list[int]]] = {}  # the other parameters -> the items that share them
    for i, item in enumerate(items):
        if call.when and not search(call.when, item):
            item[call.into] = None
            continue
        if search(batch.value, item) is None:
            _store(call, item, None)
            continue
        params = {**run.fill(call.params), **{k: search(v, item) for k, v in call.args.items()}}
        groups.setdefault(json.dumps(plain(params), sort_keys=True), (params, []))[1].append(i)
    for params, members in groups.values():
        for start in range(0, len(members), batch.size):
            chunk = members[start : start + batch.size]
            values = [search(batch.value, items[i]) for i in chunk]
            try:
                found = search(call.result, run.call(service, call.operation, {**params, batch.param: values})) or []
                by_key = {hashable(search(batch.key, r)): r for r in found}
                answers = [by_key.get(hashable(v)) for v in values]
            except AWS_ERRORS as exc:
                code = error_code(exc)
                if code in call.errors:
                    answers = [call.errors[code]] * len(chunk)
                else:
                    status, reason = classify(exc, set(spec.not_enabled))
                    outcome.problem(call.operation, status, reason)
                    for i in chunk:
                        failed[i].add(call.into)
                    answers = [None] * len(chunk)
            for i, answer in zip(chunk, answers, strict=True):
                _store(call, items[i], answer)


def _value(attr: Attribute, item: dict[str, Any], failed: set[str]) -> Any:
    if set(attr.requires) & failed:
        return None
    if attr.unknown_if and search(attr.unknown_if, item):
        return None
    value = search(attr.expr, item)
    if attr.transform:
        value = transforms.apply(attr.transform, value)
    return attr.default if value is None else value


def _fact_out(spec: Collector, run: RegionRun, item: dict[str, Any], failed: set[str]) -> FactOut:
    attributes = {name: _value(spec.attribute(name), item, failed) for name in spec.attributes}
    raw_id = search(spec.resource_id, item)
    resource_id = str(raw_id)
    if spec.resource_format:
        resource_id = spec.resource_format.format(id=raw_id, account=run.account, region=run.client_region, partition=run.scope.partition)
    region = search(spec.fact_region, item) if spec.fact_region else None
    return FactOut(resource_id=resource_id, attributes=attributes, region=region or None)
