"""Golden-estate tests for the CMM evidence rules, one module per category.

Helpers shared by the modules live here: `evidence(result, name)` finds one signal's evidence,
`OTHER_SCOPE`/`OTHER_REGION` name a second account and region for coverage and scope cases.
"""

from __future__ import annotations

from cmm_scan.models import Evidence, QuestionResult

OTHER_SCOPE = "222222222222"
OTHER_REGION = "eu-west-1"


def evidence(result: QuestionResult, signal: str) -> Evidence:
    for item in result.evidence:
        if item.signal == signal:
            return item
    raise AssertionError(f"no evidence for signal {signal!r} in {result.id}")


def verdicts(result: QuestionResult) -> dict[int, str]:
    return {o.level: o.verdict for o in result.levels}


def assert_no_level(result: QuestionResult) -> None:
    """The never-guess contract: no suggestion, answer 0 ("I don't know")."""
    assert result.suggested_level is None, (result.suggested_level, result.reasons)
    assert result.answer == 0


# The golden-estate builder; tests/support/estate.py compiles the rules once per set of overrides.
from tests.support.estate import Estate as GoldenEstate  # noqa: E402

__all__ = ["OTHER_REGION", "OTHER_SCOPE", "GoldenEstate", "assert_no_level", "evidence", "verdicts"]
