"""The history store: one row per stored run, one row per question of it, optional snapshots.

Backends (SQLite, PostgreSQL) share this class and supply only connections, transactions
and the SQL dialect. Every run is written in a single transaction, so a run is either in the
store whole or not at all; a writer killed midway leaves nothing behind.
"""

from __future__ import annotations

import os
import secrets
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError

from cmm_scan.errors import UserError
from cmm_scan.models import Assessment, HistoryPoint
from cmm_scan.store.migrations import LATEST, STEPS

T = TypeVar("T")

# Tests only: "<path>:<seconds>" makes a writer create <path> and sleep inside its open
# transaction, so a test can kill it there or make a second writer wait for the lock.
PAUSE_ENV = "CMM_SCAN_TEST_STORE_PAUSE"

_STAMP = "%Y-%m-%dT%H:%M:%S.%fZ"


def stamp(when: datetime) -> str:
    """Fixed-width UTC text: sorts the same way as time, in every backend."""
    return when.astimezone(UTC).strftime(_STAMP)


def unstamp(text: str) -> datetime:
    return datetime.strptime(text, _STAMP).replace(tzinfo=UTC)


def new_run_id(when: datetime) -> str:
    return f"{when.astimezone(UTC):%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


@dataclass(frozen=True)
class RunInfo:
    id: str
    scope_key: str
    provider: str
    created_at: datetime
    observed_at: datetime
    tool_version: str
    question_count: int


@dataclass(frozen=True)
class QuestionRow:
    question_id: str
    framework: str
    category: str
    answer: int
    answer_source: str
    suggested_level: int | None
    level_range: tuple[int, int] | None
    status: str
    confidence: str


class Tx:
    """The statements of one transaction, written with `?` placeholders whatever the backend."""

    def __init__(self, cursor: Any, placeholder: str):
        self._cursor, self._ph = cursor, placeholder

    def _sql(self, sql: str) -> str:
        return sql if self._ph == "?" else sql.replace("?", self._ph)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self._cursor.execute(self._sql(sql), params)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self._cursor.executemany(self._sql(sql), list(rows))

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        self._cursor.execute(self._sql(sql), params)
        return list(self._cursor.fetchall())


_RUN_COLUMNS = "id, scope_key, provider, created_at, observed_at, tool_version, question_count"


def _run(row: Sequence[Any]) -> RunInfo:
    return RunInfo(row[0], row[1], row[2], unstamp(row[3]), unstamp(row[4]), row[5], int(row[6]))


