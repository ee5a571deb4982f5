"""Golden estates for the Data rules: evidence is read, levels stay with people except ruling out level 5."""

from __future__ import annotations

import pytest

from tests.rules import OTHER_REGION, OTHER_SCOPE, assert_no_level, evidence, verdicts
from tests.rules import GoldenEstate as Estate

RETENTION_TYPES = ("storage.bucket", "logging.log_group", "compute.managed_database", "config.rule", "config.remediation")


def retention_estate(buckets_set: int, buckets_unset: int, logs_set: int, logs_unset: int, scope=None) -> Estate:
    estate = Estate().covered(*RETENTION_TYPES)
    kw = {"scope": scope} if scope else {}
    if scope:
        estate.covered(*RETENTION_TYPES, scope=scope)
    for _ in range(buckets_set):
        estate.fact("storage.bucket", lifecycle_expiration=True, object_lock=False, **kw)
    for _ in range(buckets_unset):
        estate.fact("storage.bucket", lifecycle_expiration=False, object_lock=False, **kw)
    for _ in range(logs_set):
        estate.fact("logging.log_group", never_expires=False, retention_days=365, **kw)
    for _ in range(logs_unset):
        estate.fact("logging.log_group", never_expires=True, **kw)
    return estate


@pytest.mark.parametrize(
    ("buckets", "logs", "level_5_open"),
    [
        ((1, 1), (1, 1), True),  # 50% and 50%: at the threshold
        ((1, 2), (3, 0), False),  # buckets 33%: below
        ((3, 0), (2, 3), False),  # logs 40%: below
        ((4, 0), (4, 0), True),
    ],
)
def test_retention_level_5_ruled_out_only_when_most_data_has_no_retention(tmp_path, buckets, logs, level_5_open):
    result = retention_estate(*buckets, *logs).score(tmp_path, "data.retention")
    assert_no_level(result)
    assert (5 in result.possible_levels) is level_5_open
    assert verdicts(result)[5] == ("supported" if level_5_open else "ruled_out")
    assert [lv for lv in result.possible_levels if lv < 5] == [1, 2, 3, 4]  # policies, attestations: people
    if not level_5_open:
        assert result.status == "range"


def test_retention_object_lock_counts_as_a_retention_setting(tmp_path):
    estate = retention_estate(0, 0, 1, 0)
    estate.fact("storage.bucket", lifecycle_expiration=False, object_lock=True)
    assert evidence(estate.score(tmp_path, "data.retention"), "bucket_retention").value.lo == 1


def test_retention_set_and_checked_by_rules_is_level_5(tmp_path):
    """ "We follow policy and use automated cloud tools to check that we do." (5): retention on every bucket and
    log group, and a configuration rule checking it."""
    estate = retention_estate(3, 0, 3, 0)
    estate.fact("config.rule", identifier="CW_LOGGROUP_RETENTION_PERIOD_CHECK")
    result = estate.score(tmp_path, "data.retention")
    assert (result.status, result.answer) == ("suggested", 5)
    assert result.because == (
        "Retention is set and checked by cloud tools: 100% (3 of 3) of buckets and 100% (3 of 3) of log groups "
        "have retention, and 1 configuration rules check it."
    )


def test_retention_checks_unread_is_no_level(tmp_path):
    estate = retention_estate(3, 0, 3, 0)
    estate.fact("config.rule", identifier="CW_LOGGROUP_RETENTION_PERIOD_CHECK")
    estate.denied("config.rule", region=OTHER_REGION)
    assert_no_level(estate.score(tmp_path, "data.retention"))


