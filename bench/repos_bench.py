"""Benchmark `cmm-scan collect repos` on a local clone-all folder.

    python bench/repos_bench.py              # 200 repositories
    python bench/repos_bench.py 50 --big 1   # 50, one of them with 10,000 commits

Builds the repositories once (real git, `git fast-import`: histories of 50-400 commits with feature
merges and tags, pipelines, lock files, Dockerfiles, Terraform; every tenth follows GitFlow), then
times the collection in a fresh subprocess (wall time, peak memory, git processes per repository).
The target is under 60 s for 200 repositories on 2 cores.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from tests.repos.gitbuild import Repo  # noqa: E402

WORKFLOW = """on: push
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: pytest -q
      - run: ruff check .
  deploy:
    environment: production
    steps:
      - run: helm upgrade app ./chart
"""


def build(folder: Path, count: int, big: int) -> None:
    rng = random.Random(7)
    for i in range(count):
        repo = Repo(folder / f"repo-{i:03d}", remote=f"https://github.com/dept/repo-{i:03d}.git")
        commits = 10_000 if i < big else rng.randint(50, 400)
        repo.commits("main", commits, first_days_ago=900, last_days_ago=100)
        repo.commit(
            "main",
            {
                ".github/workflows/ci.yml": WORKFLOW,
                "pyproject.toml": "[project]\n",
                "uv.lock": "",
                "Dockerfile": "FROM python:3.12\n",
                "infra/main.tf": "",
            },
            days_ago=95,
        )
        if i % 10 == 0:
            repo.branch("develop", "main")
            for r in range(3):
                repo.feature(f"feature/{r}", into="develop", days_ago=80 - r * 20)
                repo.branch(f"release/{r}", "develop").commit(f"release/{r}", days_ago=75 - r * 20)
                repo.merge(f"release/{r}", into="main", days_ago=74 - r * 20)
        for f in range(rng.randint(5, 30)):
            repo.feature(f"feature/x{f}", days_ago=90 - f * 2.5, pr=f + 1)
        for t in range(rng.randint(0, 6)):
            repo.tag(f"v1.{t}.0", "main", days_ago=60 - t * 10)
        repo.build()


def main() -> None:
    args = sys.argv[1:]
    big = int(args[args.index("--big") + 1]) if "--big" in args else 0
    numbers = [a for i, a in enumerate(args) if a.isdigit() and (i == 0 or args[i - 1] != "--big")]
    count = int(numbers[0]) if numbers else 200
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "checkouts"
        started = time.perf_counter()
        build(folder, count, big)
        print(f"built {count} repositories in {time.perf_counter() - started:.1f} s")
        snapshot = Path(tmp) / "repos.snapshot.jsonl"
        trace = Path(tmp) / "git-trace.log"
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "GIT_TRACE": str(trace)}
        command = [
            sys.executable,
            "-c",
            "import resource, sys, time; from cmm_scan.cli import main; t = time.perf_counter(); code = main(sys.argv[1:]); "
            "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, code)",
            "collect",
            "repos",
            str(folder),
            "--output",
            str(snapshot),
            "-q",
        ]
        out = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout.split()
        seconds, peak_mib, code = float(out[0]), float(out[1]), out[2]
        gits = sum(1 for line in trace.read_text().splitlines() if "trace: built-in: git" in line)
        facts = sum(1 for line in snapshot.open() if '"record":"fact"' in line)
        print(
            json.dumps(
                {
                    "repositories": count,
                    "seconds": round(seconds, 2),
                    "peak_mib": round(peak_mib, 1),
                    "exit": code,
                    "facts": facts,
                    "git_processes_per_repository": round(gits / count, 1),
                    "cores": os.cpu_count(),
                }
            )
        )


if __name__ == "__main__":
    main()
