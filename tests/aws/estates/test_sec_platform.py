"""sec.privileged_insider, sec.supply_chain, sec.vuln_mgmt and sec.network from moto estates.

Each expected answer is read off the question's level text (quoted in the docstring), never from
running the code first. Only sec.privileged_insider has a level configuration can show
(level 4; its level 5 adds legal audits, which leave no trace, so the rule breaks that tie low).
The other three questions turn on practice the cloud cannot show (repository scanning, disclosure
routes, red teams, how applications check identity): their estates pin what the configuration
rules out and that the answer stays 0 ("I don't know").

moto lacks Detective, Access Analyzer, Client VPN and Verified Access: the `moto_gaps` fixture
(tests/aws/estates/platform.py) serves them to the real client from fixtures/aws-recorded.
"""

from __future__ import annotations

import pytest

from tests.aws.estates import REGION, answer, assert_dont_know, deny, explain
from tests.aws.estates.platform import (
    ADMIN_FROM_OFFICE,
    HTTPS,
    RDP,
    SSH,
    guardduty,
    inspector,
    instance_with_group,
    log_archive,
    member_accounts,
    route_findings,
    securityhub,
    trail,
)
from tests.rules import verdicts

OTHER = "eu-west-1"
INSIDER = "sec.privileged_insider"


# --- sec.privileged_insider -----------------------------------------------------------------------


def _checked_immutable_logs(*regions: str) -> None:
    trail(locked=True, validation=True)
    guardduty(*regions)
    route_findings("sns")


def test_insider_central_locked_checked_logs_is_level_4(moto_gaps, tmp_path) -> None:
    """Level 4: "Logs are stored in one place, can't be changed, and are checked automatically."
    One multi-region trail (one place) with file validation into an Object Lock bucket (can't be
    changed), GuardDuty on and its findings routed to a topic (checked automatically). Level 5,
    "regular audits with legal checks", leaves no trace: the rule's 4/5 tie-break reads 4."""
    _checked_immutable_logs()
    result = answer(tmp_path, INSIDER)
    assert result.answer == 4, explain(result)
    assert verdicts(result)[4] == "met" and result.tie_break, explain(result)


def test_insider_organisation_trail_over_member_accounts_is_level_4(moto_gaps, tmp_path) -> None:
    """Level 4 across an organisation: an organisation trail into one locked archive logs every
    account ("stored in one place"), and GuardDuty watches every account with findings routed."""
    (member,) = member_accounts(1)
    trail("organisation", organization=True)
    guardduty()
    guardduty(session=member)
    route_findings("sns")
    result = answer(tmp_path, INSIDER, org=True)
    assert result.answer == 4, explain(result)


def test_insider_every_region_watched_is_level_4(moto_gaps, tmp_path) -> None:
    """Level 4 over two regions: the multi-region trail covers both and GuardDuty runs in both."""
    _checked_immutable_logs(REGION, OTHER)
    result = answer(tmp_path, INSIDER, regions=(REGION, OTHER))
    assert result.answer == 4, explain(result)


def test_insider_threat_detection_in_one_region_of_two_is_at_least_2(moto_gaps, tmp_path) -> None:
    """GuardDuty in one region of two is not "checked automatically" across the estate, but a SIEM
    outside the cloud may check the logs: levels 2-5 stay open. The trail logging every region of the
    account shows "Systems keep logs" (2): at least 2."""
    _checked_immutable_logs(REGION)
    result = answer(tmp_path, INSIDER, regions=(REGION, OTHER))
    assert (result.status, result.floor_level, result.possible_levels) == ("floor", 2, [2, 3, 4, 5]), explain(result)


def test_insider_unlocked_logs_without_detection_is_at_least_2(moto_gaps, tmp_path) -> None:
    """Level 2 reads "Systems keep logs, but logs are not checked or centralised", level 3 adds
    checks before go-live: a plain trail cannot tell them apart, and a SIEM may hold an immutable
    copy (level 4). The trail shows that systems keep logs: at least 2."""
    trail(locked=False, validation=False)
    result = answer(tmp_path, INSIDER)
    assert (result.status, result.floor_level, result.possible_levels) == ("floor", 2, [2, 3, 4, 5]), explain(result)
    assert verdicts(result)[1] == "ruled_out", explain(result)


