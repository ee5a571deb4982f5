"""The command line end to end, on the bundled sample estate."""

import json
import os
import subprocess
import sys
import venv
from pathlib import Path

from cmm_scan import __version__
from cmm_scan.catalogue import cmm_questions
from cmm_scan.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_demo_writes_every_format_with_all_47_answers_in_range(tmp_path, capsys):
    out = tmp_path / "report"
    assert main(["demo", "--output-dir", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Cost & Sustainability" in printed and "Mean answer" in printed
    for name in ("assessment.json", "assessment.md", "assessment.csv", "cmm-assessment.json"):
        assert (out / name).stat().st_size > 0, name
    export = json.loads((out / "cmm-assessment.json").read_text(encoding="utf-8"))
    data = export["assessmentData"]
    assert data["metadata"]["version"] and data["metadata"]["createdAt"]
    answered = {key: entry for category in data.values() if "version" not in category for key, entry in category.items()}
    questions = {q.key: q for q in cmm_questions()}
    assert set(answered) == set(questions)
    for key, entry in answered.items():
        assert isinstance(entry["answer"], int) and 0 <= entry["answer"] <= questions[key].max_level
        assert isinstance(entry["needsImprovement"], bool)
    assert export["exportMetadata"]["totalQuestions"] == 47


def test_score_and_report_are_separate_stages(tmp_path):
    from cmm_scan.demo import demo_snapshots

    assert main(["score", str(demo_snapshots()[0].parent), "--output-dir", str(tmp_path / "a"), "--format", "json", "-q"]) == 0
    assessment = tmp_path / "a" / "assessment.json"
    assert main(["report", str(assessment), "--output-dir", str(tmp_path / "b"), "--format", "md,cmm", "-q"]) == 0
    assert (tmp_path / "b" / "assessment.md").read_text(encoding="utf-8").startswith("# Cloud Maturity Model")
    first = json.loads(assessment.read_text(encoding="utf-8"))
    assert len(first["results"]) == 47 + 12


def test_questions_limit_the_scan(tmp_path):
    assert main(["demo", "--questions", "cost.capacity,sec", "--output-dir", str(tmp_path), "--format", "json", "-q"]) == 0
    results = json.loads((tmp_path / "assessment.json").read_text(encoding="utf-8"))["results"]
    ids = {r["id"] for r in results}
    assert "cost.capacity" in ids and all(i == "cost.capacity" or i.startswith("sec.") for i in ids)


def test_targets_set_needs_improvement(tmp_path):
    config = tmp_path / "cmm-scan.yaml"
    config.write_text("targets: {all: 5}\n", encoding="utf-8")
    assert main(["demo", "--config", str(config), "--output-dir", str(tmp_path), "--format", "cmm", "-q"]) == 0
    export = json.loads((tmp_path / "cmm-assessment.json").read_text(encoding="utf-8"))
    entries = [e for c, by_key in export["assessmentData"].items() if c != "metadata" for e in by_key.values()]
    assert len(entries) == 47
    assert all(e["needsImprovement"] == (e["answer"] < 5) for e in entries)  # only an answer at 5 meets a target of 5
    below = sum(e["answer"] < 5 for e in entries)
    assert 40 <= below < 47 and export["exportMetadata"]["improvementCount"] == below  # the demo's repositories reach 5


def test_rules_check_list_explain(capsys):
    assert main(["rules", "check"]) == 0
    assert "59 rules" in capsys.readouterr().out
    assert main(["rules", "list"]) == 0
    assert len(capsys.readouterr().out.strip().splitlines()) == 1 + 59  # a header, then one line a rule
    assert main(["rules", "explain", "cost.capacity"]) == 0
    assert "Thresholds" in capsys.readouterr().out
    assert main(["rules", "explain", "nope"]) == 2


def test_help_and_version_do_not_import_cloud_sdks():
    code = (
        "import sys; from cmm_scan.cli import main\ntry: main(['--version'])\nexcept SystemExit: pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('boto3','botocore','pydantic','yaml')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines() == [f"cmm-scan {__version__}", "[]"]


BUNDLED_POLICY = ["--baseline", "dwp-cloud-security", "--responsibility", "cabinet-office-aws"]


def test_wheel_installs_and_runs_the_demo_outside_the_checkout(tmp_path):
    """`pip install .` into a fresh venv; the demo runs from another directory with bundled data."""
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", str(ROOT)], check=True, timeout=300)
    # The core's dependencies come from this environment's site-packages (no network in tests).
    import platformdirs
    import pydantic
    import pydantic_core
    import yaml

    site = os.pathsep.join(sorted({str(Path(m.__file__).parents[1]) for m in (pydantic, pydantic_core, yaml, platformdirs)}))
    out_dir = tmp_path / "elsewhere" / "out"
    out_dir.parent.mkdir()
    proc = subprocess.run(
        # the bundled baseline and responsibility example by name: they ship in the wheel like rules/
        [str(env_dir / "bin" / "cmm-scan"), "demo", "--output-dir", str(out_dir), "-q", *BUNDLED_POLICY],
        cwd=out_dir.parent,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": site, "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 0, proc.stderr
    assert (out_dir / "cmm-assessment.json").exists()
    assert '"baseline": "dwp-cloud-security"' in (out_dir / "assessment.json").read_text()
