"""Make moto enforce IAM for the rest of a test: the scan runs as a user allowed only `actions`."""

from __future__ import annotations

import json
from typing import Any

import boto3


def scan_as_user_allowed(monkeypatch: Any, actions: list[str]) -> None:
    """Create a user whose only policy allows `actions`, switch the credentials to it, turn IAM checks on."""
    scan_as_user(monkeypatch, [{"Effect": "Allow", "Action": actions, "Resource": "*"}])


def scan_as_user(monkeypatch: Any, statements: list[dict[str, Any]]) -> None:
    """Create a user whose only policy holds `statements`, switch the credentials to it, turn IAM checks on."""
    from moto import settings
    from moto.core.responses import ActionAuthenticatorMixin

    iam = boto3.client("iam")
    iam.create_user(UserName="scanner")
    document = {"Version": "2012-10-17", "Statement": statements}
    iam.put_user_policy(UserName="scanner", PolicyName="scan", PolicyDocument=json.dumps(document))
    key = iam.create_access_key(UserName="scanner")["AccessKey"]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"])
    monkeypatch.setattr(settings, "INITIAL_NO_AUTH_ACTION_COUNT", 0)
    monkeypatch.setattr(ActionAuthenticatorMixin, "request_count", 0)
