"""The store on the command line: `--store` on score/scan/demo, `history`, `diff`, CI gates.

Storing is on by default for `score` and `scan` (a SQLite file in the user's data directory,
or $CMM_SCAN_STORE) and off for `demo` unless `--store` is given, so trying the tool never
writes into a user's home. See docs/store.md and docs/exit-codes.md.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cmm_scan.errors import UserError

if TYPE_CHECKING:
    from cmm_scan.config import Config
    from cmm_scan.console import Console
    from cmm_scan.models import Assessment
    from cmm_scan.store import RunInfo, Store

EXIT_OK, EXIT_GATE = 0, 4
HISTORY_POINTS = 20  # earlier runs copied into each question's `history`
SNAPSHOT_LIMIT = 64 * 1024 * 1024  # compressed bytes; larger snapshots are not stored
STORING_COMMANDS = ("score", "scan", "demo")


def store_arguments() -> argparse.ArgumentParser:
    """Options shared by score, scan and demo (a parent parser)."""
    p = argparse.ArgumentParser(add_help=False)
    g = p.add_argument_group("history store")
    g.add_argument(
        "--store",
        metavar="URL",
        help="keep the run in this store: sqlite:///path or postgresql://... "
        "(score/scan default: $CMM_SCAN_STORE, else a SQLite file in the user data directory; demo: none)",
    )
    g.add_argument("--no-store", action="store_true", help="do not keep this run (score/scan)")
    g.add_argument("--store-snapshot", action="store_true", help="keep the snapshot with the run (up to 64 MiB compressed)")
    g.add_argument("--scope-key", help="compare and store under this key instead of the one derived from the scopes (docs/store.md)")
    g.add_argument(
        "--fail-on-regression",
        action="store_true",
        help="exit 4 if any answer or suggested level fell since the previous run of the same scope",
    )
    return p


def add_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    """The `history` and `diff` subcommands."""
    where = argparse.ArgumentParser(add_help=False)
    where.add_argument("--store", metavar="URL", help="the store to read (default: $CMM_SCAN_STORE, else the user's)")
    where.add_argument("--scope", help="a scope key, e.g. aws:111111111111 (its shards included)")
    where.add_argument("--json", action="store_true", help="print JSON instead of text")

    p = sub.add_parser("history", parents=[common, where], help="list stored runs per scope")
    p.add_argument("--question", help="show one question's answers run by run")
    p.add_argument("--last", type=int, default=0, help="only the last N runs of each scope")
    p.add_argument("--run", help="show one run's questions")
    p.add_argument("--snapshot-out", type=Path, help="with --run: write the run's stored snapshot here")
    p.set_defaults(handler=cmd_history)

    p = sub.add_parser("diff", parents=[common, where], help="what moved between two stored runs, and why")
    p.add_argument("old", help="run id (or a unique prefix), or latest / previous of --scope")
    p.add_argument("new", nargs="?", default="latest", help="run id, or latest / previous (default latest)")
    p.set_defaults(handler=cmd_diff)


# --- storing runs from score / scan / demo -------------------------------------------------


class Recorder:
    """One command's use of the store: opened before the work, history in, run out, gates."""

    def __init__(self, args: argparse.Namespace, console: Console):
        self.args, self.console = args, console
        self.store: Store | None = None
        self.url: str | None = None
        self.previous: RunInfo | None = None
        self.key = ""
        command = getattr(args, "command", "")
        if command not in STORING_COMMANDS or not hasattr(args, "no_store"):
            return
        if args.no_store and args.store:
            raise UserError("--store and --no-store contradict each other", "give one of them")
        explicit = args.store or (None if command == "demo" else _env_url())
        wanted = not args.no_store and (command != "demo" or args.store)
        for flag in ("fail_on_regression", "store_snapshot"):
            if getattr(args, flag) and not wanted:
                name = "--" + flag.replace("_", "-")
                hint = "give --store URL" + (" (demo never stores by default)" if command == "demo" else "")
                raise UserError(f"{name} needs a store", hint)
        if args.scope_key is not None and (not args.scope_key.strip() or any(c.isspace() for c in args.scope_key)):
            raise UserError(f"--scope-key '{args.scope_key}' must be non-empty without spaces", "e.g. aws:org:o-abc/shard-1-of-4")
        if not wanted:
            return
        from cmm_scan.store import default_url, open_store

        url = explicit or default_url()
        try:
            # open (and migrate) now so a bad store fails before a long scan; reopen at the end
            # rather than hold a connection idle for the scan's length
            open_store(url).close()
            self.url = url
        except UserError as exc:
            if explicit or args.fail_on_regression:
                raise
            # the default store is a convenience: a read-only home must not stop a scan
            console.note(f"note: history not kept: {exc.line()}")

    @classmethod
    def of(cls, args: argparse.Namespace, console: Console) -> Recorder:
        """The recorder for this command, opened once (scan opens it before collecting)."""
        recorder = getattr(args, "_recorder", None)
        if recorder is None:
            recorder = cls(args, console)
            args._recorder = recorder
        return recorder

    def before_outputs(self, assessment: Assessment) -> None:
        """Fill each question's `history` from earlier runs of the same scope."""
        if self.url is None:
            return
        from cmm_scan.store import open_store, scope_key, shard_suffix

        self.store = open_store(self.url)

        shard = None
        if getattr(self.args, "shard", None):
            from cmm_scan.flags import parse_shard

            shard = parse_shard(self.args.shard)
        elif len(assessment.source.snapshots) == 1 and not assessment.source.partial:
            shard = assessment.source.snapshots[0].shard  # `scan --shard i/n`: its snapshot says which shard it is
        if self.args.scope_key:  # a shard of a named scope still gets its own key below it
            suffix = shard_suffix(assessment, shard) if "/shard" not in self.args.scope_key else ""
            self.key = self.args.scope_key + suffix
        else:
            self.key = scope_key(assessment, shard)
        earlier = self.store.latest_runs(self.key, 1)
        self.previous = earlier[-1] if earlier else None
        points = self.store.history_points(self.key, HISTORY_POINTS)
        for result in assessment.results:
            result.history = points.get(result.id, [])

    def after_outputs(self, assessment: Assessment, config: Config) -> int:
        """Store the run, then apply the CI gates; EXIT_GATE if one fails."""
        from cmm_scan.store.diff import below_minimums, regressions, unmatched_minimums

        if getattr(self.args, "command", "") not in STORING_COMMANDS:
            return EXIT_OK  # `report` only renders: the gates belong to the runs that score
        failures: list[str] = []
        if self.store is not None:
            snapshot = self._snapshot_bytes() if self.args.store_snapshot else None
            run = self.store.save_run(assessment, self.key, snapshot)
            self.console.note(f"stored run {run.id} (scope {self.key}) in {self.store.display}")
            if self.args.fail_on_regression:
                if self.previous is None:
                    self.console.note(f"no earlier run of scope {self.key}: nothing to compare with")
                else:
                    failures += regressions(self.store.questions(self.previous), assessment)
                    if failures:
                        failures.append(f"(compared with run {self.previous.id} of {self.previous.created_at:%Y-%m-%d %H:%M} UTC)")
            self.store.close()
        if config.minimums:
            for key in unmatched_minimums(assessment, config.minimums):
                self.console.note(f"note: minimum for '{key}' matches no question or category scored in this run")
            failures += below_minimums(assessment, config.minimums)
        for line in failures:
            print(line, file=sys.stderr)  # even with --quiet: this is why the exit code is 4
        return EXIT_GATE if failures else EXIT_OK

    def _snapshot_bytes(self) -> bytes | None:
        pooled = getattr(self.args, "snapshot_paths", None)  # score, demo and scan --estate
        if pooled is not None:
            if len(pooled) != 1:
                self.console.note("note: snapshots not stored: --store-snapshot keeps the snapshot of a one-snapshot run")
                return None
            (path,) = pooled
        else:  # scan of one provider
            path = self.args.output_dir / "snapshot.jsonl.gz"
        data = path.read_bytes()
        if path.suffix != ".gz":
            data = gzip.compress(data, compresslevel=6)
        if len(data) > SNAPSHOT_LIMIT:
            self.console.note(f"note: snapshot not stored: {len(data)} bytes compressed is over {SNAPSHOT_LIMIT}")
            return None
        return data


