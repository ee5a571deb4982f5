"""Every command x every kind of bad file, path, option and environment: exit 2, one line, no traceback,
nothing left behind.

The table is data. A command joins by adding a builder to COMMANDS; a provider joins by adding its offline
arguments to PROVIDERS (arguments that fail fast with no cloud: a closed endpoint port), which adds its rows
for `collect` and `scan` to every kind of bad output and option.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest

from cmm_scan.cli import main
from cmm_scan.demo import demo_snapshots

CLOSED_PORT = "http://127.0.0.1:9"  # discard port: nothing listens there on a test machine

# provider -> arguments that make a scan fail fast and offline (so a row proves the check came first)
PROVIDERS: dict[str, list[str]] = {
    "aws": ["--regions", "eu-west-2", "--endpoint-url", CLOSED_PORT],
}
# provider -> environment a user may get wrong -> (variables, expected words); rows for scan and collect
PROVIDER_ENVIRONMENTS: dict[str, dict[str, tuple[dict[str, str], str]]] = {
    "aws": {
        "endpoint env not a url": ({"AWS_ENDPOINT_URL": "not a url"}, "$AWS_ENDPOINT_URL 'not a url' is not an http(s) URL"),
        "service endpoint env not http": ({"AWS_ENDPOINT_URL_S3": "ftp://x"}, "$AWS_ENDPOINT_URL_S3"),
        "profile env unknown": ({"AWS_PROFILE": "no-such-profile"}, "AWS profile 'no-such-profile' not found, named by $AWS_PROFILE"),
        "max attempts env not a number": ({"AWS_MAX_ATTEMPTS": "abc"}, "$AWS_MAX_ATTEMPTS"),
        "endpoint env closed port": ({"AWS_ENDPOINT_URL": CLOSED_PORT}, "cannot reach"),
    },
}


@dataclass
class Paths:
    """The files a row may point at, made fresh in each test's directory."""

    root: Path
    reports: Path  # a real assessment.json and official-tool file from the demo

    def make(self) -> None:
        (self.root / "a-file").write_text("not a directory\n")
        (self.root / "binary.bin").write_bytes(bytes(range(256)) * 4)
        (self.root / "empty").write_bytes(b"")
        (self.root / "a-dir").mkdir()
        os.mkfifo(self.root / "a-fifo")
        (self.root / "target.txt").write_text("keep me\n")
        (self.root / "a-symlink").symlink_to(self.root / "target.txt")
        (self.root / "assessment.json").write_bytes((self.reports / "assessment.json").read_bytes())
        (self.root / "saved.json").write_bytes((self.reports / "cmm-assessment.json").read_bytes())
        with closing(sqlite3.connect(self.root / "foreign.db")) as other:  # another program's database
            other.execute("CREATE TABLE notes (body TEXT)")
            other.commit()

    def __truediv__(self, name: str) -> Path:
        return self.root / name


# --- bad outputs ----------------------------------------------------------------------------------

UNWRITABLE = "/proc/cmm-scan-test"  # /proc takes no new files, for root too

BAD_DIRS: dict[str, tuple[Callable[[Paths], str], str]] = {
    "dir is a file": (lambda p: str(p / "a-file"), "is a file, not a directory"),
    "dir's parent missing": (lambda p: str(p / "missing" / "deeper"), "does not exist"),
    "dir unwritable": (lambda p: UNWRITABLE, "cannot write in"),
    "dir is a fifo": (lambda p: str(p / "a-fifo"), "is a file, not a directory"),
}
BAD_FILES: dict[str, tuple[Callable[[Paths], str], str]] = {
    "file is a fifo": (lambda p: str(p / "a-fifo"), "is a special file"),
    "file is a symlink": (lambda p: str(p / "a-symlink"), "is a symlink"),
    "file is a directory": (lambda p: str(p / "a-dir"), "is a directory"),
    "file's dir is a file": (lambda p: str(p / "a-file" / "out.jsonl"), "is a file, not a directory"),
    "file's dir missing": (lambda p: str(p / "missing" / "deeper" / "out.jsonl"), "does not exist"),
    "file unwritable": (lambda p: UNWRITABLE + ".jsonl", "cannot write in"),
}


