"""Benchmark the scoring engine on synthetic snapshots.

    python bench/engine_bench.py                 # 100,000 and 1,000,000 facts
    python bench/engine_bench.py 1000000 10000000

For each size it writes a synthetic snapshot (every catalogue fact type, 3 accounts, 2 regions),
then scores it with every rule in a fresh subprocess and reports wall time and peak memory (RSS).
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SCORE = """
import json, resource, sys, time
from pathlib import Path
from cmm_scan.engine import evaluate
from cmm_scan.rules import load_rules
start = time.perf_counter()
assessment = evaluate(Path(sys.argv[1]), load_rules())
elapsed = time.perf_counter() - start
peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": elapsed, "peak_mib": peak_kib / 1024, "facts": assessment.source.fact_count,
                  "suggested": sum(1 for r in assessment.results if r.suggested_level)}))
"""


def main(sizes: list[int]) -> None:
    from cmm_scan.synthetic import write_synthetic

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            path = Path(tmp) / f"synthetic-{size}.snapshot.jsonl"
            start = time.perf_counter()
            write_synthetic(path, size)
            written = time.perf_counter() - start
            out = subprocess.run([sys.executable, "-c", SCORE, str(path)], check=True, capture_output=True, text=True)
            result = json.loads(out.stdout)
            result |= {"size": size, "write_seconds": written, "file_mib": path.stat().st_size / 2**20}
            rows.append(result)
            print(
                f"{size:>10,} facts: score {result['seconds']:6.1f} s, peak {result['peak_mib']:6.0f} MiB, "
                f"snapshot {result['file_mib']:6.0f} MiB (written in {written:.1f} s)",
                flush=True,
            )
            path.unlink()
    if len(rows) > 1:
        first, last = rows[0], rows[-1]
        print(f"time ratio {last['seconds'] / first['seconds']:.1f}x for {last['size'] / first['size']:.0f}x the facts")
    print(f"(this process peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB)")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [100_000, 1_000_000])
