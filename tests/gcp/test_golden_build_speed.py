"""Golden GCP estate for build speed: Cloud Build triggers with their recent builds, and an alert policy that
watches Cloud Build's and Cloud Deploy's logs (monitoring.alarm cicd)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.aws.estates import explain
from tests.gcp import estates
from tests.gcp.support import answer, scan

BUILD_LOGS = '(resource.type="build" OR resource.type="clouddeploy.googleapis.com/DeliveryPipeline") AND severity>=ERROR'


def build_estate(alert_filter: str) -> dict[str, Any]:
    now = datetime.now(UTC)
    builds = []
    for day in range(1, 9):
        start = now - timedelta(days=day)
        builds.append(
            {
                "id": f"b{day}",
                "createTime": start.isoformat().replace("+00:00", "Z"),
                "startTime": start.isoformat().replace("+00:00", "Z"),
                "finishTime": (start + timedelta(minutes=6)).isoformat().replace("+00:00", "Z"),
            }
        )
    estate = estates.org_estate()
    estate["rest"] = {
        "/v1/projects/app-1/triggers": {"triggers": [{"id": "deploy", "name": "deploy", "github": {"owner": "o", "name": "web"}}]},
        "/v1/projects/app-1/builds": {"builds": builds},
        "/v3/projects/app-1/alertPolicies": {
            "alertPolicies": [
                {
                    "name": "projects/app-1/alertPolicies/7",
                    "enabled": True,
                    "notificationChannels": ["projects/app-1/notificationChannels/team"],
                    "conditions": [{"conditionMatchedLog": {"filter": alert_filter}}],
                }
            ]
        },
    }
    return estate


def test_an_alert_on_build_or_rollout_logs_watches_ci(gcp) -> None:
    gcp.load(build_estate(BUILD_LOGS))
    [alarm] = scan(["monitoring.alarm"], projects="app-1").of("monitoring.alarm")
    assert alarm.attributes["cicd"] is True and alarm.attributes["has_actions"] is True
    gcp.load(build_estate('resource.type="cloud_run_revision" AND severity>=ERROR'))
    [alarm] = scan(["monitoring.alarm"], projects="app-1").of("monitoring.alarm")
    assert alarm.attributes["cicd"] is False


def test_quick_builds_watched_by_an_alert_are_reasonably_fast_and_monitored(gcp, tmp_path) -> None:
    """ops.build_speed: the one busy Cloud Build project builds in six minutes at the median and an alert policy
    tells the team when a build or rollout fails, so level 3 'Reasonably fast and we do some monitoring.' is shown
    (a floor: whether times are checked often is for a person)."""
    gcp.load(build_estate(BUILD_LOGS))
    result = answer(tmp_path, "ops.build_speed", projects="app-1")
    assert result.status == "floor" and result.answer == 3, explain(result)


def test_refused_alert_policies_leave_the_watch_unknown(gcp, tmp_path) -> None:
    estate = build_estate(BUILD_LOGS)
    estate["faults"] = {"deny": [{"operation": "list v3/projects/*/alertPolicies"}]}
    gcp.load(estate)
    result = answer(tmp_path, "ops.build_speed", projects="app-1")
    alarms = next(e for e in result.evidence if e.signal == "build_alarms")
    assert not alarms.complete and result.answer == 0, explain(result)
