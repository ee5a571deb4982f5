"""Google REST for the shared engine (cmm_scan.cloud.transport.Transport): google-auth's AuthorizedSession,
one base URL (an endpoint override, the emulator) or Google's per-API hosts (a request's `api` is the host),
`page_token` paging, retries through cmm_scan.cloud.http.Backoff, and Google's error body read into a
coverage status."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

from cmm_scan.cloud.http import Backoff
from cmm_scan.cloud.transport import CloudError, Prepared

PAGING = ("page_token",)  # nextPageToken in the body, pageToken in the next query


class GoogleError(CloudError):
    """A Google API error: `code` is the canonical status (PERMISSION_DENIED), `reason` the ErrorInfo reason
    (SERVICE_DISABLED), `status` the HTTP code."""

    def __init__(self, status: int | None, code: str, message: str, operation: str = "", reason: str = ""):
        super().__init__(status, reason or code, message, operation)
        self.google_status, self.reason = code, reason


def classify(error: CloudError) -> tuple[str, str]:
    """Google's error → coverage; never zero. An API that is not enabled is Google's PERMISSION_DENIED too and
    stays `denied` (unknown): the scan could not look, which is not the same as finding nothing."""
    first = error.message.split(". ")[0].strip().rstrip(".")
    status = getattr(error, "google_status", "") or error.code
    if error.code == "SERVICE_DISABLED" or "has not been used in project" in error.message:
        return "denied", f"API not enabled: {first}"
    if error.status in (401, 403) or status in ("PERMISSION_DENIED", "UNAUTHENTICATED"):
        return "denied", f"{status or error.status}: {first}"
    return "error", f"{error.status} {status}: {first}"[:300]


class GoogleTransport:
    """Thread-safe: one AuthorizedSession per thread; `requests` counts every HTTP request (retries too)."""

    def __init__(self, credentials: Any, endpoint: str | None = None, backoff: Backoff | None = None):
        import requests

        self.credentials, self.endpoint = credentials, endpoint
        self.backoff = backoff or Backoff(retry_exceptions=(requests.ConnectionError, requests.Timeout))
        self._local = threading.local()
        self._lock = threading.Lock()
        self.requests = 0

    def _session(self) -> Any:
        session = getattr(self._local, "session", None)
        if session is None:
            from google.auth.transport.requests import AuthorizedSession

            session = self._local.session = AuthorizedSession(self.credentials)
        return session

    def url(self, api: str, path: str) -> str:
        return f"{self.endpoint}{path}" if self.endpoint else f"https://{api}{path}"

    def pages(self, request: Prepared) -> Iterator[Any]:
        """Every page, following nextPageToken to the end when the request pages."""
        if request.paging and request.paging not in PAGING:
            raise RuntimeError(f"{request.operation}: GCP pages with {PAGING}, not {request.paging}")
        # a GET pages in its query; a POST (entries:list) in its body
        query = {k: v for k, v in request.query.items() if v not in (None, [])}
        body = dict(request.body or {}) if request.method == "POST" else None
        paged = body if body is not None else query
        if request.page_size:
            paged["pageSize"] = request.page_size
        while True:
            page = self._send(request, query, body)
            yield page
            token = page.get("nextPageToken") if request.paging and isinstance(page, dict) else None
            if not token:
                return
            paged["pageToken"] = token

    def _send(self, request: Prepared, query: dict[str, Any], body: Any = None) -> Any:
        import requests

        url = self.url(request.api, request.path)

        def send() -> Any:
            with self._lock:
                self.requests += 1
            if request.method == "POST":
                return self._session().post(url, params=query, json=body, timeout=60)
            return self._session().get(url, params=query, timeout=60)

        try:
            response = self.backoff.run(send)
        except requests.RequestException as exc:
            raise GoogleError(None, "UNAVAILABLE", f"cannot reach {request.api}: {type(exc).__name__}", request.operation) from None
        if response.status_code < 400:
            return response.json() if response.content else {}
        raise _error(response, request.operation)

    def classify(self, error: CloudError) -> tuple[str, str]:
        return classify(error)


def _error(response: Any, operation: str) -> GoogleError:
    try:
        body = response.json().get("error", {})
    except (ValueError, AttributeError):
        body = {}
    if not isinstance(body, dict):
        body = {"message": str(body)}
    reasons = [d.get("reason", "") for d in body.get("details", []) if isinstance(d, dict)]
    message = str(body.get("message") or response.reason or "")
    status = str(body.get("status") or response.status_code)
    return GoogleError(response.status_code, status, message[:300], operation, next((r for r in reasons if r), ""))
