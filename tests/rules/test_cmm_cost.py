"""Golden estates for the Cost & Sustainability rules (expected answers from the level text)."""

from __future__ import annotations

import pytest

from tests.rules import OTHER_REGION, OTHER_SCOPE, assert_no_level, evidence, verdicts
from tests.rules import GoldenEstate as Estate

CAPACITY_TYPES = ("compute.instance", "compute.autoscaling_group", "compute.container_service", "compute.function")
COMPUTE_TYPES = (
    "compute.instance",
    "compute.autoscaling_group",
    "compute.container_service",
    "compute.kubernetes_cluster",
    "compute.function",
)


# --- cost.capacity ---------------------------------------------------------------------------


def capacity_estate(scaled: int, static: int, *, scheduled: int = 0, advanced: bool = False, kinds: list[str] | None = None) -> Estate:
    estate = Estate().covered(*CAPACITY_TYPES)
    estate.many(scaled, "compute.instance", state="running", autoscaled=True)
    estate.many(static, "compute.instance", state="running", autoscaled=False)
    kinds = kinds or (["queue"] if advanced else ["cpu"])
    if scaled:
        estate.fact("compute.autoscaling_group", dynamic=True, metric_kinds=kinds, scheduled_only=False)
    estate.many(scheduled, "compute.autoscaling_group", dynamic=False, scheduled_only=True)
    return estate


@pytest.mark.parametrize(
    ("scaled", "static", "scheduled", "advanced", "level"),
    [
        (0, 10, 0, False, 1),  # peak sizing: static, no schedules; 1 and 2 fit, tie-break lower
        (0, 10, 1, False, 2),  # "we adjust capacity when needed": schedule-only group
        (1, 10, 0, False, 1),  # 9% autoscaled: just below "some"
        (1, 9, 0, False, 3),  # 10%: at "some"
        (4, 6, 0, False, 3),  # 40%
        (5, 5, 0, False, 4),  # 50%: at "most"
        (10, 0, 0, False, 4),  # everything, but CPU-driven only: "basic metrics"
        (7, 2, 0, True, 4),  # 78%: just below "all", even with advanced metrics
        (8, 2, 0, True, 5),  # 80% and application metrics
    ],
)
def test_capacity_levels(tmp_path, scaled, static, scheduled, advanced, level):
    result = capacity_estate(scaled, static, scheduled=scheduled, advanced=advanced).score(tmp_path, "cost.capacity")
    assert result.suggested_level == level, result.reasons
    assert result.answer == level


@pytest.mark.parametrize(
    ("kinds", "level"),
    [
        (["cpu"], 4),
        (["request_count"], 4),  # load-balancer requests per target: "standard throughput", a basic metric
        (["cpu", "network"], 4),
        (["queue"], 5),
        (["custom"], 5),
        (["predictive"], 5),
        (["cpu", "custom"], 5),
    ],
)
def test_capacity_level_5_needs_application_metrics(tmp_path, kinds, level):
    result = capacity_estate(10, 0, kinds=kinds).score(tmp_path, "cost.capacity")
    assert result.suggested_level == level, result.reasons


def test_capacity_unread_policy_metric_is_not_level_5(tmp_path):
    estate = Estate().covered(*CAPACITY_TYPES)
    estate.many(10, "compute.instance", state="running", autoscaled=True)
    estate.fact("compute.autoscaling_group", dynamic=True, scheduled_only=False)  # metric_kinds not read
    result = estate.score(tmp_path, "cost.capacity")
    assert result.possible_levels == [4, 5]
    assert result.suggested_level is None


def test_capacity_static_container_service_keeps_vm_estate_below_5(tmp_path):
    estate = capacity_estate(9, 1, advanced=True)
    estate.fact("compute.container_service", desired=2, autoscaled=False)
    assert estate.score(tmp_path, "cost.capacity").suggested_level == 4


def test_capacity_autoscaled_container_service_lifts_static_vms_to_some(tmp_path):
    estate = capacity_estate(0, 10)
    estate.fact("compute.container_service", desired=3, autoscaled=True)
    assert estate.score(tmp_path, "cost.capacity").suggested_level == 3


