"""Snapshots in shared storage: `s3://`, `az://` and `gs://` URLs, through each cloud's own client.

The map step of a distributed run writes each shard's snapshot to one place the reduce step can
list (docs/scheduling.md). A URL names a folder (`s3://bucket/prefix/`) or one object
(`s3://bucket/prefix/aws.jsonl.gz`):

- writing: the snapshot is written to a local temporary file as usual (atomic, redacted) and
  uploaded once whole, so a reader never sees half of one; an interrupted run uploads nothing.
- reading: a folder URL is listed for `*.jsonl` and `*.jsonl.gz` objects; each is streamed to a
  temporary file and scored from there (memory stays flat), removed when the command ends.

Writing our own output is not a scan read: it needs one write permission (s3:PutObject,
storage.objects.create, Storage Blob Data Contributor), never part of the read-only grants
`cmm-scan permissions` prints. Endpoints for tests and private clouds: boto3's own
AWS_ENDPOINT_URL(_S3); CMM_SCAN_GCS_ENDPOINT (else CMM_SCAN_GCP_ENDPOINT, else Google);
CMM_SCAN_AZURE_BLOB_ENDPOINT (path style `{endpoint}/{account}/{container}/{blob}`).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

from cmm_scan.errors import UserError

SCHEMES = ("s3", "gs", "az")
SNAPSHOT_SUFFIXES = (".jsonl", ".jsonl.gz")
_FIX = "a storage URL is s3://bucket/prefix/, gs://bucket/prefix/ or az://account/container/prefix/"


def is_url(text: str | Path) -> bool:
    return isinstance(text, str) and text.split("://", 1)[0].lower() in SCHEMES and "://" in text


@dataclass(frozen=True)
class StorageUrl:
    """A parsed storage URL: `bucket` is the S3/GCS bucket, or `account/container` on Azure."""

    scheme: str
    bucket: str
    key: str

    @classmethod
    def parse(cls, text: str) -> StorageUrl:
        scheme, _, rest = text.partition("://")
        scheme = scheme.lower()
        parts = rest.split("/", 2 if scheme == "az" else 1)
        if scheme == "az":
            if len(parts) < 2 or not parts[0] or not parts[1]:
                raise UserError(f"{text}: an Azure URL names the storage account and the container", _FIX)
            bucket, key = f"{parts[0]}/{parts[1]}", parts[2] if len(parts) > 2 else ""
        else:
            if not parts[0]:
                raise UserError(f"{text}: names no bucket", _FIX)
            bucket, key = parts[0], parts[1] if len(parts) > 1 else ""
        if "//" in key or key.startswith("/"):
            raise UserError(f"{text}: empty path segment", _FIX)
        return cls(scheme, bucket, key)

    def __str__(self) -> str:
        return f"{self.scheme}://{self.bucket}/{self.key}"

    @property
    def is_folder(self) -> bool:
        return not self.key or self.key.endswith("/") or not self.key.endswith(SNAPSHOT_SUFFIXES)

    def child(self, name: str) -> StorageUrl:
        prefix = self.key if not self.key or self.key.endswith("/") else self.key + "/"
        return StorageUrl(self.scheme, self.bucket, prefix + name)


class Backend(Protocol):
    def put(self, local: Path, key: str) -> None: ...
    def list(self, prefix: str) -> list[str]: ...
    def get(self, key: str, local: Path) -> None: ...


def backend(url: StorageUrl) -> Backend:
    if url.scheme == "s3":
        return _S3(url.bucket)
    if url.scheme == "gs":
        return _Gcs(url.bucket)
    return _AzureBlob(*url.bucket.split("/", 1))


# --- writing ----------------------------------------------------------------------------------


@contextmanager
def local_output(target: Path | str) -> Iterator[Path]:
    """A local path to write `target` to: the path itself, or a temporary file uploaded on success."""
    if not is_url(target):
        yield Path(target)
        return
    url = StorageUrl.parse(str(target))
    if url.is_folder:
        raise UserError(f"{url}: names a folder; an output snapshot is an object ending .jsonl.gz", _FIX)
    store = backend(url)
    with tempfile.TemporaryDirectory(prefix="cmm-scan-upload-") as tmp:
        local = Path(tmp) / url.key.rsplit("/", 1)[-1]
        yield local
        if local.exists():  # the writer moves its file into place only when the snapshot is whole
            _guarded(url, lambda: store.put(local, url.key))


# --- reading ----------------------------------------------------------------------------------


class Downloads:
    """Temporary copies of listed objects; removed at exit (or by `close`)."""

    def __init__(self) -> None:
        self._dir: Path | None = None

    def folder(self) -> Path:
        if self._dir is None:
            self._dir = Path(tempfile.mkdtemp(prefix="cmm-scan-download-"))
            import atexit

            atexit.register(self.close)
        return self._dir

    def close(self) -> None:
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None


DOWNLOADS = Downloads()


def list_snapshots(url: StorageUrl) -> list[StorageUrl]:
    """The snapshot objects a URL names: itself, or those directly under its folder prefix."""
    if not url.is_folder:
        return [url]
    prefix = url.child("").key
    store = backend(url)
    names = _guarded(url, lambda: store.list(prefix))
    return [
        StorageUrl(url.scheme, url.bucket, name)
        for name in sorted(names)
        if "/" not in name[len(prefix) :] and name.endswith(SNAPSHOT_SUFFIXES)
    ]


def fetch(urls: list[StorageUrl]) -> list[Path]:
    """Each object streamed to a temporary file (kept under its own name, which reports show)."""
    found = []
    for url in urls:
        local = Path(tempfile.mkdtemp(dir=DOWNLOADS.folder())) / url.key.rsplit("/", 1)[-1]
        store = backend(url)
        _guarded(url, lambda u=url, to=local, s=store: s.get(u.key, to))
        found.append(local)
    return found


def snapshots_at(text: str) -> list[Path]:
    """`score URL`: the snapshots a storage URL names, as local files."""
    url = StorageUrl.parse(text)
    objects = list_snapshots(url)
    if not objects:
        raise UserError(f"{url}: no snapshot objects (*.jsonl, *.jsonl.gz) under this prefix", "pass the prefix the scans wrote to")
    return fetch(objects)


def _guarded(url: StorageUrl, call: Any) -> Any:
    """A storage failure is one line naming the URL: denied, missing bucket, unreachable endpoint."""
    try:
        return call()
    except UserError:
        raise
    except Exception as exc:  # every client raises its own kind; the message is what the user needs
        text = " ".join(str(exc).split())[:300]
        raise UserError(
            f"{url}: {type(exc).__name__}: {text}", "check the URL, the credentials and the write permission (docs/estate.md)"
        ) from None


# --- backends -----------------------------------------------------------------------------------


class _S3:
    """boto3; credentials and endpoint as for any AWS client (AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL)."""

    def __init__(self, bucket: str):
        import boto3

        self.bucket = bucket
        self.client = boto3.client("s3")

    def put(self, local: Path, key: str) -> None:
        self.client.upload_file(str(local), self.bucket, key)

    def list(self, prefix: str) -> list[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix)
        return [item["Key"] for page in pages for item in page.get("Contents", [])]

    def get(self, key: str, local: Path) -> None:
        self.client.download_file(self.bucket, key, str(local))


class _Gcs:
    """The Cloud Storage JSON API over google-auth's AuthorizedSession (Application Default Credentials)."""

    SCOPE = "https://www.googleapis.com/auth/devstorage.read_write"

    def __init__(self, bucket: str):
        import google.auth
        from google.auth.transport.requests import AuthorizedSession

        self.bucket = bucket
        base = os.environ.get("CMM_SCAN_GCS_ENDPOINT") or os.environ.get("CMM_SCAN_GCP_ENDPOINT") or "https://storage.googleapis.com"
        self.base = base.rstrip("/")
        credentials, _ = google.auth.default(scopes=[self.SCOPE])
        self.session = AuthorizedSession(credentials)

    def put(self, local: Path, key: str) -> None:
        url = f"{self.base}/upload/storage/v1/b/{quote(self.bucket, safe='')}/o"
        with local.open("rb") as body:
            response = self.session.post(url, params={"uploadType": "media", "name": key}, data=body)
        response.raise_for_status()

    def list(self, prefix: str) -> list[str]:
        names: list[str] = []
        params = {"prefix": prefix, "fields": "items(name),nextPageToken"}
        while True:
            response = self.session.get(f"{self.base}/storage/v1/b/{quote(self.bucket, safe='')}/o", params=params)
            response.raise_for_status()
            page = response.json()
            names += [item["name"] for item in page.get("items", [])]
            if not page.get("nextPageToken"):
                return names
            params["pageToken"] = page["nextPageToken"]

    def get(self, key: str, local: Path) -> None:
        url = f"{self.base}/storage/v1/b/{quote(self.bucket, safe='')}/o/{quote(key, safe='')}"
        with self.session.get(url, params={"alt": "media"}, stream=True) as response:
            response.raise_for_status()
            with local.open("wb") as out:
                for chunk in response.iter_content(1 << 20):
                    out.write(chunk)


