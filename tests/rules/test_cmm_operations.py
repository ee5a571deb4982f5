"""Golden estates for the Operations rules (expected answers from the level text)."""

from __future__ import annotations

import pytest

from tests.rules import OTHER_REGION, OTHER_SCOPE, assert_no_level, evidence, verdicts
from tests.rules import GoldenEstate as Estate

CICD_TYPES = ("activity.changes", "cicd.pipeline", "identity.federation_provider", "cicd.build_project")


def unit(estate: Estate, n: int, *, pipeline: int, console: int, scope_base: int = 1, ci_iac: int = 0) -> None:
    """n account-regions (each its own account) with this many pipeline and console writes, and IaC writes by CI jobs."""
    for i in range(n):
        scope = f"{scope_base + i:012d}"
        estate.covered(*CICD_TYPES, scope=scope)
        total = pipeline + console + ci_iac
        estate.fact(
            "activity.changes",
            scope=scope,
            total=total,
            pipeline=pipeline,
            console=console,
            iac=ci_iac,
            other=0,
            cicd_identity=pipeline + ci_iac,
        )


# --- ops.cicd ---------------------------------------------------------------------------------


def cicd_estate(using: int, not_using: int, *, issuers=("https://token.actions.githubusercontent.com",), pipelines=0):
    estate = Estate().covered(*CICD_TYPES)
    unit(estate, using, pipeline=80, console=20)
    unit(estate, not_using, pipeline=10, console=90, scope_base=100)
    for url in issuers:
        estate.fact("identity.federation_provider", scope="000000000001", kind="oidc", url=url, ci_issuer=True)
    estate.many(pipelines, "cicd.pipeline", scope="000000000001", stages=3)
    return estate


@pytest.mark.parametrize(
    ("using", "not_using", "issuers", "pipelines", "possible", "level"),
    [
        (1, 9, 1, 0, [2], 2),  # 10% of teams
        (4, 6, 1, 0, [2], 2),  # 40%: just below most_units
        (5, 5, 1, 0, [3], 3),  # at most_units
        (7, 3, 2, 0, [3], 3),
        (8, 2, 2, 0, [4], 4),  # at nearly_all_units, two CI systems
        (9, 1, 1, 1, [4], 4),  # 90% but two toolchains (GitHub + cloud pipelines): not one process
        (9, 1, 1, 0, [4, 5], 4),  # 90%, one toolchain: "at least 4", a person confirms one shared process
    ],
)
def test_cicd_levels(tmp_path, using, not_using, issuers, pipelines, possible, level):
    urls = [f"https://ci-{i}.example" for i in range(issuers)]
    result = cicd_estate(using, not_using, issuers=urls, pipelines=pipelines).score(tmp_path, "ops.cicd")
    assert result.possible_levels == possible, result.reasons
    assert result.answer == level
    if len(possible) > 1:  # "Nearly all teams use CI/CD" shown, "everyone uses the same process" for a person
        assert (result.status, result.floor_level, result.suggested_level) == ("floor", level, None)
        active = using + not_using
        assert result.because == (
            f"In {using} of {active} account-regions with real activity, CI/CD identities made at least half of the writes."
        )
    else:
        assert result.suggested_level == level


def test_cicd_nothing_automated_is_level_1(tmp_path):
    estate = Estate().covered(*CICD_TYPES)
    unit(estate, 3, pipeline=0, console=50)
    result = estate.score(tmp_path, "ops.cicd")
    assert result.suggested_level == 1
    assert verdicts(result)[1] == "supported"  # a CI using a person-like key is invisible


def test_cicd_unreadable_builds_do_not_confirm_level_1(tmp_path):
    estate = Estate().covered("activity.changes", "cicd.pipeline", "identity.federation_provider").denied("cicd.build_project")
    unit(estate, 3, pipeline=0, console=50)
    assert_no_level(estate.score(tmp_path, "ops.cicd"))


def test_cicd_cloud_builds_rule_out_level_1(tmp_path):
    estate = Estate().covered(*CICD_TYPES)
    unit(estate, 3, pipeline=0, console=50)
    estate.fact("cicd.build_project", scope="000000000001", recent_builds=0, median_build_minutes=None)
    assert estate.score(tmp_path, "ops.cicd").suggested_level == 1  # defined but idle for 30 days
    estate.fact("cicd.build_project", scope="000000000001", recent_builds=5, median_build_minutes=4)
    assert estate.score(tmp_path, "ops.cicd").suggested_level == 2


