"""What a new user sees: help defaults, summaries, failed collectors named, one-line reasons, files for people."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from cmm_scan.cli import main
from cmm_scan.config import load_config
from cmm_scan.errors import UserError
from cmm_scan.models import Coverage, SnapshotHeader
from cmm_scan.snapshot_io import SnapshotWriter

ROOT = Path(__file__).resolve().parents[1]


def _cli(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cmm_scan.cli", *args], capture_output=True, text=True, timeout=120, env=env, cwd=cwd)


def test_help_names_each_commands_own_default_formats() -> None:
    assert "(default json,md,csv,cmm,html)" in " ".join(_cli("demo", "--help").stdout.split())
    assert "(default md)" in " ".join(_cli("report", "--help").stdout.split())
    assert "(default json,md,cmm)" in " ".join(_cli("score", "--help").stdout.split())


def test_permissions_aws_needs_no_boto3(tmp_path: Path) -> None:
    """The policy comes from the specs: a machine without boto3 can still print it."""
    shadow = tmp_path / "shadow" / "boto3"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ModuleNotFoundError(\"No module named 'boto3'\", name='boto3')\n")
    env = {"PYTHONPATH": f"{shadow.parent}:{ROOT / 'src'}", "PATH": "/usr/bin:/bin"}
    proc = _cli("permissions", "aws", env=env)
    assert proc.returncode == 0, proc.stderr
    policy = json.loads(proc.stdout)
    actions = {a for statement in policy["Statement"] for a in statement["Action"]}
    assert "ec2:DescribeInstances" in actions


def test_csmm_only_writes_no_official_tool_file_and_does_not_offer_one(tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    assert main(["demo", "--no-store", "--questions", "csmm", "--output-dir", str(out)]) == 0
    captured = capsys.readouterr()
    assert not (out / "cmm-assessment.json").exists() and not (out / "cmm-evidence.json").exists()
    assert "cmm-assessment.json" not in captured.out + captured.err
    assert "Data Security" in captured.out, "the CSMM categories are in the console summary"


def test_console_summary_shows_both_frameworks(tmp_path: Path, capsys) -> None:
    assert main(["demo", "--no-store", "--output-dir", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "Mean answer" in out and "Cloud Security Maturity Model" in out and "Incident Response" in out


def test_rules_list_has_a_header_and_straight_columns(capsys) -> None:
    assert main(["rules", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["RULE", "AUTOMATION", "QUESTION", "FACTS"]
    starts = {line.index(line.split()[1], len(line.split()[0])) for line in lines}
    assert len(starts) == 1, "the second column does not start at one offset"
    question_at = lines[0].index("QUESTION")
    assert all(line[question_at - 2 : question_at] == "  " for line in lines)


def test_import_cmm_writes_no_yaml_anchors(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["demo", "-q", "--no-store", "--format", "cmm", "--output-dir", str(out)]) == 0
    answers = tmp_path / "answers.yaml"
    assert main(["import-cmm", str(out / "cmm-assessment.json"), "--output", str(answers), "--answered-by", "A. Assessor", "-q"]) == 0
    text = answers.read_text(encoding="utf-8")
    assert "answered_by: A. Assessor" in text
    assert "&id" not in text and "*id" not in text


def test_coverage_reasons_stay_one_line_without_html(tmp_path: Path) -> None:
    """A gateway's HTML error page in an SDK error becomes its title, on one line, in the snapshot and reports."""
    page = "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n<body><h1>Bad Gateway</h1><p>nginx</p></body></html>"
    snapshot = tmp_path / "s.jsonl"
    header = SnapshotHeader(tool_version="t", provider="aws", started_at=datetime.now(UTC), fact_types=["compute.instance"])
    with SnapshotWriter(snapshot, header) as writer:
        writer.coverage(
            Coverage(
                collector="ec2.instances",
                provider="aws",
                scope="111111111111",
                region="eu-west-2",
                status="error",
                fact_types=["compute.instance"],
                reason=f"An error occurred (502) when calling DescribeInstances: {page}",
            )
        )
    raw = snapshot.read_text(encoding="utf-8")
    assert "<html" not in raw and "502 Bad Gateway" in raw
    out = tmp_path / "out"
    assert main(["score", str(snapshot), "--no-store", "-q", "--format", "md", "--output-dir", str(out)]) == 0
    report = (out / "assessment.md").read_text(encoding="utf-8")
    assert "<html" not in report and "<body" not in report
    assert "502 Bad Gateway (an HTML page)" in report


def test_config_errors_point_to_a_page_that_exists(tmp_path: Path) -> None:
    bad = tmp_path / "c.yaml"
    bad.write_text("thresholds: [1]\n")
    try:
        load_config(bad)
    except UserError as exc:
        page = exc.hint.split("see ", 1)[1].split(" ", 1)[0]
    else:
        raise AssertionError("a bad config was accepted")
    assert (ROOT / page).is_file(), f"{page} does not exist"
