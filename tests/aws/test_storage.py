"""S3 buckets, the account public access block and log groups."""

from __future__ import annotations

import boto3

from tests.aws.support import scan

REGION = "eu-west-2"
LOCATION = {"CreateBucketConfiguration": {"LocationConstraint": REGION}}


def test_buckets_read_every_setting(aws) -> None:
    s3 = boto3.client("s3", REGION)
    s3.create_bucket(Bucket="plain-bucket", **LOCATION)
    s3.create_bucket(Bucket="locked-bucket", ObjectLockEnabledForBucket=True, **LOCATION)
    s3.put_object_lock_configuration(
        Bucket="locked-bucket",
        ObjectLockConfiguration={"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": 30}}},
    )
    s3.put_bucket_versioning(Bucket="locked-bucket", VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_lifecycle_configuration(
        Bucket="locked-bucket",
        LifecycleConfiguration={"Rules": [{"ID": "old", "Status": "Enabled", "Filter": {"Prefix": ""}, "Expiration": {"Days": 365}}]},
    )
    s3.put_bucket_encryption(
        Bucket="locked-bucket",
        ServerSideEncryptionConfiguration={
            "Rules": [
                {
                    "ApplyServerSideEncryptionByDefault": {
                        "SSEAlgorithm": "aws:kms",
                        "KMSMasterKeyID": "arn:aws:kms:eu-west-2:123456789012:key/k1",
                    }
                }
            ]
        },
    )
    block = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}
    s3.put_public_access_block(Bucket="locked-bucket", PublicAccessBlockConfiguration=block)
    s3.put_bucket_tagging(Bucket="locked-bucket", Tagging={"TagSet": [{"Key": "data-classification", "Value": "OFFICIAL"}]})
    s3.put_bucket_acl(
        Bucket="plain-bucket",
        GrantWrite="uri=http://acs.amazonaws.com/groups/s3/LogDelivery",
        GrantReadACP="uri=http://acs.amazonaws.com/groups/s3/LogDelivery",
    )
    s3.put_bucket_logging(
        Bucket="locked-bucket", BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": "plain-bucket", "TargetPrefix": "x/"}}
    )
    logs = boto3.client("logs", REGION)
    logs.create_log_group(logGroupName="/app/forever")
    logs.create_log_group(logGroupName="/app/month")
    logs.put_retention_policy(logGroupName="/app/month", retentionInDays=30)

    result = scan(["storage.bucket", "storage.account_public_access", "logging.log_group"])

    plain = result.one("storage.bucket", "plain-bucket")
    assert plain == {
        "versioning": "none",
        "lifecycle_rules": 0,
        "lifecycle_expiration": False,
        "lifecycle_transition": False,
        "object_lock": False,
        "object_lock_mode": "none",
        "encryption": "none",
        "replication": False,
        "public_access_blocked": False,
        "logging": False,
        "tags": {},
        "data_classification": "none",
    }
    locked = result.one("storage.bucket", "locked-bucket")
    assert locked["versioning"] == "Enabled" and locked["lifecycle_rules"] == 1 and locked["lifecycle_expiration"] is True
    assert locked["object_lock"] is True and locked["object_lock_mode"] == "COMPLIANCE"
    assert locked["encryption"] == "kms-customer" and locked["public_access_blocked"] is True
    assert locked["logging"] is True and locked["data_classification"] == "OFFICIAL"
    assert result.one("storage.account_public_access", "public-access-block") == {"blocked": False}
    assert result.one("logging.log_group", "/app/forever") == {
        "never_expires": True,
        "retention_days": None,
        "kms_encrypted": False,
        "stored_bytes": 0,
    }
    assert result.one("logging.log_group", "/app/month")["retention_days"] == 30
    assert {f.region for f in result.of("storage.bucket")} == {REGION}


def test_account_block_covers_every_bucket(aws) -> None:
    boto3.client("s3", REGION).create_bucket(Bucket="open-bucket", **LOCATION)
    block = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}
    boto3.client("s3control", REGION).put_public_access_block(AccountId="123456789012", PublicAccessBlockConfiguration=block)
    result = scan(["storage.bucket", "storage.account_public_access"])
    assert result.one("storage.bucket", "open-bucket")["public_access_blocked"] is True
    assert result.one("storage.account_public_access", "public-access-block") == {"blocked": True}
