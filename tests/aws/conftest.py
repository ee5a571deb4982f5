from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A fresh in-process moto account (123456789012) with dummy credentials."""
    from moto import mock_aws

    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-2")
    # moto intercepts amazonaws.com hosts only: Data Exports' endpoint is on api.aws, so point it at an
    # amazonaws.com host to keep it inside the mock (moto answers "not yet implemented"; tests serve it)
    monkeypatch.setenv("AWS_ENDPOINT_URL_BCM_DATA_EXPORTS", "https://bcm-data-exports.us-east-1.amazonaws.com")
    with mock_aws():
        yield
