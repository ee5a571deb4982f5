"""Repository scan options and their flags (no git, no HTTP here)."""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import Field, field_validator

from cmm_scan.flags import Flag
from cmm_scan.options import ProviderOptions

TITLE = "Repository options"
CREDENTIALS = (
    "credentials: none for local checkouts (read access to the folders; nothing is cloned, fetched or written); "
    "--github-org: a read-only token in GITHUB_TOKEN (never written anywhere)"
)


class Options(ProviderOptions):
    provider: str = "repos"
    paths: list[str] = Field(default_factory=list, description="local checkouts: folders, clone-all folders or globs")
    github_org: list[str] = Field(default_factory=list, description="GitHub organisations read through the REST and GraphQL APIs")
    github_api_url: str | None = Field(
        default=None, description="GitHub REST API base (default: $CMM_SCAN_GITHUB_API_URL, else https://api.github.com)"
    )

    @field_validator("github_api_url")
    @classmethod
    def _no_credentials_in_the_url(cls, value: str | None) -> str | None:
        if value is None:
            return value
        split = urlsplit(value)
        if split.scheme not in ("http", "https") or not split.hostname:
            raise ValueError(f"{value!r} is not an http(s) URL (e.g. https://api.github.com or https://HOST/api/v3)")
        if "@" in split.netloc:
            raise ValueError("the URL holds credentials: give the token in GITHUB_TOKEN, never in the URL")
        return value


FLAGS: tuple[Flag, ...] = (
    Flag(
        "--paths",
        "paths",
        "local checkouts to scan (also given as PATH arguments): a repository, a folder of repositories, or a glob",
        "list",
    ),
    Flag(
        "--github-org",
        "github_org",
        "GitHub organisations to read through the REST and GraphQL APIs (comma list); the token comes from GITHUB_TOKEN",
        "list",
        metavar="ORG",
    ),
    Flag(
        "--github-api-url",
        "github_api_url",
        "GitHub REST API base URL, GraphQL beside it (default https://api.github.com; GitHub Enterprise Server: https://HOST/api/v3)",
    ),
)
