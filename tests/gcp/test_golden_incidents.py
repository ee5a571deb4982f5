"""Golden GCP estate for incident plans held in the cloud: an enabled alert policy whose documentation carries the
responders' playbook and which notifies people (ops.response_plan)."""

from __future__ import annotations

from typing import Any

from tests.aws.estates import explain
from tests.gcp import estates
from tests.gcp.support import answer, scan


def policy(number: int, documentation: dict[str, Any] | None, channels: int = 1, enabled: bool = True) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": f"projects/app-1/alertPolicies/{number}",
        "enabled": enabled,
        "notificationChannels": [f"projects/app-1/notificationChannels/{i}" for i in range(channels)],
        "conditions": [{"conditionThreshold": {"filter": 'metric.type="custom.googleapis.com/checkout/errors"'}}],
    }
    if documentation is not None:
        body["documentation"] = documentation
    return body


def incident_estate(policies: list[dict[str, Any]]) -> dict[str, Any]:
    estate = estates.org_estate()
    estate["rest"] = {"/v3/projects/app-1/alertPolicies": {"alertPolicies": policies}}
    return estate


PLAYBOOK = {"mimeType": "text/markdown", "content": "Page on-call, open the incident channel, roll back the last release."}


def test_alert_policies_with_a_playbook_are_incident_plans(gcp) -> None:
    gcp.load(
        incident_estate(
            [
                policy(1, PLAYBOOK, channels=2),
                policy(2, {"links": [{"displayName": "Runbook", "url": "https://runbooks.example.gov.uk/x"}]}),
                policy(3, None),
                policy(4, {"content": ""}),
                policy(5, PLAYBOOK, enabled=False),
            ]
        )
    )
    plans = {
        f.resource_id.rsplit("/", 1)[-1]: f.attributes["engagements"]
        for f in scan(["ops.response_plan"], projects="app-1").of("ops.response_plan")
    }
    assert plans == {"1": 2, "2": 1}


def test_a_playbook_that_engages_responders_is_a_formal_incident_plan(gcp, tmp_path) -> None:
    """ops.incident_planning: the checkout alert carries the responders' playbook and pages the team, so level 2
    'We create a plan when launching a new service.' is shown (a floor: whether plans are kept up to date and tested
    is for a person)."""
    gcp.load(incident_estate([policy(1, PLAYBOOK)]))
    result = answer(tmp_path, "ops.incident_planning", projects="app-1")
    assert result.status == "floor" and result.answer == 2, explain(result)


def test_refused_alert_policies_leave_plans_unknown(gcp, tmp_path) -> None:
    estate = incident_estate([policy(1, PLAYBOOK)])
    estate["faults"] = {"deny": [{"operation": "list v3/projects/*/alertPolicies"}]}
    gcp.load(estate)
    result = answer(tmp_path, "ops.incident_planning", projects="app-1")
    plans = next(e for e in result.evidence if e.signal == "response_plans")
    assert not plans.complete and result.answer == 0, explain(result)
