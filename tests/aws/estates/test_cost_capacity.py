"""cost.capacity from moto estates: one per level the configuration settles, expected from the level text."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from tests.aws.estates import REGION, answer, deny, explain


def _launch_template(name: str) -> None:
    boto3.client("ec2", REGION).create_launch_template(
        LaunchTemplateName=name, LaunchTemplateData={"ImageId": "ami-12345678", "InstanceType": "t3.micro"}
    )


def _group(name: str, size: int, policy: dict[str, Any] | None) -> None:
    _launch_template(f"lt-{name}")
    asg = boto3.client("autoscaling", REGION)
    asg.create_auto_scaling_group(
        AutoScalingGroupName=name,
        MinSize=size,
        MaxSize=size * 3,
        DesiredCapacity=size,
        LaunchTemplate={"LaunchTemplateName": f"lt-{name}"},
        AvailabilityZones=[f"{REGION}a"],
    )
    if policy:
        asg.put_scaling_policy(AutoScalingGroupName=name, PolicyName=f"scale-{name}", **policy)  # moto keys policies by name alone


CPU = {
    "PolicyType": "TargetTrackingScaling",
    "TargetTrackingConfiguration": {
        "PredefinedMetricSpecification": {"PredefinedMetricType": "ASGAverageCPUUtilization"},
        "TargetValue": 40,
    },
}
QUEUE = {
    "PolicyType": "TargetTrackingScaling",
    "TargetTrackingConfiguration": {
        "CustomizedMetricSpecification": {"MetricName": "BacklogPerInstance", "Namespace": "App", "Statistic": "Average"},
        "TargetValue": 100,
    },
}


def _standalone(count: int) -> None:
    boto3.client("ec2", REGION).run_instances(ImageId="ami-12345678", InstanceType="t3.micro", MinCount=count, MaxCount=count)


def test_fixed_fleet_is_level_1(aws, tmp_path) -> None:
    """'We set capacity for the busiest times': instances, none scaling; the rule breaks the 1/2 tie low."""
    _standalone(4)
    result = answer(tmp_path, "cost.capacity")
    assert result.answer == 1, explain(result)


def test_one_scaled_group_among_fixed_instances_is_level_3(aws, tmp_path) -> None:
    """'Some systems scale automatically': 2 of 8 running instances autoscale on CPU."""
    _standalone(6)
    _group("web", 2, CPU)
    result = answer(tmp_path, "cost.capacity")
    assert result.answer == 3, explain(result)


def test_most_capacity_scaling_on_cpu_is_level_4(aws, tmp_path) -> None:
    """'Most systems scale automatically': everything scales, but on CPU alone, so not the advanced level 5."""
    _group("web", 3, CPU)
    _group("api", 3, CPU)
    result = answer(tmp_path, "cost.capacity")
    assert result.answer == 4, explain(result)


def test_everything_scaling_on_application_metrics_is_level_5(aws, tmp_path) -> None:
    """'Everything scales automatically', driven by a queue-backlog metric rather than CPU."""
    _group("web", 3, QUEUE)
    _group("workers", 2, QUEUE)
    result = answer(tmp_path, "cost.capacity")
    assert result.answer == 5, explain(result)


@pytest.mark.parametrize("denied", ["ec2:DescribeInstances", "autoscaling:DescribeAutoScalingGroups"])
def test_denied_inventory_is_i_dont_know(aws, tmp_path, monkeypatch, denied: str) -> None:
    """Never guess: if instances or groups cannot be read, there is no level."""
    _standalone(4)
    deny(monkeypatch, denied)
    result = answer(tmp_path, "cost.capacity")
    assert result.answer == 0 and result.suggested_level is None, explain(result)
