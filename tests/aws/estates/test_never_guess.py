"""Never guess, across every rule at once: a full scan through the real CLI on in-process moto.

A principal that may read nothing but its own identity gets "I don't know" for all 47 CMM
questions and every CSMM category, however rich the estate; people questions stay unanswered
by configuration even when the estate has everything the technical rules look for.
"""

from __future__ import annotations

import json
from pathlib import Path

import boto3

from cmm_scan.catalogue import all_questions
from cmm_scan.cli import main
from tests.aws.estates import REGION, deny


def _scan(out: Path, *options: str, exit_code: int = 0) -> dict:
    argv = ["scan", "aws", "--regions", REGION, "--output-dir", str(out), "--format", "cmm,json", "-q", *options]
    assert main(argv) == exit_code
    return json.loads((out / "assessment.json").read_text())


def _some_estate() -> None:
    """A little of everything: instances, a bucket, a user, a trail, a log group."""
    boto3.client("ec2", REGION).run_instances(ImageId="ami-12345678", InstanceType="t3.micro", MinCount=2, MaxCount=2)
    s3 = boto3.client("s3", REGION)
    s3.create_bucket(Bucket="data", CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_versioning(Bucket="data", VersioningConfiguration={"Status": "Enabled"})
    boto3.client("iam").create_user(UserName="alice")
    boto3.client("logs", REGION).create_log_group(logGroupName="app")
    boto3.client("cloudtrail", REGION).create_trail(Name="org", S3BucketName="data", IsMultiRegionTrail=True)


def test_a_principal_that_can_read_nothing_gets_i_dont_know_everywhere(aws, tmp_path: Path, monkeypatch) -> None:
    _some_estate()
    deny(monkeypatch, "*")  # an explicit deny of everything; the caller identity is never subject to IAM
    store = tmp_path / "history.sqlite"
    assessment = _scan(tmp_path / "out", "--store", f"sqlite:///{store}", exit_code=3)  # 3: nothing could be read
    answered = {r["id"]: r["answer"] for r in assessment["results"] if r["answer"] != 0}
    assert answered == {}, answered
    assert len(assessment["results"]) == 59
    exported = json.loads((tmp_path / "out" / "cmm-assessment.json").read_text())["assessmentData"]
    answers = [entry["answer"] for name, category in exported.items() if name != "metadata" for entry in category.values()]
    assert len(answers) == 47 and set(answers) == {0}
    assert main(["history", "--store", f"sqlite:///{store}"]) == 0  # the failed read is not a run to compare with


def test_people_questions_are_never_answered_from_configuration(aws, tmp_path: Path) -> None:
    _some_estate()
    results = {r["id"]: r for r in _scan(tmp_path / "out", "--no-store")["results"]}
    people = [q for q in all_questions() if q.startswith("people.") and q != "people.third_parties"]
    assert len(people) == 7
    for question in people:
        assert (results[question]["status"], results[question]["answer"]) == ("manual", 0), question
