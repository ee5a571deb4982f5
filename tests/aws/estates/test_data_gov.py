"""Data, governance and third-party questions from moto estates, expected from the level text.

Questions: data.management, data.retention, gov.build_artefacts, gov.environment_mgmt,
gov.policy_enforcement, gov.provisioning, people.third_parties. Each estate is built with the real
boto3 inside the `aws` fixture's moto account and scanned by the real adapter; the docstring quotes the
level text the expected answer comes from. Where a level needs what only people can show (policies,
reviews, catalogues, break-glass processes) the expected answer is 0, "I don't know".

What moto (5.2.5) cannot build, and what these tests do instead:

- CloudTrail LookupEvents is not implemented (the collector reports `error`, so gov.provisioning and
  gov.environment_mgmt answer 0 against plain moto; `test_*_against_plain_moto_*` pins that). The activity
  estates serve synthetic CloudTrail records, per region, to the real client through
  tests.aws.fixture_server (`trail`); every other service stays on moto.
- CloudFormation has no DetectStackDrift and DescribeStacks carries no DriftInformation (drift status is
  unread). The level-5 estate records the result DetectStackDrift would leave on moto's stack model.
- AWS Config has no Put/DescribeRemediationConfigurations: on plain moto an estate with configuration rules
  keeps level 5 open (remediation unread) and answers 0; the remediation estates serve AWS Config from the
  fixture server instead.
- Security Hub GetEnabledStandards has no route (coverage `error`): enabled standards stay open.
- Signer ListSigningProfiles has no route: signing profiles (evidence only) stay open.
- Macie starts enabled in a fresh moto account; `disable_macie` turns it off. Access Analyzer's ListAnalyzers and
  Detective's ListGraphs have no route, and coverage is kept per fact type, so every share over
  security.service (the Macie share data.management shows) stays open on moto even where Macie was read.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import pytest
from moto.cloudformation.models import cloudformation_backends  # imported once here: it costs ~2 s, not a test's time

from tests.aws.estates import REGION, answer, deny, explain
from tests.aws.fixture_server import serving
from tests.rules import evidence, verdicts

OTHER = "eu-west-1"
ACCOUNT = "123456789012"


def assert_unknown(result: Any) -> None:
    """Never guess: no suggestion, answer 0."""
    assert result.answer == 0 and result.suggested_level is None, explain(result)


# --- CloudTrail activity (served: moto has no LookupEvents) -------------------------------------

PERSON = {
    "type": "AssumedRole",
    "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/person@example.gov.uk",
    "sessionContext": {
        "sessionIssuer": {
            "type": "Role",
            "arn": f"arn:aws:iam::{ACCOUNT}:role/aws-reserved/sso.amazonaws.com/eu-west-2/AWSReservedSSO_Admin_0123456789abcdef",
            "userName": "AWSReservedSSO_Admin_0123456789abcdef",
        }
    },
}
# GitHub Actions through OIDC; the role's name says nothing about CI, the web-identity federation does.
CI = {
    "type": "AssumedRole",
    "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/platform-release/run-4821",
    "sessionContext": {
        "sessionIssuer": {"type": "Role", "arn": f"arn:aws:iam::{ACCOUNT}:role/platform-release", "userName": "platform-release"},
        "webIdFederationData": {"federatedProvider": f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"},
    },
}
TERRAFORM = "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.40.0"
# how each kind of change looks in a CloudTrail record
CHANGES: dict[str, dict[str, Any]] = {
    "console": {"userIdentity": PERSON, "sessionCredentialFromConsole": "true", "userAgent": "AWS Internal"},
    "cli": {"userIdentity": PERSON, "userAgent": "aws-cli/2.15.30 md/Botocore#1.34.69 ua/2.0 os/linux#6.5"},
    "terraform": {"userIdentity": PERSON, "userAgent": TERRAFORM},
    "cloudformation": {
        "userIdentity": {**PERSON, "invokedBy": "cloudformation.amazonaws.com"},
        "userAgent": "cloudformation.amazonaws.com",
        "sourceIPAddress": "cloudformation.amazonaws.com",
    },
    "ci_sdk": {"userIdentity": CI, "userAgent": "aws-sdk-js/3.540.0 ua/2.0 os/linux#6.5 lang/js"},
    "ci_terraform": {"userIdentity": CI, "userAgent": TERRAFORM},
    "autoscaling": {"userIdentity": {"type": "AWSService", "invokedBy": "autoscaling.amazonaws.com"}, "eventType": "AwsServiceEvent"},
}


def _events(**counts: int) -> list[dict[str, Any]]:
    """LookupEvents entries, newest first: `counts` maps a kind of CHANGES to how many writes it made."""
    now = int(time.time())
    events = []
    for kind, n in counts.items():
        for _ in range(n):
            i = len(events)
            record = {"eventVersion": "1.09", "eventName": "CreateTags", "eventSource": "ec2.amazonaws.com", "eventType": "AwsApiCall"}
            record.update(CHANGES[kind])
            events.append(
                {
                    "EventId": f"{i:08d}-0000-0000-0000-000000000000",
                    "EventName": "CreateTags",
                    "ReadOnly": "false",
                    "EventTime": now - 60 * (i + 1),
                    "EventSource": "ec2.amazonaws.com",
                    "Resources": [],
                    "CloudTrailEvent": json.dumps(record),
                }
            )
    return events


def _pages(events: list[dict[str, Any]]) -> list[tuple[int, Any]]:
    """Pages of 50, as LookupEvents returns them, chained by NextToken."""
    chunks = [events[i : i + 50] for i in range(0, len(events), 50)] or [[]]
    return [(200, {"Events": chunk, **({"NextToken": f"page-{n + 2}"} if n + 1 < len(chunks) else {})}) for n, chunk in enumerate(chunks)]


@contextmanager
def trail(monkeypatch: pytest.MonkeyPatch, **regions: dict[str, int] | tuple[int, Any]) -> Iterator[None]:
    """CloudTrail event history per region, e.g. trail(mp, eu_west_2={"console": 10}); a (status, body) pair answers every call."""
    routes: dict[str, Any] = {}
    for name, history in regions.items():
        routes[f"LookupEvents@{name.replace('_', '-')}"] = [history] if isinstance(history, tuple) else _pages(_events(**history))
    with serving(monkeypatch, "CLOUDTRAIL", routes):
        yield


DENIED = (400, {"__type": "AccessDeniedException", "message": "not authorized to perform: cloudtrail:LookupEvents"})


def _stacks(count: int, drift: str | None = None, region: str = REGION) -> None:
    """CloudFormation stacks; `drift` records what DetectStackDrift would leave on them (moto has no drift detection)."""
    cfn = boto3.client("cloudformation", region)
    for i in range(count):
        cfn.create_stack(StackName=f"stack-{i}", TemplateBody=json.dumps({"Resources": {"Queue": {"Type": "AWS::SQS::Queue"}}}))
    if drift:
        for stack in cloudformation_backends[ACCOUNT][region].stacks.values():
            stack.drift_information = {"StackDriftStatus": drift, "LastCheckTimestamp": "2026-01-05T00:00:00Z"}


# --- gov.provisioning ---------------------------------------------------------------------------


def test_provisioning_console_only_is_level_1(aws, tmp_path, monkeypatch) -> None:
    """'Manually, with no automation' (seed: 'primarily provisioned manually through consoles'): every write in the console."""
    with trail(monkeypatch, eu_west_2={"console": 60}):
        result = answer(tmp_path, "gov.provisioning")
    assert result.answer == 1, explain(result)


def test_provisioning_scripts_without_iac_is_level_2(aws, tmp_path, monkeypatch) -> None:
    """'We use some scripts, but there are no standards or consistency': people's CLI scripts make a third of the
    changes, the console the rest, no infrastructure as code."""
    with trail(monkeypatch, eu_west_2={"console": 40, "cli": 20}):
        result = answer(tmp_path, "gov.provisioning")
    assert result.answer == 2, explain(result)


def test_provisioning_some_declarative_automation_is_level_3(aws, tmp_path, monkeypatch) -> None:
    """'We use automation for some services, but not everything': CloudFormation makes 30% of changes, people the rest."""
    with trail(monkeypatch, eu_west_2={"cloudformation": 18, "console": 42}):
        result = answer(tmp_path, "gov.provisioning")
    assert result.answer == 3, explain(result)


def test_provisioning_mostly_terraform_is_level_4(aws, tmp_path, monkeypatch) -> None:
    """'Most teams use automation to set up cloud services': Terraform makes 80% of this account's changes
    (not all through a pipeline, so not level 5)."""
    with trail(monkeypatch, eu_west_2={"terraform": 48, "console": 12}):
        result = answer(tmp_path, "gov.provisioning")
    assert result.answer == 4, explain(result)


@pytest.mark.parametrize("tool", ["ci_sdk", "ci_terraform"])
def test_provisioning_everything_by_ci_is_level_5(aws, tmp_path, monkeypatch, tool: str) -> None:
    """'All cloud services are set up by CI/CD pipelines': every write comes from GitHub Actions (OIDC),
    whether its job runs a deploy script or Terraform."""
    with trail(monkeypatch, eu_west_2={tool: 60}):
        result = answer(tmp_path, "gov.provisioning")
    assert result.answer == 5, explain(result)


def test_provisioning_two_regions_partly_automated_is_level_3(aws, tmp_path, monkeypatch) -> None:
    """Two regions (teams), neither mostly automated, IaC in both: 'automation for some services, but not
    everything' (3), not 'most teams' (4)."""
    with trail(monkeypatch, eu_west_2={"terraform": 15, "console": 25}, eu_west_1={"cloudformation": 5, "console": 35}):
        result = answer(tmp_path, "gov.provisioning", regions=(REGION, OTHER))
    assert result.answer == 3, explain(result)
    assert evidence(result, "automated_units").total == 2


