"""GCP: Cloud Asset Inventory, Resource Manager v3 and any Google REST list/get, from one estate, over http.

The estate (docs/emulator.md) holds Cloud Asset Inventory assets as `ListAssets` returns them
(`name`, `assetType`, `ancestors`, `resource`, `iamPolicy`, `orgPolicy`...) and, under `rest:`,
any other Google REST collection or object by its path. Search results, asset lists per content
type, Resource Manager projects/folders/organizations and `:getIamPolicy` are derived from the
assets. One base URL serves every Google API (routing is on the path). Credentials: a throwaway
service-account key whose `token_uri` is this server, so Application Default Credentials work
unchanged; requests must carry the token it issues or a JWT self-signed with that key.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

from cmm_scan.emulate.core import (
    BodyTokenPaging,
    Call,
    Emulator,
    EstateBase,
    Problem,
    Provider,
    Reply,
    Route,
    decode_token,
    encode_token,
    page_size,
    window,
)
from cmm_scan.emulate.objects import GCS_ROUTES

PROJECT_TYPE = "cloudresourcemanager.googleapis.com/Project"
FOLDER_TYPE = "cloudresourcemanager.googleapis.com/Folder"
ORGANIZATION_TYPE = "cloudresourcemanager.googleapis.com/Organization"
CONTENT_TYPES = {"0": "", "1": "RESOURCE", "2": "IAM_POLICY", "4": "ORG_POLICY", "5": "ACCESS_POLICY"}
CONTENT_KEYS = {"RESOURCE": "resource", "IAM_POLICY": "iamPolicy", "ORG_POLICY": "orgPolicy", "ACCESS_POLICY": "accessPolicy"}


# --- the estate ------------------------------------------------------------------------------


class Asset(BaseModel):
    """A Cloud Asset Inventory asset as ListAssets returns it; keys beyond these are served as written."""

    model_config = ConfigDict(extra="allow")

    name: str
    assetType: str
    ancestors: list[str] = Field(min_length=1)

    @field_validator("name")
    @classmethod
    def _full_resource_name(cls, value: str) -> str:
        if not value.startswith("//"):
            raise ValueError("an asset name is a full resource name, like //compute.googleapis.com/projects/p/zones/z/instances/vm")
        return value

    @field_validator("ancestors")
    @classmethod
    def _ancestor_names(cls, value: list[str]) -> list[str]:
        for name in value:
            if not re.fullmatch(r"(projects|folders|organizations)/[^/]+", name):
                raise ValueError(f"ancestor {name!r} is not projects/N, folders/N or organizations/N")
        return value


class DisabledApi(BaseModel):
    """An API that is not enabled: its requests in these projects get 403 PERMISSION_DENIED, reason SERVICE_DISABLED."""

    model_config = ConfigDict(extra="forbid")

    service: str = Field(description="e.g. cloudbuild.googleapis.com (data/gcp-services.yaml says which paths are whose)")
    projects: list[str] = Field(default_factory=list, description="project ids or numbers; empty = every project")


class GcpEstate(EstateBase):
    provider: Literal["gcp"]
    assets: list[Asset] = Field(default_factory=list)
    disabled_apis: list[DisabledApi] = Field(default_factory=list)
    rest: dict[str, list[dict[str, Any]] | dict[str, Any]] = Field(
        default_factory=dict,
        description="any other Google REST path (with its version, e.g. v1/billingAccounts/X/budgets) → a collection or an object",
    )
    log_entries: list[dict[str, Any]] = Field(
        default_factory=list,
        description="Cloud Logging entries (LogEntry JSON: logName projects/<id>/logs/..., timestamp, protoPayload): POST /v2/entries:list",
    )

    @field_validator("assets", "rest", "log_entries", mode="before")
    @classmethod
    def _timestamps_as_written(cls, value: Any) -> Any:
        """An unquoted YAML timestamp (`createTime: 2026-01-01T00:00:00Z`) loads as a datetime: served as the RFC 3339
        text Google writes, not left for the JSON encoder to refuse (a dropped connection, for every request)."""
        return _rfc3339(value)


def _rfc3339(value: Any) -> Any:
    if isinstance(value, datetime):
        # YAML reads a timestamp without an offset as UTC
        utc = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
        return utc.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _rfc3339(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rfc3339(v) for v in value]
    return value


# --- derived views ---------------------------------------------------------------------------


@dataclass
class GcpState:
    estate: GcpEstate
    assets: list[dict[str, Any]] = field(default_factory=list)
    project_ids: dict[str, str] = field(default_factory=dict)  # projects/<id> → projects/<number>
    project_names: dict[str, str] = field(default_factory=dict)  # projects/<number> → projects/<id>
    rest: dict[str, Any] = field(default_factory=dict)
    ancestors: dict[str, list[str]] = field(default_factory=dict)  # a project, folder or organization → its ancestors
    results: list[tuple[dict[str, Any], dict[str, Any]]] | None = None  # (asset, its search result), derived once

    def search_results(self) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        if self.results is None:
            self.results = [(a, search_result(a)) for a in self.assets if a.get("resource") is not None]
        return self.results

    def canonical(self, scope: str) -> str:
        """projects/<id> → projects/<number>; other scopes unchanged."""
        return self.project_ids.get(scope.lower(), scope)

    def names_of(self, scope: str) -> list[str]:
        canonical = self.canonical(scope)
        alias = self.project_names.get(canonical)
        return [canonical, alias] if alias else [canonical]

    def in_scope(self, asset: dict[str, Any], scope: str) -> bool:
        return self.canonical(scope) in asset["ancestors"]


def build_state(estate: GcpEstate) -> GcpState:
    state = GcpState(estate)
    for asset in estate.assets:
        served = asset.model_dump(exclude_unset=True)
        served.setdefault("updateTime", "2026-01-01T00:00:00Z")
        state.assets.append(served)
        if asset.assetType in (PROJECT_TYPE, FOLDER_TYPE, ORGANIZATION_TYPE):
            state.ancestors[asset.ancestors[0]] = asset.ancestors
        if asset.assetType == PROJECT_TYPE:
            number = asset.ancestors[0]
            project_id = _data(served).get("projectId")
            if project_id:
                state.project_ids[f"projects/{project_id}".lower()] = number
                state.project_names[number] = f"projects/{project_id}"
    state.rest = {key.strip("/"): value for key, value in estate.rest.items()}
    return state


def _data(asset: dict[str, Any]) -> dict[str, Any]:
    return (asset.get("resource") or {}).get("data") or {}


def _first(ancestors: list[str], kind: str) -> str:
    return next((a for a in ancestors if a.startswith(kind + "/")), "")


def search_result(asset: dict[str, Any]) -> dict[str, Any]:
    """A ResourceSearchResult derived from an asset."""
    data, resource = _data(asset), asset.get("resource") or {}
    name = asset["name"]
    display = data.get("displayName") or (data.get("name") if isinstance(data.get("name"), str) and "/" not in data["name"] else None)
    result = {
        "name": name,
        "assetType": asset["assetType"],
        "project": _first(asset["ancestors"], "projects"),
        "folders": [a for a in asset["ancestors"] if a.startswith("folders/")],
        "organization": _first(asset["ancestors"], "organizations"),
        "displayName": display or name.rsplit("/", 1)[-1],
        "description": data.get("description", ""),
        "location": resource.get("location", "global"),
        "labels": data.get("labels") or {},
        "state": data.get("status") or data.get("state") or data.get("lifecycleState") or "",
        "createTime": data.get("creationTimestamp") or data.get("createTime"),
        "updateTime": asset.get("updateTime"),
        "parentFullResourceName": resource.get("parent", ""),
        "additionalAttributes": {},
    }
    return {k: v for k, v in result.items() if v not in (None, "", [], {})} | {"name": name, "assetType": asset["assetType"]}


# --- a small search-query subset -----------------------------------------------------------

_TERM = re.compile(r"(?P<field>[A-Za-z][\w.]*)(?P<op>[:=])(?P<value>\"[^\"]*\"|[^\s()]+)")


def _matches_query(result: dict[str, Any], query: str) -> bool:
    """`field:value` (contains, `*` wildcard) and `field=value` (exact) terms joined by AND; the
    emulator refuses anything else rather than answering a different question."""
    if not query.strip():
        return True
    for part in re.split(r"\s+(?:AND\s+)?", query.strip()):
        m = _TERM.fullmatch(part)
        if not m:
            raise Problem("bad_request", f"the emulator supports only 'field:value' and 'field=value' terms joined by AND, not {query!r}")
        wanted = m.group("value").strip('"').lower()
        value = result
        for key in m.group("field").split("."):
            value = value.get(key) if isinstance(value, dict) else None  # type: ignore[assignment]
        text = json.dumps(value).lower() if isinstance(value, dict | list) else str(value if value is not None else "").lower()
        if m.group("op") == "=":
            if text != wanted:
                return False
        elif not re.search(re.escape(wanted).replace(r"\*", ".*"), text):
            return False
    return True


def _type_filter(call: Call, name: str = "assetTypes") -> re.Pattern[str] | None:
    types = [t for value in call.values(name) for t in value.split(",") if t]
    return re.compile("|".join(f"(?:{t})" for t in types)) if types else None


# --- handlers --------------------------------------------------------------------------------


def _state(call: Call) -> GcpState:
    return call.state


def _hidden(call: Call, ancestors: list[str], operation: str) -> bool:
    state = _state(call)
    return any(call.denied(operation, name) for ancestor in ancestors for name in state.names_of(ancestor))


def _visible(call: Call, assets: list[dict[str, Any]], operation: str) -> list[dict[str, Any]]:
    """Assets outside denied scopes (a search over an organization leaves out what the caller may not see)."""
    return [a for a in assets if not _hidden(call, a["ancestors"], operation)]


def search_all_resources(call: Call) -> Reply:
    state, scope = _state(call), call.params["scope"]
    types = _type_filter(call)
    query, denies = call.query.get("query", ""), bool(call.faults.deny)
    wanted = state.canonical(scope)
    results = [
        result
        for asset, result in state.search_results()
        if wanted in asset["ancestors"]
        and (types is None or types.fullmatch(asset["assetType"]))
        and not (denies and _hidden(call, asset["ancestors"], call.operation))
        and _matches_query(result, query)
    ]
    return BodyTokenPaging(items_key="results").reply(call, results)


def search_all_iam_policies(call: Call) -> Reply:
    state, scope = _state(call), call.params["scope"]
    types = _type_filter(call)
    results = [
        {
            "resource": a["name"],
            "assetType": a["assetType"],
            "project": _first(a["ancestors"], "projects"),
            "folders": [x for x in a["ancestors"] if x.startswith("folders/")],
            "organization": _first(a["ancestors"], "organizations"),
            "policy": a["iamPolicy"],
        }
        for a in _visible(call, state.assets, call.operation)
        if state.in_scope(a, scope) and a.get("iamPolicy") and (types is None or types.fullmatch(a["assetType"]))
    ]
    results = [r for r in results if _matches_query(r, call.query.get("query", ""))]
    return BodyTokenPaging(items_key="results").reply(call, results)


def _content_type(call: Call) -> str:
    raw = call.query.get("contentType", "")
    kind = CONTENT_TYPES.get(raw, raw)
    if kind not in ("", "CONTENT_TYPE_UNSPECIFIED", *CONTENT_KEYS):
        raise Problem("bad_request", f"the emulator does not serve contentType {raw}")
    return kind if kind != "CONTENT_TYPE_UNSPECIFIED" else ""


def list_assets_operation(call: Call) -> str:
    kind = _content_type(call)
    return {"IAM_POLICY": "cloudasset.assets.listIamPolicy", "ORG_POLICY": "cloudasset.assets.listOrgPolicy"}.get(
        kind, "cloudasset.assets.listResource"
    )


def list_assets(call: Call) -> Reply:
    state, parent, kind = _state(call), call.params["parent"], _content_type(call)
    types = _type_filter(call)
    key = CONTENT_KEYS.get(kind)
    assets = []
    for asset in _visible(call, state.assets, call.operation):
        if not state.in_scope(asset, parent) or (types is not None and not types.fullmatch(asset["assetType"])):
            continue
        if key and not asset.get(key):
            continue
        shown = {k: v for k, v in asset.items() if k not in CONTENT_KEYS.values() or k == key}
        assets.append(shown)
    read_time = call.query.get("readTime") or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return BodyTokenPaging(items_key="assets").reply(call, assets, extra={"readTime": read_time})


def _container(asset: dict[str, Any]) -> dict[str, Any]:
    """A Resource Manager v3 Project, Folder or Organization derived from its asset."""
    data, ancestors = _data(asset), asset["ancestors"]
    state = data.get("state") or data.get("lifecycleState") or "ACTIVE"
    result: dict[str, Any] = {"name": ancestors[0], "state": state}
    if len(ancestors) > 1:
        result["parent"] = ancestors[1]
    if asset["assetType"] == PROJECT_TYPE:
        result |= {"projectId": data.get("projectId"), "displayName": data.get("displayName") or data.get("name")}
    else:
        result["displayName"] = data.get("displayName")
    if asset["assetType"] == ORGANIZATION_TYPE:
        result["directoryCustomerId"] = (data.get("owner") or {}).get("directoryCustomerId") or data.get("directoryCustomerId")
    for key in ("labels", "createTime", "etag"):
        if data.get(key):
            result[key] = data[key]
    return {k: v for k, v in result.items() if v is not None}


def _containers(call: Call, asset_type: str) -> list[dict[str, Any]]:
    assets = [a for a in _state(call).assets if a["assetType"] == asset_type]
    return [_container(a) for a in assets if not _hidden(call, a["ancestors"], call.operation)]


def search_projects(call: Call) -> Reply:
    projects = [p for p in _containers(call, PROJECT_TYPE) if _matches_query(_crm_fields(p), call.query.get("query", ""))]
    return BodyTokenPaging(items_key="projects").reply(call, projects)


def _crm_fields(container: dict[str, Any]) -> dict[str, Any]:
    """Resource Manager query fields: parent:folders/1, id:my-project, state:ACTIVE, displayName:x."""
    return {**container, "id": container.get("projectId") or container["name"].split("/", 1)[1]}


def list_projects(call: Call) -> Reply:
    parent = call.query.get("parent")
    if not parent:
        raise Problem("bad_request", "parent is required, like folders/123 or organizations/456")
    return BodyTokenPaging(items_key="projects").reply(call, [p for p in _containers(call, PROJECT_TYPE) if p.get("parent") == parent])


def list_folders(call: Call) -> Reply:
    parent = call.query.get("parent")
    if not parent:
        raise Problem("bad_request", "parent is required, like folders/123 or organizations/456")
    return BodyTokenPaging(items_key="folders").reply(call, [f for f in _containers(call, FOLDER_TYPE) if f.get("parent") == parent])


def search_folders(call: Call) -> Reply:
    folders = [f for f in _containers(call, FOLDER_TYPE) if _matches_query(f, call.query.get("query", ""))]
    return BodyTokenPaging(items_key="folders").reply(call, folders)


def search_organizations(call: Call) -> Reply:
    orgs = [o for o in _containers(call, ORGANIZATION_TYPE) if _matches_query(o, call.query.get("query", ""))]
    return BodyTokenPaging(items_key="organizations").reply(call, orgs)


def get_container(call: Call) -> Reply:
    kind = call.path.split("/")[2].lower()
    asset_type = {"projects": PROJECT_TYPE, "folders": FOLDER_TYPE, "organizations": ORGANIZATION_TYPE}[kind]
    wanted = _state(call).canonical(f"{kind}/{call.params['id']}")
    for container in _containers(call, asset_type):
        if container["name"] == wanted:
            return Reply(container)
    raise Problem("denied", f"Permission denied on resource '{kind}/{call.params['id']}' (or it may not exist).")


def get_iam_policy(call: Call) -> Reply:
    """`POST /v{n}/{resource}:getIamPolicy` from the asset of that resource."""
    state, resource = _state(call), call.params["resource"]
    wanted = state.canonical(resource)
    for asset in state.assets:
        if asset["name"].endswith("/" + wanted) and asset.get("iamPolicy") is not None:
            return Reply(asset["iamPolicy"])
    if any(a["name"].endswith("/" + wanted) for a in state.assets):
        return Reply({"etag": "ACAB"})  # a resource with no bindings
    raise Problem("denied", f"Permission denied on resource '{resource}' (or it may not exist).")


def list_log_entries(call: Call) -> Reply:
    """`POST /v2/entries:list`: the entries of the named projects (all refused if one is), narrowed by the filter's
    `logName` and `timestamp>=` terms, newest first, paged with pageSize/pageToken in the body."""
    state, body = _state(call), call.json() or {}
    projects = []
    for name in body.get("resourceNames") or []:
        canonical = state.canonical(str(name))
        if _hidden(call, state.ancestors.get(canonical, [canonical]), call.operation):
            raise Problem("denied", f"The caller does not have permission to read logs of '{name}'.")
        projects.append(state.project_names.get(canonical, canonical))
    text = str(body.get("filter") or "")
    since = re.search(r'timestamp\s*>=\s*"([^"]+)"', text)
    log = re.search(r'logName\s*[:=]\s*"([^"]+)"', text)
    found = [
        e
        for e in state.estate.log_entries
        if any(str(e.get("logName", "")).startswith(f"{p}/logs/") for p in projects)
        and (not since or _instant(e.get("timestamp")) >= _instant(since.group(1)))
        and (not log or str(e.get("logName", "")).endswith(log.group(1).rsplit("/logs/", 1)[-1]))
    ]
    found.sort(key=lambda e: _instant(e.get("timestamp")), reverse=True)
    chunk, nxt = window(found, decode_token(body.get("pageToken")), page_size(call, body.get("pageSize")))
    reply: dict[str, Any] = {"entries": chunk} if chunk else {}
    if nxt is not None:
        reply["nextPageToken"] = encode_token(nxt)
    return Reply(reply)


def _instant(text: Any) -> datetime:
    """An RFC 3339 timestamp as the instant it names (offsets and nanoseconds as Google writes them); none or
    unreadable: the earliest, so the entry sorts last and falls outside any window."""
    try:
        when = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def iam_operation(call: Call) -> str:
    kind = call.params["resource"].split("/")[0]
    service = "resourcemanager." if kind in ("projects", "folders", "organizations") else ""
    return f"{service}{kind}.getIamPolicy"


def rest_operation(call: Call) -> str:
    path = call.path.strip("/")
    return f"{'list' if isinstance(_state(call).rest.get(path), list) else 'get'} {path}"


def rest_get(call: Call) -> Reply:
    """Any other Google REST path: a collection (paged, items under its last path segment) or an object."""
    state, path = _state(call), call.path.strip("/")
    if path in state.rest:
        value = state.rest[path]
        if isinstance(value, list):
            return BodyTokenPaging(items_key=path.rsplit("/", 1)[-1]).reply(call, value)
        return Reply(value)
    parent, _, item = path.rpartition("/")
    collection = state.rest.get(parent)
    if isinstance(collection, list):
        for obj in collection:
            if str(obj.get("name", "")).rsplit("/", 1)[-1] == item or obj.get("id") == item:
                return Reply(obj)
        raise Problem("not_found", f"{path} was not found.")
    service = service_of(call.path)
    if service in _directory_services() and not any(service_of("/" + p) == service for p in state.rest):
        # an estate that describes nothing of the directory: the caller holds no directory admin role, as most do
        raise Problem("denied", f"Not Authorized to access this resource/api: {service} needs a directory admin role.")
    if service and _is_collection(path):
        return BodyTokenPaging(items_key=path.rsplit("/", 1)[-1]).reply(call, [])  # a list of a known API not in the estate is empty
    raise Problem("unrouted", f"The emulator serves nothing at {call.path}; add it to the estate's rest: section.")


@cache
def _service_routes() -> list[tuple[str, re.Pattern[str]]]:
    data = yaml.safe_load((Path(__file__).parent / "data" / "gcp-services.yaml").read_text(encoding="utf-8"))
    return [(service, re.compile(pattern)) for service, patterns in data["services"].items() for pattern in patterns]


@cache
def _directory_services() -> frozenset[str]:
    data = yaml.safe_load((Path(__file__).parent / "data" / "gcp-services.yaml").read_text(encoding="utf-8"))
    return frozenset(data.get("directory") or [])


def service_of(path: str) -> str:
    """The Google API a path belongs to (one base URL serves them all), '' when unknown."""
    path = "/" + path.lstrip("/")
    return next((service for service, pattern in _service_routes() if pattern.match(path)), "")


def _is_collection(path: str) -> bool:
    """v3/projects/p/alertPolicies is a list; v3/projects/p/alertPolicies/1 is one item (collection ids alternate)."""
    segments = [s for s in path.strip("/").split("/") if s][1:]  # after the version
    return bool(segments) and len(segments) % 2 == 1 and ":" not in segments[-1]


def disabled_api(call: Call) -> Reply | None:
    """SERVICE_DISABLED, as Google answers a request to an API not enabled in the path's project."""
    state, service = _state(call), service_of(call.path)
    for disabled in state.estate.disabled_apis:
        if disabled.service != service:
            continue
        for match in re.finditer(r"projects/([^/:]+)", call.path):
            number = state.canonical(f"projects/{match.group(1)}")
            if disabled.projects and number not in {state.canonical(f"projects/{p.removeprefix('projects/')}") for p in disabled.projects}:
                continue
            digits = number.removeprefix("projects/")
            message = (
                f"{service} has not been used in project {digits} before or it is disabled. Enable it by visiting "
                f"https://console.developers.google.com/apis/api/{service}/overview?project={digits} then retry."
            )
            info = {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "SERVICE_DISABLED",
                "domain": "googleapis.com",
                "metadata": {"consumer": number, "service": service},
            }
            return Reply({"error": {"code": 403, "message": message, "status": "PERMISSION_DENIED", "details": [info]}}, 403)
    return None


