"""People bound in IAM policies (Cloud Asset Inventory IAM_POLICY content): one identity.user per member and
scope, administrators by their roles; 2-Step Verification comes from the directory (test_golden_directory.py)."""

from __future__ import annotations

from tests.gcp import estates
from tests.gcp.support import scan

ORG = "//cloudresourcemanager.googleapis.com/organizations/100"


def policy(name: str, asset_type: str, bindings: dict[str, list[str]]) -> dict:
    return {
        "name": name,
        "assetType": f"cloudresourcemanager.googleapis.com/{asset_type}",
        "iamPolicy": {"bindings": [{"role": role, "members": members} for role, members in bindings.items()]},
    }


def people_estate() -> dict:
    estate = estates.org_estate()
    estate["assets"] = [
        policy(ORG, "Organization", {"roles/owner": ["user:alice@example.gov.uk", "group:platform@example.gov.uk"]}),
        policy("//cloudresourcemanager.googleapis.com/folders/11", "Folder", {"roles/editor": ["user:bob@example.gov.uk"]}),
        policy(
            "//cloudresourcemanager.googleapis.com/projects/1001",
            "Project",
            {
                "roles/viewer": ["user:carol@example.gov.uk", "user:alice@example.gov.uk"],
                "roles/owner": ["serviceAccount:deploy@app-1.iam.gserviceaccount.com"],
            },
        ),
    ]
    return estate


def test_people_in_iam_policies_at_every_level(gcp) -> None:
    gcp.load(people_estate())
    result = scan(["identity.user"], organization="100")
    people = {(f.scope, f.resource_id.rsplit("/user:", 1)[-1]): f.attributes for f in result.of("identity.user") if f.attributes["human"]}
    assert {k: v["admin"] for k, v in people.items()} == {
        ("organizations/100", "alice@example.gov.uk"): True,  # owner
        ("folders/11", "bob@example.gov.uk"): True,  # editor, a primitive role
        ("app-1", "carol@example.gov.uk"): False,  # viewer
        ("app-1", "alice@example.gov.uk"): False,
    }, "users only: groups and service accounts are not people's own accounts"
    carol = people[("app-1", "carol@example.gov.uk")]
    assert carol["console_access"] is True and carol["is_root"] is False and carol.get("mfa_active") is None
    assert {c.status for c in result.coverage if c.collector == "iam.people"} == {"ok"}


def test_refused_iam_policies_leave_people_unknown_not_zero(gcp) -> None:
    estate = people_estate()
    estate["faults"] = {"deny": [{"operation": "cloudasset.assets.listIamPolicy"}]}
    gcp.load(estate)
    result = scan(["identity.user"], organization="100")
    assert not [f for f in result.of("identity.user") if f.attributes["human"]]
    people = {c.scope: c.status for c in result.coverage if c.collector == "iam.people"}
    assert people and set(people.values()) == {"denied"}
    assert {c.status for c in result.coverage if c.collector == "iam.service_account_keys"} == {"ok"}, "the facet keeps keys known"


def test_a_service_account_key_that_administers_is_an_admin_key(gcp) -> None:
    """A service account bound to roles/owner holding a user-managed key is an administrator's long-lived key
    (sec.privileged_access counts it); a keyed one bound to nothing that administers is not."""
    from tests.gcp.test_identity_audit import service_account

    estate = people_estate()
    estate["assets"] += [
        *service_account("app-1", "deploy", ("USER_MANAGED", "2026-01-01T00:00:00Z")),
        *service_account("app-1", "report", ("USER_MANAGED", "2026-01-01T00:00:00Z")),
    ]
    gcp.load(estate)
    result = scan(["identity.user"], organization="100")
    software = {f.resource_id.rsplit("/", 1)[-1]: f.attributes for f in result.of("identity.user") if not f.attributes["human"]}
    assert {k: (v["admin"], v["active_keys"]) for k, v in software.items()} == {
        "deploy@app-1.iam.gserviceaccount.com": (True, 1),
        "report@app-1.iam.gserviceaccount.com": (False, 1),
    }
