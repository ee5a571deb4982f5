"""The declarative collector specs in providers/aws/*.yaml, as pydantic models.

The format is documented for spec writers in docs/aws-collectors.md; keep the two in step.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from cmm_scan.cloud.spec import Attribute, Derive
from cmm_scan.errors import UserError
from cmm_scan.paths import bundled
from cmm_scan.yamlfile import load_yaml_model


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Batch(_Spec):
    """Ask about many items in one call (describe_services takes 10 services): each item's `value` goes into
    the list parameter `param`, and each element of the call's `result` is matched back to its item by `key`."""

    param: str = Field(description="the list parameter, e.g. services")
    value: str = Field(description="JMESPath over the item: its entry in that list (items where it is null are not asked)")
    size: int = Field(ge=1, description="most entries one call takes: the API's limit")
    key: str = Field(description="JMESPath over one element of `result`: the entry it answers")


class Call(_Spec):
    """A follow-up call made once per item (or per `batch` of items); its result is stored in the item under `into`."""

    into: str = Field(description="key the result is stored under, e.g. _versioning; '.' merges it into the item")
    service: str | None = None
    operation: str = Field(description="boto3 method name, e.g. get_bucket_versioning")
    args: dict[str, str] = Field(default_factory=dict, description="parameter -> JMESPath over the item")
    params: dict[str, Any] = Field(default_factory=dict, description="literal parameters")
    result: str = Field(default="@", description="JMESPath over the response (each page when paginated)")
    paginate: bool = Field(default=False, description="follow the boto3 paginator, concatenating `result` lists")
    action: str | None = Field(default=None, description="IAM action, when not prefix:OperationName")
    errors: dict[str, Any] = Field(default_factory=dict, description="error code -> result meaning a known value")
    when: str | None = Field(default=None, description="JMESPath over the item; the call is skipped (null) when falsy")
    batch: Batch | None = Field(default=None, description="one call for up to `size` items that share the other parameters")

    @model_validator(mode="after")
    def _batch(self) -> Call:
        if self.batch and self.paginate:
            raise ValueError(f"call {self.operation}: `batch` and `paginate` do not go together")
        if self.batch and self.batch.param in self.args:
            raise ValueError(f"call {self.operation}: `batch.param` {self.batch.param} is also in `args`")
        return self


class Join(_Spec):
    """Attach the items of a lookup whose key matches an expression over this item."""

    lookup: str
    match: str | None = Field(default=None, description="JMESPath giving a key or a list of keys; omit to attach all")
    as_: str = Field(alias="as", description="key the list of matches is stored under, e.g. _policies")


class Lookup(_Spec):
    """A per-account-and-region list, fetched once and shared by every collector that joins it."""

    service: str | None = None
    operation: str | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    items: str = "@"
    key: str | None = Field(default=None, description="JMESPath over a lookup item giving its join key")
    action: str | None = None
    errors: dict[str, Any] = Field(default_factory=dict, description="error code -> response meaning 'none'")
    page_size: int | None = Field(default=None, ge=1, description="items a page: bounds one response's memory; at most the API's limit")
    region: Literal["regional", "global"] = "regional"
    collector: str | None = Field(default=None, description="use the facts of this collector instead of an API call")
    joins: list[Join] = Field(default_factory=list)

    @model_validator(mode="after")
    def _source(self) -> Lookup:
        if (self.collector is None) == (self.operation is None):
            raise ValueError("a lookup names exactly one of `operation` (with `service`) or `collector`")
        if self.operation and not self.service:
            raise ValueError("a lookup with an operation needs a service")
        return self


class Permission(_Spec):
    """An API call a hand-written collector makes, with its IAM action."""

    service: str
    operation: str
    action: str | None = None


