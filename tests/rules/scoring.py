"""Score golden estates against rules compiled once per (rule, overrides).

`Estate.score` loads and validates every rule file on each call (about a second); the security
rule tests score over a hundred estates, so they share compiled rules here instead.
"""

from __future__ import annotations

import itertools
import json
from functools import cache
from pathlib import Path

from cmm_scan.engine import evaluate
from cmm_scan.models import QuestionResult
from cmm_scan.rules import CompiledRule, load_rules
from tests.support.estate import Estate

_names = itertools.count(1)


@cache
def _all_rules() -> dict[str, CompiledRule]:
    return {r.id: r for r in load_rules()}


@cache
def _rule(rule_id: str, overrides_json: str) -> CompiledRule:
    overrides = json.loads(overrides_json)
    if not overrides:
        return _all_rules()[rule_id]
    (rule,) = load_rules(overrides={rule_id: overrides}, select=[rule_id])
    return rule


def score(estate: Estate, tmp_path: Path, rule_id: str, overrides: dict | None = None) -> QuestionResult:
    own = (overrides or {}).get(rule_id, {})
    assert set(overrides or {}) <= {rule_id}, "overrides are given per rule id"
    snapshot = estate.write(tmp_path / f"estate-{next(_names)}.snapshot.jsonl")
    (result,) = evaluate(snapshot, [_rule(rule_id, json.dumps(own, sort_keys=True))]).results
    return result
