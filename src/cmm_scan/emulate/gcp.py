"""The GCP part of the emulator: an estate of Cloud Asset Inventory assets served as Google's REST APIs.

An estate is written once, in Google's own shapes (docs/emulator.md, fixtures/emulator/gcp-example.yaml):
the organisation, folders and projects as Resource Manager v3 returns them, and `assets` as Cloud
Asset Inventory's `listAssets` returns them (`name`, `assetType`, `resource.data`, `iamPolicy`,
`orgPolicy`). Every view is derived from those: CAI `searchAllResources`, `searchAllIamPolicies`,
`{parent}/assets` for RESOURCE / IAM_POLICY / ORG_POLICY, Resource Manager's projects, folders and
organisations. Any other REST list or get (budgets, sinks, alert policies, Cloud Build…) is served
from `rest:` by path, so a service is added as estate data, not code; `gcp_routes.yaml` says which
API a path belongs to (for SERVICE_DISABLED).

One base URL serves every API (routing on the path). The OAuth token endpoint (`POST /token`)
answers any signed assertion, so the throwaway service-account key written at start-up (its
`token_uri` points here) makes Application Default Credentials work unchanged. Printed settings:
GOOGLE_APPLICATION_CREDENTIALS and CMM_SCAN_GCP_ENDPOINT.

Faults: the core's deny/throttle/fail (deny `scope` names `projects/<projectId>`, `folders/<n>` or
`organizations/<n>`; operations are IAM permission names such as
`cloudasset.assets.searchAllResources`, or `<api>:GET <path>` for `rest:` reads), plus
`disabled_apis` (403 PERMISSION_DENIED with ErrorInfo reason SERVICE_DISABLED, as Google answers).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

from cmm_scan.emulate.core import BodyTokenPaging, Call, Emulator, EstateBase, Problem, Provider, Reply, Route

ACCESS_TOKEN = "cmm-scan-emulator-token"
CONTENT_TYPES = {"0": "", "1": "RESOURCE", "2": "IAM_POLICY", "4": "ORG_POLICY"}


# --- the estate ------------------------------------------------------------------------


class _Envelope(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _ApiObject(BaseModel):
    """An object in Google's own shape: the keys we route on are checked, the rest passed through."""

    model_config = ConfigDict(extra="allow")
    name: str


class Organization(_ApiObject):
    displayName: str = ""
    state: str = "ACTIVE"

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return _check_name(value, "organizations/")


class Folder(_ApiObject):
    parent: str
    displayName: str = ""
    state: str = "ACTIVE"

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return _check_name(value, "folders/")


class Project(_ApiObject):
    projectId: str
    parent: str = ""
    displayName: str = ""
    state: str = "ACTIVE"

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return _check_name(value, "projects/")


class Asset(_Envelope):
    """One Cloud Asset Inventory asset, as `listAssets` returns it."""

    name: str = Field(description="full resource name, e.g. //compute.googleapis.com/projects/p/zones/z/instances/i")
    assetType: str
    resource: dict[str, Any] | None = None
    iamPolicy: dict[str, Any] | None = None
    orgPolicy: list[dict[str, Any]] | None = None
    ancestors: list[str] | None = Field(default=None, description="derived from resource.parent or the name when omitted")
    updateTime: str | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not value.startswith("//"):
            raise ValueError("a full resource name starts with //<api>.googleapis.com/")
        return value


class Disabled(_Envelope):
    """An API that is not enabled: requests for it in these projects get SERVICE_DISABLED."""

    service: str
    projects: list[str] = Field(default_factory=list, description="project ids or numbers; empty = every project")


class GcpEstate(EstateBase):
    provider: Literal["gcp"] = "gcp"
    organization: Organization | None = None
    folders: list[Folder] = Field(default_factory=list)
    projects: list[Project] = Field(default_factory=list)
    assets: list[Asset] = Field(default_factory=list)
    rest: dict[str, Any] = Field(default_factory=dict, description="path (optionally ?query) -> response body")
    disabled_apis: list[Disabled] = Field(default_factory=list, description="APIs not enabled: SERVICE_DISABLED")


