"""The AWS path: a credential in a tag value or under a credential-named tag key never reaches the snapshot."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import boto3

from cmm_scan.cli import main

REGION = "eu-west-2"
SECRETS = ("abc123SECRET", "hunter2")


def test_secret_tags_are_redacted_in_the_snapshot_and_the_store(aws, tmp_path: Path, capsys) -> None:
    tags = [
        {"Key": "deploy", "Value": "token=abc123SECRET"},
        {"Key": "db-password", "Value": "hunter2"},
        {"Key": "owner", "Value": "team-a"},
    ]
    ec2 = boto3.client("ec2", REGION)
    ec2.run_instances(
        ImageId="ami-12345678",
        MinCount=1,
        MaxCount=1,
        InstanceType="t3.micro",
        TagSpecifications=[{"ResourceType": "instance", "Tags": tags}],
    )
    s3 = boto3.client("s3", REGION)
    s3.create_bucket(Bucket="data", CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_tagging(Bucket="data", Tagging={"TagSet": tags})
    snapshot = tmp_path / "snap.jsonl.gz"
    store = tmp_path / "h.sqlite3"
    assert main(["collect", "aws", "--regions", REGION, "--output", str(snapshot), "-q"]) == 0
    raw = gzip.decompress(snapshot.read_bytes()).decode()
    assert "team-a" in raw, "the tags were collected (else this test proves nothing)"
    for secret in SECRETS:
        assert secret not in raw
    tagged = [json.loads(line) for line in raw.splitlines() if "team-a" in line]
    assert all(f["attributes"]["tags"]["db-password"] == "[redacted]" for f in tagged if "tags" in f["attributes"])
    code = main(["score", str(snapshot), "--store", f"sqlite:///{store}", "--store-snapshot", "-o", str(tmp_path / "out"), "-q"])
    assert code == 0
    capsys.readouterr()
    assert main(["history", "--store", f"sqlite:///{store}", "--json"]) == 0
    (run,) = json.loads(capsys.readouterr().out)
    out_snapshot = tmp_path / "stored.jsonl"
    assert main(["history", "--store", f"sqlite:///{store}", "--run", run["run_id"], "--snapshot-out", str(out_snapshot), "-q"]) == 0
    stored = out_snapshot.read_text(encoding="utf-8")
    assert "team-a" in stored
    for secret in SECRETS:
        assert secret not in stored
    for report in (tmp_path / "out").iterdir():
        for secret in SECRETS:
            assert secret not in report.read_text(encoding="utf-8")