def _env_url() -> str | None:
    import os

    from cmm_scan.store import STORE_ENV

    return os.environ.get(STORE_ENV) or None


# --- history -------------------------------------------------------------------------------


def _open(args: argparse.Namespace) -> Store:
    from cmm_scan.store import default_url, open_store

    return open_store(args.store or default_url(), create=False)  # reading never creates a database


def cmd_history(args: argparse.Namespace, console: Console) -> int:
    if args.last < 0:
        raise UserError("--last must be 0 (all) or more")
    if args.snapshot_out and not args.run:
        raise UserError("--snapshot-out needs --run RUN")
    with _open(args) as store:
        if args.run:
            return _show_run(store, args, console)
        runs = store.runs(args.scope)
        if not runs:
            where = f" for scope {args.scope}" if args.scope else ""
            console.note(f"no runs stored{where} in {store.display}")
            if args.json:
                console.out("[]")
            return EXIT_OK
        groups: dict[str, list[RunInfo]] = {}
        for run in runs:
            groups.setdefault(run.scope_key, []).append(run)
        if args.last:
            groups = {k: v[-args.last :] for k, v in groups.items()}
        shown = [r for rs in groups.values() for r in rs]
        if args.question:
            return _question_history(store, groups, shown, args, console)
        stats = store.run_stats(shown)
        if args.json:
            console.out(json.dumps([_run_json(r) | _stats_json(stats.get(r.id)) for r in shown], indent=2))
            return EXIT_OK
        for key, rs in groups.items():
            console.out(f"{key}  ({len(rs)} run{'s' if len(rs) != 1 else ''} shown)")
            rows = [("RUN", "CREATED (UTC)", "TOOL", "QUESTIONS", "SUGGESTED", "ANSWERED", "MEAN ANSWER")]
            for r in rs:
                suggested, answered, mean = stats.get(r.id, (0, 0, None))
                rows.append(
                    (
                        r.id,
                        f"{r.created_at:%Y-%m-%d %H:%M:%S}",
                        r.tool_version,
                        str(r.question_count),
                        str(suggested),
                        str(answered),
                        "-" if mean is None else f"{mean:.2f}",
                    )
                )
            console.out(_table(rows, indent="  "))
            console.out()
        _shard_summary(groups, console)
    return EXIT_OK


