"""cost.compute, cost.geography, cost.spend, cost.sustainability and tech.stack from moto estates.

Each estate is built through the public APIs in an in-process moto account and scanned by the real
adapter (see `tests.aws.estates`). The expected answer is read off the level text quoted in each
docstring (current wording, with the CMM report's level name where it decides), never from a run.
cost.capacity has its own module (`test_cost_capacity.py`).

Moto gaps (5.2.5): Cost Explorer anomaly monitors and subscriptions (`ce:GetAnomalyMonitors`), Data
Exports (`bcm-data-exports`) and the Cost and Usage Report API are not implemented. Anomaly monitors
are served from recorded responses here; no AWS collector reads data exports yet (the fact type
`cost.data_export` has no AWS source), so carbon and detailed billing exports are always "not read".
EKS node groups start no instances on moto, so worker nodes are an Auto Scaling group tagged as EKS tags them.
Under IAM enforcement moto checks Budgets reads as budgets:Describe* (AWS authorises them all with
budgets:ViewBudget), and answers a denied Lambda call in XML, which the scan reports as an error rather
than a denial; either way the fact type is incomplete.

Budgets: moto keeps the subscribers given to CreateBudget but has no DescribeSubscribersForNotification, so who
receives a budget alert is unknown on moto; the estates that need it serve the Budgets API (three calls) from
the fixture server, in the shapes AWS returns.

cost.sustainability sets no level from configuration. cost.spend shows level 3 (scheduled scaling) and level 4
(team budgets alerting people outside finance), each a floor; tech.stack shows level 3 when most deployable
units run on their own, also a floor.
"""

from __future__ import annotations

import boto3
import pytest

from tests.aws.estates import ACCOUNT, REGION, answer, deny, explain
from tests.aws.estates.compute import CPU, eks_cluster, functions, group, instances, services
from tests.aws.fixture_server import recorded, serving

OTHER_REGION = "eu-west-1"


def evidence(result, signal: str):
    (found,) = [e for e in result.evidence if e.signal == signal]
    return found


def no_answer(result) -> bool:
    return result.answer == 0 and result.suggested_level is None


# --- cost.compute: "How do you run services in the cloud?" ---------------------------------------


def test_compute_vms_only_is_level_1(aws, tmp_path) -> None:
    """Level 1, 'Long-running virtual machines (VMs).': three standalone VMs and one scaled VM group,
    no containers, no functions."""
    instances(3)
    group("web", 2, CPU)
    result = answer(tmp_path, "cost.compute")
    assert result.answer == 1, explain(result)


def test_compute_one_function_among_vms_is_level_2(aws, tmp_path) -> None:
    """Level 2, 'VMs with containers or serverless for a few minor things.': four VMs and a single function.
    Whether the function is a key system (level 3) is not in configuration; the rule reads a function beside
    VMs as a minor thing and says so (tie-break)."""
    instances(4)
    functions(1)
    result = answer(tmp_path, "cost.compute")
    assert result.answer == 2, explain(result)
    assert result.tie_break, explain(result)


def test_compute_one_function_among_many_vms_is_level_2(aws, tmp_path) -> None:
    """Level 2, 'VMs with containers or serverless for a few minor things.': ten VMs and one function
    (under 10% of units: too few to be 'some key systems' whatever it is)."""
    instances(10)
    functions(1)
    result = answer(tmp_path, "cost.compute")
    assert result.answer == 2 and not result.tie_break, explain(result)


def test_compute_container_services_beside_vms_is_level_3(aws, tmp_path) -> None:
    """Level 3, 'A mix of VMs and containers or serverless for some key systems.': three VMs and two
    container services, each a running system."""
    instances(3)
    services("api", 2)
    result = answer(tmp_path, "cost.compute")
    assert result.answer == 3, explain(result)


def test_compute_mix_is_level_3(aws, tmp_path) -> None:
    """Level 3, 'A mix of VMs and containers or serverless for some key systems.': three VMs, a container
    service and a function (two of five units modern: a mix, VMs still the majority)."""
    instances(3)
    services("api", 1)
    functions(1)
    result = answer(tmp_path, "cost.compute")
    assert result.answer == 3, explain(result)


