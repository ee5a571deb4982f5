"""Fixtures shared by the estate modules."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.aws.estates.platform import Gaps, serve_moto_gaps


@pytest.fixture
def moto_gaps(aws: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[Gaps]:
    """The in-process moto account, with what moto lacks (Detective, Access Analyzer, Client VPN, ...) served."""
    yield from serve_moto_gaps(monkeypatch)