def _unless_disabled(handler: Any) -> Any:
    def serve(call: Call) -> Reply:
        return disabled_api(call) or handler(call)

    return serve


# --- credentials -----------------------------------------------------------------------------


def issue_token(call: Call) -> Reply:
    from urllib.parse import parse_qsl

    provider: Gcp = call.emulator.provider  # type: ignore[assignment]
    form = dict(parse_qsl(call.raw_body.decode("utf-8", "replace")))
    if not provider.signed_by_key(form.get("assertion", "")):
        raise Problem("unauthenticated", "invalid_grant: the assertion is not signed with the emulator's service-account key")
    return Reply({"access_token": provider.token, "expires_in": 3599, "token_type": "Bearer"})


# --- the provider ---------------------------------------------------------------------------

ROUTES: list[Route] = [  # data: method, path template, operation (the IAM permission it needs), handler
    Route("POST", "/token", "oauth2/token", issue_token),
    Route("GET", "/v1/{scope*}:searchAllResources", "cloudasset.assets.searchAllResources", search_all_resources),
    Route("GET", "/v1/{scope*}:searchAllIamPolicies", "cloudasset.assets.searchAllIamPolicies", search_all_iam_policies),
    Route("GET", "/v1/{parent*}/assets", list_assets_operation, list_assets),
    Route("GET", "/v3/projects:search", "resourcemanager.projects.get", search_projects),
    Route("GET", "/v3/projects", "resourcemanager.projects.list", list_projects),
    Route("GET", "/v3/folders:search", "resourcemanager.folders.get", search_folders),
    Route("GET", "/v3/folders", "resourcemanager.folders.list", list_folders),
    Route("GET", "/v3/organizations:search", "resourcemanager.organizations.get", search_organizations),
    Route("GET", "/v3/projects/{id}", "resourcemanager.projects.get", get_container),
    Route("GET", "/v3/folders/{id}", "resourcemanager.folders.get", get_container),
    Route("GET", "/v3/organizations/{id}", "resourcemanager.organizations.get", get_container),
    Route("POST", "/v2/entries:list", "logging.logEntries.list", list_log_entries),
    Route("POST", "/{version}/{resource*}:getIamPolicy", iam_operation, get_iam_policy),
    *GCS_ROUTES,  # Cloud Storage objects: where shards write snapshots (gs://)
    Route("GET", "/{path*}", rest_operation, rest_get),
]
for _route in ROUTES[1:]:  # every API but the token endpoint answers SERVICE_DISABLED for `disabled_apis`
    _route.handler = _unless_disabled(_route.handler)