def test_capacity_one_function_does_not_lift_a_static_vm_estate(tmp_path):
    estate = capacity_estate(0, 10)
    estate.fact("compute.function", runtime="python3.12")
    assert estate.score(tmp_path, "cost.capacity").suggested_level == 1


def test_capacity_serverless_estate_without_vms_is_level_5(tmp_path):
    estate = Estate().covered(*CAPACITY_TYPES)
    estate.many(3, "compute.function", runtime="nodejs20.x")
    estate.fact("compute.container_service", desired=2, autoscaled=True, serverless=True)
    result = estate.score(tmp_path, "cost.capacity")
    assert result.status == "suggested"
    assert result.suggested_level == 5


def test_capacity_static_containers_without_vms_are_not_autoscaling(tmp_path):
    estate = Estate().covered(*CAPACITY_TYPES)
    estate.many(4, "compute.container_service", desired=2, autoscaled=False)
    result = estate.score(tmp_path, "cost.capacity")
    assert result.possible_levels == [1, 2]
    assert result.suggested_level == 1  # tie-break lower, with the reason shown
    assert result.tie_break


def test_capacity_empty_account_is_not_applicable(tmp_path):
    result = Estate().covered(*CAPACITY_TYPES).score(tmp_path, "cost.capacity")
    assert result.status == "not_applicable"
    assert result.answer == 0


def test_capacity_region_denied_is_not_a_confident_level(tmp_path):
    estate = capacity_estate(3, 7)
    estate.denied("compute.instance", region=OTHER_REGION)
    result = estate.score(tmp_path, "cost.capacity")
    assert_no_level(result)
    assert not evidence(result, "autoscaled_share").complete


def test_capacity_share_counts_every_account(tmp_path):
    estate = capacity_estate(1, 0)  # account 1: 1 of 1 autoscaled
    estate.covered(*CAPACITY_TYPES, scope=OTHER_SCOPE)
    estate.many(3, "compute.instance", scope=OTHER_SCOPE, state="running", autoscaled=False)
    result = estate.score(tmp_path, "cost.capacity")
    share = evidence(result, "autoscaled_share")
    assert share.value.lo == share.value.hi == pytest.approx(0.25)  # 1 of 4 across both accounts
    by_scope = {s.scope: (s.matching, s.total) for s in share.by_scope}
    assert by_scope == {"111111111111": (1, 1), OTHER_SCOPE: (0, 3)}
    assert result.suggested_level == 3


def test_capacity_threshold_override(tmp_path):
    estate = capacity_estate(4, 6)
    assert estate.score(tmp_path, "cost.capacity").suggested_level == 3
    result = estate.score(tmp_path, "cost.capacity", overrides={"cost.capacity": {"most_autoscaled": 0.4}})
    assert result.suggested_level == 4


# --- cost.compute ----------------------------------------------------------------------------


def compute_estate(vms: int = 0, services: int = 0, functions: int = 0, clusters: int = 0, scope=None) -> Estate:
    estate = Estate().covered(*COMPUTE_TYPES)
    kw = {"scope": scope} if scope else {}
    if scope:
        estate.covered(*COMPUTE_TYPES, scope=scope)
    for _ in range(vms):
        estate.fact("compute.instance", state="running", autoscaling_group="none", kubernetes_node=False, age_days=400, **kw)
    for _ in range(services):
        estate.fact("compute.container_service", desired=2, **kw)
    for _ in range(functions):
        estate.fact("compute.function", runtime="python3.12", **kw)
    for _ in range(clusters):
        estate.fact("compute.kubernetes_cluster", version="1.30", **kw)
    return estate


