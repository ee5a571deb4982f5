"""The OCI demo tenancy (fixtures/emulator/oci-demo.yaml, the emulator's documented format) scans with every
collector ok and the answers its header describes."""

from __future__ import annotations

from pathlib import Path

import pytest

from cmm_scan.emulate.core import load_estate
from cmm_scan.emulate.oci import OciEstate, provider
from cmm_scan.rules import fact_plan
from tests.oci.server import serve
from tests.support.estate import Estate as Snapshot
from tests.support.estate import _all_rules

DEMO = Path(__file__).resolve().parents[2] / "fixtures" / "emulator" / "oci-demo.yaml"


def test_demo_tenancy(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from cmm_scan.oci import adapter
    from cmm_scan.oci.options import Options
    from tests.oci.support import NullProgress

    estate = load_estate(provider(), DEMO)
    assert isinstance(estate, OciEstate)
    rules = [r for r in _all_rules(()) if r.id in ("cost.capacity", "sec.nhi_auth", "cost.compute")]
    snapshot = Snapshot(provider="oci")
    with serve(estate) as running:
        for name, value in running.env.items():
            monkeypatch.setenv(name, value)
        plan = adapter.plan(Options(workers=4), fact_plan(rules))
        adapter.run(
            plan, fact_plan(rules), lambda r: (snapshot.facts if r.record == "fact" else snapshot.coverage).append(r), NullProgress()
        )
    assert {c.status for c in snapshot.coverage} == {"ok"}
    results = {r.id: r for r in snapshot.assess(tmp_path, "cost.capacity", "sec.nhi_auth", "cost.compute").results}
    # Level 5, 'Everything scales automatically.': seven of eight running instances are in pools, half of the pools on
    # a custom (application) metric
    assert results["cost.capacity"].answer == 5
    # Level 5, 'We use short-lived, strongly checked identities that change for each use.': deployments run as a
    # dynamic group; no user holds an API key
    assert results["sec.nhi_auth"].answer == 5
    # Level 4, 'Containers or serverless.': five functions and an OKE cluster against two pools and one VM
    assert results["cost.compute"].answer == 4


PART = DEMO.parents[1] / "demo-parts" / "oci.snapshot.jsonl"


def test_the_recorded_part_answers_as_a_rich_estate(tmp_path: Path) -> None:
    """fixtures/demo-parts/oci.snapshot.jsonl (fixtures/record_oci_demo_part.py) reads every collector and exports a
    level for as many questions as the rich AWS estate does, bar the few OCI cannot show (issue #14)."""
    import json

    from cmm_scan.engine import evaluate
    from cmm_scan.rules import load_rules

    records = [json.loads(line) for line in PART.read_text(encoding="utf-8").splitlines()]
    assert records[0]["provider"] == "oci" and records[-1]["record"] == "end"
    assert {r["status"] for r in records if r["record"] == "coverage"} == {"ok"}
    assessment = evaluate(PART, load_rules())
    exported = {fw: {r.id: r.answer for r in assessment.for_framework(fw) if r.answer > 0} for fw in ("cmm", "csmm")}
    assert len(exported["cmm"]) >= 27 and len(exported["csmm"]) >= 10, exported
    results = {r.id: r for fw in ("cmm", "csmm") for r in assessment.for_framework(fw)}
    # a week of Audit events: 'Most teams use automation to set up cloud services.' (4); changed by code, with drift
    # checks on the stacks: 'Everything is automated using code and we get alerts if anything changes unexpectedly.' (5)
    assert results["gov.provisioning"].answer == 4 and results["gov.environment_mgmt"].answer == 5
    # 'Nearly all teams use CI/CD, but tools and processes vary.' (4): pipelines made most writes in every busy unit
    assert results["ops.cicd"].answer == 4
    # the Default identity domain holds every person: 'Nearly all services use our central system, and we keep them
    # in sync.' (at least 4)
    assert results["sec.staff_identity"].answer == 4
    # the web stack's Full Stack DR standby group holds active switchover, failover and drill plans: 'We create a plan
    # when launching a new service.' (at least 2; the November drill is evidence to bring, not level 4)
    assert results["ops.incident_planning"].answer == 2 and results["ops.incident_planning"].status == "floor"
    # people questions are never scored from configuration
    assert all(
        r.status == "manual" for r in assessment.for_framework("cmm") if r.id.startswith("people.") and r.id != "people.third_parties"
    )
