"""Baselines and the responsibility model through the real command line, on the bundled demo estate.

The demo estate (fixtures/demo) has three AWS accounts: 111111111111 with an administrator who signs
in with a password and an authenticator app, 222222222222 and 333333333333 with no organisation trail of
their own. The bundled Cabinet Office model (seed 004) gives identity work to the service team owning
the account, and logging to cyber security.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml

from cmm_scan.cli import main
from cmm_scan.paths import bundled

EXAMPLE = bundled("responsibility") / "cabinet-office-aws.yaml"


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cmm_scan.cli", *args], capture_output=True, text=True, timeout=120)


def model(tmp_path: Path, **changes) -> Path:
    data = yaml.safe_load(EXAMPLE.read_text()) | changes
    path = tmp_path / "model.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def demo(tmp_path: Path, *options: str, code: int = 0) -> dict:
    out = tmp_path / "out"
    assert main(["demo", "-q", "--no-store", "--output-dir", str(out), "--format", "json,md,csv,html", *options]) == code
    return json.loads((out / "assessment.json").read_text())


def test_failing_musts_name_the_owner_the_model_gives(tmp_path: Path) -> None:
    """ "phishing-resistant authentication must be used for privileged access" fails in 111111111111, an account
    of the "Example service" team, whose area (accounts and role-based access) the service team owns."""
    assessment = demo(tmp_path, "--baseline", "dwp-cloud-security", "--responsibility", str(EXAMPLE))
    checks = {c["id"]: c for c in assessment["policy"]["checks"]}
    phishing = checks["identity.phishing_resistant_privileged"]
    assert phishing["verdict"] == "does_not_hold"
    assert [s["scope"] for s in phishing["scopes"] if s["verdict"] == "does_not_hold"] == ["111111111111"]
    assert phishing["owner"]["responsible"] == ["Service team"] and phishing["owner"]["teams"] == ["Example service"]
    logging = checks["logging.everywhere"]
    assert logging["verdict"] == "does_not_hold" and logging["owner"]["responsible"] == ["Cyber security"]
    assert all(r["owner"] for r in assessment["results"]), "every question carries its owner"
    assert all(e["area"] for r in assessment["results"] for e in r["evidence"]), "every piece of evidence has an area"
    manual = [c for c in checks.values() if c["verdict"] == "for_a_person"]
    assert manual and all(c["evidence_to_bring"] and c["owner"] for c in manual)
    rows = list(csv.DictReader((tmp_path / "out" / "policy.csv").open()))
    assert {"check": "identity.phishing_resistant_privileged", "scope": "111111111111", "team": "Example service"}.items() <= next(
        r for r in rows if r["check"] == "identity.phishing_resistant_privileged" and r["scope"] == "111111111111"
    ).items()
    md = (tmp_path / "out" / "assessment.md").read_text()
    assert "## Policy baseline: DWP cloud computing security policy" in md and "## By owner" in md


def test_fail_on_policy_exits_4_naming_each_failing_must_and_its_owner(tmp_path: Path) -> None:
    done = run_cli("demo", "-q", "--no-store", "-o", str(tmp_path / "out"), "--baseline", "dwp-cloud-security",
                   "--responsibility", str(EXAMPLE), "--fail-on", "policy")  # fmt: skip
    assert done.returncode == 4, done.stderr
    lines = done.stderr.splitlines()
    assert (
        "policy: does not hold: identity.phishing_resistant_privileged in 111111111111 — owner: Service team (Example service)"
        in " ".join(lines)
    )
    assert any(line.startswith("policy: 1 check cannot tell") for line in lines), lines  # counted, never failed


def test_cannot_tell_never_fails_the_gate(tmp_path: Path) -> None:
    """A baseline whose only check cannot tell (the organisation's accounts were not collected in the demo)."""
    folder = tmp_path / "only-unknown"
    (folder / "checks").mkdir(parents=True)
    (folder / "baseline.yaml").write_text("format_version: 1\nid: only-unknown\ntitle: One check\n")
    source = bundled("baselines") / "dwp-cloud-security" / "checks" / "network.environment_separation.yaml"
    (folder / "checks" / source.name).write_text(source.read_text())
    assessment = demo(tmp_path, "--baseline", str(folder), "--fail-on", "policy")
    assert [c["verdict"] for c in assessment["policy"]["checks"]] == ["cannot_tell"]


def test_owner_filter_keeps_one_owners_part_in_every_format(tmp_path: Path) -> None:
    assessment = demo(tmp_path, "--baseline", "dwp-cloud-security", "--responsibility", str(EXAMPLE), "--owner", "cyber security")
    owners = {r["owner"]["accountable"] for r in assessment["results"]} | {
        c["owner"]["accountable"] for c in assessment["policy"]["checks"]
    }
    assert owners == {"Cyber security"}
    assert {c["id"] for c in assessment["policy"]["checks"]} >= {"logging.everywhere", "detection.threat_detection"}
    assert assessment["responsibility"]["owner_filter"] == "Cyber security"
    rows = list(csv.DictReader((tmp_path / "out" / "assessment.csv").open()))
    assert rows and {r["accountable"] for r in rows} == {"Cyber security"}
    team = demo(tmp_path, "--baseline", "dwp-cloud-security", "--responsibility", str(EXAMPLE), "--owner", "Example service")
    scopes = {s["scope"] for c in team["policy"]["checks"] for s in c["scopes"]}
    assert scopes == {"111111111111"}, "a team sees its own accounts only"


def test_shared_responsibility_question_uses_a_current_model(tmp_path: Path) -> None:
    """Level 4 of gov.shared_responsibility: "We plan with the shared responsibility model, review often, and
    record responsibilities." A model reviewed 10 days ago that covers AWS (the demo's only cloud) records and
    reviews them; level 5 ("at the centre of all our cloud decisions") is for a person, so 4 is suggested."""
    fresh = model(tmp_path, reviewed_on=(date.today() - timedelta(days=10)).isoformat())
    results = {r["id"]: r for r in demo(tmp_path, "--responsibility", str(fresh))["results"]}
    question = results["gov.shared_responsibility"]
    assert (question["status"], question["answer"], question["possible_levels"]) == ("suggested", 4, [4, 5])
    assert question["reasons"][0].startswith("Because the responsibility model")


@pytest.mark.parametrize(
    ("changes", "why"),
    [
        ({"reviewed_on": (date.today() - timedelta(days=400)).isoformat()}, "more than 365"),
        ({"clouds": ["azure"]}, "does not cover aws"),
        ({"reviewed_on": None}, "no reviewed_on date"),
    ],
)
def test_a_stale_or_partial_model_leaves_it_a_people_question(tmp_path: Path, changes: dict, why: str) -> None:
    results = {r["id"]: r for r in demo(tmp_path, "--responsibility", str(model(tmp_path, **changes)))["results"]}
    question = results["gov.shared_responsibility"]
    assert (question["status"], question["answer"]) == ("manual", 0)
    assert any(why in reason for reason in question["reasons"]), question["reasons"]


def test_without_a_model_it_stays_a_people_question(tmp_path: Path) -> None:
    question = next(r for r in demo(tmp_path)["results"] if r["id"] == "gov.shared_responsibility")
    assert (question["status"], question["answer"], question["owner"]) == ("manual", 0, None)


def test_review_age_threshold_comes_from_the_config(tmp_path: Path) -> None:
    reviewed = model(tmp_path, reviewed_on=(date.today() - timedelta(days=100)).isoformat())
    config = tmp_path / "config.yaml"
    config.write_text(f"format_version: 1\nresponsibility:\n  file: {reviewed}\n  review_max_age_days: 90\n")
    question = next(r for r in demo(tmp_path, "--config", str(config))["results"] if r["id"] == "gov.shared_responsibility")
    assert question["status"] == "manual"


BAD = {
    "responsibility not yaml": (["--responsibility", "{path}"], "model.yaml", "parties: [\n", "model.yaml:2: not valid YAML"),
    "raci names no party": (
        ["--responsibility", "{path}"],
        "model.yaml",
        None,
        "areas.governance.responsible: 'nobody' is not one of the parties",
    ),
    "area without raci": (["--responsibility", "{path}"], "model.yaml", "drop-area", "area 'protective_monitoring' has no RACI"),
    "blank template": (["--responsibility", str(bundled("responsibility") / "template.yaml")], None, None, "template.yaml:"),
    "unknown baseline": (["--baseline", "no-such-policy"], None, None, "--baseline no-such-policy: no such baseline"),
    "check without quote": (["--baseline", "{dir}"], "check", "statement", "statement: Field required"),
    "check reads unknown fact": (["--baseline", "{dir}"], "check", "fact", "fact type 'made.up' is not in providers/facts.yaml"),
    "owner without model": (["--owner", "cyber security"], None, None, "--owner needs a responsibility model"),
    "unknown owner": (["--responsibility", str(EXAMPLE), "--owner", "nobody"], None, None, "--owner 'nobody': no such party"),
    "unknown gate": (["--fail-on", "vibes"], None, None, "--fail-on: unknown gate vibes"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_malformed_baseline_or_model_gets_one_clear_line(tmp_path: Path, case: str) -> None:
    options, kind, change, expected = BAD[case]
    path, folder = tmp_path / "model.yaml", tmp_path / "mine"
    if kind == "model.yaml":
        data = yaml.safe_load(EXAMPLE.read_text())
        if change is None:
            data["areas"]["governance"]["responsible"] = ["nobody"]
            path.write_text(yaml.safe_dump(data))
        elif change == "drop-area":
            del data["areas"]["protective_monitoring"]
            path.write_text(yaml.safe_dump(data))
        else:
            path.write_text(change)
    if kind == "check":
        (folder / "checks").mkdir(parents=True)
        (folder / "baseline.yaml").write_text("format_version: 1\nid: mine\ntitle: Mine\n")
        check = yaml.safe_load((bundled("baselines") / "dwp-cloud-security" / "checks" / "encryption.at_rest.yaml").read_text())
        if change == "statement":
            del check["statement"]
        else:
            check["signals"]["unencrypted_volumes"]["fact"] = "made.up"
        (folder / "checks" / "encryption.at_rest.yaml").write_text(yaml.safe_dump(check))
    out = tmp_path / "out"
    args = [o.replace("{path}", str(path)).replace("{dir}", str(folder)) for o in options]
    done = run_cli("demo", "--no-store", "-o", str(out), *args)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("cmm-scan: error: "), done.stderr
    assert expected in lines[0], lines[0]
    assert "Traceback" not in done.stderr and not out.exists(), "nothing half-written"


def test_report_cuts_a_stored_assessment_by_owner(tmp_path: Path) -> None:
    """`report --owner` on an assessment.json that already carries owners needs no model again."""
    demo(tmp_path, "--baseline", "dwp-cloud-security", "--responsibility", str(EXAMPLE))
    out = tmp_path / "team"
    argv = ["report", str(tmp_path / "out" / "assessment.json"), "-q", "-o", str(out), "--format", "json", "--owner", "Example service"]
    assert main([*argv, "--fail-on", "policy"]) == 4  # the team's own musts fail in its account
    team = json.loads((out / "assessment.json").read_text())
    assert {s["scope"] for c in team["policy"]["checks"] for s in c["scopes"]} == {"111111111111"}