@pytest.mark.parametrize(
    ("vms", "services", "functions", "level"),
    [
        (3, 0, 0, 1),  # long-running VMs only
        (10, 0, 1, 2),  # 1 of 11 units (9%): a few minor things
        (9, 0, 1, 2),  # 1 of 10 units, a function: at some_modern, but functions alone read as minor things
        (9, 1, 0, 3),  # 1 of 10 units, a container service: at some_modern, a system
        (3, 0, 2, 2),  # functions beside VMs (40%): 2 and 3 fit, tie-break lower
        (3, 1, 1, 3),  # a container service and a function beside VMs (40%): a mix
        (3, 4, 0, 3),  # 4 of 7 (57%): just below most_modern
        (2, 0, 3, 4),  # functions at most_modern (60%): serverless
        (2, 3, 0, 4),  # 3 of 5 (60%): at most_modern; 4 and 5 fit, tie-break lower
        (0, 2, 3, 4),  # no VMs at all
    ],
)
def test_compute_levels(tmp_path, vms, services, functions, level):
    result = compute_estate(vms, services, functions).score(tmp_path, "cost.compute")
    assert result.suggested_level == level, result.reasons
    assert result.answer == level


def test_compute_functions_beside_vms_tie_break_to_minor_things(tmp_path):
    result = compute_estate(4, 0, 1).score(tmp_path, "cost.compute")
    assert result.possible_levels == [2, 3]
    assert result.suggested_level == 2
    assert result.tie_break and "glue functions" in result.tie_break


def test_compute_unread_container_services_leave_functions_beside_vms_open(tmp_path):
    estate = compute_estate(4, 0, 1)
    estate.denied("compute.container_service", region=OTHER_REGION)
    result = estate.score(tmp_path, "cost.compute")
    assert_no_level(result)
    assert result.possible_levels[:2] == [2, 3]


def test_compute_level_5_is_never_confirmed_by_configuration(tmp_path):
    result = compute_estate(0, 5, 5).score(tmp_path, "cost.compute")
    assert verdicts(result)[5] == "supported"
    assert result.possible_levels == [4, 5]
    assert result.suggested_level == 4


def test_compute_kubernetes_nodes_and_groups_are_not_vm_units(tmp_path):
    estate = compute_estate(clusters=1, functions=1)
    estate.many(6, "compute.instance", state="running", autoscaling_group="ng-1", kubernetes_node=True)
    estate.fact("compute.autoscaling_group", instance_count=6, kubernetes_nodes=True)
    estate.fact("compute.autoscaling_group", instance_count=4, kubernetes_nodes=False)  # one VM unit
    result = estate.score(tmp_path, "cost.compute")
    assert evidence(result, "vm_groups").value.lo == 1
    assert evidence(result, "standalone_vms").value.lo == 0
    assert result.suggested_level == 4  # 2 of 3 units are containers or serverless


def test_compute_empty_account_is_not_applicable(tmp_path):
    result = compute_estate().score(tmp_path, "cost.compute")
    assert result.status == "not_applicable"
    assert result.answer == 0


def test_compute_instances_denied_is_unknown(tmp_path):
    estate = compute_estate(0, 2, 2)
    estate.denied("compute.instance")
    assert_no_level(estate.score(tmp_path, "cost.compute"))


def test_compute_region_denied_is_not_a_confident_level(tmp_path):
    estate = compute_estate(1, 4, 0)  # would be level 4 with full coverage
    estate.denied("compute.instance", region=OTHER_REGION)
    result = estate.score(tmp_path, "cost.compute")
    assert_no_level(result)
    assert 4 in result.possible_levels


def test_compute_node_attribute_unread_is_not_counted_as_no_vm(tmp_path):
    estate = compute_estate(0, 1, 0)
    estate.fact("compute.instance", state="running", autoscaling_group="none")  # kubernetes_node not read
    result = estate.score(tmp_path, "cost.compute")
    assert evidence(result, "standalone_vms").unknown == 1
    assert result.possible_levels == [3, 4, 5]  # 1 of 2 units would be level 3; 1 of 1 level 4
    assert result.suggested_level is None


