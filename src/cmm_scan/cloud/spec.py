"""REST collector specs (providers/<cloud>/*.yaml) as pydantic models, for every provider but AWS's boto3 one.

The format is documented for spec writers in docs/cloud-collectors.md; keep the two in step.
`Attribute` and `Derive` are shared with the AWS specs (cmm_scan.aws.spec).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from cmm_scan.errors import UserError
from cmm_scan.yamlfile import load_yaml_model

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Attribute(_Spec):
    """How one fact attribute is computed from an item (after follow-up calls and joins)."""

    expr: str = Field(description="JMESPath over the item")
    transform: str | None = Field(default=None, description="named function applied to the expression's value")
    default: Any = Field(default=None, description="value when the result is null: 'read, found nothing'")
    unknown_if: str | None = Field(default=None, description="JMESPath: when truthy, the attribute is null (not read)")
    requires: list[str] = Field(default_factory=list, description="calls/joins whose failure makes this null")


class Derive(Attribute):
    """An intermediate value computed once per item and stored under `into` for attributes to read."""

    into: str


class Request(_Spec):
    """One REST request (and the pages that follow it). `{name}` in path, query and body is filled from the
    scope unit's variables and the request's `args`; a string that is exactly "{name}" takes the value as is
    (a list of subscriptions stays a list)."""

    operation: str = Field(description="the API operation's name, e.g. Microsoft.Security/pricings/list; printed and logged")
    api: str = Field(description="which endpoint the provider sends it to, e.g. arm or graph")
    permissions: list[str] = Field(min_length=1, description="what the caller must hold, e.g. Microsoft.Security/pricings/read")
    method: Literal["GET", "POST"] = "GET"
    path: str = Field(description="path template, e.g. /subscriptions/{subscription}/providers/Microsoft.Security/pricings")
    query: dict[str, Any] = Field(default_factory=dict, description="query parameters (templated)")
    body: Any = Field(default=None, description="JSON body (templated); POST only")
    items: str = Field(default="@", description="JMESPath over each page: the listed items")
    paging: str | None = Field(default=None, description="the provider's paging style, e.g. next_link; none = one response")
    page_size: int | None = Field(default=None, ge=1, description="items a page, where the API takes it (the provider names the parameter)")
    args: dict[str, str] = Field(default_factory=dict, description="template variable -> JMESPath over the item (or {_parent})")

    @model_validator(mode="after")
    def _body(self) -> Request:
        if self.body is not None and self.method != "POST":
            raise ValueError(f"{self.operation}: a body needs method POST")
        return self


class Call(Request):
    """A follow-up request made once per item; its result is stored in the item under `into`."""

    into: str = Field(description="key the result is stored under, e.g. _diagnostics; '.' merges it into the item")
    result: str = Field(default="@", description="JMESPath over the response (each page's, concatenated, when paged)")
    errors: dict[str, Any] = Field(default_factory=dict, description="error code or HTTP status -> result meaning a known value")
    when: str | None = Field(default=None, description="JMESPath over the item; the call is skipped (null) when falsy")


class Join(_Spec):
    """Attach the items of a lookup whose key matches an expression over this item."""

    lookup: str
    match: str | None = Field(default=None, description="JMESPath giving a key or a list of keys; omit to attach all")
    as_: str = Field(alias="as", description="key the list of matches is stored under, e.g. _rules")


class Draw(_Spec):
    """Take the items of another lookup (a bulk read shared by many collectors, such as an asset inventory)
    whose `key` is one of `keys`. The keys every selected collector draws are what the bulk read's request
    names with `{drawn}`, so it asks only for what the scan uses."""

    lookup: str
    keys: list[str] = Field(default_factory=list, description="the lookup's keys to take; empty = every item")


class Lookup(_Spec):
    """A list fetched once per scope unit and shared by every collector that joins it."""

    source: Request | None = None
    collector: str | None = Field(default=None, description="use the facts of this collector (same scope unit) instead")
    draw: Draw | None = Field(default=None, description="the items of another lookup, by its key")
    key: str | None = Field(default=None, description="JMESPath over a lookup item giving its join key")
    errors: dict[str, Any] = Field(default_factory=dict, description="error code or HTTP status -> response meaning 'none'")
    joins: list[Join] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_source(self) -> Lookup:
        if sum(x is not None for x in (self.source, self.collector, self.draw)) != 1:
            raise ValueError("a lookup names exactly one of `source`, `collector` or `draw`")
        return self


class Collector(_Spec):
    id: str = Field(description="unique, e.g. arg.virtual_machines")
    fact: str = Field(description="fact type from providers/facts.yaml")
    enriches: list[str] = Field(default_factory=list)
    facet: dict[str, str | int | bool] = Field(
        default_factory=dict, description="attributes every fact of this collector carries: its failure leaves only those unknown"
    )
    scope: str = Field(description="the scope unit it runs once per (the provider names them: tenant, subscription_group...)")
    source: Request | None = Field(default=None, description="the list request")
    draw: Draw | None = Field(default=None, description="instead of a list request: items of a shared bulk lookup, by key")
    for_each: str | None = Field(default=None, description="lookup whose items each drive one list request (as _parent)")
    filter: str | None = Field(default=None, description="JMESPath over an item; items where it is falsy are skipped")
    each: str | None = Field(default=None, description="JMESPath over an item giving sub-items, one fact each (the item is _parent)")
    keep: str | None = Field(
        default=None, description="JMESPath over an item after calls, joins and derive; items where it is falsy emit no fact"
    )
    resource_id: str = Field(default="", description="JMESPath giving the resource id")
    resource_format: str | None = Field(default=None, description="Python format: {id} and the scope unit's variables")
    fact_region: str | None = Field(default=None, description="JMESPath giving the fact's region (default: the unit's)")
    fact_scope: str | None = Field(default=None, description="JMESPath giving the fact's scope (a subscription of a group)")
    calls: list[Call] = Field(default_factory=list)
    joins: list[Join] = Field(default_factory=list)
    derive: list[Derive] = Field(default_factory=list, description="intermediate values, after calls and joins")
    attributes: dict[str, Attribute | str] = Field(default_factory=dict)
    not_enabled: list[str] = Field(default_factory=list, description="error codes or statuses meaning the service is off")
    empty_on: list[str] = Field(default_factory=list, description="error codes or statuses meaning 'no items'")
    errors: dict[str, Any] = Field(default_factory=dict, description="error code or status -> response meaning a known value")
    handler: str | None = Field(default=None, description="module:function in cmm_scan.<provider>.handlers")
    requests: list[Request] = Field(default_factory=list, description="the requests a handler makes, by operation")

    @model_validator(mode="after")
    def _shape(self) -> Collector:
        if self.source and self.draw:
            raise ValueError(f"collector {self.id}: give one of `source` or `draw`")
        if (self.handler is None and self.source is None and self.draw is None) or (self.handler and self.source):
            raise ValueError(f"collector {self.id}: give exactly one of `source` or `handler` (a `draw` is a source)")
        if (self.source or self.draw) and not self.handler and not self.resource_id:
            raise ValueError(f"collector {self.id}: `source` and `draw` need `resource_id`")
        if self.handler and not self.requests and not self.draw:
            raise ValueError(f"collector {self.id}: a handler declares the `requests` it makes (or the lookup it draws)")
        if self.draw and self.for_each:
            raise ValueError(f"collector {self.id}: `for_each` drives list requests; a `draw` makes none")
        if self.each and self.for_each:
            raise ValueError(f"collector {self.id}: `each` and `for_each` both set `_parent`")
        return self

    def attribute(self, name: str) -> Attribute:
        spec = self.attributes[name]
        return Attribute(expr=spec) if isinstance(spec, str) else spec

    def request(self, operation: str) -> Request:
        """A handler's declared request, by operation name."""
        for request in self.requests:
            if request.operation == operation:
                return request
        raise RuntimeError(f"collector {self.id} does not declare a request {operation!r}")


