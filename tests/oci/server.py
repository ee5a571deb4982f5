"""One OCI emulator per test process (the shared core), loaded with each test's estate."""

from __future__ import annotations

import atexit
from collections.abc import Iterator
from contextlib import contextmanager

from cmm_scan.emulate.core import Emulator
from cmm_scan.emulate.oci import OciEstate, provider

TENANCY = "ocid1.tenancy.oc1..golden"
_shared: list[Emulator] = []


def emulator() -> Emulator:
    if not _shared:
        running = Emulator(provider(), {"provider": "oci", "tenancy": {"id": TENANCY, "name": "golden", "homeRegionKey": "LHR"}}).start()
        atexit.register(running.stop)
        _shared.append(running)
    return _shared[0]


@contextmanager
def serve(estate: OciEstate, page_size: int = 100) -> Iterator[Emulator]:
    """The shared emulator serving `estate` (its config file is rewritten for the estate's tenancy)."""
    running = emulator()
    running.load(estate)
    running.page_size = page_size
    running.requests.clear()
    try:
        yield running
    finally:
        running.reset()
        running.page_size = 100
