"""CSMM security monitoring, network security, workload security and incident response from moto estates.

Each expected answer is read off the category's level description in csmm/categories.json
(quoted in the docstring), never from running the code first. Security monitoring has levels the
configuration shows (1, 2, 3 and, by its 4/5 tie-break, 4); network security shows level 1 where
admin ports are open and no network was built; workload security and incident response turn on
practice the cloud cannot show, so their estates pin what is ruled out and that the answer stays 0.

moto lacks Detective and Access Analyzer: the `moto_gaps` fixture (tests/aws/estates/platform.py)
serves them to the real client, else every GuardDuty share is unknown (see the bare-moto tests).
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime, timedelta

import boto3
import pytest

from tests.aws.estates import ACCOUNT, REGION, answer, assert_dont_know, deny, explain
from tests.aws.estates.platform import (
    HTTPS,
    RDP,
    SSH,
    custom_vpc,
    flow_logs_everywhere,
    guardduty,
    instance_with_group,
    member_accounts,
    route_findings,
    trail,
)
from tests.rules import verdicts

OTHER = "eu-west-1"
MONITORING = "csmm.security_monitoring"
NETWORK = "csmm.network_security"
WORKLOAD = "csmm.workload_security"
RESPONSE = "csmm.incident_response"


# --- csmm.security_monitoring -------------------------------------------------------------------


def _comprehensive(*regions: str) -> None:
    """Management-plane trail, GuardDuty and flow logs on every VPC in every region, findings routed."""
    trail(locked=False)
    guardduty(*regions)
    for region in regions or (REGION,):
        flow_logs_everywhere(region)
        route_findings("sns", region=region)


def test_monitoring_empty_account_is_not_applicable(moto_gaps, tmp_path) -> None:
    """Nothing deployed and nothing set up: an empty account never scores level 1 (docs/scoring.md)."""
    result = answer(tmp_path, MONITORING)
    assert (result.status, result.answer) == ("not_applicable", 0), explain(result)


def test_monitoring_workloads_without_logging_is_level_1(moto_gaps, tmp_path) -> None:
    """Level 1: "No monitoring/alerting on telemetry gathered by the cloud provider." A running
    instance, and no trail, no threat detection."""
    boto3.client("ec2", REGION).run_instances(ImageId="ami-12345678", InstanceType="t3.micro", MinCount=1, MaxCount=1)
    result = answer(tmp_path, MONITORING)
    assert result.answer == 1, explain(result)


def test_monitoring_logs_in_some_accounts_is_level_2(moto_gaps, tmp_path) -> None:
    """Level 2: "Multi-account monitoring/alerting with logs aggregated across some accounts." The
    management account keeps a trail, the member account none; GuardDuty runs in both. Level 3 needs
    management-plane logs "across all relevant deployments", so it is out."""
    (member,) = member_accounts(1)
    trail()
    guardduty()
    guardduty(session=member)
    result = answer(tmp_path, MONITORING, org=True)
    assert result.answer == 2, explain(result)


def test_monitoring_threat_detection_without_a_trail_is_level_2(moto_gaps, tmp_path) -> None:
    """GuardDuty alerts on the provider's telemetry (so not level 1), but no trail collects the
    management-plane logs level 3 asks for: level 2 is what is left."""
    guardduty()
    result = answer(tmp_path, MONITORING)
    assert result.answer == 2, explain(result)


def test_monitoring_detectors_in_one_region_of_two_is_level_3(moto_gaps, tmp_path) -> None:
    """Level 3: "Management plane logs ... collected across all relevant deployments. Initial
    alerts/threat detectors for security deviations, but inconsistently in place." A multi-region
    trail logs the whole account; GuardDuty runs in one of the two regions in use."""
    trail(locked=False)
    guardduty(REGION)
    result = answer(tmp_path, MONITORING, regions=(REGION, OTHER))
    assert result.answer == 3, explain(result)


def test_monitoring_comprehensive_telemetry_and_detectors_is_level_4(moto_gaps, tmp_path) -> None:
    """Level 4: "Comprehensive security telemetry collected for the management plane, services and
    workloads. Cloud-native threat detectors in place." A trail, flow logs on every VPC, GuardDuty
    in both regions show it. Level 5 adds consistency across every provider in use and enrichment,
    which one provider's configuration cannot show: at least 4."""
    _comprehensive(REGION, OTHER)
    result = answer(tmp_path, MONITORING, regions=(REGION, OTHER))
    assert (result.status, result.answer) == ("floor", 4), explain(result)


