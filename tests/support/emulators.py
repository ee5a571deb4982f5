"""Emulator fixtures: one server per provider per test session (per xdist worker), reset between tests.

    def test_x(azure_emulator):
        azure_emulator.load({"provider": "azure", "subscriptions": [...]})   # or a Path to a YAML estate
        ...  # the settings it prints (azure_emulator.env) are in os.environ for the test
        assert azure_emulator.operations() == [...]                          # the request log

A provider's fixture is three lines (see `azure_emulator`); GCP and OCI add theirs the same way.
"""

from __future__ import annotations

import shlex
import subprocess
from collections.abc import Iterator

import pytest

from cmm_scan.emulate import provider
from cmm_scan.emulate.core import Emulator


class EmulatorPool:
    """Starts each provider's server the first time a test asks for it; stops them all at the end."""

    def __init__(self) -> None:
        self._servers: dict[str, Emulator] = {}

    def get(self, name: str, monkeypatch: pytest.MonkeyPatch) -> Emulator:
        if name not in self._servers:
            self._servers[name] = Emulator(provider(name), page_size=100).start()
        server = self._servers[name]
        server.reset()
        server.page_size = 100
        for key, value in server.env.items():
            monkeypatch.setenv(key, value)
        return server

    def close(self) -> None:
        for server in self._servers.values():
            server.stop()


@pytest.fixture(scope="session")
def emulators() -> Iterator[EmulatorPool]:
    pool = EmulatorPool()
    yield pool
    pool.close()


@pytest.fixture
def azure_emulator(emulators: EmulatorPool, monkeypatch: pytest.MonkeyPatch) -> Emulator:
    """The Azure emulator (https), empty and fault-free, its settings in the environment."""
    return emulators.get("azure", monkeypatch)


@pytest.fixture
def gcp_emulator(emulators: EmulatorPool, monkeypatch: pytest.MonkeyPatch) -> Emulator:
    """The GCP emulator (http), empty and fault-free; GOOGLE_APPLICATION_CREDENTIALS points at its key."""
    return emulators.get("gcp", monkeypatch)


@pytest.fixture
def oci_emulator(emulators: EmulatorPool, monkeypatch: pytest.MonkeyPatch) -> Emulator:
    """The OCI emulator (http), empty and fault-free; OCI_CONFIG_FILE holds its throwaway key."""
    return emulators.get("oci", monkeypatch)


@pytest.fixture
def github_emulator(emulators: EmulatorPool, monkeypatch: pytest.MonkeyPatch) -> Emulator:
    """The GitHub REST emulator (http), empty and fault-free; GITHUB_TOKEN and CMM_SCAN_GITHUB_API_URL point at it."""
    return emulators.get("github", monkeypatch)


def printed_settings(server: subprocess.Popen[str], count: int) -> dict[str, str]:
    """The first `count` settings `cmm-scan emulate` (run as `server`, stdout piped as text) prints as
    `export NAME=value` lines, as a shell would read them."""
    settings: dict[str, str] = {}
    while len(settings) < count:
        line = server.stdout.readline() if server.stdout else ""
        assert line, "the emulator stopped before printing its settings: " + (server.stderr.read() if server.stderr else "")
        if line.startswith("export "):
            name, _, value = line[len("export ") :].strip().partition("=")
            settings[name] = shlex.split(value)[0]
    return settings
