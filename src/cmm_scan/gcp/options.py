"""GCP scan options and their flags (no Google SDK here)."""

from __future__ import annotations

from pydantic import Field

from cmm_scan.flags import Flag
from cmm_scan.options import ProviderOptions

TITLE = "GCP options"
CREDENTIALS = (
    "credentials: Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS, gcloud auth application-default, "
    "the metadata server), optionally impersonating --impersonate-service-account"
)


class Options(ProviderOptions):
    provider: str = "gcp"
    organization: str | None = None
    folders: list[str] = Field(default_factory=list)
    projects_include: list[str] = Field(default_factory=list)
    projects_exclude: list[str] = Field(default_factory=list)
    impersonate_service_account: str | None = None


FLAGS: tuple[Flag, ...] = (
    Flag("--organization", "organization", "organization id: scan every active project under it"),
    Flag("--folders", "folders", "comma list of folder ids: scan every active project under them", "list"),
    Flag("--projects", "projects", "comma list of project ids to include; prefix with ! to exclude", "filter"),
    Flag("--impersonate-service-account", "impersonate_service_account", "service account email to impersonate", credential=True),
)
