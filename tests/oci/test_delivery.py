"""OCI DevOps (build and deploy pipelines, how they release), Vulnerability Scanning, Data Safe and Security Zones,
read with the real signer from the emulator; golden answers for ops.release."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.oci.golden import answer, explain
from tests.oci.support import TENANCY, Estate, scan

D = "/20210630"


def _pipeline(estate: Estate, name: str, compartment: str, stages: list[dict]) -> None:
    pid = f"ocid1.devopsdeploypipeline.oc1..{name}"
    estate.add(f"{D}/deployPipelines", {"id": pid, "displayName": name}, compartment=compartment, search_type="DevopsDeployPipeline")
    for n, stage in enumerate(stages):
        estate.add(
            f"{D}/deployStages",
            {"id": f"ocid1.devopsdeploystage.oc1..{name}{n}", "deployPipelineId": pid, **stage},
            compartment=compartment,
            search_type="DevopsDeployStage",
        )


def _delivery_estate() -> Estate:
    estate = Estate()
    app = estate.compartment("app")
    # canary on OKE that shifts traffic by itself and rolls back automatically
    _pipeline(
        estate,
        "shop",
        app,
        [
            {"deployStageType": "OKE_CANARY_DEPLOYMENT", "rollbackPolicy": {"policyType": "AUTOMATED_STAGE_ROLLBACK_POLICY"}},
            {"deployStageType": "OKE_CANARY_TRAFFIC_SHIFT"},
        ],
    )
    # blue-green on instance groups, a person approves the switch
    _pipeline(
        estate,
        "billing",
        app,
        [
            {"deployStageType": "COMPUTE_INSTANCE_GROUP_BLUE_GREEN_DEPLOYMENT"},
            {"deployStageType": "MANUAL_APPROVAL"},
            {"deployStageType": "COMPUTE_INSTANCE_GROUP_BLUE_GREEN_TRAFFIC_SHIFT"},
        ],
    )
    build = "ocid1.devopsbuildpipeline.oc1..shop"
    estate.add(f"{D}/buildPipelines", {"id": build, "displayName": "shop-build"}, compartment=app, search_type="DevopsBuildPipeline")
    for n, kind in enumerate(("BUILD", "DELIVER_ARTIFACT", "TRIGGER_DEPLOYMENT_PIPELINE")):
        source = {"buildSourceCollection": {"items": [{"connectionType": "GITHUB"}]}, "buildTimeoutInSeconds": 3600}
        estate.add(
            f"{D}/buildPipelineStages",
            {"id": f"ocid1.devopsbuildstage.oc1..s{n}", "buildPipelineId": build, "buildPipelineStageType": kind}
            | (source if kind == "BUILD" else {}),
            compartment=app,
            search_type="DevopsBuildPipelineStage",
        )
    recent = datetime.now(UTC) - timedelta(days=3)
    for n, (minutes, state) in enumerate(((6, "SUCCEEDED"), (10, "FAILED"), (8, "SUCCEEDED"))):
        started = recent + timedelta(hours=n)
        progress = {"timeStarted": started.isoformat(), "timeFinished": (started + timedelta(minutes=minutes)).isoformat()}
        run = {"id": f"ocid1.devopsbuildrun.oc1..r{n}", "buildPipelineId": build, "buildRunProgressSummary": progress}
        estate.add(f"{D}/buildRuns", {**run, "lifecycleState": state}, compartment=app, search_type="DevopsBuildRun")
    old = {"timeStarted": "2025-01-01T00:00:00Z", "timeFinished": "2025-01-01T02:00:00Z"}
    estate.add(
        f"{D}/buildRuns",
        {"id": "ocid1.devopsbuildrun.oc1..old", "buildPipelineId": build, "buildRunProgressSummary": old, "lifecycleState": "SUCCEEDED"},
        compartment=app,
        search_type="DevopsBuildRun",
    )
    return estate


def test_deploy_pipelines_release_strategies(monkeypatch: pytest.MonkeyPatch) -> None:
    result = scan(_delivery_estate(), ["cicd.deployment_group", "cicd.pipeline"], monkeypatch)
    shop = result.one("cicd.deployment_group", "devopsdeploypipeline.oc1..shop")
    assert shop == {"strategy": "canary", "auto_rollback": True, "manual_cutover": False, "alarm_rollback": False}
    billing = result.one("cicd.deployment_group", "devopsdeploypipeline.oc1..billing")
    assert billing == {"strategy": "blue_green", "auto_rollback": False, "manual_cutover": True, "alarm_rollback": False}
    deploy = result.one("cicd.pipeline", "devopsdeploypipeline.oc1..billing")
    assert deploy["has_manual_approval"] is True and deploy["deploy_targets"] == ["compute"] and deploy["stages"] == 3
    build = result.one("cicd.pipeline", "devopsbuildpipeline.oc1..shop")
    assert (build["has_build"], build["has_deploy"], build["stages"]) == (True, True, 3)
    assert {c.status for c in result.coverage} == {"ok"}


def test_build_pipelines_as_build_projects(monkeypatch: pytest.MonkeyPatch) -> None:
    """Three runs in the last 30 days (6, 10 and 8 minutes: median 8), one a year old that does not count."""
    result = scan(_delivery_estate(), ["cicd.build_project"], monkeypatch)
    project = result.one("cicd.build_project", "devopsbuildpipeline.oc1..shop")
    assert project == {"source_type": "GITHUB", "timeout_minutes": 60, "recent_builds": 3, "median_build_minutes": 8.0}
    assert {c.status for c in result.coverage} == {"ok"}


def test_refused_deploy_stages_leave_the_release_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    estate = _delivery_estate()
    estate.deny_path(f"{D}/deployStages")
    result = scan(estate, ["cicd.deployment_group"], monkeypatch)
    assert result.of("cicd.deployment_group") == [] and result.status("devops.releases") == {"denied"}


def test_release_canary_and_blue_green_with_a_manual_switch(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Every deployment is progressive (a canary and a blue-green), so 'We stop services to update them, then
    restart.' (1) and 'We update parts of our services at a time, usually during scheduled windows.' (2) are ruled
    out; one switch waits for a person ('We deploy new versions and switch over by hand, with manual rollback if
    needed.', 3) and one shifts users by itself ('We use canary or blue/green releases and switch users with no need
    for maintenance windows.', 5)."""
    result = answer(_delivery_estate(), "ops.release", monkeypatch, tmp_path)
    verdicts = {o.level: o.verdict for o in result.levels}
    assert verdicts[1] == verdicts[2] == "ruled_out" and verdicts[5] != "ruled_out", explain(result)
    assert 5 in result.possible_levels and 3 in result.possible_levels, explain(result)


