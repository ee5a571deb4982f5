"""What `scan` tells the user on the console: the summary of both frameworks and the collectors that failed."""

from __future__ import annotations

from pathlib import Path

import boto3

from cmm_scan.cli import main


def test_scan_prints_the_summary_and_names_failed_collectors_without_verbose(aws, tmp_path: Path, capsys) -> None:
    """moto serves no Detective: its collector fails, and the user is told which one without -v."""
    boto3.client("ec2", "eu-west-2").run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1, InstanceType="t3.micro")
    code = main(["scan", "aws", "--regions", "eu-west-2", "--questions", "csmm,cost.capacity", "--no-store", "-o", str(tmp_path / "o")])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "Cloud Security Maturity Model" in captured.out and "Mean answer" in captured.out
    failed = [line for line in captured.err.splitlines() if "could not read everything" in line]
    assert len(failed) == 1 and "detective" in failed[0], captured.err
