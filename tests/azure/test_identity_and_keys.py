"""Entra app registrations (credentials, federated credentials), Key Vault keys and secrets, container registries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.azure.support import DEV, PROD, TENANT, resource, scan, tenant_estate


def iso(days_ago: int) -> str:
    return (datetime.now(UTC) - timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")


def applications() -> list[dict[str, Any]]:
    return [
        {
            "id": "o1",
            "appId": "app-secret",
            "displayName": "legacy",
            "createdDateTime": iso(900),
            "passwordCredentials": [
                {"startDateTime": iso(400), "endDateTime": iso(-300)},
                {"startDateTime": iso(800), "endDateTime": iso(30)},  # expired: not active
            ],
            "keyCredentials": [{"startDateTime": iso(100), "endDateTime": iso(-200)}],
        },
        {
            "id": "o2",
            "appId": "app-federated",
            "displayName": "deploy",
            "createdDateTime": iso(50),
            "passwordCredentials": [],
            "keyCredentials": [],
            "federatedIdentityCredentials": [
                {"issuer": "https://token.actions.githubusercontent.com", "subject": "repo:org/app:ref:refs/heads/main"}
            ],
        },
    ]


def test_app_registrations_are_non_human_identities_with_their_credentials(azure) -> None:
    azure.load(tenant_estate(graph={"applications": applications()}))
    result = scan(["identity.user", "identity.role"])
    legacy = result.one("identity.user", "app-secret")
    assert (legacy["human"], legacy["active_keys"], legacy["oldest_key_age_days"], legacy["console_access"]) == (False, 2, 400, False)
    federated = result.one("identity.user", "app-federated")
    assert (federated["active_keys"], federated["oldest_key_age_days"]) == (0, 0)
    (role,) = result.of("identity.role")
    assert (role.resource_id, role.scope, role.attributes["workload_identity"], role.attributes["trust_kinds"]) == (
        "app-federated",
        TENANT,
        True,
        ["oidc"],
    )


def test_denied_applications_leave_only_non_human_identities_unknown(azure) -> None:
    estate = tenant_estate(graph={"applications": applications(), "users": [{"id": "u1", "accountEnabled": True}]})
    estate["faults"] = {"deny": [{"operation": "graph/applications"}]}
    azure.load(estate)
    result = scan(["identity.user"])
    assert result.status("azure.app_registrations") == {TENANT: "denied"}
    assert result.status("azure.entra_users") == {TENANT: "ok"}
    denied = next(c for c in result.coverage if c.collector == "azure.app_registrations")
    assert denied.facet == {"human": False}
    assert [f.resource_id for f in result.of("identity.user")] == ["u1"]


def test_key_vault_keys_and_secret_metadata_through_resource_manager(azure) -> None:
    vault = resource(PROD, "Microsoft.KeyVault/vaults", "kv1", properties={})
    rotate = {"lifetimeActions": [{"trigger": {"timeAfterCreate": "P90D"}, "action": {"type": "Rotate"}}]}
    azure.load(
        tenant_estate(
            [
                vault,
                {
                    "id": f"{vault['id']}/keys/cmk",
                    "type": "Microsoft.KeyVault/vaults/keys",
                    "properties": {"kty": "RSA-HSM", "rotationPolicy": rotate},
                },
                {
                    "id": f"{vault['id']}/keys/old",
                    "type": "Microsoft.KeyVault/vaults/keys",
                    "properties": {"kty": "RSA", "attributes": {"enabled": False}},
                },
                {
                    "id": f"{vault['id']}/secrets/db-password",
                    "type": "Microsoft.KeyVault/vaults/secrets",
                    "properties": {"attributes": {"updated": int((datetime.now(UTC) - timedelta(days=200)).timestamp())}},
                },
                resource(
                    DEV,
                    "Microsoft.ContainerRegistry/registries",
                    "acr",
                    properties={"loginServer": "acr.azurecr.io", "policies": {"retentionPolicy": {"status": "enabled", "days": 7}}},
                ),
            ],
            registries={"acr.azurecr.io": [{"imageName": "web", "changeableAttributes": {"writeEnabled": False}}]},
        )
    )
    result = scan(["crypto.key", "secrets.secret", "artifact.repository"])
    assert result.one("crypto.key", "/keys/cmk") == {"customer_managed": True, "rotation_enabled": True, "state": "Enabled", "hsm": True}
    assert result.one("crypto.key", "/keys/old") == {"customer_managed": True, "rotation_enabled": False, "state": "Disabled", "hsm": False}
    assert {f.scope for f in result.of("crypto.key")} == {PROD}
    secret = result.one("secrets.secret", "db-password")
    assert secret == {"rotation_enabled": False, "unrotated_days": 200}
    assert result.one("artifact.repository", "acr") == {
        "tag_immutable": True,
        "scan_on_push": False,
        "lifecycle_policy": True,
        "kms_encrypted": False,
        "shared_pull": False,
    }  # no Defender plan
