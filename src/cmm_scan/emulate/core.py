"""The generic emulator server: routing, faults, paging, TLS and the request log.

Nothing here knows a cloud. A provider module (azure.py, ...) supplies a `Provider` subclass:
its estate model, its routes (data: method, path template, operation, handler) and its error
shapes; see the package docstring for the interface.
"""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import json
import re
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO, Any, ClassVar, Literal
from urllib.parse import parse_qsl, urlencode, urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from cmm_scan.errors import UserError

# --- estate envelope and faults ----------------------------------------------------------


class Strict(BaseModel):
    """Our own envelope keys: unknown keys and wrong types are refused."""

    model_config = ConfigDict(extra="forbid")


class Deny(Strict):
    """Refuse requests whose operation and/or scope match (globs, case-insensitive)."""

    operation: str | None = None
    scope: str | None = None

    @field_validator("scope")
    @classmethod
    def _no_trailing_slash(cls, value: str | None) -> str | None:
        return value.rstrip("/") if value else value

    @model_validator(mode="after")
    def _names_something(self) -> Deny:
        if self.operation is None and self.scope is None:
            raise ValueError("a deny entry needs an operation, a scope or both")
        return self


class Share(Strict):
    """A share (0..1) of the requests whose operation matches one of `operations`."""

    share: float = Field(ge=0, le=1)
    operations: list[str] = Field(default_factory=lambda: ["*"])


class Throttle(Share):
    retry_after: float = Field(default=1, ge=0, description="seconds, sent as Retry-After")


class Fail(Share):
    status: int = Field(default=500, ge=500, le=599)


class Faults(Strict):
    """Faults on demand, deterministic by `seed`: the n-th occurrence of the same request always
    gets the same answer, whatever the thread interleaving."""

    seed: int = 0
    deny: list[Deny] = Field(default_factory=list)
    throttle: Throttle | None = None
    fail: Fail | None = None
    latency_ms: int = Field(default=0, ge=0)

    @field_validator("throttle", "fail", mode="before")
    @classmethod
    def _share_shorthand(cls, value: Any) -> Any:
        return {"share": value} if isinstance(value, int | float) and not isinstance(value, bool) else value

    def denies(self, operation: str, scope: str) -> bool:
        return any(_deny_matches(d, operation, scope) for d in self.deny)


def _deny_matches(deny: Deny, operation: str, scope: str) -> bool:
    if deny.operation is not None and not fnmatch.fnmatchcase(operation.lower(), deny.operation.lower()):
        return False
    if deny.scope is not None:
        want, have = deny.scope.lower(), scope.lower().rstrip("/")
        if not (have == want or have.startswith(want + "/") or fnmatch.fnmatchcase(have, want)):
            return False
    return deny.operation is not None or deny.scope is not None


class EstateBase(Strict):
    """Every estate file: a provider's module adds its own keys (in the provider's API shapes)."""

    provider: str
    faults: Faults = Field(default_factory=Faults)


# --- requests, replies, routes --------------------------------------------------------------


@dataclass
class Reply:
    """What a handler answers: a JSON-able body (or bytes), a status and extra headers."""

    body: Any = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


class Problem(Exception):
    """Raised by handlers: answered with the provider's error shape for `kind`
    (one of Provider.errors' keys: bad_request, not_found, denied, ...)."""

    def __init__(self, kind: str, message: str, code: str | None = None):
        super().__init__(message)
        self.kind, self.message, self.code = kind, message, code


