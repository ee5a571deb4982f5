"""Serve an OciEmulator over HTTP on 127.0.0.1 for tests (until the shared emulator core hosts it)."""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cmm_scan.emulate.oci import Credentials, OciEmulator, OciEstate, Request, write_config


@dataclass
class Running:
    emulator: OciEmulator
    credentials: Credentials
    base: str

    @property
    def endpoint(self) -> str:
        return self.base + "/{region}"

    def settings(self) -> dict[str, str]:
        return {"OCI_CONFIG_FILE": self.credentials.config_file, "CMM_SCAN_OCI_ENDPOINT": self.endpoint}


@contextmanager
def serve(estate: OciEstate) -> Iterator[Running]:
    with tempfile.TemporaryDirectory(prefix="cmm-oci-") as directory:
        credentials = write_config(directory, estate)
        emulator = OciEmulator(estate, credentials.public_key_pem, credentials.key_id)

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {k.lower(): v for k, v in self.headers.items()}
                response = emulator.handle(Request(self.command, self.path, headers, body))
                payload = response.encoded()
                self.send_response(response.status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                for name, value in response.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = _serve

            def log_message(self, *args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield Running(emulator, credentials, f"http://127.0.0.1:{server.server_address[1]}")
        finally:
            server.shutdown()
            server.server_close()
