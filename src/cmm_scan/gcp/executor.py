"""Run the GCP collector specs: the Cloud Asset Inventory read once per scope and shared, then
per-service REST per project. Generic; a collector's behaviour lives in its YAML spec.

Never guess: a refused inventory or call makes that collector's coverage `denied`/`not_enabled`/
`error` for the projects it could not read (their facts are absent, not zero), and a refused
follow-up call leaves null only the attributes that `require` it.
"""

from __future__ import annotations

import re
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from cmm_scan.aws.executor import plain, search
from cmm_scan.aws.spec import Attribute
from cmm_scan.gcp import transforms
from cmm_scan.gcp.permissions import CONTENT_PERMISSIONS
from cmm_scan.gcp.scopes import Hierarchy, Project
from cmm_scan.gcp.spec import Call, Collector, Request
from cmm_scan.gcp.transport import GoogleApiError, Transport, Verdict, classify
from cmm_scan.models import Coverage, Fact

CAI = "cloudasset.googleapis.com"
BILLING_INFO = "cloudbilling.googleapis.com/ProjectBillingInfo"
PAGE = 1000  # listAssets' most


@dataclass
class Inventory:
    """The assets of one content type, by owner (projectId, or organizations/N / folders/N for their own)."""

    assets: dict[str, dict[str, list[dict[str, Any]]]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(list)))
    failed: dict[str, Verdict] = field(default_factory=dict)  # owner -> why it could not be read
    requests: int = 0