def test_provisioning_two_regions_both_automated_is_level_4(aws, tmp_path, monkeypatch) -> None:
    """'Most teams use automation': both regions mostly automated (Terraform in one, CI in the other),
    people still make some changes, so not 'all ... by CI/CD pipelines'."""
    with trail(monkeypatch, eu_west_2={"terraform": 40, "console": 5}, eu_west_1={"ci_sdk": 30, "cli": 10}):
        result = answer(tmp_path, "gov.provisioning", regions=(REGION, OTHER))
    assert result.answer == 4, explain(result)
    assert evidence(result, "automated_units").matching == 2


def test_provisioning_history_denied_is_i_dont_know(aws, tmp_path, monkeypatch) -> None:
    """Never guess: the event history cannot be read."""
    with trail(monkeypatch, eu_west_2=DENIED):
        result = answer(tmp_path, "gov.provisioning")
    assert_unknown(result)


def test_provisioning_one_region_denied_is_i_dont_know(aws, tmp_path, monkeypatch) -> None:
    """Never guess: console-only where read, but one region's history is unread."""
    with trail(monkeypatch, eu_west_2={"console": 60}, eu_west_1=DENIED):
        result = answer(tmp_path, "gov.provisioning", regions=(REGION, OTHER))
    assert_unknown(result)


