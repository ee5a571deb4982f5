"""The IAM policy statements a scan needs, from the specs: inspect/read verbs only, `in tenancy`.

A request's permission is written `<verb> <resource-type>` (`read buckets`); read includes inspect, so each
resource type is printed once with the strongest verb any selected request needs.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from cmm_scan.cloud.permissions import requests_of, required, selected
from cmm_scan.cloud.spec import Catalogue, Collector, Request, load_catalogue
from cmm_scan.paths import bundled

GROUP = "cmm-scan-readers"
VERBS = ("inspect", "read")

# The requests the plan makes before any collector: the region subscriptions, the compartment tree (twice: every
# compartment, and those the caller may read), the Object Storage namespace (when a spec needs {namespace}).
PLAN_REQUESTS = {
    "regions": Request(
        operation="ListRegionSubscriptions",
        api="identity",
        permissions=["inspect tenancies"],
        path="/tenancies/{tenancy}/regionSubscriptions",
    ),
    "compartments": Request(
        operation="ListCompartments",
        api="identity",
        permissions=["inspect compartments"],
        path="/compartments",
        query={"compartmentId": "{tenancy}", "compartmentIdInSubtree": True, "lifecycleState": "ACTIVE", "accessLevel": "{access}"},
        paging="opc",
    ),
    "namespace": Request(operation="GetNamespace", api="objectstorage", permissions=["read buckets"], path="/n/"),
}


@cache
def catalogue() -> Catalogue:
    import cmm_scan.oci.transforms  # noqa: F401  (registers the OCI transforms the specs name)

    return load_catalogue("oci", bundled("providers") / "oci", skip=frozenset({"services.yaml"}))


def needs_namespace(fact_types: Iterable[str], cat: Catalogue | None = None) -> bool:
    cat = cat or catalogue()
    return any(spec_needs_namespace(spec, cat) for spec in selected(fact_types, cat))


def spec_needs_namespace(spec: Collector, cat: Catalogue) -> bool:
    return any("{namespace}" in r.path for r in requests_of(spec, cat))


def grants(fact_types: Iterable[str], cat: Catalogue | None = None) -> list[tuple[str, str]]:
    """(verb, resource type), the strongest verb per type, sorted by type."""
    cat = cat or catalogue()
    fact_types = list(fact_types)
    extra = [PLAN_REQUESTS["regions"], PLAN_REQUESTS["compartments"]]
    if needs_namespace(fact_types, cat):
        extra.append(PLAN_REQUESTS["namespace"])
    best: dict[str, str] = {}
    for permission in (p for names in required(fact_types, cat, extra=extra).values() for p in names):
        verb, _, resource = permission.partition(" ")
        if verb not in VERBS:
            raise AssertionError(f"an OCI permission is `inspect` or `read` a resource type, not {permission!r}")
        if VERBS.index(verb) >= VERBS.index(best.get(resource, "inspect")):
            best[resource] = verb
    return sorted(((v, r) for r, v in best.items()), key=lambda g: g[1])


def statements(fact_types: Iterable[str], group: str = GROUP) -> list[str]:
    return [f"Allow group {group} to {verb} {resource} in tenancy" for verb, resource in grants(fact_types)]
