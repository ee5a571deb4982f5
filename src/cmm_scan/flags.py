"""Command-line flags as plain data, and the string forms they take (no pydantic, no argparse here).

A provider's `options` module lists its flags as `Flag`s; `cmm_scan.cli` turns them into an
argument group per cloud, and `cmm_scan.options` turns the values into the provider's typed options.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from cmm_scan.errors import UserError

# The providers `scan`, `collect` and `permissions` take (each has cmm_scan/<name>/options.py).
SCANNABLE = ("aws", "azure", "gcp", "oci", "repos")

FlagKind = Literal["str", "int", "bool", "list", "filter", "choice", "path", "shard"]


@dataclass(frozen=True)
class Flag:
    """One option. `dest` is the Options field it fills; a `filter` flag ("a,!b") fills
    `<dest>_include` and `<dest>_exclude`; a `list` flag is a comma list."""

    name: str
    dest: str
    help: str
    kind: FlagKind = "str"
    choices: tuple[str, ...] = ()
    metavar: str | None = None
    credential: bool = False  # it chooses credentials (shown with the credential sources in --help)


COMMON_FLAGS: tuple[Flag, ...] = (
    Flag("--regions", "regions", "comma list of regions (default: every enabled region)", "list"),
    Flag("--endpoint-url", "endpoint_url", "send every API call to this endpoint (testing, private endpoints, sovereign clouds)"),
    Flag("--workers", "workers", "parallel API callers (default 8)", "int"),
    Flag("--shard", "shard", "scan only shard i of n of the scopes, as i/n (1-based)", "shard", metavar="I/N"),
)


def option_of(title: str) -> str:
    """'AWS options' -> 'an AWS option', 'GCP options' -> 'a GCP option' (as the names are spoken)."""
    owner = title.removesuffix(" options")
    return f"{'an' if owner[0] in 'AEFHILMNORSX' else 'a'} {owner} option"


def split_list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def split_filter(text: str) -> tuple[list[str], list[str]]:
    """'a,b,!c' -> (['a', 'b'], ['c']): ids to include (none = all) and ids to exclude."""
    parts = split_list(text)
    return [p for p in parts if not p.startswith("!")], [p[1:].strip() for p in parts if p.startswith("!") and p[1:].strip()]


def parse_shard(text: str) -> tuple[int, int]:
    try:
        index, count = (int(x) for x in text.split("/"))
    except ValueError:
        raise UserError(f"--shard '{text}' is not i/n", "for example --shard 2/4") from None
    if not 1 <= index <= count:
        raise UserError(f"--shard {text}: i must be between 1 and n", "for example --shard 2/4")
    return index, count
