"""A stand-in HTTP front for the GCP emulator until the shared emulator core (issue #11) lands in main:
it only moves bytes between http.server and `GcpEmulator.handle`. Replace with the core's fixture."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cmm_scan.emulate.gcp import GcpEmulator, GcpEstate, Request, service_account_key, settings


class Server:
    def __init__(self, tmp: Path):
        self.emulator = GcpEmulator(GcpEstate())
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                response = outer.emulator.handle(Request.of(self.command, self.path, body, dict(self.headers)))
                data = json.dumps(response.body).encode()
                self.send_response(response.status)
                self.send_header("content-type", "application/json; charset=UTF-8")
                self.send_header("content-length", str(len(data)))
                for key, value in response.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _serve

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.key_file = tmp / "emulator-sa.json"
        self.key_file.write_text(json.dumps(service_account_key(self.url + "/token")))
        self.env = settings(self.url, self.key_file)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def load(self, estate: dict[str, Any] | GcpEstate, page_size: int = 100) -> GcpEmulator:
        model = estate if isinstance(estate, GcpEstate) else GcpEstate.model_validate(estate)
        self.emulator = GcpEmulator(model, page_size=page_size)
        return self.emulator

    @property
    def requests(self) -> list[dict[str, Any]]:
        return self.emulator.requests

    def close(self) -> None:
        self.httpd.shutdown()
