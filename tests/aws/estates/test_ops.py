"""Operations questions from moto estates: one estate per level configuration settles, expected from the level text.

ops.cicd, ops.build_speed, ops.monitoring, ops.release, ops.deploy_qa and ops.incident_planning, each built
through the public APIs on in-process moto and scanned by the real adapter. The expected answer is in each
test's docstring, quoting the level text (rules/cmm/ops.*.yaml `cites`, /work/shared/cmm/questions.json).

Where moto falls short:

- CloudTrail LookupEvents (activity.changes, read by ops.cicd and ops.deploy_qa) is not in moto at all. Those
  estates serve the write history from a local fixture server (tests/aws/fixture_server.py) to the real
  CloudTrail client, in the shape CloudTrail returns; everything else stays on moto. On a plain moto server
  the history cannot be read, so both questions answer 0 there, whatever else the estate holds.
- CodeBuild: moto makes every build take 1-5 minutes (BatchGetBuilds invents the end time), so only fast
  builds can be built on moto; the slow-build estate serves CodeBuild from the fixture server.
- CloudWatch: moto has no PutCompositeAlarm, so composite alarms cannot be built (anomaly-detection alarms can).
  moto checks a CloudWatch call against IAM as "monitoring:<operation>" (the signing name), which the estates'
  `deny` helper also denies, and answers a denied JSON-protocol call (CloudWatch, Logs) with an XML error the
  client reads as "error" rather than "denied": both leave coverage incomplete, which is what the rules need.
- CodeDeploy: moto returns an empty alarmConfiguration, so "roll back on alarm" reads from the rollback events alone.
- ECS: moto drops a service's deploymentConfiguration (minimum healthy percent, the native blue/green,
  canary and linear strategies), so container releases on moto are rolling, CodeDeploy blue/green or external.
"""

from __future__ import annotations

import json
import time
from typing import Any

import boto3
import pytest

from tests.aws.estates import REGION, answer, assess, deny, explain
from tests.aws.fixture_server import serving

OTHER_REGION = "eu-west-1"
THIRD_REGION = "us-east-1"
GITHUB = "https://token.actions.githubusercontent.com"
GITLAB = "https://gitlab.com"


def _no_level(result: Any) -> None:
    assert result.answer == 0 and result.suggested_level is None, explain(result)


# --- CloudTrail write history (served: moto has no LookupEvents) -------------------------------------------

_PEOPLE = {
    # a person in the web console, signed in through the identity centre
    "console": (
        {
            "type": "AssumedRole",
            "arn": "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_0123/person@example.gov.uk",
            "sessionContext": {"sessionIssuer": {"type": "Role", "userName": "AWSReservedSSO_Admin_0123"}},
        },
        "Mozilla/5.0 console.amazonaws.com",
        True,
    ),
    # a person with an IAM user's key on the command line
    "cli": ({"type": "IAMUser", "arn": "arn:aws:iam::123456789012:user/admin-person", "userName": "admin-person"}, "aws-cli/2.17.0", False),
}
_CI = {
    "github": ("github-actions-deploy", "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"),
    "gitlab": ("gitlab-deployer", "arn:aws:iam::123456789012:oidc-provider/gitlab.com"),
    "codebuild": ("codebuild-web-service-role", None),  # CodeBuild's service role: no web identity
}


def _record(who: str, agent: str, region: str) -> dict[str, Any]:
    if who in _PEOPLE:
        identity, default_agent, console = _PEOPLE[who]
    else:  # a CI system's role, assumed through OIDC web identity (or by CodeBuild itself)
        role, provider = _CI[who]
        session: dict[str, Any] = {"sessionIssuer": {"type": "Role", "arn": f"arn:aws:iam::123456789012:role/{role}", "userName": role}}
        if provider:
            session["webIdFederationData"] = {"federatedProvider": provider}
        identity = {"type": "AssumedRole", "arn": f"arn:aws:sts::123456789012:assumed-role/{role}/ci", "sessionContext": session}
        default_agent, console = "aws-cli/2.17.0", False
    record = {
        "eventVersion": "1.09",
        "eventName": "UpdateService",
        "eventSource": "ecs.amazonaws.com",
        "awsRegion": region,
        "eventType": "AwsApiCall",
        "userIdentity": identity,
        "userAgent": agent or default_agent,
        "sourceIPAddress": "203.0.113.10",
    }
    if console:
        record["sessionCredentialFromConsole"] = "true"
    return record


def history(region: str = REGION, **writes: int | tuple[int, str]) -> dict[str, list[tuple[int, Any]]]:
    """A LookupEvents route for one region: `who=count` (or `who=(count, user agent)`) write events, 50 a page."""
    now = int(time.time())
    events = []
    for who, spec in writes.items():
        count, agent = spec if isinstance(spec, tuple) else (spec, "")
        name = who.split("_")[0]
        for _ in range(count):
            n = len(events)
            record = _record(name, agent, region)
            events.append(
                {
                    "EventId": f"{n:08d}-aaaa-bbbb-cccc-000000000000",
                    "EventName": record["eventName"],
                    "ReadOnly": "false",
                    "EventTime": now - 60 * n,
                    "EventSource": record["eventSource"],
                    "CloudTrailEvent": json.dumps(record),
                }
            )
    pages = [events[i : i + 50] for i in range(0, len(events), 50)] or [[]]
    body = [{"Events": page, **({"NextToken": f"page-{i + 2}"} if i + 1 < len(pages) else {})} for i, page in enumerate(pages)]
    return {f"LookupEvents@{region}": [(200, page) for page in body]}


def trail(monkeypatch: Any, *regions: dict[str, list[tuple[int, Any]]]) -> Any:
    """Serve the write history of each region to the real CloudTrail client."""
    routes: dict[str, list[tuple[int, Any]]] = {}
    for route in regions:
        routes.update(route)
    return serving(monkeypatch, "CLOUDTRAIL", routes)


