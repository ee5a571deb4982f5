"""Cloud Deploy delivery pipelines (cicd.pipeline) from the inventory, joined to the targets their stages deploy to."""

from __future__ import annotations

from tests.gcp import estates
from tests.gcp.support import scan

LOCATION = "projects/app-1/locations/europe-west2"
PARENT = "//cloudresourcemanager.googleapis.com/projects/1001"


def deploy_asset(kind: str, name: str, data: dict) -> dict:
    return estates.asset(
        f"//clouddeploy.googleapis.com/{name}", f"clouddeploy.googleapis.com/{kind}", {"name": name, **data}, "europe-west2", PARENT
    )


def test_pipelines_with_their_targets(gcp) -> None:
    estate = estates.org_estate()
    estate["assets"] = [
        deploy_asset(
            "DeliveryPipeline",
            f"{LOCATION}/deliveryPipelines/web",
            {
                "serialPipeline": {
                    "stages": [
                        {"targetId": "staging", "strategy": {"standard": {"verify": True}}},
                        {"targetId": "prod", "strategy": {"canary": {"canaryDeployment": {"percentages": [25, 50]}}}},
                    ]
                }
            },
        ),
        deploy_asset("DeliveryPipeline", f"{LOCATION}/deliveryPipelines/old", {"suspended": True, "serialPipeline": {"stages": []}}),
        deploy_asset("Target", f"{LOCATION}/targets/staging", {"run": {"location": f"{LOCATION}"}}),
        deploy_asset("Target", f"{LOCATION}/targets/prod", {"gke": {"cluster": f"{LOCATION}/clusters/prod"}, "requireApproval": True}),
        # a target of the same name in another project is not this pipeline's
        estates.asset(
            "//clouddeploy.googleapis.com/projects/app-2/locations/europe-west2/targets/prod",
            "clouddeploy.googleapis.com/Target",
            {"name": "projects/app-2/locations/europe-west2/targets/prod", "anthosCluster": {}},
            "europe-west2",
            "//cloudresourcemanager.googleapis.com/projects/1002",
        ),
    ]
    gcp.load(estate)
    result = scan(["cicd.pipeline"], organization="100")
    (web,) = result.of("cicd.pipeline")
    assert web.scope == "app-1" and web.region == "europe-west2"
    assert web.attributes == {
        "stages": 2,
        "has_build": False,
        "has_test": True,
        "has_manual_approval": True,
        "has_deploy": True,
        "deploy_targets": ["CloudRun", "GKE"],
    }


def stage_estate(automations: list[dict]) -> dict:
    estate = estates.org_estate()
    estate["assets"] = [
        deploy_asset(
            "DeliveryPipeline",
            f"{LOCATION}/deliveryPipelines/web",
            {
                "serialPipeline": {
                    "stages": [
                        {"targetId": "staging", "strategy": {"standard": {"verify": True}}},
                        {"targetId": "prod", "strategy": {"canary": {"canaryDeployment": {"percentages": [25, 50]}}}},
                    ]
                }
            },
        )
    ]
    estate["rest"] = {f"/v1/{LOCATION}/deliveryPipelines/web/automations": {"automations": automations}}
    return estate


def test_automations_decide_who_advances_a_canary_and_what_rolls_back(gcp) -> None:
    advance = {"advanceRolloutRule": {"id": "advance", "sourcePhases": ["canary-25", "canary-50"]}}
    repair = {"repairRolloutRule": {"id": "repair", "repairPhases": [{"retry": {"attempts": "1"}}, {"rollback": {}}]}}
    cases = {
        "no automation: a person advances the canary": ([], (True, False)),
        "an automation advances prod's rollouts and rolls failures back": (
            [{"name": "a", "selector": {"targets": [{"id": "prod"}]}, "rules": [advance, repair]}],
            (False, True),
        ),
        "a suspended automation does nothing": (
            [{"name": "a", "suspended": True, "selector": {"targets": [{"id": "*"}]}, "rules": [advance, repair]}],
            (True, False),
        ),
        "an automation of another target": (
            [{"name": "a", "selector": {"targets": [{"id": "staging"}]}, "rules": [advance]}],
            (True, False),
        ),
    }
    for case, (automations, expected) in cases.items():
        gcp.load(stage_estate(automations))
        result = scan(["cicd.deployment_group"], organization="100")
        prod = next(f.attributes for f in result.of("cicd.deployment_group") if f.resource_id.endswith("/stages/prod"))
        assert (prod["manual_cutover"], prod["auto_rollback"]) == expected, case
        staging = next(f.attributes for f in result.of("cicd.deployment_group") if f.resource_id.endswith("/stages/staging"))
        assert staging["strategy"] == "rolling" and staging["manual_cutover"] is False, case


def test_refused_automations_leave_the_switch_unknown(gcp) -> None:
    estate = stage_estate([])
    estate["faults"] = {"deny": [{"operation": "list v1/projects/*/locations/*/deliveryPipelines/*/automations"}]}
    gcp.load(estate)
    result = scan(["cicd.deployment_group"], organization="100")
    prod = next(f.attributes for f in result.of("cicd.deployment_group") if f.resource_id.endswith("/stages/prod"))
    assert prod["strategy"] == "canary" and prod["manual_cutover"] is None and prod["auto_rollback"] is None
    assert "denied" in {c.status for c in result.coverage}


def test_a_canary_watched_by_alerts_and_rolled_back_by_an_automation_switches_users_by_itself(gcp, tmp_path) -> None:
    """ops.release: the only pipeline's production stage is a canary that an automation advances, whose analysis
    watches a Cloud Monitoring alert policy and whose failures an automation rolls back; staging is a standard
    stage (rolling) and a Cloud Run service splits traffic (canary), so level 5 'We use canary or blue/green releases
    and switch users with no need for maintenance windows.' is suggested."""
    from tests.aws.estates import explain
    from tests.gcp.support import answer

    estate = stage_estate(
        [
            {
                "name": "a",
                "selector": {"targets": [{"id": "*"}]},
                "rules": [
                    {"advanceRolloutRule": {"id": "advance"}},
                    {"repairRolloutRule": {"id": "repair", "repairPhases": [{"rollback": {}}]}},
                ],
            }
        ]
    )
    canary = estate["assets"][0]["resource"]["data"]["serialPipeline"]["stages"][1]["strategy"]["canary"]["canaryDeployment"]
    canary["analysis"] = {
        "duration": "600s",
        "googleCloud": {"alertPolicyChecks": [{"id": "c", "alertPolicies": ["projects/app-1/alertPolicies/1"]}]},
    }
    estate["assets"].append(
        estates.asset(
            "//run.googleapis.com/projects/app-1/locations/europe-west2/services/web",
            "run.googleapis.com/Service",
            {"metadata": {"name": "web"}, "spec": {"traffic": [{"percent": 90}, {"percent": 10}]}},
            "europe-west2",
            PARENT,
        )
    )
    gcp.load(estate)
    result = scan(["cicd.deployment_group"], organization="100")
    prod = next(f.attributes for f in result.of("cicd.deployment_group") if f.resource_id.endswith("/stages/prod"))
    assert (prod["manual_cutover"], prod["auto_rollback"], prod["alarm_rollback"]) == (False, True, True)
    assessed = answer(tmp_path, "ops.release", organization="100")
    assert assessed.status == "suggested" and assessed.answer == 5, explain(assessed)
