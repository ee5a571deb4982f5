"""Estates nobody here wrote: the demo tenant (fixtures/emulator/azure-demo.yaml, every resource kind the adapter
reads) rewritten the way an outside user plausibly writes an estate in the emulator's documented format
(docs/emulator.md), scanned with the real SDK clients through the emulator and scored with `cmm-scan score`.

A bug that only shows on data shaped differently from our fixtures would turn a whole collector's evidence unknown
for every scope ("internal error: ..." coverage); here every collector must end ok, denied, not_enabled, skipped or
error with a reason of its own, and the snapshot must score."""

from __future__ import annotations

import copy
import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from cmm_scan.cli import main
from cmm_scan.snapshot_io import read_records
from tests.azure import support
from tests.azure.entra import block_legacy, require_mfa, tenant_graph, user
from tests.azure.test_compute import cpu_rule
from tests.support.emulators import printed_settings

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "fixtures" / "emulator" / "azure-demo.yaml"
PROD = "a1b2c3d4-0001-4a00-8000-000000000001"
SHARED = "a1b2c3d4-0002-4a00-8000-000000000002"
SANDBOX = "a1b2c3d4-0003-4a00-8000-000000000003"
OUTSIDE = "a1b2c3d4-0009-4a00-8000-000000000009"  # a subscription the estate holds resources for but does not list
ORG = "dept"
SQL_DB = "Microsoft.Sql/servers/databases"


def demo() -> dict[str, Any]:
    estate = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    estate["resources"] += extra_kinds()
    return estate


def extra_kinds() -> list[dict[str, Any]]:
    """The kinds the adapter reads that the demo tenant does not hold, each as the docs' smallest object."""
    group = f"/subscriptions/{PROD}/resourceGroups/data/providers"
    sql = f"{group}/Microsoft.Sql/servers/srv/databases/orders"
    return [
        {"id": f"{group}/Microsoft.DBforMySQL/flexibleServers/orders-mysql", "type": "Microsoft.DBforMySQL/flexibleServers"},
        {"id": f"{group}/Microsoft.DocumentDB/databaseAccounts/events", "type": "Microsoft.DocumentDB/databaseAccounts"},
        {"id": sql, "type": SQL_DB},
        {"id": f"{sql}/backupShortTermRetentionPolicies/default", "type": f"{SQL_DB}/backupShortTermRetentionPolicies"},
        {"id": f"{group}/Microsoft.Portal/dashboards/orders", "type": "Microsoft.Portal/dashboards"},
        {"id": f"{group}/Microsoft.Network/virtualNetworkGateways/p2s", "type": "Microsoft.Network/virtualNetworkGateways"},
    ]


# --- how an outside user writes an estate ---------------------------------------------------------------------

# keys that name or address an object (the docs require them, or the estate's objects point at each other by them)
NAMING = re.compile(r"^(id|type|name|imageName|subscriptionId|tenantId|userPrincipalName|appId|.*Id|.*Ids)$")


def naming(key: str, value: Any) -> bool:
    return bool(NAMING.match(key)) or (isinstance(value, str) and value.startswith(("/", "http", "sha256:")))


def sparse(estate: dict[str, Any]) -> dict[str, Any]:
    """Only what the docs call required: ids and types (names default), a subscription's id, a Graph or DevOps
    item's id (and a DevOps item's name), a repository's name, a tag's name."""
    out = copy.deepcopy(estate)
    out["subscriptions"] = [{"subscriptionId": s["subscriptionId"]} for s in out["subscriptions"]]
    out["resources"] = [{"id": r["id"], "type": r["type"]} for r in out["resources"]]
    out["graph"] = {path: [{"id": x["id"]} for x in v] if isinstance(v, list) else {} for path, v in out["graph"].items()}
    out["devops"] = {
        path: [{k: x[k] for k in ("id", "name") if k in x} for x in v] if isinstance(v, list) else {} for path, v in out["devops"].items()
    }
    out["registries"] = {
        server: [{"imageName": r["imageName"], "tags": [{"name": t["name"]} for t in r.get("tags", [])]} for r in repos]
        for server, repos in out["registries"].items()
    }
    return out


