"""Typed options of a GCP scan (no SDK import: `--help` and option checks stay fast)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from cmm_scan.errors import UserError


class Options(BaseModel):
    """What to scan and how to reach it. Every active project the credential sees is scanned by default."""

    model_config = ConfigDict(extra="forbid")

    organization: str | None = Field(default=None, description="organisation id (123 or organizations/123): CAI reads it whole")
    folders: list[str] = Field(default_factory=list, description="folder ids: scan the projects under them")
    projects_include: list[str] = Field(default_factory=list, description="only these project ids (or numbers)")
    projects_exclude: list[str] = Field(default_factory=list, description="never these project ids (or numbers)")
    impersonate_service_account: str | None = Field(default=None, description="service account email to impersonate")
    endpoint_url: str | None = Field(default=None, description="one base URL for every Google API (private endpoint, emulator)")
    workers: int = Field(default=8, ge=1)
    shard: tuple[int, int] | None = None

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

    @classmethod
    def parse(cls, **values: object) -> Options:
        """Build from loose values (CLI strings), turning a validation error into one UserError line."""
        from pydantic import ValidationError

        projects = values.pop("projects", None)
        if isinstance(projects, str):
            names = [p.strip() for p in projects.split(",") if p.strip()]
            values["projects_include"] = [p for p in names if not p.startswith("!")]
            values["projects_exclude"] = [p[1:] for p in names if p.startswith("!")]
        for key in ("folders",):
            if isinstance(values.get(key), str):
                values[key] = [v.strip() for v in str(values[key]).split(",") if v.strip()]
        try:
            return cls.model_validate({k: v for k, v in values.items() if v is not None})
        except ValidationError as exc:
            error = exc.errors()[0]
            field = ".".join(str(p) for p in error["loc"]) or "options"
            raise UserError(f"gcp {field}: {error['msg'].removeprefix('Value error, ')}", "see `cmm-scan scan gcp --help`") from None
