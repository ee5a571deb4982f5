"""Microsoft Defender for Cloud: plans (one Resource Graph query for every subscription), regulatory
compliance standards and workflow automations, against the emulator through azure-core."""

from __future__ import annotations

from typing import Any

from tests.azure.support import DEV, PROD, SHARED, resource, scan, tenant_estate

PLANS = ["VirtualMachines", "StorageAccounts", "SqlServers", "Containers", "KeyVaults", "Arm", "CloudPosture"]


def pricing(sub: str, name: str, tier: str = "Standard", extensions: dict[str, bool] | None = None, **props: Any) -> dict[str, Any]:
    ext = [{"name": k, "isEnabled": "True" if v else "False"} for k, v in (extensions or {}).items()]
    return {
        "id": f"/subscriptions/{sub}/providers/Microsoft.Security/pricings/{name}",
        "type": "Microsoft.Security/pricings",
        "properties": {"pricingTier": tier, "extensions": ext, **props},
    }


def pricings(sub: str, on: dict[str, dict[str, bool] | None]) -> list[dict[str, Any]]:
    """Every plan of a subscription, as Defender lists them: Standard where `on` names it, Free elsewhere."""
    return [pricing(sub, n, "Standard" if n in on else "Free", on.get(n)) for n in PLANS]


def standard(sub: str, name: str, state: str) -> dict[str, Any]:
    return {
        "id": f"/subscriptions/{sub}/providers/Microsoft.Security/regulatoryComplianceStandards/{name}",
        "type": "Microsoft.Security/regulatoryComplianceStandards",
        "properties": {"state": state, "passedControls": 10, "failedControls": 3},
    }


def automation(sub: str, name: str, sources: list[str], actions: int = 1, enabled: bool = True) -> dict[str, Any]:
    workflow = f"/subscriptions/{sub}/resourceGroups/rg/providers/Microsoft.Logic/workflows/page"
    logic_app = {"actionType": "LogicApp", "logicAppResourceId": workflow}
    return resource(
        sub,
        "Microsoft.Security/automations",
        name,
        properties={"isEnabled": enabled, "sources": [{"eventSource": s} for s in sources], "actions": [logic_app] * actions},
    )


def defender_estate() -> dict[str, Any]:
    return tenant_estate(
        [
            *pricings(
                PROD,
                {
                    "VirtualMachines": None,
                    "StorageAccounts": {"SensitiveDataDiscovery": True},
                    "CloudPosture": {"AgentlessVmScanning": True},
                },
            ),
            *pricings(DEV, {"Arm": None, "StorageAccounts": {"SensitiveDataDiscovery": False}}),
            # SHARED: Microsoft.Security never registered, so no pricings at all
            standard(PROD, "Microsoft-cloud-security-benchmark", "Failed"),
            standard(PROD, "CIS-Azure-2.0.0", "Passed"),
            standard(DEV, "PCI-DSS-4", "Unsupported"),
            automation(PROD, "alerts-to-pager", ["Alerts"]),
            automation(DEV, "scores-to-teams", ["SecureScores"]),
        ]
    )


def test_defender_plans_become_neutral_security_services_per_subscription(azure) -> None:
    azure.load(defender_estate())
    result = scan(["security.service"])
    found = {(f.scope, f.attributes["kind"]): f.attributes for f in result.of("security.service")}
    assert len(found) == 12  # 4 kinds x 3 subscriptions, the one without Microsoft.Security included
    assert found[(PROD, "threat_detection")]["enabled"] is True
    assert found[(PROD, "threat_detection")]["coverage"] == ["StorageAccounts", "VirtualMachines"]
    assert (found[(PROD, "posture")]["enabled"], found[(PROD, "posture")]["coverage"]) == (True, ["AgentlessVmScanning"])
    assert found[(PROD, "vulnerability_scanning")]["enabled"] is True
    assert found[(PROD, "data_discovery")]["coverage"] == ["StorageAccounts"]
    assert found[(DEV, "threat_detection")]["coverage"] == ["Arm", "StorageAccounts"]
    # Defender for Storage without its sensitive-data extension does not discover data
    assert [found[(DEV, k)]["enabled"] for k in ("posture", "vulnerability_scanning", "data_discovery")] == [False, False, False]
    assert all(found[(SHARED, k)]["enabled"] is False for k in ("threat_detection", "posture", "vulnerability_scanning", "data_discovery"))
    # one Resource Graph query serves the four collectors
    assert sum(c.requests for c in result.coverage if c.collector.startswith("azure.defender")) == 1


def test_denied_resource_graph_in_one_subscription_leaves_only_its_defender_plans_unknown(azure) -> None:
    estate = defender_estate()
    estate["faults"] = {"deny": [{"operation": "Microsoft.ResourceGraph/resources/read", "scope": f"/subscriptions/{DEV}"}]}
    azure.load(estate)
    result = scan(["security.service"])
    assert {f.scope for f in result.of("security.service")} == {PROD, SHARED}  # never "off" in DEV: not read
    for collector in ("azure.defender_threat_protection", "azure.defender_cspm", "azure.defender_data_discovery"):
        assert result.status(collector) == {PROD: "ok", DEV: "denied", SHARED: "ok"}


def test_regulatory_compliance_standards_and_security_automations(azure) -> None:
    azure.load(defender_estate())
    result = scan(["security.standard", "monitoring.event_rule"])
    standards = {f.attributes["name"]: (f.scope, f.attributes["enabled"]) for f in result.of("security.standard")}
    assert standards == {
        "Microsoft-cloud-security-benchmark": (PROD, True),
        "CIS-Azure-2.0.0": (PROD, True),
        "PCI-DSS-4": (DEV, False),
    }
    rules = {f.resource_id.rsplit("/", 1)[-1]: f.attributes for f in result.of("monitoring.event_rule")}
    assert rules["alerts-to-pager"] == {"security_events": True, "targets": 1}
    assert rules["scores-to-teams"]["security_events"] is False
