"""Golden OCI tenancies for the questions a rich OCI estate answers as a rich AWS estate does (issue #14): a week
of Audit events, team budgets, Security Zones with Cloud Guard, canary releases, build alarms, the Audit log, and
the independently deployable parts. Each expected level is read off the level text quoted in the docstring; a
refused read leaves the question unknown, never lower."""

from __future__ import annotations

from typing import Any

from cmm_scan.engine import evaluate
from cmm_scan.factcatalogue import not_held_by
from cmm_scan.models import QuestionResult
from cmm_scan.rules import fact_plan
from tests.oci.golden import V, answer, explain, instance, pool
from tests.oci.support import TENANCY, Estate, scan
from tests.support.estate import Estate as Snapshot
from tests.support.estate import _all_rules

AUDIT = "/20190901/auditEvents"


def answer_as_scanned(estate: Estate, rule_id: str, monkeypatch, tmp_path) -> QuestionResult:  # type: ignore[no-untyped-def]
    """As `answer`, with the header `cmm-scan collect oci` writes: the kinds OCI cannot hold are declared not held."""
    (rule,) = [r for r in _all_rules(()) if r.id == rule_id]
    plan = fact_plan([rule])
    collected = scan(estate, plan, monkeypatch)
    snapshot = Snapshot(provider="oci")
    snapshot.facts, snapshot.coverage = collected.facts, collected.coverage
    path = snapshot.write(tmp_path / "oci.snapshot.jsonl", not_held=not_held_by("oci", plan))
    (result,) = evaluate(path, [rule]).results
    return result


def _event(estate: Estate, compartment: str, n: int, *, auth: str, agent: str, principal: str, console: bool = False) -> None:
    estate.add(
        AUDIT,
        {
            "id": f"ocid1.auditevent.oc1..e{n}",
            "eventType": "com.oraclecloud.ComputeApi.UpdateInstancePool",
            "source": "ComputeApi",
            "eventTime": "2026-11-30T10:00:00Z",
            "data": {
                "compartmentId": compartment,
                "request": {"action": "PUT"},
                "identity": {
                    "authType": auth,
                    "userAgent": agent,
                    "principalName": principal,
                    "consoleSessionId": "csid" if console else None,
                },
            },
        },
        compartment=compartment,
    )


def _busy_week(pipeline_terraform: int, console: int) -> Estate:
    """Two team compartments, each changed this week by a DevOps build pipeline (a resource principal) applying
    Terraform and, `console` times each, by a person in the console."""
    estate = Estate()
    n = 0
    for name in ("web", "data"):
        compartment = estate.compartment(name)
        for _ in range(pipeline_terraform):
            n += 1
            _event(
                estate,
                compartment,
                n,
                auth="res",
                agent="Terraform/1.9.5 oci-go-sdk/65",
                principal=f"ocid1.devopsbuildpipeline.oc1..{name}",
            )
        for _ in range(console):
            n += 1
            _event(estate, compartment, n, auth="natv", agent="Mozilla/5.0 Oracle-Console", principal="ada@example.gov.uk", console=True)
    return estate


# --- a week of Audit events: gov.provisioning, gov.environment_mgmt, ops.cicd ---------------------------------------


def test_provisioning_by_pipelines_in_every_team_compartment_is_level_4(monkeypatch, tmp_path) -> None:
    """Level 4, 'Most teams use automation to set up cloud services.': in both team compartments a pipeline applying
    Terraform made 20 of the week's 22 writes; the two console changes keep level 5, 'All cloud services are set
    up by CI/CD pipelines.', out."""
    result = answer(_busy_week(pipeline_terraform=20, console=2), "gov.provisioning", monkeypatch, tmp_path)
    assert result.status == "suggested" and result.answer == 4, explain(result)


def test_environment_managed_by_code_with_a_few_console_changes_is_level_4(monkeypatch, tmp_path) -> None:
    """Level 4, 'Most things are standardised and automated. We often review and make improvements.': 40 of 44
    writes came from Terraform; four console changes (and no drift-checked stack) keep level 5, 'Everything is
    automated using code and we get alerts if anything changes unexpectedly.', out."""
    result = answer(_busy_week(pipeline_terraform=20, console=2), "gov.environment_mgmt", monkeypatch, tmp_path)
    assert result.answer == 4, explain(result)


