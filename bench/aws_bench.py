"""Benchmark a full AWS scan against a large moto estate on a ThreadedMotoServer.

    .venv/bin/python bench/aws_bench.py [--instances 2000] [--groups 200] [--buckets 500] [--users 300]

Reports wall time, API requests (sum of the coverage records) and the peak RSS of the scanning
subprocess (ru_maxrss of the child).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import boto3

REGIONS = ("eu-west-2", "eu-west-1")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build(endpoint: str, instances: int, groups: int, buckets: int, users: int) -> None:
    def client(service: str, region: str = REGIONS[0]):
        return boto3.client(service, region_name=region, endpoint_url=endpoint)

    per_region = instances - groups  # every group holds one instance
    for region in REGIONS:
        ec2 = client("ec2", region)
        left = per_region // len(REGIONS)
        while left > 0:
            batch = min(100, left)
            ec2.run_instances(ImageId="ami-12345678", MinCount=batch, MaxCount=batch, InstanceType="m5.large")
            left -= batch
    for region in REGIONS:
        ec2, asg = client("ec2", region), client("autoscaling", region)
        ec2.create_launch_template(LaunchTemplateName="bench", LaunchTemplateData={"ImageId": "ami-12345678", "InstanceType": "c7g.large"})
        for i in range(groups // len(REGIONS)):
            name = f"g{i:04d}"
            asg.create_auto_scaling_group(
                AutoScalingGroupName=name,
                MinSize=1,
                MaxSize=4,
                DesiredCapacity=1,
                LaunchTemplate={"LaunchTemplateName": "bench"},
                AvailabilityZones=[f"{region}a"],
            )
            if i % 2 == 0:
                asg.put_scaling_policy(
                    AutoScalingGroupName=name,
                    PolicyName="cpu",
                    PolicyType="TargetTrackingScaling",
                    TargetTrackingConfiguration={
                        "PredefinedMetricSpecification": {"PredefinedMetricType": "ASGAverageCPUUtilization"},
                        "TargetValue": 50,
                    },
                )
    s3 = client("s3")
    for i in range(buckets):
        s3.create_bucket(Bucket=f"bench-bucket-{i:04d}", CreateBucketConfiguration={"LocationConstraint": REGIONS[0]})
    iam = client("iam")
    for i in range(users):
        iam.create_user(UserName=f"user{i:04d}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--instances", type=int, default=2000)
    parser.add_argument("--groups", type=int, default=200)
    parser.add_argument("--buckets", type=int, default=500)
    parser.add_argument("--users", type=int, default=300)
    parser.add_argument("--workers", type=int, default=8)
    args = parser.parse_args()

    os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing")
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    try:
        started = time.perf_counter()
        build(endpoint, args.instances, args.groups, args.buckets, args.users)
        print(f"estate built in {time.perf_counter() - started:.1f}s", file=sys.stderr)
        with tempfile.TemporaryDirectory() as tmp:
            snapshot = Path(tmp) / "snapshot.jsonl.gz"
            env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
            env.update(AWS_ENDPOINT_URL=endpoint, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_MAX_ATTEMPTS="1")
            command = [
                sys.executable,
                "-m",
                "cmm_scan.cli",
                "collect",
                "aws",
                "--regions",
                ",".join(REGIONS),
                "--workers",
                str(args.workers),
            ]
            started = time.perf_counter()
            done = subprocess.run([*command, "--output", str(snapshot), "-q"], env=env, capture_output=True, text=True)
            wall = time.perf_counter() - started
            if done.returncode != 0:
                print(done.stderr, file=sys.stderr)
                return 1
            peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            with gzip.open(snapshot, "rt") as handle:
                records = [json.loads(line) for line in handle]
    finally:
        server.stop()
    facts = [r for r in records if r["record"] == "fact"]
    coverage = [r for r in records if r["record"] == "coverage"]
    counts: dict[str, int] = {}
    for fact in facts:
        counts[fact["type"]] = counts.get(fact["type"], 0) + 1
    result = {
        "wall_seconds": round(wall, 1),
        "api_requests": sum(c["requests"] for c in coverage),
        "peak_rss_mib": round(peak_mib, 1),
        "facts": len(facts),
        "coverage_records": len(coverage),
        "statuses": {s: sum(1 for c in coverage if c["status"] == s) for s in sorted({c["status"] for c in coverage})},
        "facts_by_type": {
            k: counts[k] for k in ("compute.instance", "compute.autoscaling_group", "storage.bucket", "identity.user") if k in counts
        },
    }
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
