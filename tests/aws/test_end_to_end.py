"""The real CLI in a subprocess against a moto server, an organisation of four accounts, a denied principal,
and proof that the printed policy covers every call a scan makes."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from cmm_scan.cli import main
from tests.support.moto import client, cpu_scaled_group, moto_server

REGIONS = "eu-west-2,us-east-1"


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with moto_server() as endpoint:
        yield endpoint


def _member_creds(endpoint: str, account: str) -> dict:
    role = f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole"
    c = client(endpoint, "sts").assume_role(RoleArn=role, RoleSessionName="build")["Credentials"]
    return {"aws_access_key_id": c["AccessKeyId"], "aws_secret_access_key": c["SecretAccessKey"], "aws_session_token": c["SessionToken"]}


def _estate(endpoint: str) -> list[str]:
    org = client(endpoint, "organizations", "us-east-1")
    org.create_organization(FeatureSet="ALL")
    members = [org.create_account(AccountName=f"m{i}", Email=f"m{i}@example.org")["CreateAccountStatus"]["AccountId"] for i in range(3)]
    cpu_scaled_group(endpoint, "web", "m6g.large")
    client(endpoint, "s3").create_bucket(Bucket="mgmt-logs", CreateBucketConfiguration={"LocationConstraint": "eu-west-2"})
    client(endpoint, "iam").create_user(UserName="breakglass")
    for i, account in enumerate(members):
        creds = _member_creds(endpoint, account)
        client(endpoint, "ec2", creds=creds).run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1, InstanceType="t3.micro")
        client(endpoint, "s3", creds=creds).create_bucket(
            Bucket=f"member-{i}-data", CreateBucketConfiguration={"LocationConstraint": "eu-west-2"}
        )
    return members


def _records(path: Path) -> list[dict]:
    with gzip.open(path, "rt") as handle:
        return [json.loads(line) for line in handle]


def test_cli_scans_an_organisation_through_the_moto_server(server: str, tmp_path: Path) -> None:
    members = _estate(server)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ENDPOINT_URL=server, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_MAX_ATTEMPTS="1")
    out = tmp_path / "report"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "cmm_scan.cli",
            "scan",
            "aws",
            "--org",
            "--regions",
            REGIONS,
            "--output-dir",
            str(out),
            "--format",
            "cmm,json",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr
    records = _records(out / "snapshot.jsonl.gz")
    header = records[0]
    organization = client(server, "organizations", "us-east-1").describe_organization()["Organization"]["Id"]
    assert {(s["id"], s["kind"]) for s in header["scopes"]} == {(organization, "organization")} | {
        (a, "account") for a in {"123456789012", *members}
    }
    # the organisation keys the history, so it survives accounts joining and leaving
    from cmm_scan.assessment_io import read_assessment
    from cmm_scan.store import scope_key

    assert scope_key(read_assessment(out / "assessment.json")) == f"aws:org:{organization}"
    facts = [r for r in records if r["record"] == "fact"]
    coverage = [r for r in records if r["record"] == "coverage"]
    instances = [f for f in facts if f["type"] == "compute.instance"]
    assert {f["scope"] for f in instances} == {"123456789012", *members}
    web = [f for f in instances if f["attributes"]["autoscaling_group"] == "web"]
    assert len(web) == 3 and all(f["attributes"]["autoscaled"] and f["attributes"]["arm"] for f in web)
    buckets = {f["resource_id"].rsplit(":", 1)[-1]: f["scope"] for f in facts if f["type"] == "storage.bucket"}
    assert buckets == {"mgmt-logs": "123456789012", **{f"member-{i}-data": a for i, a in enumerate(members)}}
    mine = {"ec2.instances", "autoscaling.groups", "s3.buckets", "iam.users", "organizations.organization", "logs.log_groups"}
    assert {c["status"] for c in coverage if c["collector"] in mine} == {"ok"}
    # organisation data is read in the management account; members say so instead of guessing
    member_policies = [c for c in coverage if c["collector"] == "organizations.policies" and c["scope"] in members]
    assert {c["status"] for c in member_policies} == {"ok"} and all("management account" in c["reason"] for c in member_policies)
    (organization,) = [f for f in facts if f["type"] == "org.organization" and f["scope"] == "123456789012"]
    assert organization["attributes"]["accounts"] == 4
    assert json.loads((out / "assessment.json").read_text())["results"]
    assert "assessmentData" in json.loads((out / "cmm-assessment.json").read_text())


def test_denied_principal_gives_dont_know(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A principal that may read EC2 but not Auto Scaling: coverage `denied`, cost.capacity exported as 0."""
    from moto import mock_aws
    from moto.core import set_initial_no_auth_action_count

    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-2")

    @set_initial_no_auth_action_count(4)
    def scenario() -> tuple[int, Path]:
        iam = boto3.client("iam")
        iam.create_user(UserName="auditor")
        policy = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": ["ec2:Describe*", "sts:GetCallerIdentity"], "Resource": "*"}],
        }
        iam.put_user_policy(UserName="auditor", PolicyName="ec2-only", PolicyDocument=json.dumps(policy))
        key = iam.create_access_key(UserName="auditor")["AccessKey"]
        boto3.client("ec2", "eu-west-2").run_instances(ImageId="ami-12345678", MinCount=2, MaxCount=2)  # allowed: the 4th free call
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"])
        out = tmp_path / "denied"
        code = main(
            [
                "scan",
                "aws",
                "--regions",
                "eu-west-2",
                "--questions",
                "cost.capacity",
                "--output-dir",
                str(out),
                "--format",
                "cmm,json",
                "-q",
            ]
        )
        return code, out

    with mock_aws():
        code, out = scenario()
    assert code == 0
    coverage = [r for r in _records(out / "snapshot.jsonl.gz") if r["record"] == "coverage"]
    assert {c["status"] for c in coverage if c["collector"] == "autoscaling.groups"} == {"denied"}
    assert {c["status"] for c in coverage if c["collector"] == "ec2.instances"} == {"ok"}
    (result,) = [r for r in json.loads((out / "assessment.json").read_text())["results"] if r["id"] == "cost.capacity"]
    exported = json.loads((out / "cmm-assessment.json").read_text())["assessmentData"][result["category"]][result["key"]]
    assert result["answer"] == 0 and exported["answer"] == 0