def test_every_active_compartment_changed_by_pipelines_is_ci_cd_level_4(monkeypatch, tmp_path) -> None:
    """Level 4, 'Nearly all teams use CI/CD, but tools and processes vary.': CI/CD identities made most of the writes
    in every compartment with real activity (whether everyone shares one process, level 5, is not shown)."""
    result = answer(_busy_week(pipeline_terraform=20, console=2), "ops.cicd", monkeypatch, tmp_path)
    assert result.answer == 4 and 4 in result.possible_levels, explain(result)


def test_a_quiet_week_is_not_applicable_but_refused_audit_events_are_unknown(monkeypatch, tmp_path) -> None:
    """No write at all in the week is the rule's own 'nothing to assess'; refused Audit events are "I don't know":
    neither not applicable nor any level."""
    quiet = answer(_busy_week(pipeline_terraform=0, console=0), "gov.provisioning", monkeypatch, tmp_path / "quiet")
    assert quiet.status == "not_applicable", explain(quiet)
    refused = _busy_week(pipeline_terraform=20, console=2)
    refused.deny_path(AUDIT)
    for rule in ("gov.provisioning", "gov.environment_mgmt", "ops.cicd"):
        result = answer(refused, rule, monkeypatch, tmp_path / rule)
        assert result.status != "not_applicable" and result.answer == 0, explain(result)


# --- cost.spend: team budgets alerting engineers --------------------------------------------------------------------


def _budgets() -> Estate:
    estate = Estate()
    web = estate.compartment("web")
    for bid, target, recipients in (
        ("dept", TENANCY, "finance@example.gov.uk"),
        ("web", web, "web-team@example.gov.uk, finance@example.gov.uk"),
    ):
        estate.add(
            "/20190111/budgets",
            {"id": f"ocid1.budget.oc1..{bid}", "displayName": bid, "targetType": "COMPARTMENT", "targets": [target], "amount": 1000},
            region=None,
        )
        estate.single(
            f"/20190111/budgets/ocid1.budget.oc1..{bid}/alertRules",
            [{"id": f"ocid1.alertrule.oc1..{bid}", "type": "FORECAST", "threshold": 90, "recipients": recipients}],
            region=None,
        )
    return estate


def test_a_team_budget_alerting_its_engineers_shows_level_4(monkeypatch, tmp_path) -> None:
    """At least level 4, 'Developers can see and consider costs.': the web compartment's budget alerts the web team,
    not only finance."""
    result = answer(_budgets(), "cost.spend", monkeypatch, tmp_path)
    assert result.status == "floor" and result.answer == 4, explain(result)


def test_refused_alert_rules_leave_cost_spend_unknown(monkeypatch, tmp_path) -> None:
    """ "I don't know": who the budgets alert cannot be read."""
    estate = _budgets()
    estate.deny_path("/20190111/budgets/ocid1.budget.oc1..web/alertRules", "/20190111/budgets/ocid1.budget.oc1..dept/alertRules")
    result = answer(estate, "cost.spend", monkeypatch, tmp_path)
    assert result.answer == 0, explain(result)


# --- gov.policy_enforcement: Security Zones, Cloud Guard rules and responders ---------------------------------------

ROOT_TARGET = "ocid1.cloudguardtarget.oc1..root"