def test_vulnerability_scanning_data_safe_and_security_zones(monkeypatch: pytest.MonkeyPatch) -> None:
    estate = Estate()
    app = estate.compartment("app")
    estate.add(
        "/20210215/hostScanTargets",
        {"id": "ocid1.vsshostscantarget.oc1..all", "targetCompartmentId": TENANCY, "hostScanRecipeId": "r"},
        compartment=app,
        search_type="VssHostScanTarget",
    )
    estate.single("/20181201/configuration", {"isEnabled": True, "timeEnabled": "2026-01-01T00:00:00Z"})
    estate.add(
        "/20200131/securityZones",
        {"id": "ocid1.securityzone.oc1..prod", "displayName": "prod", "securityZoneRecipeId": "ocid1.securityzonerecipe.oc1..max"},
        compartment=app,
        region=None,
    )
    result = scan(estate, ["security.service", "org.policy"], monkeypatch)
    vss = result.one("security.service", "vulnerability-scanning")
    assert vss == {
        "service": "vulnerability_scanning",
        "kind": "vulnerability_scanning",
        "enabled": True,
        "organization_managed": True,
        "auto_enable": True,
        "coverage": ["instances"],
    }
    assert result.one("security.service", "data-safe") == {"service": "data_safe", "kind": "data_discovery", "enabled": True}
    zone = result.one("org.policy", "securityzone.oc1..prod")
    assert zone == {"policy_type": "org_constraint", "aws_managed": False, "attachments": 1}


def test_refused_scan_targets_leave_scanning_unknown_not_off(monkeypatch: pytest.MonkeyPatch) -> None:
    estate = Estate()
    app = estate.compartment("app")
    target = {"id": "ocid1.vsshostscantarget.oc1..app", "targetCompartmentId": app}
    estate.add("/20210215/hostScanTargets", target, compartment=app, search_type="VssHostScanTarget")
    estate.deny_path("/20210215/hostScanTargets")
    result = scan(estate, ["security.service"], monkeypatch)
    vss = result.one("security.service", "vulnerability-scanning")
    assert vss["enabled"] is None and vss["coverage"] is None
    assert result.status("vss.scanning/join:host_scan_targets") == {"denied"}
