"""SQLite backend: one file, WAL mode so readers never block the writer.

Concurrent writers queue on SQLite's write lock: `BEGIN IMMEDIATE` takes it up front (no
deadlocking upgrade from a read lock), the busy timeout waits for it, and a few retries with
back-off cover the cases where SQLite reports "busy" without waiting.
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from cmm_scan.errors import UserError
from cmm_scan.store.base import Store, Tx

T = TypeVar("T")

BUSY_TIMEOUT_MS = 30_000
RETRIES = 8


def _contended(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


class SqliteStore(Store):
    dialect = "sqlite"
    blob_type = "BLOB"

    def __init__(self, path: Path):
        path = path.expanduser().resolve()
        super().__init__(f"sqlite://{path}")
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # autocommit mode: transactions are begun explicitly below
            self._conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
            self._conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self._retry(lambda: self._conn.execute("PRAGMA journal_mode = WAL").fetchall())
            self._conn.execute("PRAGMA foreign_keys = ON")
            self._conn.execute("PRAGMA synchronous = NORMAL")  # durable in WAL mode except on power loss
            self._conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchall()  # a non-database fails here
        except (OSError, sqlite3.Error) as exc:
            raise UserError(f"cannot open store {self.display}: {exc}", "check the path and its permissions") from None

    def _retry(self, fn: Callable[[], T]) -> T:
        for attempt in range(RETRIES):
            try:
                return fn()
            except sqlite3.OperationalError as exc:
                if not _contended(exc) or attempt == RETRIES - 1:
                    raise
                time.sleep(min(2.0, 0.05 * 2**attempt) * (0.5 + random.random()))
        raise AssertionError("unreachable")

    def _transaction(self, begin: str, fn: Callable[[Tx], T]) -> T:
        def attempt() -> T:
            self._conn.execute(begin)
            try:
                result = fn(Tx(self._conn.cursor(), "?"))
                self._conn.execute("COMMIT")
                return result
            except BaseException:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise

        try:
            return self._retry(attempt)
        except sqlite3.Error as exc:
            raise UserError(f"store {self.display}: {exc}", "check the file is a cmm-scan store and writable") from None

    def _write(self, fn: Callable[[Tx], T]) -> T:
        return self._transaction("BEGIN IMMEDIATE", fn)

    def _read(self, fn: Callable[[Tx], T]) -> T:
        return self._transaction("BEGIN", fn)

    def _has_table(self, tx: Tx, name: str) -> bool:
        return bool(tx.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)))

    def _lock_for_migration(self, tx: Tx) -> None:
        """BEGIN IMMEDIATE already holds the database's single write lock."""

    def close(self) -> None:
        self._conn.close()
