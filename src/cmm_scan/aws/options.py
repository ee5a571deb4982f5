"""AWS scan options and their flags (no boto3 here: `--help` and option errors stay fast)."""

from __future__ import annotations

from pydantic import Field

from cmm_scan.flags import Flag
from cmm_scan.options import ProviderOptions

TITLE = "AWS options"
CREDENTIALS = (
    "credentials: the default chain (AWS_PROFILE, AWS_ACCESS_KEY_ID…, SSO, web identity, instance or task role), "
    "or --profile; --role-arn is assumed first; --org assumes --member-role in every account"
)


class Options(ProviderOptions):
    provider: str = "aws"
    profile: str | None = None
    role_arn: str | None = None
    external_id: str | None = None
    org: bool = False
    member_role: str = "OrganizationAccountAccessRole"
    accounts_include: list[str] = Field(default_factory=list)
    accounts_exclude: list[str] = Field(default_factory=list)


FLAGS: tuple[Flag, ...] = (
    Flag("--profile", "profile", "named profile (SSO profiles too)", credential=True),
    Flag("--role-arn", "role_arn", "role to assume first", credential=True),
    Flag("--external-id", "external_id", "external id for --role-arn", credential=True),
    Flag("--org", "org", "scan every account of the Organization", "bool"),
    Flag("--member-role", "member_role", "role to assume in member accounts (default OrganizationAccountAccessRole)"),
    Flag("--accounts", "accounts", "comma list of account ids to include; prefix with ! to exclude", "filter"),
)
