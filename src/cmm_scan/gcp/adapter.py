"""The GCP adapter (contract in cmm_scan.collect): resolve the projects, run the specs in providers/gcp/ on the
shared REST engine (cmm_scan.cloud) through google-auth, print the custom role.

Scope units (docs/gcp.md):
- `inventory`: where the Cloud Asset Inventory is read whole — the organisation, each folder given, or each
  project (a project subset or a shard). Scopes: its projects (and the organisation, for its own assets);
  `scope_of` maps the assets' owners (projects/NUMBER) to project ids and drops those outside the scan; its
  parts (each project, the organisation alone) are asked when the whole read is refused.
- `hierarchy`: the same reads for policies (ORG_POLICY, IAM_POLICY content), whose scopes add the folders.
- `project`: per-service REST in one project. `project_group`: up to LOG_GROUP projects read in one request
  (Cloud Logging's entries:list), asked project by project when the group is refused.
- `organization_else_project`: the organisation when it is scanned whole (projects inherit its settings), else
  each project.
- `organization`: the organisation when it is scanned whole, sharing its inventory read.
- `billing_account`: each billing account the projects are charged to, found in the inventory once the first
  units have run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from cmm_scan.cloud.executor import Context, Outcome, StepFailed, Unit, UnitRun, emit_coverage
from cmm_scan.cloud.permissions import drawn_keys, selected
from cmm_scan.cloud.runner import run_units
from cmm_scan.cloud.spec import Catalogue, Collector, load_catalogue
from cmm_scan.collect import ScanPlan, Sink
from cmm_scan.gcp import credentials
from cmm_scan.gcp.options import Options
from cmm_scan.gcp.scopes import Hierarchy, Project, resolve
from cmm_scan.models import ScopeInfo
from cmm_scan.paths import bundled

BILLING_INFO = "billing_info"  # the lookup naming each project's billing account
LOG_GROUP = 25  # projects one entries:list names
ACTIVITY_DAYS = 7


@cache
def catalogue() -> Catalogue:
    import cmm_scan.aws.transforms  # (ci_issuer, shared with AWS and OCI)
    import cmm_scan.gcp.transforms  # noqa: F401  (registers the GCP transforms the specs name)

    return load_catalogue("gcp", bundled("providers") / "gcp")


@dataclass
class State:
    options: Options
    transport: Any
    hierarchy: Hierarchy


def plan(opts: Options, fact_types: list[str]) -> ScanPlan:
    from cmm_scan.gcp.transport import GoogleTransport

    transport = GoogleTransport(credentials.load(opts), credentials.endpoint(opts))
    hierarchy = resolve(transport, opts)
    scopes = [ScopeInfo(id=hierarchy.organization, kind="organization")] if hierarchy.organization else []
    scopes += [ScopeInfo(id=p.id, kind="project", name=p.name) for p in hierarchy.projects]
    return ScanPlan(scopes=scopes, regions=["global"], state=State(opts, transport, hierarchy))


def permissions(fact_types: list[str]) -> str:
    from cmm_scan.gcp.permissions import role_yaml

    return role_yaml(fact_types)


# --- scope units ----------------------------------------------------------------------------


def _reading(kind: str, key: str, parent: str, projects: list[Project], own: list[str]) -> Unit:
    """One inventory read at `parent` covering `projects` and the containers in `own` (their own assets)."""
    owners = {p.number: p.id for p in projects} | {o: o for o in own}
    scopes = (*(p.id for p in projects), *own)
    return Unit(kind, f"{kind}:{key}", scopes, vars={"parent": parent}, scope_of=owners)


def inventory_units(h: Hierarchy, kind: str) -> list[Unit]:
    """Organisation, else each folder given, else each project; a whole read that is refused is asked again
    in parts (each project, each container alone), so one refusal never hides the others."""
    found: list[Unit] = []
    covered: set[str] = set()
    for root in h.inventory_roots:
        projects = [p for p in h.projects if root == h.organization or root in h.ancestors(p)]
        containers = [root] if root == h.organization else []
        if kind == "hierarchy":
            containers += [f for f in h.folders if f == root or root == h.organization or root in _chain(h, f)]
            containers += [root] if root not in containers else []
        parts = [_reading(kind, p.number, p.number, [p], []) for p in projects]
        parts += [_reading(kind, f"{c}:own", c, [], [c]) for c in containers]
        whole = _reading(kind, root, root, projects, containers)
        found.append(Unit(whole.kind, whole.key, whole.scopes, vars=whole.vars, scope_of=whole.scope_of, parts=tuple(parts)))
        covered |= {p.id for p in projects}
    found += [_reading(kind, p.number, p.number, [p], []) for p in h.projects if p.id not in covered]
    return found


def _chain(h: Hierarchy, folder: str) -> list[str]:
    chain, parent = [], h.folders.get(folder, "")
    while parent and parent not in chain:
        chain.append(parent)
        parent = h.folders.get(parent, "")
    return chain


def _whole_organization(h: Hierarchy) -> bool:
    return h.organization is not None and h.organization in h.inventory_roots


def units(h: Hierarchy, now: datetime | None = None) -> list[Unit]:
    found = inventory_units(h, "inventory") + inventory_units(h, "hierarchy")
    found += [Unit("project", f"project:{p.id}", (p.id,), vars=_project_vars(p)) for p in h.projects]
    since = ((now or datetime.now(UTC)) - timedelta(days=ACTIVITY_DAYS)).strftime("%Y-%m-%dT%H:%M:%SZ")
    for start in range(0, len(h.projects), LOG_GROUP):
        group = h.projects[start : start + LOG_GROUP]
        parts = tuple(_log_group([p], since) for p in group) if len(group) > 1 else ()
        whole = _log_group(group, since)
        found.append(Unit(whole.kind, whole.key, whole.scopes, vars=whole.vars, parts=parts))
    if _whole_organization(h):
        org = str(h.organization)
        found.append(Unit("organization_else_project", f"organization:{org}", (org,), vars={"parent": org}))
        # the same key as the organisation's inventory unit: its inventory read is shared, not repeated
        found.append(Unit("organization", f"inventory:{org}", (org,), vars={"parent": org}))
    else:
        found += [Unit("organization_else_project", f"project:{p.id}", (p.id,), vars=_project_vars(p)) for p in h.projects]
    return found


def _log_group(projects: list[Project], since: str) -> Unit:
    names = [f"projects/{p.id}" for p in projects]
    return Unit(
        "project_group", "logs:" + ",".join(names), tuple(p.id for p in projects), vars={"resource_names": names, "window_start": since}
    )


def _project_vars(project: Project) -> dict[str, str]:
    return {"project": project.id, "project_number": project.number.removeprefix("projects/"), "parent": f"projects/{project.id}"}


# --- the scan ---------------------------------------------------------------------------------


def run(plan: ScanPlan, fact_types: list[str], sink: Sink, progress: Any) -> None:
    state: State = plan.state
    cat = catalogue()
    chosen = selected(fact_types, cat)
    billing = [spec for spec in chosen if spec.scope == "billing_account"]
    context = Context(catalogue=cat, transport=state.transport, emit=sink)
    context.drawn = drawn_keys(cat, chosen, [BILLING_INFO] if billing else [])
    refused = [(r, chosen) for r in state.hierarchy.refused]  # asked for, not readable: unknown there
    refused += [(r, [s for s in chosen if s.scope == "hierarchy"]) for r in state.hierarchy.policies_refused]
    for (scope, status, reason), specs in refused:
        for spec in specs:
            emit_coverage(spec, context, Unit(spec.scope, f"refused:{scope}", (scope,)), Outcome(status=status, reason=reason))
    found = units(state.hierarchy)
    run_units(context, found, [s for s in chosen if s not in billing], workers=state.options.workers, progress=progress)
    if billing:
        accounts = billing_accounts(context, [u for u in found if u.kind == "inventory"], billing)
        run_units(context, accounts, billing, workers=state.options.workers)


def billing_accounts(context: Context, inventory: list[Unit], specs: list[Collector]) -> list[Unit]:
    """The billing accounts the scanned projects are charged to, once each (the inventory is read already when
    another collector drew from it). A project whose billing info cannot be read leaves budgets unknown there."""
    names: set[str] = set()
    for unit in inventory:
        for part in _readable(context, unit, specs):
            for item in UnitRun(context, part).lookup(BILLING_INFO):
                name = (item.get("data") or {}).get("billingAccountName")
                if name and part.scope_of and part.scope_of.get((item.get("ancestors") or [""])[0]):
                    names.add(str(name))
    return [Unit("billing_account", f"billing:{n}", (n,), vars={"billing_account": n}) for n in sorted(names)]


def _readable(context: Context, unit: Unit, specs: list[Collector]) -> list[Unit]:
    """The unit if its inventory can be read, else those of its parts that can; the others are recorded."""
    try:
        UnitRun(context, unit).lookup(BILLING_INFO)
        return [unit]
    except StepFailed as exc:
        if not unit.parts:
            _unknown(context, unit, specs, exc)
            return []
    readable = []
    for part in unit.parts:
        try:
            UnitRun(context, part).lookup(BILLING_INFO)
            readable.append(part)
        except StepFailed as exc:
            _unknown(context, part, specs, exc)
    return readable


def _unknown(context: Context, unit: Unit, specs: list[Collector], exc: StepFailed) -> None:
    why = Outcome(status=exc.status, reason=f"billing accounts unknown (project billing info): {exc.reason}")
    for spec in specs:
        emit_coverage(spec, context, unit, why)
