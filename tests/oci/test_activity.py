"""Audit events: who or what changes the tenancy, per compartment and region."""

from __future__ import annotations

import pytest

from tests.oci.golden import answer, explain
from tests.oci.support import Estate, scan


def event(
    estate: Estate,
    compartment: str,
    n: int,
    action: str,
    *,
    auth: str = "natv",
    agent: str = "Oracle-JavaSDK",
    principal: str = "ada@example.gov.uk",
    console: bool = False,
) -> None:
    estate.add(
        "/20190901/auditEvents",
        {
            "id": f"ocid1.auditevent.oc1..e{n}",
            "eventType": "com.oraclecloud.ComputeApi.LaunchInstance",
            "source": "ComputeApi",
            "data": {
                "request": {"action": action},
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


def _estate(console: int, pipeline_terraform: int) -> Estate:
    estate = Estate()
    app = estate.compartment("app")
    n = 0
    for _ in range(console):
        n += 1
        event(estate, app, n, "POST", agent="Mozilla/5.0 Oracle-Console", console=True)
    for _ in range(pipeline_terraform):
        n += 1
        event(estate, app, n, "PUT", auth="res", agent="Terraform/1.9.5 oci-go-sdk/65", principal="ocid1.devopsbuildpipeline.oc1..p")
    event(estate, app, n + 1, "GET", console=True)  # a read: not a change
    event(estate, app, n + 2, "POST", auth="service", agent="autoscaling")  # OCI acting on its own
    return estate


def test_activity_counts_per_compartment(monkeypatch: pytest.MonkeyPatch) -> None:
    result = scan(_estate(console=2, pipeline_terraform=5), ["activity.changes"], monkeypatch)
    app = result.one("activity.changes", "compartment.oc1..app/uk-london-1")
    assert app == {"window_days": 7, "total": 7, "console": 2, "iac": 5, "pipeline": 0, "cicd_identity": 5, "other": 0}
    root = result.one("activity.changes", "golden/uk-london-1")
    assert root["total"] == 0


def test_refused_audit_events_are_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    estate = _estate(console=2, pipeline_terraform=5)
    estate.deny_path("/20190901/auditEvents")
    result = scan(estate, ["activity.changes"], monkeypatch)
    assert result.status("audit.activity") == {"denied"}


def test_provisioning_mostly_by_pipelines_running_terraform_rules_out_the_console(monkeypatch, tmp_path) -> None:
    """Not level 1, 'Manually, with no automation.': twenty of the week's twenty-one writes came from a DevOps
    pipeline (a resource principal) applying Terraform, one from the console."""
    result = answer(_estate(console=1, pipeline_terraform=20), "gov.provisioning", monkeypatch, tmp_path)
    assert 1 not in result.possible_levels, explain(result)
