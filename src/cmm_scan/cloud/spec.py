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
    host: str | None = Field(default=None, description="template: the resource's own endpoint, when the API is served there")

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
    when: str | None = Field(default=None, description="JMESPath over the item; the call is skipped when falsy")
    otherwise: Any = Field(
        default=None,
        description="the result when `when` skips the call: the value the skipping condition proves (null: not read)",
    )


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


class Guide(_Spec):
    """Bulk first: an inventory (a lookup) tells which `for_each` parents hold a kind of resource, so a collector or
    lookup that names the guide lists only in those. A guide is a hint: when it cannot be read the list runs for every
    parent (coverage notes it), so the permissions of its requests are not required."""

    lookup: str = Field(description="the inventory lookup, read once per unit")
    parent: str = Field(description="JMESPath over an inventory item: the key (the for_each lookup's `key`) of its parent")
    kind: str = Field(description="JMESPath over an inventory item: its kind, compared case-insensitively")
    indexed: str | None = Field(default=None, description="lookup of the kinds the inventory indexes: any other kind is listed everywhere")
    indexed_kind: str = Field(default="@", description="JMESPath over an `indexed` item: the kind")


class GuideUse(_Spec):
    by: str = Field(description="a guide of the catalogue")
    kind: str = Field(description="the kind of resource this list returns, as the inventory names it")


class _Items(_Spec):
    """How items are read, shared by collectors and lookups: list (once, or once per `for_each` parent, only where a
    `guide` says), filter, follow up, join, derive."""

    source: Request | None = Field(default=None, description="the list request")
    draw: Draw | None = Field(default=None, description="instead of a list request: items of a shared bulk lookup, by key")
    for_each: str | None = Field(
        default=None, description="lookup whose items each drive one list request (as _parent); without `source`, its items are the items"
    )
    guide: GuideUse | None = Field(default=None, description="list only for the for_each parents the guide's inventory says hold this kind")
    aggregate: str | None = Field(default=None, description="transform turning one parent's listed items into one item (with _parent)")
    filter: str | None = Field(default=None, description="JMESPath over an item; items where it is falsy are skipped")
    calls: list[Call] = Field(default_factory=list)
    joins: list[Join] = Field(default_factory=list)
    derive: list[Derive] = Field(default_factory=list, description="intermediate values, after calls and joins")
    errors: dict[str, Any] = Field(default_factory=dict, description="error code or status -> response meaning a known value")

    @model_validator(mode="after")
    def _guided(self) -> _Items:
        if self.guide and not (self.for_each and self.source):
            raise ValueError("a guide narrows the for_each parents of a list: it needs `for_each` and `source`")
        if self.aggregate and not self.source:
            raise ValueError("`aggregate` combines the items of a list: it needs `source`")
        if self.draw and (self.source or self.for_each):
            raise ValueError("a `draw` takes a bulk lookup's items: it makes no list request (no `source` or `for_each`)")
        return self


class Lookup(_Items):
    """A list fetched once per scope unit (or once per scan when `shared`) and shared by every collector that joins it."""

    collector: str | None = Field(default=None, description="use the facts of this collector (same scope unit) instead")
    var: str | None = Field(default=None, description="the items are the scope unit's variable of this name (a list the provider gives)")
    key: str | None = Field(default=None, description="JMESPath over a lookup item giving its join key, or a list of keys")
    shared: bool = Field(default=False, description="read once per scan, not once per unit: the same answer everywhere")
    strict: bool = Field(default=False, description="a failed join fails the lookup (else the joined key stays null)")
    empty_unknown: bool = Field(
        default=False,
        description="no items means the read covered nothing (the parents a bulk read needs are missing): the lookup fails, "
        "so what joins it reads as unknown, never none",
    )

    @model_validator(mode="after")
    def _one_source(self) -> Lookup:
        named = sum(x is not None for x in (self.collector, self.source, self.var, self.draw))
        if named > 1 or (named == 0 and not self.for_each) or (self.for_each and (self.collector or self.var)):
            raise ValueError("a lookup names exactly one of `source`, `collector`, `var` or `draw` (or takes a `for_each` lookup's items)")
        return self