def _check_name(value: str, prefix: str) -> str:
    if not value.startswith(prefix) or len(value) == len(prefix):
        raise ValueError(f"expected '{prefix}<id>'")
    return value


@cache
def service_routes() -> list[tuple[str, re.Pattern[str]]]:
    data = yaml.safe_load((Path(__file__).parent / "data" / "gcp-services.yaml").read_text(encoding="utf-8"))
    return [(service, re.compile(pattern)) for service, patterns in data["services"].items() for pattern in patterns]


def service_of(path: str) -> str:
    """The Google API a path belongs to (one base URL serves them all), '' when unknown."""
    return next((service for service, pattern in service_routes() if pattern.match(path)), "")


# --- the index handlers read (Call.state) -------------------------------------------------


class GcpState:
    """Derived views of one estate, built once per load."""

    def __init__(self, estate: GcpEstate):
        self.estate = estate
        self.projects = {p.name: p for p in estate.projects}
        self.project_by_id = {p.projectId: p for p in estate.projects}
        self.folders = {f.name: f for f in estate.folders}
        self.ancestry = {a.name: (a.ancestors or self._ancestors_of(a)) for a in estate.assets}

    def project(self, ref: str) -> Project | None:
        """`projects/1001`, `projects/prod-app`, `1001` or `prod-app`."""
        key = ref.removeprefix("projects/")
        return self.projects.get(f"projects/{key}") or self.project_by_id.get(key)

    def chain(self, parent: str) -> list[str]:
        """A container and its ancestors, nearest first."""
        out: list[str] = []
        while parent and parent not in out:
            out.append(parent)
            folder = self.folders.get(parent)
            parent = folder.parent if folder else ""
        return out

    def _ancestors_of(self, asset: Asset) -> list[str]:
        parent = str((asset.resource or {}).get("parent", ""))
        for text in (parent, asset.name):
            match = re.search(r"/(projects|folders|organizations)/([^/]+)", text)
            if not match:
                continue
            kind, ident = match.groups()
            if kind == "projects":
                project = self.project(ident)
                return [project.name, *self.chain(project.parent)] if project else [f"projects/{ident}"]
            return self.chain(f"{kind}/{ident}")
        return []

    def in_scope(self, asset: Asset, scope: str) -> bool:
        ancestors = self.ancestry[asset.name]
        if scope.startswith("projects/"):
            project = self.project(scope)
            return (project.name if project else scope) in ancestors
        return scope in ancestors

    def canonical(self, scope: str) -> str:
        """projects/<number> → projects/<projectId>: deny faults name projects by id."""
        if scope.startswith("projects/"):
            project = self.project(scope)
            return f"projects/{project.projectId}" if project else scope
        return scope

    def search_result(self, asset: Asset) -> dict[str, Any]:
        resource = asset.resource or {}
        data = resource.get("data") or {}
        ancestors = self.ancestry[asset.name]
        result: dict[str, Any] = {
            "name": asset.name,
            "assetType": asset.assetType,
            "displayName": data.get("displayName") or str(data.get("name", asset.name)).rsplit("/", 1)[-1],
        }
        project = next((a for a in ancestors if a.startswith("projects/")), None)
        folders = [a for a in ancestors if a.startswith("folders/")]
        org = next((a for a in ancestors if a.startswith("organizations/")), None)
        optional = {
            "project": project,
            "folders": folders,
            "organization": org,
            "location": resource.get("location"),
            "labels": data.get("labels"),
            "state": data.get("state") or data.get("status"),
            "createTime": data.get("createTime") or data.get("creationTimestamp") or data.get("timeCreated"),
            "updateTime": asset.updateTime,
            "parentFullResourceName": resource.get("parent"),
        }
        result.update({k: v for k, v in optional.items() if v})
        return result


def _state(call: Call) -> GcpState:
    return call.state  # type: ignore[no-any-return]


# --- Cloud Asset Inventory ---------------------------------------------------------------


