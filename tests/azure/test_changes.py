"""Who changes resources: Resource Graph's ResourceChanges through azure-core against the emulator."""

from __future__ import annotations

from typing import Any

from tests.azure.support import DEV, PROD, SHARED, rid, scan, tenant_estate

VM = "Microsoft.Compute/virtualMachines"


def change(sub: str, n: int, by_type: str, client: str, by: str = "someone") -> dict[str, Any]:
    target = rid(sub, "rg", VM, f"vm{n}")
    return {
        "id": f"{target}/providers/Microsoft.Resources/changes/{n:08d}-{by_type.lower()}",
        "type": "Microsoft.Resources/changes",
        "properties": {
            "targetResourceId": target,
            "targetResourceType": VM,
            "changeType": "Update",
            "changeAttributes": {"changedByType": by_type, "changedBy": by, "clientType": client, "operation": f"{VM}/write"},
        },
    }


def test_changes_per_subscription_by_who_and_how(azure) -> None:
    changes = [
        change(PROD, 1, "User", "Azure Portal"),
        change(PROD, 2, "User", "Azure CLI"),
        change(PROD, 3, "Application", "ARM Template", by="a9a9-deploy"),
        change(PROD, 4, "Application", "Azure SDK", by="a9a9-deploy"),
        change(PROD, 5, "ManagedIdentity", "Unspecified"),
        change(PROD, 6, "User", "Terraform"),
        change(PROD, 7, "", "Unspecified"),  # the platform on its own: left out
        change(DEV, 8, "User", "Azure Portal"),
    ]
    azure.page_size = 3  # every page followed
    azure.load(tenant_estate(changes))
    found = {f.scope: f.attributes for f in scan(["activity.changes"]).of("activity.changes")}
    assert found[PROD] == {"window_days": 14, "total": 6, "console": 1, "iac": 2, "pipeline": 2, "other": 1, "cicd_identity": 3}
    assert (found[DEV]["total"], found[DEV]["console"]) == (1, 1)
    assert found[SHARED]["total"] == 0  # read, and nobody changed anything
