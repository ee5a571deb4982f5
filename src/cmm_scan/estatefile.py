"""The estate file (`--estate FILE`, docs/estate.md): what makes up one organisation, in YAML.

Each part names a provider and its options by the provider's own option names (the typed
`Options` of cmm_scan/<provider>/options.py), so a part is validated exactly as the command line is.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from cmm_scan.errors import UserError
from cmm_scan.flags import COMMON_FLAGS, SCANNABLE, option_of, split_filter, split_list
from cmm_scan.options import ProviderOptions, module_of
from cmm_scan.storage import StorageUrl, is_url
from cmm_scan.yamlfile import load_yaml_model

ESTATE_VERSION = 1
HINT = "see docs/estate.md for the estate file"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


class EstatePart(BaseModel):
    model_config = ConfigDict(extra="forbid")

    provider: str
    name: str = Field(default="", description="Names the part's snapshots (default: the provider and its place in the list)")
    options: dict[str, Any] = Field(default_factory=dict, description="The provider's options, by their names in --help")

    @field_validator("provider")
    @classmethod
    def _known(cls, provider: str) -> str:
        if provider not in SCANNABLE:
            raise ValueError(f"'{provider}' is not a provider ({', '.join(SCANNABLE)})")
        return provider


class EstateFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format_version: int = Field(default=ESTATE_VERSION, ge=1, le=ESTATE_VERSION)
    name: str = Field(description="The estate's name: keys its shards and its runs in the store")
    snapshots: str = Field(
        default="cmm-snapshots",
        description="Folder the scans write to and score reads (relative to the file), or a storage URL: s3://, gs://, az://",
    )
    store: str | None = Field(default=None, description="History store URL (as --store)")
    shards: int = Field(default=1, ge=1, le=10_000, description="How many shards `scan --estate --shard i/n` splits each part into")
    parts: list[EstatePart] = Field(min_length=1)

    @field_validator("name")
    @classmethod
    def _plain(cls, name: str) -> str:
        if not _NAME.match(name):
            raise ValueError("use letters, digits, '.', '_' and '-' only")
        return name


class Estate:
    """A loaded estate file: its parts as typed options, and where their snapshots live."""

    def __init__(self, path: Path, spec: EstateFile, parts: list[tuple[str, ProviderOptions]]):
        self.path, self.spec, self.parts = path, spec, parts

    @property
    def folder(self) -> Path | StorageUrl:
        """Where the parts' snapshots go: a local folder, or a prefix in shared storage (cmm_scan.storage)."""
        if is_url(self.spec.snapshots):
            return StorageUrl.parse(self.spec.snapshots)
        folder = Path(self.spec.snapshots)
        return folder if folder.is_absolute() else self.path.parent / folder

    def snapshot_path(self, part: str, shard: tuple[int, int] | None) -> Path | str:
        name = self.snapshot_name(part, shard)
        folder = self.folder
        return str(folder.child(name)) if isinstance(folder, StorageUrl) else folder / name

    @staticmethod
    def snapshot_name(part: str, shard: tuple[int, int] | None) -> str:
        suffix = f".shard-{shard[0]}-of-{shard[1]}" if shard else ""
        return f"{part}{suffix}.jsonl.gz"

    def estate_key(self, part: str) -> str:
        return f"{self.spec.name}:{part}"


def load_estate(path: Path) -> Estate:
    spec, _ = load_yaml_model(path, EstateFile, HINT)
    parts: list[tuple[str, ProviderOptions]] = []
    for index, part in enumerate(spec.parts, start=1):
        name = part.name or f"{part.provider}-{index}"
        if not _NAME.match(name) or any(name == n for n, _ in parts):
            raise UserError(f"{path}: parts[{index - 1}]: name '{name}' must be unique, letters, digits, '.', '_', '-'", HINT)
        parts.append((name, _options(path, index - 1, part)))
    return Estate(path, spec, parts)


def _options(path: Path, index: int, part: EstatePart) -> ProviderOptions:
    """The part's typed options; a filter or list may be a YAML list or a comma string, as on the command line."""
    module = module_of(part.provider)
    kinds = {f.dest: f.kind for f in (*COMMON_FLAGS, *module.FLAGS)}
    fields: dict[str, Any] = {"provider": part.provider}
    for key in part.options:
        owner = next((p for p in SCANNABLE if p != part.provider and any(f.dest == key for f in module_of(p).FLAGS)), None)
        if owner and key not in kinds and key not in module.Options.model_fields:
            yours = ", ".join(f.dest for f in module.FLAGS)
            raise UserError(
                f"{path}: parts[{index}].options.{key} is {option_of(module_of(owner).TITLE)}; {part.provider} takes {yours}", HINT
            )
    for key, value in part.options.items():
        kind = kinds.get(key)
        text = ",".join(map(str, value)) if isinstance(value, list) else value
        if kind == "filter" and isinstance(text, str):
            fields[f"{key}_include"], fields[f"{key}_exclude"] = split_filter(text)
        elif kind == "list" and isinstance(text, str):
            fields[key] = split_list(text)
        elif key == "shard":
            raise UserError(f"{path}: parts[{index}].options.shard: set `shards:` for the estate instead", HINT)
        else:
            fields[key] = value
    try:
        return module.Options(**fields)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"])
        message = str(error["msg"]).removeprefix("Value error, ")
        raise UserError(
            f"{path}: parts[{index}].options.{where}: {message}", f"{part.provider} options: see `cmm-scan scan --help`"
        ) from None
