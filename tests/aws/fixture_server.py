"""A local HTTP server that replays recorded AWS JSON responses, for the calls moto does not serve.

Point one boto3 service at it with AWS_ENDPOINT_URL_<SERVICE_ID> (shared/notes/sdk-testing.md);
every other service stays on moto. Routes are keyed by the JSON-protocol target
("X-Amz-Target" header, e.g. "com.amazonaws.cloudtrail...LookupEvents" -> "LookupEvents") or by
"<METHOD> <path>" for REST-JSON services. A route "<key>@<region>" answers only requests signed for that
region (several regions of one scan, served concurrently); it wins over the plain key. Only JSON
protocols: query/XML services stay on moto.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

RECORDED = Path(__file__).resolve().parents[2] / "fixtures" / "aws-recorded"

# A route answers a list of responses in turn (pages), each (status, body); the last repeats.
Route = list[tuple[int, Any]]


def recorded(name: str) -> Any:
    return json.loads((RECORDED / name).read_text())


class FixtureServer:
    def __init__(self, routes: dict[str, Route]):
        self.routes = {k: list(v) for k, v in routes.items()}
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def _answer(self, key: str, body: dict[str, Any], region: str = "") -> tuple[int, Any]:
        self.requests.append((key, body))
        pages = self.routes.get(f"{key}@{region}") or self.routes.get(key)
        if not pages:
            return 404, {"__type": "UnknownOperationException", "message": f"no fixture for {key}"}
        return pages.pop(0) if len(pages) > 1 else pages[0]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw.strip() else {}
                target = self.headers.get("X-Amz-Target")
                key = target.rsplit(".", 1)[-1] if target else f"{self.command} {self.path.split('?')[0]}"
                signed = re.search(r"Credential=[^/]+/\d+/([^/]+)/", self.headers.get("Authorization") or "")
                status, payload = server._answer(key, body, signed.group(1) if signed else "")
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/x-amz-json-1.1" if target else "application/json")
                if status >= 400 and isinstance(payload, dict) and "__type" in payload:
                    self.send_header("x-amzn-ErrorType", payload["__type"])
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = _serve

            def log_message(self, *args: Any) -> None:
                pass

        return Handler

    def __enter__(self) -> FixtureServer:
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


@contextmanager
def serving(monkeypatch: Any, service_env: str, routes: dict[str, Route]) -> Iterator[FixtureServer]:
    """Serve `routes` for one service, e.g. serving(monkeypatch, "CLOUDTRAIL", {...})."""
    with FixtureServer(routes) as server:
        monkeypatch.setenv(f"AWS_ENDPOINT_URL_{service_env}", server.url)
        monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
        yield server
