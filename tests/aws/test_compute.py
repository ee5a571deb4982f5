"""EC2 instances, subnets and Auto Scaling groups, through real boto3 against moto."""

from __future__ import annotations

import boto3

from tests.aws.support import scan

REGION = "eu-west-2"


def _group(name: str, minimum: int, maximum: int, instance_type: str = "m5.large") -> None:
    ec2 = boto3.client("ec2", REGION)
    ec2.create_launch_template(
        LaunchTemplateName=f"lt-{name}", LaunchTemplateData={"ImageId": "ami-12345678", "InstanceType": instance_type}
    )
    boto3.client("autoscaling", REGION).create_auto_scaling_group(
        AutoScalingGroupName=name,
        MinSize=minimum,
        MaxSize=maximum,
        DesiredCapacity=minimum,
        LaunchTemplate={"LaunchTemplateName": f"lt-{name}"},
        AvailabilityZones=[f"{REGION}a"],
    )


def test_instances_groups_and_policies(aws) -> None:
    asg = boto3.client("autoscaling", REGION)
    boto3.client("ec2", REGION).run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1, InstanceType="t4g.small")
    _group("cpu", 1, 4)
    asg.put_scaling_policy(
        AutoScalingGroupName="cpu",
        PolicyName="cpu50",
        PolicyType="TargetTrackingScaling",
        TargetTrackingConfiguration={
            "PredefinedMetricSpecification": {"PredefinedMetricType": "ASGAverageCPUUtilization"},
            "TargetValue": 50,
        },
    )
    _group("queue", 1, 6, "c7g.large")
    asg.put_scaling_policy(
        AutoScalingGroupName="queue",
        PolicyName="backlog",
        PolicyType="TargetTrackingScaling",
        TargetTrackingConfiguration={
            "CustomizedMetricSpecification": {
                "MetricName": "ApproximateNumberOfMessagesVisible",
                "Namespace": "AWS/SQS",
                "Statistic": "Average",
            },
            "TargetValue": 10,
        },
    )
    _group("office-hours", 1, 3)
    asg.put_scheduled_update_group_action(
        AutoScalingGroupName="office-hours", ScheduledActionName="morning", Recurrence="0 8 * * *", DesiredCapacity=3
    )
    _group("fixed", 1, 1)

    result = scan(["compute.instance", "compute.autoscaling_group", "compute.subnet"])

    cpu = result.one("compute.autoscaling_group", "autoScalingGroupName/cpu")
    assert (cpu["policy_types"], cpu["metric_kinds"], cpu["dynamic"], cpu["advanced_metrics"]) == (
        ["target_tracking"],
        ["cpu"],
        True,
        False,
    )
    queue = result.one("compute.autoscaling_group", "autoScalingGroupName/queue")
    assert queue["metric_kinds"] == ["queue"] and queue["advanced_metrics"] is True
    office = result.one("compute.autoscaling_group", "office-hours")
    assert office["scheduled_only"] is True and office["dynamic"] is False and office["policy_types"] == ["scheduled"]
    fixed = result.one("compute.autoscaling_group", "fixed")
    assert fixed["dynamic"] is False and fixed["scheduled_only"] is False and fixed["kubernetes_nodes"] is False

    by_group = {}
    for fact in result.of("compute.instance"):
        by_group.setdefault(fact.attributes["autoscaling_group"], []).append(fact.attributes)
    assert by_group["none"][0]["autoscaled"] is False and by_group["none"][0]["arm"] is True
    assert by_group["none"][0]["family"] == "t4g" and by_group["none"][0]["state"] == "running"
    assert all(i["autoscaled"] is True for i in by_group["cpu"] + by_group["queue"])
    assert all(i["autoscaled"] is False for i in by_group["office-hours"] + by_group["fixed"])
    assert by_group["queue"][0]["arm"] is True and by_group["cpu"][0]["arm"] is False
    assert {f.attributes["is_default"] for f in result.of("compute.subnet")} == {True}
    assert result.status("ec2.instances") == result.status("autoscaling.groups") == {"ok"}
    assert all(f.region == REGION and f.scope == "123456789012" for f in result.facts)