def rewrite(estate: dict[str, Any], leaf: Callable[[str, Any], Any], container: Callable[[str, Any], Any] | None = None) -> dict[str, Any]:
    """Every value an object's reader may look at, rewritten (names and addresses kept, so objects still meet)."""

    def walk(key: str, value: Any) -> Any:
        if naming(key, value):
            return value
        if container is not None and isinstance(value, dict | list):
            value = container(key, value)
        if isinstance(value, dict):
            return obj(value)
        if isinstance(value, list):
            return [walk(key, v) for v in value]
        return leaf(key, value)

    def obj(value: dict[str, Any]) -> dict[str, Any]:  # an object itself stays an object; what it holds is rewritten
        return {k: walk(k, v) for k, v in value.items()}

    def objects(value: Any) -> Any:  # a Graph or DevOps path: a collection or one object
        return [obj(x) for x in value] if isinstance(value, list) else obj(value)

    out = copy.deepcopy(estate)
    out["resources"] = [obj(r) for r in out["resources"]]
    out["graph"] = {p: objects(v) for p, v in out["graph"].items()}
    out["devops"] = {p: objects(v) for p, v in out["devops"].items()}
    out["registries"] = {s: objects(v) for s, v in out["registries"].items()}
    return out


def nulls(estate: dict[str, Any]) -> dict[str, Any]:
    """Every optional value null, as the real APIs answer a property that is not set: half the lists and objects
    null themselves, the others holding nulls."""
    counter = iter(range(1_000_000))
    return rewrite(estate, lambda key, value: None, lambda key, value: None if next(counter) % 2 else value)


def hollow(estate: dict[str, Any]) -> dict[str, Any]:
    """Every list and object empty, below the objects themselves."""
    return rewrite(estate, lambda key, value: value, lambda key, value: type(value)())


DATE = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?Z$")
# other ways the APIs write a time: seven fractional digits (ARM), an offset, no offset (older APIs), a date alone
DATES = ("{}.1234567Z", "{}+00:00", "{}", "{}-05:00", "{:.10}")


def odd(estate: dict[str, Any]) -> dict[str, Any]:
    """Valid but unlike our fixtures: enums in other cases or empty, long unicode names, zero, negative and fractional
    numbers, dates in the other forms the APIs use, resource groups named in other scripts with dots and brackets
    (clients percent-encode them in paths), and resources in a subscription the tenant does not list (the scan also
    leaves one listed subscription out)."""
    counter = iter(range(1_000_000))

    def leaf(key: str, value: Any) -> Any:
        n = next(counter)
        if isinstance(value, bool) or value is None:
            return value
        if isinstance(value, int | float):
            return [0, -1, value * 1000, value + 0.5][n % 4]
        if isinstance(value, str):
            date = DATE.match(value)
            if date:
                return DATES[n % len(DATES)].format(date.group(1))
            if key in ("displayName", "description"):
                return value + " — Ünïcødé ✓ " + "x" * 300
            return [value.upper(), value.lower(), value.title(), ""][n % 4]
        return value

    out = unicode_groups(rewrite(estate, leaf))
    out["resources"].append(
        {
            "id": f"/subscriptions/{OUTSIDE}/resourceGroups/elsewhere/providers/Microsoft.Storage/storageAccounts/stray",
            "type": "Microsoft.Storage/storageAccounts",
            "location": "UK South",
            "properties": {"minimumTlsVersion": "TLS1_0"},
        }
    )
    return out


def unicode_groups(estate: dict[str, Any]) -> dict[str, Any]:
    """Every resource group renamed, everywhere it is named (ids and the references to them)."""
    text = json.dumps(estate)
    for group in sorted(set(re.findall(r"resourceGroups/([A-Za-z0-9_.-]+)", text)), key=len, reverse=True):
        text = re.sub(rf"(resource[Gg]roups/){re.escape(group)}(?=[/\"])", lambda m, g=group: f"{m.group(1)}Grüppe.({g})-ñ", text)
    return json.loads(text)


def empty(estate: dict[str, Any]) -> dict[str, Any]:
    """A tenant with subscriptions and nothing in them: no resources, no directory objects, no pipelines."""
    return {"provider": "azure", "tenantId": estate["tenantId"], "subscriptions": [{"subscriptionId": PROD}, {"subscriptionId": SHARED}]}


# --- one scan per estate ---------------------------------------------------------------------------------------

CLEAR = {"ok", "denied", "not_enabled", "skipped"}


