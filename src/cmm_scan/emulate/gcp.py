"""The GCP part of the emulator: an estate of Cloud Asset Inventory assets served as Google's REST APIs.

An estate is written once, in Google's own shapes (docs/emulator.md, fixtures/emulator/gcp-example.yaml):
the organisation, folders and projects as Resource Manager v3 returns them, and `assets` as Cloud
Asset Inventory's `listAssets` returns them (`name`, `assetType`, `resource.data`, `iamPolicy`,
`orgPolicy`). Every view is derived from those: CAI `searchAllResources`, `searchAllIamPolicies`,
`{parent}/assets` for RESOURCE / IAM_POLICY / ORG_POLICY, Resource Manager's projects, folders and
organisations. Any other REST list or get (budgets, sinks, alert policies, Cloud Build…) is served
from `rest:` by path, so a service is added as estate data, not code; `gcp_routes.yaml` says which
API a path belongs to (for SERVICE_DISABLED).

One base URL serves every API (routing on the path); a first path segment `<api>.googleapis.com`
is accepted too. The OAuth token endpoint (`POST /token`) answers any signed assertion, so a
throwaway service-account key whose `token_uri` points here makes Application Default Credentials
work unchanged.

`GcpEmulator.handle(request)` is a pure function of the estate and the request; the server core
only moves bytes.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

ACCESS_TOKEN = "cmm-scan-emulator-token"
CONTENT_TYPES = {"0": "", "1": "RESOURCE", "2": "IAM_POLICY", "4": "ORG_POLICY"}
MAX_PAGE = {"searchAllResources": 500, "searchAllIamPolicies": 500, "listAssets": 1000}
DEFAULT_PAGE = 100


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


class Deny(_Envelope):
    """Refuse matching requests with PERMISSION_DENIED; every given field must match."""

    scope: str | None = Field(default=None, description="projects/ID, folders/N or organizations/N in the path")
    service: str | None = Field(default=None, description="e.g. cloudasset.googleapis.com")
    operation: str | None = Field(default=None, description="e.g. searchAllIamPolicies, listAssets, get")


class Disabled(_Envelope):
    """An API that is not enabled: requests for it in these projects get SERVICE_DISABLED."""

    service: str
    projects: list[str] = Field(default_factory=list, description="project ids or numbers; empty = every project")


class Throttle(_Envelope):
    """Answer the first `times` requests of an operation (or of every operation) with 429 RESOURCE_EXHAUSTED."""

    operation: str | None = None
    times: int = Field(default=1, ge=1)


class Faults(_Envelope):
    deny: list[Deny] = Field(default_factory=list)
    disabled: list[Disabled] = Field(default_factory=list)
    throttle: list[Throttle] = Field(default_factory=list)


class GcpEstate(_Envelope):
    organization: Organization | None = None
    folders: list[Folder] = Field(default_factory=list)
    projects: list[Project] = Field(default_factory=list)
    assets: list[Asset] = Field(default_factory=list)
    rest: dict[str, Any] = Field(default_factory=dict, description="path (optionally ?query) -> response body")
    faults: Faults = Field(default_factory=Faults)


def _check_name(value: str, prefix: str) -> str:
    if not value.startswith(prefix) or len(value) == len(prefix):
        raise ValueError(f"expected '{prefix}<id>'")
    return value


# --- requests and responses -------------------------------------------------------------


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]] = field(default_factory=dict)
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, method: str, target: str, body: bytes = b"", headers: dict[str, str] | None = None) -> Request:
        path, _, query = target.partition("?")
        return cls(method, path, parse_qs(query, keep_blank_values=True), body, {k.lower(): v for k, v in (headers or {}).items()})

    def arg(self, name: str, default: str = "") -> str:
        values = self.query.get(name)
        return values[0] if values else default

    def args(self, name: str) -> list[str]:
        return self.query.get(name, [])


@dataclass
class Response:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    operation: str = ""


class GoogleError(Exception):
    """Google's error body: {"error": {"code", "message", "status", "details"}}."""

    def __init__(self, code: int, status: str, message: str, details: list[dict[str, Any]] | None = None):
        super().__init__(message)
        self.code, self.status, self.message, self.details = code, status, message, details or []

    def response(self, operation: str) -> Response:
        body: dict[str, Any] = {"code": self.code, "message": self.message, "status": self.status}
        if self.details:
            body["details"] = self.details
        return Response(self.code, {"error": body}, operation=operation)


