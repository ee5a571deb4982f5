"""Bad input: one clear line naming the file and the problem, exit 2, no traceback, nothing written."""

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from cmm_scan.cli import main
from cmm_scan.demo import demo_snapshots

# One shard of the demo organisation, made a whole snapshot: scored alone, a shard is refused as an incomplete set.
_DEMO_LINES = demo_snapshots()[0].read_text(encoding="utf-8").splitlines()
SNAPSHOT_LINES = [json.dumps(json.loads(_DEMO_LINES[0]) | {"shard": None, "estate": None}), *_DEMO_LINES[1:]]


def write(tmp_path: Path, lines: list[str], name: str = "s.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cmm_scan.cli", *args], capture_output=True, text=True, timeout=120)


def header(**changes):
    data = json.loads(SNAPSHOT_LINES[0]) | changes
    return json.dumps(data)


CORRUPTIONS = {
    "truncated": (lambda lines: lines[: len(lines) // 2], "incomplete (no end record"),
    "bad json": (lambda lines: [*lines[:3], '{"record": "fact", "type": ', *lines[3:]], ":4: not valid JSON"),
    "wrong version": (lambda lines: [header(format_version=99), *lines[1:]], "format version 99 is not supported"),
    "not a snapshot": (lambda lines: ['{"hello": "world"}', *lines[1:]], "not a cmm-scan snapshot"),
    "bad fact": (
        lambda lines: [*lines[:2], json.dumps({"record": "fact", "type": "x.y", "provider": "aws"}), *lines[2:]],
        ":3: scope: Field required",
    ),
    "empty": (lambda lines: [], "empty file"),
    "counts differ": (lambda lines: [*lines[:-2], lines[-1]], "end record counts"),
}


@pytest.mark.parametrize("case", sorted(CORRUPTIONS))
def test_corrupted_snapshot_gives_one_line_and_exit_2(tmp_path, case, capsys):
    corrupt, expected = CORRUPTIONS[case]
    snapshot = write(tmp_path, corrupt(SNAPSHOT_LINES))
    out_dir = tmp_path / "out"
    code = main(["score", str(snapshot), "--output-dir", str(out_dir), "--format", "json,md,csv,cmm"])
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1, err
    assert expected in err and str(snapshot) in err
    assert "Traceback" not in err
    assert not out_dir.exists() or not any(out_dir.iterdir())


def test_corrupted_snapshot_through_the_real_process(tmp_path):
    snapshot = write(tmp_path, SNAPSHOT_LINES[:5])
    proc = run_cli("score", str(snapshot), "--output-dir", str(tmp_path / "out"))
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "incomplete" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists()


def test_gzip_snapshot_reads_like_plain(tmp_path, capsys):
    path = tmp_path / "s.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as out:
        out.write("\n".join(SNAPSHOT_LINES) + "\n")
    assert main(["score", str(path), "--output-dir", str(tmp_path / "out"), "--format", "json", "-q"]) == 0
    assert json.loads((tmp_path / "out" / "assessment.json").read_text())["format"] == "cmm-scan-assessment"


def test_missing_snapshot(tmp_path, capsys):
    assert main(["score", str(tmp_path / "nope.jsonl")]) == 2
    assert "cannot read snapshot" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ("thresholds: {cost.capacity: {nope: 1}}\n", "no threshold named nope"),
        ("thresholds: {no.such: {x: 1}}\n", "thresholds given for unknown rules: no.such"),
        ("format_version: 7\n", "format_version: Input should be less than or equal to 1"),
        ("targets: [1, 2\n", "not valid YAML"),
        ("colour: blue\n", "colour: Extra inputs are not permitted"),
        ("targets: {all: 3}\nminimums: {all: 1}\ntargets: {all: 4}\n", "cmm-scan.yaml:3: 'targets' is given twice in the same mapping"),
    ],
)
def test_malformed_config_names_the_file(tmp_path, capsys, config, expected):
    path = tmp_path / "cmm-scan.yaml"
    path.write_text(config, encoding="utf-8")
    out_dir = tmp_path / "out"
    assert main(["demo", "--config", str(path), "--output-dir", str(out_dir), "-q"]) == 2
    err = capsys.readouterr().err
    assert expected in err and len(err.strip().splitlines()) == 1
    assert not out_dir.exists()


def test_malformed_answers_file(tmp_path, capsys):
    answers = tmp_path / "answers.yaml"
    answers.write_text("format_version: 1\nanswers:\n  people.training: {level: 9}\n", encoding="utf-8")
    assert main(["demo", "--answers", str(answers), "--output-dir", str(tmp_path / "out"), "-q"]) == 2
    err = capsys.readouterr().err
    assert "answers.yaml:3: answers.people.training.level" in err


def test_unknown_format_and_unknown_question(tmp_path, capsys):
    assert main(["demo", "--format", "json,pdf", "--output-dir", str(tmp_path)]) == 2
    assert "unknown format pdf" in capsys.readouterr().err
    assert main(["demo", "--questions", "cost.nope", "--output-dir", str(tmp_path)]) == 2
    assert "no rule matches cost.nope" in capsys.readouterr().err


def test_broken_rules_dir_stops_with_file_and_line(tmp_path, capsys):
    import shutil

    from cmm_scan.rules import rules_dir

    rules = tmp_path / "rules"
    shutil.copytree(rules_dir(), rules)
    target = rules / "cmm" / "cost.capacity.yaml"
    target.write_text(target.read_text(encoding="utf-8").replace("kind: share", "kind: ratio", 1), encoding="utf-8")
    assert main(["rules", "check", "--rules-dir", str(rules)]) == 2
    err = capsys.readouterr().err
    assert "cost.capacity.yaml:" in err and "kind" in err


def test_report_rejects_a_wrong_version_assessment(tmp_path, capsys):
    path = tmp_path / "assessment.json"
    path.write_text(json.dumps({"format": "cmm-scan-assessment", "format_version": 42}), encoding="utf-8")
    assert main(["report", str(path), "--output-dir", str(tmp_path / "out")]) == 2
    assert "version 42 is not supported" in capsys.readouterr().err


def test_written_files_follow_the_umask_not_private(tmp_path):
    import os
    import stat

    old = os.umask(0o022)
    try:
        assert main(["demo", "--output-dir", str(tmp_path), "--format", "json", "-q"]) == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "assessment.json").stat().st_mode) == 0o644
