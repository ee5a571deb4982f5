"""Map and reduce: an organisation of 40 accounts on one moto server, scanned as 4 shards in parallel
processes and scored together, answers exactly as one unsharded scan does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from cmm_scan.cli import main
from tests.support.moto import TEST_KEYS, client, moto_server

MEMBERS = 39  # + the management account: 40
QUESTIONS = "cost.capacity,gov.policy_enforcement"  # the second reads org.policy in the management account only


def _member_client(endpoint: str, account: str, service: str):
    creds = client(endpoint, "sts", "us-east-1").assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole", RoleSessionName="setup"
    )["Credentials"]
    keys = {"aws_access_key_id": creds["AccessKeyId"], "aws_secret_access_key": creds["SecretAccessKey"]}
    return client(endpoint, service, creds=keys | {"aws_session_token": creds["SessionToken"]})


def _organisation(endpoint: str) -> list[str]:
    org = client(endpoint, "organizations", "us-east-1")
    org.create_organization(FeatureSet="ALL")
    members = [
        org.create_account(AccountName=f"m{i}", Email=f"m{i}@example.org")["CreateAccountStatus"]["AccountId"] for i in range(MEMBERS)
    ]
    for n, account in enumerate(members[:8]):  # running VMs in 8 accounts; CPU-scaled groups in 3 of them
        ec2 = _member_client(endpoint, account, "ec2")
        ec2.run_instances(ImageId="ami-12345678", MinCount=2, MaxCount=2, InstanceType="t3.micro")
        if n < 3:
            template = {"ImageId": "ami-12345678", "InstanceType": "t3.micro"}
            ec2.create_launch_template(LaunchTemplateName="lt-web", LaunchTemplateData=template)
            asg = _member_client(endpoint, account, "autoscaling")
            asg.create_auto_scaling_group(
                AutoScalingGroupName="web", MinSize=2, MaxSize=6, DesiredCapacity=2, LaunchTemplate={"LaunchTemplateName": "lt-web"},
                AvailabilityZones=["eu-west-2a"],
            )  # fmt: skip
            asg.put_scaling_policy(
                AutoScalingGroupName="web",
                PolicyName="cpu",
                PolicyType="TargetTrackingScaling",
                TargetTrackingConfiguration={
                    "PredefinedMetricSpecification": {"PredefinedMetricType": "ASGAverageCPUUtilization"},
                    "TargetValue": 40,
                },
            )
    return members


def _collect(endpoint: str, output: Path, env: dict[str, str], *extra: str) -> subprocess.Popen[str]:
    argv = ["collect", "aws", "--org", "--regions", "eu-west-2", "--endpoint-url", endpoint, "--questions", QUESTIONS]
    return subprocess.Popen(
        [sys.executable, "-m", "cmm_scan.cli", *argv, "--output", str(output), "--workers", "4", *extra],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _score(tmp_path: Path, name: str, *snapshots: Path) -> dict:
    out = tmp_path / name
    argv = ["score", *map(str, snapshots), "--questions", QUESTIONS, "-o", str(out), "--format", "json", "--no-store", "-q"]
    assert main(argv) == 0
    return json.loads((out / "assessment.json").read_text())


def _answers(assessment: dict) -> list[tuple]:
    return [
        (
            r["id"],
            r["status"],
            r["suggested_level"],
            r["level_range"],
            r["answer"],
            [(e["signal"], e["value"], e["matching"], e["total"], e["unknown"], e["complete"], e["by_scope"]) for e in r["evidence"]],
        )
        for r in assessment["results"]
    ]


def test_four_shards_in_parallel_score_as_one_unsharded_scan(tmp_path, capsys):
    """Running VMs: 16 standalone in 8 accounts, 6 in CPU target-tracking groups (22 in all, 27% autoscaled):
    "Some systems scale automatically." (level 3), sharded or not."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CMM_SCAN_"))}
    env.update(AWS_ACCESS_KEY_ID=TEST_KEYS["aws_access_key_id"], AWS_SECRET_ACCESS_KEY=TEST_KEYS["aws_secret_access_key"])
    env.update(AWS_DEFAULT_REGION="eu-west-2", AWS_MAX_ATTEMPTS="2", HOME=str(tmp_path), PYTHONPATH=str(Path(__file__).parents[2] / "src"))
    with moto_server() as endpoint:
        members = _organisation(endpoint)
        shards = [tmp_path / "shards" / f"shard-{i}.jsonl.gz" for i in range(1, 5)]
        whole = tmp_path / "whole.jsonl.gz"
        running = [_collect(endpoint, path, env, "--shard", f"{i}/4") for i, path in enumerate(shards, start=1)]
        running.append(_collect(endpoint, whole, env))
        for proc in running:
            _, err = proc.communicate(timeout=500)
            assert proc.returncode == 0, err

    sharded = _score(tmp_path, "sharded", tmp_path / "shards")
    unsharded = _score(tmp_path, "unsharded", whole)
    assert _answers(sharded) == _answers(unsharded)
    result = next(r for r in sharded["results"] if r["id"] == "cost.capacity")
    assert result["suggested_level"] == 3
    share = next(e for e in result["evidence"] if e["signal"] == "autoscaled_share")
    assert (share["matching"], share["total"]) == (6, 22)

    source = sharded["source"]
    assert sorted(s["shard"][0] for s in source["snapshots"]) == [1, 2, 3, 4]
    assert {s["estate"] for s in source["snapshots"]} == {source["snapshots"][0]["estate"]}
    assert source["snapshots"][0]["estate"].startswith("aws:organization:o-")
    accounts = [s for snap in source["snapshots"] for s in snap["scopes"] if s["kind"] == "account"]
    assert sorted(s["id"] for s in accounts) == sorted([*members, "123456789012"])  # each account in exactly one shard

    # Three of four shards: refused, naming the missing one.
    capsys.readouterr()
    assert main(["score", *map(str, shards[:1] + shards[2:]), "--no-store", "-o", str(tmp_path / "three")]) == 2
    assert " misses shard 2/4 (" in capsys.readouterr().err
    assert not (tmp_path / "three").exists()
