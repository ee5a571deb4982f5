"""OCI: Resource Search, Identity and any per-compartment service, served from one tenancy estate.

Every request path starts with the region (`/uk-london-1/20160918/instances?compartmentId=...`), so one
server behind the endpoint template `http://127.0.0.1:PORT/{region}` (CMM_SCAN_OCI_ENDPOINT) serves a
multi-region tenancy. Resources are written once, in OCI's API shapes (docs/emulator.md); every view is
derived from them:
- Resource Search `POST /{region}/20180409/resources`: a structured-query subset,
  `query all resources` or `query <Type>[, <Type>] resources [return allAdditionalFields] [where <cond> [&& <cond>]]`
  with conditions `field = 'v'` / `field != 'v'`. Like the real service it silently leaves out resources in
  compartments the caller may not read.
- Identity: `GET /20160918/compartments` (`compartmentIdInSubtree`, `accessLevel=ANY|ACCESSIBLE`: a denied
  compartment is listed by ANY only), `GET /20160918/tenancies/{id}` and `.../regionSubscriptions`.
- Any other list or get from `resources` by path (services are data, not code): a list filters on its query
  parameters that name item fields (compartmentId, ...), a get is `{list}/{id}` (or `get:`), and
  `singletons` answer an exact path (or an error such as 404 LifecyclePolicyNotFound).
- `opc-next-page` paging, OCI's error bodies `{"code", "message"}`: 404 NotAuthorizedOrNotFound (OCI's
  denial, also for `denied_compartments` and their sub-compartments), 401 NotAuthenticated, 429 TooManyRequests.
- Every request must carry a draft-cavage `Authorization: Signature ...` header, verified against the
  throwaway API key the server wrote next to its config file (OCI_CONFIG_FILE); a session token's key
  (`keyId="ST$..."`) is accepted on its shape.
Operations in the request log and deny faults are `GET /<version>/<path>` (region left out) and
`SearchResources`; a deny fault's scope is the request's compartmentId (or its path).
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlencode

from pydantic import BaseModel, ConfigDict, Field

from cmm_scan.emulate.core import Call, Emulator, EstateBase, HeaderTokenPaging, Problem, Provider, Reply, Route

SEARCH_PATH = "/20180409/resources"
IDENTITY = "/20160918"
EMULATED_USER = "ocid1.user.oc1..emulated"
# query parameters that steer paging, sorting or the view, never filter on item fields
_CONTROL_PARAMS = frozenset({"limit", "page", "sortBy", "sortOrder", "compartmentIdInSubtree", "accessLevel", "tenantId", "fields"})
LISTS = HeaderTokenPaging()
SEARCH_PAGES = HeaderTokenPaging(items_key="items")


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
    items_key: str | None = Field(default=None, description="the list answers {items_key: [...]} (OCI's *Collection shapes), not an array")
    data: dict[str, Any]


class Singleton(_Model):
    """An exact path answered with `data` (object or list), e.g. a bucket's lifecycle policy, or with an error."""

    path: str
    region: str | None = None
    data: Any = None
    error: tuple[int, str] | None = Field(default=None, description="answer this error instead, e.g. [404, LifecyclePolicyNotFound]")


class OciEstate(EstateBase):
    provider: Literal["oci"] = "oci"
    tenancy: str = "ocid1.tenancy.oc1..emulated"
    tenancy_name: str = "emulated"
    home_region: str = "uk-london-1"
    regions: list[str] = Field(default_factory=lambda: ["uk-london-1"], description="subscribed regions")
    namespace: str = "emulated"
    compartments: list[Compartment] = Field(default_factory=list)
    resources: list[Resource] = Field(default_factory=list)
    singletons: list[Singleton] = Field(default_factory=list)
    denied_compartments: list[str] = Field(
        default_factory=list, description="the caller may read nothing in these or their sub-compartments (404 NotAuthorizedOrNotFound)"
    )


@dataclass
class OciState:
    estate: OciEstate
    parents: dict[str, str] = field(default_factory=dict)
    denied: frozenset[str] = frozenset()
    # views by path, built once per load: a request costs a lookup, not a walk over the estate
    singles: dict[str, list[Singleton]] = field(default_factory=dict)
    lists: dict[str, list[Resource]] = field(default_factory=dict)
    gets: dict[str, list[Resource]] = field(default_factory=dict)


def build_state(estate: OciEstate) -> OciState:
    parents = {c.id: c.parent or estate.tenancy for c in estate.compartments}
    denied = set(estate.denied_compartments)
    changed = True
    while changed:  # a denied compartment's sub-compartments are denied too (policies inherit down the tree)
        changed = False
        for child, parent in parents.items():
            if parent in denied and child not in denied:
                denied.add(child)
                changed = True
    state = OciState(estate, parents, frozenset(denied))
    for single in estate.singletons:
        state.singles.setdefault(single.path, []).append(single)
    for resource in estate.resources:
        state.lists.setdefault(resource.list, []).append(resource)
        state.gets.setdefault(resource.get or f"{resource.list}/{resource.data.get('id')}", []).append(resource)
    return state


