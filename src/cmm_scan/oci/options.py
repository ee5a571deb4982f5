"""OCI scan options and their flags (no OCI SDK here)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from cmm_scan.flags import Flag
from cmm_scan.options import ProviderOptions

TITLE = "OCI options"
CREDENTIALS = (
    "credentials: --auth config (the OCI config file and --oci-profile, default), instance_principal, "
    "resource_principal, or security_token (a session from `oci session authenticate`)"
)
AUTH_METHODS = ("config", "instance_principal", "resource_principal", "security_token")


class Options(ProviderOptions):
    provider: str = "oci"
    tenancy: str | None = None
    compartments_include: list[str] = Field(default_factory=list)
    compartments_exclude: list[str] = Field(default_factory=list)
    config_file: str | None = None
    oci_profile: str | None = None
    auth: Literal["config", "instance_principal", "resource_principal", "security_token"] = "config"


FLAGS: tuple[Flag, ...] = (
    Flag("--tenancy", "tenancy", "tenancy OCID (default: the config's or the principal's tenancy)"),
    Flag(
        "--compartments",
        "compartments",
        "comma list of compartment OCIDs to include (with their subtrees); prefix with ! to exclude",
        "filter",
    ),
    Flag("--auth", "auth", "how to sign requests (default config)", "choice", choices=AUTH_METHODS, credential=True),
    Flag("--config-file", "config_file", "OCI config file (default ~/.oci/config)", "path", credential=True),
    Flag("--oci-profile", "oci_profile", "profile in the OCI config file (default DEFAULT)", credential=True),
)
