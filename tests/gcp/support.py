"""Run the GCP adapter in-process against the emulator (google-auth + requests, the real transport)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cmm_scan.engine import evaluate
from cmm_scan.factcatalogue import not_held_by
from cmm_scan.gcp import adapter
from cmm_scan.models import Coverage, Fact, QuestionResult
from cmm_scan.options import options_from_values
from cmm_scan.rules import fact_plan
from tests.aws.support import NullProgress, Result
from tests.support.estate import Estate, _all_rules


def scan(fact_types: list[str], **provider_options: Any) -> Result:
    """Options as typed on the command line, by field: projects="a,!b", folders="11"."""
    options = options_from_values("gcp", {"workers": 4, **provider_options})
    plan = adapter.plan(options, fact_types)
    result = Result()

    def sink(record: Fact | Coverage) -> None:
        (result.facts if isinstance(record, Fact) else result.coverage).append(record)

    adapter.run(plan, fact_types, sink, NullProgress())
    return result


def assess(tmp_path: Path, *rule_ids: str, **provider_options: Any) -> dict[str, QuestionResult]:
    """Collect what `rule_ids` read from the emulator's estate, score it with the shipped rules."""
    chosen = [r for r in _all_rules(()) if r.id in rule_ids]
    assert {r.id for r in chosen} == set(rule_ids), "no such rule"
    plan = fact_plan(chosen)
    collected = scan(plan, **provider_options)
    estate = Estate("gcp")
    estate.facts, estate.coverage = collected.facts, collected.coverage
    # the header says what a GCP estate cannot hold, as `cmm-scan collect` writes it
    snapshot = estate.write(tmp_path / "gcp.snapshot.jsonl", not_held=not_held_by("gcp", plan))
    return {r.id: r for r in evaluate(snapshot, chosen).results}


def answer(tmp_path: Path, rule_id: str, **provider_options: Any) -> QuestionResult:
    return assess(tmp_path, rule_id, **provider_options)[rule_id]
