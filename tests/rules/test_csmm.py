"""Golden estates for the CSMM category rules (rules/csmm/*.yaml).

Expected answers follow the CSMM level descriptions in csmm/categories.json: a level is
suggested only when every other level is ruled out; otherwise the answer is 0 with a range.
"""

from __future__ import annotations

import pytest

from tests.rules import verdicts
from tests.rules.identities import person, root
from tests.rules.scoring import score
from tests.support.estate import Estate

A, B = "111111111111", "222222222222"


def people(estate: Estate, n: int, keys: int = 0, scope: str = A) -> None:
    person(estate, n, scope=scope, active_keys=keys)


# --- csmm.iam ------------------------------------------------------------------------------------


def iam_estate(local: int, sso_users: int = 0, secrets: int = 0, rotated: int = 0, keys: int = 0) -> Estate:
    estate = Estate().covered("identity.user", "identity.sso_instance", "identity.federation_provider", region="global")
    estate.covered("secrets.secret")
    root(estate)
    people(estate, local, keys=keys)
    if sso_users:
        estate.fact("identity.sso_instance", region="global", users=sso_users)
    for i in range(secrets):
        estate.fact("secrets.secret", rotation_enabled=i < rotated)
    return estate


def test_iam_no_federation_is_level_1(tmp_path):
    result = score(iam_estate(local=12), tmp_path, "csmm.iam")
    assert result.answer == 1  # "Identities managed within individual cloud accounts. No federation."


def test_iam_empty_identity_centre_is_not_federation(tmp_path):
    estate = iam_estate(local=12)
    estate.fact("identity.sso_instance", region="global", users=0)  # an instance nobody signs in through
    assert score(estate, tmp_path, "csmm.iam").answer == 1


def test_iam_initial_federation_is_level_2(tmp_path):
    result = score(iam_estate(local=10, sso_users=10, secrets=1), tmp_path, "csmm.iam")  # 50% federated
    assert result.answer == 2


def test_iam_consistent_federation_with_secrets_is_level_3(tmp_path):
    result = score(iam_estate(local=5, sso_users=20, secrets=2), tmp_path, "csmm.iam")  # 80%
    assert result.answer == 3


def test_iam_consistent_federation_without_a_secret_store_is_level_3(tmp_path):
    # not "extensive use of cloud-side entities" (2); an empty Secrets Manager is not proof of no secrets management
    result = score(iam_estate(local=5, sso_users=20, secrets=0), tmp_path, "csmm.iam")
    assert result.answer == 3
    assert score(iam_estate(local=0, sso_users=20, secrets=0), tmp_path, "csmm.iam").possible_levels == [3, 4, 5]


def test_iam_federation_boundary(tmp_path):
    result = score(iam_estate(local=6, sso_users=20, secrets=2), tmp_path, "csmm.iam")  # 76.9%
    assert result.answer == 2


def test_iam_complete_federation_leaves_3_to_5_and_shows_3(tmp_path):
    """ "Federation consistent through broker or similar. Initial secrets management use": shown, so at least 3;
    levels 4 and 5 turn on automated provisioning and conditional authorisation, which are not read."""
    result = score(iam_estate(local=1, sso_users=50, secrets=4, rotated=4), tmp_path, "csmm.iam")
    assert result.possible_levels == [3, 4, 5]
    assert (result.status, result.answer) == ("floor", 3)
    assert "50 people in the identity centre" in result.because


def test_iam_complete_federation_without_stored_secrets_is_no_floor(tmp_path):
    result = score(iam_estate(local=0, sso_users=20, secrets=0), tmp_path, "csmm.iam")
    assert result.possible_levels == [3, 4, 5] and result.answer == 0  # secrets management is not shown


def test_iam_people_with_keys_rule_out_level_4(tmp_path):
    result = score(iam_estate(local=1, sso_users=50, secrets=4, rotated=4, keys=1), tmp_path, "csmm.iam")
    assert result.answer == 3


def test_iam_override(tmp_path):
    estate = iam_estate(local=6, sso_users=20, secrets=2)
    result = score(estate, tmp_path, "csmm.iam", overrides={"csmm.iam": {"consistent_federation": 0.75}})
    assert result.answer == 3