def test_compute_mostly_containers_and_functions_is_level_4(aws, tmp_path) -> None:
    """Level 4, 'Containers or serverless.': two container services and two functions beside one VM.
    Level 5 ('We pick the best tool for each job') is a decision process configuration cannot show."""
    instances(1)
    services("api", 2)
    functions(2)
    result = answer(tmp_path, "cost.compute")
    assert result.answer == 4, explain(result)
    assert result.possible_levels == [4, 5] and result.tie_break, explain(result)


def test_compute_serverless_only_is_level_4(aws, tmp_path) -> None:
    """Level 4, 'Containers or serverless.': nothing but functions."""
    functions(3)
    result = answer(tmp_path, "cost.compute")
    assert result.answer == 4, explain(result)


def test_compute_kubernetes_nodes_are_containers_not_vms(aws, tmp_path) -> None:
    """Level 4, 'Containers or serverless.': an EKS cluster whose worker nodes are EC2 instances, plus a
    function; the nodes run containers, so they are not VM units."""
    eks_cluster("platform", 3)
    functions(1)
    result = answer(tmp_path, "cost.compute")
    assert result.answer == 4, explain(result)
    assert evidence(result, "standalone_vms").value.hi == 0 and evidence(result, "vm_groups").value.hi == 0, explain(result)


def test_compute_counts_units_in_every_region(aws, tmp_path) -> None:
    """Level 3, 'A mix of VMs and containers or serverless': three VMs in London and, in Ireland, a
    container service and two functions. Either region alone would read as level 1 or level 4."""
    instances(3)
    services("api", 1, region=OTHER_REGION)
    functions(2, region=OTHER_REGION)
    assert answer(tmp_path, "cost.compute").answer == 1
    result = answer(tmp_path, "cost.compute", regions=(REGION, OTHER_REGION))
    assert result.answer == 3, explain(result)


def test_compute_empty_account_is_not_applicable(aws, tmp_path) -> None:
    """Never guess: no compute at all is not level 1 ('Long-running VMs'); the question does not apply."""
    result = answer(tmp_path, "cost.compute")
    assert result.status == "not_applicable" and result.answer == 0, explain(result)


@pytest.mark.parametrize("denied", ["lambda:ListFunctions", "ecs:ListClusters", "eks:ListClusters"])
def test_compute_unread_serverless_or_containers_is_i_dont_know(aws, tmp_path, monkeypatch, denied: str) -> None:
    """Never guess: VMs alone would be level 1, but functions or containers that could not be listed may
    exist, so there is no level."""
    instances(3)
    deny(monkeypatch, denied)
    result = answer(tmp_path, "cost.compute")
    assert no_answer(result), explain(result)


def test_compute_unread_instances_is_i_dont_know(aws, tmp_path, monkeypatch) -> None:
    """Never guess: functions alone would be level 4, but VMs that could not be listed may outnumber them."""
    functions(3)
    deny(monkeypatch, "ec2:DescribeInstances")
    result = answer(tmp_path, "cost.compute")
    assert no_answer(result), explain(result)


# --- cost.geography: "How do you choose where to run workloads and store data?" --------------------

BOTH = (REGION, OTHER_REGION)


def _london_service() -> None:
    """A small service in London: instances, a function and a bucket."""
    instances(2)
    functions(1)
    boto3.client("s3", REGION).create_bucket(Bucket="london-data", CreateBucketConfiguration={"LocationConstraint": REGION})


def test_geography_everything_in_london_is_level_1(aws, tmp_path) -> None:
    """Level 1, 'Everything in one region.': instances, a function and a bucket in London; Ireland, also
    scanned, holds only its default VPC."""
    _london_service()
    result = answer(tmp_path, "cost.geography", regions=BOTH)
    assert result.answer == 1, explain(result)


def test_geography_backups_copied_to_another_region_is_level_2(aws, tmp_path) -> None:
    """Level 2, 'We use another region for non-production workloads or backup and recovery.': everything
    runs in London and a backup plan copies recovery points to a vault in Ireland."""
    _london_service()
    boto3.client("backup", OTHER_REGION).create_backup_vault(BackupVaultName="dr")
    backup = boto3.client("backup", REGION)
    backup.create_backup_vault(BackupVaultName="primary")
    copy = {"DestinationBackupVaultArn": f"arn:aws:backup:{OTHER_REGION}:{ACCOUNT}:backup-vault:dr", "Lifecycle": {"DeleteAfterDays": 35}}
    rule = {"RuleName": "daily", "TargetBackupVaultName": "primary", "Lifecycle": {"DeleteAfterDays": 35}, "CopyActions": [copy]}
    backup.create_backup_plan(BackupPlan={"BackupPlanName": "daily", "Rules": [rule]})
    result = answer(tmp_path, "cost.geography", regions=BOTH)
    assert result.answer == 2, explain(result)


