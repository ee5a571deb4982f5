"""Signed REST calls to OCI services: endpoints from data, `opc-next-page` paging, bounded retries.

Plain `requests` with the SDK's signer instead of a client class per service: one code path for every
service (each is a row in providers/oci/services.yaml), and only the signer's part of the SDK is loaded.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict

from cmm_scan.paths import bundled
from cmm_scan.yamlfile import load_yaml_model

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
DENIED_CODES = frozenset(
    {"NotAuthorizedOrNotFound", "NotAuthenticated", "NotAuthorized", "Forbidden", "NotAuthorizedOrResourceAlreadyExists"}
)


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


class OciError(Exception):
    """An OCI error answer (or a transport failure, status 0)."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message = status, code, message


def classify(error: OciError) -> tuple[str, str]:
    """Coverage status and a one-line reason. OCI answers 404 NotAuthorizedOrNotFound where it means 'not allowed'."""
    if error.status in (401, 403) or error.code in DENIED_CODES:
        return "denied", f"{error.code} ({error.status}): not allowed, or not there"
    if error.status == 429:
        return "error", "TooManyRequests (429): still throttled after retries"
    return "error", f"{error.code or 'error'} ({error.status}): {error.message[:200]}"


@dataclass
class Transport:
    signer: Any
    endpoint: str | None = None  # template with {region}, e.g. http://127.0.0.1:PORT/{region}
    domain: str = "oraclecloud.com"
    attempts: int = 5
    base_delay: float = 0.5
    timeout: float = 60.0
    sleep: Callable[[float], None] = time.sleep

    def __post_init__(self) -> None:
        import requests

        self._requests = requests
        self._local = threading.local()
        self._count_lock = threading.Lock()
        self.requests = 0

    def _session(self) -> Any:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = self._requests.Session()
        return session

    def url(self, service: str, region: str, path: str, host: str | None = None) -> str:
        """`host`: a resource's own endpoint (a vault's management endpoint); an endpoint template wins over it."""
        spec = services()[service]
        if self.endpoint:
            base = self.endpoint.format(region=region).rstrip("/")
        elif host:
            base = host.rstrip("/")
        else:
            base = "https://" + spec.host.format(region=region, domain=self.domain)
        return base + spec.version + path

    def call(
        self, service: str, region: str, path: str, params: dict[str, Any] | None = None, body: Any = None, host: str | None = None
    ) -> tuple[Any, dict[str, str]]:
        """One request (GET, or POST with a JSON body), retried on throttling and server errors with back-off."""
        url = self.url(service, region, path, host)
        clean = {k: _param(v) for k, v in (params or {}).items() if v is not None}
        for attempt in range(1, self.attempts + 1):
            with self._count_lock:
                self.requests += 1
            try:
                if body is None:
                    answer = self._session().get(url, params=clean, auth=self.signer, timeout=self.timeout)
                else:
                    answer = self._session().post(url, params=clean, json=body, auth=self.signer, timeout=self.timeout)
            except self._requests.RequestException as exc:
                if attempt == self.attempts:
                    raise OciError(0, "RequestFailed", f"{type(exc).__name__} calling {url.split('?')[0]}") from None
                self.sleep(self._delay(attempt, None))
                continue
            if answer.status_code < 300:
                return (answer.json() if answer.content else None), dict(answer.headers)
            if answer.status_code in RETRY_STATUSES and attempt < self.attempts:
                self.sleep(self._delay(attempt, answer.headers.get("retry-after")))
                continue
            try:
                error = answer.json()
            except ValueError:
                error = {}
            raise OciError(answer.status_code, str(error.get("code") or answer.reason), str(error.get("message") or ""))
        raise AssertionError("unreachable")

    def _delay(self, attempt: int, retry_after: str | None) -> float:
        if retry_after and retry_after.isdigit():
            return min(float(retry_after), 30.0)
        return min(self.base_delay * 2 ** (attempt - 1), 16.0) * (0.5 + random.random() / 2)  # full back-off with jitter

    def pages(
        self, service: str, region: str, path: str, params: dict[str, Any] | None = None, body: Any = None, host: str | None = None
    ) -> Iterator[Any]:
        """Every page of a list (bare array) or search (`{"items": [...]}`), following `opc-next-page`."""
        params = dict(params or {})
        while True:
            data, headers = self.call(service, region, path, params, body, host)
            yield data
            token = headers.get("opc-next-page") or headers.get("Opc-Next-Page")
            if not token:
                return
            params["page"] = token


def _param(value: Any) -> Any:
    return ("true" if value else "false") if isinstance(value, bool) else value
