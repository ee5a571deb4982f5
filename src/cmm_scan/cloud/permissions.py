"""The permissions the selected REST collectors declare: what `cmm-scan permissions <provider>` prints."""

from __future__ import annotations

from collections.abc import Iterable

from cmm_scan.cloud.spec import Catalogue, Collector, Request


def selected(fact_types: Iterable[str], cat: Catalogue) -> list[Collector]:
    wanted = set(fact_types)
    return [c for c in cat.collectors.values() if c.fact in wanted or set(c.enriches) & wanted]


def lookups_of(spec: Collector, cat: Catalogue) -> list[str]:
    """Lookups a collector reads, directly or through other lookups' joins and draws."""
    pending = [j.lookup for j in spec.joins] + [n for n in (spec.for_each, spec.draw and spec.draw.lookup) if n]
    seen: list[str] = []
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.append(name)
        lookup = cat.lookups[name]
        pending += [j.lookup for j in lookup.joins] + [n for n in (lookup.for_each, lookup.draw and lookup.draw.lookup) if n]
    return seen


def requests_of(spec: Collector, cat: Catalogue, _seen: frozenset[str] = frozenset()) -> list[Request]:
    """Every request the collector, and the lookups and collectors it reads, can make. A guide's lookups are hints
    (without them a list runs for every parent): their permissions are not required."""
    found: list[Request] = [*([spec.source] if spec.source else []), *spec.requests, *spec.calls]
    for name in lookups_of(spec, cat):
        lookup = cat.lookups[name]
        if lookup.source:
            found.append(lookup.source)
        found += lookup.calls
        if lookup.collector and lookup.collector not in _seen:
            found += requests_of(cat.collectors[lookup.collector], cat, _seen | {spec.id})
    return found


def required(fact_types: Iterable[str], cat: Catalogue, extra: Iterable[Request] = ()) -> dict[str, list[str]]:
    """api -> sorted permissions the collectors of those fact types need (plus `extra`: the plan's own requests)."""
    by_api: dict[str, set[str]] = {}
    requests = [r for spec in selected(fact_types, cat) for r in requests_of(spec, cat)] + list(extra)
    for request in requests:
        by_api.setdefault(request.api, set()).update(request.permissions)
    return {api: sorted(names) for api, names in sorted(by_api.items())}


def all_requests(cat: Catalogue) -> list[Request]:
    """Every request any spec of the catalogue declares (tests match the server's request log against these)."""
    return [r for spec in cat.collectors.values() for r in requests_of(spec, cat)] + [
        r for lookup in cat.lookups.values() for r in [*([lookup.source] if lookup.source else []), *lookup.calls]
    ]


def drawn_keys(cat: Catalogue, collectors: Iterable[Collector], lookups: Iterable[str] = ()) -> dict[str, list[str]]:
    """lookup -> the keys the collectors (and `lookups`) draw from it, directly or through other lookups
    ([] when one of them takes every item): what a bulk read's `{drawn}` asks for."""
    collectors = list(collectors)
    names = {n for c in collectors for n in lookups_of(c, cat)} | set(lookups)
    pending = list(names)
    while pending:  # the lookups the named ones join or draw from
        lookup = cat.lookups[pending.pop()]
        for name in [j.lookup for j in lookup.joins] + [n for n in (lookup.for_each, lookup.draw and lookup.draw.lookup) if n]:
            if name not in names:
                names.add(name)
                pending.append(name)
    draws = [c.draw for c in collectors if c.draw] + [cat.lookups[n].draw for n in sorted(names) if cat.lookups[n].draw]
    found: dict[str, set[str] | None] = {}
    for draw in draws:
        assert draw is not None
        keys = found.get(draw.lookup, set())
        found[draw.lookup] = None if keys is None or not draw.keys else keys | set(draw.keys)
    return {name: sorted(keys) if keys is not None else [] for name, keys in found.items()}