class Run:
    """One scan: the hierarchy, the transport, the chosen collectors, where facts go."""

    def __init__(self, transport: Transport, hierarchy: Hierarchy, collectors: list[Collector], emit: Callable[[Fact | Coverage], None]):
        self.transport, self.hierarchy, self.collectors, self.emit = transport, hierarchy, collectors, emit
        self.by_number = hierarchy.by_number()
        self.project_ids = {p.id for p in hierarchy.projects}
        self._lock = threading.Lock()

    # the bulk inventory ----------------------------------------------------------------
    def inventory(self, content: str, asset_types: list[str]) -> Inventory:
        """One listAssets per scope unit (organisation, else folders, else each project), paged to the end;
        an organisation or folder that refuses falls back to its projects one by one."""
        inv = Inventory()
        units = self._units()
        for unit in units:
            try:
                self._read_unit(unit, content, asset_types, inv)
            except GoogleApiError as exc:
                if unit.startswith("projects/"):
                    inv.failed[self.by_number[unit].id] = classify(exc)
                    continue
                for project in self._projects_under(unit):
                    try:
                        self._read_unit(project.number, content, asset_types, inv)
                    except GoogleApiError as inner:
                        inv.failed[project.id] = classify(inner)
                inv.failed[unit] = classify(exc)
        return inv

    def _units(self) -> list[str]:
        h = self.hierarchy
        return list(h.inventory_roots) or [p.number for p in h.projects]

    def _projects_under(self, unit: str) -> list[Project]:
        return [p for p in self.hierarchy.projects if unit in self.hierarchy.ancestors(p)]

    def _read_unit(self, unit: str, content: str, asset_types: list[str], inv: Inventory) -> None:
        params: dict[str, Any] = {"contentType": content, "assetTypes": asset_types, "pageSize": PAGE}
        before = self.transport.requests
        try:
            for page in self.transport.pages(CAI, f"/v1/{unit}/assets", params):
                for asset in page.get("assets", []):
                    owner = self.owner(asset.get("ancestors") or [])
                    if owner is not None:
                        inv.assets[owner][asset["assetType"]].append(asset)
        finally:
            inv.requests += self.transport.requests - before

    def owner(self, ancestors: list[str]) -> str | None:
        """The project an asset belongs to (its id), or the organisation/folder it is set on; None outside the scan."""
        first = ancestors[0] if ancestors else ""
        if first.startswith("projects/"):
            project = self.by_number.get(first)
            return project.id if project else None
        return first or None

    # one collector -----------------------------------------------------------------------
    def from_inventory(self, spec: Collector, inv: Inventory) -> None:
        owners = [p.id for p in self.hierarchy.projects]
        extra = [o for o in inv.assets if o not in self.project_ids]  # organisation- and folder-level assets
        for owner in owners + extra:
            if owner in inv.failed:
                verdict = inv.failed[owner]
                self.coverage(spec, owner, verdict.status, f"{CONTENT_PERMISSIONS[spec.content]}: {verdict.reason}")
                continue
            by_type = inv.assets.get(owner, {})
            items = _explode(spec, [_as_item(a) for t in spec.asset_types for a in by_type.get(t, [])])
            if spec.by_region:
                items = _by_region(owner, items)
            for join in spec.joins:
                joined: dict[Any, list[dict[str, Any]]] = defaultdict(list)
                pool = (
                    [a for types in inv.assets.values() for a in types.get(join.asset_type, [])]
                    if join.across
                    else by_type.get(join.asset_type, [])
                )
                for candidate in (_as_item(a) for a in pool):
                    joined[_key(search(join.key, candidate))].append(candidate)
                for item in items:
                    item[join.as_] = joined.get(_key(search(join.match, item)), [])
            problems: dict[str, Verdict] = {}
            for item in items:
                failed = self._follow_ups(spec, owner, item, problems)
                if not spec.filter or search(spec.filter, item):  # after derive: a filter may read derived values
                    self.fact(spec, owner, item, failed)
            self._close(spec, owner, problems)
        for unit, verdict in inv.failed.items():
            if unit not in self.project_ids and unit not in inv.assets and not unit.startswith("projects/"):
                # the organisation's own settings could not be read
                self.coverage(spec, unit, verdict.status, f"{CONTENT_PERMISSIONS[spec.content]}: {verdict.reason}")

    def from_requests(self, spec: Collector, project: Project | None, billing_account: str = "") -> None:
        assert spec.request is not None
        owner = billing_account or (project.id if project else (self.hierarchy.organization or ""))
        before = self.transport.requests
        try:
            names = {**self._fill(project), "billing_account": billing_account}
            items = _explode(spec, [_as_item(i) for i in self.items(spec.request, names)])
        except GoogleApiError as exc:
            known = spec.request.errors.get(str(exc.code))
            if known is None and str(exc.code) not in spec.request.errors:
                verdict = classify(exc)
                self.coverage(
                    spec, owner, verdict.status, f"{'/'.join(spec.request.permissions)}: {verdict.reason}", self.transport.requests - before
                )
                return
            items = [_as_item(i) for i in (known or [])]
        problems: dict[str, Verdict] = {}
        for item in items:
            failed = self._follow_ups(spec, owner, item, problems, project)
            if not spec.filter or search(spec.filter, item):
                self.fact(spec, owner, item, failed)
        self._close(spec, owner, problems, self.transport.requests - before)

    def items(self, request: Request, names: dict[str, Any]) -> Iterable[Any]:
        path = _fill_path(request.path, names)
        params = {k: _fill_path(v, names) if isinstance(v, str) else v for k, v in request.params.items()}
        for page in self.transport.pages(request.service, path, params):
            yield from search(request.items, page) or []

    def _follow_ups(
        self, spec: Collector, owner: str, item: dict[str, Any], problems: dict[str, Verdict], project: Project | None = None
    ) -> set[str]:
        failed: set[str] = set()
        for call in spec.calls:
            item[call.into] = self._call(call, item, project or self._project(owner), failed, problems)
        for derive in spec.derive:
            item[derive.into] = _value(derive, item, failed)
            if item[derive.into] is None and set(derive.requires) & failed:
                failed.add(derive.into)
        return failed

    def _call(self, call: Call, item: dict[str, Any], project: Project | None, failed: set[str], problems: dict[str, Verdict]) -> Any:
        if call.when and not search(call.when, item):
            return None
        names = {**self._fill(project), **{k: search(v, item) for k, v in call.args.items()}}
        try:
            if call.paginate:
                return list(self.items(call, names))
            params = {k: _fill_path(v, names) if isinstance(v, str) else v for k, v in call.params.items()}
            return search(call.items, self.transport.get(call.service, _fill_path(call.path, names), params))
        except GoogleApiError as exc:
            if str(exc.code) in call.errors:
                return call.errors[str(exc.code)]
            failed.add(call.into)
            problems.setdefault(call.into, classify(exc))
            return None

    def _project(self, owner: str) -> Project | None:
        return next((p for p in self.hierarchy.projects if p.id == owner), None)

    def _fill(self, project: Project | None) -> dict[str, Any]:
        names: dict[str, Any] = {"organization": self.hierarchy.organization or "", "parent": self.hierarchy.organization or ""}
        if project:
            names.update(project=project.id, project_number=project.number.removeprefix("projects/"), parent=f"projects/{project.id}")
        return names

    # output ---------------------------------------------------------------------------
    def fact(self, spec: Collector, owner: str, item: dict[str, Any], failed: set[str]) -> None:
        attributes = {name: plain(_value(spec.attribute(name), item, failed)) for name in spec.attributes}
        location = search(spec.fact_region, item) if spec.fact_region else None
        fact = Fact(
            type=spec.fact,
            provider="gcp",
            scope=owner,
            region=transforms.region(location),
            resource_id=str(search(spec.resource_id, item)),
            attributes=attributes,
            source=_source(spec),
        )
        with self._lock:
            self.emit(fact)

    def _close(self, spec: Collector, owner: str, problems: dict[str, Verdict], requests: int = 0) -> None:
        """The list was read: `ok`; a refused follow-up is its own coverage record enriching the fact (as AWS does)."""
        self.coverage(spec, owner, "ok", "", requests)
        for into, verdict in sorted(problems.items()):
            self.coverage(spec, owner, verdict.status, verdict.reason, step=into)

    def coverage(self, spec: Collector, owner: str, status: str, reason: str, requests: int = 0, step: str = "") -> None:
        record = Coverage(
            collector=f"{spec.id}/{step}" if step else spec.id,
            provider="gcp",
            scope=owner,
            region="global",
            status=status,  # type: ignore[arg-type]
            fact_types=[] if step else [spec.fact],
            enriches=[spec.fact] if step else spec.enriches,
            facet={} if step else spec.facet,
            reason=reason,
            requests=requests,
        )
        with self._lock:
            self.emit(record)