class Collector(_Spec):
    id: str = Field(description="unique, e.g. ec2.instances")
    fact: str = Field(description="fact type from providers/facts.yaml")
    enriches: list[str] = Field(default_factory=list)
    region: Literal["regional", "global"] = "regional"
    service: str | None = None
    # data-driven source
    operation: str | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    param_sets: list[dict[str, Any]] = Field(default_factory=list, description="call once per set (merged with params)")
    for_each: str | None = Field(default=None, description="lookup whose items each drive one list call (as _parent)")
    args: dict[str, str] = Field(default_factory=dict, description="with for_each: parameter -> JMESPath over _parent")
    items: str = "@"
    page_size: int | None = Field(default=None, ge=1, description="items a page: bounds one response's memory; at most the API's limit")
    filter: str | None = Field(default=None, description="JMESPath over an item; items where it is falsy are skipped")
    action: str | None = None
    resource_id: str = Field(default="", description="JMESPath giving the resource id (an ARN where the item has one)")
    resource_format: str | None = Field(default=None, description="Python format: {id} {account} {region} {partition}")
    fact_region: str | None = Field(default=None, description="JMESPath giving the fact's region (global collectors)")
    calls: list[Call] = Field(default_factory=list)
    joins: list[Join] = Field(default_factory=list)
    derive: list[Derive] = Field(default_factory=list, description="intermediate values, after calls and joins")
    attributes: dict[str, Attribute | str] = Field(default_factory=dict)
    # codes
    not_enabled: list[str] = Field(default_factory=list, description="error codes meaning the service is off")
    empty_on: list[str] = Field(default_factory=list, description="error codes meaning 'no items'")
    errors: dict[str, Any] = Field(default_factory=dict, description="error code -> response meaning a known value")
    # hand-written
    handler: str | None = Field(default=None, description="module:function in cmm_scan.aws.handlers")
    permissions: list[Permission] = Field(default_factory=list, description="calls a handler makes")
    management_account_only: bool = Field(
        default=False, description="read only in the organisation's management account; `skipped` elsewhere"
    )
    after_all: bool = Field(default=False, description="run after every other collector of the account")
    facet: dict[str, str | int | bool] = Field(
        default_factory=dict,
        description="attributes every fact of this collector carries (service: detective); its failure then leaves "
        "unknown only the signals whose population could hold such facts",
    )

    @model_validator(mode="after")
    def _source(self) -> Collector:
        if (self.handler is None) == (self.operation is None):
            raise ValueError(f"collector {self.id}: give exactly one of `operation` or `handler`")
        if self.operation and not self.service:
            raise ValueError(f"collector {self.id}: `operation` needs `service`")
        if self.operation and not self.resource_id:
            raise ValueError(f"collector {self.id}: `operation` needs `resource_id`")
        return self

    def attribute(self, name: str) -> Attribute:
        spec = self.attributes[name]
        return Attribute(expr=spec) if isinstance(spec, str) else spec


class SpecFile(_Spec):
    format_version: Literal[1]
    lookups: dict[str, Lookup] = Field(default_factory=dict)
    collectors: list[Collector] = Field(default_factory=list)


class Catalogue(BaseModel):
    collectors: dict[str, Collector]
    lookups: dict[str, Lookup]
    files: dict[str, Path]


def spec_dir() -> Path:
    return bundled("providers") / "aws"


def load_catalogue(root: Path | None = None) -> Catalogue:
    """Every spec file, merged; ids and lookup names must be unique across files."""
    collectors: dict[str, Collector] = {}
    lookups: dict[str, Lookup] = {}
    files: dict[str, Path] = {}
    for path in sorted((root or spec_dir()).glob("*.yaml")):
        spec, _ = load_yaml_model(path, SpecFile)
        for name, lookup in spec.lookups.items():
            if name in lookups:
                raise UserError(f"{path}: lookup '{name}' is also defined in {files['lookup:' + name]}")
            lookups[name], files["lookup:" + name] = lookup, path
        for collector in spec.collectors:
            if collector.id in collectors:
                raise UserError(f"{path}: collector '{collector.id}' is also defined in {files[collector.id]}")
            collectors[collector.id], files[collector.id] = collector, path
    return Catalogue(collectors=collectors, lookups=lookups, files=files)


@cache
def catalogue() -> Catalogue:
    return load_catalogue()
