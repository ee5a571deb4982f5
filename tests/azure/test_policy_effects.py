"""Azure Policy assignments by effect: deny = a preventive guardrail (org.policy), deployIfNotExists / modify =
automatic remediation (config.remediation). Definitions are read through ARM against the emulator."""

from __future__ import annotations

from typing import Any

from tests.azure.support import PROD, TENANT, scan, tenant_estate

BUILTIN = "/providers/Microsoft.Authorization/policyDefinitions"
MG = "/providers/Microsoft.Management/managementGroups/prod"
ALLOWED_LOCATIONS = "e56962a6-4747-49cd-b67b-bf8b01975c4c"


def definition(definition_id: str, effect: str, default: str | None = None) -> dict[str, Any]:
    props: dict[str, Any] = {"policyType": "BuiltIn", "policyRule": {"if": {"field": "type", "equals": "x"}, "then": {"effect": effect}}}
    if default:
        props["parameters"] = {"effect": {"type": "String", "defaultValue": default}}
    return {
        "id": definition_id,
        "type": "Microsoft.Authorization/policyDefinitions",
        "name": definition_id.rsplit("/", 1)[-1],
        "properties": props,
    }


def assignment(scope: str, name: str, definition_id: str, **props: Any) -> dict[str, Any]:
    identity = props.pop("identity", None)
    found = {
        "id": f"{scope}/providers/Microsoft.Authorization/policyAssignments/{name}",
        "type": "Microsoft.Authorization/policyAssignments",
        "properties": {"displayName": name, "policyDefinitionId": definition_id, "enforcementMode": "Default", **props},
    }
    if identity:
        found["identity"] = identity
        found["location"] = "uksouth"
    return found


def estate() -> dict[str, Any]:
    custom = f"{MG}/providers/Microsoft.Authorization/policyDefinitions/no-public-ip"
    dine = f"{BUILTIN}/0473574d-2d43-4217-aefe-941fcdf7e684"
    return tenant_estate(
        [
            definition(f"{BUILTIN}/{ALLOWED_LOCATIONS}", "deny"),
            definition(custom, "[parameters('effect')]", default="Audit"),
            definition(dine, "[parameters('effect')]", default="DeployIfNotExists"),
            assignment(MG, "uk-only", f"{BUILTIN}/{ALLOWED_LOCATIONS}"),
            assignment(f"/subscriptions/{PROD}", "no-public-ip", custom, parameters={"effect": {"value": "Deny"}}),
            assignment(f"/subscriptions/{PROD}", "audit-public-ip", custom),
            assignment(MG, "diagnostics", dine, identity={"type": "SystemAssigned", "principalId": "p1"}),
            assignment(MG, "uk-only-trial", f"{BUILTIN}/{ALLOWED_LOCATIONS}", enforcementMode="DoNotEnforce"),
            assignment(MG, "mcsb", "/providers/Microsoft.Authorization/policySetDefinitions/1f3afdf9-d0c9-4c3d-847f-89da613e70a8"),
        ]
    )


def test_deny_assignments_are_preventive_guardrails(azure) -> None:
    azure.load(estate())
    found = {f.resource_id.rsplit("/", 1)[-1]: (f.scope, f.attributes) for f in scan(["org.policy"]).of("org.policy")}
    assert {name: a["policy_type"] for name, (_, a) in found.items()} == {
        "uk-only": "org_constraint",
        "no-public-ip": "org_constraint",  # the assignment's parameter wins over the definition's default
        "audit-public-ip": "detective",
        "diagnostics": "detective",
        "uk-only-trial": "detective",  # not enforced
        "mcsb": None,  # an initiative whose definition cannot be read
    }
    assert (found["uk-only"][1]["restricts_regions"], found["no-public-ip"][1]["restricts_regions"]) == (True, False)
    assert found["no-public-ip"][0] == PROD and found["uk-only"][0] == TENANT