def search_resources(call: Call) -> Reply:
    state, scope = _state(call), call.params["scope"]
    wanted = _type_filter(_all(call, "assetTypes"))
    match = _query(call.query.get("query", ""), _RESOURCE_FIELDS)
    results = []
    for asset in state.estate.assets:
        if asset.resource is None or not wanted(asset.assetType) or not state.in_scope(asset, scope):
            continue
        result = state.search_result(asset)
        if match(result):
            results.append(result)
    return _paged(call, "results", results, 500)


def search_iam_policies(call: Call) -> Reply:
    state, scope = _state(call), call.params["scope"]
    wanted = _type_filter(_all(call, "assetTypes"))
    text = call.query.get("query", "").strip()
    if text and not text.startswith("policy:"):
        raise Problem("bad_request", f"the emulator's query subset is 'policy:TEXT', not {text!r}")
    needle = text.removeprefix("policy:").strip('"')
    results = []
    for asset in state.estate.assets:
        if asset.iamPolicy is None or not wanted(asset.assetType) or not state.in_scope(asset, scope):
            continue
        if needle and needle not in json.dumps(asset.iamPolicy):
            continue
        base = state.search_result(asset)
        result = {"resource": asset.name, "assetType": asset.assetType, "policy": asset.iamPolicy}
        result.update({k: base[k] for k in ("project", "folders", "organization") if k in base})
        results.append(result)
    return _paged(call, "results", results, 500)


def list_assets(call: Call) -> Reply:
    state, parent = _state(call), call.params["parent"]
    content = _content_type(call)
    if content not in ("", "RESOURCE", "IAM_POLICY", "ORG_POLICY"):
        raise Problem("bad_request", f"the emulator serves contentType RESOURCE, IAM_POLICY or ORG_POLICY, not {content}")
    wanted = _type_filter(_all(call, "assetTypes"))
    key = {"RESOURCE": "resource", "IAM_POLICY": "iamPolicy", "ORG_POLICY": "orgPolicy"}.get(content)
    assets = []
    for asset in state.estate.assets:
        if not wanted(asset.assetType) or not state.in_scope(asset, parent):
            continue
        if key and getattr(asset, key) is None:
            continue
        item: dict[str, Any] = {"name": asset.name, "assetType": asset.assetType, "ancestors": state.ancestry[asset.name]}
        if key:
            item[key] = getattr(asset, key)
        if asset.updateTime:
            item["updateTime"] = asset.updateTime
        assets.append(item)
    return _paged(call, "assets", assets, 1000, {"readTime": _now()})


def _content_type(call: Call) -> str:
    value = call.query.get("contentType", "")
    return CONTENT_TYPES.get(value, value)


def _list_assets_operation(call: Call) -> str:
    permission = {"RESOURCE": "listResource", "IAM_POLICY": "listIamPolicy", "ORG_POLICY": "listOrgPolicy"}
    return f"cloudasset.assets.{permission.get(_content_type(call), 'listResource')}"


# --- Resource Manager v3 -------------------------------------------------------------------


def projects_search(call: Call) -> Reply:
    fields = {"parent": "parent", "state": "state", "id": "projectId", "projectId": "projectId", "displayName": "displayName"}
    match = _query(call.query.get("query", ""), fields)
    visible = [
        p.model_dump() for p in _state(call).estate.projects if not call.denied("resourcemanager.projects.get", f"projects/{p.projectId}")
    ]
    return _paged(call, "projects", [p for p in visible if match(p)], 500)


def projects_list(call: Call) -> Reply:
    parent = _required(call, "parent")
    shown = call.query.get("showDeleted") == "true"
    items = [p.model_dump() for p in _state(call).estate.projects if p.parent == parent and (shown or p.state == "ACTIVE")]
    return _paged(call, "projects", items, 500)


def folders_list(call: Call) -> Reply:
    parent = _required(call, "parent")
    return _paged(call, "folders", [f.model_dump() for f in _state(call).estate.folders if f.parent == parent], 500)


