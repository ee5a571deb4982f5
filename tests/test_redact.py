"""Credentials in tags and metadata never reach a snapshot: judged by key name and by content."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path
from typing import get_args

import pytest

from cmm_scan.models import Coverage, Fact, Provider, SnapshotHeader
from cmm_scan.redact import REDACTED, redact_attributes, redact_fact, secret_key, secret_text
from cmm_scan.snapshot_io import SnapshotWriter, read_records

SECRET_CONTENT = [
    "token=abc123SECRET",
    "DB_PASSWORD=hunter2",
    "password: correct horse",
    "postgres://app:s3cret@db.internal:5432/app",
    "AKIAIOSFODNN7EXAMPLE",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    "-----BEGIN RSA PRIVATE KEY-----",
    "ghp_" + "a1B2c3D4" * 5,
    "xoxb-1234567890-abcdefghij",
    "DefaultEndpointsProtocol=https;AccountName=x;AccountKey=abc==",
    "https://acct.blob.core.windows.net/c?sv=2022-11-02&sig=AbCdEfGhIjKlMnOpQrStUv%3D",
    "Authorization: Bearer abcdefghijklmnopqrstuvwxyz",
]
HARMLESS_CONTENT = [
    "owner=platform-team",
    "confidential",
    "arn:aws:secretsmanager:eu-west-2:111111111111:secret:db-password-AbCdEf",
    "projects/p1/secrets/db-password",
    "https://example.org:443/path",
    "i-0123456789abcdef0",
    "kubernetes.io/cluster/prod",
]


@pytest.mark.parametrize("text", SECRET_CONTENT)
def test_credential_content_is_recognised(text: str) -> None:
    assert secret_text(text)


@pytest.mark.parametrize("text", HARMLESS_CONTENT)
def test_ids_arns_and_plain_words_are_kept(text: str) -> None:
    assert not secret_text(text)


@pytest.mark.parametrize("key", ["token", "DB_PASSWORD", "clientSecret", "api-key", "x-auth-token", "pwd", "ConnectionString", "sas"])
def test_credential_key_names(key: str) -> None:
    assert secret_key(key)


@pytest.mark.parametrize("key", ["owner", "Name", "data-classification", "cost-centre", "kubernetes.io/cluster/prod", "passage"])
def test_ordinary_key_names(key: str) -> None:
    assert not secret_key(key)


def test_tag_values_are_redacted_by_key_and_content_keys_and_other_values_kept() -> None:
    attributes = {
        "tags": {"token": "abc", "Name": "web", "note": "token=abc123SECRET", "data-classification": "official"},
        "tag_keys": ["token", "name"],
        "labels": [{"key": "x", "api_key": "k"}],
        "instances": 3,
        "encrypted": True,
        "name": "web",
    }
    assert redact_attributes(attributes) == {
        "tags": {"token": REDACTED, "Name": "web", "note": REDACTED, "data-classification": "official"},
        "tag_keys": ["token", "name"],
        "labels": [{"key": "x", "api_key": REDACTED}],
        "instances": 3,
        "encrypted": True,
        "name": "web",
    }


def test_top_level_attribute_names_are_ours_and_judged_by_content_only() -> None:
    """`token_lifetime` is an attribute name facts.yaml could declare; its value is not a credential."""
    assert redact_attributes({"token_lifetime": "1h", "secret_rotation": "enabled"}) == {
        "token_lifetime": "1h",
        "secret_rotation": "enabled",
    }


def test_a_clean_fact_is_passed_through_unchanged() -> None:
    fact = Fact(
        type="compute.instance", provider="aws", scope="1", region="r", resource_id="i-1", attributes={"tags": {"a": "b"}}, source="t"
    )
    assert redact_fact(fact) is fact


@pytest.mark.parametrize("provider", [p for p in get_args(Provider)])
def test_the_snapshot_writer_redacts_every_providers_facts_and_coverage(tmp_path: Path, provider: str) -> None:
    """Every provider's collection path writes through SnapshotWriter: nothing it is given reaches disk unredacted."""
    path = tmp_path / "s.jsonl.gz"
    header = SnapshotHeader(tool_version="t", provider=provider, started_at=datetime.now(UTC))  # type: ignore[arg-type]
    with SnapshotWriter(path, header) as writer:
        writer.fact(
            Fact(
                type="inventory.resource",
                provider=provider,  # type: ignore[arg-type]
                scope="s",
                region="r",
                resource_id="r-1",
                attributes={"tags": {"env": "token=abc123SECRET", "db-password": "hunter2", "Name": "web"}},
                source="test",
            )
        )
        writer.coverage(
            Coverage(collector="c", provider=provider, scope="s", region="r", status="error", reason="GET https://u:pw@h/ failed")  # type: ignore[arg-type]
        )
    raw = gzip.decompress(path.read_bytes()).decode()
    assert "abc123SECRET" not in raw and "hunter2" not in raw and "u:pw@" not in raw
    facts = [r for r in read_records(path) if isinstance(r, Fact)]
    assert facts[0].attributes["tags"] == {"env": REDACTED, "db-password": REDACTED, "Name": "web"}