def collect_and_score(tmp_path: Path, *scope: str) -> list[dict[str, Any]]:
    snapshot = tmp_path / "snapshot.jsonl.gz"
    assert main(["collect", "azure", "--devops-org", ORG, *scope, "--output", str(snapshot), "-q"]) == 0
    records = [r.model_dump(mode="json") for r in read_records(snapshot)]  # each record validated as it is read
    out = tmp_path / "report"
    assert main(["score", str(snapshot), "--output-dir", str(out), "--format", "json", "--no-store", "-q"]) == 0
    assert json.loads((out / "assessment.json").read_text(encoding="utf-8"))["results"]
    return records


def assert_no_internal_errors(records: list[dict[str, Any]]) -> None:
    coverage = [r for r in records if r["record"] == "coverage"]
    crashed = sorted({(c["collector"], c["reason"]) for c in coverage if c["reason"].startswith("internal error")})
    assert not crashed, crashed
    unclear = [(c["collector"], c["status"]) for c in coverage if c["status"] not in CLEAR and not c["reason"]]
    assert not unclear, unclear


SCOPE = {odd: ["--subscriptions", f"!{SANDBOX}"]}


@pytest.mark.parametrize("shape", [sparse, nulls, hollow, odd])
def test_estates_shaped_unlike_ours_scan_without_internal_errors(azure, tmp_path: Path, shape: Callable[..., dict[str, Any]]) -> None:
    """One scan per estate: no internal error, the snapshot reads back and scores, the emulator raised nothing of its
    own, and no fact belongs to a subscription outside the scan (one the tenant does not list, one left out)."""
    azure.load(shape(demo()))
    records = collect_and_score(tmp_path, *SCOPE.get(shape, []))
    assert_no_internal_errors(records)
    log = [r for r in azure.requests if r.get("bug") or r["status"] >= 500]
    assert not log, log
    scanned = {s["id"] for s in records[0]["scopes"]}
    assert SANDBOX in scanned or shape is odd
    assert not [r["resource_id"] for r in records if r["record"] == "fact" and r["scope"] not in scanned]
    assert not [r["resource_id"] for r in records if r["record"] == "fact" and (OUTSIDE in r["resource_id"] or r["scope"] == OUTSIDE)]


def test_an_empty_tenant_scans_and_scores(azure, tmp_path: Path) -> None:
    azure.load(empty(demo()))
    records = collect_and_score(tmp_path)
    assert_no_internal_errors(records)
    # nothing is invented: no fact about a resource (the tenant, its subscriptions and their unset plans only)
    assert not [r["resource_id"] for r in records if r["record"] == "fact" and "/resourcegroups/" in r["resource_id"].lower()]


# --- one regression test per crash found ------------------------------------------------------------------------


def test_a_management_group_with_a_null_name_is_an_unnamed_scope(azure) -> None:
    """Resource Graph shows a management group's displayName as Management Groups holds it, null included: the scan
    once stopped with a ValidationError before reading anything."""
    estate = support.tenant_estate([support.resource(support.PROD, "Microsoft.Network/virtualNetworks", "core")])
    estate["resources"][1]["properties"]["displayName"] = None  # prod
    azure.load(estate)
    result = support.scan(["network.vpc"])
    assert {(s.id, s.name) for s in result.plan.scopes if s.kind == "management_group"} >= {("prod", ""), ("nonprod", "Nonprod")}
    assert set(result.status("azure.virtual_networks").values()) == {"ok"}


def test_a_policy_assignment_without_a_definition_id_is_unknown_not_detective(azure) -> None:
    """An assignment the estate gives no policyDefinitionId once crashed both policy collectors for the tenant; now
    its effect is unknown (never 'detective', never 'not automatic') and the other assignments are read."""
    builtin = "/providers/Microsoft.Authorization/policyDefinitions/e56962a6-4747-49cd-b67b-bf8b01975c4c"
    scope = f"/subscriptions/{support.PROD}/providers/Microsoft.Authorization/policyAssignments"
    rule = {"if": {"field": "location", "notIn": ["uksouth"]}, "then": {"effect": "deny"}}
    azure.load(
        support.tenant_estate(
            [
                {"id": builtin, "type": "Microsoft.Authorization/policyDefinitions", "properties": {"policyRule": rule}},
                {
                    "id": f"{scope}/uk-only",
                    "type": "Microsoft.Authorization/policyAssignments",
                    "properties": {"policyDefinitionId": builtin},
                },
                {"id": f"{scope}/bare", "type": "Microsoft.Authorization/policyAssignments"},
            ]
        )
    )
    result = support.scan(["org.policy", "config.remediation"])
    assert set(result.status("azure.policy_guardrails").values()) == set(result.status("azure.policy_remediations").values()) == {"ok"}
    assert result.one("org.policy", "/uk-only")["policy_type"] == "org_constraint"
    bare = result.one("org.policy", "/bare")
    assert (bare["policy_type"], bare["restricts_regions"]) == (None, None)
    assert result.one("config.remediation", "/bare")["automatic"] is None


