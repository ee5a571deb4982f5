"""Snapshots in shared storage: shards write to s3:// (boto3, against a moto server) and `score` reads
the prefix back, answering exactly as the same snapshots on local disk do."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from cmm_scan.cli import main
from cmm_scan.demo import demo_snapshots
from cmm_scan.storage import StorageUrl, local_output
from tests.support.moto import client, moto_server

BUCKET = "cmm-snapshots"


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    with moto_server() as url:
        client(url, "s3").create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"})
        yield url


@pytest.fixture
def s3(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """boto3 finds the endpoint and keys where any AWS client does: the environment."""
    for name, value in {
        "AWS_ENDPOINT_URL": s3_endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-west-2",
    }.items():
        monkeypatch.setenv(name, value)
    return s3_endpoint


def _keys(endpoint: str, prefix: str) -> list[str]:
    listed = client(endpoint, "s3").list_objects_v2(Bucket=BUCKET, Prefix=prefix)
    return sorted(item["Key"] for item in listed.get("Contents", []))


def _upload_demo(prefix: str, gz: bool = False) -> None:
    for path in demo_snapshots():
        name = path.name.replace(".snapshot.jsonl", ".jsonl.gz" if gz else ".jsonl")
        with local_output(f"s3://{BUCKET}/{prefix}/{name}") as local:
            local.write_bytes(gzip.compress(path.read_bytes()) if gz else path.read_bytes())


@pytest.fixture(scope="module")
def local_answers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The demo folder scored from local disk: what every storage must reproduce."""
    out = tmp_path_factory.mktemp("local")
    assert main(["score", str(demo_snapshots()[0].parent), "--no-store", "-q", "--format", "json", "-o", str(out)]) == 0
    return _answers(out)


def _answers(out: Path) -> dict[str, object]:
    data = json.loads((out / "assessment.json").read_text())
    return {r["question_id"] if "question_id" in r else r["id"]: (r["suggested_level"], r["evidence"]) for r in data["results"]}


def test_score_reads_a_prefix_and_answers_as_the_local_files_do(s3, tmp_path, local_answers):
    """The demo's three shards and its repositories uploaded under a prefix; `score s3://bucket/prefix/` lists,
    fetches and pools them: the same answers, evidence and source files as scoring the folder on disk."""
    _upload_demo("run-1")
    assert _keys(s3, "run-1/") == [*(f"run-1/aws-org.shard-{i}-of-3.jsonl" for i in (1, 2, 3)), "run-1/repos.jsonl"]
    stored = tmp_path / "stored"
    assert main(["score", f"s3://{BUCKET}/run-1/", "--no-store", "-q", "--format", "json", "-o", str(stored)]) == 0
    assert _answers(stored) == local_answers
    files = [s["file"] for s in json.loads((stored / "assessment.json").read_text())["source"]["snapshots"]]
    assert files == [*(f"aws-org.shard-{i}-of-3.jsonl" for i in (1, 2, 3)), "repos.jsonl"]


def test_an_estate_file_with_a_storage_folder_scores_its_parts_shards(s3, tmp_path):
    """`snapshots: s3://…` in the estate file: `score --estate` finds each part's shards by name."""
    _upload_demo("estate-a", gz=True)
    estate = tmp_path / "estate.yaml"
    parts = "parts:\n  - provider: aws\n    name: aws-org\n    options: {org: true}\n"
    estate.write_text(f"name: dept-a\nsnapshots: s3://{BUCKET}/estate-a\nshards: 3\n" + parts)
    out = tmp_path / "out"
    assert main(["score", "--estate", str(estate), "--no-store", "-q", "--format", "json", "-o", str(out)]) == 0
    source = json.loads((out / "assessment.json").read_text())["source"]
    assert [s["file"] for s in source["snapshots"]] == [f"aws-org.shard-{i}-of-3.jsonl.gz" for i in (1, 2, 3)]
    assert source["partial"] is False


def test_collect_uploads_its_snapshot_only_once_whole(s3, tmp_path):
    """`collect aws --output s3://…` against the same moto server: the object appears, whole, and
    nothing is left in the temporary upload folder."""
    target = f"s3://{BUCKET}/shards/aws.jsonl.gz"
    argv = ["collect", "aws", "--regions", "eu-west-2", "--questions", "cost.capacity", "--endpoint-url", s3, "--output", target, "-q"]
    assert main(argv) == 0
    assert _keys(s3, "shards/") == ["shards/aws.jsonl.gz"]
    body = client(s3, "s3").get_object(Bucket=BUCKET, Key="shards/aws.jsonl.gz")["Body"].read()
    lines = gzip.decompress(body).decode().splitlines()
    assert json.loads(lines[0])["format"] == "cmm-scan-snapshot" and json.loads(lines[-1])["record"] == "end"


