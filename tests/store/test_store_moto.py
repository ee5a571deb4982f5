"""The whole loop against a moto AWS estate: scan, change the estate, scan again, diff, gate."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.store.conftest import cli, new_database
from tests.support.moto import client, cpu_scaled_group, moto_server


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    with moto_server() as endpoint:
        yield endpoint


def test_scan_twice_with_a_change_between(moto_endpoint, pg_server, isolated_env, tmp_path: Path):
    """On PostgreSQL, the shared store of scheduled scans (the SQLite path is the same code,
    covered with golden snapshots in test_store_cli.py; a scan costs seconds of CPU)."""
    store_url = new_database(pg_server)
    cpu_scaled_group(moto_endpoint, "web")
    ec2, asg = client(moto_endpoint, "ec2"), client(moto_endpoint, "autoscaling")
    ec2.run_instances(ImageId="ami-12345678", MinCount=7, MaxCount=7, InstanceType="t3.micro")

    env = {k: v for k, v in isolated_env.items() if not k.startswith("AWS_")}
    env.update(AWS_ENDPOINT_URL=moto_endpoint, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_MAX_ATTEMPTS="1")

    def scan(name: str):
        return cli(
            "scan",
            "aws",
            "--regions",
            "eu-west-2",
            "--questions",
            "cost.capacity",
            "--store",
            store_url,
            "--fail-on-regression",
            "-o",
            str(tmp_path / name),
            "--format",
            "json",
            env=env,
            timeout=180,
        )

    first = scan("first")
    assert first.returncode == 0, first.stderr
    asg.delete_policy(AutoScalingGroupName="web", PolicyName="cpu")  # the group no longer scales by itself
    second = scan("second")
    assert second.returncode == 4, second.stderr
    assert "regression: cost.capacity: answer 3 -> " in second.stderr

    diff = cli("diff", "previous", "latest", "--store", store_url, env=env)
    assert diff.returncode == 0, diff.stderr
    assert "cost.capacity: answer 3, suggested 3 (suggested) -> answer " in diff.stdout
    assert "autoscaled_share: 30% (3 of 10) -> 0% (0 of 10)" in diff.stdout
    history = cli("history", "--store", store_url, "--json", env=env)
    assert [r["scope_key"] for r in json.loads(history.stdout)] == ["aws:123456789012"] * 2
