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
