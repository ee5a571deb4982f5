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


# --- a faster scorer: compile each rule once per test session ---------------------------------
# Estate.score validates every rule file on each call; these modules score hundreds of estates,
# so GoldenEstate compiles just that rule, once per (rule, overrides), and evaluates with the engine.

import functools  # noqa: E402
import itertools  # noqa: E402
from pathlib import Path  # noqa: E402

from cmm_scan.catalogue import all_questions  # noqa: E402
from cmm_scan.engine import evaluate  # noqa: E402
from cmm_scan.rules import CompiledRule, compile_rule, rules_dir  # noqa: E402
from tests.support.estate import Estate  # noqa: E402

_files = itertools.count(1)


@functools.cache
def _rules(rule_id: str, frozen: tuple[tuple[str, float], ...]) -> list[CompiledRule]:
    """The one rule file, compiled as load_rules compiles it (`rules check` covers the whole set)."""
    return [compile_rule(rules_dir() / "cmm" / f"{rule_id}.yaml", all_questions(), dict(frozen))]


class GoldenEstate(Estate):
    def score(self, tmp_path: Path, rule_id: str, overrides: dict[str, dict[str, float]] | None = None) -> QuestionResult:
        frozen = tuple(sorted((overrides or {}).get(rule_id, {}).items()))
        assert set(overrides or {}) <= {rule_id}, "overrides for another rule"
        snapshot = self.write(tmp_path / f"golden-{next(_files)}.snapshot.jsonl")
        (result,) = evaluate(snapshot, _rules(rule_id, frozen)).results
        return result
