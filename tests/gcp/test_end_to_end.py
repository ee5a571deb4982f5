"""The real CLI in a subprocess with nothing but the emulator's printed settings: an organisation of two
folders and four projects, and proof that the printed custom role covers every call a scan makes."""

from __future__ import annotations

import gzip
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

from cmm_scan.cloud.permissions import all_requests
from cmm_scan.emulate.gcp import service_of
from cmm_scan.gcp.adapter import catalogue
from cmm_scan.gcp.permissions import DIRECTORY, is_read
from tests.gcp.test_compute import compute_estate
from tests.gcp.test_services import services_estate
from tests.support.emulators import printed_settings


def rich_estate() -> dict:
    estate = compute_estate()
    estate["rest"] = services_estate()["rest"]
    estate["assets"] += [
        {
            "name": "//storage.googleapis.com/app-1-logs",
            "assetType": "storage.googleapis.com/Bucket",
            "resource": {
                "version": "v1",
                "parent": "//cloudresourcemanager.googleapis.com/projects/1001",
                "location": "EUROPE-WEST2",
                "data": {
                    "name": "app-1-logs",
                    "versioning": {"enabled": True},
                    "retentionPolicy": {"retentionPeriod": "31536000", "isLocked": True},
                },
            },
        }
    ]
    return estate


def _cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cmm_scan.cli", *args], env=env, capture_output=True, text=True, timeout=240)


def _env(settings: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GOOGLE_", "CMM_SCAN_GCP", "CLOUDSDK"))}
    env.update(settings)
    return env


def test_cli_scans_an_organisation_with_only_the_printed_settings(gcp, tmp_path: Path) -> None:
    gcp.load(rich_estate())
    out = tmp_path / "report"
    done = _cli(["scan", "gcp", "--output-dir", str(out), "--format", "json,cmm"], _env(gcp.env))
    assert done.returncode == 0, done.stderr
    with gzip.open(out / "snapshot.jsonl.gz", "rt") as handle:
        records = [json.loads(line) for line in handle]
    header = records[0]
    assert header["provider"] == "gcp"
    assert {(s["id"], s["kind"]) for s in header["scopes"]} == {("organizations/100", "organization")} | {
        (f"app-{i}", "project") for i in range(1, 5)
    }
    facts = [r for r in records if r["record"] == "fact"]
    coverage = [r for r in records if r["record"] == "coverage"]
    assert {f["scope"] for f in facts if f["type"] == "compute.instance"} == {"app-1", "app-2", "app-3", "app-4"}
    (bucket,) = [f for f in facts if f["type"] == "storage.bucket"]
    assert bucket["scope"] == "app-1" and bucket["region"] == "europe-west2" and bucket["attributes"]["object_lock"] is True
    # the organisation's directory needs a directory admin role, which the estate's scanner does not hold: denied
    refused = {c["collector"].split("/")[0] for c in coverage if c["status"] != "ok"}
    assert refused <= {"cloudidentity.directory", "cloudidentity.inbound_sso", "cloudidentity.password_policy", "iam.people"}, refused
    assert {c["status"] for c in coverage} <= {"ok", "denied"}
    capacity = next(r for r in json.loads((out / "assessment.json").read_text())["results"] if r["id"] == "cost.capacity")
    assert capacity["answer"] >= 1

    # every call the scan made is a read the printed custom role covers, or a directory read printed beside it
    printed = _cli(["permissions", "gcp"], _env({})).stdout
    role = yaml.safe_load(printed)
    granted = set(role["includedPermissions"])
    assert granted and all(is_read(p) for p in granted)
    granted |= {line.split()[-1] for line in printed.splitlines() if line.startswith("#   ") and line.split()[-1].startswith(DIRECTORY)}
    rest = {(r.api, _pattern(r.path)): set(r.permissions) for r in all_requests(catalogue()) if r.api != "cloudasset.googleapis.com"}
    for entry in gcp.requests:
        # reads are GETs, but Cloud Logging's entries:list, a read, is a POST
        assert entry["method"] == "GET" or entry["operation"] in ("oauth2/token", "logging.logEntries.list"), entry
        operation = entry["operation"]
        if operation == "oauth2/token":
            continue
        if operation.startswith(("list ", "get ")):  # a per-service read, named by its path
            path = "/" + operation.split(" ", 1)[1]
            needs = next(p for (service, pattern), p in rest.items() if service == service_of(path) and pattern.fullmatch(path))
        else:
            needs = {operation}
        assert needs <= granted, (entry, needs - granted)


def _pattern(template: str) -> re.Pattern[str]:
    two = re.escape(template).replace(r"\{parent\}", "[^/]+/[^/]+").replace(r"\{billing_account\}", "[^/]+/[^/]+")
    return re.compile(re.sub(r"\\\{\w+\\\}", "[^/]+", two))


def test_permissions_role_is_read_only_yaml(tmp_path: Path) -> None:
    done = _cli(["permissions", "gcp", "--questions", "cost.capacity"], _env({}))
    assert done.returncode == 0, done.stderr
    role = yaml.safe_load(done.stdout)
    assert role["stage"] == "GA" and "cloudasset.assets.listResource" in role["includedPermissions"]
    assert "monitoring.alertPolicies.list" not in role["includedPermissions"], "only what the selected questions need"
    assert "roles/cloudasset.viewer" in done.stdout


def emulate(estate_file: Path) -> subprocess.Popen[str]:
    """`cmm-scan emulate gcp --estate FILE` as a user runs it, in a process of its own."""
    return subprocess.Popen(
        [sys.executable, "-m", "cmm_scan.cli", "emulate", "gcp", "--estate", str(estate_file)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env({}),
    )


def test_emulate_command_then_scan_with_only_its_printed_exports(tmp_path: Path) -> None:
    """`cmm-scan emulate gcp --estate FILE` in one process, `cmm-scan scan gcp` in another with nothing but
    the two `export` lines it printed, as a user would run them."""
    import signal

    from tests.gcp.estates import as_assets

    estate_file = tmp_path / "estate.yaml"
    estate_file.write_text(yaml.safe_dump(as_assets(rich_estate())), encoding="utf-8")
    server = emulate(estate_file)
    try:
        settings = printed_settings(server, 2)
        out = tmp_path / "out"
        done = _cli(["scan", "gcp", "--organization", "100", "--output-dir", str(out), "--format", "json"], _env(settings))
        assert done.returncode == 0, done.stderr
        results = {r["id"]: r for r in json.loads((out / "assessment.json").read_text())["results"]}
        # web (3 VMs) scales on a queue, office (2) on a schedule only, bastion and spot-1 stand alone:
        # 3 of 7 running VMs autoscale, 'Some systems scale automatically'
        assert results["cost.capacity"]["answer"] == 3, results["cost.capacity"]
    finally:
        server.send_signal(signal.SIGINT)
        server.communicate(timeout=20)
    assert server.returncode == 0
