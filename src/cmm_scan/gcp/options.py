"""GCP scan options and their flags (no Google SDK here)."""

from __future__ import annotations

from pydantic import Field, field_validator

from cmm_scan.flags import Flag
from cmm_scan.options import ProviderOptions

TITLE = "GCP options"
CREDENTIALS = (
    "credentials: Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS, gcloud auth application-default, "
    "the metadata server), optionally impersonating --impersonate-service-account"
)


class Options(ProviderOptions):
    """What to scan and how to reach it. Every active project the credential sees is scanned by default."""

    provider: str = "gcp"
    organization: str | None = Field(default=None, description="organisation id (123 or organizations/123): CAI reads it whole")
    folders: list[str] = Field(default_factory=list, description="folder ids: scan the projects under them")
    projects_include: list[str] = Field(default_factory=list, description="only these project ids (or numbers)")
    projects_exclude: list[str] = Field(default_factory=list, description="never these project ids (or numbers)")
    impersonate_service_account: str | None = Field(default=None, description="service account email to impersonate")

    @field_validator("organization")
    @classmethod
    def _organization(cls, value: str | None) -> str | None:
        if value is None:
            return None
        ident = value.removeprefix("organizations/")
        if not ident.isdigit():
            raise ValueError(f"organisation '{value}' is not a number (e.g. 123456789012)")
        return f"organizations/{ident}"

    @field_validator("folders")
    @classmethod
    def _folders(cls, values: list[str]) -> list[str]:
        out = []
        for value in values:
            ident = value.removeprefix("folders/")
            if not ident.isdigit():
                raise ValueError(f"folder '{value}' is not a number (e.g. 123456789)")
            out.append(f"folders/{ident}")
        return out


FLAGS: tuple[Flag, ...] = (
    Flag("--organization", "organization", "organization id: scan every active project under it"),
    Flag("--folders", "folders", "comma list of folder ids: scan every active project under them", "list"),
    Flag("--projects", "projects", "comma list of project ids to include; prefix with ! to exclude", "filter"),
    Flag("--impersonate-service-account", "impersonate_service_account", "service account email to impersonate", credential=True),
)
