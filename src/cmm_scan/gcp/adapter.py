"""The GCP adapter (contract in cmm_scan.collect): resolve the projects, read the Cloud Asset Inventory
once per content type, run the per-service collectors per project, print the custom role."""

from __future__ import annotations

import threading
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from cmm_scan.collect import ScanPlan, Sink
from cmm_scan.gcp import credentials
from cmm_scan.gcp.executor import BILLING_INFO, Run, billing_accounts
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


def plan(opts: Options, fact_types: list[str]) -> ScanPlan:
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
    billing = [spec for spec in chosen if spec.request and spec.scope == "billing_account"]
    if billing:
        inventory_specs.setdefault("RESOURCE", [])
    request_tasks = [
        (spec, project) for spec in chosen if spec.request and spec.scope != "billing_account" for project in _units(spec, state.hierarchy)
    ]
    progress.total = len(inventory_specs) + len(request_tasks)
    resources: dict[str, Any] = {}

    def inventory(content: str) -> None:
        specs = inventory_specs[content]
        types = sorted({t for s in specs for t in s.asset_types} | {j.asset_type for s in specs for j in s.joins})
        if content == "RESOURCE" and billing:
            types = sorted({*types, BILLING_INFO})
        try:
            found = scan.inventory(content, types)
            if content == "RESOURCE":
                resources["inventory"] = found
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
        if billing:
            _billing(scan, billing, resources.get("inventory"), state, pool)


def _billing(scan: Run, specs: list[Collector], found: Any, state: State, pool: ThreadPoolExecutor) -> None:
    """Budgets live on billing accounts: those the scanned projects are charged to, once each."""
    projects = {p.id for p in state.hierarchy.projects}
    failed = {owner: verdict for owner, verdict in (found.failed.items() if found else []) if owner in projects}
    if found is None or failed:
        reason = "; ".join(f"{o}: {v.reason}" for o, v in failed.items()) or "the inventory could not be read"
        for spec in specs:
            scan.coverage(spec, state.hierarchy.organization or "gcp", "denied", f"billing accounts unknown ({BILLING_INFO}): {reason}")
        if found is None:
            return
    accounts = billing_accounts(found, projects)
    jobs = [pool.submit(scan.from_requests, spec, None, account) for spec in specs for account in accounts]
    for job in jobs:
        job.result()


def _units(spec: Collector, hierarchy: Hierarchy) -> list[Any]:
    whole_org = hierarchy.organization is not None and hierarchy.organization in hierarchy.inventory_roots
    if spec.scope == "organization" or (spec.scope == "organization_else_project" and whole_org):
        return [None] if hierarchy.organization else []
    return list(hierarchy.projects)
