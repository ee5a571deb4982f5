"""Estates with known answers, built on moto with the real boto3 and scanned by the real adapter.

Each test builds an AWS estate through the public APIs (inside the `aws` fixture's in-process
moto account), then `assess` collects exactly the facts the named rules read, scores them with
the shipped rules and returns each question's result. The expected level comes from the level
text the rule cites, never from running the code first.

    def test_capacity_most_autoscaled_is_level_4(aws, tmp_path):
        build_groups(...)
        result = assess(tmp_path, "cost.capacity")["cost.capacity"]
        assert result.answer == 4
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cmm_scan.models import QuestionResult
from cmm_scan.rules import fact_plan
from tests.aws.support import scan
from tests.support.estate import Estate, _all_rules

ACCOUNT = "123456789012"
REGION = "eu-west-2"


def assess(
    tmp_path: Path,
    *rule_ids: str,
    regions: tuple[str, ...] = (REGION,),
    overrides: dict[str, dict[str, float]] | None = None,
    **options: Any,
) -> dict[str, QuestionResult]:
    """Collect what `rule_ids` read from the moto account, score it, and return the results by question id."""
    chosen = [r for r in _all_rules(()) if r.id in rule_ids]
    missing = set(rule_ids) - {r.id for r in chosen}
    assert not missing, f"no such rule: {sorted(missing)}"
    collected = scan(fact_plan(chosen), regions, **options)
    estate = Estate()
    estate.facts, estate.coverage = collected.facts, collected.coverage
    return {r.id: r for r in estate.assess(tmp_path, *rule_ids, overrides=overrides).results}


def answer(tmp_path: Path, rule_id: str, **kwargs: Any) -> QuestionResult:
    """One question's result; see `assess`."""
    return assess(tmp_path, rule_id, **kwargs)[rule_id]


def assert_dont_know(result: QuestionResult, possible: list[int] | None = None) -> None:
    """Never guess: no suggestion, answer 0; with `possible`, exactly those levels left open."""
    assert result.answer == 0 and result.suggested_level is None, explain(result)
    if possible is not None:
        assert result.possible_levels == possible, explain(result)


def explain(result: QuestionResult) -> str:
    """A failure message worth reading: the answer, the range, each level's verdict and the evidence values."""
    levels = ", ".join(f"{o.level}:{o.verdict}" for o in result.levels)
    values = "; ".join(f"{e.signal}={e.display}" for e in result.evidence)
    where = f"{result.id}: answer {result.answer}, {result.status} {result.level_range}, levels [{levels}]"
    return f"{where}, evidence [{values}], reasons {result.reasons}"


_MOTO_ALIASES = {"cloudwatch": "monitoring"}


def deny(monkeypatch: Any, *actions: str) -> None:
    """From here on the scan runs as a principal moto checks against IAM: allowed every read the
    scanner needs, explicitly denied `actions` (as an SCP or a narrower role would)."""
    from tests.aws.iam_enforced import scan_as_user

    # moto checks "<signing name>:<operation>", and CloudWatch signs as "monitoring": deny both spellings
    split = [action.split(":", 1) for action in actions if ":" in action]  # "*" denies everything already
    actions = tuple(actions) + tuple(f"{_MOTO_ALIASES[p]}:{op}" for p, op in split if p in _MOTO_ALIASES)
    scan_as_user(
        monkeypatch,
        [{"Effect": "Allow", "Action": "*", "Resource": "*"}, {"Effect": "Deny", "Action": list(actions), "Resource": "*"}],
    )
    # with IAM checks on, moto 5.2 rejects its own SigV4 on some REST services (Lambda, EKS, GuardDuty,
    # Security Hub: SignatureDoesNotMatch) before it reads the policy, which would deny far more than
    # `actions`: skip that check and keep the policy's
    from moto.iam.access_control import IAMRequest

    monkeypatch.setattr(IAMRequest, "_raise_signature_does_not_match", lambda self: None)
