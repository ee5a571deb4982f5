"""activity.changes: CloudTrail LookupEvents (moto lacks it) replayed from a recorded response."""

from __future__ import annotations

from tests.aws.fixture_server import recorded, serving
from tests.aws.support import scan

RECORDED = recorded("cloudtrail-lookup-events.json")["pages"]


def test_changes_are_classified_by_who_made_them(aws, monkeypatch) -> None:
    with serving(monkeypatch, "CLOUDTRAIL", {"LookupEvents": [(200, page) for page in RECORDED]}) as server:
        result = scan(["activity.changes"])
    (fact,) = result.of("activity.changes")
    # console session + console agent; CloudFormation + Terraform; OIDC (GitHub) + CodeBuild role; one CLI user.
    # The Auto Scaling termination is the service acting on its own: left out.
    # CI/CD identities made three: the two pipeline writes and GitHub Actions' Terraform write (an IaC write too).
    attributes = {"window_days": 30, "total": 7, "console": 2, "iac": 2, "pipeline": 2, "other": 1, "cicd_identity": 3}
    assert fact.attributes == attributes
    assert fact.resource_id == "arn:aws:cloudtrail:eu-west-2:123456789012:activity/changes"
    first, second = (body for _, body in server.requests)
    assert first["LookupAttributes"] == [{"AttributeKey": "ReadOnly", "AttributeValue": "false"}]
    assert second["NextToken"] == "page-2"
    assert result.status("cloudtrail.activity") == {"ok"}


def test_reading_stops_after_a_bounded_number_of_pages(aws, monkeypatch) -> None:
    pages = [(200, {**RECORDED[0], "NextToken": f"page-{n + 2}"}) for n in range(30)]  # more history than the cap
    with serving(monkeypatch, "CLOUDTRAIL", {"LookupEvents": pages}) as server:
        result = scan(["activity.changes"])
    assert len(server.requests) == 20
    (fact,) = result.of("activity.changes")
    assert fact.attributes["total"] == 20 * 4 and 1 <= fact.attributes["window_days"] <= 30


def test_denied_history_is_unknown(aws, monkeypatch) -> None:
    denied = {"__type": "AccessDeniedException", "message": "not authorized to perform: cloudtrail:LookupEvents"}
    with serving(monkeypatch, "CLOUDTRAIL", {"LookupEvents": [(400, denied)]}):
        result = scan(["activity.changes"])
    assert result.of("activity.changes") == []
    assert result.status("cloudtrail.activity") == {"denied"}