def test_insider_member_account_without_logging_rules_out_central_logs(moto_gaps, tmp_path) -> None:
    """A trail in the management account only, none in the member: logs are not "stored in one
    place" for every account, so levels 4 and 5 are out; 2 against 3 (checks before go-live) is for
    a person."""
    (member,) = member_accounts(1)
    _checked_immutable_logs()
    guardduty(session=member)
    result = answer(tmp_path, INSIDER, org=True)
    assert_dont_know(result, [2, 3])


def test_insider_no_trail_leaves_vetting_open(moto_gaps, tmp_path) -> None:
    """No management trail: level 1 (vetting) and levels 2-3 turn on people, 4-5 are out."""
    guardduty()
    assert_dont_know(answer(tmp_path, INSIDER), [1, 2, 3])


def test_insider_empty_account_isassert_dont_know(moto_gaps, tmp_path) -> None:
    """An empty account: nothing is logged, so 4-5 are out; vetting and log checks are for a person."""
    assert_dont_know(answer(tmp_path, INSIDER), [1, 2, 3])


@pytest.mark.parametrize(
    ("denied", "unread"),
    [
        (("cloudtrail:DescribeTrails",), "logging_trails"),
        # moto checks GetObjectLockConfiguration as s3:ListBucket; AWS as s3:GetBucketObjectLockConfiguration
        (("s3:GetBucketObjectLockConfiguration", "s3:ListBucket"), "immutable_trails"),
        (("guardduty:ListDetectors",), "guardduty_on"),
        (("events:ListRules",), "finding_alerts"),
    ],
)
def test_insider_denied_reads_areassert_dont_know(moto_gaps, tmp_path, monkeypatch, denied: tuple[str, ...], unread: str) -> None:
    """Never guess: the level 4 estate, scanned by a principal that cannot read one of the things
    level 4 rests on, gives no level (the tie-break never stands in for what was not read)."""
    _checked_immutable_logs()
    deny(monkeypatch, *denied)
    result = answer(tmp_path, INSIDER)
    assert result.answer == 0 and result.suggested_level is None, explain(result)
    incomplete = {e.signal for e in result.evidence if not e.complete}
    expected = {unread} | ({"logging_trails", "org_trails", "locked_org_trails", "trail_accounts"} if unread == "logging_trails" else set())
    assert incomplete - {"immutable_trails"} == expected - {"immutable_trails"} and unread in incomplete, explain(result)


def test_insider_denied_account_list_isassert_dont_know(moto_gaps, tmp_path, monkeypatch) -> None:
    """Without the per-account read that counts the accounts scanned, a per-account trail cannot be
    shown to cover every account."""
    _checked_immutable_logs()
    deny(monkeypatch, "iam:GetAccountPasswordPolicy")
    result = answer(tmp_path, INSIDER)
    assert result.answer == 0, explain(result)


def test_insider_on_bare_moto_is_level_4(aws, tmp_path) -> None:
    """moto answers Detective and Access Analyzer with 404. Those collectors declare their facet
    (service: detective / access_analyzer), so their failure does not touch the GuardDuty share,
    and the level 4 estate gives 4 on a bare moto server too."""
    _checked_immutable_logs()
    result = answer(tmp_path, INSIDER)
    assert result.answer == 4, explain(result)


def test_insider_locked_archive_without_file_validation_is_not_level_4_evidence(moto_gaps, tmp_path) -> None:
    """Object Lock without CloudTrail file validation: the rule asks for both before it confirms
    "can't be changed", so level 4 is not met and stays open (a SIEM copy may be validated)."""
    trail(bucket=log_archive("plain-archive", locked=True), validation=False)
    guardduty()
    route_findings("sns")
    result = answer(tmp_path, INSIDER)
    assert (result.floor_level, result.possible_levels) == (2, [2, 3, 4, 5]), explain(result)  # logs kept: at least 2


