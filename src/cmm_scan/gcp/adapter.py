"""The GCP adapter (contract in cmm_scan.collect): resolve the projects, read the Cloud Asset Inventory
once per content type, run the per-service collectors per project, print the custom role."""

from __future__ import annotations

import threading
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from cmm_scan.collect import CollectOptions, ScanPlan, Sink
from cmm_scan.gcp import credentials
from cmm_scan.gcp.executor import Run
from cmm_scan.gcp.options import Options
from cmm_scan.gcp.permissions import role_yaml
from cmm_scan.gcp.scopes import Hierarchy, resolve
from cmm_scan.gcp.spec import Collector, catalogue, selected
from cmm_scan.gcp.transport import Transport
from cmm_scan.models import Coverage, Fact, ScopeInfo


@dataclass
class State:
    options: Options
    transport: Transport
    hierarchy: Hierarchy


def options_of(options: CollectOptions) -> Options:
    return Options.parse(
        **options.provider_options,
        endpoint_url=options.endpoint_url,
        workers=options.workers,
        shard=options.shard,
    )


def plan(options: CollectOptions, fact_types: list[str]) -> ScanPlan:
    opts = options_of(options)
    transport = Transport(credentials.load(opts), credentials.endpoint(opts))
    hierarchy = resolve(transport, opts)
    scopes = [ScopeInfo(id=hierarchy.organization, kind="organization")] if hierarchy.organization else []
    scopes += [ScopeInfo(id=p.id, kind="project", name=p.name) for p in hierarchy.projects]
    return ScanPlan(scopes=scopes, regions=["global"], state=State(opts, transport, hierarchy))


def permissions(fact_types: list[str]) -> str:
    return role_yaml(fact_types)


def run(plan: ScanPlan, fact_types: list[str], sink: Sink, progress: Any) -> None:
    state: State = plan.state
    chosen = selected(fact_types, catalogue())
    lock = threading.Lock()

    def safe_sink(record: Fact | Coverage) -> None:
        with lock:
            sink(record)

    scan = Run(state.transport, state.hierarchy, chosen, safe_sink)
    for scope, status, reason in state.hierarchy.refused:
        for spec in chosen:
            scan.coverage(spec, scope, status, reason)
    inventory_specs: dict[str, list[Collector]] = defaultdict(list)
    for spec in chosen:
        if spec.asset_types:
            inventory_specs[spec.content].append(spec)
    request_tasks = [(spec, project) for spec in chosen if spec.request for project in _units(spec, state.hierarchy)]
    progress.total = len(inventory_specs) + len(request_tasks)

    def inventory(content: str) -> None:
        specs = inventory_specs[content]
        types = sorted({t for s in specs for t in s.asset_types} | {j.asset_type for s in specs for j in s.joins})
        try:
            found = scan.inventory(content, types)
            for spec in specs:
                scan.from_inventory(spec, found)
        except Exception as exc:  # a bug must not stop the others; it is reported, not hidden
            for spec in specs:
                scan.coverage(spec, state.hierarchy.organization or "gcp", "error", f"internal error: {type(exc).__name__}: {exc}")
        finally:
            with lock:
                progress.advance(1, f"inventory {content}")

    def request(task: tuple[Collector, Any]) -> None:
        spec, project = task
        try:
            scan.from_requests(spec, project)
        except Exception as exc:
            owner = project.id if project else state.hierarchy.organization or "gcp"
            scan.coverage(spec, owner, "error", f"internal error: {type(exc).__name__}: {exc}")
        finally:
            with lock:
                progress.advance(1, f"{project.id if project else 'organization'} {spec.id}")

    with ThreadPoolExecutor(max_workers=state.options.workers, thread_name_prefix="cmm-gcp") as pool:
        jobs = [pool.submit(inventory, content) for content in inventory_specs]
        jobs += [pool.submit(request, task) for task in request_tasks]
        for job in jobs:
            job.result()


def _units(spec: Collector, hierarchy: Hierarchy) -> list[Any]:
    if spec.scope == "organization":
        return [None] if hierarchy.organization else []
    return list(hierarchy.projects)
