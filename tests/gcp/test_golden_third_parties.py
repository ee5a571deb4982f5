"""Golden GCP estate for third parties: service accounts of projects outside the scan bound in the organisation's
IAM policy are an outside account's way in (identity.role trusts_external_account), unused for 90 days when the IAM
recommender's policy insight shows no permission exercised."""

from __future__ import annotations

from typing import Any

from tests.aws.estates import explain
from tests.gcp import estates
from tests.gcp.support import answer, scan
from tests.gcp.test_iam_people import ORG, policy

SUPPLIER = "serviceAccount:emergency@supplier-ops.iam.gserviceaccount.com"
INSIGHTS = "/v1/organizations/100/locations/global/insightTypes/google.iam.policy.Insight/insights"


def insight(member: str, role: str, exercised: list[str]) -> dict[str, Any]:
    return {
        "name": f"organizations/100/locations/global/insightTypes/google.iam.policy.Insight/insights/{abs(hash(member + role))}",
        "insightSubtype": "PERMISSIONS_USAGE",
        "observationPeriod": "7776000s",
        "content": {"member": member, "role": role, "exercisedPermissions": [{"permission": p} for p in exercised]},
    }


def supplier_estate(exercised: list[str]) -> dict[str, Any]:
    estate = estates.org_estate()
    estate["assets"] = [
        policy(
            ORG,
            "Organization",
            {
                "roles/owner": [SUPPLIER],
                "roles/viewer": [
                    "serviceAccount:reports@app-1.iam.gserviceaccount.com",  # a project of the scan
                    "serviceAccount:service-100@gcp-sa-scc-notification.iam.gserviceaccount.com",  # Google's agent
                ],
            },
        )
    ]
    estate["rest"] = {INSIGHTS: {"insights": [insight(SUPPLIER, "roles/owner", exercised)]}}
    return estate


def test_only_outside_projects_service_accounts_are_outside_accounts(gcp) -> None:
    gcp.load(supplier_estate([]))
    roles = {f.attributes["name"]: f.attributes for f in scan(["identity.role"], organization="100").of("identity.role")}
    assert set(roles) == {SUPPLIER}
    assert (roles[SUPPLIER]["admin"], roles[SUPPLIER]["trusts_external_account"], roles[SUPPLIER]["unused_days"]) == (True, True, 90)


def test_an_outside_administrator_unused_for_months_is_emergency_access(gcp, tmp_path) -> None:
    """people.third_parties: a supplier's service account holds owner on the organisation and exercised none of
    its permissions in the insight's 90 days, so level 3 'Third parties help with specialist tasks and have
    emergency access only.' is suggested."""
    gcp.load(supplier_estate([]))
    result = answer(tmp_path, "people.third_parties", organization="100")
    assert result.status == "suggested" and result.answer == 3, explain(result)


def test_an_outside_administrator_at_work_is_not_emergency_access(gcp, tmp_path) -> None:
    """The same supplier using its owner role: used within the window (the day is not given), so emergency access
    only (level 3) is not shown, and a standing outside administrator rules out levels 4 and 5 ('no special access')."""
    gcp.load(supplier_estate(["resourcemanager.projects.setIamPolicy"]))
    [role] = scan(["identity.role"], organization="100").of("identity.role")
    assert role.attributes["unused_days"] is None
    result = answer(tmp_path, "people.third_parties", organization="100")
    assert result.answer == 0 and not {4, 5} & set(result.possible_levels), explain(result)


def test_refused_insights_leave_the_use_unknown(gcp, tmp_path) -> None:
    estate = supplier_estate([])
    estate["faults"] = {"deny": [{"operation": "list v1/organizations/*/locations/global/insightTypes/*/insights"}]}
    gcp.load(estate)
    [role] = scan(["identity.role"], organization="100").of("identity.role")
    assert role.attributes["admin"] is True and role.attributes["unused_days"] is None
    result = answer(tmp_path, "people.third_parties", organization="100")
    assert result.answer == 0, explain(result)