HISTORY_DENIED = {
    "LookupEvents": [(400, {"__type": "AccessDeniedException", "message": "not authorized to perform: cloudtrail:LookupEvents"})]
}


def oidc(*urls: str) -> None:
    iam = boto3.client("iam")
    for url in urls:
        iam.create_open_id_connect_provider(Url=url, ClientIDList=["sts.amazonaws.com"], ThumbprintList=["a" * 40])


def _service_role(service: str) -> str:
    """A role the service may assume (moto checks the pipeline role's trust policy)."""
    iam = boto3.client("iam")
    name = f"{service}-service-role"
    try:
        return iam.get_role(RoleName=name)["Role"]["Arn"]
    except iam.exceptions.NoSuchEntityException:
        trust = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": f"{service}.amazonaws.com"}, "Action": "sts:AssumeRole"}],
        }
        return iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]


def pipeline(name: str, *, test: bool = True, approval: bool = False, region: str = REGION) -> None:
    """A CodePipeline: source, build, optional test and approval, deploy to ECS."""
    action = {"runOrder": 1, "configuration": {}, "outputArtifacts": [], "inputArtifacts": []}

    def stage(stage_name: str, category: str, owner: str, provider: str) -> dict[str, Any]:
        kind = {"category": category, "owner": owner, "provider": provider, "version": "1"}
        return {"name": stage_name, "actions": [{**action, "name": stage_name, "actionTypeId": kind}]}

    stages = [stage("Source", "Source", "AWS", "CodeStarSourceConnection"), stage("Build", "Build", "AWS", "CodeBuild")]
    if test:
        stages.append(stage("Test", "Test", "AWS", "CodeBuild"))
    if approval:
        stages.append(stage("Approve", "Approval", "AWS", "Manual"))
    stages.append(stage("Deploy", "Deploy", "AWS", "ECS"))
    boto3.client("codepipeline", region).create_pipeline(
        pipeline={
            "name": name,
            "roleArn": _service_role("codepipeline"),
            "artifactStore": {"type": "S3", "location": "artifacts"},
            "stages": stages,
        }
    )


# --- ops.cicd ---------------------------------------------------------------------------------------------


def test_cicd_everything_by_hand_is_level_1(aws, tmp_path, monkeypatch) -> None:
    """'We don't, we build test, and deploy by hand': every write by people (console, CLI), no pipeline, no CI trusted."""
    with trail(monkeypatch, history(console=25, cli=15)):
        result = answer(tmp_path, "ops.cicd")
    assert result.answer == 1, explain(result)


def test_cicd_some_pipeline_use_is_level_2(aws, tmp_path, monkeypatch) -> None:
    """'We use some CI/CD, but there's no standard': GitHub Actions is trusted and makes some writes, but people
    make most of them in the one active account-region."""
    oidc(GITHUB)
    with trail(monkeypatch, history(github=8, console=30)):
        result = answer(tmp_path, "ops.cicd")
    assert result.answer == 2, explain(result)


def test_cicd_cloud_builds_with_changes_by_hand_is_level_2(aws, tmp_path, monkeypatch) -> None:
    """'We use some CI/CD, but there's no standard': a CodeBuild project builds and tests on every push, while
    people still make the changes by hand. A CI tool in use is not 'we build, test and deploy by hand' (1)."""
    _codebuild_project("web", 4)
    with trail(monkeypatch, history(console=25, cli=10)):
        result = answer(tmp_path, "ops.cicd")
    assert result.answer == 2, explain(result)


def test_cicd_everything_through_codebuild_alone_is_not_two_toolchains(aws, tmp_path, monkeypatch) -> None:
    """Every write in both regions comes from CodeBuild's role and CodeBuild is the only CI/CD in sight: 'nearly all
    teams use CI/CD' (4) is shown; whether it is one shared process, 'everyone uses the same CI/CD process' (5), is
    for a person: at least 4."""
    _codebuild_project("web", 4)
    with trail(monkeypatch, history(REGION, codebuild=40), history(OTHER_REGION, codebuild=30)):
        result = answer(tmp_path, "ops.cicd", regions=(REGION, OTHER_REGION))
    assert (result.status, result.floor_level, result.answer, result.suggested_level) == ("floor", 4, 4, None), explain(result)
    assert result.possible_levels == [4, 5], explain(result)


def test_cicd_most_regions_deploying_through_two_ci_systems_is_level_3(aws, tmp_path, monkeypatch) -> None:
    """'Most teams use CI/CD, but each chooses its own tools': three active regions (stand-ins for teams), two
    deploy through CI (one GitHub Actions, one GitLab), the third by hand."""
    oidc(GITHUB, GITLAB)
    regions = (REGION, OTHER_REGION, THIRD_REGION)
    with trail(
        monkeypatch,
        history(REGION, github=40, console=5),
        history(OTHER_REGION, gitlab=30, cli=4),
        history(THIRD_REGION, console=30),
    ):
        result = answer(tmp_path, "ops.cicd", regions=regions)
    assert result.answer == 3, explain(result)


def test_cicd_every_region_on_ci_with_two_toolchains_is_level_4(aws, tmp_path, monkeypatch) -> None:
    """'Nearly all teams use CI/CD, but tools and processes vary': both active regions deploy through CI, with
    GitHub Actions and CodePipeline both in use, so not 'everyone uses the same CI/CD process'."""
    oidc(GITHUB)
    pipeline("web")
    with trail(monkeypatch, history(REGION, github=45, console=3), history(OTHER_REGION, github=30)):
        result = answer(tmp_path, "ops.cicd", regions=(REGION, OTHER_REGION))
    assert result.answer == 4, explain(result)


def test_cicd_ci_running_terraform_counts_as_ci(aws, tmp_path, monkeypatch) -> None:
    """'Nearly all teams use CI/CD' (level 4): every team deploys from GitHub Actions and GitLab CI jobs that run
    Terraform. A write is both IaC and CI/CD; it still came from the pipeline, not from a person."""
    oidc(GITHUB, GITLAB)
    terraform = "APN/1.0 HashiCorp/1.0 Terraform/1.9.5 (+https://www.terraform.io) terraform-provider-aws/5.70.0"
    with trail(monkeypatch, history(REGION, github=(40, terraform), console=2), history(OTHER_REGION, gitlab=(30, terraform))):
        result = answer(tmp_path, "ops.cicd", regions=(REGION, OTHER_REGION))
    assert result.answer == 4, explain(result)


