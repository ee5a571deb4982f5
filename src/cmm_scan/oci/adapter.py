"""The OCI adapter (contract in cmm_scan.collect): credentials, regions, the compartment tree; then the specs.

Options (`cmm_scan.oci.options.Options`): tenancy, compartments_include/compartments_exclude (ids or
names; a compartment brings its sub-compartments), config_file, oci_profile, auth, regions,
endpoint_url, workers, shard. Environment, where an option is not given: OCI_CONFIG_FILE, OCI_CLI_PROFILE, CMM_SCAN_OCI_AUTH,
CMM_SCAN_OCI_ENDPOINT (a template with {region}, e.g. the emulator's http://127.0.0.1:PORT/{region}).
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from cmm_scan.collect import ScanPlan, Sink
from cmm_scan.errors import UserError
from cmm_scan.models import Coverage, Fact, ScopeInfo
from cmm_scan.oci.options import Options
from cmm_scan.oci.permissions import selected, statements
from cmm_scan.oci.spec import HOME_FANOUTS, Collector, catalogue

IDENTITY_CALLS = "inspect compartments and inspect tenancies in tenancy (`cmm-scan permissions oci`)"


@dataclass
class State:
    tenancy: Any  # executor.Tenancy without emit
    workers: int


def _option(options: Options, name: str, env: str | None = None) -> Any:
    value = getattr(options, name, None)
    return value if value not in (None, "", []) else (os.environ.get(env) if env else None)


def plan(options: Options, fact_types: list[str]) -> ScanPlan:
    from cmm_scan.oci.auth import identity
    from cmm_scan.oci.executor import Tenancy
    from cmm_scan.oci.transport import OciError, Transport, classify

    auth = _option(options, "auth", "CMM_SCAN_OCI_AUTH") or "config"
    who = identity(auth, _option(options, "config_file"), _option(options, "oci_profile"))
    endpoint = _option(options, "endpoint_url", "CMM_SCAN_OCI_ENDPOINT")
    transport = Transport(who.signer, endpoint=endpoint)
    tenancy = _option(options, "tenancy") or who.tenancy
    start = who.region or "uk-london-1"

    def read(path: str, params: dict[str, Any] | None = None) -> list[Any]:
        try:
            return [x for page in transport.pages("identity", start, path, params) for x in page]
        except OciError as exc:
            reason = classify(exc)[1]
            if exc.status == 0:
                raise UserError(f"cannot reach OCI identity in {start}: {exc.message}", "check the network or --endpoint-url") from None
            raise UserError(f"cannot read the tenancy {tenancy}: {reason}", f"the scan needs {IDENTITY_CALLS}") from None

    subscribed = read(f"/tenancies/{tenancy}/regionSubscriptions")
    home = next((r["regionName"] for r in subscribed if r.get("isHomeRegion")), start)
    ready = [r["regionName"] for r in subscribed if r.get("status", "READY") == "READY"]
    regions = _regions(_option(options, "regions"), ready)
    tree = {"compartmentId": tenancy, "compartmentIdInSubtree": True, "lifecycleState": "ACTIVE"}
    everything = [c for c in read("/compartments", {**tree, "accessLevel": "ANY"}) if c.get("lifecycleState", "ACTIVE") == "ACTIVE"]
    readable_ids = {c["id"] for c in read("/compartments", {**tree, "accessLevel": "ACCESSIBLE"})}
    include, exclude = _compartment_filter(options)
    chosen = _choose(everything, tenancy, include, exclude)
    root = {"id": tenancy, "name": "(root)", "compartmentId": None}
    include_root = not include  # naming compartments leaves the root's own resources out
    shard = options.shard
    if shard:  # --shard i/n splits the compartments (the root goes with its own shard), the same on every machine
        from cmm_scan.collect import in_shard

        chosen = [c for c in chosen if in_shard(c["id"], shard)]
        include_root = include_root and in_shard(tenancy, shard)
    readable = ([root] if include_root else []) + [c for c in chosen if c["id"] in readable_ids]
    denied = [c for c in chosen if c["id"] not in readable_ids]
    state = Tenancy(
        transport=transport,
        tenancy=tenancy,
        home_region=home,
        regions=regions,
        subscribed=ready,
        compartments=readable,
        denied=denied,
        catalogue=catalogue(),
        emit=lambda record: None,
    )
    scopes = [ScopeInfo(id=tenancy, kind="tenancy")] + [ScopeInfo(id=c["id"], kind="compartment", name=c.get("name", "")) for c in chosen]
    return ScanPlan(scopes=scopes, regions=regions, state=State(state, options.workers))


def _regions(asked: Any, ready: list[str]) -> list[str]:
    if not asked:
        return ready
    wanted = [r.strip() for r in (asked.split(",") if isinstance(asked, str) else asked) if r.strip()]
    unknown = [r for r in wanted if r not in ready]
    if unknown:
        raise UserError(f"--regions {','.join(unknown)}: not subscribed by this tenancy", f"subscribed: {', '.join(ready)}")
    return wanted


def _compartment_filter(options: Options) -> tuple[list[str], list[str]]:
    return list(options.compartments_include), list(options.compartments_exclude)


def _choose(compartments: list[dict[str, Any]], tenancy: str, include: list[str], exclude: list[str]) -> list[dict[str, Any]]:
    """--compartments a,b,!c: ids or names; a named compartment brings its whole subtree."""
    by_key = {c["id"]: c for c in compartments} | {c.get("name"): c for c in compartments}
    unknown = [k for k in include + exclude if k not in by_key]
    if unknown:
        raise UserError(f"--compartments {','.join(unknown)}: no such compartment in the tenancy", "give compartment OCIDs or names")
    parent = {c["id"]: c.get("compartmentId") for c in compartments}

    def under(cid: str, roots: set[str]) -> bool:
        seen = cid
        while seen and seen != tenancy:
            if seen in roots:
                return True
            seen = parent.get(seen)
        return False

    included = {by_key[k]["id"] for k in include}
    excluded = {by_key[k]["id"] for k in exclude}
    return [c for c in compartments if (not included or under(c["id"], included)) and not under(c["id"], excluded)]


def permissions(fact_types: list[str]) -> str:
    return "\n".join(statements(fact_types))


def run(plan: ScanPlan, fact_types: list[str], sink: Sink, progress: Any) -> None:
    from cmm_scan.oci.executor import run_collector

    state: State = plan.state
    lock = threading.Lock()

    def safe_sink(record: Fact | Coverage) -> None:
        with lock:
            sink(record)

    tenancy = state.tenancy
    tenancy.emit = safe_sink
    chosen = selected(fact_types, tenancy.catalogue)
    tasks = [(spec, region) for spec in chosen for region in _regions_of(spec, tenancy)]
    progress.total = len(tasks)

    def task(item: tuple[Collector, str]) -> None:
        spec, region = item
        try:
            run_collector(tenancy, spec, region)
        except Exception as exc:  # a bug in one collector must not stop the others; it is reported, not hidden
            safe_sink(
                Coverage(
                    collector=spec.id,
                    provider="oci",
                    scope=tenancy.tenancy,
                    region=region,
                    status="error",
                    fact_types=[spec.fact],
                    reason=f"internal error: {type(exc).__name__}: {exc}",
                )
            )
        finally:
            with lock:
                progress.advance(1, f"{region} {spec.id}")

    with ThreadPoolExecutor(max_workers=state.workers, thread_name_prefix="cmm-oci") as pool:
        list(pool.map(task, tasks))


def _regions_of(spec: Collector, tenancy: Any) -> list[str]:
    once = spec.fanout in HOME_FANOUTS or spec.handler  # a handler covers every region itself
    if spec.fanout in ("tenancy", "tenancy_home") and tenancy.tenancy not in {c["id"] for c in tenancy.compartments}:
        return []  # the root compartment is not scanned here (--compartments names others, or another shard has it)
    return [tenancy.home_region] if once else list(tenancy.regions)