def test_provisioning_against_plain_moto_is_i_dont_know(aws, tmp_path) -> None:
    """Moto has no LookupEvents: the collector fails, and the answer is 0."""
    assert_unknown(answer(tmp_path, "gov.provisioning"))


def test_provisioning_no_changes_is_not_applicable(aws, tmp_path, monkeypatch) -> None:
    """An account where nothing was changed (only Auto Scaling acting on its own) has nothing to judge."""
    with trail(monkeypatch, eu_west_2={"autoscaling": 10}):
        result = answer(tmp_path, "gov.provisioning")
    assert result.status == "not_applicable" and result.answer == 0, explain(result)


# --- gov.environment_mgmt -----------------------------------------------------------------------


def test_environment_manual_changes_leave_documentation_to_people(aws, tmp_path, monkeypatch) -> None:
    """Console changes only: 'Manually, when needed, with no set process' (1) or 'Documented manual processes' (2);
    only documentation tells them apart, so 0."""
    with trail(monkeypatch, eu_west_2={"console": 50, "cli": 10}):
        result = answer(tmp_path, "gov.environment_mgmt")
    assert_unknown(result)
    assert result.possible_levels == [1, 2], explain(result)


def test_environment_some_scripting_is_level_3(aws, tmp_path, monkeypatch) -> None:
    """'Some things are scripted, but we still do a lot by hand': Terraform 30%, console the rest."""
    with trail(monkeypatch, eu_west_2={"terraform": 18, "console": 42}):
        result = answer(tmp_path, "gov.environment_mgmt")
    assert result.answer == 3, explain(result)


def test_environment_mostly_automated_is_level_4(aws, tmp_path, monkeypatch) -> None:
    """'Most things are standardised and automated': 80% of changes by CloudFormation and CI, the rest by hand."""
    _stacks(2, drift="IN_SYNC")
    with trail(monkeypatch, eu_west_2={"cloudformation": 30, "ci_sdk": 18, "console": 12}):
        result = answer(tmp_path, "gov.environment_mgmt")
    assert result.answer == 4, explain(result)


def test_environment_all_code_with_drift_detection_is_level_5(aws, tmp_path, monkeypatch) -> None:
    """'Everything is automated using code and we get alerts if anything changes unexpectedly': every change by
    CloudFormation or CI, every stack drift-checked (one found drifted)."""
    _stacks(3, drift="IN_SYNC")
    next(iter(cloudformation_backends[ACCOUNT][REGION].stacks.values())).drift_information["StackDriftStatus"] = "DRIFTED"
    with trail(monkeypatch, eu_west_2={"cloudformation": 40, "ci_terraform": 20}):
        result = answer(tmp_path, "gov.environment_mgmt")
    assert result.answer == 5, explain(result)


def test_environment_all_code_without_drift_checks_is_level_4(aws, tmp_path, monkeypatch) -> None:
    """Everything through code but no stack was ever drift-checked: no 'alerts if anything changes unexpectedly',
    so 'Most things are standardised and automated' (4)."""
    _stacks(3, drift="NOT_CHECKED")
    with trail(monkeypatch, eu_west_2={"cloudformation": 40, "ci_terraform": 20}):
        result = answer(tmp_path, "gov.environment_mgmt")
    assert result.answer == 4, explain(result)


def test_environment_all_code_without_stacks_is_i_dont_know(aws, tmp_path, monkeypatch) -> None:
    """Everything through Terraform in CI, no CloudFormation stacks: drift detection elsewhere (a scheduled
    terraform plan) is invisible, so 4 or 5 stays with a person."""
    with trail(monkeypatch, eu_west_2={"ci_terraform": 60}):
        result = answer(tmp_path, "gov.environment_mgmt")
    assert_unknown(result)
    assert result.possible_levels == [4, 5], explain(result)


