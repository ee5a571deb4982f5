"""Compute-once values shared between threads: lookups and collector results per scope unit (account and
region, subscription group, project...).

The first caller computes while holding the key's lock; later callers wait and reuse the value
(or the same exception). A caller never waits on queued work, only on a running thread, so a
bounded pool cannot deadlock as long as lookups do not form a cycle (the catalogue test checks).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any


class Memo:
    def __init__(self) -> None:
        self._values: dict[Hashable, tuple[bool, Any]] = {}
        self._locks: dict[Hashable, threading.Lock] = {}
        self._guard = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._values:
                try:
                    self._values[key] = (True, compute())
                except Exception as exc:  # remembered, so every waiter sees the same failure
                    self._values[key] = (False, exc)
            ok, value = self._values[key]
        if not ok:
            raise value
        return value

    def done(self, key: Hashable) -> bool:
        return key in self._values
