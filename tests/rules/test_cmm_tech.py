"""Golden estates for the Technology rules: the stack's shape is evidence, never a level."""

from __future__ import annotations

import pytest

from tests.rules import OTHER_REGION, OTHER_SCOPE, assert_no_level, evidence, verdicts
from tests.rules import GoldenEstate as Estate

STACK_TYPES = (
    "compute.function",
    "compute.container_service",
    "compute.kubernetes_cluster",
    "compute.autoscaling_group",
    "compute.instance",
)


@pytest.mark.parametrize(("functions", "vms"), [(0, 3), (2, 0), (5, 4)])
def test_stack_shape_without_most_units_independent_sets_no_level(tmp_path, functions, vms):
    """VMs alone, too few units, or VMs holding their own: one VM may hold a well-structured application."""
    estate = Estate().covered(*STACK_TYPES)
    estate.many(functions, "compute.function", runtime="python3.12")
    estate.many(vms, "compute.instance", state="running", autoscaling_group="none", kubernetes_node=False)
    result = estate.score(tmp_path, "tech.stack")
    assert result.automation == "partial"
    assert_no_level(result)
    assert set(verdicts(result).values()) == {"human"}
    assert evidence(result, "functions").value.lo == functions
    assert evidence(result, "standalone_vms").value.lo == vms


@pytest.mark.parametrize(("functions", "services", "vms"), [(40, 0, 0), (3, 3, 4), (0, 3, 0)])
def test_stack_mostly_independent_units_is_at_least_3(tmp_path, functions, services, vms):
    """Most deployable units are functions or container services, each deployed on its own: "Systems are made of
    parts that can run on their own" at least; whether they depend on each other a lot (3) or not (4-5) is for a person."""
    estate = Estate().covered(*STACK_TYPES)
    estate.many(functions, "compute.function", runtime="python3.12")
    estate.many(services, "compute.container_service", desired=2)
    estate.many(vms, "compute.instance", state="running", autoscaling_group="none", kubernetes_node=False)
    result = estate.score(tmp_path, "tech.stack")
    assert (result.status, result.floor_level, result.answer, result.possible_levels) == ("floor", 3, 3, [3, 4, 5])
    assert result.because.startswith(f"Most deployable units run on their own. Functions: {functions}; container services: {services};")


def test_stack_units_unreadable_shows_nothing(tmp_path):
    estate = Estate().covered(*STACK_TYPES).denied("compute.instance", region=OTHER_REGION)
    estate.many(10, "compute.function", runtime="python3.12")
    assert_no_level(estate.score(tmp_path, "tech.stack"))


def test_stack_units_across_accounts(tmp_path):
    estate = Estate().covered(*STACK_TYPES)
    estate.many(2, "compute.container_service", desired=1)
    estate.fact("compute.container_service", scope=OTHER_SCOPE, desired=3)
    estate.fact("compute.container_service", scope=OTHER_SCOPE, desired=0)  # not running
    result = estate.score(tmp_path, "tech.stack")
    by_scope = {s.scope: s.matching for s in evidence(result, "container_services").by_scope}
    assert by_scope == {"111111111111": 2, OTHER_SCOPE: 1}


def test_stack_denied_is_unknown_with_gaps(tmp_path):
    result = Estate().denied(*STACK_TYPES).score(tmp_path, "tech.stack")
    assert_no_level(result)
    assert evidence(result, "functions").coverage_gaps


def test_selection_stays_manual(tmp_path):
    result = Estate().score(tmp_path, "tech.selection")
    assert result.status == "manual"
    assert result.evidence_to_bring