def test_iam_denied_identity_centre_is_unknown(tmp_path):
    estate = Estate().covered("identity.user", "identity.federation_provider", region="global").covered("secrets.secret")
    estate.denied("identity.sso_instance", region="global")
    root(estate)
    people(estate, 12)
    result = score(estate, tmp_path, "csmm.iam")
    assert result.answer == 0  # a denied identity centre is not "no federation"


def test_iam_empty_is_not_applicable(tmp_path):
    estate = Estate().covered("identity.user", "identity.sso_instance", "identity.federation_provider", region="global")
    assert score(estate, tmp_path, "csmm.iam").status == "not_applicable"


# --- csmm.security_monitoring ---------------------------------------------------------------------


def account(estate: Estate, scope: str = A) -> None:
    """One scanned account: the rules count accounts by their password-policy fact (read in each,
    set or not), which moto also gives; its credential report has no root row."""
    estate.fact("identity.password_policy", scope=scope, region="global", present=False)


def monitoring_estate(org_trail: bool = True, guardduty: int = 20, of: int = 20, flow: bool = True, routed: bool = True) -> Estate:
    estate = Estate()
    account(estate)
    estate.fact("audit.trail", logging=True, multi_region=True, organization_trail=org_trail)
    for i in range(of):
        estate.fact("security.service", region=f"r{i}", service="guardduty", kind="threat_detection", enabled=i < guardduty)
    estate.covered("monitoring.metric_filter")
    estate.fact("network.vpc", flow_logs=flow, is_default=False)
    if routed:
        estate.fact("monitoring.event_rule", security_events=True, targets=1)
    else:
        estate.covered("monitoring.event_rule")
    return estate


def test_monitoring_nothing_is_level_1(tmp_path):
    estate = Estate()
    account(estate)
    estate.covered("audit.trail", "security.service", "network.vpc", "monitoring.event_rule", "monitoring.metric_filter")
    assert score(estate, tmp_path, "csmm.security_monitoring").answer == 1


def test_monitoring_some_accounts_is_level_2(tmp_path):
    estate = monitoring_estate(org_trail=False)
    account(estate, scope=B)
    estate.covered("audit.trail", scope=B)
    result = score(estate, tmp_path, "csmm.security_monitoring")
    assert result.answer == 2  # logs in one of two accounts: "aggregated across some accounts"
    trails = next(e for e in result.evidence if e.signal == "trail_accounts")
    assert [s.scope for s in trails.by_scope] == [A]


def test_monitoring_all_accounts_without_detectors_is_2_or_3(tmp_path):
    result = score(monitoring_estate(guardduty=0), tmp_path, "csmm.security_monitoring")
    assert result.possible_levels == [2, 3]


def test_monitoring_comprehensive_is_at_least_4(tmp_path):
    """ "Comprehensive security telemetry ... Cloud-native threat detectors in place": shown, so at least 4; level 5's
    consistency across every provider in use and enrichment are not in this snapshot."""
    result = score(monitoring_estate(), tmp_path, "csmm.security_monitoring")
    assert result.possible_levels == [4, 5]
    assert (result.status, result.answer) == ("floor", 4)
    assert "threat detection is on in 100% (20 of 20)" in result.because


def test_monitoring_inconsistent_detectors_everywhere_logged_is_level_3(tmp_path):
    # "Initial alerts/threat detectors ..., but inconsistently in place": beyond level 2's "some accounts"
    result = score(monitoring_estate(guardduty=3, of=20), tmp_path, "csmm.security_monitoring")
    assert result.answer == 3


def test_monitoring_floor_never_covers_unread_routing(tmp_path):
    estate = monitoring_estate(routed=False)
    estate.denied("monitoring.event_rule", region="eu-west-1")
    result = score(estate, tmp_path, "csmm.security_monitoring")
    assert result.possible_levels == [4, 5] and result.answer == 0


def test_monitoring_detector_boundary_and_override(tmp_path):
    estate = monitoring_estate(guardduty=18, of=20)  # 90% < 95%
    assert score(estate, tmp_path, "csmm.security_monitoring").answer == 3
    relaxed = score(estate, tmp_path, "csmm.security_monitoring", overrides={"csmm.security_monitoring": {"detector_coverage": 0.9}})
    assert relaxed.possible_levels == [4, 5] and (relaxed.status, relaxed.answer) == ("floor", 4)


