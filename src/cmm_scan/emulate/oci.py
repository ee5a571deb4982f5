"""OCI: Resource Search, Identity and any per-compartment list/get, from one estate, over http.

The estate (docs/emulator.md) holds the tenancy, its region subscriptions and compartments as
the Identity API returns them, and every other resource as its service's list API returns it,
keyed by that list's path (`20160918/instances`): under `resources:` when served in every region
(Identity: users, policies...), under `regional: {region: ...}` when it lives in one region.
Search summaries are derived from the same objects. One server serves every region: the region
is the first path segment (`CMM_SCAN_OCI_ENDPOINT=http://127.0.0.1:PORT/{region}`). Requests must
be signed (draft-cavage RSA-SHA256) with the throwaway key in the printed OCI config file.
"""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources as package_files
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from cmm_scan.emulate.core import Call, Emulator, EstateBase, HeaderTokenPaging, Problem, Provider, Reply, Route, page_size

SEARCH_PAGING = HeaderTokenPaging(items_key="items")
LIST_PAGING = HeaderTokenPaging()
EMULATOR_USER = "ocid1.user.oc1..emulatoruser"
# list paths whose API answers a *Collection object `{"items": [...]}` rather than a bare array (data: add paths here)
COLLECTION_LISTS = frozenset(
    {
        "20210415/containerinstances",
        "20200131/targets",
        "20200131/securityzones",
        "20210215/hostscantargets",
        "20200909/serviceconnectors",
        "20160918/container/repositories",
        "20210215/containerscantargets",
        "20210630/deploypipelines",
        "20210630/deploystages",
        "20210630/buildpipelines",
        "20210630/buildpipelinestages",
        "20210630/buildruns",
        "20210216/protectionpolicies",
        "20210731/dashboardgroups",
        "20210731/dashboards",
        "20200901/managementdashboards",
        "20220125/drprotectiongroups",
        "20220125/drplans",
        "20220125/drplanexecutions",
        "20200131/targets/*/targetdetectorrecipes",
        "20200131/targets/*/targetdetectorrecipes/*/detectorrules",
        "20200131/targets/*/targetresponderrecipes",
        "20200131/targets/*/targetresponderrecipes/*/responderrules",
    }
)
PAGING_PARAMS = {
    "limit",
    "page",
    "sortBy",
    "sortOrder",
    "compartmentIdInSubtree",
    "accessLevel",
    "compartmentId",
    "isRequiredSecurityZonesInSubtree",
}
# list parameters that widen a list from one compartment to its whole subtree
SUBTREE_FLAGS = ("compartmentIdInSubtree", "isRequiredSecurityZonesInSubtree")


# --- the estate ------------------------------------------------------------------------------


