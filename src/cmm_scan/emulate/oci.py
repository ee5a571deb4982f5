"""The OCI part of the local cloud emulator: a tenancy written once, in OCI's own API shapes.

The handler is independent of the HTTP server: `OciEmulator.handle(request)` answers one request. Every
request path starts with the region (`/uk-london-1/20160918/instances?compartmentId=...`), so one server
behind the endpoint template `http://127.0.0.1:PORT/{region}` serves a multi-region tenancy.

What it serves, all derived from the estate (format: `OciEstate`):
- Resource Search `POST /{region}/20180409/resources`: a structured-query subset,
  `query all resources` or `query <Type>[, <Type>] resources [return allAdditionalFields] [where <cond> [&& <cond>]]`
  with conditions `field = 'v'` / `field != 'v'`. Like the real service, it silently leaves out resources in
  compartments the caller may not read.
- Identity: `GET /20160918/compartments` (`compartmentIdInSubtree`, `accessLevel=ANY|ACCESSIBLE`: a denied
  compartment is listed by ANY only), `GET /20160918/tenancies/{id}`, `.../regionSubscriptions`.
- Any other list or get from `resources` by path (services are data, not code): a list filters on its query
  parameters that name item fields (compartmentId, ...), a get is `{list}/{id}` (or `get:`), and
  `singletons` answer an exact path.
- `opc-next-page` paging (`limit`, `page`), OCI's error bodies `{"code", "message"}`: 404
  NotAuthorizedOrNotFound (OCI's denial), 401 NotAuthenticated (no or bad signature), 429 TooManyRequests.
- Every request must carry a draft-cavage `Authorization: Signature ...` header, verified against the
  throwaway key the server wrote (or a session token's key: `keyId="ST$..."` is accepted unverified).
"""

from __future__ import annotations

import base64
import json
import re
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from pydantic import BaseModel, ConfigDict, Field

SEARCH_PATH = "/20180409/resources"
IDENTITY = "/20160918"
# query parameters that steer paging, sorting or the view, never filter on item fields
_CONTROL_PARAMS = frozenset({"limit", "page", "sortBy", "sortOrder", "compartmentIdInSubtree", "accessLevel", "tenantId", "fields"})


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Compartment(_Model):
    id: str
    name: str
    parent: str | None = Field(default=None, description="parent compartment id; none = the tenancy (root)")
    description: str = ""
    lifecycleState: str = "ACTIVE"
    timeCreated: str = "2025-01-01T00:00:00Z"


class Resource(_Model):
    """One resource in its API shape (`data`), the list path that returns it, and how Search sees it."""

    list: str = Field(description="list path without the region, e.g. /20160918/instances")
    get: str | None = Field(default=None, description="get path; default {list}/{data.id}")
    region: str | None = Field(default=None, description="region; none = a global (identity) resource, served everywhere")
    search_type: str | None = Field(default=None, description="Resource Search resourceType, e.g. Instance; none = not searchable")
    data: dict[str, Any]


class Singleton(_Model):
    """An exact path answered with `data` (object or list), e.g. a bucket's lifecycle policy."""

    path: str
    region: str | None = None
    data: Any = None
    error: tuple[int, str] | None = Field(default=None, description="answer this error instead, e.g. [404, LifecyclePolicyNotFound]")


class Faults(_Model):
    deny_compartments: list[str] = Field(default_factory=list, description="the caller may not read these: 404 NotAuthorizedOrNotFound")
    deny_paths: list[str] = Field(default_factory=list, description="path prefixes (without region) answered 404 NotAuthorizedOrNotFound")
    throttle_every: int = Field(default=0, ge=0, description="every Nth request is answered 429 TooManyRequests (0 = never)")


class OciEstate(_Model):
    tenancy: str = "ocid1.tenancy.oc1..emulated"
    tenancy_name: str = "emulated"
    home_region: str = "uk-london-1"
    regions: list[str] = Field(default_factory=lambda: ["uk-london-1"], description="subscribed regions")
    namespace: str = "emulated"
    page_size: int = Field(default=100, ge=1, description="most items a page when the caller asks for more")
    compartments: list[Compartment] = Field(default_factory=list)
    resources: list[Resource] = Field(default_factory=list)
    singletons: list[Singleton] = Field(default_factory=list)
    faults: Faults = Field(default_factory=Faults)


