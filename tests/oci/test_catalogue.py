"""Every OCI spec is consistent with the fact catalogue, the service table, the transforms and the read-only rule;
the OCI operation names exist in the oci SDK; the lookups it joins exist."""

from __future__ import annotations

import importlib
import re

import pytest

from cmm_scan.cloud import transforms
from cmm_scan.cloud.permissions import all_requests, lookups_of
from cmm_scan.factcatalogue import fact_catalogue
from cmm_scan.oci.permissions import PLAN_REQUESTS, catalogue
from cmm_scan.oci.transport import services

CAT = catalogue()
COLLECTORS = sorted(CAT.collectors.values(), key=lambda c: c.id)


@pytest.mark.parametrize("spec", COLLECTORS, ids=lambda c: c.id)
def test_collector_matches_the_fact_catalogue(spec) -> None:  # type: ignore[no-untyped-def]
    facts = fact_catalogue().facts
    assert spec.fact in facts, f"{spec.id}: unknown fact type {spec.fact}"
    assert not set(spec.attributes) - set(facts[spec.fact].attributes), f"{spec.id}: attributes not in providers/facts.yaml"
    assert not set(spec.facet) - set(facts[spec.fact].attributes)
    sources = [spec, *(CAT.lookups[name] for name in lookups_of(spec, CAT))]
    for source in sources:
        named = [spec.attribute(n).transform for n in spec.attributes] + [d.transform for d in source.derive]
        named += [source.aggregate] if source.aggregate else []
        assert all(t is None or t in transforms.TRANSFORMS for t in named), f"{spec.id}: unknown transform"
        for join in source.joins:
            assert join.lookup in CAT.lookups, f"{spec.id}: unknown lookup {join.lookup}"
    if spec.handler:
        module, _, function = spec.handler.partition(":")
        assert callable(getattr(importlib.import_module(f"cmm_scan.oci.handlers.{module}"), function))


def _sdk_operations() -> set[str]:
    """Every operation name of the oci SDK's service clients (ListInstances, GetBucket, ...), from the
    clients' method names."""
    import oci

    names: set[str] = set()
    for module in (
        oci.core,
        oci.identity,
        oci.object_storage,
        oci.autoscaling,
        oci.resource_search,
        oci.container_engine,
        oci.functions,
        oci.container_instances,
        oci.monitoring,
        oci.logging,
        oci.audit,
        oci.budget,
        oci.bastion,
        oci.cloud_guard,
        oci.key_management,
        oci.artifacts,
        oci.vulnerability_scanning,
        oci.data_safe,
        oci.devops,
        oci.events,
        oci.sch,
        oci.database,
        oci.mysql,
        oci.vault,
        oci.resource_manager,
        oci.recovery,
        oci.identity_domains,
        oci.dashboard_service,
        oci.management_dashboard,
        oci.disaster_recovery,
    ):
        for client in [getattr(module, n) for n in dir(module) if n.endswith("Client") and not n.endswith("CompositeOperations")]:
            names |= {"".join(p.title() for p in m.split("_")) for m in dir(client) if not m.startswith("_")}
    return names


def test_requests_name_real_operations_of_known_services_with_read_verbs() -> None:
    operations = _sdk_operations()
    for request in [*all_requests(CAT), *PLAN_REQUESTS.values()]:
        assert request.api in services(), f"{request.operation}: unknown service {request.api}"
        assert request.operation in operations, f"{request.operation} is no oci SDK operation"
        for permission in request.permissions:
            verb, _, resource = permission.partition(" ")
            assert verb in ("inspect", "read") and re.fullmatch(r"[a-z-]+", resource), permission