def test_cicd_one_toolchain_everywhere_is_not_enough_for_level_5(aws, tmp_path, monkeypatch) -> None:
    """Every region deploys through GitHub Actions alone: 'nearly all teams use CI/CD' (4) at least. 'Everyone uses
    the same CI/CD process' needs one shared process, and one tool does not show that (teams may each write their
    own workflows): a floor, not 5."""
    oidc(GITHUB)
    with trail(monkeypatch, history(REGION, github=45), history(OTHER_REGION, github=30)):
        result = answer(tmp_path, "ops.cicd", regions=(REGION, OTHER_REGION))
    assert (result.status, result.floor_level, result.answer, result.suggested_level) == ("floor", 4, 4, None), explain(result)
    assert result.possible_levels == [4, 5], explain(result)
    expected = "In 2 of 2 account-regions with real activity, CI/CD identities made at least half of the writes."
    assert result.because == expected, explain(result)


def test_cicd_history_denied_is_i_dont_know(aws, tmp_path, monkeypatch) -> None:
    """Never guess: with the write history unreadable, who deploys is unknown, pipelines or not."""
    oidc(GITHUB)
    pipeline("web")
    with trail(monkeypatch, HISTORY_DENIED):
        result = answer(tmp_path, "ops.cicd")
    _no_level(result)


@pytest.mark.parametrize("denied", ["iam:ListOpenIDConnectProviders", "codepipeline:ListPipelines"])
def test_cicd_toolchains_denied_is_i_dont_know(aws, tmp_path, monkeypatch, denied: str) -> None:
    """Never guess: everything is deployed by GitHub Actions, but an unreadable toolchain list could hide a second
    toolchain (level 4) or be the only one (level 5)."""
    oidc(GITHUB)
    deny(monkeypatch, denied)
    with trail(monkeypatch, history(github=45)):
        result = answer(tmp_path, "ops.cicd")
    _no_level(result)


@pytest.mark.parametrize("denied", ["codebuild:ListProjects", "codepipeline:ListPipelines", "iam:ListOpenIDConnectProviders"])
def test_cicd_by_hand_with_tooling_unreadable_is_i_dont_know(aws, tmp_path, monkeypatch, denied: str) -> None:
    """Never guess level 1: people make every change, but unreadable build projects, pipelines or trusted CI
    systems could show CI/CD in use (level 2)."""
    deny(monkeypatch, denied)
    with trail(monkeypatch, history(console=25, cli=15)):
        result = answer(tmp_path, "ops.cicd")
    _no_level(result)


def test_cicd_one_region_denied_is_i_dont_know(aws, tmp_path, monkeypatch) -> None:
    """Never guess: one region by hand, the other's history unreadable: level 1 or much more."""
    with trail(monkeypatch, history(REGION, console=40), {f"LookupEvents@{OTHER_REGION}": HISTORY_DENIED["LookupEvents"]}):
        result = answer(tmp_path, "ops.cicd", regions=(REGION, OTHER_REGION))
    _no_level(result)


def test_cicd_account_without_activity_is_not_applicable(aws, tmp_path, monkeypatch) -> None:
    """An empty account: no team makes changes, so there is no CI/CD practice to place (not applicable, 0)."""
    with trail(monkeypatch, history()):
        result = answer(tmp_path, "ops.cicd")
    assert result.status == "not_applicable" and result.answer == 0, explain(result)


# --- ops.deploy_qa ----------------------------------------------------------------------------------------


def test_deploy_qa_tested_pipelines_making_the_changes_are_at_least_3(aws, tmp_path, monkeypatch) -> None:
    """Pipelines with build, test and deploy stages make nearly every change: not 'by hand' (1) nor 'most
    deployments are manual' (2), and 'Integrated approach, with some automation and regular checks' (3) is shown.
    'Frequent deployments' (4) and 'short-lived test environments' (5) are for people: at least 3."""
    oidc(GITHUB)
    pipeline("web", test=True)
    pipeline("api", test=True, approval=True)
    with trail(monkeypatch, history(github=60, console=4)):
        result = answer(tmp_path, "ops.deploy_qa")
    assert (result.status, result.floor_level, result.answer, result.suggested_level) == ("floor", 3, 3, None), explain(result)
    assert result.possible_levels == [3, 4, 5], explain(result)
    assert "CI/CD identities made 60 of 64 changes, and 2 of 2 deploying pipelines run a test action" in result.because


def test_deploy_qa_pipelines_without_tests_set_no_level(aws, tmp_path, monkeypatch) -> None:
    """Pipelines make the changes but none runs a test action: not 1 or 2, and nothing shows 'regular checks': 0."""
    oidc(GITHUB)
    pipeline("web", test=False, approval=True)
    with trail(monkeypatch, history(github=60, console=4)):
        result = answer(tmp_path, "ops.deploy_qa")
    _no_level(result)
    assert result.possible_levels == [3, 4, 5], explain(result)


def test_deploy_qa_ci_running_terraform_is_pipeline_deployment(aws, tmp_path, monkeypatch) -> None:
    """GitHub Actions jobs running Terraform make the changes: deployment is not by hand, levels 1-2 ruled out."""
    oidc(GITHUB)
    terraform = "APN/1.0 HashiCorp/1.0 Terraform/1.9.5 terraform-provider-aws/5.70.0"
    with trail(monkeypatch, history(github=(50, terraform), console=5)):
        result = answer(tmp_path, "ops.deploy_qa")
    assert result.possible_levels == [3, 4, 5], explain(result)


