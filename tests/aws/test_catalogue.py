"""Every collector spec is consistent with the fact catalogue, boto3 and the read-only rule."""

from __future__ import annotations

import importlib

import pytest

from cmm_scan.aws import transforms
from cmm_scan.aws.permissions import collector_calls, is_read_action, lookups_of, policy
from cmm_scan.aws.spec import catalogue
from cmm_scan.factcatalogue import fact_catalogue

CAT = catalogue()
COLLECTORS = sorted(CAT.collectors.values(), key=lambda c: c.id)


@pytest.mark.parametrize("spec", COLLECTORS, ids=lambda c: c.id)
def test_collector_matches_fact_catalogue(spec) -> None:
    facts = fact_catalogue().facts
    assert spec.fact in facts, f"{spec.id}: unknown fact type {spec.fact}"
    unknown = set(spec.attributes) - set(facts[spec.fact].attributes)
    assert not unknown, f"{spec.id}: attributes not in providers/facts.yaml: {unknown}"
    for name in spec.attributes:
        attribute = spec.attribute(name)
        if attribute.transform:
            assert attribute.transform in transforms.TRANSFORMS
    for derive in spec.derive:
        assert derive.transform is None or derive.transform in transforms.TRANSFORMS
    unknown_facet = set(spec.facet) - set(facts[spec.fact].attributes)
    assert not unknown_facet, f"{spec.id}: facet names attributes not in providers/facts.yaml: {unknown_facet}"


@pytest.mark.parametrize("spec", COLLECTORS, ids=lambda c: c.id)
def test_collector_calls_exist_and_only_read(spec) -> None:
    calls = collector_calls(spec, CAT)  # resolves every operation through botocore: a typo raises
    assert calls, f"{spec.id} declares no API call"
    for service, operation, action in calls:
        assert is_read_action(action), f"{spec.id}: {service}.{operation} needs {action}, not a read action"
    if spec.handler:
        module, _, function = spec.handler.partition(":")
        assert callable(getattr(importlib.import_module(f"cmm_scan.aws.handlers.{module}"), function))


def test_lookups_exist_and_have_no_cycle() -> None:
    for spec in COLLECTORS:
        for name in lookups_of(spec, CAT):
            assert name in CAT.lookups, f"{spec.id}: unknown lookup {name}"
    for name, lookup in CAT.lookups.items():
        if lookup.collector:
            target = CAT.collectors[lookup.collector]
            assert name not in lookups_of(target, CAT), f"lookup {name} reads collector {target.id} which joins it back"


def test_policy_is_read_only_and_scoped_to_the_fact_types() -> None:
    everything = policy(sorted({c.fact for c in COLLECTORS}))
    actions = everything["Statement"][0]["Action"]
    assert all(is_read_action(a) for a in actions)
    only_subnets = policy(["compute.subnet"])["Statement"][0]["Action"]
    assert "ec2:DescribeSubnets" in only_subnets
    assert "autoscaling:DescribeAutoScalingGroups" not in only_subnets
    assert len(only_subnets) < len(actions)