def test_cicd_ci_with_no_toolchain_in_sight_keeps_5_open(tmp_path):
    """CI identities (a Jenkins user, CodeBuild roles) make every write, but no pipeline or OIDC issuer is in sight."""
    estate = Estate().covered(*CICD_TYPES)
    unit(estate, 5, pipeline=80, console=0)
    assert estate.score(tmp_path, "ops.cicd").possible_levels == [4, 5]


def test_cicd_pipelines_without_pipeline_writes_is_level_2(tmp_path):
    estate = Estate().covered(*CICD_TYPES)
    unit(estate, 3, pipeline=0, console=50)
    estate.fact("cicd.pipeline", scope="000000000001", stages=2)
    assert estate.score(tmp_path, "ops.cicd").suggested_level == 2


def test_cicd_ci_jobs_running_terraform_count_as_ci(tmp_path):
    """Writes by CI identities through Terraform are IaC writes and still CI/CD: every unit deploys through CI."""
    estate = Estate().covered(*CICD_TYPES)
    unit(estate, 4, pipeline=0, console=5, ci_iac=60)
    estate.fact("identity.federation_provider", scope="000000000001", kind="oidc", url="https://a", ci_issuer=True)
    estate.fact("identity.federation_provider", scope="000000000001", kind="oidc", url="https://b", ci_issuer=True)
    assert estate.score(tmp_path, "ops.cicd").suggested_level == 4


def test_cicd_history_without_ci_identity_count_is_unknown(tmp_path):
    """A snapshot from before cicd_identity was collected: the share is unknown, not zero."""
    estate = Estate().covered(*CICD_TYPES)
    estate.fact("activity.changes", total=100, pipeline=90, console=10, iac=0, other=0)
    estate.fact("identity.federation_provider", kind="oidc", url="https://a", ci_issuer=True)
    assert_no_level(estate.score(tmp_path, "ops.cicd"))


def test_cicd_toolchains_with_the_history_unread_are_no_floor(tmp_path):
    """Cloud pipelines and builds show some CI/CD, but with the write history denied the levels above turn on a
    read, not on a person: no "at least 2", never a guess."""
    estate = Estate().covered("cicd.pipeline", "identity.federation_provider", "cicd.build_project").denied("activity.changes")
    estate.fact("cicd.pipeline", stages=3)
    estate.fact("cicd.build_project", recent_builds=4, median_build_minutes=3)
    assert_no_level(estate.score(tmp_path, "ops.cicd"))


def test_cicd_toolchains_with_few_units_on_ci_is_level_2_because(tmp_path):
    """Pipelines in use, 1 of 10 active account-regions deploying through CI: 'We use some CI/CD, but there's no standard'."""
    result = cicd_estate(1, 9, issuers=[], pipelines=2).score(tmp_path, "ops.cicd")
    assert (result.status, result.answer) == ("suggested", 2)
    assert result.because == (
        "CI/CD tooling is in use. Delivery pipelines: 2; build projects run in the last 30 days: 0;"
        " external CI systems trusted to deploy: 0."
    )


def test_cicd_quiet_estate_is_not_applicable(tmp_path):
    estate = Estate().covered(*CICD_TYPES)
    unit(estate, 2, pipeline=0, console=5)
    assert estate.score(tmp_path, "ops.cicd").status == "not_applicable"


def test_cicd_denied_activity_is_unknown(tmp_path):
    estate = Estate().covered("cicd.pipeline", "identity.federation_provider").denied("activity.changes")
    assert_no_level(estate.score(tmp_path, "ops.cicd"))


def test_cicd_region_denied_is_not_a_confident_level(tmp_path):
    estate = cicd_estate(8, 2, issuers=["https://a", "https://b"])
    estate.denied("activity.changes", scope="000000000001", region=OTHER_REGION)
    assert_no_level(estate.score(tmp_path, "ops.cicd"))


def test_cicd_share_is_over_every_account(tmp_path):
    result = cicd_estate(5, 5).score(tmp_path, "ops.cicd")
    share = evidence(result, "cicd_units")
    assert share.value.lo == pytest.approx(0.5)
    assert len(share.by_scope) == 10
    assert sum(s.matching for s in share.by_scope) == 5


