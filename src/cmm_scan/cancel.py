"""Stopping a collection quickly when the user interrupts it.

Ctrl-C reaches the main thread only. `run_all` runs a provider's tasks on a thread pool and, on any
interrupt, cancels the tasks not yet started and raises `Cancelled` in the running ones at their next
API call (`check`, which adapters call before every request: the AWS clients do it in a botocore hook),
so the command exits within a second or two instead of finishing every queued call.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from typing import Any, TypeVar

Item = TypeVar("Item")

_cancelled = threading.Event()


class Cancelled(BaseException):
    """Raised in worker threads once the run is cancelled; a BaseException so `except Exception` in a
    collector (which records one failure and goes on) does not swallow it."""


def cancel() -> None:
    _cancelled.set()


def reset() -> None:
    _cancelled.clear()


def cancelled() -> bool:
    return _cancelled.is_set()


def check(*_: Any, **__: Any) -> None:
    """Raise Cancelled once the run is cancelled (usable directly as an SDK event hook)."""
    if _cancelled.is_set():
        raise Cancelled()


def run_all(task: Callable[[Item], None], items: Iterable[Item], workers: int, name: str) -> None:
    """Run `task` on every item with `workers` threads; an interrupt cancels the rest and returns at once."""
    reset()
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name)
    try:
        futures = [pool.submit(task, item) for item in items]
        done, _ = wait(futures, return_when=FIRST_EXCEPTION)
        for future in done:
            future.result()  # a task's own exception (its bugs are recorded inside; this is for the unexpected)
    except BaseException:
        cancel()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
