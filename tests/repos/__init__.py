"""Tests of the repository provider: real git repositories built by the tests (tests/repos/gitbuild.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cmm_scan.models import Fact
from cmm_scan.repos import gitread
from cmm_scan.repos.config import relevant, wanted_files
from cmm_scan.repos.facts import facts, reading_from_git


def repo_facts(path: Path, repo_id: str = "local/test") -> list[Fact]:
    """The facts the adapter would emit for one checkout."""
    return facts(reading_from_git(gitread.read(path, wanted_files, keep=relevant), repo_id, path.name))


def repository(path: Path) -> dict[str, Any]:
    (fact,) = [f for f in repo_facts(path) if f.type == "repos.repository"]
    return fact.attributes