def _guarded() -> Estate:
    estate = Estate()
    prod = estate.compartment("prod")
    estate.add(
        "/20200131/securityZones",
        {"id": "ocid1.securityzone.oc1..prod", "displayName": "prod", "securityZoneRecipeId": "ocid1.securityzonerecipe.oc1..max"},
        compartment=prod,
        region=None,
    )
    estate.single("/20200131/configuration", {"reportingRegion": "uk-london-1", "status": "ENABLED"}, region=None)
    estate.single(
        "/20200131/targets",
        {
            "items": [
                {
                    "id": ROOT_TARGET,
                    "compartmentId": TENANCY,
                    "targetResourceType": "COMPARTMENT",
                    "targetResourceId": TENANCY,
                    "lifecycleState": "ACTIVE",
                }
            ]
        },
        region=None,
    )
    recipe = "ocid1.cloudguardtargetdetectorrecipe.oc1..config"
    estate.single(
        f"/20200131/targets/{ROOT_TARGET}/targetDetectorRecipes",
        {"items": [{"id": recipe, "detector": "IAAS_CONFIGURATION_DETECTOR", "owner": "ORACLE", "lifecycleState": "ACTIVE"}]},
        region=None,
    )
    estate.single(
        f"/20200131/targets/{ROOT_TARGET}/targetDetectorRecipes/{recipe}/detectorRules",
        {"items": [{"id": "BUCKET_IS_PUBLIC", "detector": "IAAS_CONFIGURATION_DETECTOR", "detectorDetails": {"isEnabled": True}}]},
        region=None,
    )
    responder = "ocid1.cloudguardtargetresponderrecipe.oc1..respond"
    estate.single(f"/20200131/targets/{ROOT_TARGET}/targetResponderRecipes", {"items": [{"id": responder, "owner": "ORACLE"}]}, region=None)
    estate.single(
        f"/20200131/targets/{ROOT_TARGET}/targetResponderRecipes/{responder}/responderRules",
        {"items": [{"id": "MAKE_BUCKET_PRIVATE", "type": "REMEDIATION", "details": {"isEnabled": True, "mode": "AUTOACTION"}}]},
        region=None,
    )
    return estate


def test_security_zone_and_cloud_guard_show_policy_enforced_by_technology(monkeypatch, tmp_path) -> None:
    """At least level 4, 'Technology is used to apply policies.': prod is a Security Zone (a preventive guardrail)
    and Cloud Guard checks the whole tenancy. Cloud Guard has no standards to subscribe to (not held by OCI), so
    their absence is no gap; whether people sign off exceptions (level 5) stays for a person."""
    result = answer_as_scanned(_guarded(), "gov.policy_enforcement", monkeypatch, tmp_path)
    assert result.status == "floor" and result.answer == 4, explain(result)


# --- ops.release: a canary that shifts users by itself --------------------------------------------------------------


def _canary(container_instance: bool = False) -> Estate:
    estate = Estate()
    app = estate.compartment("app")
    pid = "ocid1.devopsdeploypipeline.oc1..shop"
    estate.add("/20210630/deployPipelines", {"id": pid, "displayName": "shop"}, compartment=app, search_type="DevopsDeployPipeline")
    stages: list[dict[str, Any]] = [
        {"deployStageType": "OKE_CANARY_DEPLOYMENT", "rollbackPolicy": {"policyType": "AUTOMATED_STAGE_ROLLBACK_POLICY"}},
        {"deployStageType": "OKE_CANARY_TRAFFIC_SHIFT"},
    ]
    for n, stage in enumerate(stages):
        estate.add(
            "/20210630/deployStages",
            {"id": f"ocid1.devopsdeploystage.oc1..s{n}", "deployPipelineId": pid, **stage},
            compartment=app,
            search_type="DevopsDeployStage",
        )
    if container_instance:
        estate.add(
            "/20210415/containerInstances",
            {"id": "ocid1.computecontainerinstance.oc1..worker", "displayName": "worker", "containerCount": 1},
            compartment=app,
            search_type="ContainerInstance",
            items_key="items",
        )
    return estate


def test_canary_that_shifts_users_by_itself_is_at_least_level_4(monkeypatch, tmp_path) -> None:
    """At least level 4, 'We use canary or blue/green releases, usually without maintenance windows.': the release
    is a canary whose traffic shift waits for nobody. OCI DevOps rolls a stage back when it fails, never on an
    alarm, so level 5's 'roll back when an alarm fires' is not shown; a container instance beside it (released by
    whatever replaces it, outside OCI) is shown but not classified, and leaves nothing unread."""
    for with_container in (False, True):
        result = answer(_canary(with_container), "ops.release", monkeypatch, tmp_path / str(with_container))
        assert result.status == "floor" and result.answer == 4, explain(result)