@dataclass
class Call:
    """One request as a handler sees it."""

    method: str
    path: str  # without the query string, `//` collapsed
    query: dict[str, str]  # first value of each parameter
    headers: Mapping[str, str]
    raw_body: bytes
    emulator: Emulator
    params: dict[str, str] = field(default_factory=dict)  # from the route template
    operation: str = "unrouted"
    multi: dict[str, list[str]] = field(default_factory=dict)  # every value of repeated parameters
    target: str = ""  # the request target exactly as sent (path and query), for signature checks
    bug: str = ""  # an exception the emulator raised answering it: logged, so a test can tell it from a client's error

    def values(self, name: str) -> list[str]:
        """Every value of a query parameter that may repeat (`assetTypes=a&assetTypes=b`)."""
        return self.multi.get(name, [])

    @property
    def state(self) -> Any:
        """The provider's index of the loaded estate (Provider.index)."""
        return self.emulator.state

    @property
    def faults(self) -> Faults:
        return self.emulator.faults

    def json(self) -> Any:
        if not self.raw_body.strip():
            return {}
        try:
            return json.loads(self.raw_body)
        except ValueError:
            raise Problem("bad_request", "the request body is not valid JSON") from None

    def url(self, **query: str | None) -> str:
        """This request's absolute URL with some query parameters replaced (None removes one)."""
        merged = {**self.query, **query}
        qs = urlencode({k: v for k, v in merged.items() if v is not None})
        return f"{self.emulator.url}{self.path}" + (f"?{qs}" if qs else "")

    def denied(self, operation: str, scope: str) -> bool:
        return self.emulator.faults.denies(operation, scope)


Handler = Callable[[Call], Reply]


