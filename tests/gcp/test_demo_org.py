"""The GCP part of the demo (fixtures/emulator/gcp-demo.yaml, the emulator's documented format) scans with every
collector ok and gives the answers its header describes; fixtures/record_gcp_demo.py records it."""

from __future__ import annotations

from pathlib import Path

from tests.gcp.support import assess, scan

DEMO = Path(__file__).resolve().parents[2] / "fixtures" / "emulator" / "gcp-demo.yaml"
PART = DEMO.parents[1] / "demo-parts" / "gcp.snapshot.jsonl"


def test_demo_organisation(gcp, tmp_path: Path) -> None:
    gcp.load(DEMO)
    results = assess(tmp_path, "cost.capacity", "cost.compute", "sec.privileged_access", organization="300000000001")
    # Level 4, 'Most systems scale automatically.': the three web VMs of five running are in a CPU-autoscaled group,
    # and Cloud Run scales on requests
    assert results["cost.capacity"].answer == 4
    # Level 3, 'A mix of VMs and containers or serverless for some key systems.': VMs beside Autopilot GKE, Cloud Run
    # and a function
    assert results["cost.compute"].answer == 3
    admins = next(e for e in results["sec.privileged_access"].evidence if e.signal == "local_admins")
    assert admins.display.startswith("1"), "break-glass@ holds roles/owner on the organisation"


def test_every_collector_reads_the_demo(gcp) -> None:
    gcp.load(DEMO)
    from cmm_scan.gcp.adapter import catalogue

    result = scan(sorted({c.fact for c in catalogue().collectors.values()}), organization="300000000001")
    assert {c.status for c in result.coverage} == {"ok"}, [c for c in result.coverage if c.status != "ok"]
    assert PART.exists(), "record it: python fixtures/record_gcp_demo.py"