class Store(ABC):
    dialect: str
    blob_type: str

    def __init__(self, display: str):
        self.display = display  # the URL without a password, for messages

    # --- what a backend supplies -----------------------------------------------------

    @abstractmethod
    def _write(self, fn: Callable[[Tx], T]) -> T:
        """Run `fn` in one write transaction (retrying on lock contention) and commit."""

    @abstractmethod
    def _read(self, fn: Callable[[Tx], T]) -> T:
        """Run `fn` with a consistent read view."""

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def _has_table(self, tx: Tx, name: str) -> bool: ...

    @abstractmethod
    def _lock_for_migration(self, tx: Tx) -> None:
        """Serialise first-time schema creation between concurrent writers."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- schema ----------------------------------------------------------------------

    def schema_version(self) -> int:
        def read(tx: Tx) -> int:
            if not self._has_table(tx, "schema_version"):
                return 0
            return int(tx.query("SELECT COALESCE(MAX(version), 0) FROM schema_version")[0][0])

        return self._read(read)

    def migrate(self, upto: int = LATEST) -> int:
        """Bring the schema to `upto`; returns the version it is at. Safe to run concurrently."""
        if self.schema_version() == upto:
            return upto

        def apply(tx: Tx) -> int:
            self._lock_for_migration(tx)
            tx.execute(
                "CREATE TABLE IF NOT EXISTS schema_version "
                "(version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
            current = int(tx.query("SELECT COALESCE(MAX(version), 0) FROM schema_version")[0][0])
            if current > LATEST:
                raise UserError(
                    f"store {self.display} has schema version {current}, newer than this cmm-scan knows ({LATEST})",
                    "upgrade cmm-scan",
                )
            for step in STEPS:
                if current < step.version <= upto:
                    for statement in step.statements:
                        tx.execute(statement.format(blob=self.blob_type))
                    tx.execute(
                        "INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, ?)",
                        (step.version, step.description, stamp(datetime.now(UTC))),
                    )
                    current = step.version
            return current

        return self._write(apply)

    # --- writing ---------------------------------------------------------------------

    def save_run(self, assessment: Assessment, scope_key: str, snapshot: bytes | None = None) -> RunInfo:
        """Store one assessment (without its history points) and its question rows, atomically."""
        created = assessment.created_at
        info = RunInfo(
            id=new_run_id(created),
            scope_key=scope_key,
            provider=assessment.source.provider,
            created_at=created,
            observed_at=assessment.source.snapshot_started_at,
            tool_version=assessment.tool_version,
            question_count=len(assessment.results),
        )
        bare = assessment.model_copy(update={"results": [r.model_copy(update={"history": []}) for r in assessment.results]})
        document = bare.model_dump_json()
        rows = [
            (
                info.id,
                r.id,
                r.framework,
                r.category,
                r.answer,
                r.answer_source,
                r.suggested_level,
                r.level_range[0] if r.level_range else None,
                r.level_range[1] if r.level_range else None,
                r.status,
                r.confidence,
            )
            for r in assessment.results
        ]

        def write(tx: Tx) -> RunInfo:
            tx.execute(
                f"INSERT INTO runs ({_RUN_COLUMNS}, assessment) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    info.id,
                    info.scope_key,
                    info.provider,
                    stamp(info.created_at),
                    stamp(info.observed_at),
                    info.tool_version,
                    info.question_count,
                    document,
                ),
            )
            tx.executemany(
                "INSERT INTO run_questions (run_id, question_id, framework, category, answer, answer_source, "
                "suggested_level, range_lo, range_hi, status, confidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            if snapshot is not None:
                tx.execute(
                    "INSERT INTO run_snapshots (run_id, size, data) VALUES (?, ?, ?)",
                    (info.id, len(snapshot), snapshot),
                )
            _test_pause()
            return info

        return self._write(write)

    # --- reading ---------------------------------------------------------------------

    def runs(self, scope: str | None = None) -> list[RunInfo]:
        """Runs oldest first; `scope` matches its key exactly and the keys of its shards (`scope/...`)."""

        def read(tx: Tx) -> list[RunInfo]:
            if scope is None:
                rows = tx.query(f"SELECT {_RUN_COLUMNS} FROM runs ORDER BY scope_key, created_at, id")
            else:
                rows = tx.query(
                    f"SELECT {_RUN_COLUMNS} FROM runs WHERE scope_key = ? OR substr(scope_key, 1, ?) = ? "
                    "ORDER BY scope_key, created_at, id",
                    (scope, len(scope) + 1, scope + "/"),
                )
            return [_run(r) for r in rows]

        return self._read(read)

    def scope_keys(self) -> list[str]:
        return [r[0] for r in self._read(lambda tx: tx.query("SELECT DISTINCT scope_key FROM runs ORDER BY scope_key"))]

    def latest_runs(self, scope_key: str, limit: int, before: RunInfo | None = None) -> list[RunInfo]:
        """The last `limit` runs of exactly this scope key (before `before`, if given), oldest first."""

        def read(tx: Tx) -> list[RunInfo]:
            if before is None:
                rows = tx.query(
                    f"SELECT {_RUN_COLUMNS} FROM runs WHERE scope_key = ? ORDER BY created_at DESC, id DESC LIMIT ?",
                    (scope_key, limit),
                )
            else:
                when = stamp(before.created_at)
                rows = tx.query(
                    f"SELECT {_RUN_COLUMNS} FROM runs WHERE scope_key = ? AND (created_at < ? OR "
                    "(created_at = ? AND id < ?)) ORDER BY created_at DESC, id DESC LIMIT ?",
                    (scope_key, when, when, before.id, limit),
                )
            return [_run(r) for r in reversed(rows)]

        return self._read(read)

    def run(self, ref: str) -> RunInfo:
        """A run by id, or by a prefix of its id that only one run has."""

        def read(tx: Tx) -> list[tuple[Any, ...]]:
            exact = tx.query(f"SELECT {_RUN_COLUMNS} FROM runs WHERE id = ?", (ref,))
            if exact:
                return exact
            return tx.query(f"SELECT {_RUN_COLUMNS} FROM runs WHERE substr(id, 1, ?) = ? LIMIT 2", (len(ref), ref))

        rows = self._read(read)
        if not rows:
            raise UserError(f"no run '{ref}' in store {self.display}", "list runs with `cmm-scan history`")
        if len(rows) > 1:
            raise UserError(f"run id '{ref}' is ambiguous in store {self.display}", "give more of the id")
        return _run(rows[0])

    def assessment(self, run: RunInfo) -> Assessment:
        rows = self._read(lambda tx: tx.query("SELECT assessment FROM runs WHERE id = ?", (run.id,)))
        try:
            return Assessment.model_validate_json(rows[0][0])
        except ValidationError as exc:
            raise UserError(
                f"run {run.id} in store {self.display} holds an assessment this cmm-scan cannot read: {exc.errors()[0]['msg']}",
                "use the cmm-scan version that stored it",
            ) from None

    def questions(self, run: RunInfo) -> dict[str, QuestionRow]:
        rows = self._read(
            lambda tx: tx.query(
                "SELECT question_id, framework, category, answer, answer_source, suggested_level, range_lo, "
                "range_hi, status, confidence FROM run_questions WHERE run_id = ? ORDER BY question_id",
                (run.id,),
            )
        )
        return {r[0]: _question(r) for r in rows}

    def history_points(self, scope_key: str, limit: int = 20) -> dict[str, list[HistoryPoint]]:
        """Per question, its answers in the last `limit` runs of the scope, oldest first."""
        runs = self.latest_runs(scope_key, limit)
        if not runs:
            return {}
        by_id = {r.id: r for r in runs}
        marks = ", ".join("?" for _ in runs)
        rows = self._read(
            lambda tx: tx.query(
                f"SELECT run_id, question_id, answer, suggested_level, range_lo, range_hi FROM run_questions WHERE run_id IN ({marks})",
                [r.id for r in runs],
            )
        )
        order = {r.id: i for i, r in enumerate(runs)}
        points: dict[str, list[HistoryPoint]] = {}
        for run_id, qid, answer, suggested, lo, hi in sorted(rows, key=lambda r: order[r[0]]):
            points.setdefault(qid, []).append(
                HistoryPoint(
                    run_id=run_id,
                    at=by_id[run_id].created_at,
                    answer=answer,
                    suggested_level=suggested,
                    level_range=(lo, hi) if lo is not None and hi is not None else None,
                )
            )
        return points

    def run_stats(self, runs: list[RunInfo]) -> dict[str, tuple[int, int, float | None]]:
        """Per run: questions with a suggested level, questions answered, mean of the answers given."""
        stats: dict[str, tuple[int, int, float | None]] = {}
        for chunk in _chunks([r.id for r in runs]):
            marks = ", ".join("?" for _ in chunk)
            rows = self._read(
                lambda tx, chunk=chunk, marks=marks: tx.query(
                    "SELECT run_id, SUM(CASE WHEN suggested_level IS NULL THEN 0 ELSE 1 END), "
                    "SUM(CASE WHEN answer > 0 THEN 1 ELSE 0 END), SUM(answer) FROM run_questions "
                    f"WHERE run_id IN ({marks}) GROUP BY run_id",
                    chunk,
                )
            )
            for run_id, suggested, answered, total in rows:
                answered = int(answered or 0)
                stats[run_id] = (int(suggested or 0), answered, int(total or 0) / answered if answered else None)
        return stats

    def question_rows(self, runs: list[RunInfo], question_id: str) -> dict[str, QuestionRow]:
        """One question's row in each of `runs` that has it, by run id."""
        found: dict[str, QuestionRow] = {}
        for chunk in _chunks([r.id for r in runs]):
            marks = ", ".join("?" for _ in chunk)
            rows = self._read(
                lambda tx, chunk=chunk, marks=marks: tx.query(
                    "SELECT run_id, question_id, framework, category, answer, answer_source, suggested_level, "
                    f"range_lo, range_hi, status, confidence FROM run_questions WHERE question_id = ? AND run_id IN ({marks})",
                    [question_id, *chunk],
                )
            )
            found.update({r[0]: _question(r[1:]) for r in rows})
        return found

    def snapshot(self, run: RunInfo) -> bytes | None:
        rows = self._read(lambda tx: tx.query("SELECT data FROM run_snapshots WHERE run_id = ?", (run.id,)))
        return bytes(rows[0][0]) if rows else None


def _question(r: Sequence[Any]) -> QuestionRow:
    return QuestionRow(
        question_id=r[0],
        framework=r[1],
        category=r[2],
        answer=int(r[3]),
        answer_source=r[4],
        suggested_level=r[5],
        level_range=(r[6], r[7]) if r[6] is not None and r[7] is not None else None,
        status=r[8],
        confidence=r[9],
    )


def _chunks(items: list[str], size: int = 500) -> Iterable[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _test_pause() -> None:
    spec = os.environ.get(PAUSE_ENV)
    if not spec:
        return
    path, _, seconds = spec.rpartition(":")
    Path(path).write_text(str(os.getpid()), encoding="utf-8")
    time.sleep(float(seconds))
