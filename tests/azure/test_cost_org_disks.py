"""Budget alerts and who receives them, Cost Management exports and anomaly alerts, managed disks, registry-wide
image scanning and the organisation (the tenant's root management group), read through the real azure-core
pipeline from the emulator; a refused read leaves the evidence unknown, never zero."""

from __future__ import annotations

from typing import Any

from tests.azure.support import DEV, PROD, SHARED, TENANT, resource, scan, tenant_estate

COST = "Microsoft.CostManagement"


def budget(sub: str, name: str, notifications: dict[str, Any], scoped: bool = False) -> dict[str, Any]:
    props: dict[str, Any] = {"category": "Cost", "amount": 1000, "timeGrain": "Monthly", "notifications": notifications}
    if scoped:
        props["filter"] = {"dimensions": {"name": "ResourceGroupName", "operator": "In", "values": ["web"]}}
    return {
        "id": f"/subscriptions/{sub}/providers/Microsoft.Consumption/budgets/{name}",
        "type": "Microsoft.Consumption/budgets",
        "properties": props,
    }


def export(sub: str, name: str, kind: str, granularity: str | None, schedule: dict[str, Any] | None) -> dict[str, Any]:
    definition: dict[str, Any] = {"type": kind, "timeframe": "MonthToDate"}
    if granularity:
        definition["dataSet"] = {"granularity": granularity}
    props: dict[str, Any] = {"format": "Csv", "definition": definition, "deliveryInfo": {"destination": {"container": "exports"}}}
    if schedule:
        props["schedule"] = schedule
    return {"id": f"/subscriptions/{sub}/providers/{COST}/exports/{name}", "type": f"{COST}/exports", "properties": props}


def scheduled_action(sub: str, name: str, kind: str, status: str, to: list[str]) -> dict[str, Any]:
    return {
        "id": f"/subscriptions/{sub}/providers/{COST}/scheduledActions/{name}",
        "type": f"{COST}/scheduledActions",
        "kind": kind,
        "properties": {
            "displayName": name,
            "status": status,
            "schedule": {"frequency": "Daily"},
            "notification": {"to": to, "subject": "Cost anomaly"},
            "viewId": f"/subscriptions/{sub}/providers/{COST}/views/ms:DailyAnomalyByResourceGroup",
        },
    }


def test_budget_alerts_with_their_recipients(azure) -> None:
    azure.load(
        tenant_estate(
            [
                budget(
                    PROD,
                    "web",
                    {
                        "actual80": {
                            "enabled": True,
                            "operator": "GreaterThan",
                            "threshold": 80,
                            "contactEmails": ["web-team@dept.example", "finance@dept.example"],
                            "contactRoles": ["Owner"],
                        },
                        "forecast100": {"enabled": True, "operator": "GreaterThan", "threshold": 100, "thresholdType": "Forecasted"},
                        "off": {"enabled": False, "operator": "GreaterThan", "threshold": 50, "contactEmails": ["x@dept.example"]},
                    },
                    scoped=True,
                ),
                budget(
                    DEV,
                    "all",
                    {"a": {"enabled": True, "operator": "GreaterThanOrEqualTo", "threshold": 90, "contactEmails": ["billing@x"]}},
                ),
            ]
        )
    )
    result = scan(["cost.budget_alert"])
    alerts = {f.resource_id.rsplit("/", 1)[-1]: f.attributes for f in result.of("cost.budget_alert")}
    assert alerts == {
        "web#Actual#GreaterThan#80": {"budget_scoped": True, "forecast": False, "threshold": 80, "recipients": 3, "team_recipients": 2},
        "web#Forecasted#GreaterThan#100": {
            "budget_scoped": True,
            "forecast": True,
            "threshold": 100,
            "recipients": 0,
            "team_recipients": 0,
        },
        "all#Actual#GreaterThanOrEqualTo#90": {
            "budget_scoped": False,
            "forecast": False,
            "threshold": 90,
            "recipients": 1,
            "team_recipients": 0,
        },
    }
    assert result.status("azure.budget_alerts") == {PROD: "ok", DEV: "ok", SHARED: "ok"}


