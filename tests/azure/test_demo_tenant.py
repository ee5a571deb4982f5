"""The Azure demo tenant (fixtures/emulator/azure-demo.yaml, the emulator's documented format) scans with every
collector ok, gives the answers its story tells, and the recorded demo part (fixtures/demo-parts/) is current."""

from __future__ import annotations

import json
from pathlib import Path

from cmm_scan.factcatalogue import fact_catalogue
from tests.azure.support import scan
from tests.support.estate import Estate

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "fixtures" / "emulator" / "azure-demo.yaml"
PART = ROOT / "fixtures" / "demo-parts" / "azure.snapshot.jsonl"


def test_demo_tenant_scans_clean_and_answers_as_its_story_says(azure, tmp_path: Path) -> None:
    """Web and API tiers autoscale on CPU and queue depth: cost.capacity "Everything scales automatically." (5);
    production in uksouth with geo-redundant backups: cost.geography range 2-3 ("We use another region for
    non-production workloads or backup and recovery." is shown)."""
    azure.load(DEMO)
    result = scan(list(fact_catalogue().facts))
    assert {c.status for c in result.coverage} == {"ok"}, [c for c in result.coverage if c.status != "ok"]
    recorded = [json.loads(line) for line in PART.read_text(encoding="utf-8").splitlines()]
    assert {(r["type"], r["resource_id"]) for r in recorded if r["record"] == "fact"} == {(f.type, f.resource_id) for f in result.facts}, (
        "fixtures/demo-parts/azure.snapshot.jsonl is stale: run fixtures/build_azure_demo.py"
    )
    estate = Estate(provider="azure")
    estate.facts, estate.coverage = result.facts, result.coverage
    answers = {r.id: r for r in estate.assess(tmp_path, "cost.capacity", "cost.geography", "sec.mfa").results}
    assert answers["cost.capacity"].answer == 5
    assert answers["cost.geography"].possible_levels == [2, 3]
    users = {f.resource_id: f.attributes for f in result.of("identity.user") if f.attributes["human"]}
    assert all(u["mfa_active"] for u in users.values() if not u["external"])