@cache
def service_routes() -> list[tuple[str, re.Pattern[str]]]:
    data = yaml.safe_load((Path(__file__).parent / "gcp_routes.yaml").read_text(encoding="utf-8"))
    return [(service, re.compile(pattern)) for service, patterns in data["services"].items() for pattern in patterns]


def service_of(path: str) -> str:
    return next((service for service, pattern in service_routes() if pattern.match(path)), "")


# --- the emulator ---------------------------------------------------------------------


class GcpEmulator:
    """Answers Google REST requests from one estate. Thread-safe: the estate is read-only once loaded."""

    def __init__(self, estate: GcpEstate, page_size: int = DEFAULT_PAGE, token_url: str = ""):
        self.estate = estate
        self.page_size = page_size
        self.token_url = token_url
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._throttled: dict[int, int] = {}
        self._index()

    # indexes -----------------------------------------------------------------------
    def _index(self) -> None:
        e = self.estate
        self.projects = {p.name: p for p in e.projects}
        self.project_by_id = {p.projectId: p for p in e.projects}
        self.folders = {f.name: f for f in e.folders}
        self.ancestry = {a.name: (a.ancestors or self._ancestors_of(a)) for a in e.assets}

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
                if project is None:
                    return [f"projects/{ident}"]
                return [project.name, *self.chain(project.parent)]
            return self.chain(f"{kind}/{ident}")
        return []

    def in_scope(self, asset: Asset, scope: str) -> bool:
        ancestors = self.ancestry[asset.name]
        if scope.startswith("projects/"):
            project = self.project(scope)
            return (project.name if project else scope) in ancestors
        return scope in ancestors

    # entry point ---------------------------------------------------------------------
    def handle(self, request: Request) -> Response:
        path = request.path
        named = re.match(r"/([a-z0-9-]+\.googleapis\.com)(/.*)", path)
        service = named.group(1) if named else ""
        path = named.group(2) if named else path
        service = service or service_of(path)
        operation = _operation(request.method, path)
        try:
            response = self._answer(request, path, service, operation)
        except GoogleError as exc:
            response = exc.response(operation)
        response.operation = operation
        with self._lock:
            self.requests.append(
                {"method": request.method, "path": path, "service": service, "operation": operation, "status": response.status}
            )
        return response

    def _answer(self, request: Request, path: str, service: str, operation: str) -> Response:
        if request.method == "POST" and path == "/token":
            return Response(200, {"access_token": ACCESS_TOKEN, "expires_in": 3600, "token_type": "Bearer"})
        if not request.headers.get("authorization", "").startswith("Bearer "):
            raise GoogleError(401, "UNAUTHENTICATED", "Request is missing required authentication credential.")
        self._faults(path, service, operation)
        if operation == "generateAccessToken":
            expiry = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
            return Response(200, {"accessToken": ACCESS_TOKEN, "expireTime": expiry})
        if request.method != "GET":
            raise GoogleError(405, "INVALID_ARGUMENT", f"the emulator serves reads only: {request.method} {path}")
        handler = {
            "searchAllResources": self._search_resources,
            "searchAllIamPolicies": self._search_iam,
            "listAssets": self._list_assets,
            "projects.search": self._projects_search,
            "projects.list": self._projects_list,
            "folders.list": self._folders_list,
            "folders.search": self._folders_search,
            "organizations.search": self._organizations_search,
        }.get(operation)
        if handler:
            return handler(request, path)
        return self._rest(request, path)

    # faults --------------------------------------------------------------------------
    def _faults(self, path: str, service: str, operation: str) -> None:
        faults = self.estate.faults
        for index, throttle in enumerate(faults.throttle):
            if throttle.operation in (None, operation):
                with self._lock:
                    used = self._throttled.get(index, 0)
                    if used < throttle.times:
                        self._throttled[index] = used + 1
                        raise GoogleError(
                            429,
                            "RESOURCE_EXHAUSTED",
                            f"Quota exceeded for quota metric '{operation}' of service '{service}'.",
                            [_error_info("RATE_LIMIT_EXCEEDED", service, {})],
                        )
        scopes = _scopes_in(path)
        for deny in faults.deny:
            if deny.service not in (None, service) or deny.operation not in (None, operation):
                continue
            if deny.scope is None or any(self._same_scope(deny.scope, s) for s in scopes):
                raise GoogleError(403, "PERMISSION_DENIED", f"The caller does not have permission to {operation} on {path}.")
        for disabled in faults.disabled:
            if disabled.service != service:
                continue
            for scope in scopes:
                project = self.project(scope) if scope.startswith("projects/") else None
                if project is None:
                    continue
                if disabled.projects and not any(self._same_scope(f"projects/{p}", scope) for p in disabled.projects):
                    continue
                number = project.name.removeprefix("projects/")
                raise GoogleError(
                    403,
                    "PERMISSION_DENIED",
                    f"{service} has not been used in project {number} before or it is disabled. "
                    f"Enable it by visiting https://console.developers.google.com/apis/api/{service}/overview?project={number} then retry.",
                    [_error_info("SERVICE_DISABLED", service, {"consumer": f"projects/{number}", "service": service})],
                )

    def _same_scope(self, a: str, b: str) -> bool:
        if a == b:
            return True
        if a.startswith("projects/") and b.startswith("projects/"):
            pa, pb = self.project(a), self.project(b)
            return pa is not None and pa is pb
        return False

    # Cloud Asset Inventory -----------------------------------------------------------
    def _search_resources(self, request: Request, path: str) -> Response:
        scope = path.removeprefix("/v1/").rsplit(":", 1)[0]
        wanted = _type_filter(request.args("assetTypes"))
        match = _query(request.arg("query"), _RESOURCE_FIELDS)
        results = []
        for asset in self.estate.assets:
            if asset.resource is None or not wanted(asset.assetType) or not self.in_scope(asset, scope):
                continue
            result = self._search_result(asset)
            if match(result):
                results.append(result)
        return self._page(request, "searchAllResources", "results", results)

    def _search_result(self, asset: Asset) -> dict[str, Any]:
        resource = asset.resource or {}
        data = resource.get("data") or {}
        ancestors = self.ancestry[asset.name]
        result: dict[str, Any] = {
            "name": asset.name,
            "assetType": asset.assetType,
            "displayName": data.get("displayName") or data.get("name", asset.name).rsplit("/", 1)[-1],
        }
        project = next((a for a in ancestors if a.startswith("projects/")), None)
        if project:
            result["project"] = project
        folders = [a for a in ancestors if a.startswith("folders/")]
        if folders:
            result["folders"] = folders
        org = next((a for a in ancestors if a.startswith("organizations/")), None)
        if org:
            result["organization"] = org
        optional = {
            "location": resource.get("location"),
            "labels": data.get("labels"),
            "state": data.get("state") or data.get("status"),
            "createTime": data.get("createTime") or data.get("creationTimestamp") or data.get("timeCreated"),
            "updateTime": asset.updateTime,
            "parentFullResourceName": resource.get("parent"),
        }
        result.update({k: v for k, v in optional.items() if v})
        return result

    def _search_iam(self, request: Request, path: str) -> Response:
        scope = path.removeprefix("/v1/").rsplit(":", 1)[0]
        wanted = _type_filter(request.args("assetTypes"))
        text = request.arg("query").strip()
        if text and not text.startswith("policy:"):
            raise GoogleError(400, "INVALID_ARGUMENT", f"the emulator's query subset is 'policy:TEXT', not {text!r}")
        needle = text.removeprefix("policy:").strip('"')
        results = []
        for asset in self.estate.assets:
            if asset.iamPolicy is None or not wanted(asset.assetType) or not self.in_scope(asset, scope):
                continue
            if needle and needle not in json.dumps(asset.iamPolicy):
                continue
            base = self._search_result(asset) if asset.resource else {"name": asset.name, "assetType": asset.assetType}
            result = {"resource": asset.name, "assetType": asset.assetType, "policy": asset.iamPolicy}
            result.update({k: base[k] for k in ("project", "folders", "organization") if k in base})
            results.append(result)
        return self._page(request, "searchAllIamPolicies", "results", results)

    def _list_assets(self, request: Request, path: str) -> Response:
        parent = path.removeprefix("/v1/").removesuffix("/assets")
        content = request.arg("contentType", "0")
        content = CONTENT_TYPES.get(content, content)
        if content not in ("", "RESOURCE", "IAM_POLICY", "ORG_POLICY"):
            raise GoogleError(400, "INVALID_ARGUMENT", f"the emulator serves contentType RESOURCE, IAM_POLICY or ORG_POLICY, not {content}")
        wanted = _type_filter(request.args("assetTypes"))
        key = {"RESOURCE": "resource", "IAM_POLICY": "iamPolicy", "ORG_POLICY": "orgPolicy"}.get(content)
        assets = []
        for asset in self.estate.assets:
            if not wanted(asset.assetType) or not self.in_scope(asset, parent):
                continue
            if key and getattr(asset, key) is None:
                continue
            item: dict[str, Any] = {"name": asset.name, "assetType": asset.assetType, "ancestors": self.ancestry[asset.name]}
            if key:
                item[key] = getattr(asset, key)
            if asset.updateTime:
                item["updateTime"] = asset.updateTime
            assets.append(item)
        response = self._page(request, "listAssets", "assets", assets)
        response.body["readTime"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return response

    # Resource Manager v3 ---------------------------------------------------------------
    def _projects_search(self, request: Request, path: str) -> Response:
        match = _query(
            request.arg("query"),
            {
                "parent": "parent",
                "state": "state",
                "id": "projectId",
                "projectId": "projectId",
                "name": "displayName",
                "displayName": "displayName",
            },
        )
        items = [p.model_dump() for p in self.estate.projects]
        return self._page(request, "projects.search", "projects", [p for p in items if match(p)])

    def _projects_list(self, request: Request, path: str) -> Response:
        parent = request.arg("parent")
        if not parent:
            raise GoogleError(400, "INVALID_ARGUMENT", "parent is required")
        items = [
            p.model_dump()
            for p in self.estate.projects
            if p.parent == parent and (p.state == "ACTIVE" or request.arg("showDeleted") == "true")
        ]
        return self._page(request, "projects.list", "projects", items)

    def _folders_list(self, request: Request, path: str) -> Response:
        parent = request.arg("parent")
        if not parent:
            raise GoogleError(400, "INVALID_ARGUMENT", "parent is required")
        items = [f.model_dump() for f in self.estate.folders if f.parent == parent]
        return self._page(request, "folders.list", "folders", items)

    def _folders_search(self, request: Request, path: str) -> Response:
        match = _query(request.arg("query"), {"parent": "parent", "state": "state", "displayName": "displayName"})
        return self._page(request, "folders.search", "folders", [f.model_dump() for f in self.estate.folders if match(f.model_dump())])

    def _organizations_search(self, request: Request, path: str) -> Response:
        org = self.estate.organization
        return self._page(request, "organizations.search", "organizations", [org.model_dump()] if org else [])

    # generic REST --------------------------------------------------------------------
    def _rest(self, request: Request, path: str) -> Response:
        body = self._rest_body(request, path)
        if body is None:
            raise GoogleError(404, "NOT_FOUND", f"{path} is not in the estate")
        if isinstance(body, dict):
            lists = [k for k, v in body.items() if isinstance(v, list)]
            if len(lists) == 1 and ("pageToken" in request.query or "pageSize" in request.query or len(body[lists[0]]) > self.page_size):
                rest = {k: v for k, v in body.items() if k != lists[0]}
                response = self._page(request, "get", lists[0], list(body[lists[0]]))
                response.body.update(rest)
                return response
            return Response(200, body)
        raise GoogleError(500, "INTERNAL", f"estate rest entry for {path} is not an object")

    def _rest_body(self, request: Request, path: str) -> Any:
        rest = self.estate.rest
        known = {k: v for k, v in request.query.items() if k not in _PAGING_ARGS}
        if known:
            query = "&".join(f"{k}={v[0]}" for k, v in sorted(known.items()))
            if f"{path}?{query}" in rest:
                return rest[f"{path}?{query}"]
        if path in rest:
            return rest[path]
        # a get of one item of a served list, by its `name` (e.g. GET /v1/projects/p/alertPolicies/a)
        parent, _, _ = path.rpartition("/")
        body = rest.get(parent)
        if isinstance(body, dict):
            name = path.removeprefix("/").split("/", 1)[1] if path.count("/") > 1 else path
            for items in (v for v in body.values() if isinstance(v, list)):
                for item in items:
                    if isinstance(item, dict) and item.get("name") in (name, path.removeprefix("/")):
                        return item
        return None

    # paging --------------------------------------------------------------------------
    def _page(self, request: Request, operation: str, key: str, items: list[dict[str, Any]]) -> Response:
        try:
            size = int(request.arg("pageSize") or request.arg("maxResults") or 0) or self.page_size
            start = int(base64.urlsafe_b64decode(request.arg("pageToken").encode()).decode() or 0) if request.arg("pageToken") else 0
        except ValueError:
            raise GoogleError(400, "INVALID_ARGUMENT", "invalid pageSize or pageToken") from None
        size = min(size, self.page_size, MAX_PAGE.get(operation, 1000))
        body: dict[str, Any] = {key: items[start : start + size]} if items[start : start + size] else {}
        if start + size < len(items):
            body["nextPageToken"] = base64.urlsafe_b64encode(str(start + size).encode()).decode()
        return Response(200, body)


_PAGING_ARGS = {"pageToken", "pageSize", "maxResults", "alt", "$alt", "prettyPrint", "fields"}
_RESOURCE_FIELDS = {
    "name": "name",
    "assetType": "assetType",
    "location": "location",
    "state": "state",
    "project": "project",
    "displayName": "displayName",
}


def _operation(method: str, path: str) -> str:
    if path == "/token":
        return "token"
    if path.endswith(":generateAccessToken"):
        return "generateAccessToken"
    if path.endswith(":searchAllResources"):
        return "searchAllResources"
    if path.endswith(":searchAllIamPolicies"):
        return "searchAllIamPolicies"
    if re.fullmatch(r"/v1/[^/]+/[^/]+/assets", path):
        return "listAssets"
    special = {
        "/v3/projects:search": "projects.search",
        "/v3/projects": "projects.list",
        "/v3/folders": "folders.list",
        "/v3/folders:search": "folders.search",
        "/v3/organizations:search": "organizations.search",
    }
    return special.get(path, "get" if method == "GET" else method.lower())


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
            raise GoogleError(400, "INVALID_ARGUMENT", f"the emulator does not support the query term {term!r}")
        checks.append((match.group(1), match.group(2)))

    def matches(item: dict[str, Any]) -> bool:
        for name, value in checks:
            actual = (item.get("labels") or {}).get(name.removeprefix("labels.")) if name.startswith("labels.") else item.get(fields[name])
            if actual is None or (str(actual) != value and not str(actual).endswith("/" + value)):
                return False
        return True

    return matches


def _error_info(reason: str, service: str, metadata: dict[str, str]) -> dict[str, Any]:
    return {
        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
        "reason": reason,
        "domain": "googleapis.com",
        "metadata": metadata or {"service": service},
    }


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


def settings(base_url: str, key_file: Path) -> dict[str, str]:
    """The environment that points cmm-scan (and Google's own clients, through ADC) at the emulator."""
    return {"GOOGLE_APPLICATION_CREDENTIALS": str(key_file), "CMM_SCAN_GCP_ENDPOINT": base_url}
