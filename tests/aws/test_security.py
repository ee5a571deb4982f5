"""Detective services (security.service) and Security Hub standards: enabled, off, denied."""

from __future__ import annotations

import boto3

from tests.aws.fixture_server import serving
from tests.aws.support import scan

REGION = "eu-west-2"
SERVICES = ["security.service"]
FSBP = "arn:aws:securityhub:eu-west-2::standards/aws-foundational-security-best-practices/v/1.0.0"
SUBSCRIPTION = "arn:aws:securityhub:eu-west-2:123456789012:subscription/aws-foundational-security-best-practices/v/1.0.0"


def _by_service(result) -> dict[str, dict]:
    return {f.attributes["service"]: f.attributes for f in result.of("security.service")}


def test_services_off_are_known_answers_not_gaps(aws) -> None:
    boto3.client("macie2", REGION).disable_macie()  # moto starts with Macie on; real AWS starts with it off
    result = scan(SERVICES)
    found = _by_service(result)
    for name in ("guardduty", "securityhub", "inspector", "macie"):
        assert found[name]["enabled"] is False, name
    assert found["guardduty"]["organization_managed"] is False
    assert found["inspector"]["coverage"] == []
    for collector in ("guardduty.detector", "securityhub.hub", "inspector2.status", "macie.session"):
        assert result.status(collector) == {"ok"}, collector


def test_services_on(aws) -> None:
    gd = boto3.client("guardduty", REGION)
    gd.create_detector(Enable=True)
    boto3.client("securityhub", REGION).enable_security_hub(EnableDefaultStandards=False)
    boto3.client("inspector2", REGION).enable(resourceTypes=["EC2", "ECR"], accountIds=["123456789012"])
    result = scan(SERVICES)
    found = _by_service(result)
    assert found["guardduty"]["enabled"] is True and found["guardduty"]["organization_managed"] is False
    assert found["securityhub"] == {"service": "securityhub", "kind": "posture", "enabled": True, "organization_managed": False}
    assert found["inspector"] == {"service": "inspector", "kind": "vulnerability_scanning", "enabled": True, "coverage": ["ec2", "ecr"]}
    assert found["macie"]["enabled"] is True
    assert "arn:aws:guardduty:eu-west-2:123456789012:service/guardduty" in {f.resource_id for f in result.of("security.service")}


def test_macie_not_enabled_message_is_off_but_other_access_denied_is_denied(aws, monkeypatch) -> None:
    off = {"__type": "AccessDeniedException", "message": "Macie is not enabled."}
    with serving(monkeypatch, "MACIE2", {"GET /macie": [(403, off)]}):
        assert _by_service(scan(SERVICES))["macie"] == {"service": "macie", "kind": "data_discovery", "enabled": False}
    denied = {"__type": "AccessDeniedException", "message": "User is not authorized to perform: macie2:GetMacieSession"}
    with serving(monkeypatch, "MACIE2", {"GET /macie": [(403, denied)]}):
        result = scan(SERVICES)
    assert "macie" not in _by_service(result)
    assert result.status("macie.session") == {"denied"}


def test_access_analyzer_and_detective_from_recorded_responses(aws, monkeypatch) -> None:
    analyzers = {
        "analyzers": [
            {
                "arn": "arn:aws:access-analyzer:eu-west-2:123456789012:analyzer/org",
                "name": "org",
                "type": "ORGANIZATION",
                "createdAt": "2026-01-01T00:00:00Z",
                "status": "ACTIVE",
            },
        ]
    }
    with (
        serving(monkeypatch, "ACCESSANALYZER", {"GET /analyzer": [(200, analyzers)]}),
        serving(monkeypatch, "DETECTIVE", {"POST /graphs/list": [(200, {"GraphList": []})]}),
    ):
        result = scan(SERVICES)
    found = _by_service(result)
    assert found["access_analyzer"] == {
        "service": "access_analyzer",
        "kind": "access_analysis",
        "enabled": True,
        "organization_managed": True,
        "coverage": ["ORGANIZATION"],
    }
    assert found["detective"] == {"service": "detective", "kind": "investigation", "enabled": False}


def test_denied_is_unknown_not_off(aws, monkeypatch) -> None:
    denied = {"__type": "AccessDeniedException", "message": "User: arn:aws:iam::123456789012:user/scanner is not authorized"}
    with (
        serving(monkeypatch, "GUARDDUTY", {"GET /detector": [(403, denied)]}),
        serving(monkeypatch, "INSPECTOR2", {"POST /status/batch/get": [(403, denied)]}),
    ):
        result = scan(SERVICES)
    found = _by_service(result)
    assert "guardduty" not in found and "inspector" not in found
    assert result.status("guardduty.detector") == {"denied"}
    assert result.status("inspector2.status") == {"denied"}
    assert found["securityhub"]["enabled"] is False  # still read: not subscribed is a real answer


def test_standards_read_and_hub_off_is_not_enabled(aws, monkeypatch) -> None:
    standards = {
        "StandardsSubscriptions": [
            {
                "StandardsSubscriptionArn": SUBSCRIPTION,
                "StandardsArn": FSBP,
                "StandardsInput": {},
                "StandardsStatus": "READY",
            },
        ]
    }
    with serving(monkeypatch, "SECURITYHUB", {"POST /standards/get": [(200, standards)]}):
        result = scan(["security.standard"])
    (standard,) = result.of("security.standard")
    assert standard.attributes == {
        "name": FSBP,
        "enabled": True,
    }
    off = {"__type": "InvalidAccessException", "message": "Account 123456789012 is not subscribed to AWS Security Hub"}
    with serving(monkeypatch, "SECURITYHUB", {"POST /standards/get": [(401, off)]}):
        assert scan(["security.standard"]).status("securityhub.standards") == {"not_enabled"}


def test_a_fact_outside_its_collectors_facet_is_an_internal_error(aws, monkeypatch) -> None:
    """The engine trusts a facet to keep other collectors' gaps away; a collector breaking it must say so."""
    from cmm_scan.aws.spec import catalogue

    spec = catalogue().collectors["guardduty.detector"]
    monkeypatch.setattr(spec, "facet", {"service": "macie"})
    result = scan(["security.service"])
    assert result.status("guardduty.detector") == {"error"}
    assert not [f for f in result.of("security.service") if f.attributes.get("service") == "guardduty"]