def folders_search(call: Call) -> Reply:
    match = _query(call.query.get("query", ""), {"parent": "parent", "state": "state", "displayName": "displayName"})
    return _paged(call, "folders", [f.model_dump() for f in _state(call).estate.folders if match(f.model_dump())], 500)


def organizations_search(call: Call) -> Reply:
    org = _state(call).estate.organization
    return _paged(call, "organizations", [org.model_dump()] if org else [], 500)


def get_container(call: Call) -> Reply:
    state, kind, ident = _state(call), call.params["kind"], call.params["id"]
    found: BaseModel | None = {
        "projects": lambda: state.project(ident),
        "folders": lambda: state.folders.get(f"folders/{ident}"),
        "organizations": lambda: (
            state.estate.organization if state.estate.organization and state.estate.organization.name == f"organizations/{ident}" else None
        ),
    }[kind.lower()]()
    if found is None:
        raise Problem("denied", f"Permission denied on resource '{kind}/{ident}' (or it may not exist).")
    return Reply(found.model_dump())


# --- tokens ----------------------------------------------------------------------------------


def token(call: Call) -> Reply:
    return Reply({"access_token": ACCESS_TOKEN, "expires_in": 3600, "token_type": "Bearer"})


def generate_access_token(call: Call) -> Reply:
    expiry = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return Reply({"accessToken": ACCESS_TOKEN, "expireTime": expiry})


# --- any other REST read, from `rest:` ------------------------------------------------------


def rest_get(call: Call) -> Reply:
    path = call.path
    body = _rest_body(call, path)
    if body is None and service_of(path) and _is_collection(path):
        body = {}  # a list the estate does not mention is empty, as Google answers (proto3 JSON leaves empty lists out)
    if body is None:
        raise Problem("not_found", f"{path} is not in the estate")
    if not isinstance(body, dict):
        raise Problem("bad_request", f"the estate's rest entry for {path} is not an object")
    lists = [k for k, v in body.items() if isinstance(v, list)]
    if len(lists) == 1:
        rest = {k: v for k, v in body.items() if k != lists[0]}
        return _paged(call, lists[0], list(body[lists[0]]), 1000, rest)
    return Reply(body)


def _rest_body(call: Call, path: str) -> Any:
    rest = _state(call).estate.rest
    known = {k: v for k, v in call.query.items() if k not in _PAGING_ARGS}
    if known:
        query = "&".join(f"{k}={v}" for k, v in sorted(known.items()))
        if f"{path}?{query}" in rest:
            return rest[f"{path}?{query}"]
    if path in rest:
        return rest[path]
    # one item of a served list, by its `name` (GET /v3/projects/p/alertPolicies/a)
    parent = path.rpartition("/")[0]
    body = rest.get(parent)
    if isinstance(body, dict):
        for items in (v for v in body.values() if isinstance(v, list)):
            for item in items:
                if isinstance(item, dict) and "/" + str(item.get("name", "")).lstrip("/") in (path, "/" + path.split("/", 2)[-1]):
                    return item
    return None


def _is_collection(path: str) -> bool:
    """/v3/projects/p/alertPolicies is a list; /v3/projects/p/alertPolicies/1 is one item (collection ids alternate)."""
    segments = [s for s in path.split("/") if s][1:]  # after the version
    if segments and segments[0] in ("storage", "compute"):  # /storage/v1/b, /compute/v1/projects/p/...
        segments = segments[2:]
    return len(segments) % 2 == 1 and ":" not in segments[-1]


def _rest_operation(call: Call) -> str:
    return f"{service_of(call.path) or 'unknown'}:GET {call.path}"


# --- helpers -------------------------------------------------------------------------------

_PAGING_ARGS = {"pageToken", "pageSize", "maxResults", "alt", "$alt", "prettyPrint", "fields"}
_RESOURCE_FIELDS = {
    "name": "name",
    "assetType": "assetType",
    "location": "location",
    "state": "state",
    "project": "project",
    "displayName": "displayName",
}


