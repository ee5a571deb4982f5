"""Object storage in the emulators: the few Cloud Storage and Blob Storage calls `cmm_scan.storage`
makes (upload, list a prefix, download), so shards can write snapshots to gs:// and az:// in tests.

Objects live in memory on the Emulator (`Emulator.objects`: bucket → name → bytes), written by
the client and emptied by `reset()`; they are not part of the estate file. A bucket (GCS) or a
container (`account/container` on Azure) exists once something is written to it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote
from xml.sax.saxutils import escape

from cmm_scan.emulate.core import BodyTokenPaging, Call, Problem, Reply, Route

_GCS_PAGING = BodyTokenPaging(items_key="items")


def _bucket(call: Call, name: str, create: bool = False) -> dict[str, bytes]:
    objects: dict[str, dict[str, bytes]] = call.emulator.objects
    if name not in objects:
        if not create:
            raise Problem("not_found", f"The specified bucket does not exist: {name}", "ContainerNotFound")
        objects[name] = {}
    return objects[name]


# --- Cloud Storage JSON API -----------------------------------------------------------------------


def _gcs_metadata(bucket: str, name: str, data: bytes) -> dict[str, Any]:
    return {"kind": "storage#object", "bucket": bucket, "name": name, "size": str(len(data))}


def gcs_upload(call: Call) -> Reply:
    if call.query.get("uploadType") != "media" or not call.query.get("name"):
        raise Problem("bad_request", "only uploadType=media with a name is emulated")
    bucket = unquote(call.params["bucket"])
    _bucket(call, bucket, create=True)[call.query["name"]] = call.raw_body
    return Reply(_gcs_metadata(bucket, call.query["name"], call.raw_body))


def gcs_list(call: Call) -> Reply:
    bucket = unquote(call.params["bucket"])
    found = _bucket(call, bucket)
    prefix = call.query.get("prefix", "")
    items = [_gcs_metadata(bucket, name, data) for name, data in sorted(found.items()) if name.startswith(prefix)]
    return _GCS_PAGING.reply(call, items)


def gcs_get(call: Call) -> Reply:
    bucket, name = unquote(call.params["bucket"]), unquote(call.params["name"])
    data = _bucket(call, bucket).get(name)
    if data is None:
        raise Problem("not_found", f"No such object: {bucket}/{name}")
    if call.query.get("alt") == "media":
        return Reply(data, headers={"Content-Type": "application/octet-stream"})
    return Reply(_gcs_metadata(bucket, name, data))


GCS_ROUTES = [
    Route("POST", "/upload/storage/v1/b/{bucket}/o", "storage.objects.create", gcs_upload),
    Route("GET", "/storage/v1/b/{bucket}/o", "storage.objects.list", gcs_list),
    Route("GET", "/storage/v1/b/{bucket}/o/{name*}", "storage.objects.get", gcs_get),
]


# --- Azure Blob Storage REST API (path style, under /blob: {endpoint}/blob/{account}/{container}/{blob}) --


def _container(call: Call) -> str:
    return f"{unquote(call.params['account'])}/{unquote(call.params['container'])}"


def blob_put(call: Call) -> Reply:
    if call.headers.get("x-ms-blob-type") != "BlockBlob":
        raise Problem("bad_request", "only x-ms-blob-type: BlockBlob is emulated", "MissingRequiredHeader")
    _bucket(call, _container(call), create=True)[unquote(call.params["blob"])] = call.raw_body
    return Reply(b"", status=201)


def blob_list(call: Call) -> Reply:
    if call.query.get("restype") != "container" or call.query.get("comp") != "list":
        raise Problem("bad_request", "only restype=container&comp=list is emulated on a container")
    found = _bucket(call, _container(call))
    prefix = call.query.get("prefix", "")
    names = [name for name in sorted(found) if name.startswith(prefix)]
    size = call.emulator.page_size
    start = int(call.query.get("marker") or 0)
    page, more = names[start : start + size], start + size < len(names)
    blobs = "".join(
        f"<Blob><Name>{escape(n)}</Name><Properties><Content-Length>{len(found[n])}</Content-Length></Properties></Blob>" for n in page
    )
    marker = f"<NextMarker>{start + size}</NextMarker>" if more else "<NextMarker />"
    body = (
        '<?xml version="1.0" encoding="utf-8"?>'
        f"<EnumerationResults><Prefix>{escape(prefix)}</Prefix><Blobs>{blobs}</Blobs>{marker}</EnumerationResults>"
    )
    return Reply(body.encode(), headers={"Content-Type": "application/xml"})


def blob_get(call: Call) -> Reply:
    name = unquote(call.params["blob"])
    data = _bucket(call, _container(call)).get(name)
    if data is None:
        raise Problem("not_found", f"The specified blob does not exist: {name}", "BlobNotFound")
    return Reply(data, headers={"Content-Type": "application/octet-stream"})


BLOB_ROUTES = [
    Route("PUT", "/blob/{account}/{container}/{blob*}", "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write", blob_put),
    Route("GET", "/blob/{account}/{container}", "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read", blob_list),
    Route("GET", "/blob/{account}/{container}/{blob*}", "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read", blob_get),
]