def test_environment_drift_status_unread_is_i_dont_know(aws, tmp_path, monkeypatch) -> None:
    """Moto's stacks carry no drift information (unread): a fully automated estate cannot be placed at 4 or 5."""
    _stacks(2)
    with trail(monkeypatch, eu_west_2={"cloudformation": 60}):
        result = answer(tmp_path, "gov.environment_mgmt")
    assert_unknown(result)


def test_environment_two_regions_are_summed(aws, tmp_path, monkeypatch) -> None:
    """One region fully automated, the other all by hand: 40 of 100 changes through code over the estate,
    'Some things are scripted, but we still do a lot by hand' (3)."""
    with trail(monkeypatch, eu_west_2={"terraform": 40}, eu_west_1={"console": 60}):
        result = answer(tmp_path, "gov.environment_mgmt", regions=(REGION, OTHER))
    assert result.answer == 3, explain(result)
    assert evidence(result, "changes").value.lo == 100


def test_environment_history_denied_is_i_dont_know(aws, tmp_path, monkeypatch) -> None:
    """Never guess: the event history cannot be read."""
    with trail(monkeypatch, eu_west_2=DENIED):
        result = answer(tmp_path, "gov.environment_mgmt")
    assert_unknown(result)


def test_environment_against_plain_moto_is_i_dont_know(aws, tmp_path) -> None:
    """Moto has no LookupEvents: the collector fails, and the answer is 0."""
    assert_unknown(answer(tmp_path, "gov.environment_mgmt"))


def test_environment_no_changes_is_not_applicable(aws, tmp_path, monkeypatch) -> None:
    """No changes in the window: not applicable, 0."""
    with trail(monkeypatch, eu_west_2={}):
        result = answer(tmp_path, "gov.environment_mgmt")
    assert result.status == "not_applicable" and result.answer == 0, explain(result)


# --- gov.policy_enforcement ---------------------------------------------------------------------

REGION_GUARDRAIL = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Deny",
            "NotAction": ["iam:*", "organizations:*", "sts:*"],
            "Resource": "*",
            "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-2", "eu-west-1"]}},
        }
    ],
}


def _guardrail() -> None:
    """An organisation (this account manages it) with a region guardrail attached to the root."""
    org = boto3.client("organizations")
    org.create_organization(FeatureSet="ALL")
    root = org.list_roots()["Roots"][0]["Id"]
    policy = org.create_policy(
        Name="uk-regions-only", Description="deny outside the UK", Type="SERVICE_CONTROL_POLICY", Content=json.dumps(REGION_GUARDRAIL)
    )
    org.attach_policy(PolicyId=policy["Policy"]["PolicySummary"]["Id"], TargetId=root)


def _recorder(region: str = REGION) -> None:
    boto3.client("s3", REGION).create_bucket(Bucket=f"config-{region}", CreateBucketConfiguration={"LocationConstraint": REGION})
    config = boto3.client("config", region)
    group = {"allSupported": True, "includeGlobalResourceTypes": region == REGION}
    config.put_configuration_recorder(
        ConfigurationRecorder={"name": "default", "roleARN": f"arn:aws:iam::{ACCOUNT}:role/config", "recordingGroup": group}
    )
    config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": f"config-{region}"})
    config.start_configuration_recorder(ConfigurationRecorderName="default")


def _config_rule(identifier: str, region: str = REGION) -> None:
    boto3.client("config", region).put_config_rule(
        ConfigRule={"ConfigRuleName": identifier.lower().replace("_", "-"), "Source": {"Owner": "AWS", "SourceIdentifier": identifier}}
    )


def test_policy_enforcement_guardrail_and_recording_is_level_4(aws, tmp_path) -> None:
    """'We use processes and some technology to apply policies': a guardrail written by the organisation and
    configuration recording on, but nothing remediates automatically, so not 'technology to ensure that policies
    are always followed' (5); the technology rules out 'We don't', 'don't check' and 'not much technology'."""
    _guardrail()
    _recorder()
    result = answer(tmp_path, "gov.policy_enforcement")
    assert result.answer == 4, explain(result)


def test_policy_enforcement_two_regions_recording_is_level_4(aws, tmp_path) -> None:
    """The same in two regions: recording on in both, the guardrail at the organisation's root: level 4."""
    _guardrail()
    _recorder(REGION)
    _recorder(OTHER)
    result = answer(tmp_path, "gov.policy_enforcement", regions=(REGION, OTHER))
    assert result.answer == 4, explain(result)
    assert evidence(result, "recording").total == 2


def test_policy_enforcement_recording_in_half_the_regions_in_use_is_i_dont_know(aws, tmp_path) -> None:
    """A guardrail; data in two regions, recording in one: 'some technology' (4) or 'not much technology' (3) is a
    judgement of how much; the rule calls recording broad from 90% of the account-regions in use, so 0."""
    _guardrail()
    _recorder(REGION)
    _buckets(OTHER, unclassified=1)
    result = answer(tmp_path, "gov.policy_enforcement", regions=(REGION, OTHER))
    assert_unknown(result)
    assert result.possible_levels == [3, 4], explain(result)