def _not_authorized() -> Problem:
    return Problem("denied", "Authorization failed or requested resource not found.")


def _region(call: Call) -> str:
    region = call.params.get("region", "")
    if region not in call.state.estate.regions:
        raise Problem("not_found", f"region {region!r} is not subscribed by this tenancy")
    return region


# --- identity -----------------------------------------------------------------------------------


def compartments(call: Call) -> Reply:
    _region(call)
    state: OciState = call.state
    estate = state.estate
    parent = call.query.get("compartmentId", "")
    if parent in state.denied:
        raise _not_authorized()
    subtree = call.query.get("compartmentIdInSubtree", "false").lower() == "true"
    if subtree and parent != estate.tenancy:
        raise Problem("bad_request", "compartmentIdInSubtree may only be used with the tenancy")
    accessible_only = call.query.get("accessLevel", "ANY").upper() == "ACCESSIBLE"
    chosen = [
        c
        for c in estate.compartments
        if (subtree or (c.parent or estate.tenancy) == parent) and not (accessible_only and c.id in state.denied)
    ]
    shape = [
        {
            "id": c.id,
            "compartmentId": c.parent or estate.tenancy,
            "name": c.name,
            "description": c.description,
            "lifecycleState": c.lifecycleState,
            "timeCreated": c.timeCreated,
            "freeformTags": {},
            "definedTags": {},
        }
        for c in chosen
    ]
    return LISTS.reply(call, shape)


def tenancy(call: Call) -> Reply:
    _region(call)
    estate = call.state.estate
    if call.params["tenancy"] != estate.tenancy:
        raise _not_authorized()
    return Reply({"id": estate.tenancy, "name": estate.tenancy_name, "homeRegionKey": estate.home_region.upper()})


def region_subscriptions(call: Call) -> Reply:
    _region(call)
    estate = call.state.estate
    if call.params["tenancy"] != estate.tenancy:
        raise _not_authorized()
    return Reply(
        [{"regionKey": r.upper(), "regionName": r, "status": "READY", "isHomeRegion": r == estate.home_region} for r in estate.regions]
    )


# --- search -------------------------------------------------------------------------------------


def search(call: Call) -> Reply:
    region = _region(call)
    state: OciState = call.state
    try:
        types, conditions, all_fields = parse_query(str(call.json().get("query", "")))
    except ValueError as exc:
        raise Problem("bad_request", f"Invalid search query: {exc}") from None
    summaries = []
    for resource in state.estate.resources:
        if resource.search_type is None or (types and resource.search_type.lower() not in types):
            continue
        if (resource.region or state.estate.home_region) != region:
            continue
        compartment = resource.data.get("compartmentId")
        if compartment in state.denied or call.denied(call.operation, str(compartment)):
            continue  # Search leaves out what the caller may not read: silence, not an error
        summary = _summary(resource, all_fields)
        if all(_holds(summary, cond) for cond in conditions):
            summaries.append(summary)
    return SEARCH_PAGES.reply(call, summaries)


# --- generic lists and gets ---------------------------------------------------------------------


def generic(call: Call) -> Reply:
    region = _region(call)
    state: OciState = call.state
    path = "/" + call.params["path"]

    def here(item_region: str | None) -> bool:
        return item_region is None or item_region == region

    for single in state.singles.get(path, []):
        if here(single.region):
            if single.error:
                status, code = single.error
                return Reply({"code": code, "message": f"{code} (emulated)"}, status)
            return Reply(single.data)
    known = state.lists.get(path, [])
    if known or call.query.get("compartmentId"):
        if call.query.get("compartmentId") in state.denied:
            raise _not_authorized()
        filters = {k: v for k, v in call.query.items() if k not in _CONTROL_PARAMS}
        items = [r.data for r in known if here(r.region) and _matches(r.data, filters)]
        key = next((r.items_key for r in known if r.items_key), None)
        return (HeaderTokenPaging(items_key=key) if key else LISTS).reply(call, items)
    for resource in state.gets.get(path, []):
        if here(resource.region) and resource.data.get("compartmentId") not in state.denied:
            return Reply(resource.data, headers={"etag": "emulated"})
    raise _not_authorized()


def _filters(param: str, item: dict[str, Any]) -> bool:
    """A query parameter filters when it names an item field; compartmentId always does."""
    return param in item or param == "compartmentId"