def test_retention_checks_for_other_things_are_evidence_not_a_level(tmp_path):
    estate = retention_estate(1, 2, 3, 0)  # most buckets keep data forever: level 5 is ruled out
    estate.fact("config.rule", identifier="CW_LOGGROUP_RETENTION_PERIOD_CHECK")
    estate.fact("config.rule", identifier="S3_BUCKET_VERSIONING_ENABLED")
    estate.fact("config.remediation", identifier="CW_LOGGROUP_RETENTION_PERIOD_CHECK", automatic=True)
    estate.fact("config.remediation", identifier="S3_BUCKET_VERSIONING_ENABLED", automatic=True)
    result = estate.score(tmp_path, "data.retention")
    assert evidence(result, "retention_checks").value.lo == 1
    assert evidence(result, "retention_checks_remediated").value.lo == 1
    assert_no_level(result)


def test_retention_empty_account_is_not_applicable(tmp_path):
    result = retention_estate(0, 0, 0, 0).score(tmp_path, "data.retention")
    assert result.status == "not_applicable"
    assert result.answer == 0


def test_retention_buckets_denied_does_not_rule_out_level_5(tmp_path):
    estate = Estate().covered("logging.log_group", "compute.managed_database", "config.rule")
    estate.fact("logging.log_group", never_expires=False)
    estate.denied("storage.bucket")
    result = estate.score(tmp_path, "data.retention")
    assert 5 in result.possible_levels
    assert_no_level(result)


def test_retention_one_region_denied_does_not_rule_out_level_5(tmp_path):
    estate = retention_estate(0, 3, 0, 3)  # would rule 5 out with full coverage
    estate.denied("storage.bucket", "logging.log_group", region=OTHER_REGION)
    result = estate.score(tmp_path, "data.retention")
    assert 5 in result.possible_levels


def test_retention_share_is_over_every_account(tmp_path):
    estate = retention_estate(2, 0, 2, 0)  # account 1: all set
    estate.covered(*RETENTION_TYPES, scope=OTHER_SCOPE)
    estate.many(3, "storage.bucket", scope=OTHER_SCOPE, lifecycle_expiration=False, object_lock=False)
    result = estate.score(tmp_path, "data.retention")
    share = evidence(result, "bucket_retention")
    assert share.value.lo == pytest.approx(0.4)  # 2 of 5 across both accounts
    assert {s.scope: (s.matching, s.total) for s in share.by_scope} == {"111111111111": (2, 2), OTHER_SCOPE: (0, 3)}
    assert 5 not in result.possible_levels


def test_retention_threshold_override(tmp_path):
    estate = retention_estate(1, 2, 1, 2)
    assert 5 not in estate.score(tmp_path, "data.retention").possible_levels
    result = estate.score(tmp_path, "data.retention", overrides={"data.retention": {"retention_set": 0.3}})
    assert 5 in result.possible_levels


# --- data.management -----------------------------------------------------------------------


def test_data_management_full_classification_is_evidence_not_a_level(tmp_path):
    estate = Estate().covered("storage.bucket", "inventory.resource", "security.service")
    estate.many(5, "storage.bucket", data_classification="official")
    estate.many(5, "inventory.resource", has_data_tags=True)
    estate.fact("security.service", service="macie", kind="data_discovery", enabled=True)
    estate.fact("security.service", service="guardduty", kind="threat_detection", enabled=True)
    result = estate.score(tmp_path, "data.management")
    assert evidence(result, "classified_buckets").value.lo == 1
    assert evidence(result, "discovery_regions").value.lo == 1
    assert_no_level(result)
    assert result.possible_levels == [1, 2, 3, 4, 5]


def test_data_management_no_classification_is_not_level_1(tmp_path):
    estate = Estate().covered("storage.bucket", "inventory.resource", "security.service")
    estate.many(5, "storage.bucket", data_classification="none")
    estate.fact("security.service", service="macie", kind="data_discovery", enabled=False)
    result = estate.score(tmp_path, "data.management")
    assert evidence(result, "classified_buckets").value.hi == 0
    assert_no_level(result)  # the inventory may be kept outside the cloud


def test_data_management_denied_reports_gaps(tmp_path):
    estate = Estate().denied("storage.bucket", "inventory.resource", "security.service")
    result = estate.score(tmp_path, "data.management")
    assert_no_level(result)
    assert not evidence(result, "classified_buckets").complete
