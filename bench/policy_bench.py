"""Benchmark a policy baseline on synthetic snapshots: the extra pass `--baseline` costs.

    python bench/policy_bench.py                  # 100,000 facts
    python bench/policy_bench.py 1000000

For each size it writes a synthetic snapshot (every catalogue fact type, 3 accounts, 2 regions) and
judges the bundled DWP baseline in a fresh subprocess (per-scope accumulators included), reporting
wall time and peak memory (RSS).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

JUDGE = """
import json, resource, sys, time
from pathlib import Path
from cmm_scan.policy.evaluate import evaluate_baseline
from cmm_scan.policy.load import load_baseline
start = time.perf_counter()
policy = evaluate_baseline([Path(sys.argv[1])], load_baseline("dwp-cloud-security"))
elapsed = time.perf_counter() - start
print(json.dumps({"seconds": elapsed, "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "verdicts": policy.counts()}))
"""


def main(sizes: list[int]) -> None:
    from cmm_scan.synthetic import write_synthetic

    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            path = Path(tmp) / f"synthetic-{size}.snapshot.jsonl"
            start = time.perf_counter()
            write_synthetic(path, size)
            written = time.perf_counter() - start
            out = subprocess.run([sys.executable, "-c", JUDGE, str(path)], check=True, capture_output=True, text=True)
            result = json.loads(out.stdout)
            print(
                f"{size:>10,} facts: baseline judged in {result['seconds']:6.1f} s, peak {result['peak_mib']:6.0f} MiB "
                f"(snapshot written in {written:.1f} s); verdicts {result['verdicts']}"
            )


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [100_000])
