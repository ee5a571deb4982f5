"""Microsoft Entra ID tenants in Graph shapes for the emulator: users, registration details, conditional access,
security defaults, authentication-methods policy and directory roles."""

from __future__ import annotations

from typing import Any

GLOBAL_ADMIN = "62e90394-69f5-4237-9190-012177145e10"
SECURITY_READER = "5d6b6bb7-de71-4623-b4af-96380a352509"  # a directory role that is not privileged
OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"


def rbac(scope: str, principal: str, role: str, kind: str = "User") -> dict[str, Any]:
    """An Azure role assignment (an extension resource at a subscription or management group)."""
    return {
        "id": f"{scope}/providers/Microsoft.Authorization/roleAssignments/{principal}-{role[:8]}",
        "type": "Microsoft.Authorization/roleAssignments",
        "properties": {
            "roleDefinitionId": f"{scope}/providers/Microsoft.Authorization/roleDefinitions/{role}",
            "principalId": principal,
            "principalType": kind,
            "scope": scope,
        },
    }


def user(uid: str, guest: bool = False, enabled: bool = True, groups: list[str] = ()) -> dict[str, Any]:  # type: ignore[assignment]
    return {
        "id": uid,
        "userPrincipalName": f"{uid}@example.org",
        "userType": "Guest" if guest else "Member",
        "accountEnabled": enabled,
        "createdDateTime": "2024-01-01T00:00:00Z",
        "memberOf": [{"@odata.type": "#microsoft.graph.group", "id": g} for g in groups],
    }


def require_mfa(name: str = "Require MFA", include: list[str] = ("All",), exclude: list[str] = (), **more: Any) -> dict[str, Any]:  # type: ignore[assignment]
    """A conditional access policy requiring MFA for every cloud app."""
    users = {"includeUsers": list(include), "excludeUsers": list(exclude), "includeGroups": [], "excludeGroups": [], "includeRoles": []}
    users.update(more.pop("users", {}))
    policy = {
        "id": name.lower().replace(" ", "-"),
        "displayName": name,
        "state": "enabled",
        "conditions": {"applications": {"includeApplications": ["All"]}, "users": users, "clientAppTypes": ["all"]},
        "grantControls": {"operator": "OR", "builtInControls": ["mfa"]},
    }
    policy.update(more)
    return policy


def block_legacy() -> dict[str, Any]:
    return {
        "id": "block-legacy",
        "displayName": "Block legacy authentication",
        "state": "enabled",
        "conditions": {
            "applications": {"includeApplications": ["All"]},
            "users": {"includeUsers": ["All"]},
            "clientAppTypes": ["exchangeActiveSync", "other"],
        },
        "grantControls": {"operator": "OR", "builtInControls": ["block"]},
    }


def tenant_graph(
    users: list[dict[str, Any]],
    policies: list[dict[str, Any]] = (),  # type: ignore[assignment]
    defaults: bool = False,
    methods: dict[str, list[str]] | None = None,
    roles: dict[str, list[str]] | None = None,
    eligible: dict[str, list[str]] | None = None,
    phone: bool = True,
    federated: list[str] = (),  # type: ignore[assignment]
) -> dict[str, Any]:
    """`methods`: user id -> registered methods; `roles`/`eligible`: user id -> role template ids."""
    methods = methods or {}
    assignments = [
        {"id": f"{uid}-{r}", "principalId": uid, "roleDefinitionId": r, "directoryScopeId": "/"}
        for uid, rs in (roles or {}).items()
        for r in rs
    ]
    schedules = [
        {"id": f"{uid}-{r}-e", "principalId": uid, "roleDefinitionId": r, "directoryScopeId": "/", "status": "Provisioned"}
        for uid, rs in (eligible or {}).items()
        for r in rs
    ]
    return {
        "organization": [{"id": "org", "displayName": "Example", "onPremisesSyncEnabled": None}],
        "users": users,
        "applications": [],
        "servicePrincipals": [],
        "domains": [{"id": "example.org", "authenticationType": "Managed", "isVerified": True, "isDefault": True}]
        + [{"id": d, "authenticationType": "Federated", "isVerified": True} for d in federated],
        "reports/authenticationMethods/userRegistrationDetails": [
            {"id": u["id"], "isMfaRegistered": bool(methods.get(u["id"])), "methodsRegistered": methods.get(u["id"], [])} for u in users
        ],
        "identity/conditionalAccess/policies": list(policies),
        "policies/identitySecurityDefaultsEnforcementPolicy": {"id": "00000000-0000-0000-0000-000000000005", "isEnabled": defaults},
        "policies/authenticationMethodsPolicy": {
            "id": "authenticationMethodsPolicy",
            "authenticationMethodConfigurations": [
                {"id": "Fido2", "state": "enabled"},
                {"id": "MicrosoftAuthenticator", "state": "enabled"},
                {"id": "Sms", "state": "enabled" if phone else "disabled"},
                {"id": "Voice", "state": "disabled"},
            ],
        },
        "roleManagement/directory/roleAssignments": assignments,
        "roleManagement/directory/roleEligibilitySchedules": schedules,
    }