def test_printed_policy_covers_every_call_of_a_full_scan(aws, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from botocore import xform_name

    from cmm_scan.aws import clients
    from cmm_scan.aws.permissions import PLAN_CALLS, collector_calls
    from cmm_scan.aws.spec import catalogue

    boto3.client("s3", "eu-west-2").create_bucket(Bucket="bucket-one", CreateBucketConfiguration={"LocationConstraint": "eu-west-2"})
    boto3.client("ec2", "eu-west-2").run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1)
    boto3.client("iam").create_user(UserName="u1")
    assert main(["permissions", "aws"]) == 0
    allowed = {a.lower() for a in json.loads(capsys.readouterr().out)["Statement"][0]["Action"]}

    seen: set[tuple[str, str]] = set()
    clients.call_listeners.append(lambda service, operation: seen.add((service, xform_name(operation))))
    try:
        assert main(["collect", "aws", "--regions", "eu-west-2", "--output", str(tmp_path / "s.jsonl.gz"), "-q"]) == 0
    finally:
        clients.call_listeners.clear()

    cat = catalogue()
    declared = dict(PLAN_CALLS) | {(s, o): a for c in cat.collectors.values() for s, o, a in collector_calls(c, cat)}
    assert len(seen) > 20
    for call in sorted(seen):
        assert call in declared, f"{call} was called but no spec declares it"
        assert declared[call].lower() in allowed, f"{call} needs {declared[call]}, missing from the printed policy"
