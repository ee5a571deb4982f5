"""KMS keys, Secrets Manager secrets, ECR repositories and registry scanning, Signer profiles."""

from __future__ import annotations

import json

import boto3

from tests.aws.fixture_server import recorded, serving
from tests.aws.support import scan

REGION = "eu-west-2"


def test_keys_customer_and_aws_managed(aws) -> None:
    kms = boto3.client("kms", REGION)
    rotated = kms.create_key(Description="rotated")["KeyMetadata"]["KeyId"]
    kms.enable_key_rotation(KeyId=rotated)
    plain = kms.create_key(Description="plain")["KeyMetadata"]["KeyId"]
    signing = kms.create_key(KeyUsage="SIGN_VERIFY", KeySpec="ECC_NIST_P256")["KeyMetadata"]["KeyId"]
    kms.schedule_key_deletion(KeyId=plain, PendingWindowInDays=7)

    result = scan(["crypto.key"])

    assert result.one("crypto.key", rotated) == {"customer_managed": True, "rotation_enabled": True, "state": "Enabled", "hsm": False}
    assert result.one("crypto.key", plain)["state"] == "PendingDeletion"
    assert result.one("crypto.key", signing)["rotation_enabled"] is False
    assert result.status("kms.keys") == {"ok"}


def test_secrets_metadata_only(aws) -> None:
    sm = boto3.client("secretsmanager", REGION)
    key = boto3.client("kms", REGION).create_key()["KeyMetadata"]["KeyId"]
    sm.create_secret(Name="plain", SecretString="do-not-read-1")
    sm.create_secret(Name="customer-key", SecretString="do-not-read-2", KmsKeyId=key)
    boto3.client("iam").create_role(RoleName="rotator", AssumeRolePolicyDocument="{}")
    boto3.client("lambda", REGION).create_function(
        FunctionName="rotate",
        Runtime="python3.12",
        Role="arn:aws:iam::123456789012:role/rotator",
        Handler="index.handler",
        Code={"ZipFile": b"PK\x05\x06" + b"\x00" * 18},
    )
    sm.rotate_secret(
        SecretId="customer-key",
        RotationLambdaARN="arn:aws:lambda:eu-west-2:123456789012:function:rotate",
        RotationRules={"AutomaticallyAfterDays": 30},
        RotateImmediately=False,
    )

    result = scan(["secrets.secret"])

    assert result.one("secrets.secret", "secret:plain") == {
        "rotation_enabled": False,
        "rotation_days": None,
        "unrotated_days": 0,
        "kms_customer_key": False,
    }
    rotated = result.one("secrets.secret", "secret:customer-key")
    assert rotated["rotation_enabled"] is True and rotated["rotation_days"] == 30 and rotated["kms_customer_key"] is True
    assert "do-not-read" not in "".join(f.model_dump_json() for f in result.facts)


def test_repositories_and_registry_scanning(aws) -> None:
    ecr = boto3.client("ecr", REGION)
    ecr.create_repository(repositoryName="locked", imageTagMutability="IMMUTABLE", imageScanningConfiguration={"scanOnPush": True})
    ecr.create_repository(repositoryName="loose", encryptionConfiguration={"encryptionType": "KMS"})
    rule = {
        "rulePriority": 1,
        "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 14},
    }
    ecr.put_lifecycle_policy(repositoryName="locked", lifecyclePolicyText=json.dumps({"rules": [{**rule, "action": {"type": "expire"}}]}))

    before = scan(["artifact.repository", "artifact.registry_scanning"])

    assert before.one("artifact.repository", "/locked") == {
        "tag_immutable": True,
        "scan_on_push": True,
        "lifecycle_policy": True,
        "kms_encrypted": False,
        "shared_pull": False,  # no repository policy
    }
    assert before.one("artifact.repository", "/loose") == {
        "tag_immutable": False,
        "scan_on_push": False,
        "lifecycle_policy": False,
        "kms_encrypted": True,
        "shared_pull": False,
    }
    assert before.one("artifact.registry_scanning", "registry") == {"scan_type": "BASIC", "continuous": False}

    everything = [{"filter": "*", "filterType": "WILDCARD"}]
    ecr.put_registry_scanning_configuration(
        scanType="ENHANCED", rules=[{"scanFrequency": "CONTINUOUS_SCAN", "repositoryFilters": everything}]
    )
    after = scan(["artifact.registry_scanning"])
    assert after.one("artifact.registry_scanning", "registry") == {"scan_type": "ENHANCED", "continuous": True}


def test_signing_profiles_moto_gap_is_an_error_not_an_empty_list(aws) -> None:
    result = scan(["artifact.signing_profile"])
    assert result.of("artifact.signing_profile") == []
    assert result.status("signer.profiles") == {"error"}


def test_signing_profiles_from_a_recorded_response(aws, monkeypatch) -> None:
    routes = {"GET /signing-profiles": [(200, recorded("signer-list-signing-profiles.json"))]}
    with serving(monkeypatch, "SIGNER", routes):
        result = scan(["artifact.signing_profile"])
    assert result.one("artifact.signing_profile", "lambda_release") == {"platform": "AWSLambda-SHA384-ECDSA", "status": "Active"}
    assert result.one("artifact.signing_profile", "old_containers")["status"] == "Canceled"
