"""Azure storage, backup, logging, monitoring, network and governance collectors against the emulator."""

from __future__ import annotations

from typing import Any

from tests.azure.support import DEV, PROD, SHARED, resource, scan, tenant_estate

STORAGE = "Microsoft.Storage/storageAccounts"


def storage(sub: str, name: str, sku: str = "Standard_LRS", **props: Any) -> dict[str, Any]:
    return resource(
        sub, STORAGE, name, kind="StorageV2", sku={"name": sku}, properties={"encryption": {"keySource": "Microsoft.Storage"}, **props}
    )


def child(parent: dict[str, Any], path: str, rtype: str, properties: dict[str, Any]) -> dict[str, Any]:
    return {"id": f"{parent['id']}/{path}", "type": rtype, "properties": properties}


def test_storage_accounts_read_versioning_lifecycle_immutability_and_keys(azure) -> None:
    logs = storage(
        PROD,
        "logs",
        sku="Standard_GRS",
        allowBlobPublicAccess=False,
        immutableStorageWithVersioning={"enabled": True, "immutabilityPolicy": {"state": "Locked"}},
        encryption={"keySource": "Microsoft.Keyvault"},
    )
    plain = storage(DEV, "plain")
    rules = [
        {"name": "expire", "enabled": True, "definition": {"actions": {"baseBlob": {"delete": {"daysAfterModificationGreaterThan": 365}}}}},
        {
            "name": "cool",
            "enabled": True,
            "definition": {"actions": {"baseBlob": {"tierToCool": {"daysAfterModificationGreaterThan": 30}}}},
        },
    ]
    azure.load(
        tenant_estate(
            [
                logs,
                plain,
                child(logs, "blobServices/default", f"{STORAGE}/blobServices", {"isVersioningEnabled": True}),
                child(logs, "managementPolicies/default", f"{STORAGE}/managementPolicies", {"policy": {"rules": rules}}),
                child(plain, "blobServices/default", f"{STORAGE}/blobServices", {}),
            ]
        )
    )
    result = scan(["storage.bucket"])
    assert result.one("storage.bucket", "/logs") == {
        "versioning": "Enabled",
        "lifecycle_rules": 2,
        "lifecycle_expiration": True,
        "lifecycle_transition": True,
        "object_lock": True,
        "object_lock_mode": "COMPLIANCE",
        "encryption": "kms-customer",
        "replication": True,
        "public_access_blocked": True,
        "tags": {},
        "data_classification": "none",
    }
    # no lifecycle policy (404) is read as none; public access never set is not blocked
    plain_facts = result.one("storage.bucket", "/plain")
    assert (plain_facts["versioning"], plain_facts["lifecycle_rules"], plain_facts["lifecycle_expiration"]) == ("none", 0, False)
    assert (plain_facts["object_lock"], plain_facts["replication"], plain_facts["public_access_blocked"]) == (False, False, False)
    assert result.status("azure.storage_accounts") == {PROD: "ok", DEV: "ok", SHARED: "ok"}


def test_a_refused_lifecycle_read_leaves_lifecycle_unknown_not_none(azure) -> None:
    logs = storage(PROD, "logs")
    estate = tenant_estate([logs, child(logs, "blobServices/default", f"{STORAGE}/blobServices", {})])
    estate["faults"] = {"deny": [{"operation": "Microsoft.Storage/storageAccounts/managementPolicies/read"}]}
    azure.load(estate)
    result = scan(["storage.bucket"])
    logs = result.one("storage.bucket", "/logs")
    assert (logs["lifecycle_rules"], logs["lifecycle_expiration"], logs["lifecycle_transition"]) == (None, None, None)
    (step,) = [c for c in result.coverage if c.collector.startswith("azure.storage_accounts/")]
    assert (step.collector, step.scope, step.status) == (
        "azure.storage_accounts/Microsoft.Storage/storageAccounts/managementPolicies/read",
        PROD,
        "denied",
    )


