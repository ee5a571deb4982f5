"""CodeBuild projects, CodePipeline pipelines, CodeDeploy deployment groups, CloudFormation stacks."""

from __future__ import annotations

import json

import boto3

from tests.aws.support import scan

REGION = "eu-west-2"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "codepipeline.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


def _role() -> str:
    return boto3.client("iam").create_role(RoleName="delivery", AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"]


def _action(name: str, category: str, provider: str, owner: str = "AWS") -> dict:
    action = {"name": name, "actionTypeId": {"category": category, "owner": owner, "provider": provider, "version": "1"}}
    if category == "Source":
        action["outputArtifacts"] = [{"name": "src"}]
    elif category != "Approval":
        action["inputArtifacts"] = [{"name": "src"}]
    return action


def test_build_projects(aws) -> None:
    environment = {
        "type": "LINUX_CONTAINER",
        "image": "aws/codebuild/standard:7.0",
        "computeType": "BUILD_GENERAL1_SMALL",
        "privilegedMode": True,
    }
    role = _role()
    boto3.client("codebuild", REGION).create_project(
        name="web-build",
        source={"type": "GITHUB", "location": "https://github.com/example/web"},
        artifacts={"type": "NO_ARTIFACTS"},
        environment=environment,
        serviceRole=role,
        timeoutInMinutes=30,
    )
    codebuild = boto3.client("codebuild", REGION)
    codebuild.create_project(
        name="idle",
        source={"type": "S3", "location": "bucket/source.zip"},
        artifacts={"type": "NO_ARTIFACTS"},
        environment=environment,
        serviceRole=role,
    )
    for _ in range(3):
        codebuild.start_build(projectName="web-build")
    result = scan(["cicd.build_project"])
    web = result.one("cicd.build_project", "project/web-build")
    assert web["source_type"] == "GITHUB" and web["privileged"] is True and web["timeout_minutes"] == 30
    # moto finishes each build a random 1 to 5 whole minutes after it starts
    assert web["recent_builds"] == 3 and web["median_build_minutes"] in (1.0, 2.0, 3.0, 4.0, 5.0)
    assert result.one("cicd.build_project", "project/idle")["recent_builds"] == 0
    assert result.one("cicd.build_project", "project/idle")["median_build_minutes"] is None


def test_pipelines(aws) -> None:
    stages = [
        {"name": "Source", "actions": [_action("src", "Source", "CodeStarSourceConnection")]},
        {"name": "Build", "actions": [_action("build", "Build", "CodeBuild"), _action("unit", "Test", "CodeBuild")]},
        {"name": "Approve", "actions": [_action("ok", "Approval", "Manual")]},
        {"name": "Deploy", "actions": [_action("ecs", "Deploy", "ECS"), _action("stack", "Deploy", "CloudFormation")]},
    ]
    cp = boto3.client("codepipeline", REGION)
    role = _role()
    cp.create_pipeline(
        pipeline={"name": "full", "roleArn": role, "artifactStore": {"type": "S3", "location": "artifacts"}, "stages": stages}
    )
    short = [stages[0], {"name": "Deploy", "actions": [_action("s3", "Deploy", "S3")]}]
    cp.create_pipeline(
        pipeline={"name": "straight", "roleArn": role, "artifactStore": {"type": "S3", "location": "artifacts"}, "stages": short}
    )

    result = scan(["cicd.pipeline"])

    assert result.one("cicd.pipeline", ":full") == {
        "stages": 4,
        "source_provider": "CodeStarSourceConnection",
        "has_build": True,
        "has_test": True,
        "has_manual_approval": True,
        "has_deploy": True,
        "deploy_targets": ["CloudFormation", "ECS"],
    }
    straight = result.one("cicd.pipeline", ":straight")
    assert (straight["has_test"], straight["has_manual_approval"], straight["deploy_targets"]) == (False, False, ["S3"])


def test_deployment_groups(aws) -> None:
    cd = boto3.client("codedeploy", REGION)
    role = _role()
    cd.create_application(applicationName="web", computePlatform="Server")
    cd.create_deployment_group(
        applicationName="web",
        deploymentGroupName="careful",
        serviceRoleArn=role,
        deploymentConfigName="CodeDeployDefault.OneAtATime",
        autoRollbackConfiguration={"enabled": True, "events": ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]},
        alarmConfiguration={"enabled": True, "alarms": [{"name": "web-5xx"}]},
        deploymentStyle={"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"},
        blueGreenDeploymentConfiguration={"deploymentReadyOption": {"actionOnTimeout": "CONTINUE_DEPLOYMENT"}},
    )
    cd.create_deployment_group(
        applicationName="web", deploymentGroupName="yolo", serviceRoleArn=role, deploymentConfigName="CodeDeployDefault.AllAtOnce"
    )
    cd.create_deployment_group(
        applicationName="web",
        deploymentGroupName="by-hand",
        serviceRoleArn=role,
        autoRollbackConfiguration={"enabled": True, "events": ["DEPLOYMENT_FAILURE"]},
        deploymentStyle={"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"},
        blueGreenDeploymentConfiguration={"deploymentReadyOption": {"actionOnTimeout": "STOP_DEPLOYMENT", "waitTimeInMinutes": 60}},
    )
    cd.create_application(applicationName="fn", computePlatform="Lambda")
    cd.create_deployment_group(
        applicationName="fn",
        deploymentGroupName="canary",
        serviceRoleArn=role,
        deploymentConfigName="CodeDeployDefault.LambdaCanary10Percent5Minutes",
    )
    cd.create_deployment_group(applicationName="fn", deploymentGroupName="custom", serviceRoleArn=role, deploymentConfigName="MyOwnConfig")

    result = scan(["cicd.deployment_group"])

    assert result.one("cicd.deployment_group", "web:deploymentgroup:careful") == {
        "strategy": "blue_green",
        "auto_rollback": True,
        "alarm_rollback": True,
        "manual_cutover": False,
    }
    assert result.one("cicd.deployment_group", "web:deploymentgroup:yolo") == {
        "strategy": "all_at_once",
        "auto_rollback": False,
        "alarm_rollback": False,
        "manual_cutover": False,
    }
    assert result.one("cicd.deployment_group", "web:deploymentgroup:by-hand") == {
        "strategy": "blue_green",
        "auto_rollback": True,
        "alarm_rollback": False,
        "manual_cutover": True,
    }
    assert result.one("cicd.deployment_group", "fn:deploymentgroup:canary")["strategy"] == "canary"
    assert result.one("cicd.deployment_group", "fn:deploymentgroup:custom")["strategy"] is None  # custom config: not read


def test_stacks(aws) -> None:
    cf = boto3.client("cloudformation", REGION)
    template = json.dumps({"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}})
    cf.create_stack(StackName="protected", TemplateBody=template, EnableTerminationProtection=True)
    cf.create_stack(StackName="loose", TemplateBody=template)
    result = scan(["iac.stack"])
    protected = result.one("iac.stack", "stack/protected/")
    assert protected["status"] == "CREATE_COMPLETE" and protected["termination_protection"] is True and protected["age_days"] == 0
    # moto leaves out DriftInformation, which AWS always returns: unknown, not "in sync"
    assert protected["drift_status"] is None
    assert result.one("iac.stack", "stack/loose/")["termination_protection"] is False
