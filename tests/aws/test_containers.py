"""ECS services with application autoscaling, EKS clusters, Lambda functions (no environment values), databases."""

from __future__ import annotations

import json

import boto3

from tests.aws.support import scan

REGION = "eu-west-2"
SECRET = "hunter2-do-not-leak"


def test_lambda_environment_never_reaches_the_snapshot(aws, tmp_path) -> None:
    iam = boto3.client("iam")
    role = iam.create_role(RoleName="fn", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}))["Role"]["Arn"]
    boto3.client("lambda", REGION).create_function(
        FunctionName="payments",
        Runtime="python3.12",
        Role=role,
        Handler="app.handler",
        Code={"ZipFile": b"def handler(e, c): return 1"},
        Architectures=["arm64"],
        Environment={"Variables": {"DB_PASSWORD": SECRET}},
        Tags={"owner": "payments"},
    )
    result = scan(["compute.function"])
    fn = result.one("compute.function", "function:payments")
    assert fn["runtime"] == "python3.12" and fn["arm"] is True and fn["package_type"] == "Zip" and fn["tags"] == {"owner": "payments"}
    everything = json.dumps([r.model_dump(mode="json") for r in [*result.facts, *result.coverage]])
    assert "payments" in everything and SECRET not in everything and "DB_PASSWORD" not in everything


def test_ecs_service_autoscaling_and_databases(aws) -> None:
    ecs = boto3.client("ecs", REGION)
    ecs.create_cluster(clusterName="prod")
    for name in ("api", "worker"):
        ecs.create_service(
            cluster="prod",
            serviceName=name,
            desiredCount=2,
            launchType="FARGATE",
            deploymentConfiguration={"deploymentCircuitBreaker": {"enable": True, "rollback": name == "api"}},
        )
    scaling = boto3.client("application-autoscaling", REGION)
    scaling.register_scalable_target(
        ServiceNamespace="ecs", ResourceId="service/prod/api", ScalableDimension="ecs:service:DesiredCount", MinCapacity=2, MaxCapacity=10
    )
    scaling.put_scaling_policy(
        PolicyName="cpu",
        ServiceNamespace="ecs",
        ResourceId="service/prod/api",
        ScalableDimension="ecs:service:DesiredCount",
        PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration={
            "TargetValue": 60,
            "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"},
        },
    )
    boto3.client("rds", REGION).create_db_instance(
        DBInstanceIdentifier="orders",
        Engine="postgres",
        DBInstanceClass="db.t3.micro",
        MultiAZ=True,
        StorageEncrypted=True,
        BackupRetentionPeriod=7,
    )
    ddb = boto3.client("dynamodb", REGION)
    ddb.create_table(
        TableName="sessions",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    ddb.update_continuous_backups(TableName="sessions", PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})

    result = scan(["compute.container_service", "compute.managed_database", "compute.kubernetes_cluster"])

    api = result.one("compute.container_service", "service/prod/api")
    assert api["autoscaled"] is True and api["serverless"] is True and api["cluster"] == "prod"
    # moto 5.2.5 drops deploymentConfiguration, so the circuit breaker reads as off for both
    assert api["circuit_breaker_rollback"] is False and api["deployment_strategy"] == "rolling" and api["desired"] == 2
    worker = result.one("compute.container_service", "service/prod/worker")
    assert worker["autoscaled"] is False
    orders = result.one("compute.managed_database", "db:orders")
    assert (orders["engine"], orders["multi_az"], orders["encrypted"], orders["backup_retention_days"]) == ("postgres", True, True, 7)
    sessions = result.one("compute.managed_database", "table/sessions")
    assert sessions["serverless"] is True and sessions["backup_retention_days"] == 35
    assert result.of("compute.kubernetes_cluster") == [] and result.status("eks.clusters") == {"ok"}


def test_ecs_services_are_described_ten_a_call_per_cluster(aws) -> None:
    """describe_services takes up to 10 services of one cluster: 12 + 1 services in two clusters = 3 calls, not 13."""
    from cmm_scan.aws import clients

    ecs = boto3.client("ecs", REGION)
    for cluster, count in (("prod", 12), ("dev", 1)):
        ecs.create_cluster(clusterName=cluster)
        for i in range(count):
            ecs.create_service(
                cluster=cluster, serviceName=f"svc{i:02d}", desiredCount=i + 1, launchType="FARGATE", tags=[{"key": "n", "value": str(i)}]
            )
    calls: list[tuple[str, str]] = []
    clients.call_listeners.append(lambda service, operation: calls.append((service, operation)))
    try:
        result = scan(["compute.container_service"])
    finally:
        clients.call_listeners.pop()
    assert calls.count(("ecs", "DescribeServices")) == 3
    assert len(result.of("compute.container_service")) == 13 and result.status("ecs.services") == {"ok"}
    for i in range(12):  # every answer went back to its own service
        service = result.one("compute.container_service", f"service/prod/svc{i:02d}")
        assert (service["desired"], service["tags"], service["cluster"]) == (i + 1, {"n": str(i)}, "prod")
    assert result.one("compute.container_service", "service/dev/svc00")["cluster"] == "dev"
    assert not [c for c in result.coverage if c.collector.startswith("ecs.services/")]


