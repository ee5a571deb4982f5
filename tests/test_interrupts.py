"""Ctrl-C, for real: the CLI in a subprocess and a SIGINT sent to it.

- Interrupted (SIGINT, or the SIGTERM a scheduler sends) while the reports are written, the previous
  report set is left whole (never a mix of old and new files),
  and nothing half-written stays behind.
- Interrupted while collecting, the command exits within 2 s with code 130, pending API calls
  cancelled, and no snapshot (whole or partial) is left.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.moto import client, moto_server

FORMATS = "json,md,csv,cmm,html"
STAGING_PREFIX = ".cmm-scan-staging-"  # cmm_scan.outpaths.STAGING_PREFIX (spelt out: the test also runs against older code)


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "cmm_scan.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )


def _hashes(directory: Path) -> dict[str, str]:
    """The report files (not hidden temporaries) and their content."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in directory.iterdir() if p.is_file() and not p.name.startswith(".")}


def _interrupt_when(proc: subprocess.Popen[str], ready: Callable[[], bool], timeout: float = 60, signum: int = signal.SIGINT) -> None:
    """Poll fast until `ready()`, then send SIGINT (or `signum`)."""
    deadline = time.monotonic() + timeout
    while not ready():
        assert proc.poll() is None, f"finished before the moment to interrupt it: {proc.communicate()}"
        assert time.monotonic() < deadline, "never reached the moment to interrupt"
        time.sleep(0.001)
    proc.send_signal(signum)


@pytest.mark.parametrize(
    ("signum", "code", "said"),
    [(signal.SIGINT, 130, "interrupted"), (signal.SIGTERM, 143, "terminated")],
    ids=["SIGINT", "SIGTERM"],
)
def test_interrupted_report_writing_leaves_one_whole_set(tmp_path: Path, signum: int, code: int, said: str) -> None:
    """SIGINT the moment the new set starts to appear (a staging directory, or a report file changed in
    place): every file must then be the previous run's, or every file the new run's, never a mix.
    SIGTERM (how a scheduler stops a job) takes the same clean path, and exits 143."""
    out = tmp_path / "reports"
    first = _cli("demo", "-q", "--no-store", "--questions", "cost", "--format", FORMATS, "--output-dir", str(out))
    assert first.wait(60) == 0, first.communicate()
    previous = _hashes(out)
    assert len(previous) == 6

    def writing_started() -> bool:
        return any(n.startswith(STAGING_PREFIX) for n in os.listdir(out)) or _hashes(out) != previous

    proc = _cli("demo", "-q", "--no-store", "--format", FORMATS, "--output-dir", str(out))
    _interrupt_when(proc, writing_started, signum=signum)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == code, err
    assert said in err and "Traceback" not in err
    now = _hashes(out)
    assert sorted(now) == sorted(previous), "a file was added, or something half-written left behind"
    kept = {name for name in now if now[name] == previous[name]}
    assert kept in (set(), set(previous)), f"a mixed set: {sorted(kept)} from the previous run, the rest new"
    assert sorted(os.listdir(out)) == sorted(previous), f"a staging directory was left: {os.listdir(out)} {err}"


def test_an_uninterrupted_run_replaces_the_whole_set_and_leaves_no_staging(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    for questions in ("cost", "cmm"):
        proc = _cli("demo", "-q", "--no-store", "--questions", questions, "--format", FORMATS, "--output-dir", str(out))
        assert proc.wait(60) == 0, proc.communicate()
    assert sorted(os.listdir(out)) == sorted(
        ["assessment.json", "assessment.md", "assessment.csv", "cmm-assessment.json", "cmm-evidence.json", "report.html"]
    )
    assert "cost." in (out / "assessment.csv").read_text() and "ops." in (out / "assessment.csv").read_text()


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    """150 buckets: reading each one's settings (nine calls a bucket) keeps one collector busy for ~20 s."""
    with moto_server() as url:
        s3 = client(url, "s3")
        for i in range(150):
            s3.create_bucket(Bucket=f"bucket-{i}", CreateBucketConfiguration={"LocationConstraint": "eu-west-2"})
        yield url


def test_sigint_during_collection_exits_within_two_seconds(tmp_path: Path, endpoint: str) -> None:
    """Before the fix, the running collectors went on through every bucket (17 s after the signal)."""
    snapshot = tmp_path / "snap.jsonl.gz"
    env = {"AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_MAX_ATTEMPTS": "1"}
    argv = ("collect", "aws", "--regions", "eu-west-2", "--questions", "data.management", "--workers", "2", "--output", str(snapshot))
    proc = _cli(*argv, env=env)
    time.sleep(6)  # well into the per-bucket reads
    assert proc.poll() is None, proc.communicate()
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(30)
    finally:
        proc.kill()
    took = time.monotonic() - sent
    _, err = proc.communicate()
    assert proc.returncode == 130, err[-2000:]
    assert took < 2.0, f"took {took:.1f} s to stop"
    assert "Traceback" not in err
    assert [p.name for p in tmp_path.iterdir()] == [], "a snapshot, whole or partial, was left"