def test_a_failed_write_uploads_nothing(s3):
    """The writer failing (or an interrupt) inside `local_output`: no object, whole or partial."""
    with pytest.raises(KeyboardInterrupt), local_output(f"s3://{BUCKET}/cut/aws.jsonl.gz") as local:
        local.write_text("half a snapshot")
        raise KeyboardInterrupt
    assert _keys(s3, "cut/") == []


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["score", f"s3://{BUCKET}/nothing-here/", "--no-store", "-o", "{tmp}/out"], "no snapshot objects"),
        (["score", "s3://no-such-bucket/x/", "--no-store", "-o", "{tmp}/out"], "s3://no-such-bucket/x/: NoSuchBucket"),
        (["score", "s3:///x/", "--no-store", "-o", "{tmp}/out"], "names no bucket"),
        (["score", "az://account-only", "--no-store", "-o", "{tmp}/out"], "names the storage account and the container"),
        (["collect", "aws", "--regions", "eu-west-2", "--output", f"s3://{BUCKET}/folder/"], "names a folder"),
    ],
)
def test_bad_storage_urls_are_one_line(s3, tmp_path, capsys, argv, words):
    code = main([a.replace("{tmp}", str(tmp_path)) for a in argv])
    err = capsys.readouterr().err
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert words in err, err
    assert not (tmp_path / "out").exists()


def test_a_storage_url_parses_into_bucket_and_key():
    assert StorageUrl.parse("s3://b/p/q.jsonl.gz") == StorageUrl("s3", "b", "p/q.jsonl.gz")
    assert StorageUrl.parse("az://acct/cont/p/").bucket == "acct/cont"
    assert StorageUrl.parse("gs://b").is_folder and not StorageUrl.parse("gs://b/x.jsonl").is_folder
    assert str(StorageUrl.parse("gs://b/run").child("a.jsonl.gz")) == "gs://b/run/a.jsonl.gz"


@pytest.mark.parametrize("cloud", ["gs", "az"])
def test_gcs_and_azure_blob_hold_snapshots_as_s3_does(cloud, request, tmp_path, local_answers):
    """gs:// through the Cloud Storage JSON API (google-auth) against the GCP emulator, az:// through
    the Blob REST API (azure-core) against the Azure emulator: upload, list the prefix, score."""
    emulator = request.getfixturevalue("gcp_emulator" if cloud == "gs" else "azure_emulator")
    base = "gs://cmm-snapshots/run-1" if cloud == "gs" else "az://cmmstore/snapshots/run-1"
    for path in demo_snapshots():
        with local_output(f"{base}/{path.name.replace('.snapshot.jsonl', '.jsonl')}") as local:
            local.write_bytes(path.read_bytes())
    with local_output(f"{base}/deeper/ignored.jsonl") as local:  # not directly under the prefix: not listed
        local.write_bytes(demo_snapshots()[0].read_bytes())
    held = emulator.objects["cmm-snapshots" if cloud == "gs" else "cmmstore/snapshots"]
    shards = [f"run-1/aws-org.shard-{i}-of-3.jsonl" for i in (1, 2, 3)]
    assert sorted(held) == sorted([*shards, "run-1/repos.jsonl", "run-1/deeper/ignored.jsonl"])
    stored_out = tmp_path / "stored"
    assert main(["score", f"{base}/", "--no-store", "-q", "--format", "json", "-o", str(stored_out)]) == 0
    assert _answers(stored_out) == local_answers
    operations = {r["operation"] for r in emulator.requests}
    written = "storage.objects.create" if cloud == "gs" else "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write"
    assert written in operations


@pytest.mark.parametrize("cloud", ["gs", "az"])
def test_a_missing_bucket_or_container_is_one_line(cloud, request, tmp_path, capsys):
    request.getfixturevalue("gcp_emulator" if cloud == "gs" else "azure_emulator")
    url = "gs://no-such-bucket/x/" if cloud == "gs" else "az://cmmstore/no-such-container/x/"
    assert main(["score", url, "--no-store", "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert url in err and "404" in err, err
