"""`cmm-scan scan azure` and `cmm-scan permissions azure` as a user runs them: a separate process that knows
the emulator only through the settings it prints."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

from tests.azure.support import DEV, PROD, SHARED, TENANT, rid, tenant_estate
from tests.azure.test_compute import VMSS, autoscale, cpu_rule, scale_set, vm


def cmm_scan(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", "import sys; from cmm_scan.cli import main; sys.exit(main())", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)


def test_scan_azure_end_to_end_with_only_the_printed_settings(azure, tmp_path: Path) -> None:
    web = rid(PROD, "rg", VMSS, "web")
    estate = tenant_estate(
        [*scale_set(PROD, "web", 6), autoscale(PROD, "web-cpu", web, [cpu_rule(web)]), *[vm(DEV, f"vm{n}") for n in range(4)]]
    )
    estate["faults"] = {"deny": [{"scope": f"/subscriptions/{SHARED}"}]}
    azure.load(estate)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "CMM_SCAN_AZURE", "CMM_SCAN_GRAPH"))}
    env.update(azure.env)  # exactly what `cmm-scan emulate azure` prints
    out = tmp_path / "out"
    done = cmm_scan(
        "scan",
        "azure",
        "--subscriptions",
        f"{PROD},{DEV},{SHARED}",
        "--output-dir",
        str(out),
        "--format",
        "json",
        "--no-store",
        "-q",
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    with gzip.open(out / "snapshot.jsonl.gz", "rt") as snapshot:
        lines = [json.loads(line) for line in snapshot]
    header = lines[0]
    assert header["provider"] == "azure"
    assert {(s["kind"], s["id"]) for s in header["scopes"] if s["kind"] in ("tenant", "subscription")} == {
        ("tenant", TENANT),
        ("subscription", PROD),
        ("subscription", DEV),
        ("subscription", SHARED),
    }
    denied = {r["scope"] for r in lines if r["record"] == "coverage" and r["status"] == "denied"}
    assert denied == {SHARED}
    results = {r["id"]: r for r in json.loads((out / "assessment.json").read_text())["results"]}
    # SHARED could hold any number of instances: "I don't know", with level 4 ("Most systems scale
    # automatically.", what the readable subscriptions show) still open, never a low level
    capacity = results["cost.capacity"]
    assert capacity["suggested_level"] is None and 4 in capacity["possible_levels"], capacity["possible_levels"]
    # every request was a read the printed role covers
    perms = cmm_scan("permissions", "azure", env=env)
    assert perms.returncode == 0, perms.stderr
    role = json.loads(perms.stdout)
    actions = {a.lower() for a in role["roleDefinition"]["Actions"]}
    assert all(a.endswith("/read") for a in actions)
    for request in azure.requests:
        assert request["method"] in ("GET", "POST")
        assert request["operation"].startswith("graph/") or request["operation"].lower() in actions, request


def test_bad_azure_settings_are_one_clear_line(azure, tmp_path: Path) -> None:
    env = {**os.environ, **azure.env, "CMM_SCAN_AZURE_ENDPOINT": azure.url.replace("https", "http")}
    done = cmm_scan("scan", "azure", "--output-dir", str(tmp_path / "o"), "--no-store", env=env)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "is not https" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "o").exists()
    env = {**os.environ, **azure.env, "AZURE_ACCESS_TOKEN": "wrong"}
    done = cmm_scan("scan", "azure", "--output-dir", str(tmp_path / "o"), "--no-store", env=env)
    assert done.returncode == 2 and "cannot list the Azure tenant" in done.stderr and done.stderr.count("\n") == 1
