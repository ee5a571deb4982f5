"""A toy REST cloud for testing the shared engine before (and apart from) any real provider: a real HTTP server
on 127.0.0.1 serving a small estate with two paging styles, denials, known-empty answers, throttling and a
service that is off, and a minimal Transport over urllib that talks to it the way a provider transport would.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cmm_scan.cloud.http import Backoff
from cmm_scan.cloud.transport import CloudError, Prepared, classify_http

PAGE = 2
GROUPS: dict[str, list[dict[str, Any]]] = {
    "g1": [{"id": f"vm-{n}", "size": "small" if n % 2 else "large", "tags": {"owner": "team-a"}} for n in range(1, 6)],
    "g2": [{"id": "vm-9", "size": "large", "tags": None}],
    "g3": [{"id": "vm-20", "size": "small", "tags": {}}],
}
RULES = {"g1": [{"vm": "vm-1", "port": 22}, {"vm": "vm-1", "port": 443}, {"vm": "vm-3", "port": 80}], "g2": [], "g3": []}
# one bulk inventory of mixed kinds, owners named their own way (n1 is g1, n2 is g2, n9 is outside any scan)
ASSETS = [
    {"kind": "vm", "owner": "n1", "name": "a", "parts": [{"p": 1}, {"p": 2}]},
    {"kind": "vm", "owner": "n1", "name": "skip-me", "parts": []},
    {"kind": "vm", "owner": "n2", "name": "b", "parts": [{"p": 3}]},
    {"kind": "vm", "owner": "n9", "name": "elsewhere", "parts": [{"p": 9}]},
    {"kind": "disk", "owner": "n1", "vm": "a", "encrypted": True},
    {"kind": "disk", "owner": "n2", "vm": "b", "encrypted": False},
    {"kind": "bucket", "owner": "n1", "name": "x"},
]
# a bulk inventory (what each group holds) and the kinds it indexes: for guided lists
INVENTORY = [{"group": "g1", "kind": "VM"}, {"group": "g3", "kind": "vm"}, {"group": "g2", "kind": "Disk"}]
KINDS = [{"name": "VM"}, {"name": "Disk"}]
ROWS = [{"name": f"db-{n}", "scope": "g1" if n < 4 else "g2", "encrypted": n != 2} for n in range(1, 7)]


@dataclass
class Faults:
    denied: set[str] = field(default_factory=set)  # paths answered 403
    missing: set[str] = field(default_factory=set)  # paths answered 404 NotFound (a known "none")
    throttle_once: set[str] = field(default_factory=set)  # paths answered 429 the first time
    off: set[str] = field(default_factory=set)  # paths answered 409 FeatureNotEnabled
    seen_throttle: set[str] = field(default_factory=set)


class ToyServer:
    def __init__(self) -> None:
        self.faults = Faults()
        self.log: list[tuple[str, str]] = []
        self.queries: list[dict[str, list[str]]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                server._answer(self, None)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                server._answer(self, json.loads(self.rfile.read(length) or b"null"))

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def reset(self) -> None:
        self.faults = Faults()
        self.log.clear()
        self.queries.clear()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def _answer(self, handler: BaseHTTPRequestHandler, body: Any) -> None:
        url = urllib.parse.urlsplit(handler.path)
        path, query = url.path, dict(urllib.parse.parse_qsl(url.query))
        self.log.append((handler.command, path))
        self.queries.append(urllib.parse.parse_qs(url.query))
        status, payload, headers = self._route(handler.command, path, query, body)
        data = json.dumps(payload).encode()
        handler.send_response(status)
        for name, value in {"Content-Type": "application/json", **headers}.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def _route(self, method: str, path: str, query: dict[str, str], body: Any) -> tuple[int, Any, dict[str, str]]:
        f = self.faults
        if path in f.denied:
            return 403, {"error": {"code": "AuthorizationFailed", "message": f"no read on {path}"}}, {}
        if path in f.missing:
            return 404, {"error": {"code": "NotFound", "message": "none here"}}, {}
        if path in f.off:
            return 409, {"error": {"code": "FeatureNotEnabled", "message": "turned off"}}, {}
        if path in f.throttle_once and path not in f.seen_throttle:
            f.seen_throttle.add(path)
            return 429, {"error": {"code": "TooManyRequests", "message": "slow down"}}, {"Retry-After": "2"}
        parts = path.strip("/").split("/")
        if method == "GET" and len(parts) == 3 and parts[0] == "groups" and parts[2] == "vms":
            start = int(query.get("page", "0"))
            vms = GROUPS.get(parts[1], [])
            page = {"value": vms[start : start + PAGE]}
            if start + PAGE < len(vms):
                page["nextLink"] = f"{self.url}{path}?page={start + PAGE}"
            return 200, page, {}
        if method == "GET" and len(parts) == 3 and parts[0] == "groups" and parts[2] == "rules":
            return 200, {"value": RULES.get(parts[1], [])}, {}
        if method == "GET" and len(parts) == 3 and parts[0] == "vms" and parts[2] == "disk":
            return 200, {"encrypted": parts[1] != "vm-3", "sizeGb": 30}, {}
        if method == "GET" and len(parts) == 2 and parts[0] == "assets":
            wanted = set(self.queries[-1].get("kind", []))  # every value of a repeated name
            found = [a for a in ASSETS if (parts[1] == "all" or a["owner"] == parts[1]) and (not wanted or a["kind"] in wanted)]
            return 200, {"value": found}, {}
        if method == "GET" and path == "/inventory":
            return 200, {"value": INVENTORY}, {}
        if method == "GET" and path == "/kinds":
            return 200, {"value": KINDS}, {}
        if method == "POST" and path == "/query":
            rows = [r for r in ROWS if r["scope"] in body["scopes"]]
            start = int((body.get("options") or {}).get("skipToken") or 0)
            page = {"data": rows[start : start + PAGE]}
            if start + PAGE < len(rows):
                page["skipToken"] = str(start + PAGE)
            return 200, page, {}
        return 404, {"error": {"code": "NoRoute", "message": f"{method} {path}"}}, {}


@dataclass
class _Response:
    status_code: int
    headers: Mapping[str, str]
    body: bytes


class ToyTransport:
    """What a provider transport does: send, retry, follow its paging styles, turn error answers into CloudError."""

    def __init__(self, base: str, backoff: Backoff):
        self.base, self.backoff = base, backoff
        self.sent = 0

    def pages(self, request: Prepared) -> Iterator[Any]:
        url = self.base + request.path + ("?" + urllib.parse.urlencode(request.query, doseq=True) if request.query else "")
        body = request.body
        while True:
            response = self.backoff.run(lambda url=url, body=body: self._send(request.method, url, body))
            data = json.loads(response.body or b"null")
            if response.status_code >= 400:
                error = (data or {}).get("error", {})
                raise CloudError(response.status_code, error.get("code", str(response.status_code)), error.get("message", ""))
            yield data
            if request.paging == "next_link" and data.get("nextLink"):
                url = data["nextLink"]
            elif request.paging == "skip_token" and data.get("skipToken"):
                body = {**body, "options": {"skipToken": data["skipToken"]}}
            else:
                return

    def classify(self, error: CloudError) -> tuple[str, str]:
        return classify_http(error)

    def _send(self, method: str, url: str, body: Any) -> _Response:
        self.sent += 1
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return _Response(answer.status, dict(answer.headers), answer.read())
        except urllib.error.HTTPError as exc:
            return _Response(exc.code, dict(exc.headers), exc.read())
