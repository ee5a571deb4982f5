"""The OCI collector specs in providers/oci/*.yaml, as pydantic models (format: docs/oci-collectors.md).

Attribute semantics (expr, transform, default, unknown_if, requires) are the AWS specs' own models, so a
spec writer learns them once.
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

Verb = Literal["inspect", "read"]
# compartments: every readable compartment (the tenancy root included) in every region; compartments_home: the same in
# the home region only (identity: policies, dynamic groups); tenancy: the root compartment in every region;
# tenancy_home: the root compartment once, in the home region (users, tag defaults); search: the items are the
# region's Resource Search summaries (no API call of its own)
# lookup: the items of the lookup named by `lookup` (read once, shared with the collectors that join it)
Fanout = Literal["compartments", "compartments_home", "tenancy", "tenancy_home", "search", "lookup"]
HOME_FANOUTS = frozenset({"compartments_home", "tenancy_home"})
TREE_FANOUTS = frozenset({"compartments", "compartments_home", "search", "lookup"})


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Permission(_Spec):
    """What an IAM policy must grant: `Allow group <g> to <verb> <resource> in tenancy`."""

    verb: Verb
    resource: str = Field(description="resource type or family, e.g. instance-family, buckets")


class Request(_Spec):
    """One REST read: GET `path` (with `{name}` filled from `args`), or POST `body` for Resource Search."""

    service: str | None = Field(default=None, description="row of providers/oci/services.yaml")
    operation: str = Field(description="the API operation's name, e.g. ListInstances (for people and logs)")
    path: str = Field(description="path after the version, e.g. /instances or /n/{namespace}/b/{name}")
    args: dict[str, str] = Field(default_factory=dict, description="path or query parameter -> JMESPath over the item")
    params: dict[str, Any] = Field(default_factory=dict, description="literal query parameters")
    permission: Permission
    paginate: bool = Field(default=True, description="follow opc-next-page (lists)")


class Call(Request):
    """A follow-up read per item; the result goes into the item under `into`."""

    into: str
    host: str | None = Field(default=None, description="JMESPath over the item: the resource's own endpoint (a vault's managementEndpoint)")
    result: str = Field(default="@", description="JMESPath over the response")
    errors: dict[str, Any] = Field(default_factory=dict, description="error code -> stored value meaning a known answer")
    when: str | None = Field(default=None, description="JMESPath over the item; skipped (null) when falsy")


class Join(_Spec):
    lookup: str
    match: str = Field(description="JMESPath over the item giving its key")
    as_: str = Field(alias="as")


class Source(_Spec):
    """Where items come from; shared by collectors and lookups."""

    fanout: Fanout = "compartments"
    search: str | None = Field(default=None, description="Search resourceType: list only in compartments where Search found it")
    lookup: str | None = Field(default=None, description="with fanout: lookup, the lookup whose items these are")
    handler: str | None = Field(default=None, description="a function in cmm_scan.oci.handlers that gives the items (reads Search only)")
    service: str | None = None
    operation: str | None = None
    path: str | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    permission: Permission | None = None
    items: str = "@"
    paginate: bool = Field(default=True, description="follow opc-next-page; false for a single get (e.g. a configuration)")
    filter: str | None = Field(default=None, description="JMESPath over an item; falsy items are dropped")
    aggregate: str | None = Field(
        default=None, description="a transform turning one compartment's listed items into one item (e.g. Audit events into counts)"
    )
    explode: str | None = Field(
        default=None, description="after calls: each element of this JMESPath list becomes an item (the original as _parent)"
    )
    explode_filter: str | None = Field(default=None, description="JMESPath over an exploded item; falsy ones are dropped")
    calls: list[Call] = Field(default_factory=list)
    joins: list[Join] = Field(default_factory=list)
    derive: list[Derive] = Field(default_factory=list)

    @model_validator(mode="after")
    def _request(self) -> Source:
        if self.fanout == "lookup" and not self.lookup:
            raise ValueError("fanout: lookup needs `lookup`")
        if self.handler and self.fanout != "search":
            raise ValueError("a handler reads the Search summaries: give it fanout: search")
        if self.fanout not in ("search", "lookup") and not (self.service and self.operation and self.path and self.permission):
            raise ValueError("a list source needs service, operation, path and permission (or fanout: search)")
        return self


class Lookup(Source):
    key: str = Field(description="JMESPath over an item: its key, or a list of keys")


class Collector(Source):
    id: str
    fact: str
    enriches: list[str] = Field(default_factory=list)
    facet: dict[str, str | int | bool] = Field(default_factory=dict)
    resource_id: str = "id"
    fact_region: str | None = Field(default=None, description="JMESPath giving the fact's region (default: the region read)")
    attributes: dict[str, Attribute | str] = Field(default_factory=dict)

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


def load_catalogue(root: Path | None = None) -> Catalogue:
    collectors: dict[str, Collector] = {}
    lookups: dict[str, Lookup] = {}
    for path in sorted((root or bundled("providers") / "oci").glob("*.yaml")):
        if path.name == "services.yaml":
            continue
        spec, _ = load_yaml_model(path, SpecFile)
        for name, lookup in spec.lookups.items():
            if name in lookups:
                raise UserError(f"{path}: lookup '{name}' is defined twice")
            lookups[name] = lookup
        for collector in spec.collectors:
            if collector.id in collectors:
                raise UserError(f"{path}: collector '{collector.id}' is defined twice")
            collectors[collector.id] = collector
    return Catalogue(collectors=collectors, lookups=lookups)


@cache
def catalogue() -> Catalogue:
    return load_catalogue()


def requests_of(source: Source) -> list[Request]:
    """Every request a source declares (its list and its follow-up calls)."""
    own = []
    if source.fanout == "search" and source.permission:
        own.append(Request(service="search", operation="SearchResources", path="/resources", permission=source.permission))
    if source.fanout not in ("search", "lookup"):
        assert source.operation and source.path and source.permission
        own.append(Request(service=source.service, operation=source.operation, path=source.path, permission=source.permission))
    return own + list(source.calls)
