"""The neutral fact catalogue (providers/facts.yaml): the contract between collectors and rules."""

from __future__ import annotations

from functools import cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

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
    not_held_by: dict[Literal["aws", "azure", "gcp", "oci"], str] = Field(
        default_factory=dict,
        description="cloud -> why its estates cannot hold this kind of thing: pooled with other clouds' snapshots, "
        "its snapshots then leave nothing of this type unread (a kind the cloud has, but no collector reads, never goes here)",
    )


class FactCatalogue(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format_version: Literal[1]
    facts: dict[str, FactTypeSpec]


@cache
def fact_catalogue() -> FactCatalogue:
    catalogue, _ = load_yaml_model(bundled("providers") / "facts.yaml", FactCatalogue)
    return catalogue


def not_held_by(provider: str, fact_types: list[str]) -> list[str]:
    """The fact types of the plan that estates of this cloud cannot hold (SnapshotHeader.not_held)."""
    facts = fact_catalogue().facts
    return [t for t in fact_types if t in facts and provider in facts[t].not_held_by]


def readable_names(fact_type: str) -> set[str] | None:
    """Names a filter on this fact type may read, or None if the type is not in the catalogue."""
    spec = fact_catalogue().facts.get(fact_type)
    return None if spec is None else set(spec.attributes) | FACT_FIELDS
