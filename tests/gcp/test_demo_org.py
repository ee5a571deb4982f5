"""The GCP part of the demo (fixtures/emulator/gcp-demo.yaml, the emulator's documented format) scans with every
collector ok and gives the answers its header describes; fixtures/record_gcp_demo.py records it into
fixtures/demo-parts/gcp.snapshot.jsonl, whose answers (the week of audit entries included) are checked as
recorded."""

from __future__ import annotations

import json
from pathlib import Path

from cmm_scan.models import Coverage, Fact
from tests.gcp.support import assess, scan
from tests.support.estate import Estate

DEMO = Path(__file__).resolve().parents[2] / "fixtures" / "emulator" / "gcp-demo.yaml"
PART = DEMO.parents[1] / "demo-parts" / "gcp.snapshot.jsonl"


def test_demo_organisation(gcp, tmp_path: Path) -> None:
    gcp.load(DEMO)
    results = assess(tmp_path, "cost.capacity", "cost.compute", "sec.privileged_access", organization="300000000001")
    # Level 4, 'Most systems scale automatically.': the three web VMs of five running are in a CPU-autoscaled group,
    # and Cloud Run scales on requests
    assert results["cost.capacity"].answer == 4
    # Level 4, 'Containers or serverless.': five VMs (three of them a group replaced by rolling updates) beside
    # Autopilot GKE, Cloud Run and four functions
    assert results["cost.compute"].answer == 4
    admins = next(e for e in results["sec.privileged_access"].evidence if e.signal == "local_admins")
    assert admins.display.startswith("1"), "break-glass@ holds roles/owner on the organisation"


def test_every_collector_reads_the_demo(gcp) -> None:
    gcp.load(DEMO)
    from cmm_scan.gcp.adapter import catalogue

    result = scan(sorted({c.fact for c in catalogue().collectors.values()}), organization="300000000001")
    assert {c.status for c in result.coverage} == {"ok"}, [c for c in result.coverage if c.status != "ok"]


def test_the_recorded_part(tmp_path: Path) -> None:
    records = [json.loads(line) for line in PART.read_text(encoding="utf-8").splitlines()]
    assert records[0]["provider"] == "gcp" and records[-1]["record"] == "end"
    estate = Estate(provider="gcp")
    estate.facts = [Fact.model_validate(r) for r in records if r["record"] == "fact"]
    estate.coverage = [Coverage.model_validate(r) for r in records if r["record"] == "coverage"]
    assert {c.status for c in estate.coverage} == {"ok"}
    (result,) = estate.assess(tmp_path, "ops.cicd").results
    # Level 3, 'Most teams use CI/CD, but each chooses its own tools.': of the two projects busy enough to count
    # (20+ changes in the week), payments-prod is changed by its GitHub deployer (Terraform through workload
    # identity), payments-dev by people in the console
    assert result.answer == 3