def _shard_summary(groups: dict[str, list[RunInfo]], console: Console) -> None:
    """For sharded scans, which shards of each scope have runs, and their latest."""
    shards: dict[str, list[tuple[str, RunInfo]]] = {}
    for key, rs in groups.items():
        base, sep, shard = key.rpartition("/")
        if sep and shard.startswith("shard-"):
            shards.setdefault(base, []).append((shard, rs[-1]))
    for base, found in shards.items():
        counts = {s.rsplit("-of-", 1)[-1] for s, _ in found}
        expected = f" of {counts.pop()}" if len(counts) == 1 else ""
        latest = ", ".join(f"{s} {r.created_at:%Y-%m-%d %H:%M}" for s, r in sorted(found))
        console.out(f"{base}: {len(found)} shard(s){expected} stored; latest run of each: {latest}")


def _question_history(
    store: Store, groups: dict[str, list[RunInfo]], shown: list[RunInfo], args: argparse.Namespace, console: Console
) -> int:
    from cmm_scan.store.diff import describe_level

    rows_by_run = store.question_rows(shown, args.question)
    if not rows_by_run:
        raise UserError(f"question '{args.question}' is in no stored run shown", "check the id with `cmm-scan rules list`")
    if args.json:
        out = []
        for r in shown:
            q = rows_by_run.get(r.id)
            if q:
                out.append(
                    _run_json(r)
                    | {"answer": q.answer, "suggested_level": q.suggested_level, "level_range": q.level_range, "status": q.status}
                )
        console.out(json.dumps(out, indent=2))
        return EXIT_OK
    for key, rs in groups.items():
        console.out(f"{key}  {args.question}")
        for r in rs:
            q = rows_by_run.get(r.id)
            if q:
                console.out(f"  {r.id}  {r.created_at:%Y-%m-%d %H:%M}  {describe_level(q)}")
    return EXIT_OK


