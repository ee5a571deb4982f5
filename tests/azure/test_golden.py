"""Golden Azure estates with known answers: served by the emulator, scanned by the real adapter through
azure-core, scored by the shipped rules. The expected level is quoted from the level text of the rule."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cmm_scan.models import QuestionResult
from cmm_scan.rules import fact_plan
from tests.azure.support import DEV, PROD, SHARED, resource, rid, scan, tenant_estate
from tests.azure.test_compute import VMSS, autoscale, cpu_rule, scale_set, vm
from tests.support.estate import Estate, _all_rules


def answer(tmp_path: Path, rule_id: str, **options: Any) -> QuestionResult:
    (rule,) = [r for r in _all_rules(()) if r.id == rule_id]
    collected = scan(fact_plan([rule]), **options)
    estate = Estate(provider="azure")
    estate.facts, estate.coverage = collected.facts, collected.coverage
    (result,) = estate.assess(tmp_path, rule_id).results
    return result


def queue_rule() -> dict[str, Any]:
    bus = rid(SHARED, "rg", "Microsoft.ServiceBus/namespaces", "bus")
    return {"metricTrigger": {"metricName": "ActiveMessageCount", "metricResourceUri": bus}, "scaleAction": {"direction": "Increase"}}


def test_capacity_most_instances_autoscaled_is_level_4(azure, tmp_path: Path) -> None:
    """6 of 10 running instances are in a scale set with a CPU autoscale rule: 'Most systems scale automatically.'"""
    web = rid(PROD, "rg", VMSS, "web")
    azure.load(
        tenant_estate(
            [*scale_set(PROD, "web", 6), autoscale(PROD, "web-cpu", web, [cpu_rule(web)])] + [vm(DEV, f"vm{n}") for n in range(4)]
        )
    )
    result = answer(tmp_path, "cost.capacity")
    assert result.answer == 4 and result.suggested_level == 4


def test_capacity_everything_autoscaled_on_queue_depth_is_level_5(azure, tmp_path: Path) -> None:
    """Every running instance autoscales, driven by queue depth: 'Everything scales automatically.'"""
    a, b = rid(PROD, "rg", VMSS, "a"), rid(DEV, "rg", VMSS, "b")
    estate = [
        *scale_set(PROD, "a", 3),
        *scale_set(DEV, "b", 2),
        autoscale(PROD, "a-q", a, [queue_rule()]),
        autoscale(DEV, "b-q", b, [queue_rule()]),
    ]
    azure.load(tenant_estate(estate))
    result = answer(tmp_path, "cost.capacity")
    assert result.answer == 5 and result.suggested_level == 5


def test_capacity_is_dont_know_when_resource_graph_is_denied(azure, tmp_path: Path) -> None:
    """Never guess: with the inventory refused in every subscription there is no level, not level 1."""
    estate = tenant_estate([vm(PROD, "vm1"), vm(DEV, "vm2")])
    estate["faults"] = {"deny": [{"operation": "Microsoft.ResourceGraph/resources/read", "scope": "/subscriptions/*"}]}
    azure.load(estate)
    result = answer(tmp_path, "cost.capacity")
    assert result.answer == 0 and result.suggested_level is None


def test_retention_level_5_ruled_out_when_storage_has_no_retention(azure, tmp_path: Path) -> None:
    """Level 5 ('We follow policy and use automated cloud tools to check that we do.') is ruled out when most
    storage accounts have no lifecycle expiry or immutability; levels 1-4 stay for people to answer."""
    accounts = [resource(sub, "Microsoft.Storage/storageAccounts", f"st{sub[:4]}", kind="StorageV2", properties={}) for sub in (PROD, DEV)]
    children = [
        {"id": f"{a['id']}/blobServices/default", "type": "Microsoft.Storage/storageAccounts/blobServices", "properties": {}}
        for a in accounts
    ]
    workspace = resource(PROD, "Microsoft.OperationalInsights/workspaces", "logs", properties={"retentionInDays": 30})
    azure.load(tenant_estate([*accounts, *children, workspace]))
    result = answer(tmp_path, "data.retention")
    from tests.aws.estates import explain

    assert 5 not in result.possible_levels and result.possible_levels == [1, 2, 3, 4], explain(result)


def test_mfa_registered_in_entra_is_not_taken_for_enforced(azure, tmp_path: Path) -> None:
    """Every Entra user has a FIDO2 key registered, but conditional access (not read) decides what is enforced:
    the tenant is where people sign in, so levels 1-5 stay open ("I don't know"), never a claimed level."""
    users = [{"id": f"u{n}", "userType": "Member", "accountEnabled": True} for n in range(4)]
    details = [{"id": f"u{n}", "isMfaRegistered": True, "methodsRegistered": ["fido2"]} for n in range(4)]
    graph = {"organization": [{"id": "org", "onPremisesSyncEnabled": None}], "users": users}
    graph["reports/authenticationMethods/userRegistrationDetails"] = details
    azure.load(tenant_estate(graph=graph))
    result = answer(tmp_path, "sec.mfa")
    assert result.answer == 0 and result.suggested_level is None and result.possible_levels == [1, 2, 3, 4, 5]