# --- sec.supply_chain ---------------------------------------------------------------------------


def _repositories(scanned: int, unscanned: int = 0) -> None:
    import boto3

    ecr = boto3.client("ecr", REGION)
    for i in range(scanned + unscanned):
        ecr.create_repository(repositoryName=f"app{i}", imageScanningConfiguration={"scanOnPush": i < scanned})


def test_supply_chain_continuous_scanning_is_at_least_3(moto_gaps, tmp_path) -> None:
    """Inspector scanning EC2, ECR and Lambda and every repository scanning on push: level 1 ("We don't
    track software dependencies") is out and "All code is checked" (3) is shown. A central team (4) and
    advanced tools (5) are for a person: at least 3."""
    inspector()
    _repositories(scanned=2)
    result = answer(tmp_path, "sec.supply_chain")
    assert (result.status, result.floor_level, result.possible_levels) == ("floor", 3, [3, 4, 5]), explain(result)


def test_supply_chain_no_cloud_scanning_isassert_dont_know(moto_gaps, tmp_path) -> None:
    """No Inspector, repositories without scan on push: Dependabot or Snyk may still track every
    dependency, so nothing is ruled out."""
    _repositories(scanned=0, unscanned=2)
    assert_dont_know(answer(tmp_path, "sec.supply_chain"), [1, 2, 3, 4, 5])


def test_supply_chain_scanning_in_one_region_of_two_is_at_least_2(moto_gaps, tmp_path) -> None:
    """Inspector in one region of two (50%, under the 90% threshold) does not show tracking everywhere, and
    rules nothing out; it shows that "Some teams use tools to check security" (2): at least 2."""
    inspector(REGION)
    result = answer(tmp_path, "sec.supply_chain", regions=(REGION, OTHER))
    assert (result.status, result.floor_level, result.possible_levels) == ("floor", 2, [2, 3, 4, 5]), explain(result)


def test_supply_chain_denied_scanner_status_isassert_dont_know(moto_gaps, tmp_path, monkeypatch) -> None:
    """Never guess: Inspector's status unread and no repositories: nothing can be ruled out."""
    inspector()
    deny(monkeypatch, "inspector2:BatchGetAccountStatus")
    assert_dont_know(answer(tmp_path, "sec.supply_chain"), [1, 2, 3, 4, 5])


def test_supply_chain_empty_account_isassert_dont_know(moto_gaps, tmp_path) -> None:
    assert_dont_know(answer(tmp_path, "sec.supply_chain"), [1, 2, 3, 4, 5])


# --- sec.vuln_mgmt ------------------------------------------------------------------------------


def test_vuln_mgmt_full_tooling_is_at_least_4(moto_gaps, tmp_path) -> None:
    """Security Hub and Inspector on ("We use automated tools to scan for problems", level 3), findings
    routed to a response function and Detective on ("We hunt for threats and respond quickly, with some
    automation", level 4): level 4 is shown. Level 5 (red and purple teams) is for a person: at least 4."""
    securityhub()
    inspector()
    guardduty()
    route_findings("lambda")
    moto_gaps.detective_on()
    result = answer(tmp_path, "sec.vuln_mgmt")
    assert (result.status, result.floor_level, result.answer, result.possible_levels) == ("floor", 4, 4, [4, 5]), explain(result)


def test_vuln_mgmt_scanning_without_hunting_is_at_least_3(moto_gaps, tmp_path) -> None:
    """Security Hub and Inspector on everywhere read: "We use automated tools to scan for problems and do
    regular checks" (3) is shown; hunting (4) and red teams (5) are for a person."""
    securityhub()
    inspector()
    result = answer(tmp_path, "sec.vuln_mgmt")
    assert (result.status, result.floor_level, result.answer) == ("floor", 3, 3), explain(result)


def test_vuln_mgmt_nothing_on_isassert_dont_know(moto_gaps, tmp_path) -> None:
    """No cloud scanning: third-party scanners may do it, so nothing is ruled out."""
    assert_dont_know(answer(tmp_path, "sec.vuln_mgmt"), [1, 2, 3, 4, 5])