def test_geography_bucket_replicated_to_another_region_is_level_2(aws, tmp_path) -> None:
    """Level 2, '... another region for ... backup and recovery': London's bucket replicates to a bucket
    in Ireland, which holds the copy and runs nothing."""
    _london_service()
    s3 = boto3.client("s3", REGION)
    replica = boto3.client("s3", OTHER_REGION)
    replica.create_bucket(Bucket="ireland-replica", CreateBucketConfiguration={"LocationConstraint": OTHER_REGION})
    for client, bucket in ((s3, "london-data"), (replica, "ireland-replica")):
        client.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_replication(
        Bucket="london-data",
        ReplicationConfiguration={
            "Role": f"arn:aws:iam::{ACCOUNT}:role/replication",
            "Rules": [{"ID": "dr", "Status": "Enabled", "Prefix": "", "Destination": {"Bucket": "arn:aws:s3:::ireland-replica"}}],
        },
    )
    result = answer(tmp_path, "cost.geography", regions=BOTH)
    assert result.answer == 2, explain(result)


def test_geography_workloads_in_two_regions_is_at_least_2(aws, tmp_path) -> None:
    """Instances in London and Ireland: 'We use another region for non-production workloads or backup and
    recovery' at least; chosen on cost or performance (3) or filled automatically (4) only people can say."""
    _london_service()
    instances(2, region=OTHER_REGION)
    result = answer(tmp_path, "cost.geography", regions=BOTH)
    assert (result.status, result.floor_level, result.answer) == ("floor", 2, 2), explain(result)
    assert result.possible_levels == [2, 3, 4], explain(result)


def test_geography_empty_account_is_not_applicable(aws, tmp_path) -> None:
    """Never guess: default VPCs in every region are not 'everything in one region'; nothing runs, so the
    question does not apply."""
    result = answer(tmp_path, "cost.geography", regions=BOTH)
    assert result.status == "not_applicable" and result.answer == 0, explain(result)


@pytest.mark.parametrize("denied", ["ec2:DescribeRegions", "lambda:ListFunctions", "s3:ListAllMyBuckets", "backup:ListBackupPlans"])
def test_geography_unread_resources_or_copies_is_i_dont_know(aws, tmp_path, monkeypatch, denied: str) -> None:
    """Never guess: with the regions, functions, buckets or backup plans unread, Ireland may hold workloads or London's
    data may be copied there, so 'everything in one region' cannot be confirmed."""
    _london_service()
    deny(monkeypatch, denied)
    result = answer(tmp_path, "cost.geography", regions=BOTH)
    assert no_answer(result), explain(result)


# --- cost.spend: "How do you manage costs?" (evidence only) -------------------------------------------

COST_TAGS = [{"ResourceType": "instance", "Tags": [{"Key": "CostCentre", "Value": "digital"}, {"Key": "Owner", "Value": "payments"}]}]


def _budgets() -> None:
    """A whole-bill budget alerting finance on actual spend and a team budget for EC2 alerting on forecast."""
    budgets = boto3.client("budgets", "us-east-1")
    limit = {"BudgetLimit": {"Amount": "1000", "Unit": "USD"}, "TimeUnit": "MONTHLY", "BudgetType": "COST"}
    actual = {"NotificationType": "ACTUAL", "ComparisonOperator": "GREATER_THAN", "Threshold": 100}
    forecast = {"NotificationType": "FORECASTED", "ComparisonOperator": "GREATER_THAN", "Threshold": 80}

    def email(who: str) -> dict[str, str]:
        return {"SubscriptionType": "EMAIL", "Address": f"{who}@example.gov.uk"}

    budgets.create_budget(
        AccountId=ACCOUNT,
        Budget={"BudgetName": "whole-bill", **limit},
        NotificationsWithSubscribers=[
            {"Notification": actual, "Subscribers": [{"SubscriptionType": "EMAIL", "Address": "finance@example.gov.uk"}]}
        ],
    )
    budgets.create_budget(
        AccountId=ACCOUNT,
        Budget={"BudgetName": "team-ec2", **limit, "CostFilters": {"Service": ["Amazon Elastic Compute Cloud - Compute"]}},
        NotificationsWithSubscribers=[
            {"Notification": forecast, "Subscribers": [{"SubscriptionType": "EMAIL", "Address": "team@example.gov.uk"}]}
        ],
    )