def test_refused_deploy_stages_leave_the_release_unknown_not_lower(monkeypatch, tmp_path) -> None:
    """ "I don't know": the stages that say how the pipeline releases cannot be read."""
    estate = _canary()
    estate.deny_path("/20210630/deployStages")
    result = answer(estate, "ops.release", monkeypatch, tmp_path)
    assert result.answer == 0, explain(result)


# --- ops.build_speed: fast builds, watched by an alarm --------------------------------------------------------------


def _builds(alarm_namespace: str) -> Estate:
    from datetime import UTC, datetime, timedelta

    estate = Estate()
    app = estate.compartment("app")
    build = "ocid1.devopsbuildpipeline.oc1..shop"
    estate.add("/20210630/buildPipelines", {"id": build, "displayName": "shop"}, compartment=app, search_type="DevopsBuildPipeline")
    estate.add(
        "/20210630/buildPipelineStages",
        {"id": "ocid1.devopsbuildstage.oc1..b", "buildPipelineId": build, "buildPipelineStageType": "BUILD", "buildTimeoutInSeconds": 3600},
        compartment=app,
        search_type="DevopsBuildPipelineStage",
    )
    started = datetime.now(UTC) - timedelta(days=2)
    for n in range(3):
        progress = {"timeStarted": started.isoformat(), "timeFinished": (started + timedelta(minutes=8)).isoformat()}
        estate.add(
            "/20210630/buildRuns",
            {
                "id": f"ocid1.devopsbuildrun.oc1..r{n}",
                "buildPipelineId": build,
                "buildRunProgressSummary": progress,
                "lifecycleState": "SUCCEEDED",
            },
            compartment=app,
            search_type="DevopsBuildRun",
        )
    estate.add(
        "/20180401/alarms",
        {
            "id": "ocid1.alarm.oc1..builds",
            "displayName": "slow-builds",
            "namespace": alarm_namespace,
            "query": "BuildRunDuration[1h].max() > 1800",
            "destinations": ["ocid1.onstopic.oc1..platform"],
            "isEnabled": True,
        },
        compartment=app,
        search_type="Alarm",
    )
    return estate


def test_fast_builds_watched_by_a_devops_alarm_show_level_3(monkeypatch, tmp_path) -> None:
    """At least level 3, 'Reasonably fast and we do some monitoring.': the build pipeline's runs take eight minutes
    and an alarm on the DevOps build metrics (namespace oci_devops_build) notifies the platform team. The same alarm
    on an application namespace watches no build: the level stays open."""
    watched = answer(_builds("oci_devops_build"), "ops.build_speed", monkeypatch, tmp_path / "watched")
    assert watched.status == "floor" and watched.answer == 3, explain(watched)
    unwatched = answer(_builds("shop_app"), "ops.build_speed", monkeypatch, tmp_path / "unwatched")
    assert unwatched.answer == 0, explain(unwatched)


# --- sec.privileged_insider: the Audit log, threat detection and its findings routed --------------------------------


def test_audit_log_no_one_can_alter_with_cloud_guard_findings_routed_is_level_4(monkeypatch, tmp_path) -> None:
    """Level 4, 'Logs are stored centrally, are unchangeable, and are checked automatically.' (the rule's reading):
    OCI Audit records every region and compartment and no API call alters or deletes an event; Cloud Guard watches
    the root compartment and an Events rule sends its problems to a topic."""
    estate = _guarded()
    estate.single("/20190901/configuration", {"retentionPeriodDays": 365}, region=None)
    estate.single(f"{V}/authenticationPolicies/{TENANCY}", {"passwordPolicy": {"minimumPasswordLength": 14}}, region=None)
    estate.single("/20181201/configuration", {"isEnabled": False})  # Data Safe off: read, so not a gap
    problems = '{"eventType": ["com.oraclecloud.cloudguard.problemdetected"]}'
    estate.add(
        "/20181201/rules",
        {"id": "ocid1.eventrule.oc1..problems", "displayName": "problems", "isEnabled": True, "condition": problems},
        search_type="EventRule",
    )
    estate.single(
        "/20181201/rules/ocid1.eventrule.oc1..problems",
        {
            "id": "ocid1.eventrule.oc1..problems",
            "condition": problems,
            "actions": {"actions": [{"actionType": "ONS", "isEnabled": True, "topicId": "ocid1.onstopic.oc1..security"}]},
        },
    )
    result = answer(estate, "sec.privileged_insider", monkeypatch, tmp_path)
    assert result.answer == 4, explain(result)