def test_vuln_mgmt_denied_posture_service_isassert_dont_know(moto_gaps, tmp_path, monkeypatch) -> None:
    securityhub()
    inspector()
    deny(monkeypatch, "securityhub:DescribeHub")
    result = answer(tmp_path, "sec.vuln_mgmt")
    assert_dont_know(result, [1, 2, 3, 4, 5])
    # the scanner alone supports level 3, but a read the levels turn on is missing: no floor
    assert verdicts(result)[3] == "supported", explain(result)


# --- sec.network --------------------------------------------------------------------------------


def test_network_open_ssh_and_client_vpn_rule_out_no_perimeter(moto_gaps, tmp_path) -> None:
    """SSH open to the internet on a running instance and a client VPN: access rests on network
    paths, so level 5 ("We don't use network perimeters") is out. Levels 1-3 turn on how
    applications check identity, and level 4 on zero-trust products the cloud may not show: at least 1."""
    instance_with_group([SSH])
    moto_gaps.remote_access(client_vpn=True)
    result = answer(tmp_path, "sec.network")
    # the security group itself shows "We rely on network controls like firewalls and IP allow-lists" (1)
    assert (result.status, result.floor_level, result.possible_levels) == ("floor", 1, [1, 2, 3, 4]), explain(result)


def test_network_open_rdp_alone_rules_out_level_5(moto_gaps, tmp_path) -> None:
    instance_with_group([RDP])
    result = answer(tmp_path, "sec.network")
    assert (result.floor_level, result.possible_levels) == (1, [1, 2, 3, 4]), explain(result)


def test_network_verified_access_without_open_ports_supports_4_and_5(moto_gaps, tmp_path) -> None:
    """Verified Access with user and device trust providers, no client VPN, admin ports open only
    to an office range: levels 4 and 5 are supported, but 1-3 (how applications check identity)
    and any perimeter outside the cloud are for a person; the security groups show level 1: at least 1."""
    instance_with_group([HTTPS, ADMIN_FROM_OFFICE])
    moto_gaps.remote_access(verified_access=True)
    result = answer(tmp_path, "sec.network")
    assert (result.floor_level, result.possible_levels) == (1, [1, 2, 3, 4, 5]), explain(result)
    assert verdicts(result)[4] == "supported" and verdicts(result)[5] == "supported", explain(result)


def test_network_unattached_open_group_does_not_count(moto_gaps, tmp_path) -> None:
    """An open group attached to nothing is not a path in use: level 5 stays open."""
    import boto3

    ec2 = boto3.client("ec2", REGION)
    idle = ec2.create_security_group(GroupName="idle", Description="unused")["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=idle, IpPermissions=[SSH])
    instance_with_group([HTTPS])
    assert 5 in answer(tmp_path, "sec.network").possible_levels


@pytest.mark.parametrize("denied", ["ec2:DescribeSecurityGroups", "ec2:DescribeClientVpnEndpoints"])
def test_network_denied_reads_areassert_dont_know(moto_gaps, tmp_path, monkeypatch, denied: str) -> None:
    instance_with_group([HTTPS])
    deny(monkeypatch, denied)
    result = answer(tmp_path, "sec.network")
    assert_dont_know(result, [1, 2, 3, 4, 5])


def test_network_empty_account_is_not_applicable(moto_gaps, tmp_path) -> None:
    """No security group in use, no remote access: the rule's `not_applicable_when` holds, answer 0."""
    result = answer(tmp_path, "sec.network")
    assert result.status == "not_applicable" and result.answer == 0, explain(result)


def test_network_on_bare_moto_keeps_level_5_open(aws, tmp_path) -> None:
    """moto has no Client VPN or Verified Access: remote access is unread, so "no VPN" is unknown."""
    instance_with_group([HTTPS])
    result = answer(tmp_path, "sec.network")
    assert_dont_know(result, [1, 2, 3, 4, 5])
