"""The real CLI in a subprocess with only the emulator's printed settings: a nested two-region tenancy with a
denied compartment; and proof that `cmm-scan permissions oci` covers every request a scan makes."""

from __future__ import annotations

import gzip
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from cmm_scan.cloud.permissions import all_requests, selected
from cmm_scan.cloud.spec import Request
from cmm_scan.oci.permissions import PLAN_REQUESTS, catalogue, grants
from cmm_scan.oci.transport import services
from tests.oci.server import serve
from tests.oci.tenancy import nested_tenancy
from tests.support.emulators import printed_settings


def _cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("OCI_", "CMM_SCAN_"))}
    return subprocess.run([sys.executable, "-m", "cmm_scan.cli", *args], env={**clean, **env}, capture_output=True, text=True, timeout=300)


def _records(path: Path) -> list[dict]:
    with gzip.open(path, "rt") as handle:
        return [json.loads(line) for line in handle]


def test_cli_scans_a_nested_tenancy_with_only_the_printed_settings(tmp_path: Path) -> None:
    with serve(nested_tenancy().build(), page_size=2) as running:
        out = tmp_path / "report"
        done = _cli(["scan", "oci", "--output-dir", str(out), "--format", "json,md", "--no-store"], running.env)
        assert done.returncode in (0, 1), done.stderr
        logged = list(running.requests)
    records = _records(out / "snapshot.jsonl.gz")
    header = records[0]
    assert header["provider"] == "oci" and set(header["regions"]) == {"uk-london-1", "eu-frankfurt-1"}
    assert {s["kind"] for s in header["scopes"]} == {"tenancy", "compartment"}
    facts = [r for r in records if r["record"] == "fact"]
    assert "ocid1.instance.oc1..hidden" not in {f["resource_id"] for f in facts}
    assert all(r["status"] in ("ok", "denied") for r in records if r["record"] == "coverage")
    results = {r["id"]: r for r in json.loads((out / "assessment.json").read_text())["results"]}
    # the denied compartment may hold static VMs: "I don't know", never a level the visible part alone suggests
    capacity = results["cost.capacity"]
    assert capacity["status"] == "unknown" and capacity["suggested_level"] is None
    assert any("secret" in reason and "denied" in reason for reason in capacity["reasons"]), capacity["reasons"]
    assert all(r["status"] < 500 for r in logged) and all(r["method"] in ("GET", "POST") for r in logged)


def _declared() -> list[tuple[re.Pattern[str], str, Request]]:
    """(path pattern without the region, permission, request) of every request any collector or lookup declares,
    and the plan's own."""
    found = []
    for request in [*all_requests(catalogue()), *PLAN_REQUESTS.values()]:
        template = re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(services()[request.api].version + request.path))
        found += [(re.compile(f"^{template}$"), permission, request) for permission in request.permissions]
    return found


def test_every_request_of_a_scan_is_covered_by_the_printed_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.oci.support import scan

    every_fact = sorted({c.fact for c in catalogue().collectors.values()})
    result = scan(nested_tenancy(deny_secret=False), every_fact, monkeypatch)
    printed = {f"{verb} {resource}" for verb, resource in grants(every_fact)}
    declared = _declared()
    for entry in result.log:
        path = "/" + entry["path"].split("/", 2)[2]  # leave out the region
        needs = {perm for pattern, perm, request in declared if pattern.match(path) and request.method == entry["method"]}
        assert needs, f"{entry['method']} {path} is made by no declared request"
        satisfied = needs & printed or any(n.replace("inspect", "read") in printed for n in needs)
        assert satisfied, f"{path} needs {needs}"
    assert all(verb in ("inspect", "read") for verb in (p.split()[0] for p in printed))
    assert len(selected(every_fact, catalogue())) == len(catalogue().collectors)


def test_permissions_command_prints_policy_statements() -> None:
    done = _cli(["permissions", "oci", "--questions", "cost.capacity"], {})
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert "Allow group cmm-scan-readers to read instance-family in tenancy" in lines
    assert "Allow group cmm-scan-readers to read auto-scaling-configurations in tenancy" in lines
    assert all(re.fullmatch(r"Allow group \S+ to (inspect|read) [a-z-]+ in tenancy", line) for line in lines)


def test_cmm_scan_emulate_then_scan_with_only_the_printed_exports(tmp_path: Path) -> None:
    """The way a reviewer runs it: `cmm-scan emulate oci --estate FILE` prints export lines; `cmm-scan scan oci` with
    only those answers cost.capacity from a tenancy written in the documented estate format."""
    import yaml

    from tests.oci.golden import CPU_POLICY, instance, pool
    from tests.oci.support import Estate

    estate = Estate()
    app = estate.compartment("app")
    pool(estate, "web", app, [instance(estate, f"w{n}", app) for n in range(4)], [CPU_POLICY])
    instance(estate, "static", app)
    path = tmp_path / "tenancy.yaml"
    path.write_text(yaml.safe_dump(estate.data), encoding="utf-8")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("OCI_", "CMM_SCAN_"))}
    server = subprocess.Popen(
        [sys.executable, "-m", "cmm_scan.cli", "emulate", "oci", "--estate", str(path)], env=clean, stdout=subprocess.PIPE, text=True
    )
    try:
        settings = printed_settings(server, 2)
        out = tmp_path / "report"
        done = _cli(["scan", "oci", "--questions", "cost.capacity", "-o", str(out), "--format", "json", "--no-store"], settings)
        assert done.returncode == 0, done.stderr
    finally:
        server.terminate()
        server.wait(timeout=10)
    (result,) = json.loads((out / "assessment.json").read_text())["results"]
    # Level 4, "Most systems scale automatically.": four of five running instances are in a pool scaled on CPU (80%,
    # the 'everything' share, but CPU is not an advanced metric, so not level 5)
    assert result["suggested_level"] == 4, result["reasons"]


def test_refused_cloud_guard_recipes_leave_compliance_unknown_not_none(tmp_path: Path) -> None:
    """Cloud Guard on, its recipes refused: the recorder, rules and remediations are unknown, so the question that
    weighs them says "I don't know" with the denial as the reason, never "no rules"."""
    from tests.oci.test_families import _cloud_guard_recipes, _estate

    estate = _cloud_guard_recipes(_estate())
    estate.deny_path("/20200131/targets/t/")
    with serve(estate.build()) as running:
        out = tmp_path / "report"
        done = _cli(["scan", "oci", "--output-dir", str(out), "--format", "json", "--no-store"], running.env)
        assert done.returncode in (0, 1), done.stderr
    results = {r["id"]: r for r in json.loads((out / "assessment.json").read_text())["results"]}
    compliance = results["csmm.compliance_and_audit"]
    assert compliance["status"] == "unknown", compliance
    reasons = " ".join(compliance["reasons"])
    assert "cloudguard.detector_rules" in reasons and "denied" in reasons, reasons