# --- tech.stack: parts that run on their own ------------------------------------------------------------------------


def test_functions_and_a_cluster_outnumbering_vm_groups_show_level_3(monkeypatch, tmp_path) -> None:
    """At least level 3, 'Systems are made of parts that can run on their own, but they depend on each other a
    lot.': four functions and an OKE cluster against one instance pool."""
    estate = Estate()
    app = estate.compartment("app")
    for name in ("resize", "notify", "search", "ingest"):
        estate.add(
            "/20181201/functions",
            {"id": f"ocid1.fnfunc.oc1..{name}", "displayName": name},
            compartment=app,
            search_type="FunctionsFunction",
        )
    estate.add(
        "/20180222/clusters",
        {"id": "ocid1.cluster.oc1..k", "name": "k", "kubernetesVersion": "v1.31.1"},
        compartment=app,
        search_type="ClustersCluster",
    )
    members = [instance(estate, f"web{n}", app) for n in range(2)]
    pool(estate, "web", app, members, [])
    result = answer(estate, "tech.stack", monkeypatch, tmp_path)
    assert result.status == "floor" and result.answer == 3, explain(result)


# --- identity domains: the Default domain as the tenancy's identity centre ------------------------------------------

SCIM_USERS = "/admin/v1/Users"


def _domain_tenancy(provisioned: int = 2) -> Estate:
    """A tenancy with identity domains: its Default domain holds the three people the IAM user list returns (one an
    administrator with MFA); `provisioned` of them came from the department's directory by SCIM (an externalId)."""
    estate = Estate()
    estate.add(
        f"{V}/domains",
        {
            "id": "ocid1.domain.oc1..default",
            "displayName": "Default",
            "url": "https://idcs-golden.identity.oraclecloud.com:443",
            "type": "DEFAULT",
            "licenseType": "free",
        },
        region=None,
    )
    admins = f"ocid1.group.oc1..{'administrators'}"
    estate.add(f"{V}/groups", {"id": admins, "name": "Administrators"}, region=None)
    people = []
    for n, name in enumerate(("ada", "grace", "linus")):
        uid = f"ocid1.user.oc1..{name}"
        estate.add(
            f"{V}/users",
            {"id": uid, "name": f"{name}@example.gov.uk", "isMfaActivated": True, "capabilities": {"canUseConsolePassword": True}},
            region=None,
        )
        if name == "ada":
            estate.add(f"{V}/userGroupMemberships", {"id": "ocid1.groupmembership.oc1..ada", "userId": uid, "groupId": admins}, region=None)
        person: dict[str, Any] = {"id": f"scim{n}", "ocid": uid, "userName": f"{name}@example.gov.uk", "active": True}
        if n >= 3 - provisioned:
            person["externalId"] = f"entra-{name}"
        people.append(person)
    estate.single(
        SCIM_USERS,
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
            "totalResults": len(people),
            "startIndex": 1,
            "itemsPerPage": 1000,
            "Resources": people,
        },
        region=None,
    )
    estate.single("/20190901/configuration", {"retentionPeriodDays": 365}, region=None)
    return estate


def test_people_in_the_default_domain_use_a_central_identity_system(monkeypatch, tmp_path) -> None:
    """At least level 4, 'Nearly all services use our central system, and we keep them in sync.': every person signs
    in through the Default identity domain (counted once: the IAM user list is that domain's people, not local
    accounts beside it)."""
    result = answer(_domain_tenancy(), "sec.staff_identity", monkeypatch, tmp_path)
    assert result.status == "floor" and result.answer == 4, explain(result)