def test_cicd_threshold_override(tmp_path):
    estate = cicd_estate(7, 3, issuers=["https://a", "https://b"])
    assert estate.score(tmp_path, "ops.cicd").suggested_level == 3
    result = estate.score(tmp_path, "ops.cicd", overrides={"ops.cicd": {"nearly_all_units": 0.7}})
    assert result.suggested_level == 4


# --- ops.build_speed ----------------------------------------------------------------------------


def builds(*medians: float, scope=None) -> Estate:
    estate = Estate().covered("cicd.build_project", "monitoring.alarm")
    kw = {"scope": scope} if scope else {}
    for m in medians:
        estate.fact("cicd.build_project", recent_builds=12, median_build_minutes=m, **kw)
    return estate


@pytest.mark.parametrize(
    ("medians", "possible"),
    [
        ([90, 120, 240, 5], [1, 2]),  # mostly over an hour: quick and minutes ruled out
        ([61, 20], [1, 2]),  # half slow: at slow_majority
        ([60, 20], [2, 3]),  # an hour is not "hours": just below
        ([25] * 9 + [45], [2, 3, 4]),  # 90% quick: at nearly_all
        ([25] * 8 + [45] * 2, [2, 3]),  # 80% quick
        ([8] * 9 + [12], [2, 3, 4, 5]),  # 90% within minutes
    ],
)
def test_build_speed_rules_levels_out_but_never_sets_one(tmp_path, medians, possible):
    result = builds(*medians).score(tmp_path, "ops.build_speed")
    assert result.possible_levels == possible
    assert_no_level(result)
    assert verdicts(result)[2] == "human"  # whether times are tracked is for people


def test_build_speed_inactive_projects_are_ignored(tmp_path):
    estate = builds(5)
    estate.fact("cicd.build_project", recent_builds=0, median_build_minutes=300)
    assert evidence(estate.score(tmp_path, "ops.build_speed"), "slow_builds").value.hi == 0


def test_build_speed_no_cloud_builds_leaves_every_level_open(tmp_path):
    result = builds().score(tmp_path, "ops.build_speed")
    assert result.possible_levels == [1, 2, 3, 4, 5]
    assert_no_level(result)


def test_build_speed_region_denied_keeps_levels_open(tmp_path):
    estate = builds(90, 120)
    estate.denied("cicd.build_project", region=OTHER_REGION)
    assert estate.score(tmp_path, "ops.build_speed").possible_levels == [1, 2, 3, 4, 5]


def test_build_speed_across_accounts(tmp_path):
    estate = builds(5, 5)
    estate.covered("cicd.build_project", scope=OTHER_SCOPE)
    estate.fact("cicd.build_project", scope=OTHER_SCOPE, recent_builds=3, median_build_minutes=50)
    result = estate.score(tmp_path, "ops.build_speed")
    share = evidence(result, "within_minutes")
    assert {s.scope: (s.matching, s.total) for s in share.by_scope} == {"111111111111": (2, 2), OTHER_SCOPE: (0, 1)}
    assert 5 not in result.possible_levels


def test_build_speed_threshold_override(tmp_path):
    estate = builds(12, 12)
    assert 5 not in estate.score(tmp_path, "ops.build_speed").possible_levels
    assert 5 in estate.score(tmp_path, "ops.build_speed", overrides={"ops.build_speed": {"minutes": 15}}).possible_levels


# --- ops.monitoring ------------------------------------------------------------------------------


MONITORING_TYPES = ("monitoring.alarm", "monitoring.dashboard", "monitoring.metric_filter")
INFRA_ALARM = {"namespace": "AWS/EC2", "custom_metric": False, "composite": False, "anomaly_detection": False}


def monitoring(alerting: int, silent: int = 0) -> Estate:
    """Alarms on infrastructure metrics, `alerting` of them notifying someone."""
    estate = Estate().covered(*MONITORING_TYPES)
    estate.many(alerting, "monitoring.alarm", has_actions=True, **INFRA_ALARM)
    estate.many(silent, "monitoring.alarm", has_actions=False, **INFRA_ALARM)
    return estate


@pytest.mark.parametrize(("alerting", "silent", "possible"), [(5, 0, [3]), (4, 10, [1, 2, 3, 4, 5])])
def test_monitoring_alarms_rule_out_manual_checks(tmp_path, alerting, silent, possible):
    result = monitoring(alerting, silent).score(tmp_path, "ops.monitoring")
    assert result.possible_levels == possible


