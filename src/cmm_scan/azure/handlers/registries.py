"""Container registries' repositories, read on each registry's data plane (its login server).

Azure Container Registry has no registry-wide tag immutability: a repository, or each of its tags, is locked
(`changeableAttributes.writeEnabled: false`). So a repository's tags cannot be overwritten when the repository
refuses writes, or when it has tags and every one of them does. Per registry: the catalog (paged); per
repository: its attributes, and its tags (paged) only when the repository itself is writable.

`shared_pull` (one store serving several environments): a container app or web app of another subscription runs
an image of the repository (`{login server}/{repository}:tag` or `@digest`). Pulls by AKS clusters are not in
configuration, so false means none seen, and it only ever shows level 3, never rules a level out.

A registry whose data plane refuses us (no data-plane role, network rules) or cannot be reached still yields one
fact, the registry's own, with what Resource Manager says (retention, scanning) and `tag_immutable` unknown: its
repositories cannot be counted, so they stay unread, never "mutable". The refusal goes to coverage.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from cmm_scan.cloud.executor import FactOut, StepFailed, UnitRun, _collect, value_of
from cmm_scan.cloud.jmes import search
from cmm_scan.cloud.spec import Collector
from cmm_scan.cloud.transport import CloudError

CATALOG = "Microsoft.ContainerRegistry/registries/catalog/read"
REPOSITORY = "Microsoft.ContainerRegistry/registries/repositories/metadata/read"
TAGS = "Microsoft.ContainerRegistry/registries/repositories/tags/list"


def repositories(run: UnitRun, spec: Collector) -> Iterator[FactOut]:
    registries = run.lookup("registries")
    unread: set[str] = set()
    if not registries:
        return  # no registry: nothing to join Defender's scanning to
    try:
        scanning = run.lookup("registry_scanning")
    except StepFailed as exc:  # Defender's pricings unreadable: scanning unknown, the rest still read
        scanning = []
        unread.add("_scanning")
        _problem(run, "join:registry_scanning", exc.status, exc.reason, None)
    scanned = {str(row.get("subscriptionId") or "").lower() for row in scanning}
    try:
        pullers = _pullers(run.lookup("registry_pullers"))
    except StepFailed as exc:  # workloads unreadable: who pulls is unknown
        pullers = {}
        unread.add("_pulled_elsewhere")
        _problem(run, "join:registry_pullers", exc.status, exc.reason, None)
    for registry in registries:
        own = str(registry.get("subscriptionId") or "").lower()
        server = str((registry.get("properties") or {}).get("loginServer") or "").lower()
        elsewhere = {repo: sorted(subs - {own}) for (host, repo), subs in pullers.items() if host == server and subs - {own}}
        # the registry's own fact (its data plane unread) is shared when any of its images runs elsewhere
        base = {
            **registry,
            "_scanning": [s for s in sorted(scanned) if s == own],
            "_pulled_elsewhere": sorted({s for v in elsewhere.values() for s in v}),
        }
        scope = str(registry.get("subscriptionId") or "")
        if not server:  # no data plane to ask (Resource Manager gave no login server): its repositories stay unread
            _problem(run, CATALOG, "error", f"{registry.get('name')}: Resource Manager gives no login server", scope)
            yield _fact(spec, run, base, unread | {"_repository"})
            continue
        try:
            names = run.items(spec.request(CATALOG), {"_parent": registry})
        except CloudError as exc:
            status, reason = run.classify(exc)
            _problem(run, CATALOG, status, reason, scope)
            yield _fact(spec, run, base, unread | {"_repository"})
            continue
        workers = max(1, min(run.context.call_workers, len(names)))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="cmm-acr") as pool:
            read = list(pool.map(_repository, *zip(*[(run, spec, registry, str(name)) for name in names], strict=True))) if names else []
        for name, (attributes, tags, failed) in zip(names, read, strict=True):
            for step, status, reason in failed:
                _problem(run, step, status, reason, scope)
            item = {
                **base,
                "_name": str(name),
                "_repository": attributes,
                "_tags": tags,
                "_pulled_elsewhere": elsewhere.get(str(name).lower(), []),
            }
            yield _fact(spec, run, item, unread | {"_repository" if s == REPOSITORY else "_tags" for s, _, _ in failed})


def _pullers(workloads: list[dict[str, Any]]) -> dict[tuple[str, str], set[str]]:
    """(login server, repository) -> the subscriptions whose container apps or web apps run its images."""
    found: dict[tuple[str, str], set[str]] = {}
    for workload in workloads:
        props = workload.get("properties") or {}
        template = props.get("template") or {}
        containers = [*(template.get("containers") or []), *(template.get("initContainers") or [])]
        images = [str(c.get("image") or "") for c in containers if isinstance(c, dict)]
        site = str((props.get("siteConfig") or {}).get("linuxFxVersion") or "")
        if site.upper().startswith("DOCKER|"):  # a web app for containers: DOCKER|server/repository:tag
            images.append(site.split("|", 1)[1])
        for image in images:
            host, _, rest = image.partition("/")
            repository = rest.split("@", 1)[0].rsplit(":", 1)[0] if "." in host and rest else ""
            if repository:
                found.setdefault((host.lower(), repository.lower()), set()).add(str(workload.get("subscriptionId") or "").lower())
    return found


def _repository(run: UnitRun, spec: Collector, registry: dict[str, Any], name: str) -> tuple[Any, Any, list[tuple[str, str, str]]]:
    """A repository's attributes, and its tags when the repository itself takes writes; the steps that failed."""
    item = {"_parent": registry, "_value": name}
    try:
        attributes = next(iter(run.pages(spec.request(REPOSITORY), item)), None)
    except CloudError as exc:
        return None, None, [(REPOSITORY, *run.classify(exc))]
    if search("changeableAttributes.writeEnabled", attributes or {}) is False:
        return attributes, None, []  # locked as a whole: its tags' own locks change nothing
    request = spec.request(TAGS)
    try:
        tags = _collect(run.pages(request, item), request.items)
    except CloudError as exc:
        return attributes, None, [(TAGS, *run.classify(exc))]
    return attributes, tags, []


def _problem(run: UnitRun, step: str, status: str, reason: str, scope: str | None) -> None:
    if run.outcome is not None:
        run.outcome.problem(step, status, reason, scope if scope in run.unit.scopes and len(run.unit.scopes) > 1 else None)


def _fact(spec: Collector, run: UnitRun, item: dict[str, Any], failed: set[str]) -> FactOut:
    attributes = {name: value_of(spec.attribute(name), item, failed) for name in spec.attributes}
    region = search(spec.fact_region, item) if spec.fact_region else None
    return FactOut(resource_id=str(search(spec.resource_id, item)), attributes=attributes, region=region, scope=run.fact_scope(spec, item))