@dataclass
class Request:
    method: str
    target: str  # path with query, as sent
    headers: dict[str, str]  # lower-case names
    body: bytes = b""


@dataclass
class Response:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)

    def encoded(self) -> bytes:
        return json.dumps(self.body).encode()


def _error(status: int, code: str, message: str) -> Response:
    return Response(status, {"code": code, "message": message})


class OciEmulator:
    """Answers requests from one estate. Thread-safe: the request counter is the only state."""

    def __init__(self, estate: OciEstate, public_key_pem: bytes | None = None, key_id: str | None = None):
        self.estate = estate
        self.public_key_pem, self.key_id = public_key_pem, key_id
        self._lock = threading.Lock()
        self.count = 0
        self.log: list[dict[str, Any]] = []
        self._parents = {c.id: c.parent or estate.tenancy for c in estate.compartments}
        self._denied = self._closure(estate.faults.deny_compartments)

    def _closure(self, roots: list[str]) -> frozenset[str]:
        """A denied compartment's sub-compartments are denied too (policies inherit down the tree)."""
        denied = set(roots)
        changed = True
        while changed:
            changed = False
            for child, parent in self._parents.items():
                if parent in denied and child not in denied:
                    denied.add(child)
                    changed = True
        return frozenset(denied)

    # --- entry point ----------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        parts = urlsplit(request.target)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        segments = parts.path.split("/", 2)
        region, path = (segments[1], "/" + segments[2]) if len(segments) == 3 else ("", parts.path)
        with self._lock:
            self.count += 1
            number = self.count
        response = self._answer(request, region, path, query, number)
        response.headers.setdefault("opc-request-id", f"emulated-{number}")
        self.log.append({"method": request.method, "path": parts.path, "status": response.status})
        return response

    def _answer(self, request: Request, region: str, path: str, query: dict[str, str], number: int) -> Response:
        problem = self._signature_problem(request)
        if problem:
            return _error(401, "NotAuthenticated", problem)
        if region not in self.estate.regions:
            return _error(404, "NotAuthorizedOrNotFound", f"region {region!r} is not subscribed by this tenancy")
        every = self.estate.faults.throttle_every
        if every and number % every == 0:
            return _error(429, "TooManyRequests", "Too many requests for the tenancy")
        if any(path.startswith(prefix) for prefix in self.estate.faults.deny_paths):
            return _error(404, "NotAuthorizedOrNotFound", "Authorization failed or requested resource not found.")
        if request.method == "POST" and path == SEARCH_PATH:
            return self._search(request, region, query)
        if request.method != "GET":
            return _error(405, "NotAllowed", "the emulator serves reads only (GET, and POST for Resource Search)")
        if path == f"{IDENTITY}/compartments":
            return self._compartments(query)
        match = re.fullmatch(rf"{IDENTITY}/tenancies/([^/]+)(/regionSubscriptions)?", path)
        if match:
            return self._tenancy(match.group(1), bool(match.group(2)), query)
        return self._generic(region, path, query)

    # --- signature --------------------------------------------------------------------

    def _signature_problem(self, request: Request) -> str | None:
        header = request.headers.get("authorization", "")
        if not header.startswith("Signature "):
            return "The required information to complete authentication was not provided (no Signature header)."
        fields = dict(re.findall(r'(\w+)="([^"]*)"', header))
        if not {"keyId", "signature", "headers"} <= fields.keys():
            return "The Signature header lacks keyId, headers or signature."
        if fields["keyId"].startswith("ST$") or not self.public_key_pem:
            return None  # a session token's key is the client's own: shape checked, not the signature
        if self.key_id and fields["keyId"] != self.key_id:
            return f"Unknown key {fields['keyId']!r}."
        lines = []
        for name in fields["headers"].split():
            if name == "(request-target)":
                lines.append(f"(request-target): {request.method.lower()} {request.target}")
            else:
                lines.append(f"{name}: {request.headers.get(name, '')}")
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import padding

        key = serialization.load_pem_public_key(self.public_key_pem)
        try:
            key.verify(base64.b64decode(fields["signature"]), "\n".join(lines).encode(), padding.PKCS1v15(), hashes.SHA256())  # type: ignore[union-attr,call-arg]
        except (InvalidSignature, ValueError):
            return "The signature does not match the request."
        return None

    # --- paging -----------------------------------------------------------------------

    def _page(self, items: list[Any], query: dict[str, str], wrap: bool = False) -> Response:
        try:
            limit = min(int(query.get("limit") or self.estate.page_size), self.estate.page_size)
            start = int(query.get("page") or 0)
        except ValueError:
            return _error(400, "InvalidParameter", "limit and page must be numbers")
        chunk = items[start : start + limit]
        headers = {"opc-next-page": str(start + limit)} if start + limit < len(items) else {}
        return Response(200, {"items": chunk} if wrap else chunk, headers)

    # --- identity ---------------------------------------------------------------------

    def _compartments(self, query: dict[str, str]) -> Response:
        parent = query.get("compartmentId", "")
        if parent in self._denied:
            return _error(404, "NotAuthorizedOrNotFound", "Authorization failed or requested resource not found.")
        subtree = query.get("compartmentIdInSubtree", "false").lower() == "true"
        if subtree and parent != self.estate.tenancy:
            return _error(400, "InvalidParameter", "compartmentIdInSubtree may only be used with the tenancy")
        accessible_only = query.get("accessLevel", "ANY").upper() == "ACCESSIBLE"
        chosen = [
            c
            for c in self.estate.compartments
            if (subtree or (c.parent or self.estate.tenancy) == parent) and not (accessible_only and c.id in self._denied)
        ]
        shape = [
            {
                "id": c.id,
                "compartmentId": c.parent or self.estate.tenancy,
                "name": c.name,
                "description": c.description,
                "lifecycleState": c.lifecycleState,
                "timeCreated": c.timeCreated,
                "freeformTags": {},
                "definedTags": {},
            }
            for c in chosen
        ]
        return self._page(shape, query)

    def _tenancy(self, tenancy: str, subscriptions: bool, query: dict[str, str]) -> Response:
        if tenancy != self.estate.tenancy:
            return _error(404, "NotAuthorizedOrNotFound", "Authorization failed or requested resource not found.")
        if not subscriptions:
            return Response(200, {"id": tenancy, "name": self.estate.tenancy_name, "homeRegionKey": self.estate.home_region.upper()})
        return Response(
            200,
            [
                {"regionKey": r.upper(), "regionName": r, "status": "READY", "isHomeRegion": r == self.estate.home_region}
                for r in self.estate.regions
            ],
        )

    # --- search -----------------------------------------------------------------------

    def _search(self, request: Request, region: str, query: dict[str, str]) -> Response:
        try:
            details = json.loads(request.body or b"{}")
            types, conditions, all_fields = parse_query(details.get("query", ""))
        except (ValueError, json.JSONDecodeError) as exc:
            return _error(400, "InvalidParameter", f"Invalid search query: {exc}")
        summaries = []
        for resource in self.estate.resources:
            if resource.search_type is None or (types and resource.search_type.lower() not in types):
                continue
            if (resource.region or self.estate.home_region) != region:
                continue
            if resource.data.get("compartmentId") in self._denied:
                continue  # Search leaves out what the caller may not read: silence, not an error
            summary = _summary(resource, all_fields)
            if all(_holds(summary, cond) for cond in conditions):
                summaries.append(summary)
        return self._page(summaries, query, wrap=True)

    # --- generic lists and gets -------------------------------------------------------

    def _generic(self, region: str, path: str, query: dict[str, str]) -> Response:
        def here(item_region: str | None) -> bool:
            return item_region is None or item_region == region

        for single in self.estate.singletons:
            if single.path == path and here(single.region):
                if single.error:
                    return _error(single.error[0], single.error[1], f"{single.error[1]} (emulated)")
                return Response(200, single.data)
        listed = [r for r in self.estate.resources if r.list == path and here(r.region)]
        if listed or any(r.list == path for r in self.estate.resources) or query.get("compartmentId"):
            compartment = query.get("compartmentId")
            if compartment in self._denied:
                return _error(404, "NotAuthorizedOrNotFound", "Authorization failed or requested resource not found.")
            filters = {k: v for k, v in query.items() if k not in _CONTROL_PARAMS}
            items = [r.data for r in listed if all(str(r.data.get(k)) == v for k, v in filters.items() if _filters(k, r.data))]
            return self._page(items, query)
        for resource in self.estate.resources:
            get = resource.get or f"{resource.list}/{resource.data.get('id')}"
            if get == path and here(resource.region):
                if resource.data.get("compartmentId") in self._denied:
                    break
                return Response(200, resource.data, {"etag": "emulated"})
        return _error(404, "NotAuthorizedOrNotFound", "Authorization failed or requested resource not found.")