def test_monitoring_organisation_trail_and_detectors_everywhere_is_level_4(moto_gaps, tmp_path) -> None:
    """Level 4 across an organisation: one organisation trail logs both accounts, GuardDuty and flow
    logs run in both, findings are routed in each (level 5 still turns on other providers)."""
    (member,) = member_accounts(1)
    trail("organisation", organization=True, locked=False)
    guardduty()
    guardduty(session=member)
    flow_logs_everywhere()
    route_findings("sns")
    ec2 = member.client("ec2", REGION)
    account = member.client("sts").get_caller_identity()["Account"]
    ec2.create_flow_logs(
        ResourceIds=[v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]],
        ResourceType="VPC",
        TrafficType="ALL",
        LogDestinationType="cloud-watch-logs",
        LogGroupName="vpc-flow-logs",
        DeliverLogsPermissionArn=f"arn:aws:iam::{account}:role/flow-logs",
    )
    route_findings("sns", session=member)
    result = answer(tmp_path, MONITORING, org=True)
    assert result.answer == 4, explain(result)


def test_monitoring_without_flow_logs_is_at_least_3(moto_gaps, tmp_path) -> None:
    """Trail and GuardDuty everywhere but no flow logs: workload telemetry may come from agents or a
    SIEM, so "comprehensive telemetry" (4) is neither shown nor ruled out; "Management plane logs ...
    collected across all relevant deployments. Initial alerts/threat detectors" is shown: at least 3."""
    trail(locked=False)
    guardduty()
    result = answer(tmp_path, MONITORING)
    assert (result.status, result.answer, result.possible_levels) == ("floor", 3, [3, 4, 5]), explain(result)


def test_monitoring_trail_without_detectors_isassert_dont_know(moto_gaps, tmp_path) -> None:
    """Every account logged but no cloud threat detector: a SIEM may alert (3) or not (2)."""
    trail(locked=False)
    assert_dont_know(answer(tmp_path, MONITORING), [2, 3])


@pytest.mark.parametrize("denied", ["cloudtrail:DescribeTrails", "guardduty:ListDetectors", "ec2:DescribeFlowLogs"])
def test_monitoring_denied_reads_areassert_dont_know(moto_gaps, tmp_path, monkeypatch, denied: str) -> None:
    """Never guess: the level 4 estate with one of its reads denied gives no level."""
    _comprehensive()
    deny(monkeypatch, denied)
    result = answer(tmp_path, MONITORING)
    assert result.answer == 0 and result.suggested_level is None, explain(result)


def test_monitoring_denied_reads_in_an_empty_account_are_not_level_1(moto_gaps, tmp_path, monkeypatch) -> None:
    """Never guess: "no trail" that could not be read is not "no monitoring"."""
    deny(monkeypatch, "cloudtrail:DescribeTrails")
    result = answer(tmp_path, MONITORING)
    assert result.answer == 0, explain(result)


def test_monitoring_on_bare_moto_is_level_1(aws, tmp_path) -> None:
    """moto answers Detective and Access Analyzer with 404; their facets keep that away from the
    GuardDuty and trail signals, so an account running an instance with nothing watching it is
    level 1 on a bare moto server too."""
    boto3.client("ec2", REGION).run_instances(ImageId="ami-12345678", InstanceType="t3.micro", MinCount=1, MaxCount=1)
    result = answer(tmp_path, MONITORING)
    assert result.answer == 1, explain(result)


# --- csmm.network_security ----------------------------------------------------------------------


def test_network_open_admin_ports_in_the_default_network_is_level_1(moto_gaps, tmp_path) -> None:
    """Level 1: "Network security ad hoc using overly open controls." A running instance in the
    provider's default VPC with SSH open to the internet; no network was built, so level 2
    ("Networks manually built to defined cloud standards") and level 3 (cloud-native segmentation)
    are out, and open admin ports show no automated guardrail (4, 5)."""
    instance_with_group([SSH, HTTPS])
    result = answer(tmp_path, NETWORK)
    assert result.answer == 1, explain(result)


def test_network_open_rdp_in_a_second_region_is_level_1(moto_gaps, tmp_path) -> None:
    """Level 1 over two regions: default VPCs only, RDP open to the internet in one region."""
    instance_with_group([HTTPS], region=REGION)
    instance_with_group([RDP], region=OTHER)
    result = answer(tmp_path, NETWORK, regions=(REGION, OTHER))
    assert result.answer == 1, explain(result)


