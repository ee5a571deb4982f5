"""Azure: Resource Manager, Resource Graph and Microsoft Graph served from one estate, over https.

The estate (docs/emulator.md) holds subscriptions as `GET /subscriptions` returns them, ARM
resources (`id`, `type`, `location`, `tags`, `properties`...) including management groups and
extension resources (`{scope}/providers/Microsoft.Security/pricings/X`), and Microsoft Graph
objects keyed by their path under `/v1.0/`. Every view is derived: resource group lists,
`{scope}/providers/{Namespace}/{type}` lists, gets by id, Resource Graph rows and tables.
Container registries' data planes (`registries`: each login server's repositories and their tags)
are served under `/acr/{login server}`, with the registry's token exchange.
"""

from __future__ import annotations

import fnmatch
import json
import re
import secrets
from dataclasses import dataclass, field
from email.message import Message
from functools import cache
from importlib import resources as package_files
from typing import Any, Literal
from urllib.parse import parse_qsl, quote, unquote, urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

from cmm_scan.emulate import kql
from cmm_scan.emulate.core import (
    Call,
    Emulator,
    EstateBase,
    NextLinkPaging,
    Problem,
    Provider,
    Reply,
    Route,
    decode_token,
    encode_token,
    page_size,
    window,
)
from cmm_scan.emulate.objects import BLOB_ROUTES

DEFAULT_TENANT = "00000000-0000-0000-0000-000000000000"
ARG_PATH = "/providers/Microsoft.ResourceGraph/resources"
ARG_MAX_TOP = 1000


# --- the estate ------------------------------------------------------------------------------


class ArmObject(BaseModel):
    """An object in the provider's own shape: the keys we need are checked, the rest kept as written."""

    model_config = ConfigDict(extra="allow")

    def served(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True, by_alias=True)


class Subscription(ArmObject):
    subscriptionId: str
    displayName: str | None = None
    state: str = "Enabled"


class Resource(ArmObject):
    id: str
    type: str
    name: str | None = None

    @field_validator("id")
    @classmethod
    def _absolute(cls, value: str) -> str:
        if not value.startswith("/") or value.endswith("/") or "//" in value:
            raise ValueError("an ARM id starts with / and has no empty segments, like /subscriptions/<id>/resourceGroups/<name>")
        return value

    @field_validator("type")
    @classmethod
    def _namespaced(cls, value: str) -> str:
        if "/" not in value:
            raise ValueError("an ARM type is Namespace/type, like Microsoft.Compute/virtualMachines")
        return value