class OciObject(BaseModel):
    """An object as the OCI API returns it: `id` checked, every other key served as written."""

    model_config = ConfigDict(extra="allow")

    id: str

    @field_validator("id")
    @classmethod
    def _ocid(cls, value: str) -> str:
        if not re.fullmatch(r"ocid1\.[a-z0-9]+\.[a-z0-9-]+\.[a-z0-9-]*\.[A-Za-z0-9._-]+", value):
            raise ValueError("an OCI id is an OCID, like ocid1.instance.oc1.uk-london-1.aaaa...")
        return value

    def served(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


class Compartment(OciObject):
    compartmentId: str
    name: str
    lifecycleState: str = "ACTIVE"


class RegionSubscription(BaseModel):
    model_config = ConfigDict(extra="forbid")

    regionName: str
    regionKey: str
    status: str = "READY"
    isHomeRegion: bool = False


class Tenancy(OciObject):
    name: str
    homeRegionKey: str


Collection = list[OciObject]


class OciEstate(EstateBase):
    provider: Literal["oci"]
    tenancy: Tenancy | None = None
    regionSubscriptions: list[RegionSubscription] = Field(default_factory=list)
    compartments: list[Compartment] = Field(default_factory=list)
    resources: dict[str, Collection] = Field(default_factory=dict, description="list path → items, served in every region")
    regional: dict[str, dict[str, Collection]] = Field(default_factory=dict, description="region → list path → items")
    objects: dict[str, Any] = Field(
        default_factory=dict,
        description="exact path → the JSON it answers, in every region: a get that is no list item (a bucket by name, "
        "its lifecycle policy, a tenancy configuration) or a list whose items have no OCID (API keys)",
    )
    regional_objects: dict[str, dict[str, Any]] = Field(default_factory=dict, description="region → exact path → JSON")
    errors: dict[str, tuple[int, str]] = Field(
        default_factory=dict, description="exact path → [status, code] answered instead, e.g. [404, LifecyclePolicyNotFound]"
    )

    @field_validator("regional")
    @classmethod
    def _regions_are_subscribed(cls, value: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
        subscribed = {r.regionName for r in info.data.get("regionSubscriptions") or []} or {"uk-london-1"}  # none: the home
        for region in value:
            if region not in subscribed:
                raise ValueError(f"region {region} has resources but is not in regionSubscriptions")
        return value

    @model_validator(mode="after")
    def _no_retention_rules_on_a_versioned_bucket(self) -> OciEstate:
        """Object Storage refuses retention rules on a bucket with versioning enabled (and versioning on a bucket with
        rules): an estate holding both describes no real bucket, and a scan relies on the rule."""
        for table in (self.objects, *self.regional_objects.values()):
            for path, value in table.items():
                rules = table.get(path.rstrip("/") + "/retentionRules")
                listed = rules.get("items") if isinstance(rules, dict) else rules
                if isinstance(value, dict) and value.get("versioning") == "Enabled" and listed:
                    raise ValueError(f"bucket {path} has versioning Enabled and retention rules: OCI allows one or the other")
        return self


# --- derived views ---------------------------------------------------------------------------


@cache
def _search_types() -> dict[str, str]:
    text = package_files.files("cmm_scan.emulate").joinpath("data/oci-search-types.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def search_type(ocid: str) -> str:
    kind = ocid.split(".")[1]
    return _search_types().get(kind, kind[:1].upper() + kind[1:])


@dataclass
class OciState:
    estate: OciEstate
    tenancy_id: str
    compartments: dict[str, dict[str, Any]] = field(default_factory=dict)
    collections: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)  # (region or "", path) → items
    summaries: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # region → Search summaries, derived once

    def search_summaries(self, region: str) -> list[dict[str, Any]]:
        if region not in self.summaries:
            self.summaries[region] = [summary(item) for item in self.everything(region)]
        return self.summaries[region]

    def parent_chain(self, compartment_id: str) -> list[str]:
        """A compartment and every compartment above it, up to the tenancy."""
        chain, current = [], compartment_id
        while current and current not in chain:
            chain.append(current)
            current = self.compartments.get(current, {}).get("compartmentId", "")
        return chain

    def object(self, region: str, path: str) -> tuple[bool, Any]:
        """(found, JSON) of an exact-path object: the region's own first, then the global one."""
        for table in (self.estate.regional_objects.get(region, {}), self.estate.objects):
            for key, value in table.items():
                if key.strip("/").lower() == path:
                    return True, value
        return False, None

    def items(self, region: str, path: str) -> list[dict[str, Any]] | None:
        found = [self.collections.get(("", path)), self.collections.get((region, path))]
        if all(f is None for f in found):
            return None
        return [item for f in found if f for item in f]

    def everything(self, region: str) -> list[dict[str, Any]]:
        items = list(self.compartments.values())
        for (where, _), collection in self.collections.items():
            if where in ("", region):
                items += collection
        return items


def build_state(estate: OciEstate) -> OciState:
    tenancy_id = estate.tenancy.id if estate.tenancy else "ocid1.tenancy.oc1..emulatortenancy"
    state = OciState(estate, tenancy_id)
    for compartment in estate.compartments:
        state.compartments[compartment.id] = compartment.served()
    for path, collection in estate.resources.items():
        state.collections[("", path.strip("/").lower())] = [o.served() for o in collection]
    for region, paths in estate.regional.items():
        for path, collection in paths.items():
            state.collections[(region, path.strip("/").lower())] = [o.served() for o in collection]
    return state


def summary(item: dict[str, Any]) -> dict[str, Any]:
    """A Search ResourceSummary derived from an object."""
    result = {
        "resourceType": search_type(item["id"]),
        "identifier": item["id"],
        "compartmentId": item.get("compartmentId"),
        "timeCreated": item.get("timeCreated"),
        "displayName": item.get("displayName") or item.get("name"),
        "availabilityDomain": item.get("availabilityDomain"),
        "lifecycleState": item.get("lifecycleState"),
        "freeformTags": item.get("freeformTags") or {},
        "definedTags": item.get("definedTags") or {},
        "systemTags": item.get("systemTags") or {},
    }
    return {k: v for k, v in result.items() if v is not None}


# --- the structured search query subset ----------------------------------------------------

_QUERY = re.compile(
    r"^\s*query\s+(?P<types>all|[\w]+(?:\s*,\s*[\w]+)*)\s+resources"
    r"(?:\s+return\s+allAdditionalFields)?"
    r"(?:\s+where\s+(?P<where>.+?))?"
    r"(?:\s+sorted\s+by\s+(?P<sort>\w+)(?:\s+(?P<order>asc|desc))?)?\s*$",
    re.IGNORECASE | re.DOTALL,
)
_CONDITION = re.compile(r"^\s*(?P<field>[\w.]+)\s*(?P<op>!=|=~|!=~|>=|<=|=|>|<)\s*'(?P<value>[^']*)'\s*$")


def parse_search(query: str) -> tuple[set[str] | None, list[list[tuple[str, str, str]]], tuple[str, bool] | None]:
    """(types or None for all, conditions as OR of ANDs, sort) — or a Problem for anything else."""
    m = _QUERY.match(query)
    if not m:
        raise Problem("bad_request", f"Unsupported or invalid search query: {query!r}", code="InvalidParameter")
    types = None if m.group("types").lower() == "all" else {t.strip().lower() for t in m.group("types").split(",")}
    groups: list[list[tuple[str, str, str]]] = []
    if m.group("where"):
        for alternative in re.split(r"\|\||\s+or\s+", m.group("where"), flags=re.IGNORECASE):
            conditions = []
            for part in re.split(r"&&|\s+and\s+", alternative, flags=re.IGNORECASE):
                c = _CONDITION.match(part.strip().strip("()"))
                if not c:
                    raise Problem("bad_request", f"Unsupported search condition {part.strip()!r}", code="InvalidParameter")
                conditions.append((c.group("field"), c.group("op"), c.group("value")))
            groups.append(conditions)
    sort = (m.group("sort"), (m.group("order") or "asc").lower() == "desc") if m.group("sort") else None
    return types, groups, sort


def _field(result: dict[str, Any], name: str) -> list[str]:
    """The values a condition's field names: plain fields, or tag keys and values."""
    low = name.lower()
    if low in ("freeformtags.key", "freeformtags.value"):
        tags = result.get("freeformTags") or {}
        return list(tags) if low.endswith("key") else [str(v) for v in tags.values()]
    for key, value in result.items():
        if key.lower() == low and value is not None:
            return [str(value)]
    return []


def _holds(result: dict[str, Any], condition: tuple[str, str, str]) -> bool:
    name, op, wanted = condition
    values = _field(result, name)
    if op == "=":
        return any(v.lower() == wanted.lower() for v in values)
    if op == "!=":
        return all(v.lower() != wanted.lower() for v in values)
    if op == "=~":
        return any(wanted.lower() in v.lower() for v in values)
    if op == "!=~":
        return all(wanted.lower() not in v.lower() for v in values)
    return any({">": v > wanted, "<": v < wanted, ">=": v >= wanted, "<=": v <= wanted}[op] for v in values)


# --- handlers --------------------------------------------------------------------------------


def _state(call: Call) -> OciState:
    return call.state


def _region(call: Call) -> str:
    region = call.params["region"]
    subscribed = {r.regionName for r in _state(call).estate.regionSubscriptions}
    if subscribed and region not in subscribed:
        raise Problem("unrouted", f"region {region} is not subscribed by this tenancy")
    return region


def _hidden(call: Call, compartment_id: str | None) -> bool:
    return bool(compartment_id) and any(call.denied(call.operation, c) for c in _state(call).parent_chain(compartment_id or ""))


def search_resources(call: Call) -> Reply:
    region, body = _region(call), call.json()
    if body.get("type") != "Structured":
        raise Problem("bad_request", "the emulator answers only Structured search queries", code="InvalidParameter")
    types, groups, sort = parse_search(body.get("query", ""))
    results = []
    for result in _state(call).search_summaries(region):
        if types is not None and result["resourceType"].lower() not in types:
            continue
        if _hidden(call, result.get("compartmentId")):
            continue  # Search returns only what the caller may inspect
        if groups and not any(all(_holds(result, c) for c in conditions) for conditions in groups):
            continue
        results.append(result)
    if sort:
        results.sort(key=lambda r: str(r.get(sort[0]) or ""), reverse=sort[1])
    return SEARCH_PAGING.reply(call, results)


def list_compartments(call: Call) -> Reply:
    _region(call)
    state, parent = _state(call), call.query.get("compartmentId")
    if not parent:
        raise Problem("bad_request", "compartmentId is required", code="MissingParameter")
    subtree = call.query.get("compartmentIdInSubtree", "false").lower() == "true"
    if subtree and parent != state.tenancy_id:
        raise Problem("bad_request", "compartmentIdInSubtree is only valid for the tenancy (root compartment)", code="InvalidParameter")
    found = []
    for compartment in state.compartments.values():
        chain = state.parent_chain(compartment["compartmentId"])
        # accessLevel=ANY does no permission check (OCI lists every compartment); ACCESSIBLE leaves out the denied ones
        hidden = call.query.get("accessLevel", "ANY").upper() == "ACCESSIBLE" and _hidden(call, compartment["id"])
        if (parent in chain if subtree else compartment["compartmentId"] == parent) and not hidden:
            found.append(compartment)
    return LIST_PAGING.reply(call, _filtered(call, found))


def get_compartment(call: Call) -> Reply:
    _region(call)
    found = _state(call).compartments.get(call.params["id"])
    if found is None:
        raise Problem("not_found", f"Authorization failed or requested resource not found: {call.params['id']}")
    return Reply(found)


def get_tenancy(call: Call) -> Reply:
    _region(call)
    state = _state(call)
    if call.params["id"] != state.tenancy_id or state.estate.tenancy is None:
        raise Problem("not_found", "Authorization failed or requested resource not found.")
    return Reply(state.estate.tenancy.served())


# the subscription served when an estate lists none: every tenancy subscribes its home region, and the printed
# config file names uk-london-1 then
HOME_SUBSCRIPTION = RegionSubscription(regionName="uk-london-1", regionKey="LHR", status="READY", isHomeRegion=True)


def list_region_subscriptions(call: Call) -> Reply:
    _region(call)
    if call.params["id"] != _state(call).tenancy_id:
        raise Problem("not_found", "Authorization failed or requested resource not found.")
    return Reply([r.model_dump() for r in _state(call).estate.regionSubscriptions or [HOME_SUBSCRIPTION]])


def list_resource_types(call: Call) -> Reply:
    """Search's ListResourceTypes: the types the emulator derives summaries for."""
    _region(call)
    names = dict.fromkeys(sorted(_search_types().values()))
    return LIST_PAGING.reply(call, [{"name": name, "fields": []} for name in names])


def _domains(state: OciState) -> list[dict[str, Any]]:
    """The estate's identity domains (`20160918/domains`), else the one every tenancy now has: Default."""
    declared = state.collections.get(("", "20160918/domains"))
    if declared is not None:
        return declared
    return [
        {
            "id": "ocid1.domain.oc1..default",
            "compartmentId": state.tenancy_id,
            "displayName": "Default",
            "type": "DEFAULT",
            "isHiddenOnLogin": False,
            "lifecycleState": "ACTIVE",
            "url": "https://idcs-default.identity.oraclecloud.com:443",
            "homeRegionUrl": "https://idcs-default.identity.oraclecloud.com:443",
        }
    ]


def list_domains(call: Call) -> Reply:
    """Identity ListDomains: in the compartment asked (the tenancy holds the Default domain)."""
    _region(call)
    compartment = call.query.get("compartmentId")
    if not compartment:
        raise Problem("bad_request", "compartmentId is required", code="MissingParameter")
    found = [d for d in _domains(_state(call)) if d.get("compartmentId") == compartment]
    return LIST_PAGING.reply(call, _filtered(call, found))


# identity domain (SCIM) list resource -> (the legacy per-user list it mirrors, its SCIM schema)
SCIM_CREDENTIALS = {
    "apikeys": ("apiKeys", "urn:ietf:params:scim:schemas:oracle:idcs:apikey"),
    "authtokens": ("authTokens", "urn:ietf:params:scim:schemas:oracle:idcs:authToken"),
    "customersecretkeys": ("customerSecretKeys", "urn:ietf:params:scim:schemas:oracle:idcs:customerSecretKey"),
}


def _active(item: dict[str, Any]) -> bool:
    """ACTIVE in any case; an object written without a state (or a null one) is taken as active, as the scanner does."""
    return str(item.get("lifecycleState") or "ACTIVE").upper() == "ACTIVE"


def _scim_user(user: dict[str, Any]) -> dict[str, Any]:
    """An IAM user as its Default domain's SCIM User shows it (federated users carry the directory's externalId)."""
    found = {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "id": user["id"],
        "ocid": user["id"],
        "userName": user.get("name") or user["id"],
        "active": _active(user),
        "externalId": user.get("externalIdentifier"),
    }
    return {k: v for k, v in found.items() if v is not None}


def _scim_credential(kind: str, user: dict[str, Any], item: dict[str, Any]) -> dict[str, Any] | None:
    """A legacy credential (ApiKey, AuthToken, CustomerSecretKey) as the identity domain's SCIM resource shows it:
    the owner under `user`, the creation time under `meta.created`, ACTIVE/INACTIVE under `status` (API keys have none:
    the domain lists only the keys in use)."""
    state = str(item.get("lifecycleState") or "ACTIVE").upper()
    ident = str(item.get("keyId") or item.get("id") or "")
    if kind == "apikeys" and state != "ACTIVE":
        return None
    found: dict[str, Any] = {
        "schemas": [SCIM_CREDENTIALS[kind][1]],
        "id": hashlib.sha256(ident.encode()).hexdigest()[:32],
        "ocid": ident if ident.startswith("ocid1.") else None,
        "user": {"value": hashlib.sha256(user["id"].encode()).hexdigest()[:32], "ocid": user["id"], "name": user.get("name")},
        "meta": {"created": item.get("timeCreated"), "resourceType": SCIM_CREDENTIALS[kind][1].rsplit(":", 1)[1]},
        "fingerprint": item.get("fingerprint") if kind == "apikeys" else None,
        "status": None if kind == "apikeys" else ("ACTIVE" if state == "ACTIVE" else "INACTIVE"),
        "expiresOn": item.get("timeExpires"),
        "description": item.get("description") or item.get("displayName"),
    }
    return {k: v for k, v in found.items() if v is not None}


# Oracle's seeded sign-on rule, in every domain whose estate declares none: the Default Sign-On Policy's Default
# Sign-On Rule lets everyone in with a password alone (no `mfaRequired` return)
DEFAULT_SIGNON_RULES = [
    {
        "schemas": ["urn:ietf:params:scim:schemas:oracle:idcs:Rule"],
        "id": "DefaultIDCSSignOnRule",
        "name": "Default Sign-On Rule",
        "active": True,
        "locked": False,
        "policyType": {"value": "SignOn"},
        "conditionGroup": {"value": "AlwaysTrueCondition", "type": "Condition"},
        "return": [{"name": "effect", "value": "ALLOW"}, {"name": "reAuthenticate", "value": "false"}],
    }
]
# the domain's MFA settings where the estate declares none: app passcodes, app notifications and FIDO keys
DEFAULT_FACTOR_SETTINGS = {
    "schemas": ["urn:ietf:params:scim:schemas:oracle:idcs:AuthenticationFactorSettings"],
    "id": "AuthenticationFactorSettings",
    "totpEnabled": True,
    "pushEnabled": True,
    "fidoAuthenticatorEnabled": True,
    "smsEnabled": False,
    "phoneCallEnabled": False,
    "emailEnabled": False,
    "securityQuestionsEnabled": False,
    "bypassCodeEnabled": False,
    "yubicoOtpEnabled": False,
}
SCIM_FILTER = re.compile(r'^\s*([\w.]+)\s+eq\s+"?([^"]*)"?\s*$', re.IGNORECASE)


def _scim_filtered(call: Call, resources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The one SCIM filter the scan sends to these lists, `attr.path eq "value"` (case-insensitive, as IDCS compares)."""
    raw = call.query.get("filter")
    if not raw:
        return resources
    match = SCIM_FILTER.match(raw)
    if not match:
        raise Problem("bad_request", f"filter {raw!r} is not `attribute eq value`")
    path, wanted = match.group(1).split("."), match.group(2).lower()

    def value(item: Any) -> Any:
        for part in path:
            item = item.get(part) if isinstance(item, dict) else None
        return item

    return [r for r in resources if str(value(r)).lower() == wanted]


def _scim_page(call: Call, found: list[dict[str, Any]]) -> Reply:
    raw_start, raw_count = call.query.get("startIndex") or "1", call.query.get("count")
    if not raw_start.isdigit() or int(raw_start) < 1:
        raise Problem("bad_request", f"startIndex {raw_start!r} is not a 1-based index")
    start, size = int(raw_start), min(page_size(call, raw_count), 1000)  # SCIM: at most 1000 resources a page
    chunk = found[start - 1 : start - 1 + size]
    return Reply(
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
            "totalResults": len(found),
            "Resources": chunk,
            "startIndex": start,
            "itemsPerPage": len(chunk),
        }
    )


def get_scim_resource(call: Call) -> Reply:
    """An identity domain's single resource (`/admin/v1/AuthenticationFactorSettings/AuthenticationFactorSettings`):
    the estate's object at that path, else the domain's default MFA settings."""
    region, state = _region(call), _state(call)
    path = f"admin/v1/{call.params['resource']}/{call.params['id']}"
    declared, _ = state.object(region, path.lower())
    error = any(p.strip("/").lower() == path.lower() for p in state.estate.errors)
    if declared or error or call.params["resource"].lower() != "authenticationfactorsettings":
        call.params["path"] = path
        return generic_get(call)
    return Reply(DEFAULT_FACTOR_SETTINGS)


def list_scim_credentials(call: Call) -> Reply:
    """An identity domain's credentials of one kind for every user (SCIM ListResponse, `startIndex`/`count` paging),
    derived from the estate's per-user lists (`20160918/users/{id}/apiKeys`...): one source for both APIs."""
    region, state, kind = _region(call), _state(call), call.params["resource"].lower()
    if kind == "rules":  # sign-on (and other) policy rules: the estate's ListResponse, else Oracle's seeded one
        declared, listed = state.object(region, "admin/v1/rules")
        error = any(p.strip("/").lower() == "admin/v1/rules" for p in state.estate.errors)
        if not error:
            resources = listed.get("Resources") if isinstance(listed, dict) else listed  # a bare list of Rules too
            rules = [r for r in resources or [] if isinstance(r, dict)] if declared else DEFAULT_SIGNON_RULES
            return _scim_page(call, _scim_filtered(call, rules))
    if kind not in SCIM_CREDENTIALS and (kind != "users" or state.object(region, "admin/v1/users")[0]):
        call.params["path"] = f"admin/v1/{call.params['resource']}"  # the domain's other lists are the estate's own objects
        return generic_get(call)
    found = []
    for user in state.items(region, "20160918/users") or []:
        if kind == "users":  # the Default domain's users are the tenancy's IAM users, unless the estate gives them
            if call.query.get("filter") != "active eq true" or _active(user):
                found.append(_scim_user(user))
            continue
        listed = state.object(region, f"20160918/users/{user['id']}/{SCIM_CREDENTIALS[kind][0]}".lower())[1]
        if isinstance(listed, dict):  # written as a collection object, as other sub-lists may be
            listed = listed.get("items")
        found += [c for item in listed or [] if isinstance(item, dict) and (c := _scim_credential(kind, user, item))]
    return _scim_page(call, found)


def list_regions(call: Call) -> Reply:
    _region(call)
    return Reply([{"key": r.regionKey, "name": r.regionName} for r in _state(call).estate.regionSubscriptions])


def _filtered(call: Call, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Query parameters naming a field of the items (lifecycleState, displayName...) filter them."""
    for name, value in call.query.items():
        if name not in PAGING_PARAMS and value != "ALL" and any(name in item for item in items):  # targetType=ALL: every kind
            items = [i for i in items if str(i.get(name)) == value]
    return items


@cache
def _known_lists() -> list[str]:
    text = package_files.files("cmm_scan.emulate").joinpath("data/oci-list-paths.yaml").read_text(encoding="utf-8")
    return [str(p).lower() for p in yaml.safe_load(text)]


def _known_list(path: str) -> bool:
    return any(fnmatch.fnmatchcase(path, pattern) for pattern in _known_lists())


def _collection_list(path: str) -> bool:
    """The list answers a *Collection object `{"items": [...]}` (COLLECTION_LISTS, `*` one path segment)."""
    return path in COLLECTION_LISTS or any(
        "*" in p and fnmatch.fnmatchcase(path, p) and path.count("/") == p.count("/") for p in COLLECTION_LISTS
    )


def _sub_collection_of_visible_item(call: Call, state: OciState, region: str, path: str) -> bool:
    """`{list path}/{id or name}/{name}` (a user's API keys, a pool's instances, a bucket's retention rules, a Cloud
    Guard target's recipes) where the item exists and is not denied. The list may be an exact-path object
    (`{"items": [...]}` or a bare list)."""
    head, _, leaf = path.rpartition("/")
    parent, _, item_id = head.rpartition("/")
    if not parent or not leaf or "." in leaf:
        return False
    found, listed = state.object(region, parent)
    objects = (listed.get("items") if isinstance(listed, dict) else listed) if found else None
    for item in state.items(region, parent) or objects or []:
        if item_id in (str(item.get("id", "")).lower(), str(item.get("name", "")).lower()):
            return not _hidden(call, item.get("compartmentId"))
    return False


def _with_lifecycle_etag(state: OciState, region: str, path: str, value: Any) -> Any:
    """GetBucket names the ETag of the bucket's live lifecycle policy (`objectLifecyclePolicyEtag`), null when it has
    none: derived from the estate's policy object (`n/{ns}/b/{name}/l`) unless the bucket object gives it."""
    if not (isinstance(value, dict) and re.fullmatch(r"n/[^/]+/b/[^/]+", path)) or "objectLifecyclePolicyEtag" in value:
        return value
    has_policy, _ = state.object(region, path + "/l")
    etag = hashlib.sha256(path.encode()).hexdigest()[:16] if has_policy else None
    return {**value, "objectLifecyclePolicyEtag": etag}


def generic_operation(call: Call) -> str:
    path = call.params["path"].strip("/")
    items = _state(call).items(call.params["region"], path.lower())
    return f"{'list' if items is not None else 'get'} {path}"


def generic_get(call: Call) -> Reply:
    """Any list path of the estate (items in `compartmentId`, paged) or `{list path}/{id}`."""
    state, region, path = _state(call), _region(call), call.params["path"].strip("/").lower()
    error = next((e for p, e in state.estate.errors.items() if p.strip("/").lower() == path), None)
    if error:
        return Reply({"code": error[1], "message": f"{error[1]} (emulated)"}, error[0])
    found, value = state.object(region, path)
    if found:
        return Reply(_with_lifecycle_etag(state, region, path, value))
    items = state.items(region, path)
    if items is not None:
        compartment = call.query.get("compartmentId")
        if compartment is not None and any(call.query.get(f, "false").lower() == "true" for f in SUBTREE_FLAGS):
            items = [
                i for i in items if compartment in state.parent_chain(i.get("compartmentId")) and not _hidden(call, i.get("compartmentId"))
            ]
        elif compartment is not None:
            items = [i for i in items if i.get("compartmentId") == compartment]
        paging = SEARCH_PAGING if _collection_list(path) else LIST_PAGING
        return paging.reply(call, _filtered(call, items))
    # ListDashboards lists by group, ListDrPlans and ListDrPlanExecutions by DR protection group
    parent_filter = call.query.get("compartmentId") or call.query.get("dashboardGroupId") or call.query.get("drProtectionGroupId")
    if parent_filter and _known_list(path):
        # a list API the estate holds nothing for: an empty compartment (or group), as OCI answers
        return LIST_PAGING.reply(call, [])
    if _sub_collection_of_visible_item(call, state, region, path):
        # an existing resource's sub-list the estate leaves out is empty, as OCI answers
        return (SEARCH_PAGING if _collection_list(path) else LIST_PAGING).reply(call, [])
    parent, _, item_id = call.params["path"].strip("/").rpartition("/")
    for item in state.items(region, parent.lower()) or []:
        if item_id in (item.get("id"), item.get("name")):  # buckets are got by name
            if _hidden(call, item.get("compartmentId")):
                break
            return Reply(_with_lifecycle_etag(state, region, path, item))
    raise Problem("not_found", "Authorization failed or requested resource not found.")


# --- the provider ---------------------------------------------------------------------------

ROUTES: list[Route] = [  # data: method, path template (region first), operation, handler
    Route("POST", "/{region}/20180409/resources", "search.resources", search_resources),
    Route("GET", "/{region}/20180409/resourceTypes", "search.resourceTypes.list", list_resource_types),
    Route("GET", "/{region}/20160918/compartments", "identity.compartments.list", list_compartments),
    Route("GET", "/{region}/20160918/compartments/{id}", "identity.compartments.get", get_compartment),
    Route("GET", "/{region}/20160918/tenancies/{id}/regionSubscriptions", "identity.regionSubscriptions.list", list_region_subscriptions),
    Route("GET", "/{region}/20160918/tenancies/{id}", "identity.tenancies.get", get_tenancy),
    Route("GET", "/{region}/20160918/regions", "identity.regions.list", list_regions),
    Route("GET", "/{region}/20160918/domains", "list 20160918/domains", list_domains),
    # an identity domain's own endpoint (its `url`): under the emulator's one endpoint, every domain's lists are served here
    Route("GET", "/{region}/admin/v1/{resource}", "list admin/v1/{resource}", list_scim_credentials),
    Route("GET", "/{region}/admin/v1/{resource}/{id}", "get admin/v1/{resource}/{id}", get_scim_resource),
    Route("GET", "/{region}/{path*}", generic_operation, generic_get),
]

ERRORS = {
    "bad_request": (400, "InvalidParameter"),
    "unauthenticated": (401, "NotAuthenticated"),
    "denied": (404, "NotAuthorizedOrNotFound"),  # OCI does not tell "denied" from "not there"
    "not_found": (404, "NotAuthorizedOrNotFound"),
    "unrouted": (404, "NotFound"),
    "throttled": (429, "TooManyRequests"),
    "failed": (500, "InternalServerError"),
}


class Oci(Provider):
    name = "oci"
    tls = False  # the OCI SDK signs requests and accepts plain http
    estate_model = OciEstate
    errors = ERRORS
    routes = ROUTES

    def __init__(self) -> None:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        der = self.key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        self.fingerprint = ":".join(f"{b:02x}" for b in hashlib.md5(der, usedforsecurity=False).digest())
        self.tenancy_id = ""

    def index(self, estate: EstateBase) -> OciState:
        assert isinstance(estate, OciEstate)
        state = build_state(estate)
        self.tenancy_id = state.tenancy_id
        return state

    def error_body(self, call: Call, status: int, code: str, message: str) -> Any:
        return {"code": code, "message": message}

    def authenticate(self, call: Call) -> str | None:
        """The request carries a valid draft-cavage signature made with the emulator's key."""
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        header = call.headers.get("Authorization") or ""
        if not header.startswith("Signature "):
            return "The required information to complete authentication was not provided."
        fields = dict(re.findall(r'(\w+)="([^"]*)"', header))
        expected = f"{self.tenancy_id}/{EMULATOR_USER}/{self.fingerprint}"
        if fields.get("keyId") != expected:
            return f"keyId {fields.get('keyId')!r} is not the emulator's ({expected}); use the printed OCI_CONFIG_FILE"
        lines = []
        for name in (fields.get("headers") or "").split():
            if name == "(request-target)":
                lines.append(f"(request-target): {call.method.lower()} {call.target}")
            else:
                lines.append(f"{name}: {call.headers.get(name, '')}")
        try:
            signature = base64.b64decode(fields.get("signature", ""))
            self.key.public_key().verify(signature, "\n".join(lines).encode(), padding.PKCS1v15(), hashes.SHA256())
        except (InvalidSignature, ValueError):
            return "The request signature does not verify with the emulator's key."
        return None

    def scope_of(self, call: Call) -> list[str]:
        """The compartment a request is about, and every compartment above it."""
        state = _state(call)
        target = call.query.get("compartmentId") or call.params.get("id") or ""
        if not target and "path" in call.params:
            parent, _, item_id = call.params["path"].strip("/").rpartition("/")
            item = next((i for i in state.items(call.params["region"], parent.lower()) or [] if i.get("id") == item_id), {})
            target = item.get("compartmentId", "")
        return state.parent_chain(target) if target else [call.path]

    def prepare(self, emulator: Emulator, workdir: Path) -> None:
        from cryptography.hazmat.primitives import serialization

        key_path = workdir / "oci_api_key.pem"
        pem = self.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        key_path.write_bytes(pem)
        key_path.chmod(0o600)
        estate: OciEstate = emulator.estate  # type: ignore[assignment]
        home = next((r.regionName for r in estate.regionSubscriptions if r.isHomeRegion), "uk-london-1")
        self.config_path = workdir / "oci-config"
        self.config_path.write_text(
            "[DEFAULT]\n"
            f"user={EMULATOR_USER}\n"
            f"fingerprint={self.fingerprint}\n"
            f"key_file={key_path}\n"
            f"tenancy={self.tenancy_id}\n"
            f"region={home}\n"
        )
        self.config_path.chmod(0o600)

    def settings(self, emulator: Emulator) -> dict[str, str]:
        return {"OCI_CONFIG_FILE": str(self.config_path), "CMM_SCAN_OCI_ENDPOINT": f"{emulator.url}/{{region}}"}


def provider() -> Oci:
    return Oci()
