"""boto3 clients for one account: adaptive retry, endpoint override, thread-safe creation, call listeners."""

from __future__ import annotations

import gzip
import ipaddress
import json
import os
import threading
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import boto3
from botocore import xform_name
from botocore.config import Config
from botocore.loaders import JSONFileLoader, Loader

from cmm_scan import cancel

# Observers of every API call (service, operation): the tests use this to prove the policy covers the scan.
call_listeners: list[Callable[[str, str], None]] = []

GLOBAL_REGION = "us-east-1"


def retry_config() -> Config:
    # Adaptive mode backs off on throttling; AWS_MAX_ATTEMPTS (if set) still wins, botocore reads it.
    retries: dict[str, Any] = {"mode": "adaptive"}
    if not os.environ.get("AWS_MAX_ATTEMPTS"):
        retries["max_attempts"] = 8
    return Config(retries=retries, connect_timeout=10, read_timeout=60, max_pool_connections=64)


def notify_listeners(model: Any = None, **_: Any) -> None:
    if model is not None:
        for listener in call_listeners:
            listener(model.service_model.service_name, model.name)


def _is_literal_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _strip_account_prefix(endpoint: str) -> Callable[..., None]:
    """s3control puts the account id in front of the host; an IP-literal endpoint cannot carry that prefix."""
    host = urlsplit(endpoint).hostname or ""

    def hook(request: Any, **_: Any) -> None:
        parts = urlsplit(request.url)
        if parts.hostname and parts.hostname.endswith("." + host):
            netloc = parts.netloc.split(".", 1)[1]
            request.url = urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))

    return hook


# Calls botocore makes by itself on a client: S3's region redirect and S3 Express sessions.
BOTOCORE_CALLS = frozenset({("s3", "head_bucket"), ("s3", "create_session")})


def _bare(definition: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in definition.items() if k != "documentation"}


def _bare_operation(op: dict[str, Any]) -> dict[str, Any]:
    bare = _bare(op)
    for key in ("input", "output"):
        if key in bare:
            bare[key] = _bare(bare[key])
    if "errors" in bare:
        bare["errors"] = [_bare(ref) for ref in bare["errors"]]
    return bare


def prune_model(model: dict[str, Any], operations: Iterable[str]) -> dict[str, Any]:
    """A service model with only these operations (boto3 method names), the shapes they reach, and no documentation.

    ec2's full model is ~14 MB of Python objects for the 10 of its 830 operations the scan calls."""
    wanted = set(operations)
    ops = {
        name: _bare_operation(op)
        for name, op in model["operations"].items()
        if xform_name(name) in wanted or op.get("endpointoperation")  # endpoint discovery is botocore's own call
    }
    shapes: dict[str, Any] = model["shapes"]
    kept: dict[str, Any] = {}
    pending = [ref["shape"] for op in ops.values() for ref in (op.get("input"), op.get("output"), *op.get("errors", ())) if ref]
    while pending:
        name = pending.pop()
        if name in kept:
            continue
        shape = kept[name] = _bare(shapes[name])
        for key in ("member", "key", "value"):
            if key in shape:
                shape[key] = _bare(shape[key])
                pending.append(shape[key]["shape"])
        if "members" in shape:
            shape["members"] = {member: _bare(ref) for member, ref in shape["members"].items()}
            pending += [ref["shape"] for ref in shape["members"].values()]
    return {**_bare(model), "operations": ops, "shapes": kept}


class PlainJSONFileLoader(JSONFileLoader):
    """botocore parses its data files into OrderedDicts, which cost nearly twice a dict (endpoints.json, kept
    for the whole scan: 6.7 MB against 3.9 MB); a dict keeps the order too."""

    def load_file(self, file_path: str) -> Any:
        for ext, opener in ((".json", open), (".json.gz", gzip.open)):
            if os.path.isfile(file_path + ext):
                with opener(file_path + ext, "rb") as handle:
                    return json.loads(handle.read().decode("utf-8"))
        return None


class ScanLoader(Loader):
    """A botocore data loader whose service models hold only the operations a scan may call.

    Services not named in `calls` (sts, sso: the credential providers call them) load whole."""

    def __init__(self, calls: Iterable[tuple[str, str]], search_paths: list[str]):
        super().__init__(extra_search_paths=list(search_paths), file_loader=PlainJSONFileLoader(), include_default_search_paths=False)
        self.operations: dict[str, frozenset[str]] = {}
        for service, operation in {*calls, *BOTOCORE_CALLS}:
            self.operations[service] = self.operations.get(service, frozenset()) | {operation}
        self._lock = threading.Lock()

    def load_service_model(self, service_name: str, type_name: str, api_version: str | None = None) -> Any:
        if type_name != "service-2" or service_name not in self.operations:
            return super().load_service_model(service_name, type_name, api_version)
        key = ("pruned", service_name, api_version)
        with self._lock:  # one full model parsed at a time bounds the transient peak
            found = self._cache.get(key)
            if found is None:
                full = super().load_service_model(service_name, type_name, api_version)
                found = self._cache[key] = prune_model(full, self.operations[service_name])
                self._forget_full(service_name)
            return found

    def _forget_full(self, service: str) -> None:
        """Drop the whole model (and its sdk-extras) that the base class cached on the way."""
        prefix = service + os.sep
        for key in list(self._cache):
            if (key[0] == "load_service_model" and key[1:3] == (service, "service-2")) or (
                key[0] == "load_data_with_path" and str(key[1]).startswith(prefix) and os.sep + "service-2" in str(key[1])
            ):
                del self._cache[key]


class AccountClients:
    """Clients for one account's session; boto3 sessions are not thread-safe, so creation is locked."""

    def __init__(self, session: boto3.Session, endpoint_url: str | None = None):
        self.session = session
        self.endpoint_url = endpoint_url
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()
        self._config = retry_config()

    def client(self, service: str, region: str) -> Any:
        key = (service, region)
        with self._lock:
            found = self._clients.get(key)
            if found is None:
                found = self.session.client(service, region_name=region, config=self._config, endpoint_url=self.endpoint_url)
                found.meta.events.register("before-call.*.*", notify_listeners)
                found.meta.events.register("before-send.*.*", cancel.check)  # every attempt, retries too: stop on Ctrl-C
                endpoint = self.endpoint_url or found.meta.endpoint_url
                if service == "s3control" and _is_literal_host(urlsplit(endpoint).hostname or ""):
                    found.meta.events.register("before-send.s3-control.*", _strip_account_prefix(endpoint))
                self._clients[key] = found
            return found