def test_deploy_qa_changes_by_hand_set_no_level(aws, tmp_path, monkeypatch) -> None:
    """People make the changes: 'by hand, on a schedule' (1) or 'some automation, but most deployments are manual'
    (2), and automated QA outside the cloud is invisible: 0."""
    with trail(monkeypatch, history(console=30, cli=10, github=3)):
        result = answer(tmp_path, "ops.deploy_qa")
    _no_level(result)
    assert {1, 2} <= set(result.possible_levels), explain(result)


def test_deploy_qa_history_denied_is_i_dont_know(aws, tmp_path, monkeypatch) -> None:
    """Never guess: pipelines with tests exist but who makes the changes cannot be read."""
    pipeline("web", test=True)
    with trail(monkeypatch, HISTORY_DENIED):
        result = answer(tmp_path, "ops.deploy_qa")
    _no_level(result)
    assert result.possible_levels == [1, 2, 3, 4, 5], explain(result)


def test_deploy_qa_account_without_changes_is_not_applicable(aws, tmp_path, monkeypatch) -> None:
    """An empty account: nothing is deployed, so there is no deployment practice to place (not applicable, 0)."""
    with trail(monkeypatch, history()):
        result = answer(tmp_path, "ops.deploy_qa")
    assert result.status == "not_applicable" and result.answer == 0, explain(result)


# --- ops.build_speed --------------------------------------------------------------------------------------


def _codebuild_project(name: str, builds: int, region: str = REGION) -> None:
    codebuild = boto3.client("codebuild", region)
    codebuild.create_project(
        name=name,
        source={"type": "GITHUB", "location": f"https://github.com/example/{name}"},
        artifacts={"type": "NO_ARTIFACTS"},
        environment={"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0", "computeType": "BUILD_GENERAL1_SMALL"},
        serviceRole="arn:aws:iam::123456789012:role/codebuild-service-role",
    )
    for _ in range(builds):
        codebuild.start_build(projectName=name)


def test_build_speed_fast_watched_builds_are_at_least_3(aws, tmp_path) -> None:
    """Every build finishes in a few minutes (moto: 1-5), in two regions, and an alarm watches build time:
    'Reasonably fast and we do some monitoring' (3) is shown. Whether times are checked often (4) or improved
    continually (5) is for people, and deployment times are not read: at least 3."""
    _codebuild_project("web", 3)
    _codebuild_project("api", 2, region=OTHER_REGION)
    boto3.client("sns", REGION).create_topic(Name="builds")
    boto3.client("cloudwatch", REGION).put_metric_alarm(
        AlarmName="slow-builds",
        Namespace="AWS/CodeBuild",
        MetricName="Duration",
        Dimensions=[{"Name": "ProjectName", "Value": "web"}],
        Statistic="Average",
        Period=300,
        EvaluationPeriods=1,
        Threshold=600,
        ComparisonOperator="GreaterThanThreshold",
        AlarmActions=[f"arn:aws:sns:{REGION}:123456789012:builds"],
    )
    result = answer(tmp_path, "ops.build_speed", regions=(REGION, OTHER_REGION))
    assert (result.status, result.floor_level, result.answer, result.suggested_level) == ("floor", 3, 3, None), explain(result)
    assert result.possible_levels == [3, 4, 5], explain(result)


def _build_alarm(region: str = REGION) -> None:
    boto3.client("sns", region).create_topic(Name="builds")
    boto3.client("cloudwatch", region).put_metric_alarm(
        AlarmName="slow-builds",
        Namespace="AWS/CodeBuild",
        MetricName="Duration",
        Statistic="Average",
        Period=300,
        EvaluationPeriods=1,
        Threshold=600,
        ComparisonOperator="GreaterThanThreshold",
        AlarmActions=[f"arn:aws:sns:{region}:123456789012:builds"],
    )


@pytest.mark.parametrize("denied", ["codebuild:BatchGetBuilds", "cloudwatch:DescribeAlarms"])
def test_build_speed_fast_watched_builds_half_read_are_i_dont_know(aws, tmp_path, monkeypatch, denied: str) -> None:
    """Never guess: fast builds and a build alarm, but the builds or the alarms cannot be read: no floor."""
    _codebuild_project("web", 3)
    _build_alarm()
    deny(monkeypatch, denied)
    result = answer(tmp_path, "ops.build_speed")
    _no_level(result)


def test_build_speed_fast_builds_nobody_watches_set_no_level(aws, tmp_path) -> None:
    """Fast builds with no alarm on build metrics: not 'hours or days' (1), but no monitoring is in sight, so
    nothing shows level 3 and 2 ('we track times') stays with people: 0."""
    _codebuild_project("web", 3)
    result = answer(tmp_path, "ops.build_speed")
    _no_level(result)
    assert 1 not in result.possible_levels and 2 in result.possible_levels, explain(result)


def test_build_speed_builds_taking_hours_set_no_level(aws, tmp_path, monkeypatch) -> None:
    """Builds take two to three hours (served: moto cannot make a slow build): 'hours or days', level 1 or 2
    ('we track times, but things are often delayed'); whether times are tracked is for people: 0."""
    start = time.time() - 86400
    builds = [{"id": f"web:{i}", "startTime": start + i * 3600, "endTime": start + i * 3600 + (120 + 30 * i) * 60} for i in range(3)]
    routes = {
        "ListProjects": [(200, {"projects": ["web"]})],
        "BatchGetProjects": [(200, {"projects": [{"name": "web", "arn": "arn:aws:codebuild:eu-west-2:123456789012:project/web"}]})],
        "ListBuildsForProject": [(200, {"ids": [b["id"] for b in builds]})],
        "BatchGetBuilds": [(200, {"builds": builds})],
    }
    with serving(monkeypatch, "CODEBUILD", routes):
        result = answer(tmp_path, "ops.build_speed")
    _no_level(result)
    assert result.possible_levels == [1, 2], explain(result)