def _filters(param: str, item: dict[str, Any]) -> bool:
    """A query parameter filters when it names an item field; compartmentId always does."""
    return param in item or param == "compartmentId"


# --- the structured query subset ----------------------------------------------------------

_QUERY = re.compile(
    r"^\s*query\s+(?P<types>.+?)\s+resources(?P<all>\s+return\s+allAdditionalFields)?(?:\s+where\s+(?P<where>.+?))?\s*$",
    re.IGNORECASE | re.DOTALL,
)
_COND = re.compile(r"^\s*(?P<field>[\w.]+)\s*(?P<op>!=|=)\s*'(?P<value>[^']*)'\s*$")


def parse_query(text: str) -> tuple[set[str], list[tuple[str, str, str]], bool]:
    """(lower-case types or empty for all, conditions, return allAdditionalFields). ValueError when outside the subset."""
    match = _QUERY.match(text)
    if not match:
        raise ValueError(f"expected `query <type>[, <type>] resources [where ...]`, got {text!r}")
    types = {t.strip().lower() for t in match.group("types").split(",")}
    if types == {"all"}:
        types = set()
    conditions = []
    for part in re.split(r"\s*&&\s*|\s+and\s+", match.group("where") or "", flags=re.IGNORECASE):
        if not part.strip():
            continue
        cond = _COND.match(part)
        if not cond:
            raise ValueError(f"condition {part!r} is outside the emulated subset (field = 'v', field != 'v', joined by &&)")
        conditions.append((cond.group("field"), cond.group("op"), cond.group("value")))
    return types, conditions, bool(match.group("all"))