def test_backup_vaults_workspaces_alerts_and_activity_log_export(azure) -> None:
    azure.load(
        tenant_estate(
            [
                resource(
                    PROD,
                    "Microsoft.RecoveryServices/vaults",
                    "vault",
                    properties={"securitySettings": {"immutabilitySettings": {"state": "Locked"}}},
                ),
                resource(DEV, "Microsoft.RecoveryServices/vaults", "devvault", properties={}),
                resource(PROD, "Microsoft.OperationalInsights/workspaces", "central", properties={"retentionInDays": 730}),
                resource(
                    PROD,
                    "Microsoft.Insights/metricAlerts",
                    "queue-depth",
                    location="global",
                    properties={
                        "enabled": True,
                        "actions": [{"actionGroupId": "/ag"}],
                        "criteria": {
                            "allOf": [{"criterionType": "StaticThresholdCriterion", "metricNamespace": "Custom/App", "metricName": "depth"}]
                        },
                    },
                ),
                {
                    "id": f"/subscriptions/{PROD}/providers/Microsoft.Insights/diagnosticSettings/export",
                    "type": "Microsoft.Insights/diagnosticSettings",
                    "properties": {"workspaceId": "/central", "logs": [{"category": "Administrative", "enabled": True}]},
                },
            ]
        )
    )
    result = scan(["storage.backup_vault", "logging.log_group", "monitoring.alarm", "audit.trail"])
    assert result.one("storage.backup_vault", "vaults/vault") == {"locked": True, "lock_mode": "compliance"}
    assert result.one("storage.backup_vault", "vaults/devvault") == {"locked": False, "lock_mode": "none"}
    assert result.one("logging.log_group", "central") == {"never_expires": False, "retention_days": 730, "kms_encrypted": False}
    alert = result.one("monitoring.alarm", "queue-depth")
    assert (alert["has_actions"], alert["custom_metric"], alert["namespace"], alert["metric"]) == (True, True, "Custom/App", "depth")
    (trail,) = result.of("audit.trail")
    assert (trail.scope, trail.attributes["management_events"], trail.attributes["logging"]) == (PROD, True, True)
    # a subscription without an export has none (read), not an unknown
    assert result.status("azure.activity_log_export") == {PROD: "ok", DEV: "ok", SHARED: "ok"}


def test_nsg_rules_open_to_the_internet(azure) -> None:
    def rule(name: str, port: str, source: str = "*", access: str = "Allow") -> dict[str, Any]:
        props = {"direction": "Inbound", "access": access, "sourceAddressPrefix": source, "destinationPortRange": port, "priority": 100}
        return {"name": name, "properties": props}

    nsg = "Microsoft.Network/networkSecurityGroups"
    azure.load(
        tenant_estate(
            [
                resource(PROD, nsg, "ssh", properties={"securityRules": [rule("ssh", "22")], "networkInterfaces": [{"id": "/nic"}]}),
                resource(PROD, nsg, "web", properties={"securityRules": [rule("https", "443", "Internet")]}),
                resource(
                    PROD, nsg, "inside", properties={"securityRules": [rule("rdp", "3389", "10.0.0.0/8"), rule("x", "*", "*", "Deny")]}
                ),
            ]
        )
    )
    result = scan(["network.security_group"])
    assert result.one("network.security_group", "/ssh") == {
        "in_use": True,
        "open_to_internet": True,
        "admin_ports_open": True,
        "is_default": False,
    }
    web = result.one("network.security_group", "/web")
    assert (web["open_to_internet"], web["admin_ports_open"], web["in_use"]) == (True, False, False)
    inside = result.one("network.security_group", "/inside")
    assert (inside["open_to_internet"], inside["admin_ports_open"]) == (False, False)


def test_tags_policy_assignments_and_budgets(azure) -> None:
    azure.load(
        tenant_estate(
            [
                resource(PROD, "Microsoft.Compute/disks", "d1", tags={"CostCentre": "42", "owner": "web"}),
                resource(DEV, "Microsoft.Compute/disks", "d2"),
                {
                    "id": "/providers/Microsoft.Management/managementGroups/prod"
                    "/providers/Microsoft.Authorization/policyAssignments/allowed-locations",
                    "type": "Microsoft.Authorization/policyAssignments",
                    "name": "allowed-locations",
                    "properties": {
                        "displayName": "Allowed locations",
                        "policyDefinitionId": "/providers/Microsoft.Authorization/policyDefinitions/e56962a6-4747-49cd-b67b-bf8b01975c4c",
                    },
                },
                {
                    "id": f"/subscriptions/{PROD}/providers/Microsoft.Consumption/budgets/monthly",
                    "type": "Microsoft.Consumption/budgets",
                    "properties": {
                        "category": "Cost",
                        "amount": 1000,
                        "notifications": {
                            "actual80": {"enabled": True, "operator": "GreaterThan", "threshold": 80, "contactEmails": ["a@x"]},
                            "forecast100": {"enabled": True, "thresholdType": "Forecasted", "threshold": 100, "contactEmails": ["b@x"]},
                        },
                    },
                },
            ]
        )
    )
    result = scan(["inventory.resource", "config.rule", "cost.budget"])
    d1 = result.one("inventory.resource", "/d1")
    assert (d1["resource_type"], d1["has_cost_tags"], d1["tag_keys"]) == ("microsoft.compute/disks", True, ["costcentre", "owner"])
    assert result.one("inventory.resource", "/d2")["has_cost_tags"] is False
    (assignment,) = result.of("config.rule")
    assert assignment.scope == "72f988bf-0000-0000-0000-000000000001"  # a management-group assignment belongs to the tenant
    assert assignment.attributes == {
        "name": "Allowed locations",
        "source": "managed",
        "identifier": "e56962a6-4747-49cd-b67b-bf8b01975c4c",
        "conformance_pack": False,
    }
    assert result.one("cost.budget", "monthly") == {"budget_type": "COST", "notifications": 2, "forecast_alert": True, "scoped": False}


