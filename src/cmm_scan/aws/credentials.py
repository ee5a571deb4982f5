"""Credentials and scope: the base session, assume-role, the organisation's accounts, the regions."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError, HTTPClientError, NoCredentialsError, ProfileNotFound
from botocore.exceptions import ConnectionError as BotoConnectionError

from cmm_scan import validate
from cmm_scan.aws.clients import GLOBAL_REGION, AccountClients, ScanLoader, retry_config
from cmm_scan.aws.errors import classify
from cmm_scan.aws.options import Options
from cmm_scan.aws.permissions import PLAN_CALLS, declared_calls
from cmm_scan.aws.spec import catalogue
from cmm_scan.collect import in_shard
from cmm_scan.errors import UserError

SESSION_NAME = "cmm-scan"
HINT = "check `aws sts get-caller-identity`, --profile, or AWS_PROFILE / AWS_ACCESS_KEY_ID"


@dataclass
class Account:
    id: str
    name: str = ""
    role_arn: str | None = None  # assumed when the scan reaches it; None means the base session


_shared_loader: Any = None
_scan_loader: ScanLoader | None = None
# Credential providers call other operations of these (assume_role_with_web_identity, SSO tokens): never pruned.
WHOLE_MODELS = frozenset({"sts", "sso", "sso-oidc", "signin"})


def shared_models(session: boto3.Session, loader: Any = None) -> boto3.Session:
    """Give the session `loader` (by default one loader for the process), so service models are parsed
    once per scan, not once per account (each parsed set of whole models costs ~100 MB)."""
    global _shared_loader
    core = session._session
    if loader is None:
        if _shared_loader is None:
            _shared_loader = core.get_component("data_loader")
        loader = _shared_loader
    core.register_component("data_loader", loader)
    return session


def scan_loader(session: boto3.Session) -> ScanLoader:
    """The loader of scanning sessions: models cut down to the calls some spec declares (~6 MB, not ~70 MB)."""
    global _scan_loader
    if _scan_loader is None:
        calls = {*declared_calls(catalogue()), *PLAN_CALLS}
        _scan_loader = ScanLoader(
            {(s, o) for s, o in calls if s not in WHOLE_MODELS}, session._session.get_component("data_loader").search_paths
        )
    return _scan_loader


def _client(session: boto3.Session, service: str, endpoint_url: str | None, region: str | None = None) -> Any:
    return session.client(
        service, region_name=region or session.region_name or GLOBAL_REGION, config=retry_config(), endpoint_url=endpoint_url
    )


def assume(session: boto3.Session, role_arn: str, endpoint_url: str | None, external_id: str | None = None) -> boto3.Session:
    params: dict[str, Any] = {"RoleArn": role_arn, "RoleSessionName": SESSION_NAME}
    if external_id:
        params["ExternalId"] = external_id
    creds = _client(session, "sts", endpoint_url).assume_role(**params)["Credentials"]
    return shared_models(
        boto3.Session(
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
            region_name=session.region_name or GLOBAL_REGION,
        ),
        session._session.get_component("data_loader"),
    )


def check_environment() -> None:
    """botocore reads these itself and fails with a bare ValueError deep inside: say which one is wrong."""
    for name, value in sorted(os.environ.items()):
        if name == "AWS_ENDPOINT_URL" or name.startswith("AWS_ENDPOINT_URL_"):
            validate.endpoint_url(value, f"${name}")
    attempts = os.environ.get("AWS_MAX_ATTEMPTS")
    if attempts is not None and not (attempts.strip().isdigit() and int(attempts) >= 1):
        raise UserError(f"$AWS_MAX_ATTEMPTS '{attempts}' is not a whole number of 1 or more", "for example AWS_MAX_ATTEMPTS=5, or unset it")


def base_session(options: Options) -> tuple[boto3.Session, str, str]:
    """(session, account id, partition) or a UserError naming what is wrong."""
    check_environment()
    try:
        session = boto3.Session(profile_name=options.profile) if options.profile else boto3.Session()
        session = shared_models(session, scan_loader(session))
    except ProfileNotFound:
        name, source = (options.profile, "") if options.profile else (os.environ.get("AWS_PROFILE", ""), ", named by $AWS_PROFILE")
        raise UserError(f"AWS profile '{name}' not found{source}", "list profiles with `aws configure list-profiles`") from None
    try:
        if options.role_arn:
            session = assume(session, options.role_arn, options.endpoint_url, options.external_id)
        identity = _client(session, "sts", options.endpoint_url).get_caller_identity()
    except NoCredentialsError:
        raise UserError("no AWS credentials found", HINT) from None
    except ProfileNotFound as exc:  # a profile named by $AWS_PROFILE is looked up only now
        raise UserError(f"{exc} (--profile or $AWS_PROFILE)", "list profiles with `aws configure list-profiles`") from None
    except ClientError as exc:
        _status, reason = classify(exc)
        what = f"cannot assume {options.role_arn}" if options.role_arn else "AWS credentials were refused"
        raise UserError(f"{what}: {reason}", HINT) from None
    except (BotoConnectionError, HTTPClientError) as exc:
        # A closed port or an unreachable host is not a credentials problem: say which endpoint failed.
        raise UserError(f"cannot reach the AWS API: {exc}", "check --endpoint-url or AWS_ENDPOINT_URL, the network and any proxy") from None
    except BotoCoreError as exc:
        raise UserError(f"AWS credentials could not be used: {exc}", HINT) from None
    partition = identity["Arn"].split(":")[1] if identity.get("Arn", "").startswith("arn:") else "aws"
    return session, identity["Account"], partition


def organization_id(options: Options, session: boto3.Session) -> str | None:
    """The organisation an --org scan covers (o-…), which keys its history; None when it cannot be read."""
    if not options.org:
        return None
    try:
        found = _client(session, "organizations", options.endpoint_url, GLOBAL_REGION).describe_organization()
    except ClientError:
        return None  # the history is then keyed by the accounts scanned, as for any other scan
    return found.get("Organization", {}).get("Id") or None


def accounts(options: Options, session: boto3.Session, own_account: str, partition: str) -> tuple[list[Account], list[Account]]:
    """The accounts to scan: this one, or every active member of the organisation; filtered and sharded.
    Also every account before sharding: a shard must know the management account is scanned, elsewhere."""
    found = [Account(own_account)]
    if options.org:
        try:
            pages = _client(session, "organizations", options.endpoint_url, GLOBAL_REGION).get_paginator("list_accounts").paginate()
            members = [a for page in pages for a in page["Accounts"] if a.get("Status", "ACTIVE") == "ACTIVE"]
        except ClientError as exc:
            raise UserError(
                f"--org: cannot list the organisation's accounts: {classify(exc)[1]}",
                "run from the management account or a delegated administrator",
            ) from None
        found = [
            Account(
                a["Id"],
                a.get("Name", ""),
                None if a["Id"] == own_account else f"arn:{partition}:iam::{a['Id']}:role/{options.member_role}",
            )
            for a in members
        ]
        if not any(a.id == own_account for a in found):
            found.insert(0, Account(own_account))
    if options.accounts_include:
        found = [a for a in found if a.id in options.accounts_include]
    found = [a for a in found if a.id not in options.accounts_exclude]
    if not found:
        raise UserError("no account left to scan after --accounts", "check the account ids")
    sharded = [a for a in found if in_shard(a.id, options.shard)]
    if not sharded and options.shard:
        # A stable hash keeps each account in its shard as the organisation grows, at the price of uneven small shards.
        i, n = options.shard
        raise UserError(f"shard {i}/{n} holds none of the {len(found)} accounts", "use fewer shards for an organisation this small")
    return sharded, found


def check_regions(options: Options) -> None:
    """Refuse a region name AWS does not have (any partition), before any call: botocore's own region list."""
    if options.regions:
        from botocore.loaders import create_loader

        partitions = create_loader().load_data("endpoints")["partitions"]  # no session: needs no profile or credentials
        validate.known_regions(options.regions, {r for p in partitions for r in p["regions"]}, "AWS")


def regions(options: Options, session: boto3.Session) -> list[str]:
    if options.regions:
        return options.regions
    try:
        response = _client(session, "ec2", options.endpoint_url).describe_regions()
    except ClientError as exc:
        raise UserError(f"cannot list the enabled regions: {classify(exc)[1]}", "pass --regions, e.g. --regions eu-west-2") from None
    return sorted(r["RegionName"] for r in response["Regions"])


def account_clients(session: boto3.Session, account: Account, endpoint_url: str | None) -> AccountClients:
    """Clients for one account, assuming its member role if it has one (may raise ClientError)."""
    if account.role_arn:
        session = assume(session, account.role_arn, endpoint_url)
    return AccountClients(session, endpoint_url)