def test_default_domain_with_some_people_provisioned_is_user_provisioning_level_3(monkeypatch, tmp_path) -> None:
    """Level 3, 'We have standard ways of working with cloud systems and try to avoid services that won't work with
    this.': everyone is in the domain, but one of three was created by hand, so 'Identity management is automated.'
    (4) is not shown."""
    result = answer(_domain_tenancy(provisioned=2), "sec.user_provisioning", monkeypatch, tmp_path)
    assert result.answer == 3, explain(result)


def test_privileged_access_through_the_domain_shows_level_2(monkeypatch, tmp_path) -> None:
    """At least level 2, 'We use central controls for passwords and keys, with basic logging.': people sign in
    through the identity domain, the one administrator has MFA and no API key, and Audit logs every call."""
    result = answer(_domain_tenancy(), "sec.privileged_access", monkeypatch, tmp_path)
    assert result.status == "floor" and result.answer == 2, explain(result)


def test_csmm_iam_federation_consistent_with_a_secret_store_unread_stays_open(monkeypatch, tmp_path) -> None:
    """csmm.iam level 3 needs 'consistent federation' and the secret store; with the domain read and no Vault secret
    in the tenancy, level 1 ('no federation') is ruled out."""
    result = answer(_domain_tenancy(), "csmm.iam", monkeypatch, tmp_path)
    assert 1 not in result.possible_levels, explain(result)


def test_refused_domains_or_domain_users_are_unknown_not_lower(monkeypatch, tmp_path) -> None:
    """ "I don't know": when the domains cannot be listed, or their users cannot be read, nobody can say whether the
    people sign in centrally; the answer is not the local-accounts level."""
    for refused in (f"{V}/domains", SCIM_USERS):
        estate = _domain_tenancy()
        estate.deny_path(refused)
        result = answer(estate, "sec.staff_identity", monkeypatch, tmp_path / refused.strip("/").replace("/", "-"))
        assert result.answer == 0, explain(result)


# --- ops.deploy_qa: pipelines making the changes, a validated smoke test before users move --------------------------


def _tested_release(validated: bool) -> Estate:
    estate = _busy_week(pipeline_terraform=20, console=2)
    app = estate.compartment("app")
    pid = "ocid1.devopsdeploypipeline.oc1..shop"
    estate.add("/20210630/deployPipelines", {"id": pid, "displayName": "shop"}, compartment=app, search_type="DevopsDeployPipeline")
    stages: list[dict[str, Any]] = [
        {"deployStageType": "OKE_CANARY_DEPLOYMENT"},
        {"deployStageType": "INVOKE_FUNCTION", "isAsync": False, "isValidationEnabled": validated},
        {"deployStageType": "OKE_CANARY_TRAFFIC_SHIFT"},
    ]
    for n, stage in enumerate(stages):
        estate.add(
            "/20210630/deployStages",
            {"id": f"ocid1.devopsdeploystage.oc1..s{n}", "deployPipelineId": pid, **stage},
            compartment=app,
            search_type="DevopsDeployStage",
        )
    return estate


def test_pipelines_with_a_validated_smoke_test_show_deploy_qa_level_3(monkeypatch, tmp_path) -> None:
    """At least level 3, 'Integrated approach, with some automation and regular checks.': CI/CD identities made 40 of
    the week's 44 writes, and the deploy pipeline checks the canary with a validated function before users move.
    The same function with validation off is no check: the level stays open."""
    tested = answer(_tested_release(validated=True), "ops.deploy_qa", monkeypatch, tmp_path / "tested")
    assert tested.status == "floor" and tested.answer == 3, explain(tested)
    untested = answer(_tested_release(validated=False), "ops.deploy_qa", monkeypatch, tmp_path / "untested")
    assert untested.answer == 0 and 3 in untested.possible_levels, explain(untested)


def test_refused_deploy_stages_leave_deploy_qa_open(monkeypatch, tmp_path) -> None:
    """ "I don't know" whether the pipeline tests: its stages cannot be read (levels 1 and 2 stay ruled out by the
    pipelines' share of the changes, never a lower level)."""
    estate = _tested_release(validated=True)
    estate.deny_path("/20210630/deployStages")
    result = answer(estate, "ops.deploy_qa", monkeypatch, tmp_path)
    assert result.answer == 0 and 1 not in result.possible_levels, explain(result)