def test_monitoring_infrastructure_alerting_alone_is_level_3(tmp_path):
    """'Monitoring and alerts for problems, but not yet an integrated system': nothing from the applications."""
    estate = monitoring(6)
    estate.fact("monitoring.dashboard", widgets=4, application_metrics=False)
    estate.fact("monitoring.metric_filter", log_group="aws-cloudtrail-logs-123456789012")  # CIS security filter
    container = {**INFRA_ALARM, "namespace": "ContainerInsights", "custom_metric": True}  # pod CPU: infrastructure
    estate.fact("monitoring.alarm", has_actions=True, **container)
    result = estate.score(tmp_path, "ops.monitoring")
    assert (result.suggested_level, result.confidence) == (3, "medium"), result.reasons
    assert verdicts(result) == {1: "ruled_out", 2: "ruled_out", 3: "human", 4: "ruled_out", 5: "ruled_out"}


@pytest.mark.parametrize(
    ("fact_type", "attributes"),
    [
        (
            "monitoring.alarm",
            {"has_actions": True, "namespace": "Shop", "custom_metric": True, "composite": False, "anomaly_detection": False},
        ),
        (
            "monitoring.alarm",
            {"has_actions": False, "namespace": "AWS/X-Ray", "custom_metric": False, "composite": False, "anomaly_detection": False},
        ),
        (
            "monitoring.alarm",
            {"has_actions": True, "namespace": "AWS/EC2", "custom_metric": False, "composite": False, "anomaly_detection": True},
        ),
        (
            "monitoring.alarm",
            {"has_actions": True, "namespace": "none", "custom_metric": False, "composite": True, "anomaly_detection": False},
        ),
        ("monitoring.dashboard", {"widgets": 3, "application_metrics": True}),
        ("monitoring.dashboard", {}),  # body unreadable: it may show the applications
        ("monitoring.metric_filter", {"log_group": "/app/checkout"}),
    ],
)
def test_monitoring_anything_from_the_applications_keeps_4_and_5_open(tmp_path, fact_type, attributes):
    estate = monitoring(6)
    estate.fact(fact_type, **attributes)
    result = estate.score(tmp_path, "ops.monitoring")
    assert result.possible_levels == [3, 4, 5]
    assert_no_level(result)


APP_ALARM = {"has_actions": True, "namespace": "Shop", "custom_metric": True, "composite": False, "anomaly_detection": False}


@pytest.mark.parametrize(
    ("fact_type", "attributes"),
    [
        ("monitoring.dashboard", {"widgets": 3, "application_metrics": True}),
        ("monitoring.alarm", {**APP_ALARM, "namespace": "AWS/EC2", "custom_metric": False, "anomaly_detection": True}),
    ],
)
def test_monitoring_application_alarms_with_advanced_tools_are_at_least_4(tmp_path, fact_type, attributes):
    """Systematic alerting (six actionable alarms), an alarm on application data, and a dashboard showing application
    data or an anomaly-detection alarm: "Advanced monitoring tools with some integration between infrastructure and
    applications" at least; the single integrated view of level 5 is for a person."""
    estate = monitoring(6)
    estate.fact("monitoring.alarm", **APP_ALARM)
    estate.fact(fact_type, **attributes)
    result = estate.score(tmp_path, "ops.monitoring")
    assert (result.status, result.floor_level, result.answer, result.possible_levels) == ("floor", 4, 4, [4, 5])
    assert "; alarms on custom metrics: 1, of which on the audit log's security checks: 0;" in result.because, result.because


def test_monitoring_alarms_on_the_audit_logs_security_checks_are_not_application_data(tmp_path):
    """The CIS filters over the audit trail's log make custom metrics, and their alarms notify: security checks on
    the audit log, not "some integration between infrastructure and applications" (level 4). With a dashboard
    showing application data, 4 stays possible but is not shown."""
    estate = monitoring(6)
    cis = {**APP_ALARM, "namespace": "CISBenchmark"}
    estate.many(3, "monitoring.alarm", **cis)
    estate.many(3, "monitoring.metric_filter", log_group="org-trail", audit_log=True, organization_audit_log=True, alarmed=True)
    estate.fact("monitoring.dashboard", widgets=3, application_metrics=True)
    result = estate.score(tmp_path, "ops.monitoring")
    assert result.possible_levels == [3, 4, 5] and result.answer == 0, (result.status, result.floor_level)


