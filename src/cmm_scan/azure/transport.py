"""Azure REST through azure-core: Resource Manager (and Resource Graph on it) and Microsoft Graph.

One PipelineClient per API with BearerTokenCredentialPolicy; retries are ours (cmm_scan.cloud.http), so
Resource Graph's quota headers slow us down before it throttles. Paging styles: `next_link` (ARM),
`odata_next_link` (Graph), `skip_token` (Resource Graph, in the POST body), `continuation_token` (Azure DevOps:
the `x-ms-continuationtoken` response header, sent back as `continuationToken`), `link_header` (a container
registry's data plane: the `Link: <...>; rel="next"` header, Docker Registry style, `n` the page size).

Azure Container Registry's data plane (api `acr`) is served by each registry at its login server (the request's
`host`). Its token is the registry's own: the Entra token (Container Registry audience) is exchanged once per
registry at `POST /oauth2/exchange` for a refresh token, and that at `POST /oauth2/token` for an access token that
may read the catalog and every repository's metadata. Both exchanges are requests like any other, counted.

Microsoft Graph JSON batching: the first page of every Graph list a scan unit reads is asked for in one
`POST /v1.0/$batch` (up to 20 requests each), before the collectors run; each sub-response (its page, or its
own error, which then fails only the collectors reading it) waits for `pages`, which follows its nextLink as
ordinary requests. Throttled or failed sub-requests are sent again in a smaller batch after their Retry-After.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode, urljoin, urlsplit

from azure.core import PipelineClient
from azure.core.credentials import AccessToken
from azure.core.exceptions import ClientAuthenticationError, ServiceRequestError, ServiceResponseError
from azure.core.pipeline.policies import BearerTokenCredentialPolicy, HeadersPolicy, UserAgentPolicy
from azure.core.rest import HttpRequest

from cmm_scan import __version__
from cmm_scan.cloud.http import RETRY_STATUSES, Backoff, retry_after
from cmm_scan.cloud.transport import CloudError, Prepared
from cmm_scan.errors import UserError

# Resource Manager and Microsoft Graph per cloud (AZURE_CLOUD, as the Azure CLI names them).
CLOUDS = {
    "AzureCloud": ("https://management.azure.com", "https://graph.microsoft.com"),
    "AzureChinaCloud": ("https://management.chinacloudapi.cn", "https://microsoftgraph.chinacloudapi.cn"),
    "AzureUSGovernment": ("https://management.usgovcloudapi.net", "https://graph.microsoft.us"),
}
DENIED_CODES = frozenset(
    {
        "AuthorizationFailed",
        "LinkedAuthorizationFailed",
        "Authorization_RequestDenied",
        "InvalidAuthenticationToken",
        "AuthenticationFailed",
        "Forbidden",
        "SubscriptionNotFound",  # not visible to this identity
    }
)
NOT_ENABLED_CODES = frozenset({"MissingSubscriptionRegistration", "SubscriptionNotRegistered", "FeatureNotEnabled"})
# Azure DevOps (outside Resource Manager): its Entra resource id, asked for by the same credential.
DEVOPS_SCOPE = "499b84ac-1321-427f-aa17-267ca6975798/.default"
DEVOPS = "https://dev.azure.com"
DEVOPS_RELEASE = "https://vsrm.dev.azure.com"  # classic release management is served from its own host
BATCH_SIZE = 20  # the most requests Microsoft Graph takes in one $batch
# Azure Container Registry's data plane: each registry's login server; the emulator serves them all on one host
ACR_ENDPOINT = "https://{registry}"
ACR_SCOPE = "https://containerregistry.azure.net/.default"  # the Entra audience a registry takes in its token exchange
ACR_TOKEN_SCOPE = "registry:catalog:* repository:*:metadata_read"  # list repositories, read their and their tags' attributes


class StaticToken:
    """AZURE_ACCESS_TOKEN (`az account get-access-token`), for pipelines and the emulator."""

    def __init__(self, token: str):
        self._token = token

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken(self._token, int(time.time()) + 3600)


@dataclass(frozen=True)
class Endpoints:
    arm: str
    graph: str
    devops: str = DEVOPS
    devops_release: str = DEVOPS_RELEASE
    acr: str = ACR_ENDPOINT  # a template: {registry} is the login server

    @classmethod
    def from_environment(cls, endpoint_url: str | None = None) -> Endpoints:
        cloud = os.environ.get("AZURE_CLOUD", "AzureCloud")
        if cloud not in CLOUDS:
            raise UserError(f"AZURE_CLOUD={cloud} is not a cloud cmm-scan knows", f"use one of {', '.join(CLOUDS)}")
        arm, graph = CLOUDS[cloud]
        arm = (endpoint_url or os.environ.get("CMM_SCAN_AZURE_ENDPOINT") or arm).rstrip("/")
        graph = (os.environ.get("CMM_SCAN_GRAPH_ENDPOINT") or graph).rstrip("/")
        devops = (os.environ.get("CMM_SCAN_DEVOPS_ENDPOINT") or DEVOPS).rstrip("/")
        release = (os.environ.get("CMM_SCAN_DEVOPS_RELEASE_ENDPOINT") or DEVOPS_RELEASE).rstrip("/")
        acr = (os.environ.get("CMM_SCAN_ACR_ENDPOINT") or ACR_ENDPOINT).rstrip("/")
        named = (
            ("Resource Manager", arm),
            ("Microsoft Graph", graph),
            ("Azure DevOps", devops),
            ("Azure DevOps releases", release),
            ("Container Registry", acr),
        )
        for name, url in named:
            if urlsplit(url).scheme != "https":
                raise UserError(f"the {name} endpoint {url} is not https", "Azure sends bearer tokens over https only")
        if "{registry}" not in acr:
            raise UserError(f"CMM_SCAN_ACR_ENDPOINT={acr} does not name {{registry}}", "each registry is served at its login server")
        return cls(arm, graph, devops, release, acr)


def credential() -> Any:
    token = os.environ.get("AZURE_ACCESS_TOKEN")
    if token:
        return StaticToken(token)
    from azure.identity import DefaultAzureCredential

    return DefaultAzureCredential()


def quota_wait(status: int, headers: Mapping[str, str]) -> float | None:
    """Resource Graph: when the user quota is spent, wait until it resets (x-ms-user-quota-resets-after hh:mm:ss)."""
    if headers.get("x-ms-user-quota-remaining") != "0":
        return None
    h, m, s = (headers.get("x-ms-user-quota-resets-after") or "00:00:01").split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


class AzureTransport:
    def __init__(self, endpoints: Endpoints, cred: Any, backoff: Backoff | None = None):
        self.endpoints = endpoints
        self.backoff = backoff or Backoff(quota=quota_wait, retry_exceptions=(ServiceRequestError, ServiceResponseError))
        self._clients = {
            "arm": self._client(endpoints.arm, cred, "https://management.azure.com/.default"),
            "graph": self._client(endpoints.graph, cred, "https://graph.microsoft.com/.default"),
            "devops": self._client(endpoints.devops, cred, DEVOPS_SCOPE),
            "devops_release": self._client(endpoints.devops_release, cred, DEVOPS_SCOPE),
        }
        # a registry's data plane takes its own token (no credential policy): only the user agent is added
        self._clients["acr"] = PipelineClient(
            base_url=endpoints.acr, policies=[HeadersPolicy(), UserAgentPolicy(user_agent=f"cmm-scan/{__version__}")]
        )
        self._cred = cred
        self._lock = threading.Lock()
        self.sent = 0
        self._prefetched: dict[str, Any] = {}  # repr(Prepared) -> its first page, or the CloudError it answered
        self._acr_tokens: dict[str, Any] = {}  # login server -> its access token, or the CloudError the exchange answered
        self._acr_locks: dict[str, threading.Lock] = {}

    @staticmethod
    def _client(base: str, cred: Any, scope: str) -> PipelineClient:
        policies = [HeadersPolicy(), UserAgentPolicy(user_agent=f"cmm-scan/{__version__}"), BearerTokenCredentialPolicy(cred, scope)]
        return PipelineClient(base_url=base, policies=policies)

    def pages(self, request: Prepared) -> Iterator[Any]:
        client = self._clients[request.api]
        e = self.endpoints
        headers: dict[str, str] = {}
        auth: dict[str, str] = {}
        if request.api == "acr":
            if not request.host:
                raise RuntimeError(f"{request.operation}: a Container Registry request names its registry (`host`)")
            base = e.acr.format(registry=request.host)
            auth["Authorization"] = f"Bearer {self._acr_token(request.host, base, request.operation)}"
        else:
            base = {"arm": e.arm, "graph": e.graph, "devops": e.devops, "devops_release": e.devops_release}[request.api]
        query = _first_query(request)
        body = request.body
        if request.page_size and request.paging == "skip_token":
            body = {**body, "options": {**(body.get("options") or {}), "$top": request.page_size}}
        url = base + request.path
        with self._lock:
            first = self._prefetched.pop(repr(request), None)
        while True:
            if first is not None:  # answered in a batch: its error is this request's, its nextLink followed as usual
                data, first = first, None
                if isinstance(data, CloudError):
                    raise data
            else:
                data = self._send(client, request, url, query, body, headers, auth)
            yield data
            link = None
            if request.paging == "continuation_token":  # Azure DevOps: the next page's token is a response header
                token = headers.pop("x-ms-continuationtoken", None)
                if not token:
                    return
                query = {**query, "continuationToken": token}
                continue
            if request.paging == "link_header":  # a registry's data plane: the next page is a relative Link
                link = _next_link(headers.get("link") or "")
                if link:
                    link = urljoin(base + "/", link)
            elif request.paging == "next_link":
                link = data.get("nextLink")
            elif request.paging == "odata_next_link":
                link = data.get("@odata.nextLink")
            elif request.paging == "skip_token" and (data.get("$skipToken") or data.get("skipToken")):
                token = data.get("$skipToken") or data.get("skipToken")
                body = {**body, "options": {**(body.get("options") or {}), "$skipToken": token}}
                continue
            if not link:
                return
            if urlsplit(link).netloc != urlsplit(base).netloc:  # never send the token to another host
                raise CloudError(None, "UnexpectedNextLink", f"next page on another host: {urlsplit(link).netloc}", request.operation)
            url, query = link, {}

    def _send(
        self,
        client: PipelineClient,
        request: Prepared,
        url: str,
        query: dict[str, Any],
        body: Any,
        headers: dict[str, str] | None = None,
        auth: dict[str, str] | None = None,
    ) -> Any:
        def build() -> HttpRequest:
            return HttpRequest(request.method, url, params=query or None, json=body, headers=auth or None)

        return self._call(client, build, request.operation, headers)

    def _call(self, client: PipelineClient, build: Callable[[], HttpRequest], operation: str, headers: dict[str, str] | None = None) -> Any:
        """Send the request `build()` makes (again on each retry), counted; its JSON, or the error it answered in our
        terms. `headers`, when given, receives the response's headers (lower-cased)."""

        def send() -> Any:
            with self._lock:
                self.sent += 1
            return client.send_request(build())

        try:
            response = self.backoff.run(send)
        except (ServiceRequestError, ServiceResponseError) as exc:
            raise CloudError(None, "ConnectionError", str(exc).splitlines()[0][:200], operation) from None
        try:
            data = response.json() if response.text() else {}
        except ValueError:
            data = {}
        if response.status_code >= 400:
            raise answer_error(response.status_code, data, response.reason or "", operation)
        if headers is not None:
            headers.clear()
            headers.update({k.lower(): v for k, v in response.headers.items()})
        return data

    # --- Azure Container Registry: the registry's own token ------------------------------------

    def _acr_token(self, host: str, base: str, operation: str) -> str:
        """The registry's access token, exchanged once per registry (a refused exchange is remembered too)."""
        with self._lock:
            lock = self._acr_locks.setdefault(host, threading.Lock())
        with lock:
            known = self._acr_tokens.get(host)
            if known is None:
                try:
                    known = self._acr_exchange(host, base, operation)
                except CloudError as exc:
                    known = exc
                self._acr_tokens[host] = known
        if isinstance(known, CloudError):
            raise CloudError(known.status, known.code, known.message, operation)
        return str(known)

    def _acr_exchange(self, host: str, base: str, operation: str) -> str:
        try:
            entra = self._cred.get_token(ACR_SCOPE).token
        except ClientAuthenticationError as exc:  # no token for the registry audience: its data plane is not readable
            raise CloudError(401, "AuthenticationFailed", str(exc).splitlines()[0][:200], operation) from None
        refresh = self._acr_form(
            base + "/oauth2/exchange", {"grant_type": "access_token", "service": host, "access_token": entra}, operation
        )
        form = {"grant_type": "refresh_token", "service": host, "scope": ACR_TOKEN_SCOPE, "refresh_token": refresh.get("refresh_token")}
        access = self._acr_form(base + "/oauth2/token", form, operation)
        if not access.get("access_token"):
            raise CloudError(None, "UNAUTHORIZED", f"{host} gave no access token", operation)
        return str(access["access_token"])

    def _acr_form(self, url: str, form: dict[str, Any], operation: str) -> dict[str, Any]:
        data = self._call(self._clients["acr"], lambda: HttpRequest("POST", url, data=form), operation)
        return data if isinstance(data, dict) else {}

    # --- Microsoft Graph JSON batching ---------------------------------------------------------

    def prefetch(self, requests: list[Prepared]) -> None:
        """Send the first page of every Graph GET among `requests` in batches of 20 (per API version) and keep
        each answer for `pages`. A batch that fails as a whole keeps nothing: each request is then sent alone."""
        by_version: dict[str, list[Prepared]] = {}
        for request in requests:
            version, sep, _ = request.path.lstrip("/").partition("/")
            if request.api == "graph" and request.method == "GET" and request.body is None and sep:
                by_version.setdefault(version, []).append(request)
        for version, batchable in by_version.items():
            for start in range(0, len(batchable), BATCH_SIZE):
                chunk = batchable[start : start + BATCH_SIZE]
                if len(chunk) > 1:  # a batch of one saves nothing
                    self._batch(version, chunk)

    def _batch(self, version: str, chunk: list[Prepared]) -> None:
        pending = {str(n): request for n, request in enumerate(chunk, 1)}
        answers: dict[str, Any] = {}

        def send() -> _BatchRound:
            """One round: the pending requests in one $batch; a throttled or failed one stays pending."""
            body = {"requests": [{"id": n, "method": "GET", "url": _relative(r, version)} for n, r in pending.items()]}
            outer = Prepared(operation="$batch", api="graph", method="POST", path=f"/{version}/$batch", body=body)
            data = self._send(self._clients["graph"], outer, self.endpoints.graph + outer.path, {}, body)
            waits: list[float] = []
            for sub in data.get("responses") or []:
                n = str(sub.get("id"))
                request = pending.get(n)
                if request is None:
                    continue
                status = int(sub.get("status") or 0)
                answers[n] = sub.get("body") if status < 400 else answer_error(status, sub.get("body"), "", request.operation)
                if status not in RETRY_STATUSES:
                    del pending[n]
                elif (wait := retry_after(sub.get("headers") or {})) is not None:
                    waits.append(wait)
            return _BatchRound(429 if pending else 200, {"Retry-After": str(max(waits))} if waits else {})

        try:
            self.backoff.run(send)
        except CloudError:
            return  # the batch itself failed: every request goes alone, as without batching
        for n in pending:  # still throttled after every retry: sent alone later, with its own retries
            answers.pop(n, None)
        with self._lock:
            for n, request in enumerate(chunk, 1):
                if str(n) in answers:
                    self._prefetched[repr(request)] = answers[str(n)]

    def classify(self, error: CloudError) -> tuple[str, str]:
        reason = f"{error.operation}: {error}"[:300] if error.operation else str(error)[:300]
        if error.status in (401, 403) or error.code in DENIED_CODES:
            return "denied", reason
        if error.code in NOT_ENABLED_CODES:
            return "not_enabled", reason
        return "error", reason