# --- ops.monitoring: alarms into the application, and a dashboard that shows it -------------------------------------


def _monitored(dashboard_widgets: list[dict[str, Any]] | None) -> Estate:
    estate = Estate()
    app = estate.compartment("app")
    for n, namespace in enumerate(("shop_orders", "oci_lbaas", "oci_computeagent", "oci_autonomous_database", "oci_devops_build")):
        estate.add(
            "/20180401/alarms",
            {
                "id": f"ocid1.alarm.oc1..a{n}",
                "displayName": f"alarm{n}",
                "namespace": namespace,
                "query": "Metric[5m].mean() > 1",
                "destinations": ["ocid1.onstopic.oc1..oncall"],
                "isEnabled": True,
            },
            compartment=app,
            search_type="Alarm",
        )
    if dashboard_widgets is not None:
        group, dashboard = "ocid1.consoledashboardgroup.oc1..app", "ocid1.dashboard.oc1..shop"
        estate.add("/20210731/dashboardGroups", {"id": group, "displayName": "app"}, compartment=app)
        estate.add("/20210731/dashboards", {"id": dashboard, "displayName": "shop", "dashboardGroupId": group}, compartment=app)
        estate.single(f"/20210731/dashboards/{dashboard}", {"id": dashboard, "schemaVersion": "V1", "widgets": dashboard_widgets})
    return estate


APP_WIDGET = {"displayName": "Checkout latency", "type": "metrics", "namespace": "shop_orders", "query": "Latency[5m].mean()"}


def test_alarms_and_a_dashboard_on_application_metrics_show_level_4(monkeypatch, tmp_path) -> None:
    """At least level 4, 'Advanced monitoring tools with some integration between infrastructure and applications.':
    five alarms that page someone, one on the shop's own metric, and a Console dashboard that shows that metric."""
    result = answer(_monitored([APP_WIDGET]), "ops.monitoring", monkeypatch, tmp_path)
    assert result.status == "floor" and result.answer == 4, explain(result)


def test_a_dashboard_widget_the_scan_cannot_place_leaves_monitoring_open(monkeypatch, tmp_path) -> None:
    """A widget with neither a metric namespace nor a log search is not read as "no application data": the
    dashboard's content is unknown, and so is the level (no dashboard at all is read as none)."""
    unplaced = answer(_monitored([{"displayName": "?", "type": "custom", "source": "x"}]), "ops.monitoring", monkeypatch, tmp_path / "u")
    assert unplaced.answer == 0, explain(unplaced)
    none = answer(_monitored(None), "ops.monitoring", monkeypatch, tmp_path / "none")
    assert next(e for e in none.evidence if e.signal == "dashboards").complete, explain(none)


def test_refused_dashboard_groups_leave_monitoring_unknown_not_lower(monkeypatch, tmp_path) -> None:
    """ "I don't know" which dashboards exist: the groups cannot be listed; level 4 is not shown, nor ruled out."""
    estate = _monitored([APP_WIDGET])
    estate.deny_path("/20210731/dashboardGroups")
    result = answer(estate, "ops.monitoring", monkeypatch, tmp_path)
    assert result.answer == 0 and 4 in result.possible_levels, explain(result)


# --- gov.build_artefacts: one registry the tenancy's workloads pull from --------------------------------------------


def _registry(statement: str) -> Estate:
    estate = Estate()
    platform = estate.compartment("platform")
    estate.add(
        "/20160918/container/repositories",
        {"id": "ocid1.containerrepo.oc1..web", "displayName": "web", "isImmutable": True},
        compartment=platform,
        items_key="items",
    )
    estate.add(f"{V}/policies", {"id": "ocid1.policy.oc1..pull", "name": "pull", "statements": [statement]}, region=None)
    return estate


