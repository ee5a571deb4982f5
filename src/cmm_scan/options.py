"""Typed scan options: the fields every provider shares, and how a provider declares its own.

Each adapter package has an `options` module that imports no cloud SDK and holds
  Options       a `ProviderOptions` subclass with the provider's own fields
  FLAGS         the command-line flags that fill those fields (`Flag`, plain data)
  TITLE         the name shown in `--help` ("AWS options")
  CREDENTIALS   one line naming the credential sources the adapter uses
The CLI turns FLAGS into an argument group per cloud and parses the command line once into an
`Options`; below the CLI only typed options travel (`collect`, `plan`, the adapters).
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from cmm_scan import validate
from cmm_scan.errors import UserError
from cmm_scan.flags import COMMON_FLAGS, SCANNABLE, Flag, parse_shard, split_filter, split_list

__all__ = ["COMMON_FLAGS", "SCANNABLE", "Flag", "ProviderOptions", "module_of", "options_from_values", "parse_shard"]


class ProviderOptions(BaseModel):
    """What every scan takes, whatever the cloud."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    provider: str
    regions: list[str] | None = Field(default=None, description="None: every enabled region")
    endpoint_url: str | None = None
    workers: int = Field(default=8, ge=1, le=256)
    shard: tuple[int, int] | None = Field(default=None, description="(i, n), 1-based: scan only shard i of n of the scopes")

    @field_validator("shard")
    @classmethod
    def _shard_in_range(cls, shard: tuple[int, int] | None) -> tuple[int, int] | None:
        if shard is not None and not 1 <= shard[0] <= shard[1]:
            raise ValueError(f"shard {shard[0]}/{shard[1]}: i must be between 1 and n")
        return shard


def module_of(provider: str) -> ModuleType:
    """`cmm_scan.<provider>.options` (no cloud SDK behind it)."""
    return importlib.import_module(f"cmm_scan.{provider}.options")


def options_from_values(provider: str, values: dict[str, Any]) -> ProviderOptions:
    """Typed options from raw flag values keyed by dest (strings as typed; absent = not given).

    Raises UserError with one line for a bad value, naming the flag."""
    module = module_of(provider)
    flags: list[Flag] = [*COMMON_FLAGS, *module.FLAGS]
    fields: dict[str, Any] = {"provider": provider}
    for flag in flags:
        if flag.dest not in values or values[flag.dest] is None:
            continue
        raw = values[flag.dest]
        if flag.kind == "filter":
            include, exclude = split_filter(raw)
            fields[f"{flag.dest}_include"], fields[f"{flag.dest}_exclude"] = include, exclude
        elif flag.kind == "list":
            texts = [raw] if isinstance(raw, str) else list(raw)  # `a b`, `a,b` or both
            if flag.dest == "regions":
                fields[flag.dest] = validate.region_list(texts, flag.name)  # empty is refused, not read as "all"
            else:
                fields[flag.dest] = [part for text in texts for part in split_list(text)]
        elif flag.dest == "endpoint_url":
            fields[flag.dest] = validate.endpoint_url(raw, flag.name)
        elif flag.kind == "shard":
            fields[flag.dest] = parse_shard(raw)
        else:
            fields[flag.dest] = raw
    try:
        return module.Options(**fields)
    except ValidationError as exc:
        error = exc.errors()[0]
        dest = str(error["loc"][0]) if error["loc"] else ""
        name = next((f.name for f in flags if dest in (f.dest, f"{f.dest}_include", f"{f.dest}_exclude")), dest)
        message = str(error["msg"]).removeprefix("Value error, ")
        raise UserError(f"{name}: {message}", f"see `cmm-scan scan {provider} --help`") from None
