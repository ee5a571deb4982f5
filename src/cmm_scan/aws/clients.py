"""boto3 clients for one account: adaptive retry, endpoint override, thread-safe creation, call listeners."""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import boto3
from botocore.config import Config

# Observers of every API call (service, operation): the tests use this to prove the policy covers the scan.
call_listeners: list[Callable[[str, str], None]] = []

GLOBAL_REGION = "us-east-1"


def retry_config() -> Config:
    # Adaptive mode backs off on throttling; AWS_MAX_ATTEMPTS (if set) still wins, botocore reads it.
    import os

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
                endpoint = self.endpoint_url or found.meta.endpoint_url
                if service == "s3control" and _is_literal_host(urlsplit(endpoint).hostname or ""):
                    found.meta.events.register("before-send.s3-control.*", _strip_account_prefix(endpoint))
                self._clients[key] = found
            return found
