"""Snapshots on disk: JSON Lines, one record a line, streamed both ways.

Line 1 is the header, the last line the end record; facts and coverage lie between. Streaming
keeps memory flat however large the estate, and the end record lets a reader tell a complete
snapshot from one cut short. Files ending in `.gz` are gzip-compressed.
"""

from __future__ import annotations

import gzip
import json
import os
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, get_args

from pydantic import TypeAdapter, ValidationError
from pydantic_core import from_json

from cmm_scan.errors import UserError
from cmm_scan.factcatalogue import fact_catalogue
from cmm_scan.models import (
    SNAPSHOT_FORMAT,
    SNAPSHOT_VERSION,
    SNAPSHOT_VERSIONS_READ,
    Coverage,
    Fact,
    Provider,
    SnapshotEnd,
    SnapshotHeader,
    SnapshotRecord,
)
from cmm_scan.outpaths import check_replaceable
from cmm_scan.redact import redact_coverage, redact_fact

_RECORD = TypeAdapter(SnapshotRecord)
_VALIDATE = _RECORD.validator.validate_json
_FIX = "re-run `cmm-scan collect` to write a fresh snapshot"


def _open_text(path: Path, mode: str, gz: bool | None = None) -> IO[str]:
    if path.suffix == ".gz" if gz is None else gz:
        return gzip.open(path, mode + "t", encoding="utf-8")  # type: ignore[return-value]
    return open(path, mode, encoding="utf-8")


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


class AtomicFile:
    """Write to a temporary file beside `path`, and move it into place only on success."""

    def __init__(self, path: Path):
        self.path = path
        self._tmp: Path | None = None
        self.handle: IO[str] | None = None

    def __enter__(self) -> IO[str]:
        check_replaceable(self.path)  # never a device, pipe, directory or symlink
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".partial", dir=self.path.parent)
        os.close(fd)
        self._tmp = Path(tmp)
        self.handle = _open_text(self._tmp, "w", gz=self.path.suffix == ".gz")
        return self.handle

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        assert self.handle is not None and self._tmp is not None
        self.handle.close()
        if exc_type is None:
            os.chmod(self._tmp, 0o666 & ~_umask())  # mkstemp makes files private; reports are meant to be shared
            try:
                check_replaceable(self.path)  # again: something may have taken its place meanwhile
            except UserError:
                self._tmp.unlink(missing_ok=True)
                raise
            os.replace(self._tmp, self.path)
        else:
            self._tmp.unlink(missing_ok=True)


class SnapshotWriter:
    """Streams facts and coverage to disk; the file appears only when `close` succeeds."""

    def __init__(self, path: Path, header: SnapshotHeader):
        self._atomic = AtomicFile(path)
        self._out = self._atomic.__enter__()
        self.fact_count = 0
        self.coverage_count = 0
        self._write(header)

    def _write(self, record: SnapshotHeader | Fact | Coverage | SnapshotEnd) -> None:
        self._out.write(record.model_dump_json(exclude_none=False))
        self._out.write("\n")

    def fact(self, fact: Fact) -> None:
        self.fact_count += 1
        self._write(redact_fact(fact))  # the one place every provider's facts pass: credentials never reach disk

    def coverage(self, entry: Coverage) -> None:
        self.coverage_count += 1
        self._write(redact_coverage(entry))

    def close(self) -> None:
        self._write(SnapshotEnd(finished_at=datetime.now(UTC), fact_count=self.fact_count, coverage_count=self.coverage_count))
        self._atomic.__exit__(None, None, None)

    def abort(self) -> None:
        self._atomic.__exit__(RuntimeError, None, None)

    def __enter__(self) -> SnapshotWriter:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


def read_records(path: Path) -> Iterator[SnapshotHeader | Fact | Coverage]:
    """Yield the header, then every fact and coverage record; validate the whole file as it goes.

    Any problem raises UserError naming the file and the line. Callers must consume the
    iterator to the end: the check that the file is complete happens at the end record.
    """
    return _records(path, raw_facts=False)  # type: ignore[return-value]


