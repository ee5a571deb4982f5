"""Point-to-site VPN gateways, portal dashboards and Monitor workbooks, Microsoft Sentinel: Resource Graph rows
through azure-core against the emulator."""

from __future__ import annotations

import json
from typing import Any

from tests.azure.support import DEV, PROD, SHARED, resource, rid, scan, tenant_estate


def gateway(sub: str, name: str, client: dict[str, Any] | None, gateway_type: str = "Vpn") -> dict[str, Any]:
    props: dict[str, Any] = {"gatewayType": gateway_type, "vpnType": "RouteBased", "sku": {"name": "VpnGw2AZ"}}
    if client is not None:
        props["vpnClientConfiguration"] = client
    return resource(sub, "Microsoft.Network/virtualNetworkGateways", name, properties=props)


def test_point_to_site_vpn_gateways_are_client_vpns(azure) -> None:
    """Only gateways people connect to from their devices count; Entra sign-in makes one identity-aware."""
    azure.load(
        tenant_estate(
            [
                gateway(PROD, "p2s-entra", {"vpnClientProtocols": ["OpenVPN"], "vpnAuthenticationTypes": ["AAD"]}),
                gateway(DEV, "p2s-certs", {"vpnClientProtocols": ["IkeV2"], "vpnAuthenticationTypes": ["Certificate"]}),
                gateway(SHARED, "site-to-site", None),
                gateway(SHARED, "expressroute", None, gateway_type="ExpressRoute"),
            ]
        )
    )
    found = {f.resource_id.rsplit("/", 1)[-1]: f.attributes for f in scan(["network.remote_access"]).of("network.remote_access")}
    assert found == {
        "p2s-entra": {"kind": "client_vpn", "identity_aware": True},
        "p2s-certs": {"kind": "client_vpn", "identity_aware": False},
    }


def test_dashboards_and_workbooks_say_whether_they_show_the_application(azure) -> None:
    chart = {"metrics": [{"namespace": "microsoft.insights/components", "name": "requests/duration"}]}
    app_dashboard = {"lenses": [{"order": 0, "parts": [
        {"position": {}, "metadata": {"type": "Extension/HubsExtension/PartType/MonitorChartPart",
                                      "settings": {"content": {"options": {"chart": chart}}}}},
        {"position": {}, "metadata": {"type": "Extension/HubsExtension/PartType/MarkdownPart"}},
    ]}]}  # fmt: skip
    platform_chart = {"metrics": [{"namespace": "microsoft.compute/virtualmachines", "name": "Percentage CPU"}]}
    platform_dashboard = {"lenses": [{"order": 0, "parts": [
        {"position": {}, "metadata": {"type": "Extension/HubsExtension/PartType/MonitorChartPart",
                                      "settings": {"content": {"options": {"chart": platform_chart}}}}},
    ]}]}  # fmt: skip
    kql = {
        "version": "Notebook/1.0",
        "items": [
            {"type": 1, "content": {"json": "# Orders"}},
            {"type": 3, "content": {"query": "requests | summarize count() by bin(timestamp, 5m)"}},
        ],
    }
    notes = {"version": "Notebook/1.0", "items": [{"type": 1, "content": {"json": "# Runbook"}}]}
    azure.load(
        tenant_estate(
            [
                resource(PROD, "Microsoft.Portal/dashboards", "orders", properties=app_dashboard),
                resource(PROD, "Microsoft.Portal/dashboards", "vms", properties=platform_dashboard),
                resource(
                    SHARED,
                    "Microsoft.Insights/workbooks",
                    "w1",
                    kind="shared",
                    properties={"displayName": "Orders", "serializedData": json.dumps(kql)},
                ),
                resource(
                    SHARED,
                    "Microsoft.Insights/workbooks",
                    "w2",
                    kind="shared",
                    properties={"displayName": "Runbook", "serializedData": json.dumps(notes)},
                ),
            ]
        )
    )
    found = {f.resource_id.rsplit("/", 1)[-1]: f.attributes for f in scan(["monitoring.dashboard"]).of("monitoring.dashboard")}
    assert found == {
        "orders": {"widgets": 2, "application_metrics": True},
        "vms": {"widgets": 1, "application_metrics": False},
        "w1": {"widgets": 2, "application_metrics": True},
        "w2": {"widgets": 1, "application_metrics": False},
    }


def test_sentinel_on_a_workspace_is_an_investigation_service(azure) -> None:
    workspace = rid(SHARED, "ops", "Microsoft.OperationalInsights/workspaces", "central")
    solution = resource(
        SHARED,
        "Microsoft.OperationsManagement/solutions",
        "SecurityInsights(central)",
        group="ops",
        plan={"name": "SecurityInsights(central)", "product": "OMSGallery/SecurityInsights", "publisher": "Microsoft"},
        properties={"workspaceResourceId": workspace, "provisioningState": "Succeeded"},
    )
    other = resource(
        SHARED, "Microsoft.OperationsManagement/solutions", "Updates(central)", group="ops", properties={"workspaceResourceId": workspace}
    )
    azure.load(tenant_estate([solution, other]))
    services = [f for f in scan(["security.service"]).of("security.service") if f.attributes["kind"] == "investigation"]
    assert [(f.scope, f.attributes["service"], f.attributes["enabled"], f.attributes["coverage"]) for f in services] == [
        (SHARED, "sentinel", True, ["central"])
    ]


