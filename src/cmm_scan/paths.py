"""Where the bundled data lives: inside the wheel, or at the top of a source checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def bundled(name: str) -> Path:
    """`rules`, `providers` or `fixtures`: packaged copy first, then the checkout's folder."""
    packaged = _PACKAGE / "_bundled" / name
    if packaged.is_dir():
        return packaged
    return _PACKAGE.parents[1] / name


def package_data(name: str) -> Path:
    return _PACKAGE / "data" / name
