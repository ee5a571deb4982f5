"""Repository scan options and their flags (no git, no HTTP here)."""

from __future__ import annotations

from pydantic import Field

from cmm_scan.flags import Flag
from cmm_scan.options import ProviderOptions

TITLE = "Repository options"
CREDENTIALS = "credentials: none for local checkouts (read access to the folders; nothing is cloned, fetched or written)"


class Options(ProviderOptions):
    provider: str = "repos"
    paths: list[str] = Field(default_factory=list, description="local checkouts: folders, clone-all folders or globs")


FLAGS: tuple[Flag, ...] = (
    Flag(
        "--paths",
        "paths",
        "local checkouts to scan (also given as PATH arguments): a repository, a folder of repositories, or a glob",
        "list",
    ),
)