def test_build_speed_denied_builds_is_i_dont_know(aws, tmp_path, monkeypatch) -> None:
    """Never guess: projects are listed but their builds cannot be read."""
    _codebuild_project("web", 3)
    deny(monkeypatch, "codebuild:BatchGetBuilds")
    result = answer(tmp_path, "ops.build_speed")
    _no_level(result)
    assert result.possible_levels == [1, 2, 3, 4, 5], explain(result)


def test_build_speed_empty_account_is_i_dont_know(aws, tmp_path) -> None:
    """No cloud builds: builds may run elsewhere (GitHub Actions, Jenkins), so nothing is ruled out: 0."""
    result = answer(tmp_path, "ops.build_speed")
    _no_level(result)
    assert result.possible_levels == [1, 2, 3, 4, 5], explain(result)


# --- ops.monitoring ---------------------------------------------------------------------------------------


def _topic(region: str = REGION) -> str:
    return boto3.client("sns", region).create_topic(Name="on-call")["TopicArn"]


def infra_alarms(count: int, region: str = REGION, *, actions: bool = True) -> None:
    """Alarms on infrastructure metrics (EC2 CPU, RDS storage, load-balancer 5xx), notifying on-call when `actions`."""
    cloudwatch = boto3.client("cloudwatch", region)
    metrics = [("AWS/EC2", "CPUUtilization"), ("AWS/RDS", "FreeStorageSpace"), ("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count")]
    topic = _topic(region) if actions else None
    for i in range(count):
        namespace, metric = metrics[i % len(metrics)]
        cloudwatch.put_metric_alarm(
            AlarmName=f"infra-{i}",
            Namespace=namespace,
            MetricName=metric,
            Statistic="Average",
            Period=300,
            EvaluationPeriods=2,
            Threshold=80,
            ComparisonOperator="GreaterThanThreshold",
            AlarmActions=[topic] if topic else [],
        )


def application_monitoring(region: str = REGION) -> None:
    """Alarms on application metrics (checkout errors, latency anomaly), a dashboard showing them and a metric
    filter over the application's logs. (moto has no PutCompositeAlarm, so no composite alarm.)"""
    cloudwatch = boto3.client("cloudwatch", region)
    topic = _topic(region)
    cloudwatch.put_metric_alarm(
        AlarmName="checkout-errors",
        Namespace="Shop/Checkout",
        MetricName="Errors",
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=3,
        Threshold=5,
        ComparisonOperator="GreaterThanThreshold",
        AlarmActions=[topic],
    )
    cloudwatch.put_metric_alarm(
        AlarmName="checkout-latency-anomaly",
        EvaluationPeriods=3,
        ComparisonOperator="GreaterThanUpperThreshold",
        ThresholdMetricId="band",
        Metrics=[
            {
                "Id": "latency",
                "MetricStat": {"Metric": {"Namespace": "Shop/Checkout", "MetricName": "Latency"}, "Period": 60, "Stat": "p99"},
                "ReturnData": True,
            },
            {"Id": "band", "Expression": "ANOMALY_DETECTION_BAND(latency, 2)"},
        ],
        AlarmActions=[topic],
    )
    widget = {"type": "metric", "properties": {"metrics": [["Shop/Checkout", "Errors"], ["AWS/EC2", "CPUUtilization"]], "region": region}}
    cloudwatch.put_dashboard(DashboardName="checkout", DashboardBody=json.dumps({"widgets": [widget]}))
    logs = boto3.client("logs", region)
    logs.create_log_group(logGroupName="/app/checkout")
    logs.put_metric_filter(
        logGroupName="/app/checkout",
        filterName="payment-failures",
        filterPattern='"payment failed"',
        metricTransformations=[{"metricName": "PaymentFailures", "metricNamespace": "Shop/Checkout", "metricValue": "1"}],
    )


def test_monitoring_alerts_on_infrastructure_only_is_level_3(aws, tmp_path) -> None:
    """'Monitoring and alerts for problems, but its not yet an integrated system': six alarms notify on-call, all on
    infrastructure metrics, with nothing from the applications (no application metric, log metric or dashboard)."""
    infra_alarms(6)
    result = answer(tmp_path, "ops.monitoring")
    assert result.answer == 3, explain(result)


def test_monitoring_infrastructure_dashboard_is_still_level_3(aws, tmp_path) -> None:
    """Level 3 ('not yet an integrated system'): alerting on infrastructure plus a dashboard of host and database
    metrics. A dashboard of infrastructure alone is not 'integration between infrastructure and applications'."""
    infra_alarms(5)
    widget = {
        "type": "metric",
        "properties": {"metrics": [["AWS/EC2", "CPUUtilization"], ["AWS/RDS", "FreeStorageSpace"]], "region": REGION},
    }
    boto3.client("cloudwatch", REGION).put_dashboard(DashboardName="hosts", DashboardBody=json.dumps({"widgets": [widget]}))
    result = answer(tmp_path, "ops.monitoring")
    assert result.answer == 3, explain(result)


def test_monitoring_alerts_across_regions_is_level_3(aws, tmp_path) -> None:
    """Level 3 ('monitoring and alerts for problems'), the alerting spread over two regions: three alarms each."""
    infra_alarms(3)
    infra_alarms(3, OTHER_REGION)
    result = answer(tmp_path, "ops.monitoring", regions=(REGION, OTHER_REGION))
    assert result.answer == 3, explain(result)


