"""The GCP adapter tests run on the session's GCP emulator (tests/support/emulators.py). Their estates are
built with tests/gcp/estates.py and loaded in the emulator's documented format (docs/emulator.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cmm_scan.emulate.core import Emulator
from tests.gcp.estates import as_assets


class Gcp:
    """The emulator, with `load` taking a builder estate (organisation, folders, projects, assets) or a file."""

    def __init__(self, server: Emulator):
        object.__setattr__(self, "server", server)

    def load(self, estate: dict[str, Any] | Path) -> None:
        self.server.load(estate if isinstance(estate, Path) else as_assets(estate))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.server, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self.server, name, value)


@pytest.fixture
def gcp(gcp_emulator: Emulator) -> Gcp:
    return Gcp(gcp_emulator)