def test_policy_enforcement_idle_region_without_recorder_is_level_4(aws, tmp_path) -> None:
    """Recording where the data is, nothing in a second scanned region: an idle region's missing recorder does not
    make it 'not much technology': level 4."""
    _guardrail()
    _recorder(REGION)
    result = answer(tmp_path, "gov.policy_enforcement", regions=(REGION, OTHER))
    assert result.answer == 4, explain(result)
    assert evidence(result, "recording").value.lo == 0.5, explain(result)


def test_policy_enforcement_detective_rules_alone_is_i_dont_know(aws, tmp_path) -> None:
    """Configuration rules but no guardrail: technology rules out 'We don't' (1) and 'don't check' (2);
    'not much technology' (3) or 'some technology' (4) stays with a person."""
    _recorder()
    _config_rule("S3_BUCKET_VERSIONING_ENABLED")
    result = answer(tmp_path, "gov.policy_enforcement")
    assert_unknown(result)
    assert 1 not in result.possible_levels and 2 not in result.possible_levels, explain(result)


def test_policy_enforcement_remediation_unread_is_i_dont_know(aws, tmp_path) -> None:
    """Guardrail, recording and configuration rules on plain moto: level 4 if no rule remediates automatically,
    5 possible if one does. Moto has no remediation API, so remediation is unread and the answer is 0."""
    _guardrail()
    _recorder()
    _config_rule("S3_BUCKET_VERSIONING_ENABLED")
    result = answer(tmp_path, "gov.policy_enforcement")
    assert_unknown(result)
    assert result.possible_levels == [4, 5], explain(result)


def _served_config(rules: dict[str, bool | None]) -> dict[str, Any]:
    """AWS Config as the fixture server answers it (moto has no remediation API): a recorder that records, and
    `rules` mapping each managed rule to its remediation (True automatic, False on request, None none)."""
    recorder = {"name": "default", "roleARN": f"arn:aws:iam::{ACCOUNT}:role/config", "recordingGroup": {"allSupported": True}}
    listed = [
        {
            "ConfigRuleName": name,
            "ConfigRuleArn": f"arn:aws:config:{REGION}:{ACCOUNT}:config-rule/config-rule-{name}",
            "Source": {"Owner": "AWS", "SourceIdentifier": name},
        }
        for name in rules
    ]
    remediations = [
        {"ConfigRuleName": name, "TargetType": "SSM_DOCUMENT", "TargetId": "AWS-ConfigureS3BucketVersioning", "Automatic": automatic}
        for name, automatic in rules.items()
        if automatic is not None
    ]
    return {
        "DescribeConfigurationRecorders": [(200, {"ConfigurationRecorders": [recorder]})],
        "DescribeConfigurationRecorderStatus": [(200, {"ConfigurationRecordersStatus": [{"name": "default", "recording": True}]})],
        "DescribeConfigRules": [(200, {"ConfigRules": listed})],
        "DescribeRemediationConfigurations": [(200, {"RemediationConfigurations": remediations})],
    }


def test_policy_enforcement_rules_remediated_on_request_is_level_4(aws, tmp_path, monkeypatch) -> None:
    """A guardrail, recording, detective rules; remediation exists but runs only when someone asks: 'processes and
    some technology' (4), not 'technology to ensure that policies are always followed' (5). Config served."""
    _guardrail()
    with serving(monkeypatch, "CONFIG_SERVICE", _served_config({"S3_BUCKET_VERSIONING_ENABLED": False, "IAM_ROOT_ACCESS_KEY_CHECK": None})):
        result = answer(tmp_path, "gov.policy_enforcement")
    assert result.answer == 4, explain(result)


def test_policy_enforcement_automatic_remediation_leaves_5_to_people(aws, tmp_path, monkeypatch) -> None:
    """The same with a rule that remediates automatically: the technology of level 5 is there, 'robust processes'
    is for people, and 4 is not ruled out: 0. Config served."""
    _guardrail()
    with serving(monkeypatch, "CONFIG_SERVICE", _served_config({"S3_BUCKET_VERSIONING_ENABLED": True})):
        result = answer(tmp_path, "gov.policy_enforcement")
    assert_unknown(result)
    assert result.possible_levels == [4, 5], explain(result)


def test_policy_enforcement_nothing_technical_is_i_dont_know(aws, tmp_path) -> None:
    """An empty account: no guardrail, rule or recorder. Whether policies exist and processes apply them
    (levels 1-3) is for people: 0. (On AWS 4 is ruled out too; moto cannot answer GetEnabledStandards, so an
    enabled standard, and with it 4, stays possible.)"""
    result = answer(tmp_path, "gov.policy_enforcement")
    assert_unknown(result)
    assert 5 not in result.possible_levels and evidence(result, "recording").value.hi == 0.0, explain(result)


