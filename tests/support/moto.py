"""A moto server on loopback and the estate pieces several end-to-end tests build on it."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3

TEST_KEYS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def moto_server() -> Iterator[str]:
    """A ThreadedMotoServer on 127.0.0.1; yields its endpoint URL."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def client(endpoint: str, service: str, region: str = "eu-west-2", creds: dict[str, str] | None = None) -> Any:
    return boto3.client(service, region_name=region, endpoint_url=endpoint, **(creds or TEST_KEYS))


def cpu_scaled_group(endpoint: str, name: str = "web", instance_type: str = "t3.micro") -> None:
    """An Auto Scaling group of 3 that target-tracks CPU: autoscaling with a basic metric."""
    client(endpoint, "ec2").create_launch_template(
        LaunchTemplateName=f"lt-{name}", LaunchTemplateData={"ImageId": "ami-12345678", "InstanceType": instance_type}
    )
    asg = client(endpoint, "autoscaling")
    asg.create_auto_scaling_group(
        AutoScalingGroupName=name,
        MinSize=3,
        MaxSize=9,
        DesiredCapacity=3,
        LaunchTemplate={"LaunchTemplateName": f"lt-{name}"},
        AvailabilityZones=["eu-west-2a"],
    )
    asg.put_scaling_policy(
        AutoScalingGroupName=name,
        PolicyName="cpu",
        PolicyType="TargetTrackingScaling",
        TargetTrackingConfiguration={
            "PredefinedMetricSpecification": {"PredefinedMetricType": "ASGAverageCPUUtilization"},
            "TargetValue": 40,
        },
    )