def test_backup_policies_with_retention_and_cross_region_copies(azure) -> None:
    """A geo-redundant vault with cross-region restore copies every policy's recovery points to the paired region."""
    grs = resource(PROD, "Microsoft.RecoveryServices/vaults", "grs", properties={"redundancySettings": {"crossRegionRestore": "Enabled"}})
    lrs = resource(DEV, "Microsoft.RecoveryServices/vaults", "lrs", properties={"redundancySettings": {"crossRegionRestore": "Disabled"}})
    daily = {"count": 30, "durationType": "Days"}
    yearly = {"count": 7, "durationType": "Years"}

    def backup_policy(vault: dict[str, Any], name: str, retention: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": f"{vault['id']}/backupPolicies/{name}",
            "type": "Microsoft.RecoveryServices/vaults/backupPolicies",
            "location": "uksouth",
            "properties": {
                "backupManagementType": "AzureIaasVM",
                "schedulePolicy": {"scheduleRunFrequency": "Daily"},
                "retentionPolicy": retention,
            },
        }

    long_term = {
        "retentionPolicyType": "LongTermRetentionPolicy",
        "dailySchedule": {"retentionDuration": daily},
        "yearlySchedule": {"retentionDuration": yearly},
    }
    azure.load(
        tenant_estate(
            [grs, lrs, backup_policy(grs, "vms", long_term), backup_policy(lrs, "dev", {"dailySchedule": {"retentionDuration": daily}})]
        )
    )
    plans = {f.resource_id.rsplit("/", 1)[-1]: f.attributes for f in scan(["storage.backup_plan"]).of("storage.backup_plan")}
    assert plans == {
        "vms": {"rules": 1, "cross_region_copy": True, "max_retention_days": 7 * 366},
        "dev": {"rules": 1, "cross_region_copy": False, "max_retention_days": 30},
    }


def test_managed_databases_with_backups_and_zone_redundancy(azure) -> None:
    pg = resource(PROD, "Microsoft.DBforPostgreSQL/flexibleServers", "orders-pg", properties={
        "backup": {"backupRetentionDays": 14, "geoRedundantBackup": "Enabled"}, "highAvailability": {"mode": "ZoneRedundant"}})  # fmt: skip
    periodic = {"type": "Periodic", "periodicModeProperties": {"backupIntervalInMinutes": 240, "backupRetentionIntervalInHours": 48}}
    locations = [{"locationName": "UK South", "isZoneRedundant": False}]
    cosmos = resource(
        DEV,
        "Microsoft.DocumentDB/databaseAccounts",
        "events",
        kind="GlobalDocumentDB",
        properties={"locations": locations, "backupPolicy": periodic},
    )
    sql = resource(PROD, "Microsoft.Sql/servers/databases", "orders", group="data", properties={"zoneRedundant": False})
    sql["id"] = f"/subscriptions/{PROD}/resourceGroups/data/providers/Microsoft.Sql/servers/srv/databases/orders"
    policy = {
        "id": f"{sql['id']}/backupShortTermRetentionPolicies/default",
        "type": "Microsoft.Sql/servers/databases/backupShortTermRetentionPolicies",
        "properties": {"retentionDays": 7},
    }
    azure.load(tenant_estate([pg, cosmos, sql, policy]))
    found = {f.resource_id.rsplit("/", 1)[-1]: f.attributes for f in scan(["compute.managed_database"]).of("compute.managed_database")}
    assert {n: (a["engine"], a["multi_az"], a["backup_retention_days"]) for n, a in found.items()} == {
        "orders-pg": ("postgres", True, 14),
        "events": ("cosmosdb", False, 2),
        "orders": ("sqlserver", False, 7),
    }


def export(sub: str, account: dict[str, Any] | None) -> dict[str, Any]:
    target = {"storageAccountId": account["id"]} if account else {"workspaceId": "/central"}
    return {
        "id": f"/subscriptions/{sub}/providers/Microsoft.Insights/diagnosticSettings/export",
        "type": "Microsoft.Insights/diagnosticSettings",
        "properties": {**target, "logs": [{"categoryGroup": "allLogs", "enabled": True}]},
    }


