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
