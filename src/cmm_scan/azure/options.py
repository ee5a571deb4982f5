"""Azure scan options and their flags (no Azure SDK here)."""

from __future__ import annotations

from pydantic import Field, field_validator

from cmm_scan.flags import Flag
from cmm_scan.options import ProviderOptions

TITLE = "Azure options"
CREDENTIALS = (
    "credentials: DefaultAzureCredential (environment, workload identity, managed identity, Azure CLI), "
    "or a bearer token in AZURE_ACCESS_TOKEN for pipelines"
)


class Options(ProviderOptions):
    provider: str = "azure"
    tenant: str | None = Field(default=None, description="tenant id (default: the credential's home tenant)")
    subscriptions_include: list[str] = Field(default_factory=list, description="only these subscriptions (default: every enabled one)")
    subscriptions_exclude: list[str] = Field(default_factory=list, description="never these")
    management_groups: list[str] = Field(default_factory=list, description="only the subscriptions under these management groups")
    devops_orgs: list[str] = Field(
        default_factory=list, description="Azure DevOps organisations whose pipelines to read (default: none, not collected)"
    )

    @field_validator("subscriptions_include", "subscriptions_exclude")
    @classmethod
    def _lower(cls, values: list[str]) -> list[str]:
        return [v.strip().lower() for v in values if v.strip()]  # Azure ids are case-insensitive

    @field_validator("regions")
    @classmethod
    def _lower_regions(cls, values: list[str] | None) -> list[str] | None:
        return [v.lower() for v in values] if values else values


FLAGS: tuple[Flag, ...] = (
    Flag("--tenant", "tenant", "tenant (directory) id to sign in to", credential=True),
    Flag("--subscriptions", "subscriptions", "comma list of subscription ids to include; prefix with ! to exclude", "filter"),
    Flag("--management-group", "management_groups", "scan every subscription under these management groups (comma list)", "list"),
    Flag("--devops-org", "devops_orgs", "Azure DevOps organisations whose pipelines and environments to read (comma list)", "list"),
)
