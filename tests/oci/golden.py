"""Golden OCI estates: build a tenancy for the emulator, scan what a rule reads, score it with the shipped rules."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cmm_scan.models import QuestionResult
from cmm_scan.rules import fact_plan
from tests.oci.support import Estate, scan
from tests.support.estate import Estate as Snapshot
from tests.support.estate import _all_rules

V = "/20160918"


def answer(estate: Estate, rule_id: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **options: Any) -> QuestionResult:
    (rule,) = [r for r in _all_rules(()) if r.id == rule_id]
    collected = scan(estate, fact_plan([rule]), monkeypatch, **options)
    snapshot = Snapshot(provider="oci")
    snapshot.facts, snapshot.coverage = collected.facts, collected.coverage
    (result,) = snapshot.assess(tmp_path, rule_id).results
    return result


def explain(result: QuestionResult) -> str:
    levels = ", ".join(f"{o.level}:{o.verdict}" for o in result.levels)
    values = "; ".join(f"{e.signal}={e.display}" for e in result.evidence)
    where = f"{result.id}: answer {result.answer}, {result.status} {result.level_range}"
    return f"{where}, levels [{levels}], evidence [{values}], reasons {result.reasons}"


def instance(estate: Estate, name: str, compartment: str, shape: str = "VM.Standard.E4.Flex", state: str = "RUNNING") -> str:
    iid = f"ocid1.instance.oc1..{name}"
    estate.add(
        f"{V}/instances",
        {"id": iid, "displayName": name, "shape": shape, "lifecycleState": state},
        compartment=compartment,
        search_type="Instance",
    )
    return iid


def pool(estate: Estate, name: str, compartment: str, members: list[str], policies: list[dict[str, Any]]) -> None:
    """An instance pool with these member instances and (when `policies`) an autoscaling configuration."""
    pid = f"ocid1.instancepool.oc1..{name}"
    estate.add(
        f"{V}/instancePools",
        {"id": pid, "displayName": name, "size": len(members), "lifecycleState": "RUNNING"},
        compartment=compartment,
        search_type="InstancePool",
    )
    estate.single(f"{V}/instancePools/{pid}/instances", [{"id": m, "compartmentId": compartment} for m in members])
    if policies:
        estate.add(
            "/20181001/autoScalingConfigurations",
            {
                "id": f"ocid1.autoscalingconfiguration.oc1..{name}",
                "isEnabled": True,
                "resource": {"type": "instancePool", "id": pid},
                "policies": policies,
            },
            compartment=compartment,
        )


CPU_POLICY = {
    "policyType": "threshold",
    "capacity": {"min": 2, "max": 10},
    "rules": [{"metric": {"metricSource": "COMPUTE_AGENT", "metricType": "CPU_UTILIZATION"}}],
}
CUSTOM_POLICY = {
    "policyType": "threshold",
    "capacity": {"min": 2, "max": 10},
    "rules": [{"metric": {"metricSource": "CUSTOM_QUERY", "metricType": "CUSTOM", "query": "QueueDepth[1m].max() > 100"}}],
}
SCHEDULE = {"policyType": "scheduled", "capacity": {"min": 2, "max": 2}, "executionSchedule": {"type": "cron", "expression": "0 0 8 * * ?"}}
