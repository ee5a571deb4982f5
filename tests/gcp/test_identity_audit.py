"""Service accounts and their keys; audit-log sinks into locked buckets."""

from __future__ import annotations

from tests.gcp import estates
from tests.gcp.support import scan

OLD = "2025-01-01T00:00:00Z"


def service_account(project: str, name: str, *keys: tuple[str, str]) -> list[dict]:
    email = f"{name}@{project}.iam.gserviceaccount.com"
    account = estates.asset(
        f"//iam.googleapis.com/projects/{project}/serviceAccounts/{email}",
        "iam.googleapis.com/ServiceAccount",
        {"name": f"projects/{project}/serviceAccounts/{email}", "email": email, "uniqueId": "1"},
    )
    return [
        account,
        *[
            estates.asset(
                f"//iam.googleapis.com/projects/{project}/serviceAccounts/{email}/keys/k{i}",
                "iam.googleapis.com/ServiceAccountKey",
                {"name": f"projects/{project}/serviceAccounts/{email}/keys/k{i}", "keyType": kind, "validAfterTime": since},
            )
            for i, (kind, since) in enumerate(keys)
        ],
    ]


def audit_estate(locked: bool) -> dict:
    estate = estates.org_estate()
    estate["assets"] = [
        estates.asset(
            "//logging.googleapis.com/organizations/100/sinks/audit-all",
            "logging.googleapis.com/LogSink",
            {
                "name": "audit-all",
                "destination": "logging.googleapis.com/projects/app-1/locations/global/buckets/audit",
                "includeChildren": True,
                "filter": 'logName:"cloudaudit.googleapis.com"',
            },
            parent="//cloudresourcemanager.googleapis.com/organizations/100",
        ),
        estates.asset(
            "//logging.googleapis.com/projects/app-1/locations/global/buckets/audit",
            "logging.googleapis.com/LogBucket",
            {"name": "projects/app-1/locations/global/buckets/audit", "locked": locked, "retentionDays": 400},
        ),
        estates.asset(
            "//logging.googleapis.com/projects/app-2/sinks/debug",
            "logging.googleapis.com/LogSink",
            {"name": "debug", "destination": "storage.googleapis.com/app-2-debug", "filter": "severity>=ERROR"},
        ),
    ]
    return estate


def test_service_accounts_with_and_without_keys(gcp) -> None:
    estate = estates.org_estate()
    estate["assets"] = [
        *service_account("app-1", "ci-deployer", ("USER_MANAGED", OLD), ("SYSTEM_MANAGED", OLD)),
        *service_account("app-2", "runtime", ("SYSTEM_MANAGED", OLD)),
    ]
    gcp.load(estate)
    result = scan(["identity.user", "identity.role"])
    deployer = result.one("identity.user", "ci-deployer")
    assert deployer["active_keys"] == 1 and deployer["human"] is False and deployer["oldest_key_age_days"] > 300
    assert [f.resource_id.rsplit("/", 1)[-1] for f in result.of("identity.user")] == ["ci-deployer@app-1.iam.gserviceaccount.com"]
    runtime = result.one("identity.role", "runtime")
    assert runtime["workload_identity"] is True and runtime["trust_kinds"] == ["service"]
    assert len(result.of("identity.role")) == 1


def test_organisation_sink_into_a_locked_bucket(gcp) -> None:
    gcp.load(audit_estate(locked=True))
    result = scan(["audit.trail"], organization="100")
    (trail,) = result.of("audit.trail")
    assert trail.scope == "organizations/100"
    assert trail.attributes["organization_trail"] is True and trail.attributes["destination_locked"] is True
    assert trail.attributes["logging"] is True and trail.attributes["log_validation"] is True


def test_unlocked_destination_is_not_locked(gcp) -> None:
    gcp.load(audit_estate(locked=False))
    (trail,) = scan(["audit.trail"], organization="100").of("audit.trail")
    assert trail.attributes["destination_locked"] is False and trail.attributes["organization_trail"] is True


def test_log_buckets_keep_logs_for_a_period(gcp) -> None:
    gcp.load(audit_estate(locked=True))
    (bucket,) = scan(["logging.log_group"]).of("logging.log_group")
    assert bucket.attributes == {"never_expires": False, "retention_days": 400, "kms_encrypted": False}


def test_workload_identity_federation_and_iap(gcp) -> None:
    estate = estates.org_estate()
    estate["assets"] = [
        estates.asset(
            "//iam.googleapis.com/projects/1001/locations/global/workloadIdentityPools/ci/providers/github",
            "iam.googleapis.com/WorkloadIdentityPoolProvider",
            {
                "name": "projects/1001/locations/global/workloadIdentityPools/ci/providers/github",
                "state": "ACTIVE",
                "oidc": {"issuerUri": "https://token.actions.githubusercontent.com"},
            },
        ),
        estates.asset(
            "//compute.googleapis.com/projects/app-2/global/backendServices/admin",
            "compute.googleapis.com/BackendService",
            {"name": "admin", "iap": {"enabled": True}},
        ),
        estates.asset(
            "//compute.googleapis.com/projects/app-2/global/backendServices/shop", "compute.googleapis.com/BackendService", {"name": "shop"}
        ),
    ]
    gcp.load(estate)
    result = scan(["identity.federation_provider", "network.remote_access"])
    (github,) = result.of("identity.federation_provider")
    assert github.scope == "app-1" and github.attributes == {
        "kind": "oidc",
        "url": "https://token.actions.githubusercontent.com",
        "ci_issuer": True,
    }
    (iap,) = result.of("network.remote_access")
    assert iap.resource_id.endswith("/admin") and iap.attributes == {"kind": "verified_access", "identity_aware": True}
