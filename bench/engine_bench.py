"""Benchmark the scoring engine on synthetic snapshots.

    python bench/engine_bench.py                 # 100,000 and 1,000,000 facts
    python bench/engine_bench.py 1000000 10000000
    python bench/engine_bench.py --parts 10 1000000   # also as an estate of 10 snapshots of 100,000

For each size it writes a synthetic snapshot (every catalogue fact type, 3 accounts, 2 regions),
then scores it with every rule in a fresh subprocess and reports wall time, CPU time (what to
compare on a shared machine) and peak memory (RSS). Rules are loaded before the clock starts.

Measured on 3 December 2026 on a 2-CPU machine shared with other jobs (load average 2-5, so CPU
times vary by 20-40 % from run to run; compare the lower figures): this script scored 1,000,000
facts in 9.0 and 10.4 s of CPU, peak 49 MiB, and 10 snapshots of 100,000 in 1.01x the CPU of one
of 1,000,000 (peak 55 MiB; 1.38x in a run where the load rose between the two; 0.92x, min of three
each, scoring written snapshots in one process). Scoring one written snapshot of 1,000,000 facts, the engine before
and after in turn, three times each: 12.8-14.3 s of CPU before (10.8 s typical on a quiet
machine), 7.5-9.5 s after. Counted instructions (callgrind, 20,000 facts, setup excluded) fell
from 44,400 to 33,200 a fact (-25 %); decoding the JSON is about 15,000 of them.
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
rules = load_rules()
start, cpu = time.perf_counter(), time.process_time()
assessment = evaluate([Path(p) for p in sys.argv[1:]], rules)
elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": elapsed, "cpu": cpu, "peak_mib": peak_kib / 1024, "facts": assessment.source.fact_count,
                  "suggested": sum(1 for r in assessment.results if r.suggested_level)}))
"""


def main(sizes: list[int], parts: int = 1) -> None:
    from cmm_scan.synthetic import write_synthetic

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            for count in sorted({1, parts}):
                # `count` snapshots of size/count facts, 3 accounts each, none shared: one estate
                paths = [Path(tmp) / f"synthetic-{size}-{i}-of-{count}.snapshot.jsonl" for i in range(count)]
                start = time.perf_counter()
                for i, path in enumerate(paths):
                    write_synthetic(path, size // count, seed=7 + i, first_account=3 * i)
                written = time.perf_counter() - start
                out = subprocess.run([sys.executable, "-c", SCORE, *map(str, paths)], check=True, capture_output=True, text=True)
                result = json.loads(out.stdout)
                mib = sum(p.stat().st_size for p in paths) / 2**20
                result |= {"size": size, "parts": count, "write_seconds": written, "file_mib": mib}
                rows.append(result)
                print(
                    f"{size:>10,} facts in {count:>2} snapshot(s): score {result['seconds']:6.1f} s ({result['cpu']:5.1f} s CPU), "
                    f"peak {result['peak_mib']:6.0f} MiB, "
                    f"snapshots {result['file_mib']:6.0f} MiB (written in {written:.1f} s)",
                    flush=True,
                )
                for path in paths:
                    path.unlink()
    if parts > 1:
        for size in sizes:
            one, split = (next(r for r in rows if r["size"] == size and r["parts"] == c) for c in (1, parts))
            print(
                f"{size:,} facts: {parts} snapshots take {split['seconds'] / one['seconds']:.2f}x the time of one "
                f"({split['cpu'] / one['cpu']:.2f}x the CPU)"
            )
        rows = [r for r in rows if r["parts"] == 1]
    if len(rows) > 1:
        first, last = rows[0], rows[-1]
        print(f"time ratio {last['seconds'] / first['seconds']:.1f}x for {last['size'] / first['size']:.0f}x the facts")
    print(f"(this process peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB)")


if __name__ == "__main__":
    args = sys.argv[1:]
    split = 1
    if "--parts" in args:  # before or after the sizes
        at = args.index("--parts")
        split, args = int(args[at + 1]), args[:at] + args[at + 2 :]
    main([int(a) for a in args] or [100_000, 1_000_000], split)