def test_spend_full_cost_tooling_is_still_for_a_person(aws, tmp_path, monkeypatch) -> None:
    """Level 5 reads 'We manage cost as a team, get alerts and look for savings.': budgets alerting finance
    and a team on actual and forecast spend, a subscribed anomaly monitor and cost-tagged instances show the
    alerts, but not a team practice or a habit of looking for savings (nor levels 2-4: finance planning,
    automation, developers considering cost). The scan reports the evidence and answers 0."""
    _budgets()
    instances(3, TagSpecifications=COST_TAGS)
    routes = {
        "GetAnomalyMonitors": [(200, recorded("ce-get-anomaly-monitors.json"))],
        "GetAnomalySubscriptions": [(200, recorded("ce-get-anomaly-subscriptions.json"))],
    }
    with serving(monkeypatch, "COST_EXPLORER", routes):
        result = answer(tmp_path, "cost.spend")
    assert no_answer(result) and result.status != "not_applicable", explain(result)
    assert evidence(result, "alerting_budgets").value.lo == 2, explain(result)
    assert evidence(result, "forecast_budgets").value.lo == 1 and evidence(result, "scoped_budgets").value.lo == 1, explain(result)
    assert evidence(result, "subscribed_anomaly_monitors").value.lo == 1, explain(result)
    assert evidence(result, "cost_tagged").value.lo == 1.0, explain(result)


def test_spend_without_budgets_is_not_level_1(aws, tmp_path) -> None:
    """Never guess: no budgets in this account does not mean 'only finance sees spending reports' (level 1);
    budgets often sit in the payer account or a FinOps tool."""
    instances(2)
    result = answer(tmp_path, "cost.spend")
    assert no_answer(result), explain(result)
    assert evidence(result, "alerting_budgets").value.hi == 0, explain(result)


def test_spend_budgets_denied_is_i_dont_know(aws, tmp_path, monkeypatch) -> None:
    """Never guess: budgets that cannot be read are not 'no budgets'."""
    _budgets()
    # AWS authorises every Budgets read with budgets:ViewBudget; moto checks the operation names instead
    deny(monkeypatch, "budgets:ViewBudget", "budgets:DescribeBudgets", "budgets:DescribeNotificationsForBudget")
    result = answer(tmp_path, "cost.spend")
    assert no_answer(result), explain(result)
    assert not evidence(result, "alerting_budgets").complete, explain(result)


def _served_budgets(monkeypatch, subscribers: list[str]):
    """The Budgets API as AWS answers it: a team budget scoped to a cost-allocation tag and a whole-bill budget,
    one alert each (forecast and actual), every alert sent to `subscribers` (email addresses)."""
    limit = {"BudgetLimit": {"Amount": "1000", "Unit": "USD"}, "TimeUnit": "MONTHLY", "BudgetType": "COST"}
    budgets = {
        "Budgets": [
            {"BudgetName": "team-web", **limit, "CostFilters": {"TagKeyValue": ["user:team$web"]}},
            {"BudgetName": "whole-bill", **limit, "CostFilters": {}},
        ]
    }
    forecast = {"NotificationType": "FORECASTED", "ComparisonOperator": "GREATER_THAN", "Threshold": 80.0, "ThresholdType": "PERCENTAGE"}
    actual = {**forecast, "NotificationType": "ACTUAL", "Threshold": 100.0}
    routes = {
        "DescribeBudgets": [(200, budgets)],
        "DescribeNotificationsForBudget": [(200, {"Notifications": [forecast]}), (200, {"Notifications": [actual]})],
        "DescribeSubscribersForNotification": [(200, {"Subscribers": [{"SubscriptionType": "EMAIL", "Address": a} for a in subscribers]})],
    }
    return serving(monkeypatch, "BUDGETS", routes)


