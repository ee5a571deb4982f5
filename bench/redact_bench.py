"""Cost of keeping credentials out of snapshots: redact_fact on clean and tagged facts, beside the cost of
writing the same facts (the JSON line every fact becomes anyway).

    python bench/redact_bench.py [N]
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from cmm_scan.models import Fact, SnapshotHeader
from cmm_scan.redact import redact_fact
from cmm_scan.snapshot_io import SnapshotWriter


def facts(n: int, secret_every: int) -> list[Fact]:
    return [
        Fact(
            type="compute.instance",
            provider="aws",
            scope="111111111111",
            region="eu-west-2",
            resource_id=f"i-{i:017x}",
            attributes={
                "state": "running",
                "instance_type": "m5.large",
                "tags": {"Name": f"web-{i}", "owner": "team-a", "deploy": "token=abc123" if i % secret_every == 0 else "v1"},
            },
            source="ec2:DescribeInstances",
        )
        for i in range(n)
    ]


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    for label, every in (("clean", n + 1), ("1 in 100 with a secret", 100)):
        batch = facts(n, every)
        start = time.perf_counter()
        for fact in batch:
            redact_fact(fact)
        redact = time.perf_counter() - start
        with tempfile.TemporaryDirectory() as tmp:
            header = SnapshotHeader(tool_version="bench", provider="aws", started_at=datetime.now(UTC))
            start = time.perf_counter()
            with SnapshotWriter(Path(tmp) / "s.jsonl", header) as writer:
                for fact in batch:
                    writer.fact(fact)
            write = time.perf_counter() - start
        print(f"{label}: redact {redact / n * 1e6:.1f} us/fact; write (redaction included) {write / n * 1e6:.1f} us/fact")


if __name__ == "__main__":
    main()