def _summary(resource: Resource, all_fields: bool) -> dict[str, Any]:
    data = resource.data
    summary = {
        "resourceType": resource.search_type,
        "identifier": data.get("id"),
        "compartmentId": data.get("compartmentId"),
        "displayName": data.get("displayName") or data.get("name"),
        "lifecycleState": data.get("lifecycleState"),
        "timeCreated": data.get("timeCreated"),
        "availabilityDomain": data.get("availabilityDomain"),
        "freeformTags": data.get("freeformTags") or {},
        "definedTags": data.get("definedTags") or {},
        "systemTags": data.get("systemTags") or {},
        "identityContext": {},
    }
    if all_fields:
        summary["additionalDetails"] = {k: v for k, v in data.items() if k not in summary}
    return summary


def _holds(summary: dict[str, Any], condition: tuple[str, str, str]) -> bool:
    name, op, value = condition
    actual = summary.get(name)
    if actual is None and "additionalDetails" in summary:
        actual = summary["additionalDetails"].get(name)
    equal = str(actual).lower() == value.lower()
    return equal if op == "=" else not equal


# --- throwaway credentials ------------------------------------------------------------------


@dataclass
class Credentials:
    config_file: str
    key_id: str
    public_key_pem: bytes


EMULATED_USER = "ocid1.user.oc1..emulated"


def write_config(directory: str, estate: OciEstate) -> Credentials:
    """A fresh RSA key and an OCI config file (profile DEFAULT) naming it, readable by the SDK and by us."""
    import hashlib
    import os

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = key.public_key()
    der = public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    fingerprint = ":".join(f"{b:02x}" for b in hashlib.md5(der).digest())  # OCI's API-key fingerprint is MD5
    key_path = os.path.join(directory, "oci_api_key.pem")
    with open(key_path, "wb") as handle:
        os.fchmod(handle.fileno(), 0o600)
        handle.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    config_path = os.path.join(directory, "config")
    with open(config_path, "w", encoding="utf-8") as handle:
        os.fchmod(handle.fileno(), 0o600)
        handle.write(
            "[DEFAULT]\n"
            f"user={EMULATED_USER}\n"
            f"fingerprint={fingerprint}\n"
            f"tenancy={estate.tenancy}\n"
            f"region={estate.home_region}\n"
            f"key_file={key_path}\n"
        )
    pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return Credentials(config_path, f"{estate.tenancy}/{EMULATED_USER}/{fingerprint}", pem)
