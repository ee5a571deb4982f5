"""cost.capacity from moto estates: one per level the configuration settles, expected from the level text."""

from __future__ import annotations

import pytest

from tests.aws.estates import REGION, answer, deny, explain
from tests.aws.estates.compute import CPU, PREDICTIVE, QUEUE, REQUESTS, functions, group, instances, services

OTHER_REGION = "eu-west-1"


def test_fixed_fleet_is_level_1(aws, tmp_path) -> None:
    """'We set capacity for the busiest times': instances, none scaling; the rule breaks the 1/2 tie low."""
    instances(4)
    result = answer(tmp_path, "cost.capacity")
    assert result.answer == 1, explain(result)


def test_scheduled_group_is_level_2(aws, tmp_path) -> None:
    """Level 2, 'We adjust capacity when needed.' (report: 'Manual Scaling Based on Average Consumption',
    whose next step is scheduled scaling): a group resized on a schedule, nothing scaling on demand."""
    instances(2)
    group("office", 3, schedule=True)
    result = answer(tmp_path, "cost.capacity")
    assert result.answer == 2, explain(result)


def test_one_scaled_group_among_fixed_instances_is_level_3(aws, tmp_path) -> None:
    """'Some systems scale automatically': 2 of 8 running instances autoscale on CPU."""
    instances(6)
    group("web", 2, CPU)
    result = answer(tmp_path, "cost.capacity")
    assert result.answer == 3, explain(result)


def test_most_capacity_scaling_on_cpu_is_level_4(aws, tmp_path) -> None:
    """'Most systems scale automatically': everything scales, but on CPU alone, so not the advanced level 5
    (report: 'Widespread Autoscaling with Basic Metrics ... mainly on CPU, memory')."""
    group("web", 3, CPU)
    group("api", 3, CPU)
    result = answer(tmp_path, "cost.capacity")
    assert result.answer == 4, explain(result)


def test_everything_scaling_on_application_metrics_is_level_5(aws, tmp_path) -> None:
    """'Everything scales automatically', driven by a queue-backlog metric rather than CPU."""
    group("web", 3, QUEUE)
    group("workers", 2, QUEUE)
    result = answer(tmp_path, "cost.capacity")
    assert result.answer == 5, explain(result)


def test_everything_scaling_on_request_count_is_level_4(aws, tmp_path) -> None:
    """Level 4, 'Most systems scale automatically' (report: 'Widespread Autoscaling with Basic Metrics ...
    CPU, memory, or standard throughput'): every group tracks load-balancer requests per target, a standard
    throughput metric, not an application one."""
    group("web", 3, REQUESTS)
    group("api", 2, REQUESTS)
    result = answer(tmp_path, "cost.capacity")
    assert result.answer == 4, explain(result)


def test_everything_scaling_predictively_is_level_5(aws, tmp_path) -> None:
    """Level 5, 'Everything scales automatically' (report: 'Advanced Autoscaling', which names predictive
    scaling): both groups forecast demand and scale ahead of it."""
    group("web", 3, PREDICTIVE)
    group("api", 2, QUEUE)
    result = answer(tmp_path, "cost.capacity")
    assert result.answer == 5, explain(result)


def test_fixed_container_services_are_level_1(aws, tmp_path) -> None:
    """'We set capacity for the busiest times': four Fargate services at a fixed task count, no VMs."""
    services("prod", 4)
    result = answer(tmp_path, "cost.capacity")
    assert result.answer == 1, explain(result)


def test_some_container_services_scaling_is_level_3(aws, tmp_path) -> None:
    """'Some systems scale automatically': one of four container services under target tracking."""
    services("prod", 4, autoscaled=1)
    result = answer(tmp_path, "cost.capacity")
    assert result.answer == 3, explain(result)


def test_most_container_services_scaling_is_level_4(aws, tmp_path) -> None:
    """'Most systems scale automatically': three of four container services scale, one stays fixed."""
    services("prod", 4, autoscaled=3)
    result = answer(tmp_path, "cost.capacity")
    assert result.answer == 4, explain(result)


def test_functions_and_scaled_services_are_level_5(aws, tmp_path) -> None:
    """'Everything scales automatically': functions (which scale with demand) and container services that
    all autoscale; no fixed capacity anywhere."""
    functions(3)
    services("prod", 2, autoscaled=2)
    result = answer(tmp_path, "cost.capacity")
    assert result.answer == 5, explain(result)


def test_capacity_counts_every_region(aws, tmp_path) -> None:
    """'Some systems scale automatically': a scaled group of 2 in London, 6 fixed instances in Ireland
    (2 of 8). London alone would look like 'most systems'."""
    group("web", 2, CPU)
    instances(6, region=OTHER_REGION)
    assert answer(tmp_path, "cost.capacity").answer == 4
    result = answer(tmp_path, "cost.capacity", regions=(REGION, OTHER_REGION))
    assert result.answer == 3, explain(result)


def test_empty_account_is_not_applicable(aws, tmp_path) -> None:
    """Never guess: no compute is not 'we set capacity for the busiest times'; the question does not apply."""
    result = answer(tmp_path, "cost.capacity")
    assert result.status == "not_applicable" and result.answer == 0, explain(result)


@pytest.mark.parametrize(
    "denied",
    [
        "ec2:DescribeInstances",
        "autoscaling:DescribeAutoScalingGroups",
        "autoscaling:DescribePolicies",
        "autoscaling:DescribeScheduledActions",
    ],
)
def test_denied_inventory_is_i_dont_know(aws, tmp_path, monkeypatch, denied: str) -> None:
    """Never guess: if instances, groups or what drives the groups cannot be read, there is no level."""
    instances(4)
    group("web", 2, CPU)
    deny(monkeypatch, denied)
    result = answer(tmp_path, "cost.capacity")
    assert result.answer == 0 and result.suggested_level is None, explain(result)


@pytest.mark.parametrize("denied", ["application-autoscaling:DescribeScalableTargets", "ecs:DescribeServices", "lambda:ListFunctions"])
def test_denied_container_scaling_is_i_dont_know(aws, tmp_path, monkeypatch, denied: str) -> None:
    """Never guess: container services whose autoscaling (or functions whose number) cannot be read
    leave the container-only estate without a level."""
    services("prod", 4, autoscaled=1)
    deny(monkeypatch, denied)
    result = answer(tmp_path, "cost.capacity")
    assert result.answer == 0 and result.suggested_level is None, explain(result)