def test_an_activity_log_archived_in_locked_storage_is_tamper_proof(azure) -> None:
    """Azure keeps no digest of the activity log: the archive's locked immutability policy (on the account, or
    on the insights-activity-logs container) is what makes it unchangeable, so it sets both log_validation and
    destination_locked. A workspace-only export is neither; a refused storage read leaves both unknown."""
    locked = storage(PROD, "locked", immutableStorageWithVersioning={"enabled": True, "immutabilityPolicy": {"state": "Locked"}})
    unlocked_account = storage(DEV, "bycontainer")
    container = child(
        unlocked_account,
        "blobServices/default/containers/insights-activity-logs",
        "Microsoft.Storage/storageAccounts/blobServices/containers",
        {"immutabilityPolicy": {"properties": {"state": "Locked", "immutabilityPeriodSinceCreationInDays": 365}}},
    )
    azure.load(
        tenant_estate([locked, unlocked_account, container, export(PROD, locked), export(DEV, unlocked_account), export(SHARED, None)])
    )
    trails = {t.scope: t.attributes for t in scan(["audit.trail"]).of("audit.trail")}
    assert {s: (a["log_validation"], a["destination_locked"]) for s, a in trails.items()} == {
        PROD: (True, True),
        DEV: (True, True),
        SHARED: (False, False),
    }
    unlocked = storage(DEV, "plain")
    estate = tenant_estate([locked, unlocked, export(PROD, locked), export(DEV, unlocked)])
    azure.load(estate)
    trails = {t.scope: t.attributes for t in scan(["audit.trail"]).of("audit.trail")}
    assert trails[DEV]["destination_locked"] is False  # no container yet: nothing locked
    estate["faults"] = {"deny": [{"operation": "Microsoft.Storage/storageAccounts/read"}]}
    azure.load(estate)
    result = scan(["audit.trail"])
    trails = {t.scope: t.attributes for t in result.of("audit.trail")}
    assert (trails[PROD]["log_validation"], trails[PROD]["destination_locked"]) == (None, None)
    assert result.status("azure.activity_log_export/Microsoft.Storage/storageAccounts/read")[PROD] == "denied"


def test_log_alerts_on_the_activity_log_are_checks_on_the_audit_log(azure) -> None:
    """A log search alert over AzureActivity (or Entra's AuditLogs / SigninLogs) watches the audit log; one over
    application requests does not. Alarmed: enabled with an action group."""

    def log_alert(name: str, query: str, groups: list[str]) -> dict[str, Any]:
        return resource(
            SHARED,
            "Microsoft.Insights/scheduledQueryRules",
            name,
            properties={
                "enabled": True,
                "scopes": ["/subscriptions/x/resourceGroups/ops/providers/Microsoft.OperationalInsights/workspaces/central"],
                "criteria": {"allOf": [{"query": query, "operator": "GreaterThan", "threshold": 0}]},
                "actions": {"actionGroups": groups},
            },
        )

    azure.load(
        tenant_estate(
            [
                log_alert("roles", "AzureActivity | where OperationNameValue =~ 'Microsoft.Authorization/roleAssignments/write'", ["/ag"]),
                log_alert("app", "AppRequests | where Success == false", ["/ag"]),
                log_alert("quiet", "SigninLogs | where ResultType != 0", []),
            ]
        )
    )
    result = scan(["monitoring.metric_filter"])
    found = {f.resource_id.rsplit("/", 1)[-1]: f.attributes for f in result.of("monitoring.metric_filter")}
    assert {n: (a["audit_log"], a["alarmed"], a["organization_audit_log"]) for n, a in found.items()} == {
        "roles": (True, True, False),
        "app": (False, True, False),
        "quiet": (True, False, False),
    }


def test_virtual_networks_with_flow_logs(azure) -> None:
    """A VNet flow log on the network or one of its subnets logs it (ids compared in any case); a disabled one
    does not."""
    vnet = "Microsoft.Network/virtualNetworks"
    logged, subnet_logged, off = (resource(PROD, vnet, n, properties={}) for n in ("logged", "subnets", "off"))

    def flow_log(name: str, target: str, enabled: bool = True) -> dict[str, Any]:
        watcher = (
            f"/subscriptions/{PROD}/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_uksouth"
        )
        return {
            "id": f"{watcher}/flowLogs/{name}",
            "type": "Microsoft.Network/networkWatchers/flowLogs",
            "location": "uksouth",
            "properties": {"enabled": enabled, "targetResourceId": target},
        }

    estate = tenant_estate(
        [
            logged,
            subnet_logged,
            off,
            flow_log("a", logged["id"]),
            flow_log("b", subnet_logged["id"].upper() + "/subnets/app"),
            flow_log("c", off["id"], enabled=False),
        ]
    )
    azure.load(estate)
    found = {f.resource_id.rsplit("/", 1)[-1]: f.attributes["flow_logs"] for f in scan(["network.vpc"]).of("network.vpc")}
    assert found == {"logged": True, "subnets": True, "off": False}