def test_monitoring_without_flow_logs_keeps_3_to_5_open_and_shows_3(tmp_path):
    """Workload telemetry may come from agents or a SIEM: missing flow logs do not rule 4 out. "Management plane logs
    ... collected across all relevant deployments. Initial alerts/threat detectors": shown, so at least 3."""
    result = score(monitoring_estate(flow=False), tmp_path, "csmm.security_monitoring")
    assert result.possible_levels == [3, 4, 5]
    assert (result.status, result.answer) == ("floor", 3)


@pytest.mark.parametrize("alerting", ["audit_log_alarms", "posture"])
def test_monitoring_alarms_on_the_audit_log_or_posture_checks_are_initial_alerts(tmp_path, alerting):
    """No threat detector, but alarms on metric filters over the trail's log group (or a posture service checking
    configuration) are "initial alerts ... for security deviations": every account logged, level 3; with no
    threat detection anywhere, level 4's "cloud-native threat detectors in place" is ruled out."""
    estate = monitoring_estate(guardduty=0)
    if alerting == "audit_log_alarms":
        estate.fact("monitoring.metric_filter", log_group="/org/trail", audit_log=True, organization_audit_log=True, alarmed=True)
    else:
        estate.fact("security.service", region="r0", service="securityhub", kind="posture", enabled=True)
    result = score(estate, tmp_path, "csmm.security_monitoring")
    assert result.answer == 3 and result.status == "suggested"


def test_monitoring_without_metric_filters_collected_still_reads_detectors(tmp_path):
    """A provider that lists no metric filters (the fact type is not collected): threat detection alone
    still settles "initial alerts/threat detectors, but inconsistently in place" (3)."""
    estate = monitoring_estate(guardduty=3, of=20)
    estate.coverage = [c for c in estate.coverage if "monitoring.metric_filter" not in c.fact_types]
    assert score(estate, tmp_path, "csmm.security_monitoring").answer == 3


def test_monitoring_metric_filters_without_alarms_are_not_alerts(tmp_path):
    estate = monitoring_estate(guardduty=0)
    estate.fact("monitoring.metric_filter", log_group="/org/trail", audit_log=True, organization_audit_log=True, alarmed=False)
    assert score(estate, tmp_path, "csmm.security_monitoring").possible_levels == [2, 3]


def test_monitoring_denied_trails_is_unknown(tmp_path):
    estate = Estate()
    account(estate)
    estate.denied("audit.trail").covered("security.service", "network.vpc", "monitoring.event_rule")
    assert score(estate, tmp_path, "csmm.security_monitoring").answer == 0


# --- csmm.organization_management -----------------------------------------------------------------


def org_estate(accounts: int = 10, ous: int = 3, scps: int = 1) -> Estate:
    estate = Estate().covered("org.policy", region="global")
    estate.fact("org.organization", region="global", all_features=True, accounts=accounts, ous=ous)
    for _ in range(scps):
        estate.fact("org.policy", region="global", policy_type="scp", aws_managed=False, attachments=2)
    estate.fact("org.policy", region="global", policy_type="scp", aws_managed=True, attachments=12)
    return estate


def test_org_no_organisation_is_level_1(tmp_path):
    estate = Estate().covered("org.organization", "org.policy", region="global")
    estate.fact("inventory.region", enabled=True, scanned=True, in_use=True, workloads=True)
    assert score(estate, tmp_path, "csmm.organization_management").answer == 1


def test_org_empty_account_without_organisation_is_not_applicable(tmp_path):
    estate = Estate().covered("org.organization", "org.policy", region="global")
    estate.fact("inventory.region", enabled=True, scanned=True, in_use=False, workloads=False)
    assert score(estate, tmp_path, "csmm.organization_management").status == "not_applicable"


def test_org_without_guardrails_is_2_or_3(tmp_path):
    result = score(org_estate(scps=0), tmp_path, "csmm.organization_management")
    assert result.possible_levels == [2, 3]  # FullAWSAccess alone is not a guardrail


def test_org_with_guardrails_leaves_2_to_5(tmp_path):
    assert score(org_estate(), tmp_path, "csmm.organization_management").possible_levels == [2, 3, 4, 5]