def test_compute_counts_every_account(tmp_path):
    estate = compute_estate(3, 0, 0)  # account 1: VMs only
    estate.covered(*COMPUTE_TYPES, scope=OTHER_SCOPE)
    estate.many(2, "compute.function", scope=OTHER_SCOPE, runtime="python3.12")
    estate.fact("compute.container_service", scope=OTHER_SCOPE, desired=2)
    result = estate.score(tmp_path, "cost.compute")
    assert result.suggested_level == 3  # 3 of 6 units across both accounts
    by_scope = {s.scope: s.matching for s in evidence(result, "functions").by_scope}
    assert by_scope == {OTHER_SCOPE: 2}
    assert {s.scope: s.matching for s in evidence(result, "standalone_vms").by_scope} == {"111111111111": 3}


def test_compute_threshold_override(tmp_path):
    estate = compute_estate(3, 4, 0)
    assert estate.score(tmp_path, "cost.compute").suggested_level == 3
    result = estate.score(tmp_path, "cost.compute", overrides={"cost.compute": {"most_modern": 0.5}})
    assert result.suggested_level == 4


# --- cost.geography ----------------------------------------------------------------------------


def geo_estate(regions: int, *, backups_copied: int = 0, replicated: int = 0, running: int | None = None) -> Estate:
    """`regions` scanned regions in use, the first `running` of them (default: all) running workloads;
    a fifth region outside the scan."""
    running = regions if running is None else running
    estate = Estate().covered("inventory.region", "storage.backup_plan", "storage.bucket")
    names = ["eu-west-2", "eu-west-1", "us-east-1", "eu-central-1"]
    for i, name in enumerate(names):
        estate.fact("inventory.region", region=name, enabled=True, scanned=True, in_use=i < regions, workloads=i < running, uk=i == 0)
    estate.fact("inventory.region", region="ap-south-1", enabled=True, scanned=False, in_use=None, workloads=None, uk=False)
    estate.many(backups_copied, "storage.backup_plan", cross_region_copy=True, rules=1)
    estate.fact("storage.backup_plan", cross_region_copy=False, rules=1)
    estate.many(replicated, "storage.bucket", replication=True)
    estate.fact("storage.bucket", replication=False)
    return estate


def test_geography_one_region_no_copies_is_level_1(tmp_path):
    result = geo_estate(1).score(tmp_path, "cost.geography")
    assert result.suggested_level == 1
    assert result.confidence == "high"


@pytest.mark.parametrize(("copied", "replicated"), [(1, 0), (0, 1)])
def test_geography_copies_to_another_region_is_level_2(tmp_path, copied, replicated):
    result = geo_estate(1, backups_copied=copied, replicated=replicated).score(tmp_path, "cost.geography")
    assert result.possible_levels == [2, 3]
    assert result.suggested_level == 2


def test_geography_data_alone_in_a_second_region_is_level_2(tmp_path):
    """Workloads in one region, only a bucket or volumes in another: 'another region for ... backup and recovery'."""
    result = geo_estate(2, running=1).score(tmp_path, "cost.geography")
    assert result.possible_levels == [2, 3]
    assert result.suggested_level == 2


@pytest.mark.parametrize("regions", [2, 3])
def test_geography_workloads_in_several_regions_is_at_least_2(tmp_path, regions):
    """Workloads in several regions show "We use another region for non-production workloads or backup and
    recovery" at least; why the regions were chosen (3) and automatic moves (4) are for a person: "at least 2"."""
    result = geo_estate(regions).score(tmp_path, "cost.geography")
    assert (result.status, result.floor_level, result.answer, result.suggested_level) == ("floor", 2, 2, None)
    assert result.possible_levels == [2, 3, 4]
    assert result.because.startswith(f"Another region is in use. Regions holding workloads or data: {regions};"), result.because


def test_geography_unread_scanned_region_is_unknown(tmp_path):
    """A scanned region whose resources could not all be read may hold workloads: not 'everything in one region'."""
    estate = geo_estate(1)
    estate.fact("inventory.region", region="eu-north-1", enabled=True, scanned=True, in_use=None, workloads=None, uk=False)
    result = estate.score(tmp_path, "cost.geography")
    assert_no_level(result)
    assert 1 in result.possible_levels


def test_geography_empty_account_is_not_applicable(tmp_path):
    estate = Estate().covered("inventory.region", "storage.backup_plan", "storage.bucket")
    estate.fact("inventory.region", enabled=True, scanned=True, in_use=False, workloads=False, uk=True)
    assert estate.score(tmp_path, "cost.geography").status == "not_applicable"