def test_spend_team_budget_alerting_engineers_is_at_least_4(aws, tmp_path, monkeypatch) -> None:
    """Level 4 reads 'Developers can see and consider costs': a budget scoped to the web team's tag alerts the
    team's engineers (and finance) on forecast spend. Level 5 ('we manage cost as a team ... and look for savings')
    turns on a team habit: at least 4."""
    with _served_budgets(monkeypatch, ["web-engineers@example.gov.uk", "finance@example.gov.uk"]) as server:
        result = answer(tmp_path, "cost.spend")
    assert (result.status, result.floor_level, result.answer) == ("floor", 4, 4), explain(result)
    assert result.because == (
        "Teams see their own costs. Alerts of budgets scoped to a service, tag, account or project that reach people outside finance: 1."
    ), result.because
    asked = [body for key, body in server.requests if key == "DescribeSubscribersForNotification"]
    assert {b["BudgetName"] for b in asked} == {"team-web", "whole-bill"} and all(b["AccountId"] == ACCOUNT for b in asked)


def test_spend_budgets_alerting_finance_only_show_no_team_visibility(aws, tmp_path, monkeypatch) -> None:
    """Scoped budgets whose alerts reach finance alone ('Finance uses billing data to plan spending' fits as well as
    anything above): nothing shows developers seeing costs, and no level is set."""
    with _served_budgets(monkeypatch, ["finance@example.gov.uk", "billing-team@example.gov.uk"]):
        result = answer(tmp_path, "cost.spend")
    assert no_answer(result), explain(result)
    assert evidence(result, "team_budget_alerts").value.hi == 0, explain(result)


def test_spend_scheduled_scaling_is_at_least_3(aws, tmp_path) -> None:
    """Level 3 reads 'We use some automation to help reduce costs' (report: 'automatically shutting down or scaling
    down non-production environments during off-hours'): a development group scaled to zero every night. No budgets
    here, so nothing shows level 4: at least 3."""
    group("dev", 2, schedule=True)
    result = answer(tmp_path, "cost.spend")
    assert (result.status, result.floor_level, result.answer) == ("floor", 3, 3), explain(result)
    assert result.because.endswith("change size on a schedule (capacity scaled down when it is not needed): 1."), result.because


def test_spend_scaling_schedules_unread_is_i_dont_know(aws, tmp_path, monkeypatch) -> None:
    """Never guess: a night-time schedule exists, but the scheduled actions cannot be read: no floor."""
    group("dev", 2, schedule=True)
    deny(monkeypatch, "autoscaling:DescribeScheduledActions")
    result = answer(tmp_path, "cost.spend")
    assert no_answer(result), explain(result)


def test_spend_budget_recipients_unread_is_no_floor(aws, tmp_path) -> None:
    """Never guess: on moto who receives a budget alert cannot be read (no DescribeSubscribersForNotification), so a
    team budget might show level 4: with scheduled scaling as well, the answer stays 0, not 'at least 3'."""
    _budgets()
    group("dev", 2, schedule=True)
    result = answer(tmp_path, "cost.spend")
    assert no_answer(result), explain(result)
    assert not evidence(result, "team_budget_alerts").complete, explain(result)


# --- cost.sustainability: "How do you track sustainability?" (evidence only) -------------------------


def test_sustainability_levers_without_measurement_is_for_a_person(aws, tmp_path) -> None:
    """Level 4 reads 'We monitor sustainability and make changes to improve.': Graviton instances, spot
    capacity, arm64 functions and an office-hours schedule are changes that could serve it, but they are
    usually chosen for cost and show no monitoring, goals or targets (levels 2-3). Answer 0, with evidence."""
    instances(3, instance_type="t4g.micro")
    instances(1, instance_type="m5.large", InstanceMarketOptions={"MarketType": "spot"})
    functions(2, arm=True)
    group("dev", 2, schedule=True, instance_type="t4g.micro")
    result = answer(tmp_path, "cost.sustainability")
    assert no_answer(result), explain(result)
    assert evidence(result, "arm_instances").value.lo == pytest.approx(5 / 6), explain(result)
    assert evidence(result, "spot_instances").value.lo == pytest.approx(1 / 6), explain(result)
    assert evidence(result, "arm_functions").value.lo == 1.0 and evidence(result, "scheduled_groups").value.lo == 1, explain(result)
    # moto has no Data Exports: the read fails, so carbon exports are unknown ("at least 0"), never "none"
    assert not evidence(result, "carbon_exports").complete and evidence(result, "carbon_exports").value.hi is None, explain(result)


