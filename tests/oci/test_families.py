"""Budgets, alarms, log groups, Audit, security lists and NSGs, VCNs, Bastions, Cloud Guard."""

from __future__ import annotations

import pytest

from cmm_scan.errors import UserError
from tests.oci.support import FRANKFURT, LONDON, TENANCY, Estate, cid, scan

V = "/20160918"


def _estate() -> Estate:
    estate = Estate()
    app = estate.compartment("app")
    # budgets: one on the whole tenancy with an actual and a forecast alert, one on a tag without recipients
    estate.add(
        "/20190111/budgets",
        {"id": "ocid1.budget.oc1..all", "displayName": "all", "targetType": "COMPARTMENT", "targets": [TENANCY], "amount": 1000},
        region=None,
    )
    estate.single(
        "/20190111/budgets/ocid1.budget.oc1..all/alertRules",
        [
            {"id": "ocid1.alertrule.oc1..actual", "type": "ACTUAL", "threshold": 80, "recipients": "finance@example.gov.uk"},
            {"id": "ocid1.alertrule.oc1..forecast", "type": "FORECAST", "threshold": 100, "recipients": "finance@example.gov.uk"},
            {
                "id": "ocid1.alertrule.oc1..team",
                "type": "ACTUAL",
                "threshold": 50,
                "recipients": "ada@example.gov.uk; billing@example.gov.uk, grace@example.gov.uk",
            },
        ],
        region=None,
    )
    estate.add(
        "/20190111/budgets",
        {"id": "ocid1.budget.oc1..team", "displayName": "team", "targetType": "TAG", "targets": ["Finance.CostCentre.42"], "amount": 50},
        region=None,
    )
    estate.single("/20190111/budgets/ocid1.budget.oc1..team/alertRules", [{"type": "ACTUAL", "recipients": ""}], region=None)
    # alarms
    estate.add(
        "/20180401/alarms",
        {
            "id": "ocid1.alarm.oc1..cpu",
            "displayName": "cpu",
            "namespace": "oci_computeagent",
            "query": "CpuUtilization[1m].mean() > 80",
            "destinations": ["ocid1.onstopic.oc1..ops"],
            "isEnabled": True,
        },
        compartment=app,
        search_type="Alarm",
    )
    estate.add(
        "/20180401/alarms",
        {
            "id": "ocid1.alarm.oc1..orders",
            "displayName": "orders",
            "namespace": "shop_app",
            "query": "OrdersFailed[5m].sum() > 0",
            "destinations": [],
            "isEnabled": True,
        },
        compartment=app,
        search_type="Alarm",
    )
    # log groups and audit
    estate.add("/20200531/logGroups", {"id": "ocid1.loggroup.oc1..app", "displayName": "app"}, compartment=app, search_type="LogGroup")
    estate.single(
        "/20200531/logGroups/ocid1.loggroup.oc1..app/logs", [{"id": "l1", "retentionDuration": 90}, {"id": "l2", "retentionDuration": 30}]
    )
    estate.single("/20190901/configuration", {"retentionPeriodDays": 365}, region=None)
    # network
    estate.add(
        f"{V}/vcns",
        {"id": "ocid1.vcn.oc1..main", "displayName": "main", "defaultSecurityListId": "ocid1.securitylist.oc1..default"},
        compartment=app,
        search_type="Vcn",
    )
    estate.add(
        f"{V}/subnets",
        {
            "id": "ocid1.subnet.oc1..web",
            "vcnId": "ocid1.vcn.oc1..main",
            "securityListIds": ["ocid1.securitylist.oc1..default", "ocid1.securitylist.oc1..web"],
        },
        compartment=app,
        search_type="Subnet",
    )
    estate.add(
        f"{V}/securityLists",
        {
            "id": "ocid1.securitylist.oc1..default",
            "vcnId": "ocid1.vcn.oc1..main",
            "ingressSecurityRules": [
                {"source": "0.0.0.0/0", "protocol": "6", "tcpOptions": {"destinationPortRange": {"min": 22, "max": 22}}}
            ],
        },
        compartment=app,
        search_type="SecurityList",
    )
    estate.add(
        f"{V}/securityLists",
        {
            "id": "ocid1.securitylist.oc1..web",
            "vcnId": "ocid1.vcn.oc1..main",
            "ingressSecurityRules": [
                {"source": "0.0.0.0/0", "protocol": "6", "tcpOptions": {"destinationPortRange": {"min": 443, "max": 443}}}
            ],
        },
        compartment=app,
        search_type="SecurityList",
    )
    estate.add(
        f"{V}/securityLists",
        {
            "id": "ocid1.securitylist.oc1..spare",
            "vcnId": "ocid1.vcn.oc1..main",
            "ingressSecurityRules": [{"source": "10.0.0.0/16", "protocol": "all"}],
        },
        compartment=app,
        search_type="SecurityList",
    )
    estate.add(
        f"{V}/networkSecurityGroups",
        {"id": "ocid1.networksecuritygroup.oc1..db", "vcnId": "ocid1.vcn.oc1..main"},
        compartment=app,
        search_type="NetworkSecurityGroup",
    )
    estate.single(
        f"{V}/networkSecurityGroups/ocid1.networksecuritygroup.oc1..db/securityRules",
        [{"direction": "INGRESS", "source": "0.0.0.0/0", "protocol": "all"}],
    )
    estate.single(f"{V}/networkSecurityGroups/ocid1.networksecuritygroup.oc1..db/vnics", [{"vnicId": "ocid1.vnic.oc1..v"}])
    estate.add(
        "/20210331/bastions",
        {"id": "ocid1.bastion.oc1..b", "name": "ops", "bastionType": "STANDARD"},
        compartment=app,
        search_type="Bastion",
    )
    # Cloud Guard on, with a target on the root compartment
    estate.single("/20200131/configuration", {"reportingRegion": "uk-london-1", "status": "ENABLED"}, region=None)
    estate.single(
        "/20200131/targets",
        {"items": [{"id": "t", "compartmentId": TENANCY, "targetResourceType": "COMPARTMENT", "targetResourceId": TENANCY}]},
        region=None,
    )
    return estate


