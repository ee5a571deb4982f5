"""Google REST over google-auth's AuthorizedSession: one base URL or Google's per-API hosts, pageToken
paging, retries with back-off for quota and server errors, and Google's error body read into a
coverage status."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

RETRIED = {429, 500, 502, 503, 504}


class GoogleApiError(Exception):
    """A Google API answered with an error: its HTTP code, canonical status and ErrorInfo reason."""

    def __init__(self, code: int, status: str, reason: str, message: str):
        super().__init__(message)
        self.code, self.status, self.reason, self.message = code, status, reason, message


@dataclass(frozen=True)
class Verdict:
    status: str  # coverage status: denied, not_enabled, error
    reason: str


def classify(exc: Exception) -> Verdict:
    """Google's error → coverage; never zero. An API that is not enabled is Google's PERMISSION_DENIED too and
    stays `denied` (unknown): the scan could not look, which is not the same as finding nothing."""
    if isinstance(exc, GoogleApiError):
        first = exc.message.split(". ")[0].strip().rstrip(".")
        if exc.reason == "SERVICE_DISABLED" or "has not been used in project" in exc.message:
            return Verdict("denied", f"API not enabled: {first}")
        if exc.code in (401, 403) or exc.status in ("PERMISSION_DENIED", "UNAUTHENTICATED"):
            return Verdict("denied", f"{exc.status or exc.code}: {first}")
        return Verdict("error", f"{exc.code} {exc.status}: {first}")
    return Verdict("error", f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")


class Transport:
    """Thread-safe: one AuthorizedSession per thread, one request counter."""

    def __init__(
        self,
        credentials: Any,
        endpoint: str | None = None,
        *,
        attempts: int = 5,
        backoff: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.credentials, self.endpoint = credentials, endpoint
        self.attempts, self.backoff, self.sleep = attempts, backoff, sleep
        self._local = threading.local()
        self._lock = threading.Lock()
        self.requests = 0

    def _session(self) -> Any:
        session = getattr(self._local, "session", None)
        if session is None:
            from google.auth.transport.requests import AuthorizedSession

            session = self._local.session = AuthorizedSession(self.credentials)
        return session

    def url(self, service: str, path: str) -> str:
        return f"{self.endpoint}{path}" if self.endpoint else f"https://{service}{path}"

    def get(self, service: str, path: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """One GET, retried on 429/5xx with exponential back-off (Retry-After honoured, bounded)."""
        import requests

        url = self.url(service, path)
        for attempt in range(1, self.attempts + 1):
            with self._lock:
                self.requests += 1
            try:
                response = self._session().get(url, params=params, timeout=60)
            except requests.RequestException as exc:
                if attempt == self.attempts:
                    raise GoogleApiError(0, "UNAVAILABLE", "", f"cannot reach {service}: {type(exc).__name__}") from None
                self.sleep(self._delay(attempt, None))
                continue
            if response.status_code < 400:
                return response.json() if response.content else {}
            error = _error(response)
            if response.status_code in RETRIED and attempt < self.attempts:
                self.sleep(self._delay(attempt, response.headers.get("Retry-After")))
                continue
            raise error
        raise AssertionError("unreachable")

    def pages(self, service: str, path: str, params: dict[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        """Every page of a list, following nextPageToken to the end."""
        query = dict(params or {})
        while True:
            page = self.get(service, path, query)
            yield page
            token = page.get("nextPageToken")
            if not token:
                return
            query["pageToken"] = token

    def _delay(self, attempt: int, retry_after: str | None) -> float:
        if retry_after:
            try:
                return min(float(retry_after), 60.0)
            except ValueError:
                pass
        return min(self.backoff * 2 ** (attempt - 1), 30.0) * (0.5 + random.random() / 2)


def _error(response: Any) -> GoogleApiError:
    try:
        body = response.json().get("error", {})
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {"message": str(body)}
    reasons = [d.get("reason", "") for d in body.get("details", []) if isinstance(d, dict)]
    message = str(body.get("message") or response.reason or "")
    return GoogleApiError(response.status_code, str(body.get("status", "")), next((r for r in reasons if r), ""), message)