def test_sustainability_carbon_export_is_measurement_not_a_level(aws, tmp_path, monkeypatch) -> None:
    """Level 3 reads 'We measure the environmental impact of our cloud use and set targets': a monthly
    carbon-emissions export measures, but targets, goals (2) and acting on the numbers (4) are not
    configuration. The export is read and shown; the answer stays 0."""
    arn = f"arn:aws:bcm-data-exports:us-east-1:{ACCOUNT}:export/carbon-0123"
    export = {
        "ExportArn": arn,
        "Name": "carbon",
        "DataQuery": {
            "QueryStatement": "SELECT total_mbm_emissions_value FROM CARBON_EMISSIONS",
            "TableConfigurations": {"CARBON_EMISSIONS": {}},
        },
        "DestinationConfigurations": {"S3Destination": {"S3Bucket": "exports", "S3Prefix": "carbon", "S3Region": REGION}},
        "RefreshCadence": {"Frequency": "SYNCHRONOUS"},
    }
    routes = {
        "ListExports": [(200, {"Exports": [{"ExportArn": arn, "ExportName": "carbon", "ExportStatus": {"StatusCode": "HEALTHY"}}]})],
        "GetExport": [(200, {"Export": export, "ExportStatus": {"StatusCode": "HEALTHY"}})],
    }
    functions(2, arm=True)
    with serving(monkeypatch, "BCM_DATA_EXPORTS", routes):
        result = answer(tmp_path, "cost.sustainability")
    assert no_answer(result), explain(result)
    assert evidence(result, "carbon_exports").value.lo == 1 and evidence(result, "carbon_exports").complete, explain(result)


def test_sustainability_empty_account_is_not_level_1(aws, tmp_path) -> None:
    """Never guess: nothing visible is not 'We don't track sustainability ourselves' (level 1): carbon figures
    read in the console leave no trace."""
    result = answer(tmp_path, "cost.sustainability")
    assert no_answer(result), explain(result)


def test_sustainability_instances_denied_is_i_dont_know(aws, tmp_path, monkeypatch) -> None:
    """Never guess: with instances unread the ARM and spot shares are unknown; still answer 0."""
    instances(2, instance_type="t4g.micro")
    deny(monkeypatch, "ec2:DescribeInstances")
    result = answer(tmp_path, "cost.sustainability")
    assert no_answer(result), explain(result)
    assert not evidence(result, "arm_instances").complete, explain(result)


# --- tech.stack: "What best describes your current technology stack?" (evidence only) ---------------


def test_stack_of_many_small_units_is_at_least_3(aws, tmp_path) -> None:
    """Eight functions and three container services, no VMs: 'Systems are made of parts that can run on their own'
    (3) at least. Whether they release and test independently (5), or depend on each other a lot (3), is not in
    configuration: a floor."""
    functions(8)
    services("orders", 3)
    result = answer(tmp_path, "tech.stack")
    assert (result.status, result.floor_level, result.answer) == ("floor", 3, 3), explain(result)
    assert evidence(result, "functions").value.lo == 8 and evidence(result, "container_services").value.lo == 3, explain(result)


def test_stack_of_one_large_vm_is_for_a_person(aws, tmp_path) -> None:
    """Level 1 reads 'Most systems are large, single applications': one large VM may hold a monolith, or a
    well-structured application split into modules (level 2); configuration cannot tell. Answer 0."""
    instances(1, instance_type="m5.4xlarge")
    result = answer(tmp_path, "tech.stack")
    assert no_answer(result), explain(result)
    assert evidence(result, "standalone_vms").value.lo == 1, explain(result)


def test_stack_units_denied_is_i_dont_know(aws, tmp_path, monkeypatch) -> None:
    """Never guess: unread functions leave the unit count open; still answer 0."""
    functions(2)
    deny(monkeypatch, "lambda:ListFunctions")
    result = answer(tmp_path, "tech.stack")
    assert no_answer(result), explain(result)
    assert not evidence(result, "functions").complete, explain(result)
