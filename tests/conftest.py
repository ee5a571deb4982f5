"""Suite-wide test setup."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.support.emulators import azure_emulator, emulators, gcp_emulator, github_emulator, oci_emulator  # noqa: F401  (fixtures for every test module)


@pytest.fixture(autouse=True, scope="session")
def _private_history_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """`score` and `scan` store every run by default: keep the suite's runs out of the real
    user data directory and out of any team store named in the developer's $CMM_SCAN_STORE."""
    saved = os.environ.get("CMM_SCAN_STORE")
    os.environ["CMM_SCAN_STORE"] = f"sqlite:///{tmp_path_factory.mktemp('history') / 'history.sqlite3'}"
    yield
    if saved is None:
        os.environ.pop("CMM_SCAN_STORE", None)
    else:
        os.environ["CMM_SCAN_STORE"] = saved