@pytest.mark.parametrize("denied", ["organizations:ListPolicies", "config:DescribeConfigurationRecorders"])
def test_policy_enforcement_denied_is_i_dont_know(aws, tmp_path, monkeypatch, denied: str) -> None:
    """Never guess: the level-4 estate with the guardrails or the recorders unreadable."""
    _guardrail()
    _recorder()
    deny(monkeypatch, denied)
    assert_unknown(answer(tmp_path, "gov.policy_enforcement"))


# --- gov.build_artefacts ------------------------------------------------------------------------


def _repositories(region: str = REGION, *, immutable: int = 0, mutable: int = 0) -> None:
    ecr = boto3.client("ecr", region)
    for i in range(immutable):
        ecr.create_repository(repositoryName=f"signed-{i}", imageTagMutability="IMMUTABLE", imageScanningConfiguration={"scanOnPush": True})
    for i in range(mutable):
        ecr.create_repository(repositoryName=f"app-{i}", imageTagMutability="MUTABLE")


def test_build_artefacts_mutable_tags_rule_out_level_5(aws, tmp_path) -> None:
    """Repositories whose tags can be overwritten contradict 'All build artefacts are unchangeable' (5); whether
    servers are edited live (1), artefacts rebuilt per environment (2), or dependencies pinned (4) is not
    configuration: 0."""
    _repositories(mutable=3)
    result = answer(tmp_path, "gov.build_artefacts")
    assert_unknown(result)
    assert result.possible_levels == [1, 2, 3, 4], explain(result)


def test_build_artefacts_immutable_repositories_are_i_dont_know(aws, tmp_path) -> None:
    """Every repository immutable and scanned: consistent with 5, but 'signed, and stored for audits. We can
    recreate any environment' needs people, and levels 1-4 stay open: 0."""
    _repositories(immutable=3)
    result = answer(tmp_path, "gov.build_artefacts")
    assert_unknown(result)
    assert verdicts(result)[5] == "supported", explain(result)


def test_build_artefacts_mutable_in_another_region_rules_out_level_5(aws, tmp_path) -> None:
    """Immutable here, mutable in a second region: 3 of 6 repositories over the estate, level 5 out."""
    _repositories(REGION, immutable=3)
    _repositories(OTHER, mutable=3)
    result = answer(tmp_path, "gov.build_artefacts", regions=(REGION, OTHER))
    assert_unknown(result)
    assert 5 not in result.possible_levels, explain(result)


def test_build_artefacts_denied_is_i_dont_know(aws, tmp_path, monkeypatch) -> None:
    """Never guess: repositories unreadable, level 5 stays open."""
    _repositories(mutable=3)
    deny(monkeypatch, "ecr:DescribeRepositories")
    result = answer(tmp_path, "gov.build_artefacts")
    assert_unknown(result)
    assert 5 in result.possible_levels, explain(result)


def _pull_policy(principal: object, action: object = ("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer")) -> str:
    statement = {"Sid": "pull", "Effect": "Allow", "Principal": principal, "Action": list(action) if isinstance(action, tuple) else action}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def test_build_artefacts_one_store_pulled_by_other_environments_is_at_least_3(aws, tmp_path) -> None:
    """A repository the production and staging accounts pull from (build once, promote the stored image): 'We save
    artefacts' (3) at least, not 'rebuild artefacts in each environment' (2). Its tags can be overwritten, which
    rules out 5; pinned, verified dependencies (4) are for a person: at least 3."""
    _repositories(mutable=2)
    boto3.client("ecr", REGION).set_repository_policy(
        repositoryName="app-0", policyText=_pull_policy({"AWS": ["arn:aws:iam::222222222222:root", "arn:aws:iam::333333333333:root"]})
    )
    result = answer(tmp_path, "gov.build_artefacts")
    assert (result.status, result.floor_level, result.answer) == ("floor", 3, 3), explain(result)
    assert result.possible_levels == [3, 4], explain(result)
    assert result.because.endswith("Repositories that other accounts or the organisation pull from: 1 of 2."), result.because


@pytest.mark.parametrize(
    "policy",
    [
        _pull_policy({"Service": "lambda.amazonaws.com"}),  # Lambda pulling its own images
        _pull_policy({"AWS": f"arn:aws:iam::{ACCOUNT}:role/deployer"}),  # the registry's own account
        _pull_policy({"AWS": "arn:aws:iam::222222222222:root"}, action="ecr:PutImage"),  # a push, not a pull
    ],
    ids=["service", "own-account", "push-only"],
)
def test_build_artefacts_policies_that_share_nothing_show_nothing(aws, tmp_path, policy: str) -> None:
    _repositories(mutable=1)
    boto3.client("ecr", REGION).set_repository_policy(repositoryName="app-0", policyText=policy)
    result = answer(tmp_path, "gov.build_artefacts")
    assert_unknown(result)
    (shared,) = [e for e in result.evidence if e.signal == "shared_repositories"]
    assert shared.value.hi == 0, explain(result)


def test_build_artefacts_policies_unread_is_i_dont_know(aws, tmp_path, monkeypatch) -> None:
    """Never guess: a shared repository, but its policy cannot be read: no floor."""
    _repositories(mutable=1)
    boto3.client("ecr", REGION).set_repository_policy(repositoryName="app-0", policyText=_pull_policy("*"))
    deny(monkeypatch, "ecr:GetRepositoryPolicy")
    result = answer(tmp_path, "gov.build_artefacts")
    assert_unknown(result)