def test_org_centrally_managed_with_cspm_is_at_least_3(tmp_path):
    """ "Deployments centrally managed ... Initial use of CSPM or similar for security visibility": ten accounts in
    OUs with a posture service in every account-region show 3; IaC provisioning (4) and account factories (5) are
    for a person."""
    estate = org_estate()
    for region in ("eu-west-2", "eu-west-1"):
        estate.fact("security.service", region=region, service="securityhub", kind="posture", enabled=True)
    result = score(estate, tmp_path, "csmm.organization_management")
    assert (result.status, result.answer, result.possible_levels) == ("floor", 3, [3, 4, 5])
    assert result.because.startswith("Deployments are managed centrally with posture management: 10 accounts")


def test_org_without_cspm_is_no_floor(tmp_path):
    estate = org_estate()
    estate.fact("security.service", service="securityhub", kind="posture", enabled=False)
    assert score(estate, tmp_path, "csmm.organization_management").answer == 0


def test_org_is_counted_once_though_every_account_reports_it(tmp_path):
    """Member accounts see the organisation but cannot list it: one organisation of 10, not three of at least 10."""
    estate = org_estate()
    estate.fact("security.service", service="securityhub", kind="posture", enabled=True)
    org = next(f for f in estate.facts if f.type == "org.organization")
    for member in (B, "333333333333"):
        estate.fact(
            "org.organization", scope=member, region="global", all_features=True, accounts=None, ous=None
        ).resource_id = org.resource_id
    result = score(estate, tmp_path, "csmm.organization_management")
    counts = {e.signal: e.display for e in result.evidence}
    assert (counts["organizations"], counts["member_accounts"], counts["ous"]) == ("1", "10", "3")
    assert result.answer == 3


def test_org_seen_only_from_a_member_is_unknown(tmp_path):
    estate = Estate().covered("org.policy", region="global")
    estate.fact("org.organization", scope=A, region="global", all_features=True, accounts=None, ous=None)
    result = score(estate, tmp_path, "csmm.organization_management")
    assert result.answer == 0 and 1 in result.possible_levels


def test_org_denied_is_unknown(tmp_path):
    estate = Estate().denied("org.organization", "org.policy", region="global")
    assert score(estate, tmp_path, "csmm.organization_management").possible_levels == [1, 2, 3, 4, 5]


# --- csmm.data_security -----------------------------------------------------------------------------


def data_estate(buckets: dict[str, int], open_buckets: int = 0, unencrypted_volumes: int = 0, keys: int = 1, macie: bool = True) -> Estate:
    estate = Estate().covered("storage.volume", "compute.managed_database", "crypto.key", "security.service")
    for encryption, n in buckets.items():
        for _ in range(n):
            estate.fact("storage.bucket", encryption=encryption, public_access_blocked=True)
    for _ in range(open_buckets):
        estate.fact("storage.bucket", encryption="sse-s3", public_access_blocked=False)
    for _ in range(unencrypted_volumes):
        estate.fact("storage.volume", encrypted=False)
    for _ in range(keys):
        estate.fact("crypto.key", customer_managed=True, state="Enabled")
    if macie:
        estate.fact("security.service", service="macie", kind="data_discovery", enabled=True)
    return estate


def test_data_default_keys_everywhere_is_level_2(tmp_path):
    result = score(data_estate({"sse-s3": 10}, keys=0), tmp_path, "csmm.data_security")
    assert result.answer == 2  # "Encryption turned on using default keys"


def test_data_open_bucket_keeps_level_1(tmp_path):
    result = score(data_estate({"sse-s3": 10}, open_buckets=1, keys=0), tmp_path, "csmm.data_security")
    assert result.possible_levels == [1, 2]


def test_data_extensive_customer_keys_is_level_4(tmp_path):
    # "Extensive use of customer managed keys. All critical data encrypted": shown (nothing unencrypted or open)
    result = score(data_estate({"kms-customer": 6, "sse-s3": 4}), tmp_path, "csmm.data_security")
    assert result.possible_levels == [4]
    assert result.answer == 4 and "60% (6 of 10) of buckets on customer keys" in result.because


def test_data_extensive_customer_keys_with_an_open_bucket_is_level_4_by_tie_break(tmp_path):
    result = score(data_estate({"kms-customer": 6, "sse-s3": 3}, open_buckets=1), tmp_path, "csmm.data_security")
    assert result.possible_levels == [3, 4]
    assert result.answer == 4 and result.tie_break


