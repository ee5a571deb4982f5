"""The estate file: `scan --estate FILE` scans every part, `score --estate FILE` scores what was collected."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest

from cmm_scan.cli import main
from cmm_scan.models import ScopeInfo
from tests.test_estate import capacity_estate


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "estate.yaml"
    path.write_text(text)
    return path


def test_scan_estate_collects_each_part_and_stores_one_run(aws, tmp_path, capsys):
    """An organisation's management account with 3 running VMs, scanned through the estate file: its snapshot
    lands in the file's folder, scoring it again gives the same answers, and both runs are the estate's."""
    boto3.client("organizations", "us-east-1").create_organization(FeatureSet="ALL")
    boto3.client("ec2", "eu-west-2").run_instances(ImageId="ami-12345678", MinCount=3, MaxCount=3, InstanceType="t3.micro")
    store = f"sqlite:///{tmp_path / 'store.db'}"
    estate = write(
        tmp_path,
        f"format_version: 1\nname: dept-a\nstore: {store}\nsnapshots: snaps\n"
        "parts:\n  - provider: aws\n    name: main\n    options: {org: true, regions: [eu-west-2], workers: 2}\n",
    )
    common = ["--questions", "cost.capacity", "--format", "json", "-q"]
    assert main(["scan", "--estate", str(estate), "-o", str(tmp_path / "scan"), *common]) == 0
    assert (tmp_path / "snaps" / "main.jsonl.gz").is_file()
    scanned = json.loads((tmp_path / "scan" / "assessment.json").read_text())
    assert main(["score", "--estate", str(estate), "-o", str(tmp_path / "score"), *common]) == 0
    scored = json.loads((tmp_path / "score" / "assessment.json").read_text())
    assert [(r["id"], r["answer"], r["level_range"]) for r in scanned["results"]] == [
        (r["id"], r["answer"], r["level_range"]) for r in scored["results"]
    ]
    share = next(e for e in scored["results"][0]["evidence"] if e["signal"] == "running_instances")
    assert share["matching"] == 3
    capsys.readouterr()
    assert main(["history", "--store", store, "--json"]) == 0
    assert [r["scope_key"] for r in json.loads(capsys.readouterr().out)] == ["estate:dept-a", "estate:dept-a"]


def test_score_estate_reads_every_parts_shards_and_refuses_a_missing_one(tmp_path, capsys):
    snaps = tmp_path / "snaps"
    org = ScopeInfo(id="o-abc123", kind="organization")
    for i in (1, 2):
        part = capacity_estate("aws", f"{i:012d}", i, 2)
        part.write(snaps / f"aws-1.shard-{i}-of-2.jsonl.gz", umbrella=org, shard=(i, 2), estate="dept-b:aws-1")
    capacity_estate("azure", "sub-1", 5, 0).write(snaps / "cloud-b.jsonl.gz", kind="subscription")
    estate = write(
        tmp_path, "name: dept-b\nshards: 2\nsnapshots: snaps\nparts:\n  - {provider: aws}\n  - {provider: azure, name: cloud-b}\n"
    )
    out = tmp_path / "out"
    assert main(["score", "--estate", str(estate), "-o", str(out), "--format", "json", "--no-store", "-q"]) == 0
    source = json.loads((out / "assessment.json").read_text())["source"]
    assert sorted(s["file"] for s in source["snapshots"]) == [
        "aws-1.shard-1-of-2.jsonl.gz",
        "aws-1.shard-2-of-2.jsonl.gz",
        "cloud-b.jsonl.gz",
    ]
    assert source["providers"] == ["aws", "azure"]

    store = f"sqlite:///{tmp_path / 'store.db'}"
    (snaps / "aws-1.shard-2-of-2.jsonl.gz").unlink()
    assert main(["score", "--estate", str(estate), "-o", str(out), "--store", store, "--allow-partial", "-q"]) == 0
    capsys.readouterr()
    assert main(["history", "--store", store, "--json"]) == 0
    assert [r["scope_key"] for r in json.loads(capsys.readouterr().out)] == ["estate:dept-b/shard-1-of-2"]
    assert main(["score", "--estate", str(estate), "-o", str(tmp_path / "again"), "--no-store"]) == 2
    assert "incomplete shard set: dept-b:aws-1 misses shard 2/2" in capsys.readouterr().err
    (snaps / "cloud-b.jsonl.gz").unlink()
    assert main(["score", "--estate", str(estate), "--no-store"]) == 2
    assert "no snapshot of part cloud-b (scan it first" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (
            "name: x\nparts: [{provider: aws, options: {subscriptions: a}}]\n",
            "parts[0].options.subscriptions is an Azure option; aws takes profile, role_arn,",
        ),
        ("name: x\nparts: [{provider: vmware}]\n", "parts.0.provider: Value error, 'vmware' is not a provider"),
        ("name: x y\nparts: [{provider: aws}]\n", "name: Value error, use letters, digits"),
        ("name: x\nparts: []\n", "parts: List should have at least 1 item"),
        ("name: x\nparts: [{provider: oci, options: {auth: password}}]\n", "parts[0].options.auth: Input should be"),
        ("name: x\nparts: [{provider: aws}, {provider: aws, name: aws-1}]\n", "name 'aws-1' must be unique"),
    ],
)
def test_a_bad_estate_file_is_one_line(tmp_path, capsys, text, line):
    estate = write(tmp_path, text)
    assert main(["score", "--estate", str(estate), "--no-store", "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert line in err and "\n" not in err, err
    assert not (tmp_path / "out").exists()


def test_scan_estate_takes_no_cloud_options_and_its_own_shard_count(tmp_path, capsys):
    estate = write(tmp_path, "name: x\nshards: 4\nparts: [{provider: aws}]\n")
    assert main(["scan", "aws", "--estate", str(estate), "--no-store"]) == 2
    assert "with --estate, the clouds and their options come from the file" in capsys.readouterr().err
    assert main(["scan", "--estate", str(estate), "--profile", "p", "--no-store"]) == 2
    assert "with --estate" in capsys.readouterr().err
    assert main(["scan", "--estate", str(estate), "--shard", "1/2", "--no-store"]) == 2
    assert "splits each part into 4 shards" in capsys.readouterr().err
    assert main(["scan", "--no-store"]) == 2
    assert "which cloud? give a provider" in capsys.readouterr().err
    assert main(["score", "a.jsonl", "--estate", str(estate), "--no-store"]) == 2
    assert "give snapshots or --estate, not both" in capsys.readouterr().err
