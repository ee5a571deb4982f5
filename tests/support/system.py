"""System programs some tests drive for real (Chromium, PostgreSQL).

On CI (`CI=true`, set by .ci/run, which installs them) a missing program fails the test.
On a developer machine without them the test is skipped with the install command, so the
rest of the suite still runs; it is never skipped on CI.
"""

from __future__ import annotations

import glob
import os
import shutil

import pytest


def require_program(name: str, candidates: list[str] | None = None, install: str = "") -> str:
    for candidate in [*(candidates or []), name]:
        found = shutil.which(candidate) or next(iter(sorted(glob.glob(candidate))), None)
        if found and os.access(found, os.X_OK):
            return found
    message = f"{name} is not installed" + (f"; install it with: {install}" if install else "")
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)
    raise AssertionError("unreachable")