def test_a_refused_batch_leaves_each_of_its_services_unread(aws, monkeypatch) -> None:
    from tests.aws.iam_enforced import scan_as_user_allowed

    ecs = boto3.client("ecs", REGION)
    ecs.create_cluster(clusterName="prod")
    for name in ("api", "worker"):
        ecs.create_service(cluster="prod", serviceName=name, desiredCount=2, launchType="FARGATE")
    scan_as_user_allowed(monkeypatch, ["sts:GetCallerIdentity", "ecs:List*", "application-autoscaling:Describe*"])
    result = scan(["compute.container_service"])
    assert result.status("ecs.services") == {"ok"}
    # `error`, not `denied`: moto answers ECS's JSON protocol with an XML AccessDenied, which botocore reads as a bare 403
    assert result.status("ecs.services/describe_services") in ({"denied"}, {"error"})
    assert [f.attributes["desired"] for f in result.of("compute.container_service")] == [None, None]
    # how it is released is unknown too, not the rolling default
    assert [f.attributes["deployment_strategy"] for f in result.of("compute.container_service")] == [None, None]
    assert [f.attributes["circuit_breaker_rollback"] for f in result.of("compute.container_service")] == [None, None]
    # nor Fargate or not, nor untagged: only what the listing itself says is known
    for fact in result.of("compute.container_service"):
        unread = {k: fact.attributes.get(k) for k in ("serverless", "launch_type", "tags")}
        assert unread == {"serverless": None, "launch_type": None, "tags": None} and fact.attributes["cluster"] == "prod"


def test_ecs_native_blue_green_canary_and_linear_are_progressive(aws, monkeypatch) -> None:
    """ECS's own deployment strategies (deploymentConfiguration.strategy), served: moto drops deploymentConfiguration."""
    from tests.aws.fixture_server import serving

    cluster = "arn:aws:ecs:eu-west-2:123456789012:cluster/prod"
    strategies = {"bg": "BLUE_GREEN", "canary": "CANARY", "linear": "LINEAR", "rolling": "ROLLING", "plain": None}
    services = []
    for name, strategy in strategies.items():
        service = {
            "serviceArn": f"arn:aws:ecs:eu-west-2:123456789012:service/prod/{name}",
            "serviceName": name,
            "clusterArn": cluster,
            "desiredCount": 2,
            "deploymentController": {"type": "ECS"},
            "deploymentConfiguration": {
                "maximumPercent": 200,
                "minimumHealthyPercent": 100,
                **({"strategy": strategy} if strategy else {}),
            },
        }
        services.append(service)
    services.append({**services[-1], "serviceArn": services[-1]["serviceArn"] + "-cd", "deploymentController": {"type": "CODE_DEPLOY"}})
    routes = {
        "ListClusters": [(200, {"clusterArns": [cluster]})],
        "ListServices": [(200, {"serviceArns": [s["serviceArn"] for s in services]})],
        "DescribeServices": [(200, {"services": services, "failures": []})],
    }
    with serving(monkeypatch, "ECS", routes):
        result = scan(["compute.container_service"])
    found = {f.resource_id.rsplit("/", 1)[-1]: f.attributes["deployment_strategy"] for f in result.of("compute.container_service")}
    assert found == {
        "bg": "blue_green",
        "canary": "canary",
        "linear": "linear",
        "rolling": "rolling",
        "plain": "rolling",
        "plain-cd": "blue_green",
    }


def test_a_refused_describe_table_leaves_billing_and_protection_unknown(aws, monkeypatch) -> None:
    from tests.aws.estates import deny

    boto3.client("dynamodb", REGION).create_table(
        TableName="sessions",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    deny(monkeypatch, "dynamodb:DescribeTable")
    result = scan(["compute.managed_database"])
    sessions = result.one("compute.managed_database", "sessions")
    assert sessions["serverless"] is None and sessions["deletion_protection"] is None  # not "provisioned", not "unprotected"
    assert sessions["engine"] == "dynamodb"
