"""PostgreSQL backend, for a store a team (or many shards of one scan) share.

psycopg is imported only when a postgresql:// URL is used, so it stays an optional extra.
Each run is one transaction; the server rolls it back if the writer dies before COMMIT.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

from cmm_scan.errors import UserError
from cmm_scan.store.base import Store, Tx

T = TypeVar("T")

RETRIES = 5
# An arbitrary constant: the advisory lock that serialises schema migrations between writers.
MIGRATION_LOCK = 0x636D6D5F7363


def redact(url: str) -> str:
    """The URL as it may be printed: any password replaced."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


class PostgresStore(Store):
    dialect = "postgres"
    blob_type = "BYTEA"

    def __init__(self, url: str):
        super().__init__(redact(url))
        try:
            import psycopg
        except ImportError:
            raise UserError("a postgresql:// store needs psycopg", "pip install 'cmm-scan[postgres]'") from None
        self._psycopg = psycopg
        try:
            self._conn: Any = psycopg.connect(url, autocommit=True, connect_timeout=15)
        except psycopg.Error as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise UserError(f"cannot open store {self.display}: {reason}", "check the URL, the server and the credentials") from None

    def _transaction(self, fn: Callable[[Tx], T]) -> T:
        errors = self._psycopg.errors
        for attempt in range(RETRIES):
            try:
                with self._conn.transaction(), self._conn.cursor() as cursor:
                    return fn(Tx(cursor, "%s"))
            except (errors.SerializationFailure, errors.DeadlockDetected):
                if attempt == RETRIES - 1:
                    raise
                time.sleep(min(2.0, 0.05 * 2**attempt) * (0.5 + random.random()))
            except self._psycopg.Error as exc:
                raise UserError(f"store {self.display}: {str(exc).strip().splitlines()[0]}", "check the server") from None
        raise AssertionError("unreachable")

    def _write(self, fn: Callable[[Tx], T]) -> T:
        return self._transaction(fn)

    def _read(self, fn: Callable[[Tx], T]) -> T:
        return self._transaction(fn)

    def _has_table(self, tx: Tx, name: str) -> bool:
        return bool(
            tx.query(
                "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?",
                (name,),
            )
        )

    def _lock_for_migration(self, tx: Tx) -> None:
        tx.execute("SELECT pg_advisory_xact_lock(?)", (MIGRATION_LOCK,))

    def close(self) -> None:
        self._conn.close()