def test_a_sentinel_workspace_without_its_workspace_id_leaves_its_rules_unknown_and_reads_the_others(azure) -> None:
    """A Sentinel solution the estate gives no properties.workspaceResourceId: its automation rules cannot be
    addressed. The request was once sent to '.../None/providers/...' (a connection error after retries); now no
    request is made for it, coverage is an error naming it, and the other workspace's rules are read."""
    workspace = support.rid(support.PROD, "ops", "Microsoft.OperationalInsights/workspaces", "central")
    sentinel = "Microsoft.OperationsManagement/solutions"
    rule = {
        "id": f"{workspace}/providers/Microsoft.SecurityInsights/automationRules/assign",
        "type": "Microsoft.SecurityInsights/automationRules",
        "properties": {
            "triggeringLogic": {"isEnabled": True, "triggersOn": "Incidents", "triggersWhen": "Created"},
            "actions": [{"actionType": "RunPlaybook", "actionConfiguration": {"logicAppResourceId": "/x"}}],
        },
    }
    azure.load(
        support.tenant_estate(
            [
                {"id": workspace, "type": "Microsoft.OperationalInsights/workspaces", "location": "uksouth"},
                support.resource(support.PROD, sentinel, "SecurityInsights(central)", "ops", properties={"workspaceResourceId": workspace}),
                support.resource(support.DEV, sentinel, "SecurityInsights(lost)", "ops"),
                rule,
            ]
        )
    )
    result = support.scan(["ops.response_plan", "security.service"])
    assert result.one("ops.response_plan", "/assign")["runbook"] is True
    # the workspace it covers is unknown, not [null]
    assert result.one("security.service", "SecurityInsights(lost)")["coverage"] is None
    assert result.one("security.service", "SecurityInsights(central)")["coverage"] == ["central"]
    # the population read is incomplete: an error for the subscriptions read together (as a refused parent is), never ok
    (reason,) = {c.reason for c in result.coverage if c.collector == "azure.sentinel_automation_rules" and c.status == "error"}
    assert "SecurityInsights(lost)" in reason and "no value for workspace" in reason, reason
    assert not [r for r in azure.requests if "None" in r["path"]]


def test_a_devops_environment_without_its_project_reference_still_has_its_checks_read(azure) -> None:
    """An environment listed in a project is that project's: its checks and deployments are read under the project it
    was listed in, so an estate that leaves out the environment's own `project` reference keeps its approval known."""
    project = "5e0c0000-0000-4000-8000-000000000001"
    base = f"acme/{project}/_apis"
    azure.load(
        support.tenant_estate(
            devops={
                "acme/_apis/projects": [{"id": project, "name": "shop"}],
                f"{base}/build/definitions": [{"id": 1, "name": "api"}],
                f"{base}/distributedtask/environments": [{"id": 7, "name": "production"}],
                f"{base}/pipelines/checks/configurations": [
                    {"id": 1, "type": {"name": "Approval"}, "resource": {"type": "environment", "id": "7"}}
                ],
                f"{base}/distributedtask/environments/7/environmentdeploymentrecords": [{"id": 1, "definition": {"id": 1}}],
            }
        )
    )
    result = support.scan(["cicd.pipeline"], devops_orgs="acme")
    assert {c.status for c in result.coverage} == {"ok"}, [(c.collector, c.reason) for c in result.coverage if c.status != "ok"]
    api = result.one("cicd.pipeline", f"/{project}/_apis/build/definitions/1")
    assert (api["has_deploy"], api["has_manual_approval"], api["deploy_targets"]) == (True, True, ["production"])