@dataclass
class _BatchRound:
    """A batch round as the back-off sees it: throttled while a sub-request is, with the longest Retry-After."""

    status_code: int
    headers: dict[str, str]


def _first_query(request: Prepared) -> dict[str, Any]:
    """The first page's query string: Graph and Azure DevOps take the page size as `$top` there, a registry as `n`."""
    query = dict(request.query)
    if request.page_size and request.paging in ("odata_next_link", "continuation_token"):
        query["$top"] = request.page_size
    if request.page_size and request.paging == "link_header":
        query["n"] = request.page_size
    return query


def _next_link(header: str) -> str | None:
    """The `rel="next"` target of a Link header (`</acr/v1/_catalog?last=b&n=2>; rel="next"`)."""
    for part in header.split(","):
        target, _, params = part.partition(";")
        if 'rel="next"' in params.replace(" ", "") or "rel=next" in params.replace(" ", ""):
            return target.strip().strip("<>")
    return None


def _relative(request: Prepared, version: str) -> str:
    """A batch request's url: relative to the API version, its query string encoded as a direct request's would be."""
    query = _first_query(request)
    path = request.path[len(version) + 1 :]
    return path + ("?" + urlencode(query, quote_via=quote, safe="$") if query else "")


def answer_error(status: int, data: Any, reason: str, operation: str) -> CloudError:
    """An error answer (a whole response's or a batch sub-response's) in our terms."""
    error = data.get("error") if isinstance(data, dict) else None
    errors = data.get("errors") if isinstance(data, dict) else None
    if error is None and isinstance(errors, list) and errors and isinstance(errors[0], dict):
        error = errors[0]  # a container registry's data plane: {"errors": [{"code", "message", "detail"}]}
    error = error if isinstance(error, dict) else {}
    code = str(error.get("code") or status)
    details = error.get("details") or []
    if code == "BadRequest" and details:  # Resource Graph puts the real reason in details
        code = str(details[0].get("code") or code)
        error = details[0]
    return CloudError(status, code, str(error.get("message") or reason or "")[:300], operation)
