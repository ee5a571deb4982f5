"""Where runs go by default, the minimums gate, shards, and bad input (one line, exit 2)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from cmm_scan.cli import main
from cmm_scan.history_cli import Recorder
from cmm_scan.store import open_store
from tests.store.conftest import capacity_estate

QUESTIONS = "cost.capacity,cost.compute"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private user data directory: the default store lands here, never in the real home."""
    monkeypatch.delenv("CMM_SCAN_STORE", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home" / "data"))
    return tmp_path / "home" / "data" / "cmm-scan" / "history.sqlite3"


@pytest.fixture
def before(tmp_path: Path) -> Path:
    return capacity_estate(3).write(tmp_path / "before.jsonl")


@pytest.fixture
def after(tmp_path: Path) -> Path:
    return capacity_estate(0).write(tmp_path / "after.jsonl")


def run(*argv: str | Path) -> int:
    return main([str(a) for a in argv])


def score(snapshot: Path, *extra: str | Path) -> int:
    out = snapshot.with_suffix(".out")
    return run("score", snapshot, "-o", out, "--format", "json", "--questions", QUESTIONS, "-q", *extra)


def _runs(url: str | Path) -> int:
    with open_store(str(url)) as store:
        return len(store.runs())


def test_score_stores_by_default_in_the_user_data_directory(home, before):
    assert score(before) == 0
    assert _runs(home) == 1


def test_the_environment_names_the_default_store(home, before, tmp_path, monkeypatch):
    monkeypatch.setenv("CMM_SCAN_STORE", str(tmp_path / "team.db"))
    assert score(before) == 0
    assert _runs(tmp_path / "team.db") == 1
    assert not home.exists()


def test_no_store_keeps_nothing(home, before):
    assert score(before, "--no-store") == 0
    assert not home.exists()


def test_demo_stores_only_when_asked(home, tmp_path, monkeypatch):
    monkeypatch.setenv("CMM_SCAN_STORE", str(tmp_path / "env.db"))  # demo ignores it too
    assert run("demo", "-o", tmp_path / "d1", "--format", "json", "--questions", QUESTIONS, "-q") == 0
    assert not home.exists() and not (tmp_path / "env.db").exists()
    assert run("demo", "-o", tmp_path / "d2", "--format", "json", "--questions", QUESTIONS, "-q", "--store", tmp_path / "demo.db") == 0
    assert _runs(tmp_path / "demo.db") == 1


def test_an_unusable_default_store_does_not_stop_a_score(home, before, tmp_path, capsys):
    home.parent.parent.mkdir(parents=True)
    home.parent.write_text("a file where the data directory should be")
    assert run("score", before, "-o", tmp_path / "out", "--format", "json", "--questions", QUESTIONS) == 0
    assert "history not kept" in capsys.readouterr().err
    assert score(before, "--fail-on-regression") == 2  # the gate cannot work without its store


def test_minimums_gate(tmp_path, before, after, capsys):
    config = tmp_path / "config.yaml"
    config.write_text("minimums:\n  cost: 0\n  cost.capacity: 3\n  nonsense.question: 2\n")  # the question wins
    assert score(before, "--no-store", "--config", config) == 0
    capsys.readouterr()
    assert run("score", after, "-o", tmp_path / "o", "--format", "json", "--questions", QUESTIONS, "--no-store", "--config", config) == 4
    err = capsys.readouterr().err
    assert "below minimum: cost.capacity: answer 2 < minimum 3 (How do you set capacity for live services?)" in err
    assert "minimum for 'nonsense.question' matches no question" in err
    # `report` renders the same assessment without gating it
    assert run("report", tmp_path / "o" / "assessment.json", "-o", tmp_path / "r", "--config", config, "-q") == 0


def test_shards_of_one_org_are_kept_apart_and_listed_together(store_url, tmp_path, capsys):
    shard_1 = capacity_estate(3, scope="111111111111").write(tmp_path / "s1.jsonl")
    shard_2 = capacity_estate(3, scope="222222222222").write(tmp_path / "s2.jsonl")
    shard_2_worse = capacity_estate(0, scope="222222222222").write(tmp_path / "s2b.jsonl")
    key = "aws:org:o-abc/shard-{}-of-2"
    assert score(shard_1, "--store", store_url, "--scope-key", key.format(1)) == 0
    assert score(shard_2, "--store", store_url, "--scope-key", key.format(2), "--fail-on-regression") == 0
    assert score(shard_2_worse, "--store", store_url, "--scope-key", key.format(2), "--fail-on-regression") == 4
    assert "regression: cost.capacity: answer 3 -> 2" in capsys.readouterr().err
    with open_store(store_url) as store:  # another organisation, whose id starts the same
        store.save_run(store.assessment(store.runs()[0]), "aws:org:o-abcd/shard-1-of-2")
    assert run("history", "--store", store_url, "--scope", "aws:org:o-abc") == 0
    out = capsys.readouterr().out
    assert "aws:org:o-abc/shard-1-of-2  (1 run shown)" in out
    assert "aws:org:o-abc/shard-2-of-2  (2 runs shown)" in out
    assert "o-abcd" not in out
    assert "aws:org:o-abc: 2 shard(s) of 2 stored; latest run of each: shard-1-of-2 " in out
    with open_store(store_url) as store:
        assert len(store.runs("aws:org:o-abc")) == 3
        assert len(store.latest_runs("aws:org:o-abc/shard-2-of-2", 10)) == 2


def test_scan_with_a_shard_stores_under_the_shard_key(tmp_path, before):
    args = argparse.Namespace(
        command="scan",
        store=f"sqlite:///{tmp_path / 's.db'}",
        no_store=False,
        store_snapshot=False,
        scope_key=None,
        fail_on_regression=False,
        shard="2/4",
    )
    recorder = Recorder(args, console=_Silent())  # type: ignore[arg-type]
    assessment = capacity_estate(3).assess(tmp_path, "cost.capacity")
    recorder.before_outputs(assessment)
    assert recorder.key == "aws:111111111111/shard-2-of-4"
    args.scope_key = "aws:org:o-abc"  # what docs/scheduling.md recommends for organisations
    recorder.before_outputs(assessment)
    assert recorder.key == "aws:org:o-abc/shard-2-of-4"


class _Silent:
    def note(self, text: str) -> None:
        pass


@pytest.fixture(scope="module")
def one_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A store holding one run, shared by the bad-input cases (none of them writes)."""
    where = tmp_path_factory.mktemp("one-run")
    snapshot = capacity_estate(3).write(where / "before.jsonl")
    with open_store(str(where / "one.db")) as store:
        store.save_run(capacity_estate(3).assess(where, "cost.capacity"), "aws:111111111111")
    return where / "one.db", snapshot


@pytest.mark.parametrize(
    "argv, message",
    [
        (["history", "--store", "mysql://h/db"], "store URL scheme 'mysql' is not supported"),
        (["diff", "nope", "--store", "{db}"], "no run 'nope' in store sqlite:///"),
        (["diff", "previous", "--store", "{db}"], "scope aws:111111111111 has 1 stored run(s): no 'previous' run"),
        (["history", "--store", "{db}", "--question", "no.such"], "question 'no.such' is in no stored run shown"),
        (["history", "--store", "{db}", "--snapshot-out", "x.gz"], "--snapshot-out needs --run RUN"),
        (["score", "{snap}", "--store", "{db}", "--no-store"], "--store and --no-store contradict each other"),
        (["score", "{snap}", "--no-store", "--fail-on-regression"], "--fail-on-regression needs a store"),
        (["demo", "--fail-on-regression"], "--fail-on-regression needs a store (give --store URL (demo never"),
        (["score", "{snap}", "--store", "postgresql://u:pw@127.0.0.1:1/db"], "cannot open store postgresql://u:***@"),
        (["score", "{snap}", "--store", "{db}", "--scope-key", "a b"], "--scope-key 'a b' must be non-empty"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(argv, message, home, one_run, tmp_path, capsys):
    db, before = one_run
    argv = [a.format(db=db, snap=before) for a in argv]
    out_dir = tmp_path / "never"
    if argv[0] in ("score", "demo"):
        argv += ["-o", str(out_dir)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("cmm-scan: error: ") and err.count("\n") == 1, err
    assert message in err
    assert "pw@" not in err
    assert not out_dir.exists()  # nothing written when the store is bad