def test_geography_backup_plans_denied_is_unknown(tmp_path):
    estate = Estate().covered("storage.bucket")
    estate.fact("inventory.region", enabled=True, scanned=True, in_use=True, workloads=True, uk=True)
    estate.denied("storage.backup_plan")
    assert_no_level(estate.score(tmp_path, "cost.geography"))


def test_geography_region_list_denied_in_one_account_is_unknown(tmp_path):
    estate = geo_estate(1)
    estate.denied("inventory.region", scope=OTHER_SCOPE)
    assert_no_level(estate.score(tmp_path, "cost.geography"))


def test_geography_accounts_in_the_same_region_are_one_region(tmp_path):
    """Three accounts, all in London: 'Everything in one region'."""
    estate = geo_estate(1)
    for scope in (OTHER_SCOPE, "333333333333"):
        estate.covered("inventory.region", "storage.backup_plan", "storage.bucket", scope=scope)
        estate.fact("inventory.region", scope=scope, region="eu-west-2", enabled=True, scanned=True, in_use=True, workloads=True, uk=True)
    result = estate.score(tmp_path, "cost.geography")
    assert evidence(result, "regions_in_use").value.hi == 1
    assert result.suggested_level == 1


def test_geography_counts_regions_across_accounts(tmp_path):
    estate = geo_estate(1)
    ireland = {"enabled": True, "scanned": True, "in_use": True, "workloads": True, "uk": False}
    estate.fact("inventory.region", scope=OTHER_SCOPE, region="eu-west-1", **ireland)
    result = estate.score(tmp_path, "cost.geography")
    regions = evidence(result, "regions_in_use")
    assert regions.value.lo == 2
    assert {s.scope for s in regions.by_scope} == {"111111111111", OTHER_SCOPE}
    assert evidence(result, "non_uk_regions_in_use").value.lo == 1
    assert (result.status, result.floor_level) == ("floor", 2)  # two regions, whichever accounts hold them


# --- evidence-only rules: cost.sustainability, cost.spend --------------------------------------


def test_sustainability_reports_evidence_but_never_a_level(tmp_path):
    estate = Estate().covered("cost.data_export", "compute.instance", "compute.function", "compute.autoscaling_group")
    estate.fact("cost.data_export", table="carbon_emissions", granularity="monthly", carbon=True)
    estate.many(4, "compute.instance", state="running", arm=True, spot=False)
    estate.fact("compute.instance", state="running", arm=False, spot=True)
    estate.fact("compute.function", arm=True)
    result = estate.score(tmp_path, "cost.sustainability")
    assert result.automation == "partial"
    assert_no_level(result)
    assert evidence(result, "carbon_exports").value.lo == 1
    assert evidence(result, "arm_instances").value.lo == pytest.approx(0.8)
    assert set(verdicts(result).values()) == {"human"}


def test_spend_reports_evidence_but_never_a_level(tmp_path):
    estate = Estate().covered("cost.budget", "cost.anomaly_monitor", "inventory.resource", "cost.data_export")
    estate.fact("cost.budget", notifications=3, forecast_alert=True, scoped=True)
    estate.fact("cost.anomaly_monitor", subscriptions=1)
    estate.fact("cost.data_export", table="focus", granularity="daily", carbon=False)
    estate.many(9, "inventory.resource", has_cost_tags=True)
    estate.fact("inventory.resource", has_cost_tags=False)
    result = estate.score(tmp_path, "cost.spend")
    assert_no_level(result)
    assert evidence(result, "alerting_budgets").value.lo == 1
    assert evidence(result, "cost_tagged").value.lo == pytest.approx(0.9)
    assert evidence(result, "detailed_exports").value.lo == 1


def test_spend_without_budgets_is_still_unknown_not_level_1(tmp_path):
    result = Estate().covered("cost.budget", "cost.anomaly_monitor").score(tmp_path, "cost.spend")
    assert_no_level(result)
    assert result.evidence_to_bring