def test_monitoring_alerts_in_two_accounts_is_level_3(aws, tmp_path) -> None:
    """Level 3 over an organisation: three infrastructure alarms with actions in the management account, three in
    a member account; counted together they are systematic alerting."""
    organizations = boto3.client("organizations", "us-east-1")
    organizations.create_organization(FeatureSet="ALL")
    member = organizations.create_account(AccountName="workload", Email="workload@example.org")["CreateAccountStatus"]["AccountId"]
    creds = boto3.client("sts").assume_role(RoleArn=f"arn:aws:iam::{member}:role/OrganizationAccountAccessRole", RoleSessionName="build")
    session = boto3.Session(
        aws_access_key_id=creds["Credentials"]["AccessKeyId"],
        aws_secret_access_key=creds["Credentials"]["SecretAccessKey"],
        aws_session_token=creds["Credentials"]["SessionToken"],
    )
    infra_alarms(3)
    topic = session.client("sns", REGION).create_topic(Name="on-call")["TopicArn"]
    for i in range(3):
        session.client("cloudwatch", REGION).put_metric_alarm(
            AlarmName=f"member-{i}",
            Namespace="AWS/EC2",
            MetricName="CPUUtilization",
            Statistic="Average",
            Period=300,
            EvaluationPeriods=2,
            Threshold=80,
            ComparisonOperator="GreaterThanThreshold",
            AlarmActions=[topic],
        )
    result = answer(tmp_path, "ops.monitoring", org=True)
    assert result.answer == 3, explain(result)
    assert {s.scope for e in result.evidence if e.signal == "alerting_alarms" for s in e.by_scope} == {"123456789012", member}


def test_monitoring_with_application_signals_is_at_least_4(aws, tmp_path) -> None:
    """Infrastructure and application alarms, anomaly detection, a dashboard showing application metrics and log
    metrics: 'Advanced monitoring tools with some integration between infrastructure and applications' (4) at least;
    whether the pieces form 'an integrated monitoring system' (5) is for a person: at least 4."""
    infra_alarms(5)
    application_monitoring()
    result = answer(tmp_path, "ops.monitoring")
    assert (result.status, result.floor_level, result.answer) == ("floor", 4, 4), explain(result)
    assert result.possible_levels == [4, 5], explain(result)


def test_monitoring_silent_alarms_and_a_dashboard_set_no_level(aws, tmp_path) -> None:
    """Alarms that tell nobody and a dashboard: 'simple tools, check systems by hand' (2) reads well, but a
    third-party tool may do the alerting, which the scan cannot see: 0."""
    infra_alarms(6, actions=False)
    boto3.client("cloudwatch", REGION).put_dashboard(DashboardName="ops", DashboardBody=json.dumps({"widgets": []}))
    result = answer(tmp_path, "ops.monitoring")
    _no_level(result)


def test_monitoring_empty_account_is_i_dont_know(aws, tmp_path) -> None:
    """No alarms, dashboards or log metrics: monitoring may live in a third-party tool, so not level 1: 0."""
    result = answer(tmp_path, "ops.monitoring")
    _no_level(result)


@pytest.mark.parametrize("denied", ["cloudwatch:DescribeAlarms", "logs:DescribeMetricFilters", "cloudwatch:GetDashboard"])
def test_monitoring_denied_is_i_dont_know(aws, tmp_path, monkeypatch, denied: str) -> None:
    """Never guess: infrastructure alerting is in sight, but unreadable alarms, log metrics or dashboard contents
    could hold the application monitoring that separates level 3 from 4 and 5."""
    infra_alarms(6)
    boto3.client("cloudwatch", REGION).put_dashboard(DashboardName="service", DashboardBody=json.dumps({"widgets": []}))
    deny(monkeypatch, denied)
    result = answer(tmp_path, "ops.monitoring")
    _no_level(result)


# --- ops.release ------------------------------------------------------------------------------------------

ROLE = "arn:aws:iam::123456789012:role/codedeploy-service-role"


def server_groups(*configs: str, region: str = REGION) -> None:
    """EC2 deployment groups updated in place, one per CodeDeploy configuration (AllAtOnce, OneAtATime, HalfAtATime)."""
    codedeploy = boto3.client("codedeploy", region)
    codedeploy.create_application(applicationName="servers", computePlatform="Server")
    for i, config in enumerate(configs):
        codedeploy.create_deployment_group(
            applicationName="servers",
            deploymentGroupName=f"group-{i}",
            serviceRoleArn=ROLE,
            deploymentConfigName=f"CodeDeployDefault.{config}",
            deploymentStyle={"deploymentType": "IN_PLACE", "deploymentOption": "WITHOUT_TRAFFIC_CONTROL"},
            ec2TagFilters=[{"Key": "app", "Value": f"app-{i}", "Type": "KEY_AND_VALUE"}],
        )


def ecs_services(count: int, controller: str = "ECS", region: str = REGION, cluster: str = "apps") -> list[str]:
    ecs = boto3.client("ecs", region)
    ecs.create_cluster(clusterName=cluster)
    names = [f"{cluster}-{controller.lower()}-{i}" for i in range(count)]
    for name in names:
        ecs.create_service(cluster=cluster, serviceName=name, desiredCount=2, deploymentController={"type": controller})
    return names


def ecs_blue_green(services: list[str], *, config: str, manual_switch: bool, alarm_rollback: bool, cluster: str = "apps") -> None:
    """CodeDeploy blue/green groups for ECS services: traffic shifts by `config`, after a person reroutes it
    (`manual_switch`: wait for a manual reroute) or at once, rolling back on alarms when `alarm_rollback`."""
    codedeploy = boto3.client("codedeploy", REGION)
    codedeploy.create_application(applicationName="containers", computePlatform="ECS")
    ready = (
        {"actionOnTimeout": "STOP_DEPLOYMENT", "waitTimeInMinutes": 120} if manual_switch else {"actionOnTimeout": "CONTINUE_DEPLOYMENT"}
    )
    for name in services:
        extra: dict[str, Any] = {}
        if alarm_rollback:
            extra["autoRollbackConfiguration"] = {"enabled": True, "events": ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]}
            extra["alarmConfiguration"] = {"enabled": True, "alarms": [{"name": f"{name}-5xx"}]}
        codedeploy.create_deployment_group(
            applicationName="containers",
            deploymentGroupName=name,
            serviceRoleArn=ROLE,
            deploymentConfigName=f"CodeDeployDefault.{config}",
            deploymentStyle={"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"},
            blueGreenDeploymentConfiguration={
                "deploymentReadyOption": ready,
                "terminateBlueInstancesOnDeploymentSuccess": {"action": "TERMINATE", "terminationWaitTimeInMinutes": 60},
            },
            ecsServices=[{"serviceName": name, "clusterName": cluster}],
            **extra,
        )