def test_scheduled_exports_and_anomaly_alerts(azure) -> None:
    daily = {"status": "Active", "recurrence": "Daily", "recurrencePeriod": {"from": "2026-01-01T00:00:00Z"}}
    azure.load(
        tenant_estate(
            [
                export(PROD, "focus-daily", "FocusCost", "Daily", daily),
                export(PROD, "actual-monthly", "ActualCost", "Monthly", {**daily, "recurrence": "Monthly"}),
                export(PROD, "one-off", "AmortizedCost", "Daily", None),
                export(DEV, "paused", "ActualCost", "Daily", {**daily, "status": "Inactive"}),
                scheduled_action(PROD, "anomalies", "InsightAlert", "Enabled", ["platform-team@dept.example", "finops@dept.example"]),
                scheduled_action(PROD, "weekly-report", "Email", "Enabled", ["boss@dept.example"]),
                scheduled_action(DEV, "dev-anomalies", "InsightAlert", "Disabled", ["dev@dept.example"]),
            ]
        )
    )
    result = scan(["cost.data_export", "cost.anomaly_monitor"])
    exports = {f.resource_id.rsplit("/", 1)[-1]: f.attributes for f in result.of("cost.data_export")}
    assert exports == {
        "focus-daily": {"table": "focus", "granularity": "daily", "carbon": False},
        "actual-monthly": {"table": "cost_and_usage", "granularity": "monthly", "carbon": False},
    }
    monitors = {f.resource_id.rsplit("/", 1)[-1]: f.attributes for f in result.of("cost.anomaly_monitor")}
    assert monitors == {"anomalies": {"subscriptions": 2}, "dev-anomalies": {"subscriptions": 0}}
    assert result.status("azure.cost_exports") == {PROD: "ok", DEV: "ok", SHARED: "ok"}


def test_refused_cost_reads_leave_the_evidence_unknown(azure) -> None:
    estate = tenant_estate(
        [
            export(PROD, "focus-daily", "FocusCost", "Daily", {"status": "Active", "recurrence": "Daily"}),
            scheduled_action(PROD, "anomalies", "InsightAlert", "Enabled", ["a@x"]),
            budget(PROD, "web", {"a": {"enabled": True, "operator": "GreaterThan", "threshold": 80, "contactEmails": ["a@x"]}}),
        ]
    )
    estate["faults"] = {
        "deny": [
            {"operation": f"{COST}/*", "scope": f"/subscriptions/{PROD}"},
            {"operation": "Microsoft.Consumption/budgets/read", "scope": f"/subscriptions/{PROD}"},
        ]
    }
    azure.load(estate)
    result = scan(["cost.data_export", "cost.anomaly_monitor", "cost.budget_alert"])
    assert result.facts == []
    for collector in ("azure.cost_exports", "azure.cost_anomaly_alerts", "azure.budget_alerts"):
        assert result.status(collector) == {PROD: "denied", DEV: "ok", SHARED: "ok"}, collector


def test_managed_disks(azure) -> None:
    azure.load(
        tenant_estate(
            [
                resource(
                    PROD,
                    "Microsoft.Compute/disks",
                    "os",
                    managedBy="/subscriptions/x/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm",
                    sku={"name": "Premium_LRS", "tier": "Premium"},
                    properties={"diskState": "Attached", "encryption": {"type": "EncryptionAtRestWithPlatformKey"}},
                ),
                resource(
                    DEV,
                    "Microsoft.Compute/disks",
                    "spare",
                    sku={"name": "StandardSSD_LRS"},
                    properties={"diskState": "Unattached", "encryption": {"type": "EncryptionAtRestWithCustomerKey"}},
                ),
                resource(DEV, "Microsoft.Compute/disks", "stopped", sku={"name": "Standard_LRS"}, properties={"diskState": "Reserved"}),
                resource(DEV, "Microsoft.Compute/disks", "odd", properties={}),
            ]
        )
    )
    result = scan(["storage.volume"])
    assert result.one("storage.volume", "/os") == {"encrypted": True, "attached": True, "volume_type": "Premium_LRS"}
    assert result.one("storage.volume", "/spare") == {"encrypted": True, "attached": False, "volume_type": "StandardSSD_LRS"}
    assert result.one("storage.volume", "/stopped")["attached"] is True  # a deallocated VM still holds it
    assert result.one("storage.volume", "/odd") == {"encrypted": True, "attached": None, "volume_type": None}


def pricing(sub: str, plan: str, tier: str, extensions: list[str] = ()) -> dict[str, Any]:  # type: ignore[assignment]
    return {
        "id": f"/subscriptions/{sub}/providers/Microsoft.Security/pricings/{plan}",
        "type": "Microsoft.Security/pricings",
        "properties": {"pricingTier": tier, "extensions": [{"name": e, "isEnabled": "True"} for e in extensions]},
    }


