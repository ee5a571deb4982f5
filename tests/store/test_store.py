"""The store's own contract, run against a real SQLite file and a real PostgreSQL server."""

from __future__ import annotations

import gzip
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cmm_scan.errors import UserError
from cmm_scan.models import Assessment, HistoryPoint, ScopeInfo
from cmm_scan.store import open_store, scope_key
from cmm_scan.store.migrations import LATEST
from tests.store.conftest import capacity_estate

_scored: dict[int, Assessment] = {}


def _assess(tmp_path: Path, autoscaled: int, when: datetime) -> Assessment:
    """cost.capacity and cost.compute scored for an estate; cached, as rule loading dominates."""
    if autoscaled not in _scored:
        _scored[autoscaled] = capacity_estate(autoscaled).assess(tmp_path, "cost.capacity", "cost.compute")
    return _scored[autoscaled].model_copy(deep=True, update={"created_at": when})


T0 = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)


def test_a_run_round_trips_with_its_question_rows(store_url, tmp_path):
    assessment = _assess(tmp_path, 3, T0)
    assessment.results[0].history = [HistoryPoint(run_id="x", at=T0, answer=1)]
    with open_store(store_url) as store:
        run = store.save_run(assessment, "aws:111111111111")
        assert store.schema_version() == LATEST
        assert [r.id for r in store.runs()] == [run.id]
        assert store.run(run.id[:-2]) == run  # a unique prefix is enough
        back = store.assessment(run)
        assert back.results[0].history == []  # history points are derived, never stored
        assert back.model_dump(exclude={"results"}) == assessment.model_dump(exclude={"results"})
        row, result = store.questions(run)["cost.capacity"], assessment.results[0]
        assert result.id == "cost.capacity" and result.answer > 0
        assert (row.answer, row.suggested_level, row.level_range, row.status) == (
            result.answer,
            result.suggested_level,
            result.level_range,
            result.status,
        )
        assert store.snapshot(run) is None


def test_history_points_are_per_scope_oldest_first_and_bounded(store_url, tmp_path):
    with open_store(store_url) as store:
        saved = []
        for i, autoscaled in enumerate([3, 0, 3, 0]):
            saved.append(_assess(tmp_path, autoscaled, T0 + timedelta(days=i)))
            store.save_run(saved[-1], "aws:111111111111")
        other = _assess(tmp_path, 9, T0 + timedelta(days=9))
        store.save_run(other, "aws:222222222222")
        points = store.history_points("aws:111111111111", limit=3)["cost.capacity"]
        expected = [a.results[0] for a in saved[1:]]
        assert expected[0].answer < expected[1].answer  # the estates really differ
        assert [p.answer for p in points] == [r.answer for r in expected]
        assert [p.level_range for p in points] == [r.level_range for r in expected]
        assert [p.at for p in points] == [T0 + timedelta(days=d) for d in (1, 2, 3)]
        (latest,) = store.latest_runs("aws:222222222222", 5)
        assert store.questions(latest)["cost.capacity"].answer == other.results[0].answer


def test_unknown_run_is_a_user_error(store_url):
    with open_store(store_url) as store, pytest.raises(UserError, match="no run 'nope'"):
        store.run("nope")


def test_snapshot_is_kept_with_the_run(store_url, tmp_path):
    data = gzip.compress(b'{"record":"header"}\n' * 1000)
    with open_store(store_url) as store:
        run = store.save_run(_assess(tmp_path, 3, T0), "aws:111111111111", snapshot=data)
        assert store.snapshot(run) == data


def test_migrations_upgrade_an_older_store_and_keep_its_runs(store_url, tmp_path):
    with open_store(store_url, migrate=False) as store:
        assert store.schema_version() == 0
        assert store.migrate(upto=1) == 1
        run = store.save_run(_assess(tmp_path, 3, T0), "aws:111111111111")
    with open_store(store_url) as store:  # opening applies step 2
        assert store.schema_version() == LATEST == 2
        assert store.runs() == [run]
        assert store.save_run(_assess(tmp_path, 3, T0), "aws:1", snapshot=b"x").scope_key == "aws:1"


def test_a_store_newer_than_the_tool_is_refused(store_url):
    with open_store(store_url) as store:
        store._write(lambda tx: tx.execute("INSERT INTO schema_version VALUES (99, 'future', 'x')"))
    with pytest.raises(UserError, match="schema version 99, newer than this cmm-scan knows"):
        open_store(store_url)


def test_concurrent_first_opens_migrate_once(store_url):
    errors: list[BaseException] = []

    def open_and_close() -> None:
        try:
            open_store(store_url).close()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=open_and_close) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with open_store(store_url) as store:
        rows = store._read(lambda tx: tx.query("SELECT version FROM schema_version ORDER BY version"))
        assert [r[0] for r in rows] == [1, 2]


def test_scope_keys(tmp_path):
    a = _assess(tmp_path, 3, T0)
    assert scope_key(a) == "aws:111111111111"
    a.source.scopes = [ScopeInfo(id="222", kind="account"), ScopeInfo(id="111", kind="account")]
    assert scope_key(a) == "aws:111,222"
    a.source.scopes.append(ScopeInfo(id="o-abc", kind="organization"))
    assert scope_key(a) == "aws:org:o-abc"
    assert scope_key(a, shard=(2, 4)) == "aws:org:o-abc/shard-2-of-4"
    a.source.scopes = [ScopeInfo(id=f"{i:012d}", kind="account") for i in range(100)]
    key = scope_key(a)
    assert key.startswith("aws:100-scopes-") and len(key) < 40
    a.source.scopes = list(reversed(a.source.scopes))
    assert scope_key(a) == key  # order of discovery does not matter


@pytest.mark.parametrize(
    "url, message",
    [
        ("mysql://x/y", "scheme 'mysql' is not supported"),
        ("sqlite://", "names no file"),
        ("postgresql://nobody@127.0.0.1:1/none", "cannot open store postgresql://nobody@127.0.0.1:1/none"),
        ("postgresql://u:secret@127.0.0.1:1/db", "postgresql://u:\\*\\*\\*@127.0.0.1:1/db"),
    ],
)
def test_bad_urls_are_user_errors(url, message):
    with pytest.raises(UserError, match=message) as caught:
        open_store(url)
    assert "secret" not in caught.value.line()


def test_a_file_that_is_not_a_database_is_a_user_error(tmp_path):
    bogus = tmp_path / "notes.txt"
    bogus.write_text("hello, this is not SQLite\n" * 100)
    with pytest.raises(UserError, match=r"store sqlite:///.*: is not a SQLite database"):
        open_store(str(bogus))
    assert bogus.read_text() == "hello, this is not SQLite\n" * 100  # left untouched