def test_release_all_at_once_in_place_is_level_1(aws, tmp_path) -> None:
    """'We stop services to update them, then restart': every deployment group updates all servers at once, in place."""
    server_groups("AllAtOnce", "AllAtOnce", "AllAtOnce")
    result = answer(tmp_path, "ops.release")
    assert result.answer == 1, explain(result)


def test_release_rolling_is_level_2(aws, tmp_path) -> None:
    """'We update parts of our services at a time': ECS services with rolling updates and in-place groups that
    update one server or half the fleet at a time outnumber the one all-at-once group."""
    ecs_services(2)
    server_groups("OneAtATime", "HalfAtATime", "AllAtOnce")
    result = answer(tmp_path, "ops.release")
    assert result.answer == 2, explain(result)


def test_release_rolling_across_accounts_is_level_2(aws, tmp_path) -> None:
    """Level 2 over an organisation: one all-at-once group in the management account, three rolling ECS services in
    a member account; the organisation mostly updates a part at a time."""
    organizations = boto3.client("organizations", "us-east-1")
    organizations.create_organization(FeatureSet="ALL")
    member = organizations.create_account(AccountName="workload", Email="workload@example.org")["CreateAccountStatus"]["AccountId"]
    creds = boto3.client("sts").assume_role(RoleArn=f"arn:aws:iam::{member}:role/OrganizationAccountAccessRole", RoleSessionName="build")
    ecs = boto3.Session(
        aws_access_key_id=creds["Credentials"]["AccessKeyId"],
        aws_secret_access_key=creds["Credentials"]["SecretAccessKey"],
        aws_session_token=creds["Credentials"]["SessionToken"],
    ).client("ecs", REGION)
    ecs.create_cluster(clusterName="apps")
    for i in range(3):
        ecs.create_service(cluster="apps", serviceName=f"svc-{i}", desiredCount=2)
    server_groups("AllAtOnce")
    result = answer(tmp_path, "ops.release", org=True)
    assert result.answer == 2, explain(result)


def test_release_rolling_across_regions_is_level_2(aws, tmp_path) -> None:
    """Level 2 over two regions: two all-at-once groups in one, three rolling ECS services in the other."""
    server_groups("AllAtOnce", "AllAtOnce")
    ecs_services(3, region=OTHER_REGION)
    result = answer(tmp_path, "ops.release", regions=(REGION, OTHER_REGION))
    assert result.answer == 2, explain(result)


def test_release_blue_green_with_manual_switch_is_at_least_3(aws, tmp_path) -> None:
    """Blue/green for every service, but a person reroutes traffic: 'deploy new versions and switch over by hand'
    (3) at least, or 'canary or blue/green releases, usually without maintenance windows' (4); maintenance windows
    are not visible, so a floor: at least 3."""
    services = ecs_services(3, "CODE_DEPLOY")
    ecs_blue_green(services, config="ECSAllAtOnce", manual_switch=True, alarm_rollback=False)
    result = answer(tmp_path, "ops.release")
    assert (result.status, result.floor_level, result.answer, result.suggested_level) == ("floor", 3, 3, None), explain(result)
    assert result.possible_levels == [3, 4], explain(result)


def test_release_automatic_canary_with_alarm_rollback_is_level_5(aws, tmp_path) -> None:
    """'We use canary or blue/green releases and switch users with no need for maintenance windows': every service
    ships by canary, CodeDeploy moves users over on its own (no manual reroute) and rolls back when an alarm fires."""
    services = ecs_services(3, "CODE_DEPLOY")
    ecs_blue_green(services, config="ECSCanary10Percent5Minutes", manual_switch=False, alarm_rollback=True)
    result = answer(tmp_path, "ops.release")
    assert result.answer == 5, explain(result)
    assert result.because.startswith(
        "Releases move users to the new version on their own and roll back when an alarm fires: 3 of 3 progressive deployment groups"
    ), result.because


def test_release_automatic_blue_green_without_alarm_rollback_is_at_least_4(aws, tmp_path) -> None:
    """Blue/green that switches users over on its own but does not roll back on alarms: not 'switch over by hand'
    (3); 'We use canary or blue/green releases' (4) is shown, and whether it is 'switch users with no need for
    maintenance windows' (5) depends on whether someone stands by in a window: at least 4."""
    services = ecs_services(2, "CODE_DEPLOY")
    ecs_blue_green(services, config="ECSAllAtOnce", manual_switch=False, alarm_rollback=False)
    result = answer(tmp_path, "ops.release")
    assert (result.status, result.floor_level, result.answer, result.suggested_level) == ("floor", 4, 4, None), explain(result)
    assert result.possible_levels == [4, 5], explain(result)


def test_release_tie_between_mechanisms_sets_no_level(aws, tmp_path) -> None:
    """As many services stop and restart as roll: level 1 or 2, no most common mechanism: 0."""
    server_groups("AllAtOnce", "AllAtOnce")
    ecs_services(2)
    result = answer(tmp_path, "ops.release")
    _no_level(result)


def test_release_empty_account_is_i_dont_know(aws, tmp_path) -> None:
    """No deployment groups or container services: how releases happen is not visible: 0."""
    result = answer(tmp_path, "ops.release")
    _no_level(result)


@pytest.mark.parametrize(
    "denied", ["ecs:ListClusters", "ecs:DescribeServices", "codedeploy:ListApplications", "codedeploy:GetDeploymentGroup"]
)
def test_release_denied_is_i_dont_know(aws, tmp_path, monkeypatch, denied: str) -> None:
    """Never guess: three all-at-once groups and three rolling services; unread, either side could be the larger."""
    server_groups("AllAtOnce", "AllAtOnce", "AllAtOnce")
    ecs_services(3)
    deny(monkeypatch, denied)
    result = answer(tmp_path, "ops.release")
    _no_level(result)


# --- ops.incident_planning --------------------------------------------------------------------------------


