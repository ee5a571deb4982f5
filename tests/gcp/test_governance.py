"""Organisation policy constraints and billing budgets."""

from __future__ import annotations

from tests.gcp import estates
from tests.gcp.support import answer, scan

ORG_ASSET = "//cloudresourcemanager.googleapis.com/organizations/100"


def governance_estate() -> dict:
    estate = estates.org_estate()
    estate["assets"] = [
        {
            "name": ORG_ASSET,
            "assetType": "cloudresourcemanager.googleapis.com/Organization",
            "orgPolicy": [
                {"constraint": "constraints/gcp.resourceLocations", "listPolicy": {"allowedValues": ["in:europe-west2-locations"]}},
                {"constraint": "constraints/iam.disableServiceAccountKeyCreation", "booleanPolicy": {"enforced": True}},
                {"constraint": "constraints/compute.skipDefaultNetworkCreation", "booleanPolicy": {}},
            ],
        },
        {
            "name": "//cloudresourcemanager.googleapis.com/projects/1002",
            "assetType": "cloudresourcemanager.googleapis.com/Project",
            "orgPolicy": [{"constraint": "constraints/storage.uniformBucketLevelAccess", "booleanPolicy": {"enforced": True}}],
        },
        *[
            estates.asset(
                f"//cloudbilling.googleapis.com/projects/app-{i}/billingInfo",
                "cloudbilling.googleapis.com/ProjectBillingInfo",
                {
                    "name": f"projects/app-{i}/billingInfo",
                    "billingAccountName": "billingAccounts/0A1B2C-000000-ABCDEF",
                    "billingEnabled": True,
                },
            )
            for i in range(1, 5)
        ],
    ]
    estate["rest"] = {
        "/v1/billingAccounts/0A1B2C-000000-ABCDEF/budgets": {
            "budgets": [
                {
                    "name": "billingAccounts/0A1B2C-000000-ABCDEF/budgets/b1",
                    "budgetFilter": {"projects": ["projects/1001"]},
                    "thresholdRules": [{"thresholdPercent": 0.5}, {"thresholdPercent": 0.9, "spendBasis": "FORECASTED_SPEND"}],
                    "notificationsRule": {"monitoringNotificationChannels": ["projects/app-1/notificationChannels/9"]},
                }
            ]
        }
    }
    return estate


def test_enforced_constraints_at_every_level(gcp) -> None:
    gcp.load(governance_estate())
    result = scan(["org.policy"], organization="100")
    found = {(f.scope, f.attributes["denies_actions"][0]): f.attributes for f in result.of("org.policy")}
    assert set(found) == {
        ("organizations/100", "gcp.resourceLocations"),
        ("organizations/100", "iam.disableServiceAccountKeyCreation"),
        ("app-2", "storage.uniformBucketLevelAccess"),
    }, "a constraint set but not enforced is not a guardrail"
    assert found[("organizations/100", "gcp.resourceLocations")]["restricts_regions"] is True
    assert {c.status for c in result.coverage} == {"ok"}


def test_budgets_of_the_projects_billing_account(gcp) -> None:
    gcp.load(governance_estate())
    result = scan(["cost.budget"])
    (budget,) = result.of("cost.budget")
    assert budget.scope == "billingAccounts/0A1B2C-000000-ABCDEF"
    assert budget.attributes == {"budget_type": "COST", "notifications": 2, "forecast_alert": True, "scoped": True}
    budget_reads = [r for r in gcp.requests if r["path"].endswith("/budgets")]
    assert len(budget_reads) == 1, "one read per billing account, not per project"


def test_preventive_guardrails_for_policy_enforcement(gcp, tmp_path) -> None:
    """gov.policy_enforcement counts enforced organisation policy constraints as preventive guardrails (like SCPs)."""
    gcp.load(governance_estate())
    result = answer(tmp_path, "gov.policy_enforcement", organization="100")
    guardrails = next(e for e in result.evidence if e.signal == "preventive_guardrails")
    assert guardrails.display.startswith("3"), guardrails.display


def test_folder_policies_are_attributed_to_their_folder(gcp) -> None:
    """A constraint set on a folder is a guardrail of that folder, with --organization or with the organisation the
    credential sees (its folders are listed to name them)."""
    estate = governance_estate()
    estate["assets"].append(
        {
            "name": "//cloudresourcemanager.googleapis.com/folders/11",
            "assetType": "cloudresourcemanager.googleapis.com/Folder",
            "orgPolicy": [{"constraint": "constraints/compute.vmExternalIpAccess", "listPolicy": {"allValues": "DENY"}}],
        }
    )
    gcp.load(estate)
    for options in ({"organization": "100"}, {}):
        result = scan(["org.policy"], **options)
        scopes = {f.attributes["denies_actions"][0]: f.scope for f in result.of("org.policy")}
        assert scopes["compute.vmExternalIpAccess"] == "folders/11", options
        assert scopes["gcp.resourceLocations"] == "organizations/100"


def test_budgets_unknown_when_the_projects_billing_is_unreadable(gcp) -> None:
    estate = governance_estate()
    estate["faults"] = {"deny": [{"scope": "projects/app-2", "operation": "cloudasset.*"}]}
    gcp.load(estate)
    result = scan(["cost.budget"], projects="app-1,app-2,app-3,app-4")  # a project subset: read project by project
    # app-2's billing account cannot be known: budgets stay unknown there, the others' account is read once
    assert {c.scope: c.status for c in result.coverage if c.status != "ok"} == {"app-2": "denied"}
    assert len(result.of("cost.budget")) == 1


def test_the_organisation_counts_its_projects_and_folders(gcp) -> None:
    gcp.load(governance_estate())
    result = scan(["org.organization", "compute.instance"], organization="100")
    (org,) = result.of("org.organization")
    assert org.scope == "organizations/100" and org.attributes == {"all_features": True, "accounts": 4, "ous": 2}
    reads = [r for r in gcp.requests if r["operation"] == "cloudasset.assets.listResource"]
    assert len(reads) == 1, "the organisation's inventory read is shared"
    # a project subset does not see the organisation whole: not collected, rather than 'no organisation'
    assert scan(["org.organization"], projects="app-1").of("org.organization") == []