def test_data_customer_keys_boundary(tmp_path):
    assert score(data_estate({"kms-customer": 1, "sse-s3": 9}), tmp_path, "csmm.data_security").answer == 3  # 10%
    assert score(data_estate({"kms-customer": 1, "sse-s3": 10}), tmp_path, "csmm.data_security").answer == 2  # 9%


def test_data_mostly_unencrypted_is_level_1(tmp_path):
    result = score(data_estate({"none": 3, "sse-s3": 1}, open_buckets=1, unencrypted_volumes=2, keys=0), tmp_path, "csmm.data_security")
    assert result.answer == 1  # encryption is not "turned on": level 2 is ruled out


def test_data_encryption_on_boundary(tmp_path):
    mostly = score(data_estate({"none": 1, "sse-s3": 2}, keys=0), tmp_path, "csmm.data_security")
    assert mostly.possible_levels == [1, 2]  # encryption mostly on, one store missed: either reading
    half = score(data_estate({"none": 1, "sse-s3": 1}, keys=0), tmp_path, "csmm.data_security")
    assert half.answer == 1  # "more than half" is the threshold, as written


def test_data_minimal_default_keys_is_at_least_4(tmp_path):
    """Customer keys everywhere and nothing unencrypted or open shows level 4; level 5's automated lifecycles,
    encryption in pipelines and assessment for unapproved data are for a person."""
    result = score(data_estate({"kms-customer": 10}), tmp_path, "csmm.data_security")
    assert result.possible_levels == [4, 5]
    assert (result.status, result.answer) == ("floor", 4)


def test_data_unencrypted_volume_rules_out_4(tmp_path):
    result = score(data_estate({"kms-customer": 10}, unencrypted_volumes=1), tmp_path, "csmm.data_security")
    assert result.answer == 3


def test_data_cloud_managed_kms_key_is_not_a_customer_key(tmp_path):
    result = score(data_estate({"kms": 10}, keys=0), tmp_path, "csmm.data_security")
    assert result.answer == 2


def test_data_denied_buckets_is_unknown(tmp_path):
    estate = Estate().denied("storage.bucket").covered("storage.volume", "compute.managed_database", "crypto.key", "security.service")
    estate.fact("crypto.key", customer_managed=True, state="Enabled")
    assert score(estate, tmp_path, "csmm.data_security").answer == 0


def test_data_empty_is_not_applicable(tmp_path):
    estate = Estate().covered("storage.bucket", "storage.volume", "compute.managed_database", "crypto.key", "security.service")
    assert score(estate, tmp_path, "csmm.data_security").status == "not_applicable"


# --- csmm.network_security ----------------------------------------------------------------------------


def test_network_open_admin_ports_is_1_to_3(tmp_path):
    estate = Estate()
    estate.fact("network.vpc", is_default=False, flow_logs=False)
    estate.fact("network.security_group", in_use=True, admin_ports_open=True)
    estate.fact("network.security_group", in_use=True, admin_ports_open=False)
    assert score(estate, tmp_path, "csmm.network_security").possible_levels == [1, 2, 3]


def test_network_built_and_closed_is_at_least_2(tmp_path):
    """ "Networks manually built to defined cloud standards ... Initial use of cloud-native security controls": a built
    network whose groups in use open no admin port to the internet shows 2; segmentation, templates and automated
    guardrails (3-5) are for a person."""
    estate = Estate()
    estate.fact("network.vpc", is_default=False, flow_logs=True)
    estate.fact("network.security_group", in_use=True, admin_ports_open=False)
    result = score(estate, tmp_path, "csmm.network_security")
    assert (result.status, result.answer, result.possible_levels) == ("floor", 2, [2, 3, 4, 5])


def test_network_default_networks_only_is_no_floor(tmp_path):
    estate = Estate()
    estate.fact("network.vpc", is_default=True, flow_logs=True)
    estate.fact("network.security_group", in_use=True, admin_ports_open=False)
    result = score(estate, tmp_path, "csmm.network_security")
    assert result.answer == 0 and result.possible_levels == [4, 5]


def test_network_unused_open_group_does_not_count(tmp_path):
    estate = Estate()
    estate.fact("network.vpc", is_default=False, flow_logs=False)
    estate.fact("network.security_group", in_use=False, admin_ports_open=True)
    estate.fact("network.security_group", in_use=True, admin_ports_open=False)
    assert score(estate, tmp_path, "csmm.network_security").possible_levels == [2, 3, 4, 5]