@dataclass
class Route:
    """`template` is a path with `{name}` (one segment) and `{name*}` (one or more segments)
    parameters, matched case-insensitively. `operation` names what the request does (the
    permission it needs where the cloud has one): a str formatted with the parameters, or a
    function of the Call. Deny faults and the request log use it."""

    method: str
    template: str
    operation: str | Callable[[Call], str]
    handler: Handler
    pattern: re.Pattern[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        parts = re.split(r"(\{\w+\*?\})", self.template)
        regex = "".join(
            (f"(?P<{p[1:-2]}>.+?)" if p.endswith("*}") else f"(?P<{p[1:-1]}>[^/]+?)") if p.startswith("{") else re.escape(p) for p in parts
        )
        self.pattern = re.compile(f"^{regex}$", re.IGNORECASE)

    def operation_for(self, call: Call) -> str:
        return self.operation(call) if callable(self.operation) else self.operation.format(**call.params)


# --- paging ----------------------------------------------------------------------------------


def encode_token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode().rstrip("=")


def decode_token(token: str | None) -> int:
    if not token:
        return 0
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        kind, _, number = text.partition(":")
        if kind == "offset" and number.isdigit():
            return int(number)
    except ValueError:
        pass
    raise Problem("bad_request", f"invalid page token {token!r}")


def page_size(call: Call, requested: str | int | None) -> int:
    """The smaller of what the client asked for and the server's page size."""
    size = call.emulator.page_size
    if requested not in (None, ""):
        try:
            asked = int(requested)
        except ValueError:
            raise Problem("bad_request", f"page size {requested!r} is not a number") from None
        if asked < 1:
            raise Problem("bad_request", f"page size {asked} must be at least 1")
        size = min(size, asked)
    return size


def window(items: list[Any], offset: int, size: int) -> tuple[list[Any], int | None]:
    """One page of items and the offset of the next page (None on the last page)."""
    end = offset + size
    return items[offset:end], (end if end < len(items) else None)


@dataclass(frozen=True)
class NextLinkPaging:
    """Azure ARM / Graph style: `{"value": [...], "nextLink": absolute URL}`; the link repeats the
    request with `token_param` set."""

    items_key: str = "value"
    link_key: str = "nextLink"
    token_param: str = "$skiptoken"
    size_param: str | None = None  # e.g. "$top" for Graph

    def reply(self, call: Call, items: list[Any], extra: dict[str, Any] | None = None) -> Reply:
        size = page_size(call, call.query.get(self.size_param) if self.size_param else None)
        chunk, nxt = window(items, decode_token(call.query.get(self.token_param)), size)
        body: dict[str, Any] = {**(extra or {}), self.items_key: chunk}
        if nxt is not None:
            body[self.link_key] = call.url(**{self.token_param: encode_token(nxt)})
        return Reply(body)


@dataclass(frozen=True)
class BodyTokenPaging:
    """Google style: `pageSize`/`pageToken` in the query, `{"<items>": [...], "nextPageToken": t}`."""

    items_key: str
    token_param: str = "pageToken"
    size_param: str = "pageSize"
    token_key: str = "nextPageToken"

    def reply(self, call: Call, items: list[Any], extra: dict[str, Any] | None = None) -> Reply:
        size = page_size(call, call.query.get(self.size_param))
        chunk, nxt = window(items, decode_token(call.query.get(self.token_param)), size)
        body: dict[str, Any] = {**(extra or {})}
        if chunk:
            body[self.items_key] = chunk  # proto3 JSON leaves empty lists out
        if nxt is not None:
            body[self.token_key] = encode_token(nxt)
        return Reply(body)


@dataclass(frozen=True)
class HeaderTokenPaging:
    """OCI style: `limit`/`page` in the query, the next token in a response header; the body is a
    bare array, or `{items_key: [...]}` when items_key is set (Search)."""

    items_key: str | None = None
    token_param: str = "page"
    size_param: str = "limit"
    header: str = "opc-next-page"

    def reply(self, call: Call, items: list[Any], extra: dict[str, Any] | None = None) -> Reply:
        size = page_size(call, call.query.get(self.size_param))
        chunk, nxt = window(items, decode_token(call.query.get(self.token_param)), size)
        body: Any = {**(extra or {}), self.items_key: chunk} if self.items_key else chunk
        return Reply(body, headers={self.header: encode_token(nxt)} if nxt is not None else {})


@dataclass(frozen=True)
class LinkHeaderPaging:
    """GitHub style: `page` (1-based) and `per_page` in the query, a bare array (or `{items_key: [...]}`
    with `total_count` when items_key is set), and an RFC 8288 `Link` header naming the next, last,
    first and prev pages. `default_size` applies when the client names no page size."""

    items_key: str | None = None
    page_param: str = "page"
    size_param: str = "per_page"
    default_size: int = 30
    largest_size: int = 100

    def reply(self, call: Call, items: list[Any], extra: dict[str, Any] | None = None) -> Reply:
        asked = call.query.get(self.size_param)
        size = min(page_size(call, asked or self.default_size), self.largest_size)
        raw = call.query.get(self.page_param) or "1"
        if not raw.isdigit() or int(raw) < 1:
            raise Problem("bad_request", f"page {raw!r} is not a page number")
        number = int(raw)
        chunk, nxt = window(items, (number - 1) * size, size)
        last = max(1, -(-len(items) // size))
        links = []
        if nxt is not None:
            links += [("next", number + 1), ("last", last)]
        if number > 1:
            links += [("first", 1), ("prev", number - 1)]
        headers = {"Link": ", ".join(f'<{call.url(**{self.page_param: str(n)})}>; rel="{rel}"' for rel, n in links)} if links else {}
        body: Any = {**(extra or {}), "total_count": len(items), self.items_key: chunk} if self.items_key else chunk
        return Reply(body, headers=headers)


# --- the provider interface -----------------------------------------------------------------

ErrorKind = Literal["bad_request", "unauthenticated", "denied", "not_found", "unrouted", "throttled", "failed"]


class Provider:
    """What a provider module supplies. Subclass it and set the class attributes; override the
    hooks only where the defaults do not fit."""

    name: ClassVar[str]
    tls: ClassVar[bool] = False  # https with a throwaway CA (needed where the SDK refuses bearer tokens over http)
    estate_model: ClassVar[type[EstateBase]]
    routes: ClassVar[list[Route]]
    # The provider's own error statuses and codes per kind of problem (data); `error_body` shapes them.
    errors: ClassVar[dict[str, tuple[int, str]]]

    def index(self, estate: EstateBase) -> Any:
        """Build the derived views handlers read (Call.state), once per load."""
        return estate

    def error_body(self, call: Call, status: int, code: str, message: str) -> Any:
        return {"error": {"code": code, "message": message}}

    def error_table(self, call: Call) -> dict[str, tuple[int, str]]:
        """The error statuses and codes for this request (a provider serving several APIs picks one)."""
        return self.errors

    def error(self, call: Call, kind: str, message: str, code: str | None = None, headers: dict[str, str] | None = None) -> Reply:
        status, default_code = self.error_table(call)[kind]
        return Reply(self.error_body(call, status, code or default_code, message), status, headers or {})

    def authenticate(self, call: Call) -> str | None:
        """None when the request carries acceptable credentials, else why not (answered 401)."""
        return None

    def scope_of(self, call: Call) -> str | list[str]:
        """The scope a deny fault's `scope` is matched against (default: the path); several names
        of the same scope (a project's id and number) may be given as a list."""
        return call.path

    def throttled(self, call: Call, throttle: Throttle) -> Reply:
        retry = f"{throttle.retry_after:g}"
        return self.error(call, "throttled", f"too many requests; retry after {retry} s", headers={"Retry-After": retry})

    def prepare(self, emulator: Emulator, workdir: Path) -> None:
        """Write what clients need (keys, credential files) into workdir; called on every load."""

    def settings(self, emulator: Emulator) -> dict[str, str]:
        """The environment that points cmm-scan and the SDKs at the server (printed as exports)."""
        return {}

    def response_headers(self, call: Call, reply: Reply) -> dict[str, str]:
        """Headers the provider adds to every answer, errors included (GitHub's rate-limit headers)."""
        return {}


# --- the server ------------------------------------------------------------------------------


def load_estate(provider: Provider, source: Path | Mapping[str, Any] | EstateBase) -> EstateBase:
    """An estate from a YAML file (errors name the file, line and path), a dict, or a model."""
    from pydantic import ValidationError

    from cmm_scan.yamlfile import load_yaml_model

    if isinstance(source, EstateBase):
        return source
    hint = f"see docs/emulator.md for the {provider.name} estate format"
    if isinstance(source, Path) and source.suffix.lower() == ".json":
        estate = _load_json_estate(provider, source, hint)
    elif isinstance(source, Path):
        estate, _ = load_yaml_model(source, provider.estate_model, hint=hint)
    else:
        try:
            estate = provider.estate_model.model_validate(dict(source))
        except ValidationError as exc:
            error = exc.errors()[0]
            where = ".".join(str(p) for p in error["loc"]) or "(top level)"
            raise UserError(f"estate: {where}: {error['msg']}") from None
    if estate.provider != provider.name:
        raise UserError(f"{source if isinstance(source, Path) else 'estate'}: provider is {estate.provider!r}, not {provider.name!r}")
    return estate


def _load_json_estate(provider: Provider, path: Path, hint: str) -> EstateBase:
    """A .json estate parses several times faster than YAML (large generated estates); on a
    validation error it is read again as YAML (JSON is YAML) for the line number."""
    from pydantic import ValidationError

    from cmm_scan.yamlfile import load_yaml_model

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return provider.estate_model.model_validate(data)
    except (ValueError, ValidationError, OSError):
        estate, _ = load_yaml_model(path, provider.estate_model, hint=hint)
        return estate


class Emulator:
    """One provider's estate served on 127.0.0.1. Start with `start()` (or `with`), stop with `stop()`."""

    def __init__(
        self,
        provider: Provider,
        estate: Path | Mapping[str, Any] | EstateBase | None = None,
        *,
        port: int = 0,
        page_size: int = 100,
        request_log: Path | None = None,
        faults: Faults | None = None,
        workdir: Path | None = None,
    ):
        import tempfile

        self.provider = provider
        self.page_size = page_size
        self._fault_override = faults
        self._tmp = None if workdir else tempfile.TemporaryDirectory(prefix=f"cmm-scan-emulate-{provider.name}-")
        self.workdir = workdir or Path(self._tmp.name)  # type: ignore[union-attr]
        self.requests: list[dict[str, Any]] = []
        self.objects: dict[str, dict[str, bytes]] = {}  # object storage a client wrote (emulate/objects.py)
        self._log_lock = threading.Lock()
        self._log_file: IO[str] | None = request_log.open("a", encoding="utf-8", buffering=1) if request_log else None
        self._seen: Counter[str] = Counter()
        self._httpd = _QuietServer(("127.0.0.1", port), _handler_class(self))
        self.ca_path: Path | None = None
        if provider.tls:
            self.ca_path = _wrap_tls(self._httpd, self.workdir)
        scheme = "https" if provider.tls else "http"
        self.port = self._httpd.server_address[1]
        self.url = f"{scheme}://127.0.0.1:{self.port}"
        self._thread: threading.Thread | None = None
        self.load(estate if estate is not None else {"provider": provider.name})

    # estate and state

    def load(self, estate: Path | Mapping[str, Any] | EstateBase) -> None:
        """Serve a new estate (its faults replace the current ones unless faults were given)."""
        self.estate = load_estate(self.provider, estate)
        self.faults = self._fault_override or self.estate.faults
        self.state = self.provider.index(self.estate)
        self._seen.clear()
        self.provider.prepare(self, self.workdir)  # credential files may depend on the estate (an OCI tenancy)

    def reset(self) -> None:
        """Back to an empty estate, no faults, an empty request log (between tests)."""
        self._fault_override = None
        self.load({"provider": self.provider.name})
        self.requests.clear()
        self.objects.clear()

    def set_faults(self, faults: Faults | Mapping[str, Any] | None) -> None:
        self.faults = faults if isinstance(faults, Faults) else Faults.model_validate(faults or {})
        self._seen.clear()

    @property
    def env(self) -> dict[str, str]:
        return self.provider.settings(self)

    # lifecycle

    def start(self) -> Emulator:
        self._thread = threading.Thread(target=self._httpd.serve_forever, name=f"emulate-{self.provider.name}", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._httpd.serve_forever()

    def stop(self) -> None:
        if self._thread:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.server_close()
        if self._log_file:
            self._log_file.close()
            self._log_file = None
        if self._tmp:
            self._tmp.cleanup()

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # one request

    def answer(self, call: Call) -> Reply:
        provider, faults = self.provider, self.faults
        if faults.latency_ms:
            time.sleep(faults.latency_ms / 1000)
        route = self._route(call)
        try:
            if route is not None:
                call.operation = route.operation_for(call)
            why = provider.authenticate(call)
            if why is not None:
                return provider.error(call, "unauthenticated", why)
            if route is None:
                return provider.error(call, "unrouted", f"the emulator serves no {call.method} {call.path}")
            scopes = provider.scope_of(call)
            scopes = [scopes] if isinstance(scopes, str) else scopes
            if any(faults.denies(call.operation, scope) for scope in scopes):
                return provider.error(call, "denied", f"not authorised to perform {call.operation} over scope {scopes[0]}")
            injected = self._injected_fault(call)
            if injected is not None:
                return injected
            return route.handler(call)
        except Problem as problem:
            return provider.error(call, problem.kind, problem.message, problem.code)
        except Exception as exc:  # an emulator bug: a 4xx, never a 5xx that SDKs would retry for minutes
            where = traceback.extract_tb(exc.__traceback__)[-1]  # where it broke, for the log only
            call.bug = f"{type(exc).__name__}: {exc} ({Path(where.filename).name}:{where.lineno})"
            return provider.error(call, "bad_request", f"emulator error: {type(exc).__name__}: {exc}")

    def _route(self, call: Call) -> Route | None:
        for route in self.provider.routes:
            if route.method == call.method and (m := route.pattern.match(call.path)):
                call.params = m.groupdict()
                return route
        return None

    def _injected_fault(self, call: Call) -> Reply | None:
        faults = self.faults
        if not (faults.throttle or faults.fail):
            return None
        key = f"{call.method} {call.path}?{sorted(call.query.items())}#{hashlib.sha256(call.raw_body).hexdigest()}"
        with self._log_lock:
            self._seen[key] += 1
            nth = self._seen[key]
        if faults.throttle and _hit(faults.seed, "throttle", key, nth, faults.throttle, call.operation):
            return self.provider.throttled(call, faults.throttle)
        if faults.fail and _hit(faults.seed, "fail", key, nth, faults.fail, call.operation):
            status = faults.fail.status
            reply = self.provider.error(call, "failed", "injected server error")
            reply.status = status
            return reply
        return None

    def record(self, call: Call, status: int, batched: bool = False) -> None:
        """Log one answered request; `batched`: a request inside another (a Graph $batch), not an HTTP request of its own."""
        entry: dict[str, Any] = {"method": call.method, "path": call.path, "operation": call.operation, "status": status}
        if batched:
            entry["batched"] = True
        if call.bug:
            entry["bug"] = call.bug
        if call.query:
            entry["query"] = call.query
        with self._log_lock:
            self.requests.append(entry)
            if self._log_file:
                self._log_file.write(json.dumps(entry, sort_keys=True) + "\n")

    def operations(self) -> list[str]:
        """The operations answered so far, in order (handy in tests)."""
        return [r["operation"] for r in self.requests]

    def http_requests(self) -> list[dict[str, Any]]:
        """The log without the requests answered inside a batch: what went over the wire."""
        return [r for r in self.requests if not r.get("batched")]


def _hit(seed: int, kind: str, key: str, nth: int, share: Share, operation: str) -> bool:
    if not any(fnmatch.fnmatchcase(operation.lower(), pattern.lower()) for pattern in share.operations):
        return False
    digest = hashlib.sha256(f"{seed}|{kind}|{key}|{nth}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < share.share


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up or speaks plain http to https is its own problem: no traceback."""


def _handler_class(emulator: Emulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out in two writes: without this, each keep-alive reply waits ~40 ms

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            split = urlsplit(self.path)
            path = re.sub(r"/{2,}", "/", split.path) or "/"
            query: dict[str, str] = {}
            multi: dict[str, list[str]] = {}
            for key, value in parse_qsl(split.query, keep_blank_values=True):
                query.setdefault(key, value)
                multi.setdefault(key, []).append(value)
            call = Call(self.command, path, query, self.headers, raw, emulator, multi=multi, target=self.path)
            reply = emulator.answer(call)
            emulator.record(call, reply.status)
            data = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
            self.send_response(reply.status)
            headers = {"Content-Type": "application/json", **emulator.provider.response_headers(call, reply), **reply.headers}
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve

        def log_message(self, *args: Any) -> None:  # the request log replaces http.server's stderr noise
            pass

    return Handler


def _wrap_tls(httpd: ThreadingHTTPServer, workdir: Path) -> Path:
    """Serve https with a certificate from a throwaway CA; returns the CA file clients must trust."""
    import ssl

    try:
        import trustme
    except ImportError:
        raise UserError("the emulator needs trustme for https", 'install it with: pip install "cmm-scan[emulate]"') from None
    ca = trustme.CA(organization_name="cmm-scan emulator")
    cert = ca.issue_cert("127.0.0.1", "localhost")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    # the handshake happens in the request thread, so a silent client cannot stall the accept loop
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True, do_handshake_on_connect=False)
    ca_path = workdir / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_path))
    return ca_path


def items_where(items: Iterable[Any], **equal: Any) -> list[Any]:
    """Items whose keys equal the given values (a small helper for list handlers)."""
    return [item for item in items if all(item.get(k) == v for k, v in equal.items())]