def test_monitoring_application_alarms_with_thin_alerting_show_nothing(tmp_path):
    """Application alarms and a dashboard, but only two actionable alarms: alerting may live in a third-party tool."""
    estate = monitoring(1)
    estate.fact("monitoring.alarm", **APP_ALARM)
    estate.fact("monitoring.dashboard", widgets=3, application_metrics=True)
    assert_no_level(estate.score(tmp_path, "ops.monitoring"))


def test_monitoring_unreadable_log_metrics_keep_4_and_5_open(tmp_path):
    estate = Estate().covered("monitoring.alarm", "monitoring.dashboard").denied("monitoring.metric_filter")
    estate.many(6, "monitoring.alarm", has_actions=True, **INFRA_ALARM)
    assert estate.score(tmp_path, "ops.monitoring").possible_levels == [3, 4, 5]


def test_monitoring_no_alarms_is_not_level_1(tmp_path):
    result = Estate().covered("monitoring.alarm", "monitoring.dashboard").score(tmp_path, "ops.monitoring")
    assert_no_level(result)  # a third-party tool may do the monitoring


def test_monitoring_alarms_denied_in_a_region_do_not_count_as_none(tmp_path):
    estate = Estate().covered("monitoring.dashboard", "monitoring.metric_filter")
    estate.many(3, "monitoring.alarm", has_actions=True)
    estate.denied("monitoring.alarm", region=OTHER_REGION)
    result = estate.score(tmp_path, "ops.monitoring")
    assert evidence(result, "alerting_alarms").display.startswith("at least 3")
    assert_no_level(result)


def test_monitoring_alarms_counted_across_accounts_and_override(tmp_path):
    estate = Estate().covered("monitoring.alarm", "monitoring.dashboard", "monitoring.metric_filter")
    estate.many(3, "monitoring.alarm", has_actions=True, custom_metric=True)
    estate.fact("monitoring.alarm", scope=OTHER_SCOPE, has_actions=True, custom_metric=False)
    estate.fact("monitoring.alarm", scope=OTHER_SCOPE, has_actions=True, custom_metric=False)
    result = estate.score(tmp_path, "ops.monitoring")
    assert evidence(result, "application_alarms").value.lo == pytest.approx(0.6)
    assert {s.scope for s in evidence(result, "alerting_alarms").by_scope} == {"111111111111", OTHER_SCOPE}
    assert result.possible_levels == [3, 4, 5]
    overridden = estate.score(tmp_path, "ops.monitoring", overrides={"ops.monitoring": {"alerting_min": 6}})
    assert overridden.possible_levels == [1, 2, 3, 4, 5]


# --- ops.release --------------------------------------------------------------------------------


def release_estate(groups=(), services=()) -> Estate:
    """`groups`: strategies, or (strategy, manual_cutover, alarm_rollback); by default switched automatically, no alarm rollback."""
    estate = Estate().covered("cicd.deployment_group", "compute.container_service")
    for group in groups:
        strategy, manual, alarm = (group, False, False) if isinstance(group, str) else group
        estate.fact("cicd.deployment_group", strategy=strategy, auto_rollback=alarm, alarm_rollback=alarm, manual_cutover=manual)
    for strategy in services:
        estate.fact("compute.container_service", desired=2, deployment_strategy=strategy)
    return estate


@pytest.mark.parametrize(
    ("groups", "services", "possible", "level"),
    [
        (["all_at_once"] * 3, ["rolling"], [1], 1),  # in place dominates: stop and restart
        (["all_at_once"], ["rolling"] * 2, [2], 2),  # rolling dominates
        ([], ["rolling", "blue_green"], [2, 3, 4, 5], None),  # a tie keeps both open (and shows no floor)
        # canary or blue/green, switched automatically, no alarm rollback: "We use canary or blue/green releases" at least
        (["canary", "blue_green"], ["linear", "rolling"], [4, 5], 4),
        # a person switches over: "deploy new versions and switch over by hand" at least; windows decide 3 or 4
        ([("blue_green", True, False)] * 2, ["blue_green"], [3, 4], 3),
        ([("canary", False, True), ("linear", False, True)], ["blue_green"], [5], 5),  # dynamic: moves users, rolls back on alarms
        ([("canary", False, True), ("blue_green", True, True)], [], [3, 4, 5], 3),  # some by hand, some dynamic
        ([], ["blue_green", "blue_green"], [3, 4, 5], 3),  # no deployment group in sight: switching unknown, new versions beside old
        ([], ["external", "external"], [1, 2, 3, 4, 5], None),  # nothing classified
    ],
)
def test_release_levels(tmp_path, groups, services, possible, level):
    result = release_estate(groups, services).score(tmp_path, "ops.release")
    assert result.possible_levels == possible
    assert result.answer == (level or 0)
    if level and len(possible) > 1:  # shown by the configuration; the levels above turn on maintenance windows
        assert (result.status, result.floor_level, result.suggested_level) == ("floor", level, None)
    elif level:
        assert result.suggested_level == level
        assert result.confidence == "medium"  # maintenance windows are not visible
    else:
        assert_no_level(result)