def read_records_raw(path: Path, skip: frozenset[str] = frozenset()) -> Iterator[SnapshotHeader | dict[str, Any] | Coverage | None]:
    """`read_records` for the scoring hot path: each fact comes as the plain dict of its line.

    A fact line is decoded once by pydantic-core's JSON parser (from the line's bytes: no text
    decoding first) and its shape checked by hand (the fields, their types, no others: what our
    writer always writes); only a line that fails the check goes through the full model, which
    turns it into a fact or into the same one-line error as `read_records`. Header, coverage and
    end records are full models as there.

    A fact line whose type is in `skip` (types no rule reads) yields None, counted but not decoded
    (nor checked: no answer can depend on it): our writer starts every fact line with the record
    kind, the type and the provider's key, so a byte-prefix test finds it. A line of any other form
    (other key order, spaces, an escaped type name) is decoded and checked as any other."""
    prefixes = tuple(_FACT_PREFIX + t.encode() + _FACT_PREFIX_END for t in sorted(skip))  # catalogue names: nothing to escape
    return _records(path, raw_facts=True, skip=prefixes)


_FACT_KEYS = frozenset(Fact.model_fields)
_FACT_KEY_COUNT = len(_FACT_KEYS)
_PROVIDERS = frozenset(get_args(Provider))


# What our writer puts around a fact's type: `Fact` dumps its fields in declaration order, compactly.
_FACT_PREFIX = b'{"record":"fact","type":"'
_FACT_PREFIX_END = b'","provider":"'


def _raw_fact(line: str | bytes) -> dict[str, Any] | None:
    """The fact on `line` as a dict if it has exactly the shape `Fact` validates, else None."""
    try:
        data = from_json(line)
    except ValueError:
        return None
    if type(data) is not dict or len(data) != _FACT_KEY_COUNT:
        return None
    try:  # every field by name, and no more of them than that: exactly the fields of a fact
        if (
            data["record"] == "fact"
            and type(data["type"]) is str
            and data["provider"] in _PROVIDERS
            and type(data["scope"]) is str
            and type(data["region"]) is str
            and type(data["resource_id"]) is str
            and type(data["attributes"]) is dict
            and type(data["source"]) is str
        ):
            return data
    except KeyError:
        return None
    return None