def test_budgets(monkeypatch: pytest.MonkeyPatch) -> None:
    result = scan(_estate(), ["cost.budget"], monkeypatch)
    assert result.one("cost.budget", "budget.oc1..all") == {
        "budget_type": "COST",
        "notifications": 3,
        "forecast_alert": True,
        "scoped": False,
    }
    assert result.one("cost.budget", "budget.oc1..team") == {
        "budget_type": "COST",
        "notifications": 0,
        "forecast_alert": False,
        "scoped": True,
    }


def test_budget_alert_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    estate = _estate()
    estate.data["objects"]["20190111/budgets/ocid1.budget.oc1..team/alertRules"] = [
        {"id": "ocid1.alertrule.oc1..none", "type": "FORECAST", "threshold": 90, "recipients": ""}
    ]
    result = scan(estate, ["cost.budget_alert"], monkeypatch)
    assert result.status("budget.alert_rules") == {"ok"}
    assert result.one("cost.budget_alert", "alertrule.oc1..team") == {
        "budget_scoped": False,
        "forecast": False,
        "threshold": 50,
        "recipients": 3,
        "team_recipients": 2,
    }
    # a rule without recipients was read: none, not unknown; a tag budget is a scoped one
    assert result.one("cost.budget_alert", "alertrule.oc1..none") == {
        "budget_scoped": True,
        "forecast": True,
        "threshold": 90,
        "recipients": 0,
        "team_recipients": 0,
    }


def test_budget_alert_rules_refused_are_unknown_not_none(monkeypatch: pytest.MonkeyPatch) -> None:
    estate = _estate()
    estate.deny_path("/20190111/budgets/ocid1.budget.oc1..team/alertRules")
    result = scan(estate, ["cost.budget_alert"], monkeypatch)
    assert result.status("budget.alert_rules") == {"denied"}  # the population is incomplete, not smaller
    # the other budget's alerts are still read
    assert sorted(f.resource_id.rsplit(".", 1)[-1] for f in result.of("cost.budget_alert")) == ["actual", "forecast", "team"]