def _paged(call: Call, key: str, items: list[Any], most: int, extra: dict[str, Any] | None = None) -> Reply:
    size = call.query.get("pageSize") or call.query.get("maxResults")
    if size and size.isdigit() and int(size) > most:
        call = _with_query(call, pageSize=str(most))
    return BodyTokenPaging(items_key=key).reply(call, items, extra)


def _with_query(call: Call, **values: str) -> Call:
    from dataclasses import replace

    return replace(call, query={**call.query, **values})


def _all(call: Call, name: str) -> list[str]:
    """Every value of a repeated query parameter (the core keeps the first)."""
    from urllib.parse import parse_qs, urlsplit

    return parse_qs(urlsplit("?" + call.raw_query).query).get(name, [])


def _required(call: Call, name: str) -> str:
    value = call.query.get(name, "")
    if not value:
        raise Problem("bad_request", f"{name} is required")
    return value


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _scopes_in(path: str) -> list[str]:
    return [f"{kind}/{ident}" for kind, ident in re.findall(r"(projects|folders|organizations)/([^/:]+)", path)]


def _type_filter(types: Iterable[str]) -> Any:
    """CAI asset type filters: exact names, or regular expressions such as compute.googleapis.com.*"""
    patterns = [re.compile(t) for t in types if t]
    return (lambda t: any(p.fullmatch(t) for p in patterns)) if patterns else (lambda t: True)


def _query(text: str, fields: dict[str, str]) -> Any:
    """The emulator's query subset: `field:value` or `field=value` terms joined by spaces or AND
    (`labels.KEY:VALUE` too); anything else is INVALID_ARGUMENT, never a silent match."""
    terms = [t for t in re.split(r"\s+(?:AND\s+)?", text.strip()) if t and t != "AND"]
    checks = []
    for term in terms:
        match = re.fullmatch(r"([A-Za-z.]+)\s*[:=]\s*\"?([^\"]*)\"?", term)
        if not match or not (match.group(1) in fields or match.group(1).startswith("labels.")):
            raise Problem("bad_request", f"the emulator does not support the query term {term!r}")
        checks.append((match.group(1), match.group(2)))

    def matches(item: dict[str, Any]) -> bool:
        for name, value in checks:
            label = name.startswith("labels.")
            actual = (item.get("labels") or {}).get(name.removeprefix("labels.")) if label else item.get(fields[name])
            if actual is None or (str(actual) != value and not str(actual).endswith("/" + value)):
                return False
        return True

    return matches


# --- routes (data) and the provider ---------------------------------------------------------

ROUTES = [
    Route("POST", "/token", "oauth2.token", token),
    Route(
        "POST", "/v1/projects/-/serviceAccounts/{account}:generateAccessToken", "iam.serviceAccounts.getAccessToken", generate_access_token
    ),
    Route("GET", "/v1/{kind}/{id}:searchAllResources", "cloudasset.assets.searchAllResources", lambda c: search_resources(_scope(c))),
    Route(
        "GET", "/v1/{kind}/{id}:searchAllIamPolicies", "cloudasset.assets.searchAllIamPolicies", lambda c: search_iam_policies(_scope(c))
    ),
    Route("GET", "/v1/{kind}/{id}/assets", _list_assets_operation, lambda c: list_assets(_scope(c, "parent"))),
    Route("GET", "/v3/projects:search", "resourcemanager.projects.get", projects_search),
    Route("GET", "/v3/projects", "resourcemanager.projects.list", projects_list),
    Route("GET", "/v3/folders:search", "resourcemanager.folders.get", folders_search),
    Route("GET", "/v3/folders", "resourcemanager.folders.list", folders_list),
    Route("GET", "/v3/organizations:search", "resourcemanager.organizations.get", organizations_search),
    Route("GET", "/v3/{kind}/{id}", "resourcemanager.{kind}.get", get_container),
    Route("GET", "/{path*}", _rest_operation, rest_get),
]


def _scope(call: Call, key: str = "scope") -> Call:
    call.params[key] = f"{call.params['kind']}/{call.params['id']}"
    return call