class Collector(_Items):
    id: str = Field(description="unique, e.g. arg.virtual_machines")
    fact: str = Field(description="fact type from providers/facts.yaml")
    enriches: list[str] = Field(default_factory=list)
    facet: dict[str, str | int | bool] = Field(
        default_factory=dict, description="attributes every fact of this collector carries: its failure leaves only those unknown"
    )
    scope: str = Field(description="the scope unit it runs once per (the provider names them: tenant, subscription_group...)")
    each: str | None = Field(default=None, description="JMESPath over an item giving sub-items, one fact each (the item is _parent)")
    keep: str | None = Field(
        default=None, description="JMESPath over an item after calls, joins and derive; items where it is falsy emit no fact"
    )
    resource_id: str = Field(default="", description="JMESPath giving the resource id")
    resource_format: str | None = Field(default=None, description="Python format: {id} and the scope unit's variables")
    fact_region: str | None = Field(default=None, description="JMESPath giving the fact's region (default: the unit's)")
    fact_scope: str | None = Field(default=None, description="JMESPath giving the fact's scope (a subscription of a group)")
    attributes: dict[str, Attribute | str] = Field(default_factory=dict)
    not_enabled: list[str] = Field(default_factory=list, description="error codes or statuses meaning the service is off")
    empty_on: list[str] = Field(default_factory=list, description="error codes or statuses meaning 'no items'")
    handler: str | None = Field(default=None, description="module:function in cmm_scan.<provider>.handlers")
    requests: list[Request] = Field(default_factory=list, description="the requests a handler makes, by operation")

    @model_validator(mode="after")
    def _shape(self) -> Collector:
        listed = self.source is not None or self.for_each is not None
        if (self.handler is not None and listed) or (self.handler is None and not listed and self.draw is None):
            raise ValueError(
                f"collector {self.id}: give exactly one of `source` or `handler` (or only a `for_each` lookup; a `draw` is a source)"
            )
        if (listed or self.draw) and not self.handler and not self.resource_id:
            raise ValueError(f"collector {self.id}: `source` and `draw` need `resource_id`")
        if self.handler and not self.requests and not self.draw:
            raise ValueError(f"collector {self.id}: a handler declares the `requests` it makes (or the lookup it draws)")
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
    guides: dict[str, Guide] = Field(default_factory=dict)
    lookups: dict[str, Lookup] = Field(default_factory=dict)
    collectors: list[Collector] = Field(default_factory=list)


class Catalogue(BaseModel):
    provider: str
    collectors: dict[str, Collector]
    lookups: dict[str, Lookup]
    files: dict[str, Path]
    guides: dict[str, Guide] = Field(default_factory=dict)


def load_catalogue(provider: str, root: Path, skip: frozenset[str] = frozenset()) -> Catalogue:
    """Every spec file of a provider (but the file names in `skip`), merged; ids and names must be unique across files."""
    collectors: dict[str, Collector] = {}
    lookups: dict[str, Lookup] = {}
    files: dict[str, Path] = {}
    guides: dict[str, Guide] = {}
    for path in sorted(root.glob("*.yaml")):
        if path.name in skip:
            continue
        spec, _ = load_yaml_model(path, SpecFile)
        for name, guide in spec.guides.items():
            if name in guides:
                raise UserError(f"{path}: guide '{name}' is also defined in {files['guide:' + name]}")
            guides[name], files["guide:" + name] = guide, path
        for name, lookup in spec.lookups.items():
            if name in lookups:
                raise UserError(f"{path}: lookup '{name}' is also defined in {files['lookup:' + name]}")
            lookups[name], files["lookup:" + name] = lookup, path
        for collector in spec.collectors:
            if collector.id in collectors:
                raise UserError(f"{path}: collector '{collector.id}' is also defined in {files[collector.id]}")
            collectors[collector.id], files[collector.id] = collector, path
    readers: list[tuple[str, _Items]] = [(f"collector '{c.id}'", c) for c in collectors.values()]
    readers += [(f"lookup '{n}'", lookup) for n, lookup in lookups.items()]
    for who, items in readers:
        names = [j.lookup for j in items.joins] + [n for n in (items.for_each, items.draw and items.draw.lookup) if n]
        if items.guide:
            guide = guides.get(items.guide.by)
            if guide is None:
                raise UserError(f"{root}: {who} names an undefined guide '{items.guide.by}'")
            names += [guide.lookup, *([guide.indexed] if guide.indexed else [])]
            if items.for_each in lookups and not lookups[items.for_each].key:
                raise UserError(f"{root}: {who} is guided over lookup '{items.for_each}', which has no `key`")
        for name in names:
            if name not in lookups:
                raise UserError(f"{root}: {who} reads an undefined lookup '{name}'")
    return Catalogue(provider=provider, collectors=collectors, lookups=lookups, files=files, guides=guides)
