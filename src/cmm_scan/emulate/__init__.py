"""Local cloud emulators: an estate file, written in a provider's own API shapes, served to the
real SDKs on 127.0.0.1 (`cmm-scan emulate azure|gcp|oci --estate FILE`, and a pytest fixture).

One generic core (`core.py`) and one small module per provider. The core does everything that
is not about one cloud: the threaded server (https with a throwaway CA when `Provider.tls`),
estate loading and validation (errors name file, line and path), routing, deny/throttle/fail/
latency faults (deterministic by seed), paging helpers, and the request log (JSON lines:
method, path, query, operation, status; in memory as `Emulator.requests`, and to a file).

Adding a provider (or routes to one) — the whole interface
----------------------------------------------------------
A provider module `cmm_scan/emulate/<name>.py` defines a `Provider` subclass and a `provider()`
factory, and is listed in `MODULES` below (azure.py, gcp.py and oci.py are worked examples; to
add routes to one, append a `Route` to its `ROUTES` list, before the catch-all last route):

    class Gcp(Provider):
        name = "gcp"
        tls = False                         # plain http where the SDK allows it
        estate_model = GcpEstate            # EstateBase subclass: provider: Literal["gcp"], + its keys
        errors = {                          # the provider's own status and code per kind of problem
            "bad_request": (400, "INVALID_ARGUMENT"), "unauthenticated": (401, "UNAUTHENTICATED"),
            "denied": (403, "PERMISSION_DENIED"), "not_found": (404, "NOT_FOUND"),
            "unrouted": (404, "NOT_FOUND"), "throttled": (429, "RESOURCE_EXHAUSTED"),
            "failed": (500, "INTERNAL"),
        }
        routes = [                          # data: method, path template, operation, handler
            Route("GET", "/v1/{scope*}:searchAllResources", "cloudasset.assets.searchAllResources", search),
            Route("GET", "/{path*}", lambda call: f"get {call.path}", generic_get),
        ]
        def index(self, estate): ...        # derived views, built once per load; handlers read call.state
        def error_body(self, call, status, code, message): ...   # the provider's error JSON
        def authenticate(self, call): ...   # None if the request's credentials are acceptable, else why (401)
        def scope_of(self, call): ...       # the scope(s) deny-fault `scope` globs match (default: the path);
                                            # a list for several names or the scope's ancestors
        def throttled(self, call, throttle): ...  # default: errors["throttled"] + Retry-After
        def prepare(self, emulator, workdir): ... # write key/config files clients need (on every load)
        def settings(self, emulator): ...   # {"ENV_VAR": value} printed as `export` lines / Emulator.env

Routes are tried in order, first match wins. Templates use `{name}` for one path segment and
`{name*}` for one or more; matching is case-insensitive; the path has `//` collapsed and no
query string (`call.query` holds the first value of each parameter). The operation (a string
formatted with the template parameters, or a function of the Call) names what the request does
— the permission it needs where the cloud has one — and is what deny faults, throttle/fail
`operations` globs and the request log see. A handler takes a `Call` (method, path, query,
headers, json(), params, state, emulator, denied(op, scope)) and returns a `Reply(body, status,
headers)`, or raises `Problem(kind, message, code=None)` to answer with the provider's error
shape. Unhandled handler exceptions become a 400 in the provider's shape, never a 5xx that
SDKs would retry for minutes.

`Call` also has `values(name)` (every value of a repeated query parameter), `target` (the
request target as sent, for signature checks) and `operation` (resolved before the handler).

Paging styles (core): `NextLinkPaging` (Azure `nextLink`/`@odata.nextLink` + `$skiptoken`),
`BodyTokenPaging` (Google `pageToken`/`pageSize` → `nextPageToken`), `HeaderTokenPaging` (OCI
`page`/`limit` → `opc-next-page` header, bare array or `{"items": [...]}`); each has
`.reply(call, items, extra=None)` and honours the server's `--page-size` (the smaller of it and
the client's own page size). Tokens are opaque offsets (`encode_token`/`decode_token`, `window`).

Faults (estate key `faults:` or CLI options), checked in this order for every request:
latency → route matched (names the operation) → `authenticate` → unrouted (errors["unrouted"])
→ `deny` (operation and/or scope globs; `Provider.scope_of`) → `throttle` (share, retry_after,
operations) → `fail` (share, status, operations) → handler. Handlers that list many scopes call `call.denied(op, scope)` to
leave denied ones out (as the clouds do for tenant-wide listings).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from cmm_scan.errors import UserError

if TYPE_CHECKING:
    from cmm_scan.emulate.core import Provider

# provider name → module with a `provider()` factory
MODULES: dict[str, str] = {
    "azure": "cmm_scan.emulate.azure",
    "gcp": "cmm_scan.emulate.gcp",
    "oci": "cmm_scan.emulate.oci",
    "github": "cmm_scan.emulate.github",
}


def provider(name: str) -> Provider:
    """A fresh Provider for `name`; a UserError when the emulator does not serve that cloud yet."""
    if name not in MODULES:
        served = ", ".join(sorted(MODULES))
        raise UserError(f"there is no {name} emulator yet (served: {served})")
    return import_module(MODULES[name]).provider()  # type: ignore[no-any-return]