def test_alarms_logs_and_audit(monkeypatch: pytest.MonkeyPatch) -> None:
    result = scan(_estate(), ["monitoring.alarm", "logging.log_group", "audit.trail"], monkeypatch)
    cpu, orders = result.one("monitoring.alarm", "cpu"), result.one("monitoring.alarm", "orders")
    assert (cpu["has_actions"], cpu["custom_metric"]) == (True, False)
    assert (orders["has_actions"], orders["custom_metric"], orders["namespace"]) == (False, True, "shop_app")
    assert result.one("logging.log_group", "loggroup.oc1..app") == {"never_expires": False, "retention_days": 90}
    assert result.one("logging.log_group", "audit-log")["retention_days"] == 365
    trail = result.one("audit.trail", "audit")
    assert trail["multi_region"] is True and trail["logging"] is True
    # the Audit API can neither alter nor delete an event: the log is tamper-proof for its retention, by design
    assert trail["log_validation"] is True and trail["destination_locked"] is True


def test_network(monkeypatch: pytest.MonkeyPatch) -> None:
    result = scan(_estate(), ["network.security_group", "network.vpc", "network.remote_access"], monkeypatch)
    default = result.one("network.security_group", "securitylist.oc1..default")
    assert default == {"in_use": True, "open_to_internet": True, "admin_ports_open": True, "is_default": True}
    web = result.one("network.security_group", "securitylist.oc1..web")
    assert (web["in_use"], web["open_to_internet"], web["admin_ports_open"], web["is_default"]) == (True, True, False, False)
    spare = result.one("network.security_group", "securitylist.oc1..spare")
    assert (spare["in_use"], spare["open_to_internet"]) == (False, False)
    nsg = result.one("network.security_group", "networksecuritygroup")
    assert (nsg["in_use"], nsg["admin_ports_open"]) == (True, True)
    # no flow log on the VCN and none of its subnets listed: no flow logs
    assert result.one("network.vpc", "vcn.oc1..main") == {"is_default": False, "flow_logs": False}
    assert result.one("network.remote_access", "bastion") == {"kind": "bastion", "identity_aware": True}


def test_cloud_guard(monkeypatch: pytest.MonkeyPatch) -> None:
    result = scan(_estate(), ["security.service"], monkeypatch)
    # Cloud Guard is OCI's threat detector and its posture service: one fact of each neutral kind
    for kind in ("threat_detection", "posture"):
        guard = result.one("security.service", f"cloud-guard/{kind}")
        assert guard == {
            "service": "cloud_guard",
            "kind": kind,
            "enabled": True,
            "organization_managed": True,
            "auto_enable": True,
            "coverage": ["COMPARTMENT"],
        }


def test_cloud_guard_refused_is_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    estate = _estate()
    estate.deny_path("/20200131/")
    result = scan(estate, ["security.service"], monkeypatch)
    guard = [f for f in result.of("security.service") if f.attributes["service"] == "cloud_guard"]
    assert guard == [] and result.status("cloudguard.configuration") == {"denied"}


def _cloud_guard_recipes(estate: Estate) -> Estate:
    """The root target (id t) with a configuration and an activity detector recipe and a responder recipe."""
    estate.data["objects"]["20200131/targets"]["items"][0]["lifecycleState"] = "ACTIVE"
    target = "/20200131/targets/t"
    detector = f"{target}/targetDetectorRecipes"
    estate.single(
        detector,
        {"items": [{"id": "cfg", "detector": "IAAS_CONFIGURATION_DETECTOR"}, {"id": "act", "detector": "IAAS_ACTIVITY_DETECTOR"}]},
        region=None,
    )
    estate.single(
        f"{detector}/cfg/detectorRules",
        {
            "items": [
                {"id": "BUCKET_IS_PUBLIC", "displayName": "Bucket is public", "detectorDetails": {"isEnabled": True}},
                {"id": "INSTANCE_PUBLIC_IP", "displayName": "Instance has a public IP", "detectorDetails": {"isEnabled": False}},
            ]
        },
        region=None,
    )
    responder = f"{target}/targetResponderRecipes"
    estate.single(responder, {"items": [{"id": "resp"}]}, region=None)
    estate.single(
        f"{responder}/resp/responderRules",
        {
            "items": [
                {"id": "MAKE_BUCKET_PRIVATE", "type": "REMEDIATION", "details": {"isEnabled": True, "mode": "AUTOACTION"}},
                {"id": "STOP_INSTANCE", "type": "REMEDIATION", "details": {"isEnabled": True, "mode": "USERACTION"}},
                {"id": "OFF", "type": "REMEDIATION", "details": {"isEnabled": False, "mode": "AUTOACTION"}},
                {"id": "CLOUD_EVENT", "type": "NOTIFICATION", "details": {"isEnabled": True, "mode": "AUTOACTION"}},
            ]
        },
        region=None,
    )
    return estate