def test_images_pulled_tenancy_wide_from_one_registry_show_level_3(monkeypatch, tmp_path) -> None:
    """At least level 3, 'We save artefacts, sometimes with version control, but there's no focus on making them
    secure or unchangeable.': the OKE nodes of every compartment may pull from the platform's repositories (one
    store serving every environment). A grant to people in one compartment shows no such sharing."""
    shared = answer(_registry("Allow dynamic-group oke-nodes to read repos in tenancy"), "gov.build_artefacts", monkeypatch, tmp_path / "s")
    assert shared.status == "floor" and shared.answer == 3, explain(shared)
    local = answer(
        _registry("Allow group Developers to manage repos in compartment platform"), "gov.build_artefacts", monkeypatch, tmp_path / "l"
    )
    assert local.answer == 0, explain(local)


def test_refused_policies_leave_build_artefacts_unknown(monkeypatch, tmp_path) -> None:
    """ "I don't know" who may pull: the policies cannot be listed."""
    estate = _registry("Allow dynamic-group oke-nodes to read repos in tenancy")
    estate.deny_path(f"{V}/policies")
    result = answer(estate, "gov.build_artefacts", monkeypatch, tmp_path)
    assert result.answer == 0, explain(result)


# --- csmm.security_monitoring: the Audit log, Cloud Guard everywhere, flow logs on every network --------------------


def _watched_network(flow_log: bool) -> Estate:
    estate = _guarded()
    estate.single("/20190901/configuration", {"retentionPeriodDays": 365}, region=None)
    estate.single(f"{V}/authenticationPolicies/{TENANCY}", {"passwordPolicy": {"minimumPasswordLength": 14}}, region=None)
    estate.single("/20181201/configuration", {"isEnabled": False})  # Data Safe off: read, so not a gap
    net = estate.compartment("net")
    vcn, subnet, group = "ocid1.vcn.oc1..main", "ocid1.subnet.oc1..app", "ocid1.loggroup.oc1..net"
    estate.add(f"{V}/vcns", {"id": vcn, "displayName": "main"}, compartment=net, search_type="Vcn")
    estate.add(f"{V}/subnets", {"id": subnet, "vcnId": vcn, "securityListIds": []}, compartment=net, search_type="Subnet")
    estate.add("/20200531/logGroups", {"id": group, "displayName": "net"}, compartment=net, search_type="LogGroup")
    logs = [
        {
            "id": "ocid1.log.oc1..flows",
            "logGroupId": group,
            "logType": "SERVICE",
            "isEnabled": True,
            "configuration": {"source": {"sourceType": "OCISERVICE", "service": "flowlogs", "resource": subnet, "category": "all"}},
        }
    ]
    estate.single(f"/20200531/logGroups/{group}/logs", logs if flow_log else [])
    return estate


def test_flow_logs_on_every_subnet_with_cloud_guard_show_level_4(monkeypatch, tmp_path) -> None:
    """At least level 4 of csmm.security_monitoring, comprehensive telemetry with cloud-native threat detection:
    Audit logs every compartment and region, Cloud Guard watches the root compartment, and the VCN's only subnet
    keeps flow logs. Without the flow log, level 4 is not shown."""
    logged = answer(_watched_network(flow_log=True), "csmm.security_monitoring", monkeypatch, tmp_path / "logged")
    assert logged.answer >= 4 and logged.status in ("floor", "suggested"), explain(logged)
    flow = next(e for e in logged.evidence if e.signal == "flow_logs")
    assert flow.complete and flow.matching == 1, explain(logged)
    unlogged = answer(_watched_network(flow_log=False), "csmm.security_monitoring", monkeypatch, tmp_path / "unlogged")
    assert unlogged.answer < 4, explain(unlogged)


def test_refused_logs_leave_flow_logs_unknown_not_off(monkeypatch, tmp_path) -> None:
    """ "I don't know" whether the network keeps flow logs: the log group's logs cannot be listed."""
    estate = _watched_network(flow_log=True)
    estate.deny_path("/20200531/logGroups/ocid1.loggroup.oc1..net/logs")
    result = answer(estate, "csmm.security_monitoring", monkeypatch, tmp_path)
    flow = next(e for e in result.evidence if e.signal == "flow_logs")
    assert not flow.complete and result.answer == 0, explain(result)
