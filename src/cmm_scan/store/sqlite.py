"""SQLite backend: one file, WAL mode so readers never block the writer.

Concurrent writers queue on SQLite's write lock: `BEGIN IMMEDIATE` takes it up front (no
deadlocking upgrade from a read lock), the busy timeout waits for it, and a few retries with
back-off cover the cases where SQLite reports "busy" without waiting.
"""

from __future__ import annotations

import os
import random
import sqlite3
import time
from collections.abc import Callable
from contextlib import closing, suppress
from pathlib import Path
from typing import TypeVar

from cmm_scan.errors import UserError
from cmm_scan.store.base import Store, Tx

T = TypeVar("T")

BUSY_TIMEOUT_MS = 30_000
RETRIES = 8


_MAGIC = b"SQLite format 3\x00"


def _create(path: Path) -> None:
    """A new store appears whole: an initialised database made beside it and linked into place, so
    an empty file at the path is never one of ours (and is refused) while a concurrent writer creates it."""
    creating = path.with_name(f".{path.name}.{os.getpid()}.{random.getrandbits(32):08x}.creating")
    try:
        with closing(sqlite3.connect(creating)) as conn:
            conn.execute("PRAGMA journal_mode = WAL").fetchall()  # writes the header
        with suppress(FileExistsError):  # another writer made it first: theirs is as good
            os.link(creating, path)
    finally:
        for leftover in (creating, creating.with_name(creating.name + "-wal"), creating.with_name(creating.name + "-shm")):
            leftover.unlink(missing_ok=True)


def _check_is_store_file(path: Path, display: str) -> None:
    """Refuse, untouched, a file at the path that cannot be a store: empty, or not SQLite at all."""
    if not path.is_file():
        raise UserError(f"store {display}: is not a regular file", "name a file for the store")
    with path.open("rb") as handle:
        head = handle.read(len(_MAGIC))
    if not head:
        raise UserError(f"store {display}: is an empty file, not a cmm-scan store; it was left untouched", "name a new file, or remove it")
    if head != _MAGIC:
        raise UserError(f"store {display}: is not a SQLite database (not a cmm-scan store); it was left untouched", "check --store")


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
            if not path.exists():
                _create(path)
            _check_is_store_file(path, self.display)
            # autocommit mode: transactions are begun explicitly below
            self._conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
            self._conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self._check_tables()
            self._retry(lambda: self._conn.execute("PRAGMA journal_mode = WAL").fetchall())
            self._conn.execute("PRAGMA foreign_keys = ON")
            self._conn.execute("PRAGMA synchronous = NORMAL")  # durable in WAL mode except on power loss
            self._conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchall()  # a non-database fails here
        except (OSError, sqlite3.Error) as exc:
            raise UserError(f"cannot open store {self.display}: {exc}", "check the path and its permissions") from None

    def _check_tables(self) -> None:
        """Another program's SQLite database is refused before anything (even WAL mode) is written to it."""
        tables = {row[0] for row in self._conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()}
        if tables and "schema_version" not in tables:
            self._conn.close()
            raise UserError(
                f"store {self.display}: is a SQLite database of something else (no cmm-scan tables); it was left untouched",
                "name a new file, or an existing cmm-scan store",
            )

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
