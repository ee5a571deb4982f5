"""A tenant of three subscriptions under two management groups: scopes, selection, denied subscriptions and
Graph, throttling, and proof that every request is a declared read the printed role covers."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cmm_scan.azure.adapter import PLAN_REQUESTS, catalogue, permissions
from cmm_scan.cloud.permissions import all_requests
from cmm_scan.errors import UserError
from cmm_scan.factcatalogue import fact_catalogue
from tests.azure.entra import require_mfa, tenant_graph, user
from tests.azure.support import DEV, PROD, SHARED, TENANT, resource, scan, tenant_estate

DISK = "Microsoft.Compute/disks"


def disks() -> list[dict[str, Any]]:
    return [resource(sub, DISK, f"disk-{n}", tags={"owner": "x"}) for sub in (PROD, DEV, SHARED) for n in range(3)]


def graph() -> dict[str, Any]:
    """Three people; conditional access requires MFA of everyone but u2."""
    methods = {"u0": ["fido2", "microsoftAuthenticatorPush"], "u1": ["microsoftAuthenticatorPush"]}
    return tenant_graph([user(f"u{n}") for n in range(3)], [require_mfa(exclude=["u2"])], methods=methods)


def test_the_tenant_its_management_groups_and_every_subscription_are_scopes(azure) -> None:
    azure.load(tenant_estate(disks()))
    result = scan(["inventory.resource"])
    scopes = {(s.kind, s.id, s.name) for s in result.plan.scopes}
    assert ("tenant", TENANT, "") in scopes
    assert {s for s in scopes if s[0] == "management_group"} == {
        ("management_group", TENANT, TENANT.title()),
        ("management_group", "prod", "Prod"),
        ("management_group", "nonprod", "Nonprod"),
    }
    assert {s[1] for s in scopes if s[0] == "subscription"} == {PROD, DEV, SHARED}
    assert {f.scope for f in result.of("inventory.resource")} == {PROD, DEV, SHARED}
    assert len(result.of("inventory.resource")) == 9
    # one Resource Graph query covers the three subscriptions
    assert [r["operation"] for r in azure.requests].count("Microsoft.ResourceGraph/resources/read") == 2  # management groups + inventory


def test_a_management_group_and_exclusions_select_subscriptions(azure) -> None:
    azure.load(tenant_estate(disks()))
    assert {f.scope for f in scan(["inventory.resource"], management_groups="nonprod").of("inventory.resource")} == {DEV, SHARED}
    assert {f.scope for f in scan(["inventory.resource"], subscriptions=f"!{SHARED}").of("inventory.resource")} == {PROD, DEV}
    with pytest.raises(UserError, match="cannot read management group"):
        estate = tenant_estate(disks())
        estate["faults"] = {"deny": [{"scope": "/providers/Microsoft.ResourceGraph/resources"}]}
        azure.load(estate)
        scan(["inventory.resource"], management_groups="nonprod")


def test_a_subscription_asked_for_but_not_visible_is_denied_not_empty(azure) -> None:
    """Denied subscription: "I don't know" for it, never zero resources; the others are read."""
    estate = tenant_estate(disks())
    estate["faults"] = {"deny": [{"scope": f"/subscriptions/{SHARED}"}]}
    azure.load(estate)
    result = scan(["inventory.resource", "cost.budget"], subscriptions=f"{PROD},{SHARED}")
    assert {f.scope for f in result.of("inventory.resource")} == {PROD}
    assert result.status("azure.resources") == {PROD: "ok", SHARED: "denied"}
    assert result.status("azure.budgets") == {PROD: "ok", SHARED: "denied"}
    (denied,) = [c for c in result.coverage if c.collector == "azure.resources" and c.scope == SHARED]
    assert "not visible" in denied.reason


def test_resource_graph_denied_in_one_subscription_leaves_only_that_one_unknown(azure) -> None:
    """The group query is refused; asked again subscription by subscription, only DEV stays "I don't know"."""
    estate = tenant_estate(disks())
    estate["faults"] = {"deny": [{"operation": "Microsoft.ResourceGraph/resources/read", "scope": f"/subscriptions/{DEV}"}]}
    azure.load(estate)
    result = scan(["inventory.resource"])
    assert result.status("azure.resources") == {PROD: "ok", DEV: "denied", SHARED: "ok"}
    assert {f.scope for f in result.of("inventory.resource")} == {PROD, SHARED}
    assert len(result.of("inventory.resource")) == 6


def test_entra_users_and_their_authentication_methods(azure) -> None:
    azure.load(tenant_estate(graph=graph()))
    result = scan(["identity.user"])
    users = {f.resource_id: f.attributes for f in result.of("identity.user")}
    assert (users["u0"]["mfa_active"], users["u0"]["mfa_kind"]) == (True, "hardware")
    assert (users["u1"]["mfa_active"], users["u1"]["mfa_kind"]) == (True, "virtual")
    assert (users["u2"]["mfa_active"], users["u2"]["mfa_kind"]) == (False, "none")
    assert {f.scope for f in result.of("identity.user")} == {TENANT}


def test_a_denied_graph_report_leaves_mfa_unknown_never_off(azure) -> None:
    estate = tenant_estate(graph=graph())
    estate["faults"] = {"deny": [{"operation": "graph/reports/*"}]}
    azure.load(estate)
    result = scan(["identity.user"])
    # what the policies require is still read; which methods people registered is not
    assert {f.resource_id: (f.attributes["mfa_active"], f.attributes["mfa_kind"]) for f in result.of("identity.user")} == {
        "u0": (True, None),
        "u1": (True, None),
        "u2": (False, None),
    }
    assert result.status("azure.entra_users/join:registration_details") == {TENANT: "denied"}


def test_denied_graph_users_is_denied_coverage_with_no_users(azure) -> None:
    estate = tenant_estate(graph=graph())
    estate["faults"] = {"deny": [{"operation": "graph/users"}]}
    azure.load(estate)
    result = scan(["identity.user"])
    assert result.of("identity.user") == [] and result.status("azure.entra_users") == {TENANT: "denied"}


def test_throttled_resource_graph_queries_are_retried_and_nothing_is_lost(azure) -> None:
    estate = tenant_estate(disks())
    estate["faults"] = {"seed": 3, "throttle": {"share": 0.5, "retry_after": 0, "operations": ["Microsoft.ResourceGraph/*"]}}
    azure.load(estate)
    result = scan(["inventory.resource"])
    assert len(result.of("inventory.resource")) == 9
    assert any(r["status"] == 429 for r in azure.requests)


def test_every_request_is_a_declared_read_the_printed_role_and_graph_permissions_cover(azure) -> None:
    azure.load(tenant_estate(disks(), graph=graph()))
    every_fact = list(fact_catalogue().facts)
    scan(every_fact)
    printed = json.loads(permissions(every_fact))
    actions = {a.lower() for a in printed["roleDefinition"]["Actions"]}
    graph_paths = {r.path.lower() for r in all_requests(catalogue()) if r.api == "graph"}
    assert azure.requests
    for request in azure.requests:
        assert request["method"] in ("GET", "POST")
        if request["operation"] == "graph/$batch":  # only carries Graph reads: each is logged and checked on its own
            assert request["method"] == "POST" and request["path"] == "/v1.0/$batch"
            continue
        if request["operation"].startswith("graph/"):
            assert request["path"].lower() in graph_paths, request
        else:
            assert request["operation"].lower() in actions, request
        if request["method"] == "POST":
            assert request["path"] == "/providers/Microsoft.ResourceGraph/resources"
    assert any(r.get("batched") for r in azure.requests)  # the Graph reads went in a batch
    assert set(printed["graphApplicationPermissions"]) == {
        "AccessReview.Read.All",
        "Application.Read.All",
        "AuditLog.Read.All",
        "Domain.Read.All",
        "Organization.Read.All",
        "Policy.Read.All",
        "RoleManagement.Read.Directory",
        "User.Read.All",
    }
    assert {r.path for r in PLAN_REQUESTS.values()} <= {"/tenants", "/subscriptions", "/providers/Microsoft.ResourceGraph/resources"}


def test_locations_in_use_per_subscription(azure) -> None:
    azure.load(
        tenant_estate(
            [
                resource(PROD, "Microsoft.Compute/virtualMachines", "vm", location="uksouth", properties={}),
                resource(PROD, "Microsoft.Storage/storageAccounts", "st", location="westeurope", properties={}),
                resource(DEV, "Microsoft.Network/virtualNetworks", "vnet", location="northeurope", properties={}),
            ]
        )
    )
    result = scan(["inventory.region"], regions=["uksouth", "westeurope"])
    regions = {(f.scope, f.region): f.attributes for f in result.of("inventory.region")}
    assert regions == {
        (PROD, "uksouth"): {"enabled": True, "scanned": True, "in_use": True, "workloads": True, "uk": True},
        (PROD, "westeurope"): {"enabled": True, "scanned": True, "in_use": True, "workloads": False, "uk": False},
    }
    assert set(result.status("azure.locations_in_use").values()) == {"ok"}