class _AzureBlob:
    """The Blob service REST API over azure-core, with an Entra ID token (Storage Blob Data roles)."""

    SCOPE = "https://storage.azure.com/.default"
    VERSION = "2021-08-06"

    def __init__(self, account: str, container: str):
        from azure.core import PipelineClient
        from azure.core.pipeline.policies import BearerTokenCredentialPolicy, HeadersPolicy

        from cmm_scan.azure.transport import credential

        override = os.environ.get("CMM_SCAN_AZURE_BLOB_ENDPOINT")
        self.base = f"{override.rstrip('/')}/{account}" if override else f"https://{account}.blob.core.windows.net"
        self.container = container
        headers = HeadersPolicy({"x-ms-version": self.VERSION})
        self.client = PipelineClient(base_url=self.base, policies=[headers, BearerTokenCredentialPolicy(credential(), self.SCOPE)])

    def _send(self, method: str, path: str, params: dict[str, str] | None = None, **kwargs: Any) -> Any:
        from azure.core.rest import HttpRequest

        url = f"{self.base}/{quote(self.container)}" + (f"/{path}" if path else "")
        request = HttpRequest(method, url, params=params, **kwargs)
        response = self.client.send_request(request, stream=True)
        if response.status_code >= 300:
            response.read()
            raise RuntimeError(f"HTTP {response.status_code} {response.reason}: {response.text()[:200]}")
        return response

    def put(self, local: Path, key: str) -> None:
        with local.open("rb") as body:  # streamed, not read into memory
            size = str(local.stat().st_size)
            self._send("PUT", quote(key), headers={"x-ms-blob-type": "BlockBlob", "Content-Length": size}, content=body).close()

    def list(self, prefix: str) -> list[str]:
        import xml.etree.ElementTree as ET

        names: list[str] = []
        params = {"restype": "container", "comp": "list", "prefix": prefix}
        while True:
            response = self._send("GET", "", params)
            response.read()
            root = ET.fromstring(response.text())
            names += [n.text or "" for n in root.iter("Name")]
            marker = root.findtext("NextMarker")
            if not marker:
                return names
            params["marker"] = marker

    def get(self, key: str, local: Path) -> None:
        response = self._send("GET", quote(key))
        with local.open("wb") as out:
            for chunk in response.iter_bytes():
                out.write(chunk)
        response.close()
