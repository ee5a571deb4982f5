"""Builders for compute estates on moto: standalone instances, Auto Scaling groups, ECS services, functions.

Everything goes through the public APIs, so the scan reads what a real account would show. Moto keys
Auto Scaling policies by name alone, so every policy is named after its group.
"""

from __future__ import annotations

import json
from typing import Any

import boto3

from tests.aws.estates import REGION

AMI = "ami-12345678"  # MOTO_EC2_LOAD_DEFAULT_AMIS is off: any well-formed id will do

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
REQUESTS = {
    "PolicyType": "TargetTrackingScaling",
    "TargetTrackingConfiguration": {
        "PredefinedMetricSpecification": {
            "PredefinedMetricType": "ALBRequestCountPerTarget",
            "ResourceLabel": "app/web/1234567890abcdef/targetgroup/web/1234567890abcdef",
        },
        "TargetValue": 1000,
    },
}
PREDICTIVE = {
    "PolicyType": "PredictiveScaling",
    "PredictiveScalingConfiguration": {
        "MetricSpecifications": [{"TargetValue": 40, "PredefinedMetricPairSpecification": {"PredefinedMetricType": "ASGCPUUtilization"}}],
        "Mode": "ForecastAndScale",
    },
}
ECS_CPU = {
    "PolicyType": "TargetTrackingScaling",
    "TargetTrackingScalingPolicyConfiguration": {
        "TargetValue": 60,
        "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"},
    },
}


def instances(count: int, region: str = REGION, instance_type: str = "t3.micro", **extra: Any) -> list[str]:
    """`count` standalone running instances; returns their ids."""
    found = boto3.client("ec2", region).run_instances(ImageId=AMI, InstanceType=instance_type, MinCount=count, MaxCount=count, **extra)
    return [i["InstanceId"] for i in found["Instances"]]


def group(
    name: str,
    size: int,
    policy: dict[str, Any] | None = None,
    *,
    region: str = REGION,
    schedule: bool = False,
    tags: dict[str, str] | None = None,
    instance_type: str = "t3.micro",
) -> None:
    """An Auto Scaling group of `size` instances, with a dynamic `policy` and/or a recurring schedule."""
    ec2 = boto3.client("ec2", region)
    ec2.create_launch_template(LaunchTemplateName=f"lt-{name}", LaunchTemplateData={"ImageId": AMI, "InstanceType": instance_type})
    asg = boto3.client("autoscaling", region)
    asg.create_auto_scaling_group(
        AutoScalingGroupName=name,
        MinSize=size,
        MaxSize=size * 3,
        DesiredCapacity=size,
        LaunchTemplate={"LaunchTemplateName": f"lt-{name}"},
        AvailabilityZones=[f"{region}a"],
        Tags=[{"Key": k, "Value": v, "PropagateAtLaunch": True} for k, v in (tags or {}).items()],
    )
    if policy:
        asg.put_scaling_policy(AutoScalingGroupName=name, PolicyName=f"scale-{name}", **policy)
    if schedule:
        for action, desired in (("office-hours", size), ("night", 0)):
            asg.put_scheduled_update_group_action(
                AutoScalingGroupName=name,
                ScheduledActionName=f"{name}-{action}",
                Recurrence="0 8 * * MON-FRI" if desired else "0 19 * * MON-FRI",
                MinSize=desired,
                MaxSize=size * 3,
                DesiredCapacity=desired,
            )


def services(cluster: str, count: int, *, autoscaled: int = 0, region: str = REGION, desired: int = 2) -> None:
    """`count` Fargate services in `cluster`, the first `autoscaled` of them under target tracking on CPU."""
    ecs = boto3.client("ecs", region)
    ecs.create_cluster(clusterName=cluster)
    scaling = boto3.client("application-autoscaling", region)
    for i in range(count):
        name = f"{cluster}-svc{i}"
        ecs.create_service(cluster=cluster, serviceName=name, desiredCount=desired, launchType="FARGATE")
        if i < autoscaled:
            resource = f"service/{cluster}/{name}"
            dimension = "ecs:service:DesiredCount"
            scaling.register_scalable_target(
                ServiceNamespace="ecs", ResourceId=resource, ScalableDimension=dimension, MinCapacity=desired, MaxCapacity=desired * 5
            )
            scaling.put_scaling_policy(
                PolicyName=f"cpu-{name}", ServiceNamespace="ecs", ResourceId=resource, ScalableDimension=dimension, **ECS_CPU
            )


def functions(count: int, *, prefix: str = "fn", region: str = REGION, arm: bool = False) -> None:
    """`count` Lambda functions (zip, Python)."""
    iam = boto3.client("iam")
    try:
        role = iam.get_role(RoleName="lambda-exec")["Role"]["Arn"]
    except iam.exceptions.NoSuchEntityException:
        trust = {"Version": "2012-10-17", "Statement": []}
        role = iam.create_role(RoleName="lambda-exec", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    client = boto3.client("lambda", region)
    for i in range(count):
        client.create_function(
            FunctionName=f"{prefix}-{i}",
            Runtime="python3.12",
            Role=role,
            Handler="app.handler",
            Code={"ZipFile": b"def handler(e, c): return 1"},
            Architectures=["arm64" if arm else "x86_64"],
        )


def eks_cluster(name: str, nodes: int, *, region: str = REGION) -> None:
    """An EKS cluster and its worker nodes: moto's node groups start no instances, so the nodes are a group
    tagged the way EKS tags its managed node groups."""
    boto3.client("eks", region).create_cluster(
        name=name, roleArn="arn:aws:iam::123456789012:role/eks", resourcesVpcConfig={"subnetIds": []}
    )
    group(f"eks-{name}-nodes", nodes, region=region, tags={"eks:cluster-name": name, "eks:nodegroup-name": "default"})