def test_network_open_admin_ports_without_a_built_network_is_level_1(tmp_path):
    # only the provider's default VPC: nothing was "manually built to defined cloud standards" (2) or segmented (3)
    estate = Estate()
    estate.fact("network.vpc", is_default=True, flow_logs=False)
    estate.fact("network.security_group", in_use=True, admin_ports_open=True)
    result = score(estate, tmp_path, "csmm.network_security")
    assert result.answer == 1


def test_network_unread_vpcs_keep_2_and_3_open(tmp_path):
    estate = Estate().denied("network.vpc")
    estate.fact("network.security_group", in_use=True, admin_ports_open=True)
    assert score(estate, tmp_path, "csmm.network_security").possible_levels == [1, 2, 3]


def test_network_denied_groups_is_unknown(tmp_path):
    estate = Estate().covered("network.vpc").denied("network.security_group")
    assert score(estate, tmp_path, "csmm.network_security").answer == 0


# --- csmm.resilience --------------------------------------------------------------------------------


def resilience_estate(regions: int = 1, iac: int = 0, total: int = 100, basic: bool = True, cross_region: bool = False) -> Estate:
    estate = Estate().covered("compute.managed_database", "storage.bucket", "compute.autoscaling_group")
    if basic:
        estate.fact("storage.backup_plan", rules=1, cross_region_copy=cross_region)
    else:
        estate.covered("storage.backup_plan")
    for i in range(regions):
        estate.fact("inventory.region", region=f"eu-r{i}", enabled=True, scanned=True, in_use=True, workloads=True)
    estate.fact("activity.changes", window_days=90, total=total, iac=iac)
    return estate


def test_resilience_no_backups_is_level_1_or_unknown_above(tmp_path):
    result = score(resilience_estate(basic=False), tmp_path, "csmm.resilience")
    assert verdicts(result)[1] == "supported"
    assert result.answer == 0  # a backup tool outside the cloud could give basic resilience


def test_resilience_single_region_is_level_2(tmp_path):
    assert score(resilience_estate(regions=1, iac=60), tmp_path, "csmm.resilience").answer == 2


def test_resilience_multi_region_some_iac_is_level_3(tmp_path):
    assert score(resilience_estate(regions=2, iac=30), tmp_path, "csmm.resilience").answer == 3


def test_resilience_cross_region_copy_counts_as_multi_region(tmp_path):
    assert score(resilience_estate(regions=1, iac=30, cross_region=True), tmp_path, "csmm.resilience").answer == 3


def test_resilience_iac_boundaries_and_override(tmp_path):
    assert score(resilience_estate(regions=2, iac=19), tmp_path, "csmm.resilience").answer == 2
    # "Most deployments provisioned with IaC ... Some use of multi-region": shown at 50%, so at least 4
    most = score(resilience_estate(regions=2, iac=50), tmp_path, "csmm.resilience")
    assert most.possible_levels == [4] and most.answer == 4
    everything = score(resilience_estate(regions=2, iac=90), tmp_path, "csmm.resilience")
    assert everything.possible_levels == [4, 5] and (everything.status, everything.answer) == ("floor", 4)
    lowered = score(resilience_estate(regions=2, iac=19), tmp_path, "csmm.resilience", overrides={"csmm.resilience": {"some_iac": 0.1}})
    assert lowered.answer == 3


def test_resilience_no_changes_in_window_is_not_no_iac(tmp_path):
    result = score(resilience_estate(regions=2, iac=0, total=0), tmp_path, "csmm.resilience")
    assert result.possible_levels == [2, 3, 4, 5]


def test_resilience_data_alone_elsewhere_is_not_multi_region(tmp_path):
    estate = resilience_estate(regions=1, iac=60)
    estate.fact("inventory.region", region="eu-r1", enabled=True, scanned=True, in_use=True, workloads=False)  # a bucket only
    estate.fact("inventory.region", region="eu-r2", enabled=True, scanned=False, in_use=None, workloads=None)  # not scanned
    assert score(estate, tmp_path, "csmm.resilience").answer == 2


