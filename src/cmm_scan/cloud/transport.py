"""The seam between the generic executor and one cloud's HTTP client.

A provider implements `Transport`: it sends a `Prepared` request to the right endpoint with its
credentials, follows the paging style the spec names, and raises `CloudError` for an error answer.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

WORSE = {"ok": 0, "skipped": 0, "not_enabled": 1, "error": 2, "denied": 3}


class CloudError(Exception):
    """An error answer (or no answer) from a cloud API, in the provider's terms."""

    def __init__(self, status: int | None, code: str, message: str = "", operation: str = ""):
        super().__init__(f"{code}: {message}" if message else code)
        self.status, self.code, self.message, self.operation = status, code, message, operation

    def matches(self, keys: dict[str, Any] | list[str] | set[str]) -> str | None:
        """The key of a spec's `errors`/`empty_on`/`not_enabled` that names this error: its code, or its HTTP status."""
        for key in (self.code, str(self.status)):
            if key in keys:
                return key
        return None


@dataclass(frozen=True)
class Prepared:
    """A request with its templates filled: what the transport sends."""

    operation: str
    api: str
    method: str
    path: str
    query: dict[str, Any] = field(default_factory=dict)
    body: Any = None
    paging: str | None = None
    page_size: int | None = None
    host: str | None = None  # the resource's own endpoint, when the spec names one
    region: str | None = None  # the unit's `region` variable (else its region): for clouds whose endpoints are regional


class Transport(Protocol):
    def pages(self, request: Prepared) -> Iterator[Any]:
        """The parsed JSON of every page, one HTTP request each (retries aside); raise CloudError on an error answer."""
        ...

    def classify(self, error: CloudError) -> tuple[str, str]:
        """(coverage status, one-line reason): denied, not_enabled or error."""
        ...


class Prefetching(Protocol):
    """Optional: a transport whose API can answer several requests in one round trip (Microsoft Graph's `$batch`).
    The runner hands it the first request of every unit-wide list a unit's collectors and lookups will send; it
    sends those it can combine and keeps each answer (page or error) for `pages`, which then starts from it."""

    def prefetch(self, requests: list[Prepared]) -> None: ...


def classify_http(error: CloudError, not_enabled: frozenset[str] = frozenset()) -> tuple[str, str]:
    """A reasonable default for REST APIs: 401/403 denied, provider codes for 'not turned on', else error."""
    reason = str(error)[:300]
    if error.status in (401, 403):
        return "denied", reason
    if error.code in not_enabled:
        return "not_enabled", reason
    return "error", reason


def worst(a: str, b: str) -> str:
    return a if WORSE.get(a, 0) >= WORSE.get(b, 0) else b