def _matches(item: dict[str, Any], filters: dict[str, str]) -> bool:
    """Equality on every filtering parameter; OCI's `ALL` (budgets' targetType=ALL) filters nothing."""
    return all(str(item.get(k)) == v for k, v in filters.items() if v != "ALL" and _filters(k, item))


def _generic_operation(call: Call) -> str:
    return f"{call.method} /{call.params['path']}"


# what ListResourceTypes answers besides the estate's own types: those the OCI specs ask Search about
SEARCHABLE = (
    "Instance",
    "InstancePool",
    "Bucket",
    "Vcn",
    "Subnet",
    "SecurityList",
    "NetworkSecurityGroup",
    "Alarm",
    "LogGroup",
    "Bastion",
    "ContainerInstance",
    "FunctionsFunction",
    "FunctionsApplication",
    "Volume",
    "BootVolume",
    "Vault",
    "Key",
)


def resource_types(call: Call) -> Reply:
    _region(call)
    names = dict.fromkeys([*SEARCHABLE, *(r.search_type for r in call.state.estate.resources if r.search_type)])
    return LISTS.reply(call, [{"name": name, "fields": []} for name in names])


ROUTES = [
    Route("GET", "/{region}/20180409/resourceTypes", "ListResourceTypes", resource_types),
    Route("POST", "/{region}" + SEARCH_PATH, "SearchResources", search),
    Route("GET", "/{region}" + IDENTITY + "/compartments", "ListCompartments", compartments),
    Route("GET", "/{region}" + IDENTITY + "/tenancies/{tenancy}/regionSubscriptions", "ListRegionSubscriptions", region_subscriptions),
    Route("GET", "/{region}" + IDENTITY + "/tenancies/{tenancy}", "GetTenancy", tenancy),
    Route("GET", "/{region}/{path*}", _generic_operation, generic),
]

OCI_ERRORS = {
    "bad_request": (400, "InvalidParameter"),
    "unauthenticated": (401, "NotAuthenticated"),
    "denied": (404, "NotAuthorizedOrNotFound"),
    "not_found": (404, "NotAuthorizedOrNotFound"),
    "unrouted": (404, "NotAuthorizedOrNotFound"),
    "throttled": (429, "TooManyRequests"),
    "failed": (500, "InternalServerError"),
}


class Oci(Provider):
    name = "oci"
    tls = False  # the SDK signs requests; plain http is accepted
    estate_model = OciEstate
    errors = OCI_ERRORS
    routes = ROUTES

    def __init__(self) -> None:
        self.public_key_pem: bytes | None = None
        self.key_id: str | None = None
        self.config_file: str | None = None

    def index(self, estate: EstateBase) -> OciState:
        assert isinstance(estate, OciEstate)
        return build_state(estate)

    def error_body(self, call: Call, status: int, code: str, message: str) -> Any:
        return {"code": code, "message": message}

    def scope_of(self, call: Call) -> str:
        return call.query.get("compartmentId") or call.path

    def prepare(self, emulator: Emulator, workdir: Path) -> None:
        assert isinstance(emulator.estate, OciEstate)
        credentials = write_config(str(workdir), emulator.estate)
        self.public_key_pem, self.key_id, self.config_file = credentials.public_key_pem, credentials.key_id, credentials.config_file

    def settings(self, emulator: Emulator) -> dict[str, str]:
        return {"OCI_CONFIG_FILE": str(self.config_file), "CMM_SCAN_OCI_ENDPOINT": emulator.url + "/{region}"}

    def authenticate(self, call: Call) -> str | None:
        header = call.headers.get("Authorization") or ""
        if not header.startswith("Signature "):
            return "The required information to complete authentication was not provided (no Signature header)."
        fields = dict(re.findall(r'(\w+)="([^"]*)"', header))
        if not {"keyId", "signature", "headers"} <= fields.keys():
            return "The Signature header lacks keyId, headers or signature."
        if fields["keyId"].startswith("ST$") or not self.public_key_pem:
            return None  # a session token's key is the client's own: shape checked, not the signature
        if self.key_id and fields["keyId"] != self.key_id:
            return f"Unknown key {fields['keyId']!r}."
        target = call.path + (f"?{urlencode(call.query)}" if call.query else "")
        lines = []
        for name in fields["headers"].split():
            if name == "(request-target)":
                lines.append(f"(request-target): {call.method.lower()} {target}")
            else:
                lines.append(f"{name}: {call.headers.get(name) or ''}")
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import padding

        key = serialization.load_pem_public_key(self.public_key_pem)
        try:
            key.verify(base64.b64decode(fields["signature"]), "\n".join(lines).encode(), padding.PKCS1v15(), hashes.SHA256())  # type: ignore[union-attr,call-arg]
        except (InvalidSignature, ValueError):
            return "The signature does not match the request."
        return None


def provider() -> Oci:
    return Oci()


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
