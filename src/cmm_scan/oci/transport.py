"""Signed REST calls to OCI services, the shared engine's `Transport` (cmm_scan.cloud.transport) for OCI.

Plain `requests` with the SDK's signer instead of a client class per service: one code path for every service (a
request's `api` is a row of providers/oci/services.yaml), and only the signer's part of the SDK is loaded. Each
request goes to its service's host in the request's region (the unit's), or to the resource's own endpoint (a
vault's management endpoint); an endpoint template (--endpoint-url, the emulator) takes every request.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict

from cmm_scan.cloud.http import Backoff
from cmm_scan.cloud.transport import CloudError, Prepared
from cmm_scan.paths import bundled
from cmm_scan.yamlfile import load_yaml_model

DENIED_CODES = frozenset(
    {"NotAuthorizedOrNotFound", "NotAuthenticated", "NotAuthorized", "Forbidden", "NotAuthorizedOrResourceAlreadyExists"}
)
PAGING = "opc"  # the services' paging: the `opc-next-page` header, sent back as `page`
SCIM_PAGING = "scim"  # an identity domain's (SCIM 2.0): `startIndex` (1-based) and `count`, until `totalResults`


class Service(BaseModel):
    model_config = ConfigDict(extra="forbid")
    host: str
    version: str


class ServiceFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    format_version: int
    services: dict[str, Service]


@cache
def services() -> dict[str, Service]:
    spec, _ = load_yaml_model(bundled("providers") / "oci" / "services.yaml", ServiceFile)
    return spec.services


def classify(error: CloudError) -> tuple[str, str]:
    """Coverage status and a one-line reason. OCI answers 404 NotAuthorizedOrNotFound where it means 'not allowed'."""
    where = f"{error.operation}: " if error.operation else ""
    if error.status in (401, 403) or error.code in DENIED_CODES:
        return "denied", f"{where}{error.code} ({error.status}): not allowed, or not there"
    if error.status == 429:
        return "error", f"{where}TooManyRequests (429): still throttled after retries"
    return "error", f"{where}{error.code or 'error'} ({error.status}): {error.message[:200]}"


class OciTransport:
    def __init__(self, signer: Any, endpoint: str | None = None, domain: str = "oraclecloud.com", timeout: float = 60.0):
        import requests

        self.signer, self.endpoint, self.domain, self.timeout = signer, endpoint, domain, timeout
        self._requests = requests
        # eight attempts, as the oci SDK's default retry strategy makes (within the shared 120 s budget)
        self.backoff = Backoff(attempts=8, retry_exceptions=(requests.ConnectionError, requests.Timeout))
        self._local = threading.local()
        self._lock = threading.Lock()
        self.sent = 0

    def _session(self) -> Any:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = self._requests.Session()
        return session

    def url(self, api: str, region: str, path: str, host: str | None = None) -> str:
        """`host`: a resource's own endpoint (a vault's management endpoint); an endpoint template wins over it."""
        spec = services()[api]
        if self.endpoint:
            base = self.endpoint.format(region=region).rstrip("/")
        elif host:
            base = host.rstrip("/")
        else:
            base = "https://" + spec.host.format(region=region, domain=self.domain)
        return base + spec.version + path

    def pages(self, request: Prepared) -> Iterator[Any]:
        """Every page (a bare array, or `{"items": [...]}`), following `opc-next-page` when the request pages."""
        if not request.region:
            raise RuntimeError(f"{request.operation}: an OCI request needs the unit's region")
        url = self.url(request.api, request.region, request.path, request.host)
        params = {k: _param(v) for k, v in request.query.items() if v is not None}
        if request.page_size:
            params["count" if request.paging == SCIM_PAGING else "limit"] = request.page_size
        if request.paging == SCIM_PAGING:
            params["startIndex"] = 1
        while True:
            data, token = self._send(request, url, params)
            yield data
            if request.paging == SCIM_PAGING:
                following = _scim_next(data, params["startIndex"])
                if following is None:
                    return
                params = {**params, "startIndex": following}
                continue
            if request.paging != PAGING or not token:
                return
            params = {**params, "page": token}

    def _send(self, request: Prepared, url: str, params: dict[str, Any]) -> tuple[Any, str | None]:
        def send() -> Any:
            with self._lock:
                self.sent += 1
            if request.method == "POST":
                return self._session().post(url, params=params, json=request.body, auth=self.signer, timeout=self.timeout)
            return self._session().get(url, params=params, auth=self.signer, timeout=self.timeout)

        try:
            answer = self.backoff.run(send)
        except self._requests.RequestException as exc:
            raise CloudError(None, "RequestFailed", f"{type(exc).__name__} calling {url}", request.operation) from None
        if answer.status_code >= 300:
            try:
                error = answer.json()
            except ValueError:
                error = {}
            error = error if isinstance(error, dict) else {}
            code = str(error.get("code") or answer.reason)
            raise CloudError(answer.status_code, code, str(error.get("message") or "")[:300], request.operation)
        return (answer.json() if answer.content else None), answer.headers.get("opc-next-page")

    def classify(self, error: CloudError) -> tuple[str, str]:
        return classify(error)


def _scim_next(page: Any, start: int) -> int | None:
    """The next page's startIndex of a SCIM ListResponse, or None after the last (or an empty) page."""
    if not isinstance(page, dict):
        return None
    shown = len(page.get("Resources") or [])
    following = start + shown
    return following if shown and following <= int(page.get("totalResults") or 0) else None


def _param(value: Any) -> Any:
    return ("true" if value else "false") if isinstance(value, bool) else value