def test_build_artefacts_no_repositories_is_i_dont_know(aws, tmp_path) -> None:
    """No cloud registry: artefacts may live in Artifactory or GitHub Packages, every level stays open."""
    result = answer(tmp_path, "gov.build_artefacts")
    assert_unknown(result)
    assert result.possible_levels == [1, 2, 3, 4, 5], explain(result)


# --- data.management ----------------------------------------------------------------------------


def _buckets(region: str = REGION, *, classified: int = 0, unclassified: int = 0) -> None:
    s3 = boto3.client("s3", region)
    for i in range(classified + unclassified):
        name = f"data-{region}-{i}"
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
        if i < classified:
            s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": [{"Key": "data-classification", "Value": "OFFICIAL-SENSITIVE"}]})


def test_data_management_everything_classified_is_at_least_3(aws, tmp_path) -> None:
    """Every bucket carries a classification tag: 'We inventory and classify all our data' (3) is shown; 4 ('review
    this often ... understand how data moves') and 5 ('a catalogue describing all our data, its quality, use and
    origins') are not configuration: at least 3."""
    _buckets(classified=3)
    result = answer(tmp_path, "data.management")
    assert (result.status, result.floor_level, result.answer) == ("floor", 3, 3), explain(result)
    assert evidence(result, "classified_buckets").value.lo == 1.0, explain(result)
    macie = evidence(result, "discovery_regions")  # read; the share stays open on moto (module docstring)
    assert (macie.matching, macie.total) == (1, 1), explain(result)


def test_data_management_nothing_classified_is_i_dont_know(aws, tmp_path) -> None:
    """No classification tags, Macie off: an inventory 'created manually' may classify the data elsewhere (3),
    so no level is ruled out: 0."""
    _buckets(unclassified=3)
    boto3.client("macie2", REGION).disable_macie()
    result = answer(tmp_path, "data.management")
    assert_unknown(result)
    assert evidence(result, "classified_buckets").value.hi == 0.0, explain(result)
    macie = evidence(result, "discovery_regions")
    assert (macie.matching, macie.total) == (0, 1), explain(result)


def test_data_management_two_regions_pool_the_evidence(aws, tmp_path) -> None:
    """Classified buckets in one region, unclassified in another: half over the estate shows teams documenting
    the sensitivity of their data ('Teams follow our organisation's policies', 2), not all data classified (3)."""
    _buckets(REGION, classified=2)
    _buckets(OTHER, unclassified=2)
    result = answer(tmp_path, "data.management", regions=(REGION, OTHER))
    assert (result.status, result.floor_level) == ("floor", 2), explain(result)
    assert evidence(result, "classified_buckets").value.lo == 0.5, explain(result)


def test_data_management_denied_is_i_dont_know(aws, tmp_path, monkeypatch) -> None:
    """Never guess: bucket tags unreadable, classification unknown."""
    _buckets(classified=2)
    deny(monkeypatch, "s3:GetBucketTagging")
    result = answer(tmp_path, "data.management")
    assert_unknown(result)
    assert evidence(result, "classified_buckets").unknown == 2, explain(result)


def test_data_management_empty_account_is_i_dont_know(aws, tmp_path) -> None:
    """An empty account: nothing to read, 0."""
    assert_unknown(answer(tmp_path, "data.management"))


# --- data.retention -----------------------------------------------------------------------------

EXPIRE = {"Rules": [{"ID": "expire", "Status": "Enabled", "Filter": {"Prefix": ""}, "Expiration": {"Days": 365}}]}


def _retained_bucket(name: str, region: str = REGION) -> None:
    s3 = boto3.client("s3", region)
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
    s3.put_bucket_lifecycle_configuration(Bucket=name, LifecycleConfiguration=EXPIRE)


def _log_groups(region: str = REGION, *, retained: int = 0, forever: int = 0) -> None:
    logs = boto3.client("logs", region)
    for i in range(retained + forever):
        logs.create_log_group(logGroupName=f"/app/{region}/{i}")
        if i < retained:
            logs.put_retention_policy(logGroupName=f"/app/{region}/{i}", retentionInDays=400)


def test_retention_set_and_checked_everywhere_is_level_5(aws, tmp_path) -> None:
    """Expiry or object lock on every bucket, retention on every log group, configuration rules checking both:
    "We follow policy and use automated cloud tools to check that we do." (5) is shown by the configuration."""
    _retained_bucket("archive")
    boto3.client("s3", REGION).create_bucket(
        Bucket="records", CreateBucketConfiguration={"LocationConstraint": REGION}, ObjectLockEnabledForBucket=True
    )
    _log_groups(retained=3)
    _config_rule("S3_LIFECYCLE_POLICY_CHECK")
    _config_rule("CW_LOGGROUP_RETENTION_PERIOD_CHECK")
    result = answer(tmp_path, "data.retention")
    assert (result.status, result.answer, result.confidence) == ("suggested", 5, "high"), explain(result)
    assert result.because.startswith("Retention is set and checked by cloud tools: 100% (2 of 2) of buckets"), result.because
    assert evidence(result, "bucket_retention").value.lo == 1.0 and evidence(result, "retention_checks").value.lo == 2, explain(result)