def test_release_unknown_switching_keeps_3_to_5_open(tmp_path):
    estate = Estate().covered("cicd.deployment_group", "compute.container_service")
    estate.fact("cicd.deployment_group", strategy="canary", auto_rollback=True, alarm_rollback=True)  # manual_cutover not read
    assert estate.score(tmp_path, "ops.release").possible_levels == [3, 4, 5]


def test_release_empty_account_is_unknown(tmp_path):
    assert_no_level(release_estate().score(tmp_path, "ops.release"))


def test_release_services_denied_in_a_region_is_unknown(tmp_path):
    estate = release_estate(["all_at_once"] * 2)
    estate.denied("compute.container_service", region=OTHER_REGION)
    assert_no_level(estate.score(tmp_path, "ops.release"))


def test_release_counts_every_account(tmp_path):
    estate = release_estate(["all_at_once"] * 2)
    estate.covered("cicd.deployment_group", "compute.container_service", scope=OTHER_SCOPE)
    estate.many(3, "compute.container_service", scope=OTHER_SCOPE, desired=1, deployment_strategy="rolling")
    result = estate.score(tmp_path, "ops.release")
    assert {s.scope: s.matching for s in evidence(result, "rolling_services").by_scope} == {OTHER_SCOPE: 3}
    assert result.suggested_level == 2  # 3 rolling across accounts beat 2 in place


# --- ops.deploy_qa ------------------------------------------------------------------------------


@pytest.mark.parametrize(("pipeline", "console", "possible"), [(50, 50, [3, 4, 5]), (49, 51, [1, 2, 3, 4, 5])])
def test_deploy_qa_pipeline_writes_rule_out_manual_deployment(tmp_path, pipeline, console, possible):
    estate = Estate().covered("activity.changes", "cicd.pipeline")
    estate.fact("activity.changes", total=pipeline + console, pipeline=pipeline, console=console, cicd_identity=pipeline)
    estate.fact("cicd.pipeline", has_deploy=True, has_test=False, has_manual_approval=True)
    result = estate.score(tmp_path, "ops.deploy_qa")
    assert result.possible_levels == possible
    assert_no_level(result)


def test_deploy_qa_pipelines_that_test_before_deploying_are_at_least_3(tmp_path):
    """Half the writes by CI/CD and deploying pipelines that run tests first show "Integrated approach, with some
    automation and regular checks" (level 3); frequent deployments (4) and short-lived environments (5) are for a person."""
    estate = Estate().covered("activity.changes", "cicd.pipeline")
    estate.fact("activity.changes", total=100, pipeline=50, console=50, cicd_identity=50)
    estate.fact("cicd.pipeline", has_deploy=True, has_test=True, has_manual_approval=False)
    estate.fact("cicd.pipeline", has_deploy=True, has_test=False, has_manual_approval=True)
    estate.fact("cicd.pipeline", has_deploy=False, has_test=True, has_manual_approval=False)  # not a deployment pipeline
    result = estate.score(tmp_path, "ops.deploy_qa")
    assert (result.status, result.floor_level, result.answer, result.possible_levels) == ("floor", 3, 3, [3, 4, 5])
    assert "1 of 2 deploying pipelines run a test action" in result.because


@pytest.mark.parametrize(("pipeline", "tested", "untested"), [(50, 1, 2), (49, 2, 0)])
def test_deploy_qa_few_tested_pipelines_or_changes_by_hand_show_nothing(tmp_path, pipeline, tested, untested):
    """Most deploying pipelines without tests, or most writes by people (the pipelines may deploy little): no floor."""
    estate = Estate().covered("activity.changes", "cicd.pipeline")
    estate.fact("activity.changes", total=100, pipeline=pipeline, console=100 - pipeline, cicd_identity=pipeline)
    estate.many(tested, "cicd.pipeline", has_deploy=True, has_test=True, has_manual_approval=False)
    estate.many(untested, "cicd.pipeline", has_deploy=True, has_test=False, has_manual_approval=False)
    assert_no_level(estate.score(tmp_path, "ops.deploy_qa"))


