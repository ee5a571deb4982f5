"""The declarative GCP collector specs in providers/gcp/*.yaml (format: docs/gcp-collectors.md).

Two sources: the Cloud Asset Inventory (`asset_types`: one bulk `listAssets` per scope feeds every
such collector) and per-service REST (`request`: one paged GET per project or organisation) for what
the inventory lacks. Attribute semantics (expr, transform, default, unknown_if, requires) are the
AWS specs' own, shared, so a rule reads the same neutral facts from either cloud.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from cmm_scan.aws.spec import Attribute, Derive
from cmm_scan.errors import UserError
from cmm_scan.paths import bundled
from cmm_scan.yamlfile import load_yaml_model

Content = Literal["RESOURCE", "IAM_POLICY", "ORG_POLICY"]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Request(_Spec):
    """One REST read, paged on pageToken to the end."""

    service: str = Field(description="the API host, e.g. monitoring.googleapis.com")
    path: str = Field(description="path template: {project}, {project_number}, {organization}, {parent}, {billing_account}, `args` names")
    params: dict[str, Any] = Field(default_factory=dict, description="literal query parameters")
    items: str = Field(default="@", description="JMESPath over each page: the listed items")
    permissions: list[str] = Field(min_length=1, description="IAM permissions the call needs")
    errors: dict[str, Any] = Field(default_factory=dict, description="HTTP code (e.g. '404') -> result meaning a known value")


class Call(Request):
    """A follow-up read per item; the result is stored in the item under `into`."""

    into: str
    args: dict[str, str] = Field(default_factory=dict, description="path name -> JMESPath over the item")
    when: str | None = Field(default=None, description="JMESPath over the item; skipped (null) when falsy")
    paginate: bool = Field(default=False, description="concatenate `items` over every page")


class Join(_Spec):
    """Attach the inventory assets of another type whose `key` equals this item's `match`."""

    asset_type: str
    key: str = Field(description="JMESPath over the joined asset, e.g. data.target")
    match: str = Field(description="JMESPath over this item giving the key, e.g. data.selfLink")
    as_: str = Field(alias="as")
    across: bool = Field(default=False, description="look in every project of the scan, not only the item's own (log sinks → buckets)")


class Collector(_Spec):
    id: str
    fact: str
    enriches: list[str] = Field(default_factory=list)
    facet: dict[str, str | int | bool] = Field(default_factory=dict)
    # the bulk inventory
    asset_types: list[str] = Field(default_factory=list, description="CAI asset types this collector maps")
    content: Content = "RESOURCE"
    # per-service REST
    request: Request | None = None
    scope: Literal["project", "organization", "organization_else_project", "billing_account"] = Field(
        default="project",
        description="what a `request` runs per ({parent} is organizations/N or projects/ID); billing accounts are those the "
        "projects' billing info names",
    )
    by_region: bool = Field(default=False, description="one item per region of the listed assets: {name, location, asset_types}")
    each: str | None = Field(default=None, description="JMESPath over an item giving sub-items, one fact each (the item is `_parent`)")
    calls: list[Call] = Field(default_factory=list)
    joins: list[Join] = Field(default_factory=list)
    filter: str | None = None
    derive: list[Derive] = Field(default_factory=list)
    attributes: dict[str, Attribute | str] = Field(default_factory=dict)
    resource_id: str = "name"
    fact_region: str | None = Field(default="location", description="JMESPath giving the location (zones become regions)")

    @model_validator(mode="after")
    def _source(self) -> Collector:
        if bool(self.asset_types) == (self.request is not None):
            raise ValueError(f"collector {self.id}: give exactly one of `asset_types` or `request`")
        if self.joins and not self.asset_types:
            raise ValueError(f"collector {self.id}: `joins` read the inventory; use them with `asset_types`")
        return self

    def attribute(self, name: str) -> Attribute:
        spec = self.attributes[name]
        return Attribute(expr=spec) if isinstance(spec, str) else spec


class SpecFile(_Spec):
    format_version: Literal[1]
    collectors: list[Collector] = Field(default_factory=list)


def spec_dir() -> Path:
    return bundled("providers") / "gcp"


def load_catalogue(root: Path | None = None) -> dict[str, Collector]:
    collectors: dict[str, Collector] = {}
    where: dict[str, Path] = {}
    for path in sorted((root or spec_dir()).glob("*.yaml")):
        spec, _ = load_yaml_model(path, SpecFile)
        for collector in spec.collectors:
            if collector.id in collectors:
                raise UserError(f"{path}: collector '{collector.id}' is also defined in {where[collector.id]}")
            collectors[collector.id], where[collector.id] = collector, path
    return collectors


@cache
def catalogue() -> dict[str, Collector]:
    return load_catalogue()


def selected(fact_types: list[str], cat: dict[str, Collector] | None = None) -> list[Collector]:
    wanted = set(fact_types)
    return [c for c in (cat or catalogue()).values() if c.fact in wanted or wanted & set(c.enriches)]
