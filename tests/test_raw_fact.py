"""The scoring hot path's fact decoder (`snapshot_io._raw_fact`) takes exactly what `Fact` validates as a
plain dict, and hands every other line to the full model (which turns it into a fact or a one-line error)."""

from __future__ import annotations

import json

import pytest

from cmm_scan.models import Fact
from cmm_scan.snapshot_io import _raw_fact

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