def test_resilience_denied_activity_is_unknown(tmp_path):
    estate = Estate().covered("compute.managed_database", "storage.bucket", "compute.autoscaling_group")
    estate.fact("storage.backup_plan", rules=1, cross_region_copy=False)
    for region in ("eu-west-2", "eu-west-1"):
        estate.fact("inventory.region", region=region, enabled=True, scanned=True, in_use=True, workloads=True)
    estate.denied("activity.changes")
    assert score(estate, tmp_path, "csmm.resilience").possible_levels == [2, 3, 4, 5]


# --- csmm.workload_security ---------------------------------------------------------------------------


def workload_estate(old_vms: int, new_vms: int = 0, functions: int = 0, scanned: int = 1, unscanned: int = 0) -> Estate:
    estate = Estate().covered("compute.instance", "compute.container_service", "compute.function", "artifact.repository")
    for _ in range(old_vms):
        estate.fact("compute.instance", state="running", age_days=400)
    for _ in range(new_vms):
        estate.fact("compute.instance", state="running", age_days=3)
    for _ in range(functions):
        estate.fact("compute.function", runtime="python3.12")
    for i in range(scanned + unscanned):
        estate.fact("artifact.repository", scan_on_push=i < scanned)
    return estate


def test_workload_long_running_vms_is_1_to_3(tmp_path):
    result = score(workload_estate(old_vms=6, new_vms=2, functions=2), tmp_path, "csmm.workload_security")
    assert result.possible_levels == [1, 2, 3]  # 6 of 10 workloads are long-running VMs


def test_workload_long_running_boundary(tmp_path):
    # 5 of 10 is "most" at the 50% threshold; 4 of 10 is not
    assert score(workload_estate(old_vms=5, functions=5), tmp_path, "csmm.workload_security").possible_levels == [1, 2, 3]
    assert score(workload_estate(old_vms=4, functions=6), tmp_path, "csmm.workload_security").possible_levels == [2, 3, 4, 5]


def test_workload_unscanned_images_rule_out_4(tmp_path):
    result = score(workload_estate(old_vms=0, functions=5, scanned=1, unscanned=1), tmp_path, "csmm.workload_security")
    assert result.possible_levels == [2, 3]


def test_workload_replaced_servers_and_scanning_are_at_least_3(tmp_path):
    """ "Initial use of Immutable infrastructure ... Initial security controls implemented on containers": servers
    launched by scaling groups from templates, vulnerability scanning on and every repository scanning on push show 3."""
    estate = workload_estate(old_vms=0, functions=2, scanned=2)
    for _ in range(4):
        estate.fact("compute.instance", state="running", age_days=5, autoscaling_group="web")
    estate.fact("security.service", service="inspector", kind="vulnerability_scanning", enabled=True)
    result = score(estate, tmp_path, "csmm.workload_security")
    assert (result.status, result.answer, result.possible_levels) == ("floor", 3, [3, 4, 5])


def test_workload_standalone_servers_are_no_floor(tmp_path):
    estate = workload_estate(old_vms=0, new_vms=4, functions=2, scanned=2)
    estate.fact("security.service", service="inspector", kind="vulnerability_scanning", enabled=True)
    for instance in [f for f in estate.facts if f.type == "compute.instance"]:
        instance.attributes["autoscaling_group"] = "none"
    assert score(estate, tmp_path, "csmm.workload_security").answer == 0


def test_workload_denied_instances_is_unknown(tmp_path):
    estate = Estate().covered("compute.container_service", "artifact.repository").denied("compute.instance")
    estate.fact("compute.function", runtime="python3.12")
    assert score(estate, tmp_path, "csmm.workload_security").answer == 0


# --- evidence-only and manual categories ----------------------------------------------------------------


def full_posture_estate() -> Estate:
    estate = Estate()
    estate.fact("security.standard", name="CIS", enabled=True)
    estate.fact("org.policy", region="global", policy_type="scp", aws_managed=False, attachments=3)
    estate.fact("config.rule", name="restricted-ssh")
    estate.fact("config.remediation", rule="restricted-ssh", automatic=True)
    estate.fact("config.recorder", recording=True)
    estate.fact("config.aggregator", region="global", organization=True)
    estate.fact("monitoring.event_rule", security_events=True, targets=1)
    estate.fact("security.service", service="detective", kind="investigation", enabled=True)
    return estate