class AzureEstate(EstateBase):
    provider: Literal["azure"]
    tenantId: str = DEFAULT_TENANT
    subscriptions: list[Subscription] = Field(default_factory=list)
    resources: list[Resource] = Field(default_factory=list)
    graph: dict[str, list[dict[str, Any]] | dict[str, Any]] = Field(
        default_factory=dict, description="Microsoft Graph: path under /v1.0/ → a collection (list) or an object"
    )
    devops: dict[str, list[dict[str, Any]] | dict[str, Any]] = Field(
        default_factory=dict,
        description="Azure DevOps (dev.azure.com, and vsrm.dev.azure.com for _apis/release/...): "
        "path {organization}/{project}/_apis/... → a collection (list) or an object",
    )

    registries: dict[str, list[dict[str, Any]]] = Field(
        default_factory=dict,
        description="Container Registry data planes: login server → its repositories as GET /acr/v1/{name} returns them "
        "(imageName, changeableAttributes...), each with its `tags` as GET /acr/v1/{name}/_tags lists them",
    )

    @field_validator("registries")
    @classmethod
    def _named_repositories(cls, value: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
        for server, repositories in value.items():
            for repository in repositories:
                if not isinstance(repository.get("imageName"), str):
                    raise ValueError(f"a repository of {server} has no imageName")
        return value

    @field_validator("resources")
    @classmethod
    def _unique_ids(cls, value: list[Resource]) -> list[Resource]:
        seen: set[str] = set()
        for resource in value:
            key = resource.id.lower()
            if key in seen:
                raise ValueError(f"resource id {resource.id} appears twice")
            seen.add(key)
        return value


# --- derived views ---------------------------------------------------------------------------


@cache
def _graph_tables() -> dict[str, Any]:
    text = package_files.files("cmm_scan.emulate").joinpath("data/azure-resource-graph.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def graph_type(arm_type: str) -> str:
    low = arm_type.lower()
    return _graph_tables()["graph_type"].get(low, low)


def table_of(graph_type_: str) -> str | None:
    """The Resource Graph table of a (lower-case) type; None when Resource Graph does not hold it."""
    data = _graph_tables()
    if any(fnmatch.fnmatchcase(graph_type_, p) for p in data["not_in_resource_graph"]):
        return None
    for table, patterns in data["tables"].items():
        if any(fnmatch.fnmatchcase(graph_type_, p) for p in patterns):
            return table
    return data["default"]


def arm_type_of(path: str) -> str:
    """The ARM resource type a path addresses (a resource or a collection of them)."""
    low = path.rstrip("/")
    _, sep, tail = low.rpartition("/providers/")
    if sep:
        parts = tail.split("/")
        return "/".join([parts[0], *parts[1::2]])
    parts = [p for p in low.split("/") if p]
    types = [p for i, p in enumerate(parts) if i % 2 == 0]
    names = {"subscriptions": "subscriptions", "resourcegroups": "resourceGroups", "tenants": "tenants"}
    return "Microsoft.Resources/" + "/".join(names.get(t.lower(), t) for t in types)


def _is_collection(path: str) -> bool:
    _, sep, tail = path.rstrip("/").rpartition("/providers/")
    count = len(tail.split("/")) if sep else len([p for p in path.split("/") if p])
    return count % 2 == 0 if sep else count % 2 == 1


def _parent_scope(resource_id: str) -> str:
    """What a resource is deployed into: the part before its last /providers/."""
    head, sep, _ = resource_id.rpartition("/providers/")
    return head if sep else resource_id.rsplit("/", 2)[0]


_RG = re.compile(r"^/subscriptions/([^/]+)/resourcegroups/([^/]+)", re.IGNORECASE)
_SUB = re.compile(r"^/subscriptions/([^/]+)", re.IGNORECASE)


@dataclass
class AzureState:
    estate: AzureEstate
    token: str
    subscriptions: list[dict[str, Any]] = field(default_factory=list)
    by_id: dict[str, dict[str, Any]] = field(default_factory=dict)
    children: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    mg_parent: dict[str, str] = field(default_factory=dict)  # lower child id → parent management group id
    graph: dict[str, Any] = field(default_factory=dict)
    devops: dict[str, Any] = field(default_factory=dict)
    graph_rows: list[dict[str, Any]] | None = None  # Resource Graph rows, derived on the first query
    registries: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # lower login server → repositories
    login_servers: dict[str, dict[str, Any]] = field(default_factory=dict)  # lower login server → the registry resource
    acr_tokens: dict[str, str] = field(default_factory=dict)  # refresh and access tokens issued → the login server

    def subscription(self, sub_id: str) -> dict[str, Any] | None:
        return next((s for s in self.subscriptions if s["subscriptionId"].lower() == sub_id.lower()), None)

    def ancestors(self, child_id: str) -> list[dict[str, Any]]:
        """Management groups above a subscription or management group, nearest first."""
        chain, current = [], child_id.lower()
        while (parent := self.mg_parent.get(current)) and len(chain) < 10:
            group = self.by_id.get(parent.lower(), {"name": parent.rsplit("/", 1)[-1]})
            props = group.get("properties") or {}  # null in an estate: a group with no properties written
            chain.append({"name": group.get("name"), "displayName": props.get("displayName", group.get("name"))})
            current = parent.lower()
        return chain


def build_state(estate: AzureEstate, token: str) -> AzureState:
    state = AzureState(estate, token)
    for sub in estate.subscriptions:
        served = {"id": f"/subscriptions/{sub.subscriptionId}", "tenantId": estate.tenantId, **sub.served()}
        served.setdefault("displayName", sub.subscriptionId)
        served.setdefault("state", sub.state)
        state.subscriptions.append(served)
    for res in estate.resources:
        served = res.served()
        served.setdefault("name", res.id.rsplit("/", 1)[-1])
        state.by_id[res.id.lower()] = served
    # resource groups that resources live in but the estate does not list
    for served in list(state.by_id.values()):
        if m := _RG.match(served["id"]):
            rg_id = f"/subscriptions/{m.group(1)}/resourceGroups/{m.group(2)}"
            if rg_id.lower() not in state.by_id and served["id"].lower() != rg_id.lower():
                state.by_id[rg_id.lower()] = {
                    "id": rg_id,
                    "name": m.group(2),
                    "type": "Microsoft.Resources/resourceGroups",
                    "location": served.get("location", "uksouth"),
                    "properties": {"provisioningState": "Succeeded"},
                }
    for served in state.by_id.values():
        state.children.setdefault(served["id"].rsplit("/", 1)[0].lower(), []).append(served)
        if served["type"].lower() == "microsoft.management/managementgroups":
            props = served.get("properties") or {}
            for child in props.get("children") or []:  # entries without an id (or null) place nothing
                if isinstance(child, dict) and child.get("id"):
                    state.mg_parent.setdefault(child["id"].lower(), served["id"])
            parent = (props.get("details") or {}).get("parent") or {}
            if isinstance(parent, dict) and parent.get("id"):
                state.mg_parent.setdefault(served["id"].lower(), parent["id"])
    state.graph = {key.strip("/").lower(): value for key, value in estate.graph.items()}
    state.devops = {key.strip("/").lower(): value for key, value in estate.devops.items()}
    state.registries = {server.lower(): sorted(repos, key=lambda r: r["imageName"]) for server, repos in estate.registries.items()}
    for served in state.by_id.values():
        if served["type"].lower() == "microsoft.containerregistry/registries":
            server = str((served.get("properties") or {}).get("loginServer") or f"{served['name']}.azurecr.io")
            state.login_servers[server.lower()] = served
    return state


def resource_graph_rows(state: AzureState) -> list[dict[str, Any]]:
    """Every estate object as a Resource Graph row, with its table in `__table`."""
    rows = []
    for sub in state.subscriptions:
        rows.append(
            {
                "__table": "ResourceContainers",
                "id": sub["id"],
                "name": sub.get("displayName"),
                "type": "microsoft.resources/subscriptions",
                "tenantId": state.estate.tenantId,
                "subscriptionId": sub["subscriptionId"],
                "resourceGroup": "",
                "location": "",
                "kind": "",
                "managedBy": "",
                "properties": {"state": sub.get("state"), "managementGroupAncestorsChain": state.ancestors(sub["id"])},
                "tags": sub.get("tags") or {},
            }
        )
    for res in state.by_id.values():
        gtype = graph_type(res["type"])
        table = table_of(gtype)
        if table is None:
            continue
        sub = _SUB.match(res["id"])
        rg = _RG.match(res["id"])
        row = {
            "id": res["id"],
            "name": res["name"],
            "type": gtype,
            "tenantId": state.estate.tenantId,
            "kind": res.get("kind", ""),
            "location": (res.get("location") or "").lower(),
            "resourceGroup": rg.group(2).lower() if rg else "",
            "subscriptionId": sub.group(1) if sub else "",
            "managedBy": res.get("managedBy", ""),
            "sku": res.get("sku"),
            "plan": res.get("plan"),
            "properties": res.get("properties") or {},
            "tags": res.get("tags") or {},
            "identity": res.get("identity"),
            "zones": res.get("zones"),
            "extendedLocation": res.get("extendedLocation"),
        }
        if gtype == "microsoft.management/managementgroups":
            props = dict(row["properties"])
            props.pop("children", None)
            row["properties"] = {**props, "managementGroupAncestorsChain": state.ancestors(res["id"])}
        rows.append({"__table": table, **row})
    return rows


# --- handlers --------------------------------------------------------------------------------

ARM_PAGING = NextLinkPaging(items_key="value", link_key="nextLink", token_param="$skiptoken")
GRAPH_PAGING = NextLinkPaging(items_key="value", link_key="@odata.nextLink", token_param="$skiptoken", size_param="$top")


def _state(call: Call) -> AzureState:
    return call.state


def _require_api_version(call: Call) -> None:
    if not call.query.get("api-version"):
        raise Problem(
            "bad_request",
            "The api-version query parameter (?api-version=) is required for all requests.",
            code="MissingApiVersionParameter",
        )


def list_subscriptions(call: Call) -> Reply:
    _require_api_version(call)
    visible = [s for s in _state(call).subscriptions if not call.denied("Microsoft.Resources/subscriptions/read", s["id"])]
    return ARM_PAGING.reply(call, visible)


def get_subscription(call: Call) -> Reply:
    _require_api_version(call)
    sub = _state(call).subscription(call.params["subscription"])
    if sub is None:
        raise Problem("not_found", f"The subscription '{call.params['subscription']}' could not be found.", code="SubscriptionNotFound")
    return Reply(sub)


def list_tenants(call: Call) -> Reply:
    _require_api_version(call)
    tenant = _state(call).estate.tenantId
    return ARM_PAGING.reply(call, [{"id": f"/tenants/{tenant}", "tenantId": tenant}])


def _tracked(res: dict[str, Any]) -> bool:
    """A top-level resource deployed in a resource group (what `/resources` lists)."""
    return _RG.fullmatch(_parent_scope(res["id"])) is not None and res["type"].count("/") == 1


def _resource_filter(call: Call) -> str | None:
    """The `$filter` form the generic lists honour: resourceType eq 'X' (None when there is no such filter)."""
    text = call.query.get("$filter")
    if not text or _property_filter(text) is not None:
        return None
    m = re.fullmatch(r"\s*resourceType\s+eq\s+'([^']+)'\s*", text, re.IGNORECASE)
    if not m:
        raise Problem(
            "bad_request",
            f"the emulator supports only $filter=resourceType eq '<type>' or Property eq '<value>' [and ...], not {text!r}",
            code="InvalidFilter",
        )
    return m.group(1).lower()


_PROPERTY_CLAUSE = re.compile(r"\s*(\w+)\s+eq\s+'([^']*)'\s*", re.IGNORECASE)


def _property_filter(text: str) -> list[tuple[str, str]] | None:
    """`Name eq 'value' [and ...]` over a child collection's properties (Container Registry runs: TaskName eq
    'build'): each name matches a property, case-insensitively, or a property it ends with (TaskName -> task)."""
    clauses = [_PROPERTY_CLAUSE.fullmatch(part) for part in re.split(r"\s+and\s+", text, flags=re.IGNORECASE)]
    if not all(clauses) or any(m.group(1).lower() == "resourcetype" for m in clauses if m):
        return None
    return [(m.group(1).lower(), m.group(2)) for m in clauses if m]


def _matches(resource: dict[str, Any], clauses: list[tuple[str, str]]) -> bool:
    props = {k.lower(): v for k, v in (resource.get("properties") or {}).items()}
    for name, wanted in clauses:
        key = next((k for k in props if name == k or (name.endswith("name") and name[: -len("name")] == k)), None)
        if key is None or str(props[key]) != wanted:
            return False
    return True


def list_resources(call: Call) -> Reply:
    _require_api_version(call)
    scope = f"/subscriptions/{call.params['subscription']}"
    if "group" in call.params:
        scope += f"/resourcegroups/{unquote(call.params['group'])}"
    if _state(call).subscription(call.params["subscription"]) is None:
        raise Problem("not_found", f"The subscription '{call.params['subscription']}' could not be found.", code="SubscriptionNotFound")
    if _property_filter(call.query.get("$filter") or "") is not None:
        raise Problem("bad_request", "the resources list filters only on resourceType (and tags), not on properties", code="InvalidFilter")
    wanted = _resource_filter(call)
    items = [
        r
        for r in _state(call).by_id.values()
        if _tracked(r) and (r["id"].lower() + "/").startswith(scope.lower() + "/") and (wanted is None or r["type"].lower() == wanted)
    ]
    return ARM_PAGING.reply(call, items)


def get_by_path(call: Call) -> Reply:
    """GET a resource by id, or list a collection under a scope: `{scope}/providers/{Namespace}/{type}`,
    `/subscriptions/{s}/resourcegroups`, child collections."""
    _require_api_version(call)
    # ids hold names in any script (resource groups allow Unicode letters): clients percent-encode them, as ARM decodes
    state, path = _state(call), unquote(call.path).rstrip("/")
    key = path.lower()
    if (sub := _SUB.fullmatch(path)) is not None and state.subscription(sub.group(1)) is None:
        raise Problem("not_found", f"The subscription '{sub.group(1)}' could not be found.", code="SubscriptionNotFound")
    if key in state.by_id:
        return Reply(_as_got(call, state.by_id[key]))
    if not _is_collection(path):
        raise Problem("not_found", f"The Resource '{arm_type_of(path)}/{path.rsplit('/', 1)[-1]}' was not found.")
    items = list(state.children.get(key, []))
    m = re.fullmatch(r"/subscriptions/([^/]+)/providers/([^/]+/[^/]+)", path, re.IGNORECASE)
    if m:  # a tracked type listed at subscription scope: every resource group's too
        sub_id, rtype = m.group(1).lower(), m.group(2).lower()
        items += [
            r
            for r in state.by_id.values()
            if r["type"].lower() == rtype and _RG.fullmatch(_parent_scope(r["id"])) and _RG.match(r["id"]).group(1).lower() == sub_id  # type: ignore[union-attr]
        ]
    wanted = _resource_filter(call)
    items = [r for r in items if not call.denied(f"{r['type']}/read", r["id"]) and (wanted is None or r["type"].lower() == wanted)]
    if (clauses := _property_filter(call.query.get("$filter") or "")) is not None:
        items = [r for r in items if _matches(r, clauses)]
    return ARM_PAGING.reply(call, sorted(items, key=lambda r: r["id"].lower()))


def _as_got(call: Call, resource: dict[str, Any]) -> dict[str, Any]:
    """Management groups carry their children only when asked with $expand=children."""
    if resource["type"].lower() != "microsoft.management/managementgroups" or "children" in (call.query.get("$expand") or "").lower():
        return resource
    props = {k: v for k, v in (resource.get("properties") or {}).items() if k != "children"}
    return {**resource, "properties": props}


# Resource Graph


def query_resource_graph(call: Call) -> Reply:
    _require_api_version(call)
    state, body = _state(call), call.json()
    if not isinstance(body, dict) or not isinstance(body.get("query"), str):
        raise Problem("bad_request", "The request body must have a query.", code="BadRequest")
    try:
        query = kql.parse(body["query"])
    except kql.KqlError as exc:
        raise _invalid_query(str(exc)) from None
    tables = set(_graph_tables()["tables"]) | {_graph_tables()["default"]}
    table = next((t for t in tables if t.lower() == query.table.lower()), None)
    if table is None:
        raise _invalid_query(f"'{query.table}' is not a Resource Graph table the emulator serves")
    subs = [s.lower() for s in body.get("subscriptions") or []]
    groups = body.get("managementGroups") or []
    for sub in subs:
        scope = f"/subscriptions/{sub}"
        if call.denied("Microsoft.ResourceGraph/resources/read", scope) or call.denied("*", scope):
            action = "Microsoft.ResourceGraph/resources/read"
            raise Problem("denied", f"The client does not have authorization to perform action '{action}' over scope '{scope}'")
    if not subs and groups:
        subs = [s["subscriptionId"].lower() for s in state.subscriptions if _under_groups(state, s["id"], groups)]
    if state.graph_rows is None:
        state.graph_rows = resource_graph_rows(state)
    rows = [r for r in state.graph_rows if r["__table"] == table]
    if subs or groups:
        rows = [r for r in rows if _in_scope(state, r, subs, groups)]
    else:  # tenant scope: subscriptions the caller may not read are silently left out, as Resource Graph does
        rows = [r for r in rows if not r["subscriptionId"] or not call.denied("*", f"/subscriptions/{r['subscriptionId']}")]
    rows = [{k: v for k, v in r.items() if k != "__table"} for r in sorted(rows, key=lambda r: r["id"].lower())]
    try:
        rows = query.run(rows)
    except (TypeError, ValueError) as exc:
        raise _invalid_query(str(exc)) from None
    return _graph_page(call, rows, body.get("options") or {})


def _in_scope(state: AzureState, row: dict[str, Any], subs: list[str], groups: list[str]) -> bool:
    if row["subscriptionId"]:
        return row["subscriptionId"].lower() in subs
    return bool(groups) and _under_groups(state, row["id"], groups)


def _graph_page(call: Call, rows: list[dict[str, Any]], options: dict[str, Any]) -> Reply:
    """One page of Resource Graph results: `$top` (at most 1000), `$skipToken` or `$skip`, objectArray or table."""
    top = options.get("$top") or options.get("top")
    size = min(int(top) if top else ARG_MAX_TOP, ARG_MAX_TOP, call.emulator.page_size)
    token = options.get("$skipToken") or options.get("skipToken")
    offset = decode_token(token) if token else int(options.get("$skip") or options.get("skip") or 0)
    chunk, nxt = window(rows, offset, size)
    data: Any = chunk
    if (options.get("resultFormat") or "objectArray").lower() == "table":
        columns = list(dict.fromkeys(k for r in rows for k in r))
        data = {
            "columns": [{"name": c, "type": _column_type(rows, c)} for c in columns],
            "rows": [[r.get(c) for c in columns] for r in chunk],
        }
    result: dict[str, Any] = {"totalRecords": len(rows), "count": len(chunk), "data": data, "facets": [], "resultTruncated": "false"}
    if nxt is not None:
        result["$skipToken"] = encode_token(nxt)
    return Reply(result)


def _column_type(rows: list[dict[str, Any]], column: str) -> str:
    value = next((r[column] for r in rows if r.get(column) is not None), None)
    return {bool: "boolean", int: "integer", float: "number", dict: "object", list: "object"}.get(type(value), "string")


def _under_groups(state: AzureState, child_id: str, groups: list[str]) -> bool:
    wanted = {g.lower() for g in groups}
    current = child_id.lower()
    if current.rsplit("/", 1)[-1] in wanted and "managementgroups" in current:
        return True
    while parent := state.mg_parent.get(current):
        if parent.rsplit("/", 1)[-1].lower() in wanted:
            return True
        current = parent.lower()
    return False


def _invalid_query(detail: str) -> Problem:
    problem = Problem("bad_request", f"Query is invalid. Please refer to the documentation for the Azure Resource Graph service. {detail}")
    problem.code = "InvalidQuery"
    return problem


# Azure DevOps: lists answer {count, value}; check configurations are narrowed by resourceType/resourceId


DEVOPS_COLLECTIONS = frozenset({"projects", "definitions", "environments", "environmentdeploymentrecords", "configurations"})


def devops_get(call: Call) -> Reply:
    state, rest = _state(call), call.params["path"].strip("/")
    if not call.query.get("api-version"):
        raise Problem("bad_request", "No api-version was supplied for the GET request.")
    value = state.devops.get(rest.lower())
    if value is None and rest.lower().rsplit("/", 1)[-1] in DEVOPS_COLLECTIONS:
        value = []  # a list the estate leaves out is empty, as a project without any answers
    if value is None:
        raise Problem("not_found", f"The resource {rest} does not exist.")
    if not isinstance(value, list):
        return Reply(value)
    if rest.lower().endswith("_apis/pipelines/checks/configurations"):
        kind, rid = call.query.get("resourceType"), call.query.get("resourceId")
        value = [c for c in value if (c.get("resource") or {}).get("type") == kind and str((c.get("resource") or {}).get("id")) == rid]
    if call.query.get("$top"):  # paged: the next page's start is the x-ms-continuationtoken header
        start, top = int(call.query.get("continuationToken") or 0), int(call.query["$top"])
        page = value[start : start + top]
        more = {"x-ms-continuationtoken": str(start + top)} if start + top < len(value) else {}
        return Reply({"count": len(page), "value": page}, headers=more)
    return Reply({"count": len(value), "value": value})


# Azure Container Registry's data plane, per login server (`/acr/{registry}/...`): the token exchange
# (Entra token → refresh token → access token), the catalog, a repository's attributes and its tags.


def _registry(call: Call) -> tuple[str, dict[str, Any]]:
    """The login server and its registry resource; a registry that refuses public access refuses us (403 DENIED)."""
    server = call.params["registry"].lower()
    registry = _state(call).login_servers.get(server)
    if registry is None:
        raise Problem("not_found", f"registry {server} does not exist", code="NAME_UNKNOWN")
    props = registry.get("properties") or {}
    if props.get("publicNetworkAccess") == "Disabled" or (props.get("networkRuleSet") or {}).get("defaultAction") == "Deny":
        raise Problem(
            "forbidden",
            f"client with IP '127.0.0.1' is not allowed access, refer https://aka.ms/acr/firewall to grant access to '{server}'",
        )
    return server, registry


def _form(call: Call) -> dict[str, str]:
    return dict(parse_qsl(call.raw_body.decode("utf-8", "replace")))


def acr_exchange(call: Call) -> Reply:
    """POST /oauth2/exchange: an Entra access token (the printed AZURE_ACCESS_TOKEN) for the registry's refresh token."""
    server, _ = _registry(call)
    form, state = _form(call), _state(call)
    if form.get("grant_type") != "access_token" or form.get("service", "").lower() != server:
        raise Problem("bad_request", "grant_type must be access_token and service the registry's login server", code="UNSUPPORTED")
    if not secrets.compare_digest(form.get("access_token", ""), state.token):
        raise Problem("unauthenticated", "the access token is not valid for this registry")
    refresh = "acr-refresh-" + secrets.token_urlsafe(12)
    state.acr_tokens[refresh] = server
    return Reply({"refresh_token": refresh})


def acr_token(call: Call) -> Reply:
    """POST /oauth2/token: the refresh token for an access token of the scopes asked for."""
    server, _ = _registry(call)
    form, state = _form(call), _state(call)
    if form.get("grant_type") != "refresh_token" or not form.get("scope"):
        raise Problem("bad_request", "grant_type must be refresh_token, with a scope", code="UNSUPPORTED")
    if state.acr_tokens.get(form.get("refresh_token", "")) != server:
        raise Problem("unauthenticated", "the refresh token is not valid for this registry")
    access = "acr-access-" + secrets.token_urlsafe(12)
    state.acr_tokens[access] = server
    return Reply({"access_token": access})


def _repositories(call: Call) -> tuple[str, list[dict[str, Any]]]:
    server, _ = _registry(call)
    return server, _state(call).registries.get(server, [])


def _link_page(call: Call, names: list[str], base: str) -> tuple[list[str], dict[str, str]]:
    """Docker Registry paging: `n` items after `last`; a Link header names the next page while more remain (the
    registry's path, here under the emulator's /acr/{registry} prefix, as the registry's own is under its host)."""
    size = page_size(call, call.query.get("n"))
    last = call.query.get("last")
    start = 0 if last is None else next((i for i, name in enumerate(names) if name > last), len(names))
    page = names[start : start + size]
    if start + size < len(names):
        return page, {"Link": f'<{base}?last={quote(page[-1], safe="")}&n={size}>; rel="next"'}
    return page, {}


def acr_catalog(call: Call) -> Reply:
    _, repositories = _repositories(call)
    names = [r["imageName"] for r in repositories]
    page, headers = _link_page(call, names, f"/acr/{call.params['registry']}/acr/v1/_catalog")
    return Reply({"repositories": page}, headers=headers)


def _repository(call: Call) -> tuple[str, dict[str, Any]]:
    server, repositories = _repositories(call)
    name = unquote(call.params["name"]).strip("/")
    found = next((r for r in repositories if r["imageName"].lower() == name.lower()), None)
    if found is None:
        raise Problem("not_found", f"repository {name} is not found", code="NAME_UNKNOWN")
    return server, found


def acr_repository(call: Call) -> Reply:
    server, repository = _repository(call)
    tags = [t for t in repository.get("tags") or [] if isinstance(t, dict)]  # a null entry is no tag
    served = {"registry": server, **{k: v for k, v in repository.items() if k != "tags"}}
    served.setdefault("tagCount", len(tags))
    served.setdefault("manifestCount", len({t.get("digest") for t in tags}))
    served.setdefault("changeableAttributes", {"deleteEnabled": True, "writeEnabled": True, "readEnabled": True, "listEnabled": True})
    return Reply(served)


def acr_tags(call: Call) -> Reply:
    server, repository = _repository(call)
    tags = sorted((t for t in repository.get("tags") or [] if isinstance(t, dict)), key=lambda t: str(t.get("name")))
    by_name = {str(t.get("name")): t for t in tags}
    page, headers = _link_page(call, list(by_name), f"/acr/{call.params['registry']}/acr/v1/{repository['imageName']}/_tags")
    return Reply({"registry": server, "imageName": repository["imageName"], "tags": [by_name[n] for n in page]}, headers=headers)


# Microsoft Graph


def graph_get(call: Call) -> Reply:
    state, rest = _state(call), call.params["path"].strip("/")
    key = rest.lower()
    if key in state.graph:
        value = state.graph[key]
        if isinstance(value, list):
            context = f"{call.emulator.url}/{call.path.split('/')[1]}/$metadata#{rest}"
            if call.query.get("$filter"):
                value = [item for item in value if graph_filter(call.query["$filter"])(item)]
            return GRAPH_PAGING.reply(call, value, extra={"@odata.context": context})
        return Reply(value)
    parent, _, item_id = key.rpartition("/")
    collection = state.graph.get(parent)
    if isinstance(collection, list):
        for item in collection:
            if str(item.get("id", "")).lower() == item_id or str(item.get("userPrincipalName", "")).lower() == item_id:
                return Reply(item)
        raise Problem("not_found", f"Resource '{item_id}' does not exist or one of its queried reference-property objects are not present.")
    segment = rest.split("/", 1)[0]
    raise Problem("unrouted_graph", f"Resource not found for the segment '{segment}'.")


GRAPH_BATCH_MAX = 20


def graph_batch(call: Call) -> Reply:
    """JSON batching: each request is answered through the normal routing (authentication, deny and throttle
    faults, paging), logged as batched, and returned as {id, status, headers, body}."""
    body = call.json()
    requests = body.get("requests") if isinstance(body, dict) else None
    if not isinstance(requests, list) or not requests:
        raise Problem("bad_request", "Invalid batch payload format.")
    if len(requests) > GRAPH_BATCH_MAX:
        raise Problem("bad_request", f"Maximum number of requests in a batch is {GRAPH_BATCH_MAX}.")
    ids = [str(r.get("id")) if isinstance(r, dict) else "" for r in requests]
    if len(set(ids)) != len(ids) or not all(isinstance(r, dict) and r.get("id") and r.get("method") and r.get("url") for r in requests):
        raise Problem("bad_request", "Every batch request needs a unique id, a method and a url.")
    version = call.path.split("/")[1]
    responses = []
    for request in requests:
        split = urlsplit(str(request["url"]))
        path = re.sub(r"/{2,}", "/", f"/{version}/{split.path.lstrip('/')}")
        if path.lower().endswith("/$batch"):
            raise Problem("bad_request", "A batch may not hold another batch.")
        query: dict[str, str] = {}
        multi: dict[str, list[str]] = {}
        for key, value in parse_qsl(split.query, keep_blank_values=True):
            query.setdefault(key, value)
            multi.setdefault(key, []).append(value)
        headers = Message()  # the batch's own headers (its token) with the request's on top
        for name, value in [*call.headers.items(), *(request.get("headers") or {}).items()]:
            del headers[name]
            headers[name] = value
        raw = json.dumps(request["body"]).encode() if request.get("body") is not None else b""
        inner = Call(str(request["method"]).upper(), path, query, headers, raw, call.emulator, multi=multi, target=str(request["url"]))
        reply = call.emulator.answer(inner)
        call.emulator.record(inner, reply.status, batched=True)
        headers_out = {"Content-Type": "application/json", **reply.headers}
        responses.append({"id": str(request["id"]), "status": reply.status, "headers": headers_out, "body": reply.body})
    return Reply({"responses": responses})


_GUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_GRAPH_LITERAL = rf"'(?:[^']|'')*'|{_GUID}|true|false|null|-?\d+(?:\.\d+)?"  # a Guid is written bare, as OData does
_GRAPH_CLAUSE = re.compile(
    rf"^\s*(?:(?P<field>[\w/]+)\s+(?P<op>eq|ne|gt|ge|lt|le)\s+(?P<value>{_GRAPH_LITERAL})"
    rf"|startswith\(\s*(?P<sfield>[\w/]+)\s*,\s*(?P<svalue>'(?:[^']|'')*')\s*\))\s*$",
    re.IGNORECASE,
)


def graph_filter(text: str) -> Any:
    """The `$filter` subset: `field eq|ne|gt|ge|lt|le literal` and `startswith(field,'x')`,
    joined by `and` or `or` (no parentheses); anything else is Graph's 400 invalid filter."""

    def literal(raw: str) -> Any:
        if raw.startswith("'"):
            return raw[1:-1].replace("''", "'")
        return {"true": True, "false": False, "null": None}.get(
            raw.lower(), float(raw) if "." in raw else int(raw) if raw.lstrip("-").isdigit() else raw
        )

    def value_of(item: dict[str, Any], path: str) -> Any:
        for key in path.split("/"):
            item = item.get(key) if isinstance(item, dict) else None  # type: ignore[assignment]
        return item

    def clause(part: str) -> Any:
        m = _GRAPH_CLAUSE.match(part)
        if not m:
            raise Problem("bad_request", f"Invalid filter clause: the emulator does not support {part.strip()!r}")
        if m.group("sfield"):
            field_, prefix = m.group("sfield"), literal(m.group("svalue")).lower()
            return lambda item: str(value_of(item, field_) or "").lower().startswith(prefix)
        field_, op, wanted = m.group("field"), m.group("op").lower(), literal(m.group("value"))

        def test(item: dict[str, Any]) -> bool:
            have = value_of(item, field_)
            if op in ("eq", "ne"):
                return (have == wanted) == (op == "eq")
            try:
                return have is not None and {"gt": have > wanted, "ge": have >= wanted, "lt": have < wanted, "le": have <= wanted}[op]
            except TypeError:
                return False

        return test

    alternatives = [
        [clause(p) for p in re.split(r"\s+and\s+", alt, flags=re.IGNORECASE)] for alt in re.split(r"\s+or\s+", text, flags=re.IGNORECASE)
    ]
    return lambda item: any(all(test(item) for test in tests) for tests in alternatives)


# Microsoft Entra ID: enough of the token service for azure-identity's ClientSecretCredential
# (authority=the emulator URL, disable_instance_discovery=True). Any client id and secret are
# accepted for the estate's tenant; the token issued is the printed AZURE_ACCESS_TOKEN.


def _tenant(call: Call) -> str:
    tenant = _state(call).estate.tenantId
    if call.params["tenant"].lower() not in (tenant.lower(), "organizations"):
        raise Problem("bad_request", f"AADSTS90002: Tenant '{call.params['tenant']}' not found.", code="invalid_request")
    return tenant


def openid_configuration(call: Call) -> Reply:
    base = f"{call.emulator.url}/{_tenant(call)}"
    return Reply(
        {
            "issuer": f"{base}/v2.0",
            "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
            "token_endpoint": f"{base}/oauth2/v2.0/token",
            "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
            "jwks_uri": f"{base}/discovery/v2.0/keys",
            "response_types_supported": ["code", "id_token", "token"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        }
    )


def issue_token(call: Call) -> Reply:
    from urllib.parse import parse_qsl

    _tenant(call)
    form = dict(parse_qsl(call.raw_body.decode("utf-8", "replace")))
    if form.get("grant_type") != "client_credentials" or not form.get("client_id"):
        raise Problem("bad_request", "AADSTS900144: only client_credentials with a client_id is emulated.", code="invalid_request")
    token = _state(call).token
    return Reply({"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": token})


# --- the provider ---------------------------------------------------------------------------

ARM_ERRORS = {
    "bad_request": (400, "BadRequest"),
    "unauthenticated": (401, "AuthenticationFailed"),
    "denied": (403, "AuthorizationFailed"),
    "not_found": (404, "ResourceNotFound"),
    "unrouted": (405, "MethodNotAllowed"),  # the emulator is read-only: writes are refused
    "throttled": (429, "TooManyRequests"),
    "failed": (500, "InternalServerError"),
}
RESOURCE_GRAPH_ERRORS = {**ARM_ERRORS, "throttled": (429, "RateLimiting")}
ACR_ERRORS = {  # a registry's data plane: {"errors": [{"code", "message", "detail"}]}
    "bad_request": (400, "UNSUPPORTED"),
    "unauthenticated": (401, "UNAUTHORIZED"),
    "denied": (401, "UNAUTHORIZED"),  # no data-plane permission: the registry asks for authentication again
    "forbidden": (403, "DENIED"),  # network rules refuse the client
    "not_found": (404, "NAME_UNKNOWN"),
    "unrouted": (405, "UNSUPPORTED"),
    "throttled": (429, "TOOMANYREQUESTS"),
    "failed": (500, "UNKNOWN"),
}
GRAPH_ERRORS = {
    "bad_request": (400, "BadRequest"),
    "unauthenticated": (401, "InvalidAuthenticationToken"),
    "denied": (403, "Authorization_RequestDenied"),
    "not_found": (404, "Request_ResourceNotFound"),
    "unrouted": (405, "Request_BadRequest"),
    "unrouted_graph": (400, "BadRequest"),
    "throttled": (429, "TooManyRequests"),
    "failed": (503, "serviceNotAvailable"),
}


ROUTES: list[Route] = [  # data: method, path template, operation (the permission it needs), handler
    Route("GET", "/subscriptions", "Microsoft.Resources/subscriptions/read", list_subscriptions),
    Route("GET", "/subscriptions/{subscription}", "Microsoft.Resources/subscriptions/read", get_subscription),
    Route("GET", "/tenants", "Microsoft.Resources/tenants/read", list_tenants),
    Route("GET", "/subscriptions/{subscription}/resources", "Microsoft.Resources/subscriptions/resources/read", list_resources),
    Route(
        "GET",
        "/subscriptions/{subscription}/resourceGroups/{group}/resources",
        "Microsoft.Resources/subscriptions/resourceGroups/resources/read",
        list_resources,
    ),
    Route("POST", ARG_PATH, "Microsoft.ResourceGraph/resources/read", query_resource_graph),
    Route("GET", "/{tenant}/v2.0/.well-known/openid-configuration", "entra/openid-configuration", openid_configuration),
    Route("POST", "/{tenant}/oauth2/v2.0/token", "entra/token", issue_token),
    Route("POST", "/v1.0/$batch", "graph/$batch", graph_batch),
    Route("POST", "/beta/$batch", "graph/$batch", graph_batch),
    Route("GET", "/v1.0/{path*}", lambda call: f"graph/{call.params['path'].strip('/')}", graph_get),
    Route("GET", "/beta/{path*}", lambda call: f"graph/{call.params['path'].strip('/')}", graph_get),
    Route("GET", "/devops/{path*}", lambda call: f"devops/{call.params['path'].strip('/')}", devops_get),
    Route("GET", "/vsrm/{path*}", lambda call: f"vsrm/{call.params['path'].strip('/')}", devops_get),
    Route("POST", "/acr/{registry}/oauth2/exchange", "acr/oauth2/exchange", acr_exchange),
    Route("POST", "/acr/{registry}/oauth2/token", "acr/oauth2/token", acr_token),
    Route("GET", "/acr/{registry}/acr/v1/_catalog", "Microsoft.ContainerRegistry/registries/catalog/read", acr_catalog),
    Route("GET", "/acr/{registry}/acr/v1/{name*}/_tags", "Microsoft.ContainerRegistry/registries/repositories/metadata/read", acr_tags),
    Route("GET", "/acr/{registry}/acr/v1/{name*}", "Microsoft.ContainerRegistry/registries/repositories/metadata/read", acr_repository),
    *BLOB_ROUTES,  # Blob Storage objects under /blob: where shards write snapshots (az://)
    Route("GET", "/{path*}", lambda call: f"{arm_type_of(call.path)}/read", get_by_path),
]


def _is_graph(call: Call) -> bool:
    return call.path.lower().startswith(("/v1.0/", "/beta/"))


def _is_acr(call: Call) -> bool:
    return call.path.lower().startswith("/acr/")


class Azure(Provider):
    name = "azure"
    tls = True  # azure-core refuses bearer tokens over http
    estate_model = AzureEstate
    errors = ARM_ERRORS
    routes = ROUTES

    def __init__(self, token: str | None = None):
        self.token = token or secrets.token_urlsafe(24)

    def index(self, estate: EstateBase) -> AzureState:
        assert isinstance(estate, AzureEstate)
        return build_state(estate, self.token)

    def error_table(self, call: Call) -> dict[str, tuple[int, str]]:
        if _is_acr(call):
            return ACR_ERRORS
        if _is_graph(call):
            return GRAPH_ERRORS
        return RESOURCE_GRAPH_ERRORS if call.path.lower() == ARG_PATH.lower() else ARM_ERRORS

    def error_body(self, call: Call, status: int, code: str, message: str) -> Any:
        if call.operation.startswith("entra/"):
            return {"error": code, "error_description": message}
        if _is_acr(call):
            return {"errors": [{"code": code, "message": message, "detail": None}]}
        if _is_graph(call):
            return {"error": {"code": code, "message": message, "innerError": {"request-id": secrets.token_hex(8)}}}
        if code == "InvalidQuery":
            return {
                "error": {
                    "code": "BadRequest",
                    "message": "Please provide below info when asking for support: timestamp and correlationId.",
                    "details": [{"code": "InvalidQuery", "message": message}],
                }
            }
        return {"error": {"code": code, "message": message}}

    def throttled(self, call: Call, throttle: Any) -> Reply:
        reply = super().throttled(call, throttle)
        if call.path.lower() == ARG_PATH.lower():
            reply.headers["x-ms-user-quota-remaining"] = "0"
            reply.headers["x-ms-user-quota-resets-after"] = f"00:00:{int(throttle.retry_after):02d}"
        return reply

    def authenticate(self, call: Call) -> str | None:
        if call.operation.startswith(("entra/", "acr/oauth2/")):
            return None  # the token services are how a client gets its bearer token
        if _is_acr(call):  # a registry's data plane takes the access token it issued, for itself
            header = call.headers.get("Authorization") or ""
            token = header[len("Bearer ") :].strip() if header.startswith("Bearer ") else ""
            if _state(call).acr_tokens.get(token) != call.params.get("registry", "").lower() or not token.startswith("acr-access-"):
                return "authentication required, visit https://aka.ms/acr/authorization for more information."
            return None
        header = call.headers.get("Authorization") or ""
        if not header.startswith("Bearer "):
            return "Authentication failed. The 'Authorization' header is missing or is not a Bearer token."
        if not secrets.compare_digest(header[len("Bearer ") :].strip(), self.token):
            return "Authentication failed. The access token is not the one the emulator printed (AZURE_ACCESS_TOKEN)."
        return None

    def scope_of(self, call: Call) -> str | list[str]:
        if _is_graph(call):
            return "/" + call.path.split("/", 2)[2]
        if _is_acr(call):  # a deny fault names the registry by its resource id (or the path)
            registry = _state(call).login_servers.get(call.params.get("registry", "").lower())
            return [registry["id"], call.path] if registry else call.path
        return unquote(call.path)  # a deny fault names the scope as the estate writes it

    def settings(self, emulator: Emulator) -> dict[str, str]:
        ca = str(emulator.ca_path)
        return {
            "AZURE_ACCESS_TOKEN": self.token,
            "CMM_SCAN_AZURE_ENDPOINT": emulator.url,
            "CMM_SCAN_GRAPH_ENDPOINT": emulator.url,
            "CMM_SCAN_DEVOPS_ENDPOINT": f"{emulator.url}/devops",  # Azure DevOps (dev.azure.com)
            "CMM_SCAN_DEVOPS_RELEASE_ENDPOINT": f"{emulator.url}/vsrm",  # classic releases (vsrm.dev.azure.com)
            "CMM_SCAN_AZURE_BLOB_ENDPOINT": f"{emulator.url}/blob",  # az:// snapshot storage (emulate/objects.py)
            "CMM_SCAN_ACR_ENDPOINT": f"{emulator.url}/acr/{{registry}}",  # each registry's data plane (its login server)
            "REQUESTS_CA_BUNDLE": ca,
            "SSL_CERT_FILE": ca,
        }


def provider() -> Azure:
    return Azure()