def test_deploy_qa_tested_pipelines_with_the_history_denied_are_no_floor(tmp_path):
    """Never guess: tested pipelines, but who makes the changes cannot be read."""
    estate = Estate().covered("cicd.pipeline").denied("activity.changes")
    estate.fact("cicd.pipeline", has_deploy=True, has_test=True, has_manual_approval=False)
    assert_no_level(estate.score(tmp_path, "ops.deploy_qa"))


def test_deploy_qa_across_accounts_denied_and_empty(tmp_path):
    estate = Estate().covered("activity.changes", "cicd.pipeline")
    estate.fact("activity.changes", total=100, pipeline=100, console=0, cicd_identity=100)
    estate.fact("activity.changes", scope=OTHER_SCOPE, total=200, pipeline=0, console=200, cicd_identity=0)
    result = estate.score(tmp_path, "ops.deploy_qa")
    assert evidence(result, "changes").value.lo == 300
    assert result.possible_levels == [1, 2, 3, 4, 5]  # a third by pipelines over both accounts
    assert_no_level(Estate().denied("activity.changes").score(tmp_path, "ops.deploy_qa"))
    empty = Estate().covered("activity.changes", "cicd.pipeline").score(tmp_path, "ops.deploy_qa")
    assert empty.status == "not_applicable"


def test_deploy_qa_ci_jobs_applying_terraform_are_pipeline_deployments(tmp_path):
    estate = Estate().covered("activity.changes", "cicd.pipeline")
    estate.fact("activity.changes", total=100, pipeline=0, iac=80, console=20, cicd_identity=80)
    assert estate.score(tmp_path, "ops.deploy_qa").possible_levels == [3, 4, 5]


def test_deploy_qa_threshold_override(tmp_path):
    estate = Estate().covered("activity.changes", "cicd.pipeline")
    estate.fact("activity.changes", total=100, pipeline=40, console=60, cicd_identity=40)
    result = estate.score(tmp_path, "ops.deploy_qa", overrides={"ops.deploy_qa": {"mostly_pipeline": 0.4}})
    assert result.possible_levels == [3, 4, 5]


# --- evidence only: ops.incident_planning; manual: ops.insights ---------------------------------


def test_incident_planning_backups_are_evidence_not_a_plan(tmp_path):
    estate = Estate().covered("storage.backup_plan", "storage.backup_vault", "compute.managed_database")
    estate.fact("storage.backup_plan", cross_region_copy=True, rules=2)
    estate.fact("storage.backup_vault", locked=True)
    estate.fact("compute.managed_database", backup_retention_days=7, multi_az=True)
    result = estate.score(tmp_path, "ops.incident_planning")
    assert evidence(result, "copied_backup_plans").value.lo == 1
    assert_no_level(result)
    # response plans not read: "we don't have a formal incident plan" (1) stays possible, the rest are for a person
    assert verdicts(result) == {1: "possible", 2: "human", 3: "human", 4: "human", 5: "human"}


def test_incident_planning_response_plan_shows_level_2(tmp_path):
    """ "We create a plan when launching a new service" (2): a response plan that engages responders is a formal
    incident plan (not 1); keeping plans current and testing them (3-5) is for a person: at least 2."""
    estate = Estate().covered("storage.backup_plan", "storage.backup_vault", "compute.managed_database", "ops.response_plan")
    estate.fact("ops.response_plan", engagements=1, runbook=False, chat_channel=False)
    result = estate.score(tmp_path, "ops.incident_planning")
    assert (result.status, result.floor_level, result.possible_levels) == ("floor", 2, [2, 3, 4, 5])


def test_incident_planning_no_response_plan_rules_nothing_out(tmp_path):
    # plans kept in documents or a paging tool are invisible: no plan in the cloud leaves every level open
    estate = Estate().covered("storage.backup_plan", "storage.backup_vault", "compute.managed_database", "ops.response_plan")
    result = estate.score(tmp_path, "ops.incident_planning")
    assert_no_level(result)
    assert result.possible_levels == [1, 2, 3, 4, 5]


def test_insights_is_manual(tmp_path):
    result = Estate().score(tmp_path, "ops.insights")
    assert result.status == "manual"
    assert result.evidence_to_bring