def test_registry_scanning_from_defender_plans(azure) -> None:
    azure.load(
        tenant_estate(
            [
                pricing(PROD, "Containers", "Standard", ["ContainerRegistriesVulnerabilityAssessments", "ContainerSensor"]),
                pricing(DEV, "Containers", "Standard", ["ContainerSensor"]),
                pricing(SHARED, "CloudPosture", "Standard", ["ContainerRegistriesVulnerabilityAssessments"]),
            ]
        )
    )
    result = scan(["artifact.registry_scanning"])
    found = {f.scope: f.attributes for f in result.of("artifact.registry_scanning")}
    assert found == {
        PROD: {"scan_type": "ENHANCED", "continuous": True},
        DEV: {"scan_type": "none", "continuous": False},
        SHARED: {"scan_type": "ENHANCED", "continuous": True},
    }


def test_the_organisation_is_counted_from_the_root_group(azure) -> None:
    azure.load(tenant_estate())
    result = scan(["org.organization"])
    (org,) = result.of("org.organization")
    assert (org.scope, org.resource_id) == (TENANT, f"/providers/Microsoft.Management/managementGroups/{TENANT}")
    assert org.attributes == {"all_features": True, "accounts": 3, "ous": 2}


def test_the_organisation_without_the_root_is_unknown_not_empty(azure) -> None:
    estate = tenant_estate()
    estate["faults"] = {"deny": [{"operation": "Microsoft.ResourceGraph/*"}]}
    azure.load(estate)
    result = scan(["org.organization"])
    assert result.of("org.organization") == []
    assert result.status("azure.organization") == {TENANT: "denied"}


def test_a_caller_below_the_root_leaves_the_counts_unknown(azure) -> None:
    """Resource Graph shows a caller only what it reads: without the root group the subscriptions and
    management groups it sees may be a part of the tenant, so they are not counted."""
    estate = tenant_estate()
    estate["resources"] = [r for r in estate["resources"] if r["name"] != TENANT]  # the root group is not readable
    azure.load(estate)
    result = scan(["org.organization"])
    (org,) = result.of("org.organization")
    assert org.attributes == {"all_features": True, "accounts": None, "ous": None}
    assert result.status("azure.organization") == {TENANT: "ok"}


def signing_account(sub: str, name: str, profiles: dict[str, tuple[str, str]]) -> list[dict[str, Any]]:
    account = resource(sub, "Microsoft.CodeSigning/codeSigningAccounts", name, properties={"sku": {"name": "Basic"}})
    return [account] + [
        {
            "id": f"{account['id']}/certificateProfiles/{profile}",
            "type": "Microsoft.CodeSigning/codeSigningAccounts/certificateProfiles",
            "properties": {"profileType": kind, "status": status, "provisioningState": "Succeeded"},
        }
        for profile, (kind, status) in profiles.items()
    ]


def test_trusted_signing_certificate_profiles(azure) -> None:
    azure.load(
        tenant_estate(
            [
                *signing_account(PROD, "release", {"public": ("PublicTrust", "Active"), "old": ("PrivateTrust", "Disabled")}),
                *signing_account(DEV, "trials", {"test": ("PublicTrustTest", "Active")}),
            ]
        )
    )
    result = scan(["artifact.signing_profile"])
    assert result.one("artifact.signing_profile", "/public") == {"platform": "PublicTrust", "status": "Active"}
    assert result.one("artifact.signing_profile", "/old") == {"platform": "PrivateTrust", "status": "Disabled"}
    assert result.one("artifact.signing_profile", "/test")["status"] == "Active"
    assert result.status("azure.signing_profiles") == {PROD: "ok", DEV: "ok", SHARED: "ok"}


def test_a_refused_profile_list_is_a_gap_not_none(azure) -> None:
    estate = tenant_estate(signing_account(PROD, "release", {"public": ("PublicTrust", "Active")}))
    estate["faults"] = {"deny": [{"operation": "Microsoft.CodeSigning/codeSigningAccounts/certificateProfiles/read"}]}
    azure.load(estate)
    result = scan(["artifact.signing_profile"])
    assert result.of("artifact.signing_profile") == []
    assert result.status("azure.signing_profiles")[PROD] == "denied"