CLOUD_GUARD_RULES = ["config.recorder", "config.rule", "config.remediation"]


def test_cloud_guard_recipes_as_recorder_rules_and_remediations(monkeypatch: pytest.MonkeyPatch) -> None:
    result = scan(_cloud_guard_recipes(_estate()), CLOUD_GUARD_RULES, monkeypatch)
    # the configuration detectors on the root target record every supported type, IAM (root compartment) included
    assert result.one("config.recorder", "cloud-guard") == {"recording": True, "all_supported": True, "include_global": True}
    # the enabled rules of the configuration recipe only (activity detectors check actions, not configuration)
    assert [f.attributes for f in result.of("config.rule")] == [
        {"name": "Bucket is public", "source": "managed", "identifier": "BUCKET_IS_PUBLIC", "conformance_pack": True}
    ]
    # enabled remediation responders; automatic when they act by themselves
    assert sorted((f.attributes["identifier"], f.attributes["automatic"]) for f in result.of("config.remediation")) == [
        ("MAKE_BUCKET_PRIVATE", True),
        ("STOP_INSTANCE", False),
    ]


def test_cloud_guard_records_every_scanned_region(monkeypatch: pytest.MonkeyPatch) -> None:
    estate = Estate(regions=(LONDON, FRANKFURT))
    estate.single("/20200131/configuration", {"reportingRegion": LONDON, "status": "ENABLED"}, region=None)
    target = {"id": "t", "compartmentId": TENANCY, "targetResourceType": "COMPARTMENT", "targetResourceId": TENANCY}
    estate.single("/20200131/targets", {"items": [target]}, region=None)
    result = scan(_cloud_guard_recipes(estate), ["config.recorder"], monkeypatch)
    # one recorder per account-region, as the rules weigh recording against the regions in use
    assert sorted(f.region for f in result.of("config.recorder") if f.attributes["recording"]) == [FRANKFURT, LONDON]


def test_one_answer_read_by_two_collectors_gives_each_its_own_items(monkeypatch: pytest.MonkeyPatch) -> None:
    # Cloud Guard's configuration is sent once for the services (two items from it) and the recorder (one)
    result = scan(_cloud_guard_recipes(_estate()), ["security.service", "config.recorder"], monkeypatch)
    assert len(result.of("config.recorder")) == 1
    assert len([f for f in result.of("security.service") if f.attributes["service"] == "cloud_guard"]) == 2
    assert sum(1 for r in result.log if r["path"].endswith("/20200131/configuration")) == 1


def test_cloud_guard_without_a_configuration_recipe_is_not_recording(monkeypatch: pytest.MonkeyPatch) -> None:
    estate = _estate()  # a target whose recipes the estate leaves out: an empty list, as OCI answers
    estate.data["objects"]["20200131/targets"]["items"][0]["lifecycleState"] = "ACTIVE"
    result = scan(estate, CLOUD_GUARD_RULES, monkeypatch)
    assert result.one("config.recorder", "cloud-guard") == {"recording": False, "all_supported": False, "include_global": False}
    assert result.of("config.rule") == [] and result.status("cloudguard.detector_rules") == {"ok"}


