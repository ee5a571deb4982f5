"""Benchmark a full AWS scan (`cmm-scan scan aws`) against a moto estate on a ThreadedMotoServer.

    .venv/bin/python bench/aws_bench.py [--small] [--instances 2000] [--groups 200] [--buckets 500] [--users 300]

Reports wall time, API requests (sum of the coverage records) and the peak RSS of the scanning
subprocess (its own VmHWM; Linux). On a 2-CPU machine (moto in this process, the scan in a child):

    --small (20 instances, 4 groups, 10 buckets, 10 users): 6.7 s, 205 requests, 114 MiB
    default (2,000 instances, 200 groups, 500 buckets, 300 users, 2 regions): 36 s, 4,621 requests, 157 MiB

Before the scan cut botocore's service models down to the declared operations: 334 MiB and 370 MiB.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import boto3

REGIONS = ("eu-west-2", "eu-west-1")
# The scan reports its own peak. ru_maxrss of RUSAGE_CHILDREN would not do: it counts the pages the child
# shares with this process (moto and the whole estate) between fork and exec.
CHILD = """
import atexit, os, sys
def peak():
    with open("/proc/self/status") as status, open(os.environ["BENCH_PEAK_FILE"], "w") as out:
        out.write(next(line.split()[1] for line in status if line.startswith("VmHWM:")))
atexit.register(peak)
from cmm_scan.cli import main
sys.exit(main(sys.argv[1:]))
"""


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
    parser.add_argument("--small", action="store_true", help="a small estate: 20 instances, 4 groups, 10 buckets, 10 users")
    args = parser.parse_args()
    if args.small:
        args.instances, args.groups, args.buckets, args.users = 20, 4, 10, 10

    os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing")
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request would drown the result

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    try:
        started = time.perf_counter()
        build(endpoint, args.instances, args.groups, args.buckets, args.users)
        print(f"estate built in {time.perf_counter() - started:.1f}s", file=sys.stderr)
        with tempfile.TemporaryDirectory() as tmp:
            snapshot = Path(tmp) / "snapshot.jsonl.gz"  # where `scan --output-dir tmp` writes it
            env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
            env.update(AWS_ENDPOINT_URL=endpoint, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_MAX_ATTEMPTS="1")
            peak_file = Path(tmp) / "peak"
            env["BENCH_PEAK_FILE"] = str(peak_file)
            command = [
                sys.executable,
                "-c",
                CHILD,
                "scan",
                "aws",
                "--regions",
                ",".join(REGIONS),
                "--workers",
                str(args.workers),
            ]
            started = time.perf_counter()
            done = subprocess.run([*command, "--output-dir", tmp, "--no-store", "-q"], env=env, capture_output=True, text=True)
            wall = time.perf_counter() - started
            if done.returncode != 0:
                print(done.stderr, file=sys.stderr)
                return 1
            peak_mib = int(peak_file.read_text()) / 1024  # VmHWM is in kB
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
