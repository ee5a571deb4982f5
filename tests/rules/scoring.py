"""`score(estate, tmp_path, rule_id)`: the argument order the security and CSMM tests use."""

from __future__ import annotations

from pathlib import Path

from cmm_scan.models import QuestionResult
from tests.support.estate import Estate


def score(estate: Estate, tmp_path: Path, rule_id: str, overrides: dict | None = None) -> QuestionResult:
    assert set(overrides or {}) <= {rule_id}, "overrides are given per rule id"
    return estate.score(tmp_path, rule_id, overrides)