def test_incident_planning_recovery_configuration_sets_no_level(aws, tmp_path) -> None:
    """Backups copied to another region, a locked vault, a multi-zone database with backups: recovery capability,
    but every level is about plans, their upkeep and their testing ('we test our plans ... can recover critical
    systems within a day'), which are documents and exercises: 0."""
    backup = boto3.client("backup", REGION)
    backup.create_backup_vault(BackupVaultName="primary")
    backup.put_backup_vault_lock_configuration(BackupVaultName="primary", MinRetentionDays=7)
    backup.create_backup_plan(
        BackupPlan={
            "BackupPlanName": "daily",
            "Rules": [
                {
                    "RuleName": "daily",
                    "TargetBackupVaultName": "primary",
                    "ScheduleExpression": "cron(0 3 * * ? *)",
                    "Lifecycle": {"DeleteAfterDays": 35},
                    "CopyActions": [{"DestinationBackupVaultArn": f"arn:aws:backup:{OTHER_REGION}:123456789012:backup-vault:dr"}],
                }
            ],
        }
    )
    boto3.client("rds", REGION).create_db_instance(
        DBInstanceIdentifier="orders",
        Engine="postgres",
        DBInstanceClass="db.t3.micro",
        AllocatedStorage=20,
        MasterUsername="admin",
        MasterUserPassword="password123",
        MultiAZ=True,
        BackupRetentionPeriod=7,
    )
    result = answer(tmp_path, "ops.incident_planning")
    _no_level(result)
    values = {e.signal: e.value for e in result.evidence}
    assert values["copied_backup_plans"].lo == 1 and values["locked_vaults"].lo == 1, explain(result)


def test_incident_planning_empty_account_is_i_dont_know(aws, tmp_path) -> None:
    """No backups at all still says nothing about incident plans: 0, not level 1."""
    result = answer(tmp_path, "ops.incident_planning")
    _no_level(result)


def test_incident_planning_denied_is_i_dont_know(aws, tmp_path, monkeypatch) -> None:
    """Never guess: backup plans unreadable."""
    deny(monkeypatch, "backup:ListBackupPlans")
    result = answer(tmp_path, "ops.incident_planning")
    _no_level(result)


PLAN_ARN = "arn:aws:ssm-incidents::123456789012:response-plan/service-outage"


def response_plans(*, engaged: bool = True) -> dict[str, list[tuple[int, Any]]]:
    """Incident Manager routes (moto has no ssm-incidents): one response plan, engaging the on-call escalation
    plan and starting a runbook, or neither."""
    plan: dict[str, Any] = {
        "arn": PLAN_ARN,
        "name": "service-outage",
        "incidentTemplate": {"title": "Service outage", "impact": 2},
    }
    if engaged:
        plan["engagements"] = ["arn:aws:ssm-contacts:eu-west-2:123456789012:contact/on-call-escalation"]
        plan["actions"] = [{"ssmAutomation": {"documentName": "incident-runbook", "roleArn": "arn:aws:iam::123456789012:role/runbook"}}]
    listed = {"responsePlanSummaries": [{"arn": PLAN_ARN, "name": "service-outage"}]}
    return {
        f"POST /listResponsePlans@{REGION}": [(200, listed)],
        "POST /listResponsePlans": [(200, {"responsePlanSummaries": []})],
        "GET /getResponsePlan": [(200, plan)],
    }


def test_incident_planning_response_plan_is_at_least_2(aws, tmp_path, monkeypatch) -> None:
    """'We create a plan when launching a new service' (2): an incident response plan in the cloud pages the on-call
    escalation plan and starts a runbook. That is a formal incident plan, so not 'we don't have a formal incident
    plan' (1); whether plans are kept up to date, part of business continuity and tested (3-5) is for a person."""
    with serving(monkeypatch, "SSM_INCIDENTS", response_plans()):
        result = answer(tmp_path, "ops.incident_planning")
    assert (result.status, result.floor_level, result.possible_levels) == ("floor", 2, [2, 3, 4, 5]), explain(result)
    assert result.because == (
        "A formal incident plan exists: 1 response plans held in the cloud engage responders or start a runbook when an incident starts."
    )


def test_incident_planning_plan_that_engages_nobody_shows_nothing(aws, tmp_path, monkeypatch) -> None:
    """A response plan that engages nobody and starts no runbook: a plan exists, so not level 1, but nothing shows
    it is acted on: 2-5 stay open and the answer is 0."""
    with serving(monkeypatch, "SSM_INCIDENTS", response_plans(engaged=False)):
        result = answer(tmp_path, "ops.incident_planning")
    _no_level(result)
    assert result.possible_levels == [2, 3, 4, 5], explain(result)


def test_incident_planning_unreadable_plan_is_i_dont_know(aws, tmp_path, monkeypatch) -> None:
    """The plan is listed but GetResponsePlan is refused: what it engages is unknown, so no floor."""
    routes = response_plans()
    routes["GET /getResponsePlan"] = [(400, {"message": "not authorized to perform: ssm-incidents:GetResponsePlan"})]
    with serving(monkeypatch, "SSM_INCIDENTS", routes):
        result = answer(tmp_path, "ops.incident_planning")
    _no_level(result)


def test_all_six_questions_in_one_scan(aws, tmp_path, monkeypatch) -> None:
    """One estate, all six questions at once: infrastructure alerting only (monitoring 3), all-at-once releases
    (release 1), work done by hand (cicd 1), and no level for the others."""
    infra_alarms(5)
    server_groups("AllAtOnce")
    with trail(monkeypatch, history(console=30)):
        results = assess(tmp_path, "ops.cicd", "ops.build_speed", "ops.monitoring", "ops.release", "ops.deploy_qa", "ops.incident_planning")
    answers = {rule: result.answer for rule, result in results.items()}
    assert answers == {
        "ops.cicd": 1,
        "ops.build_speed": 0,
        "ops.monitoring": 3,
        "ops.release": 1,
        "ops.deploy_qa": 0,
        "ops.incident_planning": 0,
    }, answers
