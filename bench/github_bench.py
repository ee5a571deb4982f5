"""Benchmark `cmm-scan collect repos --github-org` against the `github` emulator.

    python bench/github_bench.py                 # 50 repositories
    python bench/github_bench.py 200 --latency-ms 50   # closer to api.github.com's round trip

Serves an organisation of N repositories (40-250 commits each in the 90-day window, so history
pages 1-3 times; 5-40 Actions runs; three configuration files; every third protected classically,
every third by a ruleset) and times the collection in a fresh subprocess: wall time, requests in
all and per repository (from the emulator's request log; a GraphQL query serves up to 20
repositories, so the mean counts it once, the min/max per repository not at all). The emulator's
--latency-ms delays every answer, so the figure shows what parallel readers buy over a real network.

Measured on a shared 2-core machine (200 repositories): the REST-only reader took 1,982 requests
(9.9 a repository); the GraphQL reader takes 432 (2.2: a tree and a runs list each, 30 GraphQL
queries, 2 listing pages). Wall time with 50 ms
added to every answer: 12-17 s (REST: 16-21 s); with none, 12-18 s (REST: 4-8 s), the emulator
executing each GraphQL query in Python (graphql-core, ~0.4 s a query here) where GitHub does it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from cmm_scan.emulate import provider  # noqa: E402
from cmm_scan.emulate.core import Emulator, Faults  # noqa: E402
from tests.repos import ghbuild  # noqa: E402


def organisation(count: int, seed: int = 7) -> dict:
    rng = random.Random(seed)
    repos = []
    for n in range(count):
        name = f"svc-{n:03d}"
        commits = rng.randint(40, 250)
        extra: dict = {
            "commits": ghbuild.commits(name, commits, spacing_days=85 / commits),
            "workflow_runs": ghbuild.runs([rng.randint(2, 40) for _ in range(rng.randint(5, 40))]),
        }
        if n % 3 == 0:
            extra["protection"] = ghbuild.CLASSIC_PROTECTION
        elif n % 3 == 1:
            extra["rules"] = ghbuild.RULES
        repos.append(ghbuild.repo(name, **extra))
    return {"provider": "github", "orgs": [{"login": "bench", "repos": repos}]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, nargs="?", default=50)
    parser.add_argument("--latency-ms", type=int, default=0)
    parser.add_argument("--workers", type=int, default=8)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as tmp,
        Emulator(provider("github"), organisation(args.count), faults=Faults(latency_ms=args.latency_ms)) as em,
    ):
        out = Path(tmp) / "repos.jsonl.gz"
        env = {**os.environ, **em.env, "PYTHONPATH": str(ROOT / "src"), "CMM_SCAN_STORE": f"sqlite:///{tmp}/h.sqlite3"}
        command = [sys.executable, "-m", "cmm_scan.cli", "collect", "repos", "--github-org", "bench", "--workers", str(args.workers)]
        command += ["--output", str(out), "-q"]
        started = time.perf_counter()
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - started
        if done.returncode != 0:
            print(done.stderr, file=sys.stderr)
            return done.returncode
        per_repo = Counter(r["path"].split("/")[3] for r in em.requests if r["path"].startswith("/repos/"))  # REST only
        operations = Counter(r["operation"] for r in em.requests)
        print(
            json.dumps(
                {
                    "repositories": args.count,
                    "latency_ms": args.latency_ms,
                    "workers": args.workers,
                    "wall_s": round(wall, 2),
                    "requests": len(em.requests),
                    "requests_per_repository": {
                        "min": min(per_repo.values()),
                        "max": max(per_repo.values()),
                        "mean": round(len(em.requests) / args.count, 1),
                    },
                    "by_operation": dict(sorted(operations.items())),
                },
                indent=1,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
