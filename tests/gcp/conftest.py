from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.gcp.emulator_server import Server


@pytest.fixture(scope="session")
def _gcp_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = Server(tmp_path_factory.mktemp("gcp-emulator"))
    yield server
    server.close()


@pytest.fixture
def gcp_emulator(_gcp_server: Server, monkeypatch: pytest.MonkeyPatch) -> Server:
    """The session's GCP emulator, emptied, with its printed settings in the environment."""
    _gcp_server.load({})
    for key, value in _gcp_server.env.items():
        monkeypatch.setenv(key, value)
    return _gcp_server
