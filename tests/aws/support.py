"""Run the AWS adapter in-process (real boto3 against moto) and look at what it emitted."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cmm_scan.aws import adapter
from cmm_scan.aws.options import Options
from cmm_scan.models import Coverage, Fact


class NullProgress:
    total: int | None = None
    done = 0

    def advance(self, n: int = 1, detail: str = "") -> None:
        self.done += n


@dataclass
class Result:
    facts: list[Fact] = field(default_factory=list)
    coverage: list[Coverage] = field(default_factory=list)

    def of(self, fact_type: str) -> list[Fact]:
        return [f for f in self.facts if f.type == fact_type]

    def one(self, fact_type: str, resource_contains: str) -> dict[str, Any]:
        (found,) = [f for f in self.of(fact_type) if resource_contains in f.resource_id]
        return found.attributes

    def status(self, collector: str, region: str | None = None) -> set[str]:
        return {c.status for c in self.coverage if c.collector == collector and (region is None or c.region == region)}


def scan(fact_types: list[str], regions: tuple[str, ...] = ("eu-west-2",), **options: Any) -> Result:
    opts = Options(regions=list(regions), workers=4, **options)
    plan = adapter.plan(opts, fact_types)
    result = Result()

    def sink(record: Fact | Coverage) -> None:
        (result.facts if isinstance(record, Fact) else result.coverage).append(record)

    adapter.run(plan, fact_types, sink, NullProgress())
    return result