def registry_with_tasks(sub: str, name: str, tasks: dict[str, dict[str, Any]], runs: list[tuple[str, str, int]]) -> list[dict[str, Any]]:
    """A registry, its tasks (name -> properties) and runs (task, days ago, minutes)."""
    from datetime import UTC, datetime, timedelta

    registry = resource(sub, "Microsoft.ContainerRegistry/registries", name, properties={})
    found = [registry]
    for task, props in tasks.items():
        found.append(
            {
                "id": f"{registry['id']}/tasks/{task}",
                "type": "Microsoft.ContainerRegistry/registries/tasks",
                "location": "uksouth",
                "properties": props,
            }
        )
    now = datetime.now(UTC)
    for n, (task, days_ago, minutes) in enumerate(runs):
        start = now - timedelta(days=days_ago)
        found.append(
            {
                "id": f"{registry['id']}/runs/cb{n}",
                "type": "Microsoft.ContainerRegistry/registries/runs",
                "properties": {
                    "runId": f"cb{n}",
                    "task": task,
                    "status": "Succeeded",
                    "createTime": start.isoformat().replace("+00:00", "Z"),
                    "startTime": start.isoformat().replace("+00:00", "Z"),
                    "finishTime": (start + timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z"),
                },
            }
        )
    return found


def test_acr_tasks_are_build_projects_with_their_recent_runs(azure) -> None:
    github = {
        "sourceTriggers": [
            {
                "name": "push",
                "status": "Enabled",
                "sourceRepository": {"sourceControlType": "Github", "repositoryUrl": "https://github.com/x/y"},
            }
        ]
    }
    azure.load(
        tenant_estate(
            registry_with_tasks(
                SHARED,
                "acr",
                {
                    "api": {"status": "Enabled", "timeout": 1800, "trigger": github, "isSystemTask": False},
                    "nightly": {"status": "Enabled", "trigger": {"timerTriggers": [{"name": "t", "schedule": "0 2 * * *"}]}},
                    "quickrun": {"isSystemTask": True},
                },
                [("api", 1, 4), ("api", 3, 6), ("api", 5, 20), ("api", 45, 90), ("nightly", 60, 30)],
            )
        )
    )
    result = scan(["cicd.build_project"])
    assert result.one("cicd.build_project", "/tasks/api") == {
        "source_type": "GITHUB",
        "timeout_minutes": 30,
        "recent_builds": 3,  # the run 45 days ago is older than the window
        "median_build_minutes": 6.0,
    }
    assert result.one("cicd.build_project", "/tasks/nightly") == {
        "source_type": "NO_SOURCE",
        "timeout_minutes": 60,
        "recent_builds": 0,
        "median_build_minutes": None,
    }
    assert not [f for f in result.of("cicd.build_project") if "quickrun" in f.resource_id]


def test_refused_runs_leave_build_activity_unknown(azure) -> None:
    estate = tenant_estate(registry_with_tasks(SHARED, "acr", {"api": {"status": "Enabled"}}, [("api", 1, 4)]))
    estate["faults"] = {"deny": [{"operation": "Microsoft.ContainerRegistry/registries/runs/read"}]}
    azure.load(estate)
    result = scan(["cicd.build_project"])
    api = result.one("cicd.build_project", "/tasks/api")
    assert (api["recent_builds"], api["median_build_minutes"]) == (None, None)
    (step,) = [c for c in result.coverage if c.collector.startswith("azure.registry_tasks/")]
    assert (step.scope, step.status) == (SHARED, "denied")


def test_registries_scan_on_push_where_defender_scans_registry_images(azure) -> None:
    estate = tenant_estate(
        [
            resource(PROD, "Microsoft.ContainerRegistry/registries", "prodacr", properties={"loginServer": "prodacr.azurecr.io"}),
            resource(DEV, "Microsoft.ContainerRegistry/registries", "devacr", properties={"loginServer": "devacr.azurecr.io"}),
            pricing(PROD, "Containers", "Standard", ["ContainerRegistriesVulnerabilityAssessments"]),
            pricing(DEV, "Containers", "Free"),
        ],
        # each registry's data plane holds one repository: facts are per repository
        registries={"prodacr.azurecr.io": [{"imageName": "web"}], "devacr.azurecr.io": [{"imageName": "tools"}]},
    )
    azure.load(estate)
    result = scan(["artifact.repository"])
    assert result.one("artifact.repository", "prodacr/repositories/web")["scan_on_push"] is True
    assert result.one("artifact.repository", "devacr/repositories/tools")["scan_on_push"] is False