def _snapshot() -> str:
    return str(demo_snapshots()[0].parent)  # the demo is a whole shard set: one shard alone is refused


# command -> (argv with {out}, which kind of output it takes)
OUTPUT_COMMANDS: dict[str, tuple[Callable[[Paths, str], list[str]], str]] = {
    "score": (lambda p, out: ["score", _snapshot(), "--no-store", "--output-dir", out], "dir"),
    "report": (lambda p, out: ["report", str(p / "assessment.json"), "--output-dir", out], "dir"),
    "demo": (lambda p, out: ["demo", "--output-dir", out], "dir"),
    "import-cmm": (lambda p, out: ["import-cmm", str(p / "saved.json"), "--output", out], "file"),
    "history --snapshot-out": (lambda p, out: ["history", "--run", "x", "--snapshot-out", out], "file"),
}
for _provider, _args in PROVIDERS.items():
    OUTPUT_COMMANDS[f"scan {_provider}"] = (
        lambda p, out, a=_args, pr=_provider: ["scan", pr, *a, "--no-store", "--output-dir", out],
        "dir",
    )
    OUTPUT_COMMANDS[f"collect {_provider}"] = (lambda p, out, a=_args, pr=_provider: ["collect", pr, *a, "--output", out], "file")

OUTPUT_ROWS = [(command, kind) for command, (_, takes) in OUTPUT_COMMANDS.items() for kind in (BAD_DIRS if takes == "dir" else BAD_FILES)]

# --- bad input files ------------------------------------------------------------------------------

BAD_INPUTS: dict[str, tuple[Callable[[Paths], str], str]] = {
    "binary": (lambda p: str(p / "binary.bin"), "not"),
    "empty": (lambda p: str(p / "empty"), ""),
    "missing": (lambda p: str(p / "no-such-file"), "cannot read"),
    "a directory": (lambda p: str(p / "a-dir"), ""),
    "a device that never ends": (lambda p: "/dev/zero", "not a regular file"),
}
# command -> argv with {input} in the place of the file under test
INPUT_COMMANDS: dict[str, Callable[[Paths, str], list[str]]] = {
    "score snapshot": lambda p, f: ["score", f, "--no-store", "-o", str(p / "out")],
    "report assessment": lambda p, f: ["report", f, "-o", str(p / "out")],
    "import-cmm file": lambda p, f: ["import-cmm", f, "--output", str(p / "answers.yaml")],
    "score --config": lambda p, f: ["score", _snapshot(), "--no-store", "-o", str(p / "out"), "--config", f],
    "score --answers": lambda p, f: ["score", _snapshot(), "--no-store", "-o", str(p / "out"), "--answers", f],
    "report --config": lambda p, f: ["report", str(p / "assessment.json"), "-o", str(p / "out"), "--config", f],
    "report --answers": lambda p, f: ["report", str(p / "assessment.json"), "-o", str(p / "out"), "--answers", f],
    "demo --config": lambda p, f: ["demo", "-o", str(p / "out"), "--config", f],
    "rules check --config": lambda p, f: ["rules", "check", "--config", f],
}
for _provider, _args in PROVIDERS.items():
    INPUT_COMMANDS[f"scan {_provider} --config"] = lambda p, f, a=_args, pr=_provider: [
        "scan",
        pr,
        *a,
        "--no-store",
        "-o",
        str(p / "out"),
        "--config",
        f,
    ]
    INPUT_COMMANDS[f"scan {_provider} --answers"] = lambda p, f, a=_args, pr=_provider: [
        "scan",
        pr,
        *a,
        "--no-store",
        "-o",
        str(p / "out"),
        "--answers",
        f,
    ]