ERRORS = {
    "bad_request": (400, "INVALID_ARGUMENT"),
    "unauthenticated": (401, "UNAUTHENTICATED"),
    "denied": (403, "PERMISSION_DENIED"),
    "not_found": (404, "NOT_FOUND"),
    "unrouted": (404, "NOT_FOUND"),
    "throttled": (429, "RESOURCE_EXHAUSTED"),
    "failed": (500, "INTERNAL"),
}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Gcp(Provider):
    name = "gcp"
    tls = False  # the REST transport and google-auth accept plain http
    estate_model = GcpEstate
    errors = ERRORS
    routes = ROUTES

    def __init__(self) -> None:
        from cryptography.hazmat.primitives.asymmetric import rsa

        self.token = "ya29.emulator-" + secrets.token_urlsafe(24)
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.client_email = "cmm-scan-emulator@emulator-project.iam.gserviceaccount.com"

    def index(self, estate: EstateBase) -> GcpState:
        assert isinstance(estate, GcpEstate)
        return build_state(estate)

    def error_body(self, call: Call, status: int, code: str, message: str) -> Any:
        if call.operation == "oauth2/token":
            return {"error": "invalid_grant", "error_description": message}
        return {"error": {"code": status, "message": message, "status": code}}

    def authenticate(self, call: Call) -> str | None:
        if call.operation == "oauth2/token":
            return None
        header = call.headers.get("Authorization") or ""
        if not header.startswith("Bearer "):
            return "Request is missing required authentication credential. Expected OAuth 2 access token."
        token = header[len("Bearer ") :].strip()
        if secrets.compare_digest(token, self.token) or self.signed_by_key(token):
            return None
        return "Request had invalid authentication credentials: not a token the emulator issued."

    def signed_by_key(self, jwt: str) -> bool:
        """A JWT signed (RS256) by the throwaway service-account key, not expired."""
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        parts = jwt.split(".")
        if len(parts) != 3:
            return False
        try:
            self.key.public_key().verify(_unb64(parts[2]), f"{parts[0]}.{parts[1]}".encode(), padding.PKCS1v15(), hashes.SHA256())
            claims = json.loads(_unb64(parts[1]))
        except (InvalidSignature, ValueError):
            return False
        return claims.get("iss") == self.client_email and float(claims.get("exp", 0)) > time.time()

    def scope_of(self, call: Call) -> list[str]:
        """The project, folder or organization a request is about (a project by number and id)."""
        target = call.params.get("scope") or call.params.get("parent") or call.params.get("resource") or call.path.strip("/")
        m = re.search(r"(?:^|/)((?:projects|folders|organizations)/[^/:]+)", target)
        if not m:
            return [target]
        state = _state(call)
        above = state.ancestors.get(state.canonical(m.group(1)), [])
        return [*state.names_of(m.group(1)), *(name for ancestor in above[1:] for name in state.names_of(ancestor))]

    def prepare(self, emulator: Emulator, workdir: Path) -> None:
        from cryptography.hazmat.primitives import serialization

        pem = self.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        key_file = {
            "type": "service_account",
            "project_id": "emulator-project",
            "private_key_id": secrets.token_hex(20),
            "private_key": pem.decode(),
            "client_email": self.client_email,
            "client_id": "100000000000000000001",
            "auth_uri": f"{emulator.url}/auth",
            "token_uri": f"{emulator.url}/token",
            "universe_domain": "googleapis.com",
        }
        self.key_path = workdir / "service-account.json"
        self.key_path.write_text(json.dumps(key_file, indent=2))
        self.key_path.chmod(0o600)

    def settings(self, emulator: Emulator) -> dict[str, str]:
        return {"GOOGLE_APPLICATION_CREDENTIALS": str(self.key_path), "CMM_SCAN_GCP_ENDPOINT": emulator.url}


def provider() -> Gcp:
    return Gcp()