def _records(path: Path, raw_facts: bool, skip: tuple[bytes, ...] = ()) -> Iterator[Any]:
    if path.is_dir():
        raise UserError(f"{path}: cannot read snapshot: Is a directory", "check the path")
    if path.exists() and not (path.is_file() or path.is_fifo()):
        raise UserError(f"{path}: is not a regular file; a snapshot is one", "check the path")
    try:
        handle = gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")  # noqa: SIM115 (closed below)
    except OSError as exc:
        raise UserError(f"{path}: cannot read snapshot: {exc.strerror}", "check the path") from None
    known = fact_catalogue().facts.keys()  # a fact of a type no rule knows would be dropped unseen
    with handle:
        lineno = 0
        seen_end: SnapshotEnd | None = None
        seen_header = False
        facts = coverage = 0
        try:
            lines = iter(handle)  # bytes: each line is decoded (and its UTF-8 checked) where it is read
            for raw_line in lines:  # the header: the first line that is not blank
                lineno += 1
                if raw_line.strip():
                    seen_header = True
                    yield _check_header(path, _parse(path, lineno, raw_line.decode("utf-8"), first=True))
                    break
            for raw_line in lines:  # the hot path: one parse and a type test per line
                lineno += 1
                if raw_facts:
                    if raw_line.startswith(skip):  # one C call: no tuple of prefixes matches most lines
                        facts += 1  # a fact no rule reads: counted, not decoded
                        yield None
                        continue
                    if (raw := _raw_fact(raw_line)) is not None:
                        if raw["type"] not in known:
                            raise UserError(
                                f"{path}:{lineno}: unknown fact type '{raw['type']}' (not in providers/facts.yaml)",
                                "was the snapshot written by another version of cmm-scan? collect it again with this one",
                            )
                        facts += 1
                        yield raw
                        continue
                line = raw_line.decode("utf-8")
                try:
                    record = _VALIDATE(line)
                except ValidationError:
                    if not line.strip():
                        continue
                    _parse(path, lineno, line, first=False)  # raises the one-line error
                    raise
                kind = type(record)
                if kind is Fact and raw_facts:  # a valid fact of another shape (a field left to its default)
                    if record.type not in known:
                        raise UserError(
                            f"{path}:{lineno}: unknown fact type '{record.type}' (not in providers/facts.yaml)",
                            "was the snapshot written by another version of cmm-scan? collect it again with this one",
                        )
                    facts += 1
                    yield record.model_dump()
                    continue
                if kind is Fact:
                    if record.type not in known:
                        raise UserError(
                            f"{path}:{lineno}: unknown fact type '{record.type}' (not in providers/facts.yaml)",
                            "was the snapshot written by another version of cmm-scan? collect it again with this one",
                        )
                    facts += 1
                elif kind is Coverage:
                    coverage += 1
                elif kind is SnapshotEnd:
                    seen_end = record
                    break
                else:
                    raise UserError(f"{path}:{lineno}: a second header", _FIX)
                yield record
            for raw_line in lines:
                lineno += 1
                if raw_line.decode("utf-8").strip():
                    raise UserError(f"{path}:{lineno}: data after the end record", _FIX)
        except UnicodeDecodeError:  # a line is decoded after it is counted
            raise UserError(f"{path}:{lineno}: not a text file (not UTF-8): not a snapshot", _FIX) from None
        except (EOFError, gzip.BadGzipFile, OSError) as exc:
            raise UserError(f"{path}:{lineno + 1}: unreadable: {exc}", _FIX) from None
    if not seen_header:
        raise UserError(f"{path}: empty file, not a snapshot", _FIX)
    if seen_end is None:
        raise UserError(f"{path}: snapshot is incomplete (no end record; was the scan interrupted?)", _FIX)
    if (seen_end.fact_count, seen_end.coverage_count) != (facts, coverage):
        raise UserError(
            f"{path}: end record counts {seen_end.fact_count} facts and {seen_end.coverage_count} coverage "
            f"entries but the file holds {facts} and {coverage}",
            _FIX,
        )


def _parse(path: Path, lineno: int, line: str, first: bool) -> Any:
    try:
        return _VALIDATE(line)  # pydantic-core parses and checks in one pass, faster than json.loads alone
    except ValidationError as exc:
        error = exc.errors()[0]
        if error["type"] == "json_invalid":
            raise UserError(f"{path}:{lineno}: not valid JSON ({error['msg']})", _FIX) from None
        if first:
            _check_header(path, _loose(line))
        where = ".".join(str(p) for p in error["loc"][1:]) or "record"
        raise UserError(f"{path}:{lineno}: {where}: {error['msg']}", _FIX) from None


def _loose(line: str) -> Any:
    try:
        return json.loads(line)
    except ValueError:
        return None


def _check_header(path: Path, record: Any) -> SnapshotHeader:
    data = record.model_dump() if isinstance(record, SnapshotHeader) else record
    if not isinstance(data, dict) or data.get("format") != SNAPSHOT_FORMAT:
        raise UserError(f"{path}: not a cmm-scan snapshot (line 1 must be its header)", "pass a file written by `cmm-scan collect`")
    version = data.get("format_version")
    if version not in SNAPSHOT_VERSIONS_READ:
        raise UserError(
            f"{path}: snapshot format version {version} is not supported "
            f"(this cmm-scan reads versions {SNAPSHOT_VERSIONS_READ[0]} to {SNAPSHOT_VERSION})",
            "collect again with this version of cmm-scan",
        )
    if not isinstance(record, SnapshotHeader):
        raise UserError(f"{path}:1: header is malformed", _FIX)
    return record


def read_header(path: Path) -> SnapshotHeader:
    """Only the header, without reading the rest."""
    records = read_records(path)
    header = next(records)
    records.close()
    assert isinstance(header, SnapshotHeader)
    return header