INPUT_ROWS = [(command, kind) for command in INPUT_COMMANDS for kind in BAD_INPUTS]

# --- bad options and environment ------------------------------------------------------------------

# (argv, environment, expected words)
OPTION_ROWS: dict[str, tuple[Callable[[Paths], list[str]], dict[str, str], str]] = {
    "history --store missing": (lambda p: ["history", "--store", str(p / "nope.db")], {}, "no store at"),
    "diff --store missing": (lambda p: ["diff", "previous", "--store", str(p / "nope.db")], {}, "no store at"),
    "history env store missing": (lambda p: ["history"], {"CMM_SCAN_STORE": "sqlite:///{root}/missing/h.db"}, "no store at"),
    "config targets above 5": (
        lambda p: ["demo", "-o", str(p / "out"), "--config", str(p / "c.yaml")],
        {"_config": "targets: {all: 9}"},
        "less than or equal to 5",
    ),
    "config minimums above 5": (
        lambda p: ["demo", "-o", str(p / "out"), "--config", str(p / "c.yaml")],
        {"_config": "minimums: {all: 9}"},
        "less than or equal to 5",
    ),
    "unknown format": (lambda p: ["demo", "-o", str(p / "out"), "--format", "pdf"], {}, "unknown format"),
    "score --output-dir empty": (lambda p: ["score", _snapshot(), "--no-store", "--output-dir", ""], {}, "--output-dir is empty"),
    "demo -o empty": (lambda p: ["demo", "-o", " "], {}, "--output-dir is empty"),
    "score --store empty file": (
        lambda p: ["score", _snapshot(), "--store", str(p / "empty"), "-o", str(p / "out")],
        {},
        "is an empty file, not a cmm-scan store",
    ),
    "score --store not a database": (
        lambda p: ["score", _snapshot(), "--store", str(p / "a-file"), "-o", str(p / "out")],
        {},
        "is not a SQLite database",
    ),
    "demo --store another program's database": (
        lambda p: ["demo", "--store", str(p / "foreign.db"), "-o", str(p / "out")],
        {},
        "is a SQLite database of something else",
    ),
    "history --store empty file": (lambda p: ["history", "--store", str(p / "empty")], {}, "is an empty file"),
    "store and no-store": (
        lambda p: ["score", _snapshot(), "--store", str(p / "h.db"), "--no-store", "-o", str(p / "out")],
        {},
        "contradict",
    ),
}
for _provider, _args in PROVIDERS.items():
    for _command in ("scan", "collect"):
        _out = ["--no-store", "-o"] if _command == "scan" else ["--output"]
        _rows = {
            "endpoint not a url": (["--endpoint-url", "not a url"], "not an http(s) URL"),
            "endpoint closed port": (["--endpoint-url", CLOSED_PORT], "cannot reach"),
            "region unknown": (["--regions", "xx-nowhere-1", "--endpoint-url", CLOSED_PORT], "is not a region"),
            "region upper case": (["--regions", "EU-WEST-2", "--endpoint-url", CLOSED_PORT], "did you mean eu-west-2"),
            "regions empty": (["--regions", "", "--endpoint-url", CLOSED_PORT], "--regions is empty"),
            "workers zero": (["--workers", "0", "--endpoint-url", CLOSED_PORT], "--workers"),
            "shard bad": (["--shard", "5/2", "--endpoint-url", CLOSED_PORT], "--shard"),
        }
        for _name, (_extra, _words) in _rows.items():
            _target = "out" if _command == "scan" else "out.jsonl.gz"
            OPTION_ROWS[f"{_command} {_provider} {_name}"] = (
                lambda p, c=_command, pr=_provider, e=_extra, o=_out, t=_target: [c, pr, *e, *o, str(p / t)],
                {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_MAX_ATTEMPTS": "1"},
                _words,
            )

for _provider, _environments in PROVIDER_ENVIRONMENTS.items():
    for _command in ("scan", "collect"):
        _out = ["--no-store", "-o"] if _command == "scan" else ["--output"]
        _target = "out" if _command == "scan" else "out.jsonl.gz"
        for _name, (_variables, _words) in _environments.items():
            OPTION_ROWS[f"{_command} {_provider} {_name}"] = (
                lambda p, c=_command, pr=_provider, o=_out, t=_target: [c, pr, "--regions", "eu-west-2", *o, str(p / t)],
                {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_MAX_ATTEMPTS": "1"} | _variables,
                _words,
            )

# --- the assertions -------------------------------------------------------------------------------


def _tree(root: Path) -> dict[str, bytes | str]:
    """Every path under root with its content (regular files) or kind: what 'nothing left behind' compares."""
    found: dict[str, bytes | str] = {}
    for path in sorted(root.rglob("*")):
        rel = str(path.relative_to(root))
        if path.is_symlink():
            found[rel] = f"-> {os.readlink(path)}"
        elif path.is_file() and not path.is_fifo():
            found[rel] = path.read_bytes()
        else:
            found[rel] = "dir" if path.is_dir() else "special"
    return found


def _refused(argv: list[str], root: Path, capsys: pytest.CaptureFixture[str], words: str) -> None:
    before = _tree(root)
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("cmm-scan: error: "), err
    assert "Traceback" not in err and "internal error" not in err
    assert words.lower() in err.lower(), err
    assert _tree(root) == before, "something was written or changed"
    assert not Path(UNWRITABLE).exists()


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    assert main(["demo", "-q", "--format", "json,cmm", "--output-dir", str(out)]) == 0
    return out


@pytest.fixture
def paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reports: Path) -> Paths:
    monkeypatch.chdir(tmp_path)  # a default output path would land here and be seen
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN", "AWS_CONFIG_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    found = Paths(tmp_path, reports)
    found.make()
    return found


@pytest.mark.parametrize(("command", "kind"), OUTPUT_ROWS)
def test_bad_output_path(paths: Paths, capsys, monkeypatch, command: str, kind: str) -> None:
    build, takes = OUTPUT_COMMANDS[command]
    make, words = (BAD_DIRS if takes == "dir" else BAD_FILES)[kind]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    _refused(build(paths, make(paths)), paths.root, capsys, words)
    assert (paths / "target.txt").read_text() == "keep me\n"


@pytest.mark.parametrize(("command", "kind"), INPUT_ROWS)
def test_bad_input_file(paths: Paths, capsys, monkeypatch, command: str, kind: str) -> None:
    make, words = BAD_INPUTS[kind]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    _refused(INPUT_COMMANDS[command](paths, make(paths)), paths.root, capsys, words)


@pytest.mark.parametrize("row", sorted(OPTION_ROWS))
def test_bad_option_or_environment(paths: Paths, capsys, monkeypatch, row: str) -> None:
    build, env, words = OPTION_ROWS[row]
    for name, value in env.items():
        if name == "_config":
            (paths / "c.yaml").write_text(value + "\n")
        else:
            monkeypatch.setenv(name, value.replace("{root}", str(paths.root)))
    _refused(build(paths), paths.root, capsys, words)


def test_a_scan_checks_its_output_dir_before_collecting(paths: Paths, capsys, monkeypatch) -> None:
    """The scan would fail at the closed endpoint if it collected first: the output-dir error proves the order."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    _refused(["scan", "aws", *PROVIDERS["aws"], "--no-store", "-o", str(paths / "a-file")], paths.root, capsys, "is a file")


def test_regions_take_spaces_as_well_as_commas() -> None:
    from cmm_scan.validate import region_list

    assert region_list(["eu-west-2", "eu-west-1,us-east-1"]) == ["eu-west-2", "eu-west-1", "us-east-1"]
    assert region_list(None) is None
