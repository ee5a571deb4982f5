"""The store through the real CLI, in subprocesses, against SQLite and PostgreSQL.

Two scores of a golden estate with a change in between: cost.capacity falls from level 3 to
2 when instances stop being autoscaled. `diff` must name the question and the signal, the
regression gate must exit 4, concurrent writers must both land, a killed writer must leave
nothing behind.
"""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest

from cmm_scan.models import QuestionResult
from cmm_scan.store import open_store
from cmm_scan.store.base import PAUSE_ENV
from tests.store.conftest import capacity_estate, cli, start_cli

QUESTIONS = "cost.capacity,cost.compute"  # fewer rules: faster subprocesses, same store code


@pytest.fixture
def snapshots(tmp_path: Path) -> dict[str, Path]:
    return {
        "before": capacity_estate(3).write(tmp_path / "before.jsonl"),
        "after": capacity_estate(0).write(tmp_path / "after.jsonl"),
    }


_expected: dict[str, QuestionResult] = {}


@pytest.fixture
def expected(tmp_path: Path) -> dict[str, QuestionResult]:
    """cost.capacity scored in-process from the same estates: what the CLI must report."""
    if not _expected:
        _expected["before"] = capacity_estate(3).score(tmp_path, "cost.capacity")
        _expected["after"] = capacity_estate(0).score(tmp_path, "cost.capacity")
    assert (_expected["before"].suggested_level, _expected["after"].suggested_level) == (3, 2)
    return _expected


def score(snapshot: Path, store: str, env: dict[str, str], *extra: str, out: Path | None = None):
    out = out or snapshot.with_suffix(".out")
    return cli("score", str(snapshot), "--store", store, "-o", str(out), "--format", "json", "--questions", QUESTIONS, *extra, env=env)


def test_two_scans_diff_history_and_the_regression_gate(store_url, snapshots, expected, isolated_env, tmp_path):
    first = score(snapshots["before"], store_url, isolated_env, "--fail-on-regression")
    assert first.returncode == 0, first.stderr
    assert "no earlier run of scope aws:111111111111" in first.stderr
    second = score(snapshots["after"], store_url, isolated_env, "--fail-on-regression")
    assert second.returncode == 4, second.stderr
    regressions = [line for line in second.stderr.splitlines() if line.startswith("regression:")]
    assert regressions == ["regression: cost.capacity: answer 3 -> 2, suggested 3 -> 2 (How do you set capacity for live services?)"]

    # the second run's outputs carry the first as history, for the report's trend
    result = next(
        r
        for r in json.loads((snapshots["after"].with_suffix(".out") / "assessment.json").read_text())["results"]
        if r["id"] == "cost.capacity"
    )
    assert [(p["answer"], p["suggested_level"]) for p in result["history"]] == [(3, 3)]

    diff = cli("diff", "previous", "latest", "--store", store_url, env=isolated_env)
    assert diff.returncode == 0, diff.stderr
    text = diff.stdout
    assert "cost.capacity: answer 3, suggested 3 (suggested) -> answer 2, suggested 2 (suggested)  FELL" in text
    before, after = expected["before"], expected["after"]
    share_before = next(e.display for e in before.evidence if e.signal == "autoscaled_share")  # type: ignore[attr-defined]
    share_after = next(e.display for e in after.evidence if e.signal == "autoscaled_share")  # type: ignore[attr-defined]
    assert f"autoscaled_share: {share_before} -> {share_after}" in text
    assert "no longer matching: compute.instance/1, compute.instance/2, compute.instance/3" in text
    assert "cost.compute" not in text  # it did not move

    as_json = json.loads(cli("diff", "previous", "latest", "--store", store_url, "--json", env=isolated_env).stdout)
    (moved,) = as_json["moved"]
    assert moved["id"] == "cost.capacity" and moved["fell"] is True
    assert {s["signal"]: (s["before"], s["after"]) for s in moved["signals"]}["autoscaled_share"] == (share_before, share_after)

    history = cli("history", "--store", store_url, "--json", env=isolated_env)
    runs = json.loads(history.stdout)
    assert [r["scope_key"] for r in runs] == ["aws:111111111111"] * 2
    assert runs[0]["created_at"] < runs[1]["created_at"]
    trend = cli("history", "--store", store_url, "--question", "cost.capacity", env=isolated_env).stdout
    lines = trend.splitlines()
    assert lines[0] == "aws:111111111111  cost.capacity"
    assert [line.split("  ")[-1] for line in lines[1:]] == [
        "answer 3, suggested 3 (suggested)",
        "answer 2, suggested 2 (suggested)",
    ]


def test_concurrent_writers_both_land(store_url, snapshots, isolated_env, tmp_path):
    """Writer A holds its transaction open; writer B must wait for it, then land too."""
    paused = tmp_path / "a-is-writing"
    env_a = isolated_env | {PAUSE_ENV: f"{paused}:1.5"}
    a = start_cli(
        "score",
        str(snapshots["before"]),
        "--store",
        store_url,
        "-o",
        str(tmp_path / "a"),
        "--format",
        "json",
        "--questions",
        QUESTIONS,
        env=env_a,
    )
    _wait_for(paused, a)
    others = [
        start_cli(
            "score",
            str(snapshots["after"]),
            "--store",
            store_url,
            "-o",
            str(tmp_path / f"b{i}"),
            "--format",
            "json",
            "--questions",
            QUESTIONS,
            env=isolated_env,
        )
        for i in range(2)
    ]
    for proc in [a, *others]:
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
    with open_store(store_url) as store:
        runs = store.runs()
        assert len(runs) == 3
        assert len({r.id for r in runs}) == 3
        assert all(len(store.questions(r)) == 2 for r in runs)


def test_a_writer_killed_midway_leaves_no_partial_run(store_url, snapshots, isolated_env, tmp_path):
    with open_store(store_url) as store:  # an earlier run, stored directly: one subprocess less
        earlier = capacity_estate(3).assess(tmp_path, "cost.capacity", "cost.compute")
        store.save_run(earlier, "aws:111111111111")
    paused = tmp_path / "inside-transaction"
    victim = start_cli(
        "score",
        str(snapshots["after"]),
        "--store",
        store_url,
        "-o",
        str(tmp_path / "v"),
        "--format",
        "json",
        "--questions",
        QUESTIONS,
        "--store-snapshot",
        env=isolated_env | {PAUSE_ENV: f"{paused}:60"},
    )
    _wait_for(paused, victim)
    # the run, its question rows and its snapshot are written but not committed: kill it there
    os.kill(victim.pid, signal.SIGKILL)
    victim.communicate(timeout=30)
    assert victim.returncode == -signal.SIGKILL
    with open_store(store_url) as store:
        assert len(store.runs()) == 1
        counts = store._read(lambda tx: [tx.query(f"SELECT COUNT(*) FROM {t}")[0][0] for t in ("runs", "run_questions", "run_snapshots")])
        assert counts == [1, 2, 0]
        if store.dialect == "sqlite":
            assert store._read(lambda tx: tx.query("PRAGMA integrity_check")) == [("ok",)]
    again = score(snapshots["after"], store_url, isolated_env, "--fail-on-regression")
    assert again.returncode == 4  # the store still works, and compares with the surviving run
    with open_store(store_url) as store:
        assert len(store.runs()) == 2


def _wait_for(marker: Path, proc, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not marker.exists():
        if proc.poll() is not None:
            raise AssertionError(f"writer exited early: {proc.communicate()}")
        assert time.monotonic() < deadline, "writer never reached its transaction"
        time.sleep(0.05)