def test_emulate_then_scan_a_sparse_estate_from_the_command_line(azure, tmp_path: Path) -> None:
    """`cmm-scan emulate azure --estate FILE` in one process and `cmm-scan scan azure` in another with nothing but the
    settings it printed, on the sparse estate: exit 0, no traceback from either, no internal error in the snapshot."""
    estate_file = tmp_path / "sparse.yaml"
    estate_file.write_text(yaml.safe_dump(sparse(demo()), allow_unicode=True), encoding="utf-8")
    clean = {k: v for k, v in os.environ.items() if k not in azure.env and not k.startswith(("AZURE_", "CMM_SCAN_"))}
    server = subprocess.Popen(
        [sys.executable, "-m", "cmm_scan.cli", "emulate", "azure", "--estate", str(estate_file)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=clean,
    )
    try:
        settings = printed_settings(server, len(azure.env))
        assert set(settings) == set(azure.env)  # the same settings the in-process emulator has
        out = tmp_path / "out"
        scan_args = ["scan", "azure", "--devops-org", ORG, "--output-dir", str(out), "--format", "json", "--no-store", "-q"]
        done = subprocess.run(
            [sys.executable, "-m", "cmm_scan.cli", *scan_args], env={**clean, **settings}, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr
        assert json.loads((out / "assessment.json").read_text(encoding="utf-8"))["results"]
        records = [r.model_dump(mode="json") for r in read_records(out / "snapshot.jsonl.gz")]
        assert_no_internal_errors(records)
    finally:
        server.send_signal(signal.SIGINT)
        _, log = server.communicate(timeout=20)
    assert server.returncode == 0 and "Traceback" not in log, log


def test_times_without_an_offset_or_a_date_alone_are_utc(azure) -> None:
    """A VM's timeCreated written without an offset ('2024-01-01T00:00:00', as older API versions answer) or as a
    date alone once stopped the VM collector in every subscription (naive minus aware datetime); it is UTC."""
    vm = "Microsoft.Compute/virtualMachines"
    created = {"utc": "2024-01-01T00:00:00Z", "naive": "2024-01-01T00:00:00", "date": "2024-01-01", "ticks": "2024-01-01T00:00:00.1234567Z"}
    azure.load(support.tenant_estate([support.resource(support.PROD, vm, n, properties={"timeCreated": t}) for n, t in created.items()]))
    result = support.scan(["compute.instance"])
    assert set(result.status("azure.virtual_machines").values()) == {"ok"}
    ages = {f.resource_id.rsplit("/", 1)[-1]: f.attributes["age_days"] for f in result.of("compute.instance")}
    assert len(set(ages.values())) == 1 and ages["utc"] > 300, ages


def test_an_initiative_passing_an_empty_effect_leaves_its_effect_unknown(azure) -> None:
    """An initiative whose members are passed an empty effect string once crashed the policy collectors (IndexError):
    an empty effect is none, so the initiative's effect is unknown, never 'detective'."""
    sets = f"/subscriptions/{support.PROD}/providers/Microsoft.Authorization/policySetDefinitions"
    member = {"policyDefinitionId": "/providers/Microsoft.Authorization/policyDefinitions/x", "parameters": {"effect": {"value": ""}}}
    initiative = {
        "id": f"{sets}/blank",
        "type": "Microsoft.Authorization/policySetDefinitions",
        "properties": {"policyDefinitions": [member]},
    }
    assignment = {
        "id": f"/subscriptions/{support.PROD}/providers/Microsoft.Authorization/policyAssignments/blank",
        "type": "Microsoft.Authorization/policyAssignments",
        "properties": {"policyDefinitionId": initiative["id"]},
    }
    azure.load(support.tenant_estate([initiative, assignment]))
    result = support.scan(["org.policy"])
    assert set(result.status("azure.policy_guardrails").values()) == {"ok"}
    assert result.one("org.policy", "/policyAssignments/blank")["policy_type"] is None


def test_an_autoscale_profile_whose_capacity_is_not_read_leaves_the_bounds_unknown(azure) -> None:
    """Autoscale capacity is a string of digits in the API; one written otherwise (or left out) once crashed three
    collectors in every subscription (int('...')), and a left-out minimum read as 0. Now the bounds are unknown,
    and metric rules still make the group scale dynamically."""
    web = support.rid(support.PROD, "rg", "Microsoft.Compute/virtualMachineScaleSets", "web")
    setting = support.resource(
        support.PROD,
        "Microsoft.Insights/autoscalesettings",
        "web-cpu",
        properties={
            "enabled": True,
            "targetResourceUri": web,
            "profiles": [{"name": "default", "capacity": {"minimum": "two", "maximum": "10"}, "rules": [cpu_rule(web)]}],
        },
    )
    scale_set = support.resource(support.PROD, "Microsoft.Compute/virtualMachineScaleSets", "web", sku={"capacity": 2})
    azure.load(support.tenant_estate([scale_set, setting]))
    result = support.scan(["compute.autoscaling_group"])
    assert set(result.status("azure.scale_sets").values()) == {"ok"}
    found = result.one("compute.autoscaling_group", "/web")
    assert (found["min_size"], found["max_size"], found["dynamic"]) == (None, 10, True)


def test_values_in_other_shapes_and_null_entries_leave_only_their_attributes_unknown(azure) -> None:
    """A container app's minReplicas written as a string (JMESPath raised a TypeError ordering it against a number),
    a dashboard part whose chart options are null, null entries in an NSG's rules and in a Defender plan's
    extensions: each once crashed its collector for every subscription; now only what needs the value is unknown."""
    app = support.resource(
        support.PROD, "Microsoft.App/containerApps", "api", properties={"template": {"scale": {"minReplicas": "2", "maxReplicas": 5}}}
    )
    part = {"metadata": {"type": "Extension/HubsExtension/PartType/MonitorChartPart", "settings": {"content": {"options": None}}}}
    dashboard = support.resource(support.PROD, "Microsoft.Portal/dashboards", "ops", properties={"lenses": [{"order": 0, "parts": [part]}]})
    rule = {
        "name": "ssh",
        "properties": {"direction": "Inbound", "access": "Allow", "sourceAddressPrefix": "*", "destinationPortRange": "22"},
    }
    nsg = support.resource(support.PROD, "Microsoft.Network/networkSecurityGroups", "web", properties={"securityRules": [None, rule]})
    plan = {
        "id": f"/subscriptions/{support.PROD}/providers/Microsoft.Security/pricings/Containers",
        "type": "Microsoft.Security/pricings",
        "properties": {
            "pricingTier": "Standard",
            "extensions": [None, {"name": "ContainerRegistriesVulnerabilityAssessments", "isEnabled": "True"}],
        },
    }
    azure.load(support.tenant_estate([app, dashboard, nsg, plan]))
    result = support.scan(["compute.container_service", "monitoring.dashboard", "network.security_group", "artifact.registry_scanning"])
    crashed = [(c.collector, c.reason) for c in result.coverage if c.reason.startswith("internal error")]
    assert not crashed, crashed
    api = result.one("compute.container_service", "/api")
    assert (api["desired"], api["autoscaled"]) == (None, None)  # a string is not ordered against a number: unknown
    assert result.one("monitoring.dashboard", "/ops") == {"widgets": 1, "application_metrics": False}
    assert result.one("network.security_group", "/web")["admin_ports_open"] is True
    scanning = result.one("artifact.registry_scanning", f"/subscriptions/{support.PROD}/")
    assert (scanning["scan_type"], scanning["continuous"]) == ("ENHANCED", True)


def test_the_emulator_serves_a_management_group_written_with_null_properties(azure) -> None:
    """The root management group written with `properties: null` (its children name it as their parent): Resource
    Graph's ancestor chains once broke in the emulator (answered 400 'emulator error'); now they are served."""
    estate = support.tenant_estate()
    estate["resources"][0]["properties"] = None  # the root group
    azure.load(estate)
    result = support.scan(["org.organization"])
    assert set(result.status("azure.organization").values()) == {"ok"}
    assert not [r for r in azure.requests if r.get("bug") or r["status"] >= 400]


def test_nsg_rules_not_fully_written_leave_exposure_unknown_never_closed(azure) -> None:
    """A port not written as a port or range once crashed the NSG collector for every subscription (int('...')); a
    rule with no direction or access read as closed. Now: an internet rule on an unreadable port is open with its
    admin ports unknown; a rule with no direction leaves the exposure unknown; a rule from an application security group
    is not from the internet."""

    def nsg(name: str, *rules: dict[str, Any]) -> dict[str, Any]:
        found = [{"name": f"r{n}", "properties": r} for n, r in enumerate(rules)]
        return support.resource(support.PROD, "Microsoft.Network/networkSecurityGroups", name, properties={"securityRules": found})

    inbound = {"direction": "Inbound", "access": "Allow", "sourceAddressPrefix": "Internet"}
    azure.load(
        support.tenant_estate(
            [
                nsg("odd-port", {**inbound, "destinationPortRange": "ssh"}),
                nsg("no-direction", {"access": "Allow", "sourceAddressPrefix": "*", "destinationPortRange": "443"}),
                nsg(
                    "asg",
                    {
                        "direction": "Inbound",
                        "access": "Allow",
                        "sourceApplicationSecurityGroups": [{"id": "/asg"}],
                        "destinationPortRange": "22",
                    },
                ),
                nsg("settled", {"access": "Allow", "destinationPortRange": "443"}, {**inbound, "destinationPortRange": "3389"}),
            ]
        )
    )
    result = support.scan(["network.security_group"])
    assert set(result.status("azure.network_security_groups").values()) == {"ok"}
    found = {n: result.one("network.security_group", f"/{n}") for n in ("odd-port", "no-direction", "asg", "settled")}
    assert {n: (a["open_to_internet"], a["admin_ports_open"]) for n, a in found.items()} == {
        "odd-port": (True, None),
        "no-direction": (None, False),  # whatever its direction, 443 is no admin port
        "asg": (False, False),
        "settled": (True, True),
    }


def test_an_autoscale_rule_naming_no_metric_is_an_unknown_kind_never_custom(azure) -> None:
    """A null rule once crashed the scale-set, instance and App Service plan collectors; a rule whose trigger names
    no metric read as a "custom" metric (advanced). Now it scales the group (dynamic) on a metric of unknown kind."""
    web = support.rid(support.PROD, "rg", "Microsoft.Compute/virtualMachineScaleSets", "web")
    rules = [None, {"metricTrigger": {"metricResourceUri": web, "operator": "GreaterThan"}, "scaleAction": {"direction": "Increase"}}]
    setting = support.resource(
        support.PROD,
        "Microsoft.Insights/autoscalesettings",
        "web-scale",
        properties={"targetResourceUri": web, "profiles": [{"capacity": {"minimum": "2", "maximum": "10"}, "rules": rules}]},
    )
    scale_set = support.resource(support.PROD, "Microsoft.Compute/virtualMachineScaleSets", "web", sku={"capacity": 2})
    azure.load(support.tenant_estate([scale_set, setting]))
    result = support.scan(["compute.autoscaling_group"])
    assert set(result.status("azure.scale_sets").values()) == {"ok"}
    found = result.one("compute.autoscaling_group", "/web")
    assert (found["dynamic"], found["metric_kinds"], found["advanced_metrics"]) == (True, [], None)


def test_resources_in_a_resource_group_named_in_another_script_are_read(azure) -> None:
    """Resource group names allow Unicode letters, dots and brackets; the SDK percent-encodes them in a request path.
    The emulator once looked the encoded path up as it came (404 for every per-resource read: blob versioning read
    as an error); it decodes it, as Resource Manager does."""
    account = support.resource(support.PROD, "Microsoft.Storage/storageAccounts", "files", group="Grüppe.(prod)-ñ", kind="StorageV2")
    blob = {"id": f"{account['id']}/blobServices/default", "type": "Microsoft.Storage/storageAccounts/blobServices"}
    blob["properties"] = {"isVersioningEnabled": True}
    azure.load(support.tenant_estate([account, blob]))
    result = support.scan(["storage.bucket"])
    assert {c.status for c in result.coverage} == {"ok"}, [(c.collector, c.reason) for c in result.coverage if c.status != "ok"]
    assert result.one("storage.bucket", "/files")["versioning"] == "Enabled"


def test_changes_that_do_not_say_who_made_them_leave_their_subscriptions_counts_unknown(azure) -> None:
    """Resource Graph always writes who made a change (changedByType, "Unspecified" for the platform); a change
    written without it once read as a platform change, so a sparse estate showed "no manual changes" (total 0).
    Now its subscription's counts are unknown; the other subscriptions' are counted."""
    vm = support.rid(support.PROD, "rg", "Microsoft.Compute/virtualMachines", "vm1")
    other = support.rid(support.DEV, "rg", "Microsoft.Compute/virtualMachines", "vm2")
    bare = {
        "id": f"{vm}/providers/Microsoft.Resources/changes/1",
        "type": "Microsoft.Resources/changes",
        "properties": {"targetResourceId": vm},
    }
    portal = {
        "id": f"{other}/providers/Microsoft.Resources/changes/2",
        "type": "Microsoft.Resources/changes",
        "properties": {"targetResourceId": other, "changeAttributes": {"changedByType": "User", "clientType": "Azure Portal"}},
    }
    azure.load(support.tenant_estate([bare, portal]))
    found = {f.scope: f.attributes for f in support.scan(["activity.changes"]).of("activity.changes")}
    assert found[support.PROD] == {
        "window_days": 14,
        "total": None,
        "console": None,
        "iac": None,
        "pipeline": None,
        "other": None,
        "cicd_identity": None,
    }
    assert (found[support.DEV]["total"], found[support.DEV]["console"]) == (1, 1)
    assert found[support.SHARED]["total"] == 0  # no changes at all: a known answer


def test_security_defaults_and_policy_states_not_written_leave_mfa_unknown_never_off(azure) -> None:
    """Graph always writes security defaults' isEnabled and a conditional access policy's state. Written without
    them (a sparse estate), the defaults once read as off and the policy as disabled: MFA 'not required' and legacy
    sign-in 'not blocked', known and unfavourable. Now both are unknown, and a policy that is enabled still decides.
    A registration row without its methods is an unknown MFA kind, not 'none'."""
    graph = tenant_graph([user("ada"), user("bob")], [{**require_mfa(include=["ada"]), "state": None}])
    graph["policies/identitySecurityDefaultsEnforcementPolicy"] = {"id": "00000000-0000-0000-0000-000000000005"}
    graph["reports/authenticationMethods/userRegistrationDetails"] = [{"id": "ada"}]  # its methods not listed; bob: no row
    azure.load(support.tenant_estate(graph=graph))
    result = support.scan(["identity.user", "identity.sso_instance"])
    mfa = {f.resource_id: (f.attributes["mfa_active"], f.attributes["mfa_kind"]) for f in result.of("identity.user")}
    assert mfa == {"ada": (None, None), "bob": (None, "none")}
    (tenant,) = result.of("identity.sso_instance")
    assert (tenant.attributes["mfa_enforced"], tenant.attributes["legacy_auth_blocked"]) == (None, None)
    graph["identity/conditionalAccess/policies"] = [require_mfa(include=["ada"]), block_legacy()]
    azure.load(support.tenant_estate(graph=graph))
    result = support.scan(["identity.user", "identity.sso_instance"])
    assert {f.resource_id: f.attributes["mfa_active"] for f in result.of("identity.user")} == {"ada": True, "bob": None}
    (tenant,) = result.of("identity.sso_instance")
    assert tenant.attributes["legacy_auth_blocked"] is True


def test_a_subscription_state_in_another_case_is_scanned(azure) -> None:
    """The state is an enum the API writes "Enabled"; an estate writing "enabled" once had that subscription left out
    of the scan without a word (neither scanned nor recorded)."""
    estate = support.tenant_estate([support.resource(support.DEV, "Microsoft.Network/virtualNetworks", "core")])
    estate["subscriptions"][1]["state"] = "enabled"
    estate["subscriptions"][2]["state"] = "Disabled"
    azure.load(estate)
    result = support.scan(["network.vpc"])
    assert result.status("azure.virtual_networks") == {support.PROD: "ok", support.DEV: "ok"}
    assert [f.scope for f in result.of("network.vpc")] == [support.DEV]


def test_enums_in_another_case_read_the_same(azure) -> None:
    """Azure treats enum values without case and echoes what it was given; the specs compared them exactly, so a vault
    locked 'locked', a Defender plan on tier 'standard' or a spot VM of priority 'spot' read as unlocked, off and
    on-demand. They compare without case now."""
    vault = support.resource(
        support.PROD,
        "Microsoft.RecoveryServices/vaults",
        "backups",
        properties={"securitySettings": {"immutabilitySettings": {"state": "locked"}}},
    )
    spot = support.resource(support.PROD, "Microsoft.Compute/virtualMachines", "batch", properties={"priority": "SPOT"})
    plan = {
        "id": f"/subscriptions/{support.PROD}/providers/Microsoft.Security/pricings/VirtualMachines",
        "type": "Microsoft.Security/pricings",
        "properties": {"pricingTier": "standard"},
    }
    azure.load(support.tenant_estate([vault, spot, plan]))
    result = support.scan(["storage.backup_vault", "compute.instance", "security.service"])
    assert (result.one("storage.backup_vault", "/backups")["locked"], result.one("compute.instance", "/batch")["spot"]) == (True, True)
    threat = [f.attributes for f in result.of("security.service") if f.scope == support.PROD and f.attributes["kind"] == "threat_detection"]
    assert [t["enabled"] for t in threat] == [True]
