"""One organisation, many snapshots: clouds and shards pooled into one assessment by `score A B …`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cmm_scan.cli import main
from cmm_scan.engine import evaluate
from cmm_scan.models import ScopeInfo
from cmm_scan.rules import load_rules
from tests.support.estate import Estate

ORG = ScopeInfo(id="o-abc123", kind="organization")


def capacity_estate(provider: str, scope: str, autoscaled: int, static: int) -> Estate:
    estate = Estate(provider)
    estate.many(autoscaled, "compute.instance", scope=scope, state="running", autoscaled=True)
    estate.many(static, "compute.instance", scope=scope, state="running", autoscaled=False)
    estate.covered("compute.autoscaling_group", scope=scope)
    return estate


def score_json(tmp_path: Path, *inputs: str | Path, extra: tuple[str, ...] = ()) -> dict:
    out = tmp_path / "out"
    tmp_path.mkdir(parents=True, exist_ok=True)  # an --output-dir goes in a folder that exists
    argv = ["score", *map(str, inputs), "--questions", "cost.capacity", "-o", str(out), "--format", "json", "--no-store", "-q", *extra]
    assert main(argv) == 0
    return json.loads((out / "assessment.json").read_text())


def evidence(result: dict, signal: str) -> dict:
    (found,) = [e for e in result["evidence"] if e["signal"] == signal]
    return found


def test_two_clouds_pool_into_one_estate_with_a_per_cloud_breakdown(tmp_path):
    """AWS alone autoscales 3 of 10 running VMs: "Some systems scale automatically." (level 3).
    With the Azure subscription's 6 of 6, the estate autoscales 9 of 16 (56%):
    "Most systems scale automatically." (level 4)."""
    aws = capacity_estate("aws", "111111111111", 3, 7).write(tmp_path / "aws.jsonl.gz")
    azure = capacity_estate("azure", "sub-1", 6, 0).write(tmp_path / "azure.jsonl", kind="subscription")

    alone = score_json(tmp_path / "alone", aws)
    assert alone["results"][0]["suggested_level"] == 3

    assessment = score_json(tmp_path, aws, azure)
    (result,) = assessment["results"]
    assert (result["suggested_level"], result["confidence"], result["partial"]) == (4, "high", False)
    share = evidence(result, "autoscaled_share")
    assert (share["matching"], share["total"]) == (9, 16)
    assert share["by_provider"] == [
        {"provider": "aws", "scopes": 1, "matching": 3, "total": 10, "unknown": 0},
        {"provider": "azure", "scopes": 1, "matching": 6, "total": 6, "unknown": 0},
    ]
    assert {(s["provider"], s["scope"]) for s in share["by_scope"]} == {("aws", "111111111111"), ("azure", "sub-1")}
    source = assessment["source"]
    assert assessment["format_version"] == 2
    assert (source["provider"], source["providers"], source["fact_count"]) == ("aws+azure", ["aws", "azure"], 16)
    assert [(s["file"], s["provider"], s["fact_count"]) for s in source["snapshots"]] == [
        ("aws.jsonl.gz", "aws", 10),
        ("azure.jsonl", "azure", 6),
    ]
    assert {(s["provider"], s["kind"], s["id"]) for s in source["scopes"]} == {
        ("aws", "account", "111111111111"),
        ("azure", "subscription", "sub-1"),
    }


def test_a_folder_and_a_glob_name_the_same_estate(tmp_path):
    folder = tmp_path / "snaps"
    capacity_estate("aws", "111111111111", 3, 7).write(folder / "a.jsonl.gz")
    capacity_estate("azure", "sub-1", 6, 0).write(folder / "b.jsonl", kind="subscription")
    (folder / "notes.txt").write_text("not a snapshot")
    by_folder = score_json(tmp_path / "1", folder)
    by_glob = score_json(tmp_path / "2", str(folder / "*.jsonl*"))
    for assessment in (by_folder, by_glob):
        assert [s["file"] for s in assessment["source"]["snapshots"]] == ["a.jsonl.gz", "b.jsonl"]
        assert assessment["results"][0]["suggested_level"] == 4


def test_coverage_from_one_snapshot_never_settles_a_signal_another_left_unread(tmp_path):
    """The Azure snapshot read no virtual machines at all (its plan had no collector for them): the AWS
    share cannot stand for the estate, so the question says "I don't know" instead of level 3."""
    aws = capacity_estate("aws", "111111111111", 3, 7).write(tmp_path / "aws.jsonl")
    azure = Estate("azure").covered("compute.autoscaling_group", scope="sub-1").write(tmp_path / "azure.jsonl", kind="subscription")
    rules = load_rules(select=["cost.capacity"])
    (result,) = evaluate([aws, azure], rules).results
    assert result.suggested_level is None
    share = next(e for e in result.evidence if e.signal == "autoscaled_share")
    assert not share.complete
    assert any("the azure snapshot azure.jsonl has no coverage of compute.instance" in gap for gap in share.coverage_gaps)

    # A denial in one snapshot is a gap in the estate, whatever the other snapshot read.
    denied = Estate("azure").denied("compute.instance", scope="sub-1").covered("compute.autoscaling_group", scope="sub-1")
    (result,) = evaluate([aws, denied.write(tmp_path / "denied.jsonl", kind="subscription")], rules).results
    assert result.suggested_level is None

    # A type the snapshot's provider cannot hold (declared in its header) leaves nothing unread.
    repos = Estate("repos").covered("compute.autoscaling_group", scope="org/repo")
    held = repos.write(tmp_path / "repos.jsonl", kind="repository", not_held=["compute.instance"])
    (result,) = evaluate([aws, held], rules).results
    assert result.suggested_level == 3


def test_a_scope_in_two_snapshots_is_refused_in_one_line(tmp_path, capsys):
    a = capacity_estate("aws", "111111111111", 1, 0).write(tmp_path / "a.jsonl")
    b = capacity_estate("aws", "111111111111", 1, 0).write(tmp_path / "b.jsonl")
    assert main(["score", str(a), str(b), "-o", str(tmp_path / "out"), "--no-store"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (
        "cmm-scan: error: aws account 111111111111 is in both a.jsonl and b.jsonl (score each scope once: leave one of the snapshots out)"
    )
    assert not (tmp_path / "out").exists()
    assert main(["score", str(a), str(tmp_path / "*.jsonl"), "--no-store", "-o", str(tmp_path / "out")]) == 2
    assert "a.jsonl: given twice" in capsys.readouterr().err


def shard_set(tmp_path: Path, shards: list[int], count: int = 4, estate: str = "aws:organization:o-abc123") -> list[Path]:
    paths = []
    for i in shards:
        part = capacity_estate("aws", f"{i:012d}", i, 4 - i)
        paths.append(part.write(tmp_path / f"shard-{i}.jsonl", umbrella=ORG, shard=(i, count), estate=estate))
    return paths


def test_an_incomplete_or_doubled_shard_set_is_refused_naming_the_shards(tmp_path, capsys):
    three = shard_set(tmp_path, [1, 3, 4])
    assert main(["score", *map(str, three), "--no-store", "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("cmm-scan: error: incomplete shard set: aws:organization:o-abc123 misses shard 2/4 (")
    assert "\n" not in err and not (tmp_path / "out").exists()

    again = shard_set(tmp_path / "again", [3])
    assert main(["score", *map(str, three), str(again[0]), "--no-store", "--allow-partial"]) == 2
    assert f"shards of aws:organization:o-abc123 given twice: 3/4 ({three[1]}, {again[0]})" in capsys.readouterr().err


def test_allow_partial_scores_what_is_there_and_marks_every_result(tmp_path):
    assessment = score_json(tmp_path, *shard_set(tmp_path, [1, 3, 4]), extra=("--allow-partial",))
    assert assessment["source"]["partial"] is True
    assert assessment["source"]["missing_shards"] == ["aws:organization:o-abc123 2/4"]
    assert all(r["partial"] for r in assessment["results"])
    assert "Partial: scored without shard aws:organization:o-abc123 2/4 of the estate." in assessment["results"][0]["reasons"]


def test_a_complete_shard_set_is_stored_as_one_run_of_the_organisation(tmp_path, capsys):
    """Shards 1-4 autoscale 1+2+3+4 of 16 running VMs (62%): "Most systems scale automatically." (level 4)."""
    store = f"sqlite:///{tmp_path / 'store.db'}"
    shards = shard_set(tmp_path, [4, 2, 1, 3])
    assert main(["score", *map(str, shards), "--store", store, "-o", str(tmp_path / "out"), "--questions", "cost.capacity"]) == 0
    assessment = json.loads((tmp_path / "out" / "assessment.json").read_text())
    assert assessment["results"][0]["suggested_level"] == 4
    assert sorted(s["shard"][0] for s in assessment["source"]["snapshots"]) == [1, 2, 3, 4]
    capsys.readouterr()
    assert main(["history", "--store", store, "--json"]) == 0
    assert [r["scope_key"] for r in json.loads(capsys.readouterr().out)] == ["aws:org:o-abc123"]


def test_a_partial_set_is_never_stored_as_the_organisations_run(tmp_path, capsys):
    store = f"sqlite:///{tmp_path / 'store.db'}"
    for shards in ([1, 3], [2]):
        paths = shard_set(tmp_path / str(shards[0]), shards)
        assert main(["score", *map(str, paths), "--allow-partial", "--store", store, "-o", str(tmp_path / "out"), "-q"]) == 0
    assert main(["history", "--store", store, "--json"]) == 0
    keys = sorted(r["scope_key"] for r in json.loads(capsys.readouterr().out))
    assert keys == ["aws:org:o-abc123/shard-2-of-4", "aws:org:o-abc123/shards-1+3-of-4"]


def test_a_version_1_assessment_still_renders(tmp_path):
    capacity_estate("aws", "111111111111", 3, 7).write(tmp_path / "aws.jsonl")
    old = score_json(tmp_path, tmp_path / "aws.jsonl")
    old["format_version"] = 1
    for key in ("providers", "snapshots", "partial", "missing_shards"):
        del old["source"][key]
    path = tmp_path / "v1.json"
    path.write_text(json.dumps(old))
    assert main(["report", str(path), "-o", str(tmp_path / "report"), "--format", "md"]) == 0


@pytest.mark.parametrize("name", ["missing.jsonl", "nothing-*.jsonl"])
def test_a_missing_input_is_one_line(tmp_path, capsys, name):
    assert main(["score", str(tmp_path / name), "--no-store"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and name in err


def test_a_scanned_shard_is_stored_under_its_shard_key_from_its_header(tmp_path):
    """`scan --shard 2/4` parses the flag at the edge; the store learns the shard from the snapshot's header."""
    import argparse

    from cmm_scan.history_cli import Recorder

    path = shard_set(tmp_path, [2])[0]
    args = argparse.Namespace(
        command="scan",
        store=f"sqlite:///{tmp_path / 's.db'}",
        no_store=False,
        store_snapshot=False,
        scope_key=None,
        fail_on_regression=False,
    )
    recorder = Recorder(args, console=None)  # type: ignore[arg-type]
    recorder.before_outputs(evaluate(path, load_rules(select=["cost.capacity"])))
    assert recorder.key == "aws:org:o-abc123/shard-2-of-4"


def test_the_reports_show_the_estate_per_cloud_and_per_scope(tmp_path):
    aws = capacity_estate("aws", "111111111111", 3, 7).write(tmp_path / "aws.jsonl.gz")
    azure = capacity_estate("azure", "sub-1", 6, 0).write(tmp_path / "azure.jsonl", kind="subscription")
    out = tmp_path / "out"
    assert (
        main(["score", str(aws), str(azure), "--questions", "cost.capacity", "-o", str(out), "--format", "md,html", "--no-store", "-q"])
        == 0
    )
    markdown = (out / "assessment.md").read_text()
    assert "Estate of 2 snapshots:" in markdown and "| azure.jsonl | azure | 1 | – | 6 |" in markdown
    assert "  - per cloud: aws: 3/10 in 1 scopes, azure: 6/6 in 1 scopes" in markdown
    assert "  - per scope: aws 111111111111: 3/10, azure sub-1: 6/6" in markdown
    html = (out / "report.html").read_text()
    assert "Estate: 2 snapshots from aws, azure" in html and "<summary>Per cloud (2)</summary>" in html