def test_incident_response_routing_without_threat_detection_never_answers(tmp_path):
    """An event rule with no threat detection raising findings shows no response to cloud events."""
    result = score(full_posture_estate(), tmp_path, "csmm.incident_response")
    assert result.answer == 0
    assert result.possible_levels == [1, 2, 3, 4, 5]
    assert [lv for lv, v in verdicts(result).items() if v == "supported"] == [4]


def test_incident_response_routed_threat_findings_are_at_least_2(tmp_path):
    """ "Manual IR response to cloud events": threat-detection findings routed to a responder show it (at least 2);
    "consistent manual response" (3), trained responders (4) and an IR team (5) are for a person."""
    estate = full_posture_estate()
    estate.fact("security.service", service="guardduty", kind="threat_detection", enabled=True)
    result = score(estate, tmp_path, "csmm.incident_response")
    assert (result.status, result.answer, result.possible_levels) == ("floor", 2, [2, 3, 4, 5])
    assert result.because.startswith("Cloud security events reach a responder: 1 event rules in 1 accounts")


def test_incident_response_unread_detection_is_no_floor(tmp_path):
    estate = full_posture_estate()
    estate.denied("security.service", region="eu-west-1")
    assert score(estate, tmp_path, "csmm.incident_response").answer == 0


def test_governance_and_compliance_need_no_standards_read(tmp_path):
    """Configuration rules are the benchmark checks (a posture standard's checks are rules too): with the
    standards unread, the rules and guardrails still show governance 3 and compliance 4."""
    estate = full_posture_estate()
    estate.facts = [f for f in estate.facts if f.type != "security.standard"]
    estate.coverage = [c for c in estate.coverage if "security.standard" not in c.fact_types]
    estate.denied("security.standard")
    assert score(estate, tmp_path, "csmm.governance").answer == 3
    assert score(estate, tmp_path, "csmm.compliance_and_audit").answer == 4


def test_governance_without_configuration_rules_is_no_floor(tmp_path):
    estate = full_posture_estate()
    estate.facts = [f for f in estate.facts if f.type not in ("config.rule", "config.remediation")]
    assert score(estate, tmp_path, "csmm.governance").answer == 0


@pytest.mark.parametrize(
    ("rule_id", "floor", "supported"),
    [
        # "Initial policies in use. Basic use of standards and benchmarks (e.g., CIS)": CIS on and an SCP attached
        ("csmm.governance", 3, [3, 4]),
        # "Continuous assessment of in-scope resources using automated guardrails": recording and rules everywhere
        ("csmm.compliance_and_audit", 4, [4]),
    ],
)
def test_posture_categories_are_floors_where_the_tooling_shows_a_level(tmp_path, rule_id, floor, supported):
    result = score(full_posture_estate(), tmp_path, rule_id)
    assert (result.status, result.floor_level, result.answer) == ("floor", floor, floor)
    assert result.possible_levels == list(range(floor, 6))
    assert [lv for lv, v in verdicts(result).items() if v == "supported"] == supported


@pytest.mark.parametrize("rule_id", ["csmm.governance", "csmm.compliance_and_audit"])
def test_posture_floors_need_every_read(tmp_path, rule_id):
    estate = full_posture_estate()
    estate.denied("config.rule", region="eu-west-1")
    estate.denied("security.standard", region="eu-west-1")
    assert score(estate, tmp_path, rule_id).answer == 0


@pytest.mark.parametrize("rule_id", ["csmm.governance", "csmm.compliance_and_audit", "csmm.incident_response"])
def test_evidence_only_categories_rule_nothing_out_on_absence(tmp_path, rule_id):
    estate = Estate().covered(
        "security.standard",
        "org.policy",
        "config.rule",
        "config.remediation",
        "config.recorder",
        "config.aggregator",
        "monitoring.event_rule",
        "security.service",
    )
    result = score(estate, tmp_path, rule_id)
    assert result.possible_levels == [1, 2, 3, 4, 5]
    assert "ruled_out" not in verdicts(result).values()


@pytest.mark.parametrize("rule_id", ["csmm.application_security", "csmm.risk_and_provider_management"])
def test_people_categories_stay_manual(tmp_path, rule_id):
    result = score(full_posture_estate(), tmp_path, rule_id)
    assert result.status == "manual"
    assert result.answer == 0
    assert len(result.evidence_to_bring) >= 3