def test_log_search_alerts_are_alerts_and_metrics_from_logs_from_one_query(azure) -> None:
    workspace = rid(SHARED, "ops", "Microsoft.OperationalInsights/workspaces", "central")
    group = rid(SHARED, "ops", "Microsoft.Insights/actionGroups", "on-call")
    failed = {
        "enabled": True,
        "scopes": [workspace],
        "criteria": {"allOf": [{"query": "AppRequests | where Success == false", "operator": "GreaterThan", "threshold": 5}]},
        "actions": {"actionGroups": [group]},
    }
    silent = {**failed, "actions": {"actionGroups": []}}
    azure.load(
        tenant_estate(
            [
                resource(PROD, "Microsoft.Insights/scheduledQueryRules", "failed-requests", properties=failed),
                resource(PROD, "Microsoft.Insights/scheduledQueryRules", "draft", properties=silent),
            ]
        )
    )
    result = scan(["monitoring.alarm", "monitoring.metric_filter"])
    alarms = {f.resource_id.rsplit("/", 1)[-1]: f.attributes["has_actions"] for f in result.of("monitoring.alarm")}
    assert alarms == {"failed-requests": True, "draft": False}
    assert {f.attributes["log_group"] for f in result.of("monitoring.metric_filter")} == {"central"}
    # one Resource Graph page for every alert collector (metric alerts share the typed Resources query too)
    assert sum(c.requests for c in result.coverage if c.collector in ("azure.metric_alerts", "azure.log_alerts", "azure.log_metrics")) == 1


def test_the_resource_families_share_one_query(azure) -> None:
    """VPN gateways, dashboards, workbooks, log alerts, Sentinel, security automations and every kind of managed
    database are read with one Resource Graph query per subscription group (the typed Resources query every
    Resources-table collector sends, sent once)."""
    azure.load(tenant_estate([gateway(PROD, "p2s", {"vpnAuthenticationTypes": ["AAD"]})]))
    kinds = [
        "network.remote_access",
        "monitoring.dashboard",
        "monitoring.alarm",
        "monitoring.metric_filter",
        "security.service",
        "monitoring.event_rule",
        "compute.managed_database",
    ]
    coverage = scan(kinds).coverage
    small = ("vpn_gateways", "dashboards", "workbooks", "log_alerts", "log_metrics", "sentinel", "security_automations")
    databases = ("flexible_servers", "cosmos_accounts", "sql_databases")
    assert {c.status for c in coverage if c.collector in {f"azure.{n}" for n in (*small, *databases)}} == {"ok"}
    # three queries in all: the plan's management groups, the typed Resources query, and Defender's plans
    # (SecurityResources) for security.service
    assert [r["operation"] for r in azure.requests].count("Microsoft.ResourceGraph/resources/read") == 3


def test_sentinel_automation_rules_on_new_incidents_are_response_plans(azure) -> None:
    """A Sentinel automation rule run when an incident is created is an incident response plan held in the cloud:
    assigning an owner engages a responder, running a playbook starts a runbook. Rules on alerts, on updates, or
    disabled are not. A refused list leaves the plans unknown (coverage denied), never none."""
    workspace = rid(SHARED, "ops", "Microsoft.OperationalInsights/workspaces", "central")
    solution = resource(
        SHARED,
        "Microsoft.OperationsManagement/solutions",
        "SecurityInsights(central)",
        group="ops",
        properties={"workspaceResourceId": workspace, "provisioningState": "Succeeded"},
    )

    def rule(
        name: str, actions: list[dict[str, Any]], on: str = "Incidents", when: str = "Created", enabled: bool = True
    ) -> dict[str, Any]:
        return {
            "id": f"{workspace}/providers/Microsoft.SecurityInsights/automationRules/{name}",
            "type": "Microsoft.SecurityInsights/automationRules",
            "properties": {
                "displayName": name,
                "order": 1,
                "triggeringLogic": {"isEnabled": enabled, "triggersOn": on, "triggersWhen": when},
                "actions": actions,
            },
        }

    owner = {"order": 1, "actionType": "ModifyProperties", "actionConfiguration": {"owner": {"objectId": "u1"}}}
    playbook = {"order": 2, "actionType": "RunPlaybook", "actionConfiguration": {"logicAppResourceId": "/la", "tenantId": "t"}}
    severity = {"order": 1, "actionType": "ModifyProperties", "actionConfiguration": {"severity": "High"}}
    estate = tenant_estate(
        [
            solution,
            rule("page", [owner, playbook]),
            rule("triage", [severity]),
            rule("on-alerts", [playbook], on="Alerts"),
            rule("on-update", [playbook], when="Updated"),
            rule("off", [playbook], enabled=False),
        ]
    )
    azure.load(estate)
    found = {f.resource_id.rsplit("/", 1)[-1]: (f.scope, f.attributes) for f in scan(["ops.response_plan"]).of("ops.response_plan")}
    assert {n: (s, a["engagements"], a["runbook"]) for n, (s, a) in found.items()} == {
        "page": (SHARED, 1, True),
        "triage": (SHARED, 0, False),
    }
    estate["faults"] = {"deny": [{"operation": "Microsoft.SecurityInsights/*"}]}
    azure.load(estate)
    result = scan(["ops.response_plan"])
    assert result.of("ops.response_plan") == []
    assert "denied" in result.status("azure.sentinel_automation_rules").values()
