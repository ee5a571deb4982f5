"""The neutral fact catalogue (providers/facts.yaml): the contract between collectors and rules."""

from __future__ import annotations

from functools import cache
from typing import Literal

from pydantic import BaseModel, ConfigDict

from cmm_scan.paths import bundled
from cmm_scan.yamlfile import load_yaml_model

FACT_FIELDS = frozenset({"region", "scope", "provider", "resource_id"})


class AttributeSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["str", "int", "float", "bool", "list", "map", "date"]
    doc: str


class FactTypeSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    doc: str
    attributes: dict[str, AttributeSpec]


class FactCatalogue(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format_version: Literal[1]
    facts: dict[str, FactTypeSpec]


@cache
def fact_catalogue() -> FactCatalogue:
    catalogue, _ = load_yaml_model(bundled("providers") / "facts.yaml", FactCatalogue)
    return catalogue


def readable_names(fact_type: str) -> set[str] | None:
    """Names a filter on this fact type may read, or None if the type is not in the catalogue."""
    spec = fact_catalogue().facts.get(fact_type)
    return None if spec is None else set(spec.attributes) | FACT_FIELDS
