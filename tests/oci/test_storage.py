"""Object Storage buckets: versioning, retention rules (WORM), lifecycle, replication, keys, public access."""

from __future__ import annotations

import pytest

from tests.oci.support import Estate, scan

NS = "golden"


def _bucket(
    estate: Estate, name: str, compartment: str, *, lifecycle: list | None = None, retention: list | None = None, **details: object
) -> None:
    summary = {"name": name, "namespace": NS, "id": f"ocid1.bucket.oc1..{name}"}
    estate.add(f"/n/{NS}/b", summary, compartment=compartment, search_type="Bucket")
    estate.single(
        f"/n/{NS}/b/{name}",
        {
            **summary,
            "compartmentId": compartment,
            "publicAccessType": "NoPublicAccess",
            "versioning": "Disabled",
            "replicationEnabled": False,
            "kmsKeyId": None,
            **details,
        },
    )
    estate.single(f"/n/{NS}/b/{name}/retentionRules", {"items": retention or []})
    if lifecycle is not None:
        estate.single(f"/n/{NS}/b/{name}/l", {"items": lifecycle})


def _estate() -> Estate:
    estate = Estate()
    estate.single("/n/", NS)
    data = estate.compartment("data")
    _bucket(
        estate,
        "audit-archive",
        data,
        versioning="Suspended",  # retention rules: OCI refuses them on a bucket with versioning enabled
        kmsKeyId="ocid1.key.oc1..k",
        replicationEnabled=True,
        retention=[{"displayName": "7y", "duration": {"timeAmount": 7, "timeUnit": "YEARS"}, "timeRuleLocked": "2026-01-01T00:00:00Z"}],
        lifecycle=[{"name": "cold", "action": "ARCHIVE", "isEnabled": True, "timeAmount": 30, "timeUnit": "DAYS"}],
        freeformTags={"data-classification": "official"},
    )
    _bucket(estate, "public-site", data, publicAccessType="ObjectRead", versioning="Enabled")
    return estate


def test_bucket_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    estate = _estate()
    result = scan(estate, ["storage.bucket"], monkeypatch)
    archive = result.one("storage.bucket", "audit-archive")
    assert archive["versioning"] == "Suspended" and archive["replication"] is True
    assert archive["object_lock"] is True and archive["object_lock_mode"] == "COMPLIANCE"
    assert archive["encryption"] == "kms-customer" and archive["public_access_blocked"] is True
    assert (archive["lifecycle_rules"], archive["lifecycle_transition"], archive["lifecycle_expiration"]) == (1, True, False)
    assert archive["data_classification"] == "official"
    site = result.one("storage.bucket", "public-site")
    assert site["public_access_blocked"] is False and site["versioning"] == "Enabled" and site["encryption"] == "sse-s3"
    assert site["object_lock"] is False and site["object_lock_mode"] == "none"
    # no lifecycle policy written for it: an existing bucket's sub-resource the estate leaves out is empty
    assert site["lifecycle_rules"] == 0


def test_a_refused_lifecycle_read_is_unknown_not_none(monkeypatch: pytest.MonkeyPatch) -> None:
    estate = _estate()
    estate.deny_path(f"/n/{NS}/b/audit-archive/l")
    result = scan(estate, ["storage.bucket"], monkeypatch)
    archive = result.one("storage.bucket", "audit-archive")
    assert archive["lifecycle_rules"] is None and archive["lifecycle_expiration"] is None
    assert result.status("objectstorage.buckets/GetObjectLifecyclePolicy") == {"denied"}
    assert result.one("storage.bucket", "public-site")["lifecycle_rules"] == 0


def test_the_lifecycle_policy_is_read_only_where_get_bucket_names_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """GetBucket's objectLifecyclePolicyEtag is null for a bucket without a live policy: no read is made for it."""
    result = scan(_estate(), ["storage.bucket"], monkeypatch)
    lifecycle_reads = [r["path"] for r in result.log if r["path"].endswith("/l")]
    assert lifecycle_reads == [f"/uk-london-1/n/{NS}/b/audit-archive/l"]
    assert result.one("storage.bucket", "public-site")["lifecycle_rules"] == 0


def test_retention_rules_are_read_only_where_versioning_allows_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """OCI refuses retention rules on a bucket with versioning enabled (and versioning on a bucket with rules): such a
    bucket has none, known without a read; a bucket with versioning suspended or off is asked."""
    result = scan(_estate(), ["storage.bucket"], monkeypatch)
    retention_reads = [r["path"] for r in result.log if r["path"].endswith("/retentionRules")]
    assert retention_reads == [f"/uk-london-1/n/{NS}/b/audit-archive/retentionRules"]
    site = result.one("storage.bucket", "public-site")
    assert site["object_lock"] is False and site["object_lock_mode"] == "none"


def test_a_refused_retention_read_is_unknown_not_none(monkeypatch: pytest.MonkeyPatch) -> None:
    estate = _estate()
    estate.deny_path(f"/n/{NS}/b/audit-archive/retentionRules")
    result = scan(estate, ["storage.bucket"], monkeypatch)
    archive = result.one("storage.bucket", "audit-archive")
    assert archive["object_lock"] is None and archive["object_lock_mode"] is None
    assert result.status("objectstorage.buckets/ListRetentionRules") == {"denied"}


def test_a_refused_get_bucket_leaves_the_lifecycle_unknown_not_none(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without GetBucket nothing says whether a lifecycle policy exists: no read, and the rules are unknown."""
    estate = _estate()
    estate.single(f"/n/{NS}/b/public-site", error=(404, "NotAuthorizedOrNotFound"))
    result = scan(estate, ["storage.bucket"], monkeypatch)
    site = result.one("storage.bucket", "public-site")
    assert site["lifecycle_rules"] is None and site["lifecycle_expiration"] is None and site["versioning"] is None
    assert f"/uk-london-1/n/{NS}/b/public-site/retentionRules" in [r["path"] for r in result.log]  # versioning unknown: asked
    assert result.one("storage.bucket", "audit-archive")["lifecycle_rules"] == 1


def test_a_bucket_without_a_lifecycle_policy_has_none(monkeypatch: pytest.MonkeyPatch) -> None:
    """GetBucket names a policy ETag but the policy is gone by the time it is read (LifecyclePolicyNotFound): none."""
    estate = _estate()
    estate.single(f"/n/{NS}/b/audit-archive/l", error=(404, "LifecyclePolicyNotFound"))
    estate.data["regional_objects"]["uk-london-1"][f"n/{NS}/b/audit-archive"]["objectLifecyclePolicyEtag"] = "etag-1"
    result = scan(estate, ["storage.bucket"], monkeypatch)
    archive = result.one("storage.bucket", "audit-archive")
    assert (archive["lifecycle_rules"], archive["lifecycle_expiration"]) == (0, False)
    assert result.status("objectstorage.buckets/GetObjectLifecyclePolicy") == set()


def test_buckets_in_a_denied_compartment_are_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    estate = _estate()
    estate.deny("data")
    result = scan(estate, ["storage.bucket"], monkeypatch)
    assert result.of("storage.bucket") == []
    assert "denied" in result.status("objectstorage.buckets")


def test_the_emulator_refuses_a_versioned_bucket_with_retention_rules() -> None:
    """The scan relies on OCI's rule (no retention rules on a versioned bucket): an estate breaking it is refused."""
    estate = _estate()
    estate.data["regional_objects"]["uk-london-1"][f"n/{NS}/b/audit-archive"]["versioning"] = "Enabled"
    with pytest.raises(ValueError, match="versioning Enabled and retention rules"):
        estate.build()