class SpecFile(_Spec):
    format_version: Literal[1]
    lookups: dict[str, Lookup] = Field(default_factory=dict)
    collectors: list[Collector] = Field(default_factory=list)


class Catalogue(BaseModel):
    provider: str
    collectors: dict[str, Collector]
    lookups: dict[str, Lookup]
    files: dict[str, Path]


def load_catalogue(provider: str, root: Path) -> Catalogue:
    """Every spec file of a provider, merged; ids and lookup names must be unique across files."""
    collectors: dict[str, Collector] = {}
    lookups: dict[str, Lookup] = {}
    files: dict[str, Path] = {}
    for path in sorted(root.glob("*.yaml")):
        spec, _ = load_yaml_model(path, SpecFile)
        for name, lookup in spec.lookups.items():
            if name in lookups:
                raise UserError(f"{path}: lookup '{name}' is also defined in {files['lookup:' + name]}")
            lookups[name], files["lookup:" + name] = lookup, path
        for collector in spec.collectors:
            if collector.id in collectors:
                raise UserError(f"{path}: collector '{collector.id}' is also defined in {files[collector.id]}")
            collectors[collector.id], files[collector.id] = collector, path
    for collector in collectors.values():
        names = [j.lookup for j in collector.joins] + [n for n in (collector.for_each, collector.draw and collector.draw.lookup) if n]
        for name in names:
            if name not in lookups:
                raise UserError(f"{files[collector.id]}: collector '{collector.id}' reads an undefined lookup '{name}'")
    for name, lookup in lookups.items():
        if lookup.draw and lookup.draw.lookup not in lookups:
            raise UserError(f"{files['lookup:' + name]}: lookup '{name}' draws from an undefined lookup '{lookup.draw.lookup}'")
    return Catalogue(provider=provider, collectors=collectors, lookups=lookups, files=files)