def test_deploy_if_not_exists_with_an_identity_is_automatic_remediation(azure) -> None:
    azure.load(estate())
    found = {f.attributes["rule"]: f.attributes["automatic"] for f in scan(["config.remediation"]).of("config.remediation")}
    assert found == {"uk-only": False, "no-public-ip": False, "audit-public-ip": False, "diagnostics": True, "uk-only-trial": False}


def test_unreadable_definitions_leave_the_effect_unknown(azure) -> None:
    data = estate()
    data["faults"] = {"deny": [{"operation": "Microsoft.Authorization/policyDefinitions/read"}]}
    azure.load(data)
    result = scan(["org.policy"])
    assert {f.attributes["policy_type"] for f in result.of("org.policy")} == {None}
    assert set(result.status("azure.policy_guardrails/Microsoft.Authorization/policyDefinitions/read").values()) == {"denied"}


def test_configuration_is_recorded_in_every_location_in_use_from_the_one_locations_query(azure) -> None:
    from tests.azure.support import DEV, resource

    azure.load(
        tenant_estate([resource(PROD, "Microsoft.Compute/disks", "d1"), resource(DEV, "Microsoft.Compute/disks", "d2", location="ukwest")])
    )
    result = scan(["config.recorder", "inventory.region"])
    recorders = {(f.scope, f.region): f.attributes["recording"] for f in result.of("config.recorder")}
    assert recorders == {(PROD, "uksouth"): True, (DEV, "ukwest"): True}
    assert {(f.scope, f.region) for f in result.of("inventory.region")} == set(recorders)
    assert sum(c.requests for c in result.coverage if c.collector in ("azure.locations_in_use", "azure.configuration_recording")) == 1


SETS = "/providers/Microsoft.Management/managementGroups/prod/providers/Microsoft.Authorization/policySetDefinitions"


def initiative(name: str, members: list[dict[str, Any]], defaults: dict[str, str]) -> dict[str, Any]:
    return {
        "id": f"{SETS}/{name}",
        "type": "Microsoft.Authorization/policySetDefinitions",
        "properties": {
            "policyType": "Custom",
            "parameters": {k: {"type": "String", "defaultValue": v} for k, v in defaults.items()},
            "policyDefinitions": members,
        },
    }


def member(definition_id: str, effect: str | None) -> dict[str, Any]:
    return {"policyDefinitionId": definition_id, "parameters": {"effect": {"value": effect}} if effect else {}}


def test_an_initiative_is_a_guardrail_when_it_passes_a_member_a_deny_effect(azure) -> None:
    """An initiative's members take their effect from the parameters it passes them (resolved through the
    assignment's values and the initiative's defaults): one passed Deny makes it preventive; all passed Audit,
    detective; a member passed no effect keeps its own (not read), so the initiative stays unknown. A refused
    initiative read leaves it unknown, never detective."""
    custom = f"{MG}/providers/Microsoft.Authorization/policyDefinitions/no-public-ip"
    data = tenant_estate(
        [
            initiative("guard", [member(custom, "[parameters('publicIpEffect')]"), member(custom, "Audit")], {"publicIpEffect": "Audit"}),
            initiative("audit", [member(custom, "[parameters('publicIpEffect')]")], {"publicIpEffect": "Audit"}),
            initiative("partial", [member(custom, "Audit"), member(custom, None)], {}),
            assignment(MG, "guard", f"{SETS}/guard", parameters={"publicIpEffect": {"value": "Deny"}}),
            assignment(MG, "audit", f"{SETS}/audit"),
            assignment(MG, "partial", f"{SETS}/partial"),
        ]
    )
    azure.load(data)
    found = {f.resource_id.rsplit("/", 1)[-1]: f.attributes["policy_type"] for f in scan(["org.policy"]).of("org.policy")}
    assert found == {"guard": "org_constraint", "audit": "detective", "partial": None}
    data["faults"] = {"deny": [{"operation": "Microsoft.Authorization/policySetDefinitions/read"}]}
    azure.load(data)
    result = scan(["org.policy"])
    assert {f.attributes["policy_type"] for f in result.of("org.policy")} == {None}
    assert set(result.status("azure.policy_guardrails/Microsoft.Authorization/policySetDefinitions/read").values()) == {"denied"}