def test_network_open_admin_ports_in_a_built_network_isassert_dont_know(moto_gaps, tmp_path) -> None:
    """SSH open to the internet in a VPC the organisation built: overly open controls (1), but the
    network may follow a standard (2) or segment workloads (3) with one lapse: levels 1-3, answer 0."""
    instance_with_group([SSH], vpc=custom_vpc())
    assert_dont_know(answer(tmp_path, NETWORK), [1, 2, 3])


def test_network_closed_admin_ports_in_a_built_network_is_at_least_2(moto_gaps, tmp_path) -> None:
    """A built VPC, only HTTPS open: "Networks manually built to defined cloud standards ... Initial use of
    cloud-native security controls" is shown (at least 2); segmentation, templates and guardrails are for a person."""
    instance_with_group([HTTPS], vpc=custom_vpc())
    result = answer(tmp_path, NETWORK)
    assert (result.status, result.answer, result.possible_levels) == ("floor", 2, [2, 3, 4, 5]), explain(result)


def test_network_unattached_open_group_does_not_count(moto_gaps, tmp_path) -> None:
    """An SSH-open group attached to nothing is not a control in use: level 1 is not shown."""
    ec2 = boto3.client("ec2", REGION)
    idle = ec2.create_security_group(GroupName="idle", Description="unused")["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=idle, IpPermissions=[SSH])
    instance_with_group([HTTPS], vpc=custom_vpc())
    assert 1 not in answer(tmp_path, NETWORK).possible_levels


@pytest.mark.parametrize(("denied", "possible"), [("ec2:DescribeSecurityGroups", [1, 4, 5]), ("ec2:DescribeVpcs", [1, 2, 3])])
def test_network_denied_reads_areassert_dont_know(moto_gaps, tmp_path, monkeypatch, denied: str, possible: list[int]) -> None:
    """Never guess: the level 1 estate with its groups or its networks unread gives no level. With
    the groups unread, the default-only networks still rule out 2-3, but 1 against 4-5 is open."""
    instance_with_group([SSH])
    deny(monkeypatch, denied)
    assert_dont_know(answer(tmp_path, NETWORK), possible)


def test_network_empty_account_is_not_applicable(moto_gaps, tmp_path) -> None:
    """No security group in use: the rule's `not_applicable_when` holds, answer 0."""
    result = answer(tmp_path, NETWORK)
    assert result.status == "not_applicable" and result.answer == 0, explain(result)


# --- csmm.workload_security ---------------------------------------------------------------------


def _instances(n: int) -> None:
    boto3.client("ec2", REGION).run_instances(ImageId="ami-12345678", InstanceType="t3.micro", MinCount=n, MaxCount=n)


def _months_later(monkeypatch: pytest.MonkeyPatch, days: int = 120) -> None:
    """The scan runs `days` after the estate was built: instances launched before are that old."""
    later = datetime.now(UTC) + timedelta(days=days)
    monkeypatch.setattr("cmm_scan.cloud.transforms.now", lambda: later)


def _functions(n: int) -> None:
    role = boto3.client("iam").create_role(RoleName="fn", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return event\n")
    for i in range(n):
        boto3.client("lambda", REGION).create_function(
            FunctionName=f"fn{i}", Runtime="python3.12", Role=role, Handler="handler.handler", Code={"ZipFile": code.getvalue()}
        )


def _repositories(scanned: int, unscanned: int = 0) -> None:
    ecr = boto3.client("ecr", REGION)
    for i in range(scanned + unscanned):
        ecr.create_repository(repositoryName=f"app{i}", imageScanningConfiguration={"scanOnPush": i < scanned})


def test_workload_long_running_vms_rule_out_immutable_infrastructure(moto_gaps, tmp_path, monkeypatch) -> None:
    """Level 1: "Most workloads are long-running VMs using existing datacenter-centric security
    controls." Four VMs up for 120 days, one function: level 1 is supported and "Immutable
    infrastructure is the recommended pattern" (4, 5) is out; the security tools (1 against 2 and 3)
    are for a person: answer 0."""
    _instances(4)
    _months_later(monkeypatch)
    _functions(1)
    result = answer(tmp_path, WORKLOAD)
    assert_dont_know(result, [1, 2, 3])
    assert verdicts(result)[1] == "supported", explain(result)


def test_workload_fresh_vms_and_scanned_images_isassert_dont_know(moto_gaps, tmp_path) -> None:
    """Recently launched VMs and every repository scanning on push: level 1 is out, 4-5 supported,
    but configuration management and image pipelines (2-3) are for a person."""
    _instances(2)
    _repositories(scanned=2)
    result = answer(tmp_path, WORKLOAD)
    assert_dont_know(result, [2, 3, 4, 5])


def test_workload_scaling_groups_and_scanning_are_at_least_3(moto_gaps, tmp_path) -> None:
    """Level 3: "Initial use of Immutable infrastructure. Initial integration of security configurations and tools
    into image creation/pipelines. Initial security controls implemented on containers." Servers launched by a
    scaling group from a template, Inspector on, every repository scanning on push: at least 3 (immutable as the
    recommended pattern and pipeline testing, 4-5, are for a person)."""
    ec2 = boto3.client("ec2", REGION)
    ec2.create_launch_template(LaunchTemplateName="web", LaunchTemplateData={"ImageId": "ami-12345678", "InstanceType": "t3.micro"})
    boto3.client("autoscaling", REGION).create_auto_scaling_group(
        AutoScalingGroupName="web",
        MinSize=2,
        MaxSize=4,
        DesiredCapacity=2,
        LaunchTemplate={"LaunchTemplateName": "web"},
        AvailabilityZones=[f"{REGION}a"],
    )
    boto3.client("inspector2", REGION).enable(resourceTypes=["EC2", "ECR"], accountIds=[ACCOUNT])
    _repositories(scanned=2)
    result = answer(tmp_path, WORKLOAD)
    assert (result.status, result.answer, result.possible_levels) == ("floor", 3, [3, 4, 5]), explain(result)


def test_workload_unscanned_images_rule_out_baseline_container_security(moto_gaps, tmp_path) -> None:
    """A repository without scanning: "Baseline container security in place" (4) and 5 are out."""
    _functions(2)
    _repositories(scanned=1, unscanned=1)
    assert_dont_know(answer(tmp_path, WORKLOAD), [2, 3])


def test_workload_denied_instances_isassert_dont_know(moto_gaps, tmp_path, monkeypatch) -> None:
    _instances(4)
    _months_later(monkeypatch)
    deny(monkeypatch, "ec2:DescribeInstances")
    assert_dont_know(answer(tmp_path, WORKLOAD), [1, 2, 3, 4, 5])


def test_workload_empty_account_is_not_applicable(moto_gaps, tmp_path) -> None:
    result = answer(tmp_path, WORKLOAD)
    assert result.status == "not_applicable" and result.answer == 0, explain(result)


# --- csmm.incident_response ---------------------------------------------------------------------


def test_response_routed_findings_are_at_least_2(moto_gaps, tmp_path) -> None:
    """GuardDuty findings trigger a quarantine function and Detective is on: cloud events are responded
    to ("Manual IR response to cloud events", at least 2), and level 4's automation is supported;
    consistent response, trained responders, playbooks, an IR team and simulations (3-5) are not
    visible: a floor, not a level."""
    guardduty()
    route_findings("lambda")
    moto_gaps.detective_on()
    result = answer(tmp_path, RESPONSE)
    assert (result.status, result.answer, result.possible_levels) == ("floor", 2, [2, 3, 4, 5]), explain(result)
    assert verdicts(result)[4] == "supported" and verdicts(result)[5] == "human", explain(result)


def test_response_routed_findings_on_bare_moto_are_at_least_2(aws, tmp_path) -> None:
    """Without Detective or Access Analyzer answering (bare moto: both collectors fail), routed GuardDuty
    findings still show level 2: those failures leave unknown only investigation, which decides no level."""
    guardduty()
    route_findings("sns")
    result = answer(tmp_path, RESPONSE)
    assert (result.status, result.answer) == ("floor", 2), explain(result)


def test_response_nothing_automated_isassert_dont_know(moto_gaps, tmp_path) -> None:
    assert_dont_know(answer(tmp_path, RESPONSE), [1, 2, 3, 4, 5])


def test_response_denied_event_rules_isassert_dont_know(moto_gaps, tmp_path, monkeypatch) -> None:
    route_findings("lambda")
    deny(monkeypatch, "events:ListRules")
    result = answer(tmp_path, RESPONSE)
    assert_dont_know(result, [1, 2, 3, 4, 5])
    assert verdicts(result)[4] == "possible", explain(result)
