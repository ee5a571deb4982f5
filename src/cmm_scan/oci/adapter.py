"""The OCI adapter (contract in cmm_scan.collect): credentials, regions, the compartment tree; then the specs in
providers/oci/ on the shared REST engine (cmm_scan.cloud, docs/cloud-collectors.md).

Options (`cmm_scan.oci.options.Options`): tenancy, compartments_include/compartments_exclude (ids or
names; a compartment brings its sub-compartments), config_file, oci_profile, auth, regions,
endpoint_url, workers, shard. Environment, where an option is not given: OCI_CONFIG_FILE, OCI_CLI_PROFILE, CMM_SCAN_OCI_AUTH,
CMM_SCAN_OCI_ENDPOINT (a template with {region}, e.g. the emulator's http://127.0.0.1:PORT/{region}).

Scope units (docs/oci.md): `region` (each scanned region: lists per compartment, guided by that region's Resource
Search), `tenancy` (the root compartment's own reads, once, in the home region: facts are `global`; only when the
root is scanned), `home` (once, in the home region, whatever the compartments). Unit variables: {tenancy},
{region} (the region requests go to), {compartments} (the readable compartments scanned), {scanned} (their ids),
{subtree_roots} (where a `compartmentIdInSubtree` list starts: the root, or each scanned compartment),
{namespace} (read when a request first names it), {window_start}, {now}.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cmm_scan.cloud.executor import Context, Outcome, StepFailed, Unit, UnitRun, emit_coverage
from cmm_scan.cloud.permissions import selected
from cmm_scan.cloud.runner import run_units
from cmm_scan.cloud.transport import CloudError
from cmm_scan.collect import ScanPlan, Sink
from cmm_scan.errors import UserError
from cmm_scan.models import ScopeInfo
from cmm_scan.oci.options import Options
from cmm_scan.oci.permissions import PLAN_REQUESTS, catalogue, statements

IDENTITY_CALLS = "inspect compartments and inspect tenancies in tenancy (`cmm-scan permissions oci`)"
ACTIVITY_DAYS = 7  # Audit events examined for who makes changes
CALL_WORKERS = 4  # per-item follow-up reads of one call in flight at once (no bulk read exists for them)
# the unit kinds whose collectors list the compartment tree: a denied compartment leaves them unknown there
TREE_KINDS = frozenset({"region"})


@dataclass
class State:
    transport: Any
    tenancy: str
    home_region: str
    regions: list[str]  # scanned
    subscribed: list[str]
    compartments: list[dict[str, Any]]  # readable, the root included when scanned (id, name, compartmentId)
    denied: list[dict[str, Any]]  # listed by accessLevel=ANY only
    root_scanned: bool
    workers: int


def _option(options: Options, name: str, env: str | None = None) -> Any:
    value = getattr(options, name, None)
    return value if value not in (None, "", []) else (os.environ.get(env) if env else None)


def plan(options: Options, fact_types: list[str]) -> ScanPlan:
    from cmm_scan.oci.auth import identity
    from cmm_scan.oci.transport import OciTransport

    auth = _option(options, "auth", "CMM_SCAN_OCI_AUTH") or "config"
    who = identity(auth, _option(options, "config_file"), _option(options, "oci_profile"))
    endpoint = _option(options, "endpoint_url", "CMM_SCAN_OCI_ENDPOINT")
    transport = OciTransport(who.signer, endpoint=endpoint)
    tenancy = _option(options, "tenancy") or who.tenancy
    start = who.region or "uk-london-1"
    context = Context(catalogue=catalogue(), transport=transport, emit=lambda _: None)

    def read(name: str, **values: Any) -> list[Any]:
        run = UnitRun(context, Unit("plan", "plan", (tenancy,), vars={"tenancy": tenancy, "region": start, **values}))
        try:
            return run.items(PLAN_REQUESTS[name])
        except CloudError as exc:
            reason = transport.classify(exc)[1]
            if exc.status is None:
                raise UserError(f"cannot reach OCI identity in {start}: {exc.message}", "check the network or --endpoint-url") from None
            raise UserError(f"cannot read the tenancy {tenancy}: {reason}", f"the scan needs {IDENTITY_CALLS}") from None

    subscribed = read("regions")
    home = next((r["regionName"] for r in subscribed if r.get("isHomeRegion")), start)
    # enums compared in any case; a subscription or compartment written without its state is not left out
    ready = [r["regionName"] for r in subscribed if str(r.get("status") or "READY").upper() == "READY"]
    regions = _regions(_option(options, "regions"), ready)
    everything = [c for c in read("compartments", access="ANY") if str(c.get("lifecycleState") or "ACTIVE").upper() == "ACTIVE"]
    readable_ids = {c["id"] for c in read("compartments", access="ACCESSIBLE")}
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
    state = State(
        transport=transport,
        tenancy=tenancy,
        home_region=home,
        regions=regions,
        subscribed=ready,
        compartments=[{"id": c["id"], "name": c.get("name", ""), "compartmentId": c.get("compartmentId")} for c in readable],
        denied=denied,
        root_scanned=include_root,
        workers=options.workers,
    )
    scopes = [ScopeInfo(id=tenancy, kind="tenancy")] + [ScopeInfo(id=c["id"], kind="compartment", name=c.get("name", "")) for c in chosen]
    return ScanPlan(scopes=scopes, regions=regions, state=state)


def units(state: State, context: Context) -> list[Unit]:
    now = datetime.now(UTC).replace(microsecond=0)
    common: dict[str, Any] = {
        "tenancy": state.tenancy,
        "compartments": state.compartments,
        "scanned": [c["id"] for c in state.compartments],
        # where a list with `compartmentIdInSubtree` starts: the root alone when it is scanned (the flag is valid only
        # there), else each scanned compartment on its own
        "subtree_roots": [{"id": state.tenancy, "subtree": "true"}]
        if state.root_scanned
        else [{"id": c["id"], "subtree": "false"} for c in state.compartments],
        "now": now.isoformat().replace("+00:00", "Z"),
        "window_start": (now - timedelta(days=ACTIVITY_DAYS)).isoformat().replace("+00:00", "Z"),
    }
    common["namespace"] = lambda: context.memo.get("namespace", lambda: _namespace(state, context))
    scopes = (state.tenancy,)
    by_region = {
        r: Unit("region", f"region:{r}", scopes, region=r, vars={**common, "region": r, "here": [{"id": r}]}) for r in state.regions
    }
    home = {**common, "region": state.home_region, "regions": list(state.regions)}
    found = [*by_region.values(), Unit("home", "home", scopes, vars={**home, "region_units": by_region, "subscribed": state.subscribed})]
    if state.root_scanned:
        found.append(Unit("tenancy", "tenancy", scopes, vars=home))
    return found


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


def _namespace(state: State, context: Context) -> str:
    """The tenancy's Object Storage namespace (GetNamespace, home region): every bucket path names it."""
    run = UnitRun(context, Unit("plan", "plan", (state.tenancy,), vars={"region": state.home_region}))
    try:
        return str(next(iter(run.pages(PLAN_REQUESTS["namespace"]))))
    except CloudError as exc:
        raise StepFailed(*state.transport.classify(exc)) from None


def run(plan: ScanPlan, fact_types: list[str], sink: Sink, progress: Any) -> None:
    state: State = plan.state
    cat = catalogue()
    chosen = selected(fact_types, cat)
    context = Context(catalogue=cat, transport=state.transport, emit=sink, call_workers=CALL_WORKERS)
    every = units(state, context)
    for compartment in state.denied:  # every list in it is refused: unknown there, never "none"
        why = Outcome(
            status="denied",
            reason=f"compartment {compartment.get('name') or compartment['id']} is not readable (listed by accessLevel=ANY only)",
        )
        for unit in every:
            if unit.kind in TREE_KINDS:
                place = Unit(unit.kind, f"{unit.key}:{compartment['id']}", (compartment["id"],), region=unit.region)
                for spec in chosen:
                    if spec.scope == unit.kind:
                        emit_coverage(spec, context, place, why)
    run_units(context, every, chosen, workers=state.workers, progress=progress)
