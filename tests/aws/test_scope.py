"""Credentials and scope: clear errors, --accounts, --shard, assume-role failures recorded per account."""

from __future__ import annotations

from types import SimpleNamespace

import boto3
import pytest

from cmm_scan.cli import main
from cmm_scan.collect import in_shard
from cmm_scan.errors import UserError
from tests.aws.support import scan


def test_unknown_profile_is_one_line_exit_2(aws, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["collect", "aws", "--profile", "no-such-profile", "--regions", "eu-west-2"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("cmm-scan: error: AWS profile 'no-such-profile' not found") and "\n" not in err


def test_missing_credentials_is_one_line_exit_2(monkeypatch: pytest.MonkeyPatch, tmp_path, capsys) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    assert main(["collect", "aws", "--regions", "eu-west-2", "--output", str(tmp_path / "s.jsonl")]) == 2
    assert "no AWS credentials found" in capsys.readouterr().err


def _org(members: int) -> list[str]:
    org = boto3.client("organizations", "us-east-1")
    org.create_organization(FeatureSet="ALL")
    return [org.create_account(AccountName=f"a{i}", Email=f"a{i}@example.org")["CreateAccountStatus"]["AccountId"] for i in range(members)]


def test_org_accounts_filter_and_shards(aws) -> None:
    members = _org(3)
    everyone = {"123456789012", *members}
    assert {c.scope for c in scan(["compute.subnet"], org=True).coverage} == everyone
    only = scan(["compute.subnet"], org=True, accounts_include=[members[0]])
    assert {c.scope for c in only.coverage} == {members[0]}
    without = scan(["compute.subnet"], org=True, accounts_exclude=[members[0]])
    assert {c.scope for c in without.coverage} == everyone - {members[0]}
    # moto makes up the member ids, so either shard may hash empty; each account is scanned by exactly one shard
    expected = {i: {a for a in everyone if in_shard(a, (i, 2))} for i in (1, 2)}
    assert expected[1] | expected[2] == everyone and not expected[1] & expected[2]
    for i in (1, 2):
        if expected[i]:
            assert {c.scope for c in scan(["compute.subnet"], org=True, shard=(i, 2)).coverage} == expected[i]
        else:
            with pytest.raises(UserError, match=f"shard {i}/2 holds none of the 4 accounts"):
                scan(["compute.subnet"], org=True, shard=(i, 2))


def test_a_shard_with_no_accounts_says_so(aws) -> None:
    members = _org(1)
    empty = 1 if in_shard(members[0], (2, 2)) else 2  # the shard the one member is not in
    with pytest.raises(UserError, match=f"shard {empty}/2 holds none of the 1 accounts"):
        scan(["compute.subnet"], org=True, accounts_include=[members[0]], shard=(empty, 2))


def test_one_account_that_cannot_be_assumed_does_not_stop_the_others(aws, monkeypatch: pytest.MonkeyPatch) -> None:
    members = _org(3)
    refused = members[1]
    original = boto3.Session.client

    def refuse_assume_role(params, **_):  # AWS's answer when the member role is missing or does not trust us
        if refused in str(params.get("body", "")):
            return SimpleNamespace(status_code=403), {"Error": {"Code": "AccessDenied", "Message": "not authorized to assume"}}
        return None

    def client(self, service, *args, **kwargs):
        made = original(self, service, *args, **kwargs)
        if service == "sts":
            made.meta.events.register("before-call.sts.AssumeRole", refuse_assume_role)
        return made

    monkeypatch.setattr(boto3.Session, "client", client)
    result = scan(["compute.subnet"], org=True)
    by_account = {c.scope: c for c in result.coverage}
    assert by_account[refused].status == "denied" and "cannot assume" in by_account[refused].reason
    assert {by_account[a].status for a in (members[0], members[2], "123456789012")} == {"ok"}
    assert {f.scope for f in result.of("compute.subnet")} == {"123456789012", members[0], members[2]}


def test_member_accounts_share_one_set_of_parsed_service_models(aws) -> None:
    """Each account gets its own credentials but not its own ~100 MB of parsed botocore models."""
    from cmm_scan.aws.credentials import assume, shared_models

    base = shared_models(boto3.Session(region_name="eu-west-2"))
    iam = base.client("iam")
    role = iam.create_role(RoleName="member", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    first, second = (assume(base, role, None) for _ in range(2))
    assert first.get_credentials().access_key != base.get_credentials().access_key
    loaders = {id(s._session.get_component("data_loader")) for s in (base, first, second)}
    assert len(loaders) == 1
