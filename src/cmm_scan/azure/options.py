"""Azure scan options and their flags (no Azure SDK here)."""

from __future__ import annotations

from pydantic import Field

from cmm_scan.flags import Flag
from cmm_scan.options import ProviderOptions

TITLE = "Azure options"
CREDENTIALS = (
    "credentials: DefaultAzureCredential (environment, workload identity, managed identity, Azure CLI), "
    "or a bearer token in AZURE_ACCESS_TOKEN for pipelines"
)


class Options(ProviderOptions):
    provider: str = "azure"
    tenant: str | None = None
    subscriptions_include: list[str] = Field(default_factory=list)
    subscriptions_exclude: list[str] = Field(default_factory=list)
    management_groups: list[str] = Field(default_factory=list)


FLAGS: tuple[Flag, ...] = (
    Flag("--tenant", "tenant", "tenant (directory) id to sign in to", credential=True),
    Flag("--subscriptions", "subscriptions", "comma list of subscription ids to include; prefix with ! to exclude", "filter"),
    Flag("--management-group", "management_groups", "scan every subscription under these management groups (comma list)", "list"),
)
