"""The IAM policy statements a scan needs, from the specs: inspect/read verbs only, `in tenancy`."""

from __future__ import annotations

from collections.abc import Iterable

from cmm_scan.oci.spec import Catalogue, Collector, Permission, Source, catalogue, requests_of

GROUP = "cmm-scan-readers"
# the plan walks the tenancy: region subscriptions and the compartment tree (ANY and ACCESSIBLE)
BASE = (Permission(verb="inspect", resource="tenancies"), Permission(verb="inspect", resource="compartments"))
# every request the adapter makes outside the specs: (service, path template, permission; None = any signed-in caller)
BUILTIN_REQUESTS: tuple[tuple[str, str, Permission | None], ...] = (
    ("identity", "/tenancies/{tenancyId}/regionSubscriptions", BASE[0]),
    ("identity", "/compartments", BASE[1]),
    ("search", "/resources", None),  # Search answers with what the caller may inspect (each collector declares that)
    ("search", "/resourceTypes", None),
    ("objectstorage", "/n/", None),  # GetNamespace: the tenancy's Object Storage namespace
)
VERB_ORDER = {"inspect": 0, "read": 1}


def selected(fact_types: Iterable[str], cat: Catalogue | None = None) -> list[Collector]:
    cat = cat or catalogue()
    wanted = set(fact_types)
    return [c for c in cat.collectors.values() if c.fact in wanted or wanted & set(c.enriches)]


def sources(spec: Collector, cat: Catalogue) -> list[Source]:
    """The collector and every lookup it joins, transitively."""
    found: list[Source] = [spec]
    seen: set[str] = set()
    index = 0
    while index < len(found):
        source = found[index]
        names = [j.lookup for j in source.joins] + ([source.lookup] if source.lookup else [])
        for name in names:
            if name not in seen:
                seen.add(name)
                found.append(cat.lookups[name])
        index += 1
    return found


def permissions_of(fact_types: Iterable[str], cat: Catalogue | None = None) -> list[Permission]:
    cat = cat or catalogue()
    needed = list(BASE)
    for spec in selected(fact_types, cat):
        for source in sources(spec, cat):
            needed += [r.permission for r in requests_of(source)]
    # read includes inspect: keep the strongest verb per resource type
    best: dict[str, str] = {}
    for p in needed:
        if VERB_ORDER[p.verb] >= VERB_ORDER.get(best.get(p.resource, "inspect"), 0):
            best[p.resource] = p.verb
    return [Permission(verb=v, resource=r) for r, v in sorted(best.items())]  # type: ignore[arg-type]


def statements(fact_types: Iterable[str], group: str = GROUP) -> list[str]:
    return [f"Allow group {group} to {p.verb} {p.resource} in tenancy" for p in permissions_of(fact_types)]