def _as_item(asset: Any) -> dict[str, Any]:
    """A listed item; an inventory asset also gets `data` (its resource) and `location` at the top."""
    if not isinstance(asset, dict):
        return {"_value": asset}
    item = dict(asset)
    resource = asset.get("resource")
    if isinstance(resource, dict):
        item.setdefault("data", resource.get("data") or {})
        item.setdefault("location", resource.get("location"))
    return item


def _explode(spec: Collector, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not spec.each:
        return items
    return [{**_as_item(sub), "_parent": item} for item in items for sub in (search(spec.each, item) or [])]


def _by_region(owner: str, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    regions: dict[str, set[str]] = defaultdict(set)
    for item in items:
        regions[transforms.region(item.get("location"))].add(str(item.get("assetType")))
    return [{"name": f"{owner}/{r}", "location": r, "asset_types": sorted(t)} for r, t in sorted(regions.items())]


def billing_accounts(inv: Inventory, projects: set[str]) -> list[str]:
    """The billing accounts the scanned projects are charged to (CAI ProjectBillingInfo)."""
    found = set()
    for owner, by_type in inv.assets.items():
        for asset in by_type.get(BILLING_INFO, []):
            name = ((asset.get("resource") or {}).get("data") or {}).get("billingAccountName")
            if owner in projects and name:
                found.add(str(name))
    return sorted(found)


def _key(value: Any) -> Any:
    """Join keys compare within one project: a compute link keeps only its zones/… or regions/… tail, so
    `https://…/projects/app-1/zones/z/instanceGroupManagers/web` meets `projects/1001/zones/z/instanceGroupManagers/web`;
    a sink destination `logging.googleapis.com/projects/…` meets the bucket named `projects/…`."""
    if isinstance(value, str):
        match = re.search(r"/((?:zones|regions)/.+)$", value)
        return match.group(1) if match else re.sub(r"^[a-z]+\.googleapis\.com/", "", value)
    return tuple(value) if isinstance(value, list) else value


def _fill_path(template: str, names: dict[str, Any]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str(names.get(m.group(1), m.group(0))), template)


def _value(attr: Attribute, item: dict[str, Any], failed: set[str]) -> Any:
    if set(attr.requires) & failed:
        return None
    if attr.unknown_if and search(attr.unknown_if, item):
        return None
    value = search(attr.expr, item)
    if attr.transform:
        value = transforms.apply(attr.transform, value)
    return attr.default if value is None else value


def _source(spec: Collector) -> str:
    if spec.asset_types:
        return f"cloudasset.listAssets({spec.content}:{','.join(spec.asset_types)})"
    assert spec.request is not None
    return f"{spec.request.service}{spec.request.path}"
