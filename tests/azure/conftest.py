"""One Azure emulator per test session (per xdist worker), reset between tests; the scan reaches it only
through the settings the emulator prints (AZURE_ACCESS_TOKEN, CMM_SCAN_*_ENDPOINT, REQUESTS_CA_BUNDLE)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cmm_scan.emulate import provider
from cmm_scan.emulate.core import Emulator


@pytest.fixture(scope="session")
def _emulator() -> Iterator[Emulator]:
    with Emulator(provider("azure"), page_size=100) as emulator:
        yield emulator


@pytest.fixture
def azure(_emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulator]:
    _emulator.reset()
    _emulator.page_size = 100
    monkeypatch.delenv("AZURE_CLOUD", raising=False)
    for name, value in _emulator.env.items():
        monkeypatch.setenv(name, value)
    yield _emulator
    _emulator.reset()