def test_retention_mostly_unset_rules_out_level_5(aws, tmp_path) -> None:
    """Log groups kept forever and buckets without expiry contradict 'automated cloud tools to check' (5);
    1-4 stay with people: 0."""
    _buckets(unclassified=2)
    _log_groups(forever=3)
    result = answer(tmp_path, "data.retention")
    assert_unknown(result)
    assert result.possible_levels == [1, 2, 3, 4], explain(result)


def test_retention_pooled_over_regions(aws, tmp_path) -> None:
    """Log retention in one region (3 groups), none in another (4 groups): 3 of 7 over the estate, level 5 out."""
    _retained_bucket("archive")
    _log_groups(REGION, retained=3)
    _log_groups(OTHER, forever=4)
    result = answer(tmp_path, "data.retention", regions=(REGION, OTHER))
    assert_unknown(result)
    assert evidence(result, "log_retention").total == 7 and 5 not in result.possible_levels, explain(result)


def test_retention_denied_is_i_dont_know(aws, tmp_path, monkeypatch) -> None:
    """Never guess: lifecycle rules unreadable; level 5 is not ruled out on evidence not read."""
    _buckets(unclassified=2)
    _log_groups(retained=2)
    deny(monkeypatch, "s3:GetLifecycleConfiguration")
    result = answer(tmp_path, "data.retention")
    assert_unknown(result)
    assert 5 in result.possible_levels, explain(result)


def test_retention_empty_account_is_not_applicable(aws, tmp_path) -> None:
    """No buckets or log groups: not applicable, 0."""
    result = answer(tmp_path, "data.retention")
    assert result.status == "not_applicable" and result.answer == 0, explain(result)


# --- people.third_parties -----------------------------------------------------------------------

EVERYTHING = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
READ_ONLY = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:Get*", "ec2:Describe*"], "Resource": "*"}]}
)


def _role(name: str, trusted_account: str, document: str) -> None:
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{trusted_account}:root"}, "Action": "sts:AssumeRole"}],
    }
    iam = boto3.client("iam")
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))
    iam.put_role_policy(RoleName=name, PolicyName="access", PolicyDocument=document)


def test_third_parties_external_admin_is_i_dont_know(aws, tmp_path) -> None:
    """An outside account can assume an administrator role: contradicts 'no special access' (4, 5); whether it is
    'emergency access only' (3) or 'full access' (1-2), and how much work suppliers do, is for people: 0."""
    _role("supplier-admin", "999999999999", EVERYTHING)
    _role("ops", ACCOUNT, EVERYTHING)
    result = answer(tmp_path, "people.third_parties")
    assert_unknown(result)
    assert result.possible_levels == [1, 2, 3], explain(result)


def test_third_parties_idle_external_admin_is_emergency_access(aws, tmp_path) -> None:
    """An outside account's administrator role, created 200 days ago and never used: 'Third parties help with
    specialist tasks and have emergency access only' (3); the role itself rules out 'no special access' (4, 5)."""
    from tests.aws.estates.test_sec_identity import backdated

    with backdated(200):
        _role("supplier-breakglass", "999999999999", EVERYTHING)
    result = answer(tmp_path, "people.third_parties")
    assert (result.status, result.answer) == ("suggested", 3), explain(result)


def test_third_parties_read_only_supplier_is_i_dont_know(aws, tmp_path) -> None:
    """An outside account with read-only access: consistent with 'advice but no special access' (4), but supplier
    staff in your own identity provider are invisible: 0."""
    _role("supplier-audit", "999999999999", READ_ONLY)
    result = answer(tmp_path, "people.third_parties")
    assert_unknown(result)
    assert evidence(result, "external_roles").value.lo == 1 and 4 in result.possible_levels, explain(result)


def test_third_parties_no_outside_access_is_i_dont_know(aws, tmp_path) -> None:
    """Only the account's own roles: 'We do not use third parties' (5) is not confirmed by configuration: 0."""
    _role("ops", ACCOUNT, EVERYTHING)
    assert_unknown(answer(tmp_path, "people.third_parties"))


def test_third_parties_denied_is_i_dont_know(aws, tmp_path, monkeypatch) -> None:
    """Never guess: roles unreadable."""
    _role("supplier-admin", "999999999999", EVERYTHING)
    deny(monkeypatch, "iam:GetAccountAuthorizationDetails")
    result = answer(tmp_path, "people.third_parties")
    assert_unknown(result)
    assert result.possible_levels == [1, 2, 3, 4, 5], explain(result)


def test_third_parties_empty_account_is_i_dont_know(aws, tmp_path) -> None:
    """An empty account: 0."""
    assert_unknown(answer(tmp_path, "people.third_parties"))
