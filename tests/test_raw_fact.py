"""The scoring hot path's fact decoder (`snapshot_io._raw_fact`) takes exactly what `Fact` validates as a
plain dict, and hands every other line to the full model (which turns it into a fact or a one-line error)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cmm_scan.errors import UserError
from cmm_scan.models import Fact, SnapshotHeader
from cmm_scan.snapshot_io import SnapshotWriter, _raw_fact, read_records_raw

GOOD = {
    "record": "fact",
    "type": "compute.instance",
    "provider": "aws",
    "scope": "111111111111",
    "region": "eu-west-2",
    "resource_id": "i-1",
    "attributes": {"state": "running"},
    "source": "ec2:DescribeInstances",
}


def test_the_checked_fields_are_the_models_fields() -> None:
    assert set(Fact.model_fields) == set(GOOD)


def test_a_well_formed_fact_line_is_its_dict() -> None:
    assert _raw_fact(json.dumps(GOOD)) == GOOD


@pytest.mark.parametrize(
    "line",
    [
        {**GOOD, "extra": 1},
        {k: v for k, v in GOOD.items() if k != "source"},
        {**{k: v for k, v in GOOD.items() if k != "source"}, "sources": "x"},  # eight keys, one misnamed
        {**GOOD, "record": "coverage"},
        {**GOOD, "provider": "nimbus"},
        {**GOOD, "scope": 111111111111},
        {**GOOD, "attributes": []},
        [GOOD],
    ],
)
def test_anything_else_goes_to_the_full_model(line) -> None:
    assert _raw_fact(json.dumps(line)) is None


def test_a_line_that_is_not_json_goes_to_the_full_model() -> None:
    assert _raw_fact('{"record": "fact",') is None


def test_a_line_as_bytes_is_decoded_as_its_text() -> None:
    assert _raw_fact(json.dumps({**GOOD, "resource_id": "é"}).encode()) == {**GOOD, "resource_id": "é"}
    assert _raw_fact(b'{"record": "fact", "x": "\xff"}') is None  # not UTF-8: the full model's path reports it


# --- skipping fact types no rule reads ---------------------------------------------------------


def _snapshot(tmp_path: Path, lines: list[str]) -> Path:
    """A snapshot of our writer's header and end record around `lines` (each one fact)."""
    header = SnapshotHeader(tool_version="t", provider="aws", started_at=datetime.now(UTC))
    path = tmp_path / "s.snapshot.jsonl"
    with SnapshotWriter(path, header):
        pass
    head, end = path.read_text().splitlines()
    end = json.dumps({**json.loads(end), "fact_count": len(lines)})
    path.write_text("\n".join([head, *lines, end]) + "\n")
    return path


def _written(**changes) -> str:
    return Fact(**{**GOOD, **changes}).model_dump_json()


def test_a_written_fact_of_a_skipped_type_is_counted_not_decoded(tmp_path) -> None:
    line = _written(type="compute.subnet")
    assert line.startswith('{"record":"fact","type":"compute.subnet","provider":"aws"')  # what the prefix test relies on
    path = _snapshot(tmp_path, [line, _written()])
    records = list(read_records_raw(path, skip=frozenset({"compute.subnet"})))[1:]
    assert records == [None, GOOD]
    assert list(read_records_raw(path))[1:] == [json.loads(line), GOOD]  # nothing skipped unless asked


@pytest.mark.parametrize(
    "line",
    [
        # other key order, spaces, an escaped name: decoded and checked as usual, never skipped unread
        json.dumps({**{"type": "compute.subnet"}, **{k: v for k, v in GOOD.items() if k != "type"}}, separators=(",", ":")),
        json.dumps({**GOOD, "type": "compute.subnet"}),
        _written(type="compute.subnet").replace("subnet", "sub\\u006eet", 1),
        _written(type="compute.subnets"),  # a longer name starting with a skipped one: read, and unknown
    ],
)
def test_only_the_writers_own_form_is_skipped(tmp_path, line) -> None:
    path = _snapshot(tmp_path, [line])
    try:
        records = list(read_records_raw(path, skip=frozenset({"compute.subnet"})))[1:]
    except UserError as exc:
        assert "unknown fact type 'compute.subnets'" in str(exc)
        return
    assert len(records) == 1 and records[0] is not None and records[0]["type"] == "compute.subnet"


def test_a_broken_line_of_a_read_type_is_still_an_error(tmp_path) -> None:
    path = _snapshot(tmp_path, [_written(type="compute.subnet"), _written()[:-3]])
    with pytest.raises(UserError, match=r":3: not valid JSON"):
        list(read_records_raw(path, skip=frozenset({"compute.subnet"})))