def test_cloud_guard_recipes_refused_are_unknown_not_none(monkeypatch: pytest.MonkeyPatch) -> None:
    estate = _cloud_guard_recipes(_estate())
    estate.deny_path("/20200131/targets/t/")
    result = scan(estate, CLOUD_GUARD_RULES, monkeypatch)
    # the recorder is read, but whether it records is not known: never "off"
    recorder = result.one("config.recorder", "cloud-guard")
    assert recorder.get("recording") is None and recorder.get("include_global") is None
    assert result.of("config.rule") == [] and result.status("cloudguard.detector_rules") == {"denied"}
    assert result.of("config.remediation") == [] and result.status("cloudguard.responder_rules") == {"denied"}


def test_vault_keys_and_rotation(monkeypatch: pytest.MonkeyPatch) -> None:
    estate = Estate()
    app = estate.compartment("app")
    estate.add(
        "/20180608/vaults",
        {
            "id": "ocid1.vault.oc1..v",
            "displayName": "main",
            "vaultType": "DEFAULT",
            "managementEndpoint": "https://v-management.kms.uk-london-1.oraclecloud.com",
        },
        compartment=app,
    )
    estate.add(
        "/20180608/keys",
        {
            "id": "ocid1.key.oc1..rotated",
            "vaultId": "ocid1.vault.oc1..v",
            "lifecycleState": "ENABLED",
            "protectionMode": "HSM",
            "isAutoRotationEnabled": True,
        },
        compartment=app,
    )
    estate.add(
        "/20180608/keys",
        {
            "id": "ocid1.key.oc1..manual",
            "vaultId": "ocid1.vault.oc1..v",
            "lifecycleState": "ENABLED",
            "protectionMode": "SOFTWARE",
            "isAutoRotationEnabled": False,
        },
        compartment=app,
    )
    result = scan(estate, ["crypto.key"], monkeypatch)
    assert result.one("crypto.key", "key.oc1..rotated") == {
        "customer_managed": True,
        "rotation_enabled": True,
        "state": "Enabled",
        "hsm": True,
    }
    assert result.one("crypto.key", "key.oc1..manual")["rotation_enabled"] is False
    assert {f.scope for f in result.of("crypto.key")} == {app}


def test_refused_key_listing_is_an_incomplete_population(monkeypatch: pytest.MonkeyPatch) -> None:
    estate = Estate()
    app = estate.compartment("app")
    estate.add("/20180608/vaults", {"id": "ocid1.vault.oc1..v", "managementEndpoint": "https://x"}, compartment=app)
    estate.deny_path("/20180608/keys")
    result = scan(estate, ["crypto.key"], monkeypatch)
    assert result.of("crypto.key") == [] and result.status("kms.keys") == {"denied"}


def test_event_rules_route_security_findings(monkeypatch: pytest.MonkeyPatch) -> None:
    """An Events rule on Cloud Guard problems with a notification action is a security-event route; one on
    instance launches is not; a refused GetRule leaves only the targets unknown."""
    estate = Estate()
    app = estate.compartment("app")
    for name, condition in (
        ("problems", '{"eventType": ["com.oraclecloud.cloudguard.problemdetected"]}'),
        ("launches", '{"eventType": ["com.oraclecloud.computeapi.launchinstance.end"]}'),
    ):
        rid = f"ocid1.eventrule.oc1..{name}"
        estate.add("/20181201/rules", {"id": rid, "condition": condition, "isEnabled": True}, compartment=app, search_type="EventRule")
        actions = {"actions": [{"actionType": "ONS", "isEnabled": True, "topicId": "ocid1.onstopic.oc1..sec"}]}
        estate.single(f"/20181201/rules/{rid}", {"id": rid, "condition": condition, "actions": actions})
    result = scan(estate, ["monitoring.event_rule"], monkeypatch)
    assert result.one("monitoring.event_rule", "problems") == {"security_events": True, "targets": 1}
    assert result.one("monitoring.event_rule", "launches") == {"security_events": False, "targets": 1}
    estate.deny_path("/20181201/rules/ocid1")
    result = scan(estate, ["monitoring.event_rule"], monkeypatch)
    assert result.one("monitoring.event_rule", "problems") == {"security_events": True, "targets": None}
    assert result.status("events.rules/GetRule") == {"denied"}