GOOGLE_ERRORS = {
    "bad_request": (400, "INVALID_ARGUMENT"),
    "unauthenticated": (401, "UNAUTHENTICATED"),
    "denied": (403, "PERMISSION_DENIED"),
    "not_found": (404, "NOT_FOUND"),
    "unrouted": (404, "NOT_FOUND"),
    "throttled": (429, "RESOURCE_EXHAUSTED"),
    "failed": (500, "INTERNAL"),
}


class Gcp(Provider):
    name = "gcp"
    tls = False  # Google's REST clients and google-auth send bearer tokens over http to a local endpoint
    estate_model = GcpEstate
    errors = GOOGLE_ERRORS
    routes = ROUTES

    def index(self, estate: EstateBase) -> GcpState:
        assert isinstance(estate, GcpEstate)
        return GcpState(estate)

    def error_body(self, call: Call, status: int, code: str, message: str) -> Any:
        body: dict[str, Any] = {"code": status, "message": message, "status": code}
        if code == "RESOURCE_EXHAUSTED":
            body["details"] = [_error_info("RATE_LIMIT_EXCEEDED", {"service": service_of(call.path)})]
        return {"error": body}

    def authenticate(self, call: Call) -> str | None:
        if call.path == "/token":
            return None
        if not (call.headers.get("Authorization") or "").startswith("Bearer "):
            return "Request is missing required authentication credential. Expected OAuth 2 access token."
        return None

    def scope_of(self, call: Call) -> str:
        """The innermost project, folder or organisation the path names (projects by id), else the path."""
        scopes = _scopes_in(call.path)
        return call.state.canonical(scopes[0]) if scopes else call.path

    def prepare(self, emulator: Emulator, workdir: Path) -> None:
        key = workdir / "gcp-service-account.json"
        key.write_text(json.dumps(service_account_key(f"{emulator.url}/token")), encoding="utf-8")
        key.chmod(0o600)
        self.key_file = key

    def settings(self, emulator: Emulator) -> dict[str, str]:
        return {"GOOGLE_APPLICATION_CREDENTIALS": str(self.key_file), "CMM_SCAN_GCP_ENDPOINT": emulator.url}


def disabled_api(call: Call) -> Reply | None:
    """SERVICE_DISABLED for a request to an API the estate lists as not enabled in the path's project."""
    state, service = _state(call), service_of(call.path)
    for disabled in state.estate.disabled_apis:
        if disabled.service != service:
            continue
        for scope in _scopes_in(call.path):
            project = state.project(scope) if scope.startswith("projects/") else None
            if project is None or (disabled.projects and not any(state.project(p) is project for p in disabled.projects)):
                continue
            number = project.name.removeprefix("projects/")
            message = (
                f"{service} has not been used in project {number} before or it is disabled. Enable it by visiting "
                f"https://console.developers.google.com/apis/api/{service}/overview?project={number} then retry."
            )
            info = _error_info("SERVICE_DISABLED", {"consumer": f"projects/{number}", "service": service})
            return Reply({"error": {"code": 403, "message": message, "status": "PERMISSION_DENIED", "details": [info]}}, 403)
    return None


def _with_disabled(handler: Any) -> Any:
    def serve(call: Call) -> Reply:
        return disabled_api(call) or handler(call)

    return serve


for _route in ROUTES:
    if _route.template not in ("/token",):
        _route.handler = _with_disabled(_route.handler)


def _error_info(reason: str, metadata: dict[str, str]) -> dict[str, Any]:
    return {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": reason, "domain": "googleapis.com", "metadata": metadata}


def provider() -> Gcp:
    return Gcp()


# --- credentials for clients ---------------------------------------------------------------


def service_account_key(token_uri: str, project_id: str = "cmm-scan-emulator") -> dict[str, Any]:
    """A throwaway service-account key file whose token_uri points at the emulator (ADC works unchanged)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    return {
        "type": "service_account",
        "project_id": project_id,
        "private_key_id": "emulator",
        "private_key": pem,
        "client_email": f"cmm-scan@{project_id}.iam.gserviceaccount.com",
        "client_id": "100000000000000000000",
        "token_uri": token_uri,
    }
