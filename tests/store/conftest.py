"""Real databases for the store tests: a SQLite file, and a throwaway PostgreSQL cluster.

The cluster is started once per session on a free loopback port with its socket in a temp
dir, and torn down at the end. initdb refuses to run as root, so as root it runs as the
`postgres` system user. Each test gets its own fresh database.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.estate import Estate
from tests.support.system import require_program

ROOT = Path(__file__).resolve().parents[2]
_databases = itertools.count(1)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """The base URL of a running throwaway PostgreSQL server (no database part)."""
    initdb = Path(require_program("initdb", ["/usr/lib/postgresql/*/bin/initdb"], "apt-get install postgresql"))
    pg_ctl = str(initdb.parent / "pg_ctl")
    as_user: list[str] = []
    workdir = Path(tempfile.mkdtemp(prefix="cmm-pg-"))
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.fail("running as root needs the `postgres` system user for initdb (apt-get install postgresql)")
        shutil.chown(workdir, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    data, port = workdir / "data", _free_port()
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE, "check": True, "timeout": 120}
    subprocess.run([*as_user, str(initdb), "-D", str(data), "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8"], **quiet)
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {workdir} -c fsync=off -c max_connections=50"
    subprocess.run([*as_user, pg_ctl, "-D", str(data), "-l", str(workdir / "log"), "-o", options, "-w", "start"], **quiet)
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}"
    finally:
        subprocess.run([*as_user, pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"], **quiet)
        shutil.rmtree(workdir, ignore_errors=True)


def new_database(base: str) -> str:
    import psycopg

    name = f"store_test_{next(_databases)}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return f"{base}/{name}"


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty store of each backend: the same tests run against both."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'history.sqlite3'}"
    return new_database(request.getfixturevalue("pg_server"))


@pytest.fixture
def isolated_env(tmp_path: Path) -> dict[str, str]:
    """Environment for CLI subprocesses: a private home, so nothing lands in the real one."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CMM_SCAN_")}
    env.update(HOME=str(tmp_path / "home"), XDG_DATA_HOME=str(tmp_path / "home" / "data"), PYTHONPATH=str(ROOT / "src"))
    return env


def capacity_estate(autoscaled: int, total: int = 10, scheduled_groups: int = 1, scope: str = "111111111111") -> Estate:
    """cost.capacity at level 3 with 3 of 10 autoscaled; level 2 with none (a scheduled group remains)."""
    estate = Estate().covered("compute.container_service", "compute.function", "compute.autoscaling_group", scope=scope)
    for i in range(total):
        estate.fact("compute.instance", scope=scope, state="running", autoscaled=i < autoscaled)
    for _ in range(scheduled_groups):
        estate.fact("compute.autoscaling_group", scope=scope, dynamic=False, scheduled_only=True, advanced_metrics=False)
    return estate


def cli(*args: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cmm_scan.cli", *args], env=env, capture_output=True, text=True, timeout=timeout)


def start_cli(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "cmm_scan.cli", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
