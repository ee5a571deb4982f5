from __future__ import annotations

from collections.abc import Iterator

import pytest

from cmm_scan.emulate import provider
from cmm_scan.emulate.core import Emulator


@pytest.fixture(scope="session")
def _gcp_server() -> Iterator[Emulator]:
    with Emulator(provider("gcp")) as server:
        yield server


@pytest.fixture
def gcp_emulator(_gcp_server: Emulator, monkeypatch: pytest.MonkeyPatch) -> Emulator:
    """The session's GCP emulator, emptied, with its printed settings in the environment."""
    _gcp_server.reset()
    _gcp_server.page_size = 100
    for key, value in _gcp_server.env.items():
        monkeypatch.setenv(key, value)
    return _gcp_server