def _show_run(store: Store, args: argparse.Namespace, console: Console) -> int:
    from cmm_scan.store.diff import describe_level

    run = store.run(args.run)
    if args.snapshot_out:
        data = store.snapshot(run)
        if data is None:
            raise UserError(f"run {run.id} has no stored snapshot", "store one with --store-snapshot")
        from cmm_scan.snapshot_io import AtomicFile

        with AtomicFile(args.snapshot_out) as handle:  # gzip text out, or plain for .jsonl
            handle.write(gzip.decompress(data).decode("utf-8"))
        console.note(f"wrote {args.snapshot_out}")
        return EXIT_OK
    questions = store.questions(run)
    if args.json:
        console.out(
            json.dumps(
                _run_json(run)
                | {
                    "questions": {
                        q.question_id: {
                            "answer": q.answer,
                            "suggested_level": q.suggested_level,
                            "level_range": q.level_range,
                            "status": q.status,
                        }
                        for q in questions.values()
                    }
                },
                indent=2,
            )
        )
        return EXIT_OK
    console.out(f"run {run.id}  scope {run.scope_key}  created {run.created_at:%Y-%m-%d %H:%M:%S} UTC  tool {run.tool_version}")
    for q in questions.values():
        console.out(f"  {q.question_id:<32} {describe_level(q)}")
    return EXIT_OK


# --- diff ----------------------------------------------------------------------------------


def _resolve(store: Store, ref: str, scope: str | None) -> RunInfo:
    if ref not in ("latest", "previous"):
        return store.run(ref)
    if scope is None:
        keys = store.scope_keys()
        if len(keys) != 1:
            raise UserError(f"'{ref}' needs --scope: the store holds {len(keys)} scopes", "list them with `cmm-scan history`")
        scope = keys[0]
    runs = store.latest_runs(scope, 2)
    needed = 1 if ref == "latest" else 2
    if len(runs) < needed:
        raise UserError(f"scope {scope} has {len(runs)} stored run(s): no '{ref}' run", "list runs with `cmm-scan history`")
    return runs[-needed]


def cmd_diff(args: argparse.Namespace, console: Console) -> int:
    from cmm_scan.store.diff import describe_level, diff_assessments

    with _open(args) as store:
        old_run, new_run = _resolve(store, args.old, args.scope), _resolve(store, args.new, args.scope)
        moves = diff_assessments(store.assessment(old_run), store.assessment(new_run))
    if args.json:
        console.out(
            json.dumps(
                {
                    "old": _run_json(old_run),
                    "new": _run_json(new_run),
                    "moved": [
                        {
                            "id": m.id,
                            "title": m.title,
                            "fell": m.fell,
                            "before": _level_json(m.before),
                            "after": _level_json(m.after),
                            "signals": [vars(s) for s in m.signals],
                        }
                        for m in moves
                    ],
                },
                indent=2,
            )
        )
        return EXIT_OK
    console.out(f"from {old_run.id} ({old_run.scope_key}, {old_run.created_at:%Y-%m-%d %H:%M} UTC)")
    console.out(f"  to {new_run.id} ({new_run.scope_key}, {new_run.created_at:%Y-%m-%d %H:%M} UTC)")
    if old_run.scope_key != new_run.scope_key:
        console.note("note: the two runs are of different scopes")
    if not moves:
        console.out("no question moved")
        return EXIT_OK
    for m in moves:
        mark = "  FELL" if m.fell else ""
        console.out(f"\n{m.id}: {describe_level(m.before)} -> {describe_level(m.after)}{mark}")
        console.out(f"  {m.title}")
        if not m.signals:
            console.out("  no evidence signal changed (a human answer, a threshold or the rules changed)")
        for s in m.signals:
            console.out(f"  {s.signal}: {s.before or 'absent'} -> {s.after or 'absent'}  ({s.description})")
            if s.joined:
                console.out(f"    now matching: {', '.join(s.joined)}")
            if s.left:
                console.out(f"    no longer matching: {', '.join(s.left)}")
    return EXIT_OK


# --- formatting ------------------------------------------------------------------------------


def _run_json(r: RunInfo) -> dict[str, Any]:
    return {
        "run_id": r.id,
        "scope_key": r.scope_key,
        "provider": r.provider,
        "created_at": r.created_at.isoformat(),
        "observed_at": r.observed_at.isoformat(),
        "tool_version": r.tool_version,
        "questions": r.question_count,
    }


def _stats_json(stats: tuple[int, int, float | None] | None) -> dict[str, Any]:
    suggested, answered, mean = stats or (0, 0, None)
    return {"suggested": suggested, "answered": answered, "mean_answer": mean}


def _level_json(r: Any) -> dict[str, Any] | None:
    if r is None:
        return None
    return {"answer": r.answer, "suggested_level": r.suggested_level, "level_range": r.level_range, "status": r.status}


def _table(rows: list[tuple[str, ...]], indent: str = "") -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(indent + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows)
