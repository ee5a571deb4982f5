"""Bounded retries for any HTTP client: back off on throttling and server errors, honour Retry-After and
the provider's quota headers (a hook), and give up after a few attempts or a total wait budget."""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol, TypeVar

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class Response(Protocol):
    status_code: int
    headers: Mapping[str, str]


R = TypeVar("R", bound=Response)
QuotaHook = Callable[[int, Mapping[str, str]], float | None]


def retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds from a Retry-After header (a number, or an HTTP date); None without one."""
    value = _header(headers, "retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is None:  # plain dicts in tests are case-sensitive; client header maps are not
        value = next((v for k, v in headers.items() if k.lower() == name), None)
    return value


@dataclass
class Backoff:
    """How one request is retried. `quota` reads provider headers (e.g. Resource Graph's remaining quota) and
    returns how long to wait before the next request, for a throttled answer and for a successful one alike."""

    attempts: int = 5
    base: float = 0.5
    longest_wait: float = 30.0
    budget: float = 120.0
    quota: QuotaHook | None = None
    sleep: Callable[[float], None] = time.sleep
    retry_exceptions: tuple[type[BaseException], ...] = (ConnectionError, TimeoutError)

    def run(self, send: Callable[[], R]) -> R:
        """Send until the answer is not a throttle or server error, or the attempts or the budget run out
        (then the last answer is returned, or the last connection error raised, for the caller to classify)."""
        waited = 0.0
        for attempt in range(self.attempts):
            last = attempt == self.attempts - 1
            try:
                response = send()
            except self.retry_exceptions:
                wait = self._backoff(attempt)
                if last or waited + wait > self.budget:
                    raise
                self.sleep(wait)
                waited += wait
                continue
            hint = self.quota(response.status_code, response.headers) if self.quota else None
            if response.status_code not in RETRY_STATUSES:
                if hint:  # the quota is spent: slow down before the next request rather than be throttled
                    self.sleep(min(hint, self.longest_wait))
                return response
            told = retry_after(response.headers)  # the server's word, 0 (retry now) included; else our back-off
            wait = max(told or 0.0, hint or 0.0) if told is not None or hint else self._backoff(attempt)
            wait = min(wait, self.longest_wait)
            if last or waited + wait > self.budget:
                return response
            self.sleep(wait)
            waited += wait
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _backoff(self, attempt: int) -> float:
        return min(self.base * 2**attempt, self.longest_wait)
