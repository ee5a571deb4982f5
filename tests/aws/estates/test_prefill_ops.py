"""One rich, fully readable estate and the 16 cost, governance, operations and technology questions at once.

The estate is the kind issue #9 describes: autoscaling with an out-of-hours schedule, container services and
functions, a second region holding only data, one image repository every environment pulls from, pipelines that
test before they deploy, fast builds watched by an
alarm, blue/green releases switched by a person, infrastructure alarms, and a write history (served: moto has no
CloudTrail LookupEvents) where a CI system makes nearly every change. Built through the public APIs on moto and
scanned by the real adapter; every expected answer is quoted from its level text below.
"""

from __future__ import annotations

import json

import boto3

from tests.aws.estates import REGION, assess, explain
from tests.aws.estates.compute import CPU, functions, group, services
from tests.aws.estates.test_ops import (
    GITHUB,
    OTHER_REGION,
    _codebuild_project,
    ecs_blue_green,
    ecs_services,
    history,
    infra_alarms,
    oidc,
    pipeline,
    trail,
)

RULES = (
    "cost.capacity",
    "cost.compute",
    "cost.geography",
    "cost.spend",
    "cost.sustainability",
    "gov.build_artefacts",
    "gov.environment_mgmt",
    "gov.policy_enforcement",
    "gov.provisioning",
    "ops.build_speed",
    "ops.cicd",
    "ops.deploy_qa",
    "ops.incident_planning",
    "ops.monitoring",
    "ops.release",
    "tech.stack",
)

# (answer, status) per question, each from its level text
EXPECTED = {
    # one repository the other accounts pull from (its tags can be overwritten): "We save artefacts", at least
    "gov.build_artefacts": (3, "floor"),
    # 4 of 6 instances in a group with a dynamic policy (CPU): "Most systems scale automatically"
    "cost.capacity": (4, "suggested"),
    # 2 VM groups against 6 container services and 4 functions (83 %): "Containers or serverless"
    "cost.compute": (4, "suggested"),
    # workloads in London, a bucket alone in Ireland: "another region for ... backup and recovery"
    "cost.geography": (2, "suggested"),
    # a development group scaled to zero every night: "We use some automation to help reduce costs", at least
    "cost.spend": (3, "floor"),
    # 60 of 64 writes by GitHub Actions (94 %): "Most things are standardised and automated"
    "gov.environment_mgmt": (4, "suggested"),
    # one active account-region, mostly automated, CI short of 98 %: "Most teams use automation"
    "gov.provisioning": (4, "suggested"),
    # builds in minutes and an alarm on build duration: "Reasonably fast and we do some monitoring", at least
    "ops.build_speed": (3, "floor"),
    # every active account-region deploys through CI, with GitHub Actions and CodePipeline both in sight:
    # "Nearly all teams use CI/CD, but tools and processes vary"
    "ops.cicd": (4, "suggested"),
    # pipelines test before they deploy and make the changes: "Integrated approach, with some automation and
    # regular checks", at least
    "ops.deploy_qa": (3, "floor"),
    # five actionable alarms on infrastructure metrics only: "Monitoring and alerts for problems, but its not yet
    # an integrated system"
    "ops.monitoring": (3, "suggested"),
    # blue/green for most services, a person switches traffic: "We deploy new versions and switch over by hand", at least
    "ops.release": (3, "floor"),
    # 10 of 12 deployable units are functions or container services: "Systems are made of parts that can run on
    # their own", at least
    "tech.stack": (3, "floor"),
}


def _estate() -> None:
    group("web", 4, CPU)
    group("dev", 2, schedule=True)
    services("orders", 3)
    functions(4)
    pull = {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222222222222:root"}, "Action": ["ecr:BatchGetImage"]}
    boto3.client("ecr", REGION).create_repository(repositoryName="web")
    boto3.client("ecr", REGION).set_repository_policy(
        repositoryName="web", policyText=json.dumps({"Version": "2012-10-17", "Statement": [pull]})
    )
    boto3.client("s3", OTHER_REGION).create_bucket(Bucket="copies", CreateBucketConfiguration={"LocationConstraint": OTHER_REGION})
    oidc(GITHUB)
    pipeline("web", test=True)
    pipeline("api", test=True, approval=True)
    _codebuild_project("web", 3)
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
    infra_alarms(5)
    blue_green = ecs_services(3, "CODE_DEPLOY")
    ecs_blue_green(blue_green, config="ECSAllAtOnce", manual_switch=True, alarm_rollback=False)


def test_a_rich_readable_estate_answers_13_of_the_16(aws, tmp_path, monkeypatch) -> None:
    """13 of the 16 export a level (settled or a floor), each with a plain because; the other three (sustainability,
    policy enforcement on moto, incident plans) stay 0 with what would settle them."""
    _estate()
    with trail(monkeypatch, history(REGION, github=60, console=4), history(OTHER_REGION)):
        results = assess(tmp_path, *RULES, regions=(REGION, OTHER_REGION))
    got = {rule: (r.answer, r.status) for rule, r in results.items() if r.answer}
    wrong = sorted(rule for rule in set(got) | set(EXPECTED) if got.get(rule) != EXPECTED.get(rule))
    assert got == EXPECTED, "\n".join(explain(results[rule]) for rule in wrong)
    for rule, result in results.items():
        text = result.because if result.answer else result.to_settle
        assert text and "_" not in text.replace("e.g.", ""), (rule, text)  # a sentence for people, no internal names