def test_vault_secrets_rotation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Metadata only: scheduled rotation every 30 days, and a secret never rotated (its age since creation)."""
    estate = Estate()
    app = estate.compartment("app")
    rotating = {"isScheduledRotationEnabled": True, "rotationInterval": "P30D"}
    estate.add(
        "/20180608/secrets",
        {"id": "ocid1.vaultsecret.oc1..db", "rotationConfig": rotating, "lastRotationTime": "2026-01-01T00:00:00Z"},
        compartment=app,
        search_type="VaultSecret",
    )
    estate.add("/20180608/secrets", {"id": "ocid1.vaultsecret.oc1..api"}, compartment=app, search_type="VaultSecret")
    result = scan(estate, ["secrets.secret"], monkeypatch)
    db = result.one("secrets.secret", "vaultsecret.oc1..db")
    assert (db["rotation_enabled"], db["rotation_days"], db["kms_customer_key"]) == (True, 30, True)
    api = result.one("secrets.secret", "vaultsecret.oc1..api")
    assert api["rotation_enabled"] is False and api["rotation_days"] is None and api["unrotated_days"] >= 0
    assert all("secretbundles" not in r["path"].lower() for r in result.log)  # values are never read


def test_resource_manager_stacks_and_drift(monkeypatch: pytest.MonkeyPatch) -> None:
    estate = Estate()
    app = estate.compartment("app")
    for name, drift in (("network", "DRIFTED"), ("apps", None)):
        sid = f"ocid1.ormstack.oc1..{name}"
        estate.add("/20180917/stacks", {"id": sid, "lifecycleState": "ACTIVE"}, compartment=app, search_type="OrmStack")
        estate.single(f"/20180917/stacks/{sid}", {"id": sid, **({"stackDriftStatus": drift} if drift else {})})
    result = scan(estate, ["iac.stack"], monkeypatch)
    assert result.one("iac.stack", "network") == {"status": "ACTIVE", "drift_status": "DRIFTED"}
    assert result.one("iac.stack", "apps") == {"status": "ACTIVE", "drift_status": "NOT_CHECKED"}
    estate.deny_path("/20180917/stacks/ocid1")
    result = scan(estate, ["iac.stack"], monkeypatch)
    assert result.one("iac.stack", "network") == {"status": "ACTIVE", "drift_status": None}


def test_tenancy_as_the_organisation(monkeypatch: pytest.MonkeyPatch) -> None:
    estate = Estate()
    estate.compartment("platform")
    estate.compartment("prod", "platform")
    estate.compartment("web", "prod")
    estate.compartment("sandbox")
    estate.deny("sandbox")  # listed with accessLevel=ANY whatever the caller may read: still a compartment
    result = scan(estate, ["org.organization"], monkeypatch)
    assert result.one("org.organization", TENANCY) == {"all_features": True, "accounts": 5, "ous": 2}


def test_tenancy_tree_refused_is_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    estate = Estate()
    estate.compartment("platform")
    estate.data["faults"]["deny"].append({"operation": "identity.compartments.list"})
    # the plan reads the tree first: without it there is no scan at all, never an organisation of one compartment
    with pytest.raises(UserError):
        scan(estate, ["org.organization"], monkeypatch)


def _log_metrics() -> Estate:
    estate = Estate()
    app = estate.compartment("app")
    estate.add(
        "/20180401/alarms",
        {
            "id": "ocid1.alarm.oc1..errors",
            "namespace": "app_logs",
            "query": "error_count[1m].sum() > 0",
            "destinations": ["ocid1.onstopic.oc1..oncall"],
            "isEnabled": True,
        },
        compartment=app,
    )
    connectors = {
        "errors": ({"kind": "logging", "logSources": [{"compartmentId": app, "logGroupId": "ocid1.loggroup.oc1..app"}]}, "error_count"),
        "audit": ({"kind": "logging", "logSources": [{"compartmentId": TENANCY, "logGroupId": "_Audit"}]}, "policy_changes"),
    }
    for name, (source, metric) in connectors.items():
        target = {"kind": "monitoring", "compartmentId": app, "metricNamespace": "app_logs", "metric": metric}
        estate.add(
            "/20200909/serviceConnectors",
            {"id": f"ocid1.serviceconnector.oc1..{name}", "source": source, "target": target},
            compartment=app,
        )
    # a connector that archives logs to a bucket derives no metric
    estate.add(
        "/20200909/serviceConnectors",
        {
            "id": "ocid1.serviceconnector.oc1..archive",
            "source": {"kind": "logging", "logSources": [{"logGroupId": "_Audit"}]},
            "target": {"kind": "objectStorage"},
        },
        compartment=app,
    )
    return estate


def test_log_metrics_from_service_connectors(monkeypatch: pytest.MonkeyPatch) -> None:
    result = scan(_log_metrics(), ["monitoring.metric_filter"], monkeypatch)
    assert result.status("sch.log_metrics") == {"ok"}
    assert result.one("monitoring.metric_filter", "serviceconnector.oc1..errors") == {
        "log_group": "ocid1.loggroup.oc1..app",
        "audit_log": False,
        "organization_audit_log": False,  # no Audit source: it receives no organisation's trail
        "alarmed": True,
    }
    # whether an Audit source spans every compartment is not read: unknown, never "no"
    assert result.one("monitoring.metric_filter", "serviceconnector.oc1..audit") == {
        "log_group": "_Audit",
        "audit_log": True,
        "organization_audit_log": None,
        "alarmed": False,
    }
    assert not [f for f in result.of("monitoring.metric_filter") if "archive" in f.resource_id]


def test_log_metrics_refused_are_unknown_not_none(monkeypatch: pytest.MonkeyPatch) -> None:
    estate = _log_metrics()
    estate.deny_path("/20200909/serviceConnectors/ocid1.serviceconnector.oc1..audit")
    estate.deny_path("/20180401/alarms")
    result = scan(estate, ["monitoring.metric_filter"], monkeypatch)
    # a connector whose details are refused may derive a metric: kept, every attribute unknown
    assert set(result.one("monitoring.metric_filter", "serviceconnector.oc1..audit").values()) == {None}
    # alarms refused: whether the metric is watched is unknown, never "no"
    errors = result.one("monitoring.metric_filter", "serviceconnector.oc1..errors")
    assert errors.get("alarmed") is None and errors["audit_log"] is False
    assert result.status("sch.log_metrics/GetServiceConnector") == {"denied"}


def _protection_policies() -> Estate:
    estate = Estate()
    data = estate.compartment("data")
    policies = {
        "locked": "2026-01-01T00:00:00Z",  # in force
        "pending": "2099-01-01T00:00:00Z",  # scheduled: can still be removed
        "open": None,
    }
    for name, lock in policies.items():
        estate.add(
            "/20210216/protectionPolicies",
            {"id": f"ocid1.recoveryservicepolicy.oc1..{name}", "isPredefinedPolicy": False, "policyLockedDateTime": lock},
            compartment=data,
        )
    estate.add("/20210216/protectionPolicies", {"id": "ocid1.recoveryservicepolicy.oc1..gold", "isPredefinedPolicy": True})
    return estate


def test_recovery_protection_policies_as_backup_vaults(monkeypatch: pytest.MonkeyPatch) -> None:
    result = scan(_protection_policies(), ["storage.backup_vault"], monkeypatch)
    assert result.status("recovery.protection_policies") == {"ok"}
    assert result.one("storage.backup_vault", "..locked") == {"locked": True, "lock_mode": "compliance"}
    assert result.one("storage.backup_vault", "..pending") == {"locked": False, "lock_mode": "none"}
    assert result.one("storage.backup_vault", "..open") == {"locked": False, "lock_mode": "none"}
    assert not [f for f in result.of("storage.backup_vault") if "gold" in f.resource_id]  # Oracle's own: not a choice


def test_recovery_protection_policies_refused_are_unknown_not_none(monkeypatch: pytest.MonkeyPatch) -> None:
    estate = _protection_policies()
    estate.deny("data")
    result = scan(estate, ["storage.backup_vault"], monkeypatch)
    # the denied compartment's coverage says so: its locks are unknown, never "none"
    denied = {c.scope for c in result.coverage if c.collector == "recovery.protection_policies" and c.status == "denied"}
    assert result.of("storage.backup_vault") == [] and cid("data") in denied
