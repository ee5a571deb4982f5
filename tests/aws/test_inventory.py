"""Regions: scanned, in use (workloads or data stores, not the default VPC) and running workloads."""

from __future__ import annotations

import boto3

from tests.aws.estates import deny
from tests.aws.support import scan

REGION, OTHER = "eu-west-2", "eu-west-1"


def _regions(result) -> dict[str, dict]:
    return {f.region: f.attributes for f in result.of("inventory.region")}


def test_default_network_and_service_settings_do_not_put_a_region_in_use(aws) -> None:
    """Every region has a default VPC and security group; that is not where the estate runs."""
    regions = _regions(scan(["inventory.region", "network.vpc", "network.security_group"], (REGION, OTHER)))
    assert regions[REGION] == {"enabled": True, "scanned": True, "in_use": False, "workloads": False, "uk": True}
    assert regions[OTHER] == {"enabled": True, "scanned": True, "in_use": False, "workloads": False, "uk": False}
    assert regions["us-east-1"]["scanned"] is False and regions["us-east-1"]["in_use"] is None
    not_opted_in = [r for r in regions.values() if r["enabled"] is False]
    assert not_opted_in and all(r["in_use"] is False for r in not_opted_in)


def test_workloads_and_data_put_regions_in_use(aws) -> None:
    """An instance in London runs a workload there; a bucket alone in Ireland holds data but runs nothing;
    a terminated instance is gone."""
    ec2 = boto3.client("ec2", REGION)
    ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1)
    gone = boto3.client("ec2", "us-east-1").run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
    boto3.client("ec2", "us-east-1").terminate_instances(InstanceIds=[gone])
    boto3.client("s3", OTHER).create_bucket(Bucket="replica-copies", CreateBucketConfiguration={"LocationConstraint": OTHER})

    regions = _regions(scan(["inventory.region"], (REGION, OTHER, "us-east-1")))

    assert (regions[REGION]["in_use"], regions[REGION]["workloads"]) == (True, True)
    assert (regions[OTHER]["in_use"], regions[OTHER]["workloads"]) == (True, False)
    assert (regions["us-east-1"]["in_use"], regions["us-east-1"]["workloads"]) == (False, False)


def test_a_denied_read_leaves_empty_regions_unknown(aws, monkeypatch) -> None:
    """Functions could not be listed: a region where nothing else was found may still run some."""
    boto3.client("ec2", REGION).run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1)
    deny(monkeypatch, "lambda:ListFunctions")

    result = scan(["inventory.region"], (REGION, OTHER))

    regions = _regions(result)
    assert (regions[REGION]["in_use"], regions[REGION]["workloads"]) == (True, True)
    assert (regions[OTHER]["in_use"], regions[OTHER]["workloads"]) == (None, None)
    assert result.status("lambda.functions", OTHER) & {"denied", "error"}  # moto answers Lambda denials in XML: "error"
    assert result.status("ec2.regions") == {"ok"}
