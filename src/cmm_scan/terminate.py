"""SIGTERM handled as Ctrl-C is: the same clean exit, nothing half-written kept.

Schedulers stop a job with SIGTERM (Kubernetes, AWS Batch, systemd, `docker stop`), then SIGKILL
after a grace period. Python's default for SIGTERM is to die on the spot, skipping the clean-up
that an interrupt runs (partial snapshots and staging directories removed, pending API calls
cancelled). Raising `Terminated`, a KeyboardInterrupt, from the handler sends SIGTERM down exactly
the paths SIGINT takes; the command then exits with 143 (128 + 15, the shell's convention).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

EXIT_TERMINATED = 128 + signal.SIGTERM


class Terminated(KeyboardInterrupt):
    """SIGTERM received: unwinds like an interrupt."""


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise Terminated()


@contextmanager
def terminated_as_interrupt() -> Iterator[None]:
    """Within the block (main thread only: signals are delivered there), SIGTERM raises Terminated."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
