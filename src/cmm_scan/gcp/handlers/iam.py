"""People in IAM policies: one identity.user fact per `user:` member and scope (organisation, folder or project)
where it is bound, over the roles bound to it there, from the IAM policies a collector draws; the spec's joins
and derived values (the person in the organisation's directory) are added as for any listed item."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from cmm_scan.cloud.executor import FactOut, Outcome, UnitRun, enrich, value_of
from cmm_scan.cloud.spec import Collector


def _bound_roles(run: UnitRun, spec: Collector, wanted: Callable[[str], bool]) -> list[tuple[tuple[str, str], set[str]]]:
    """(scope, member) -> the roles bound to it there, for each member `wanted` keeps, over the IAM policies the
    collector draws, sorted."""
    assert spec.draw, f"{spec.id} reads the IAM policies it draws"
    roles: dict[tuple[str, str], set[str]] = {}
    for policy in run.draw(spec.draw):
        scope = run.fact_scope(spec, policy)
        if scope is None:
            continue
        for binding in (policy.get("iamPolicy") or {}).get("bindings") or []:
            for member in binding.get("members") or []:
                if isinstance(member, str) and wanted(member):
                    roles.setdefault((scope, member), set()).add(str(binding.get("role")))
    return sorted(roles.items())


def _facts(run: UnitRun, spec: Collector, found: list[tuple[tuple[str, str], set[str]]], items: list[dict[str, Any]]) -> Iterator[FactOut]:
    # a join that cannot be read leaves its attributes unknown and is recorded in the collector's coverage
    failed = enrich(spec, run, items, run.outcome or Outcome())
    for i, ((scope, member), _) in enumerate(found):
        yield FactOut(
            resource_id=f"{scope}/{member}",
            attributes={name: value_of(spec.attribute(name), items[i], failed[i]) for name in spec.attributes},
            scope=scope,
        )


def members(run: UnitRun, spec: Collector) -> Iterator[FactOut]:
    found = _bound_roles(run, spec, lambda member: member.startswith("user:"))
    items = [{"member": member, "email": member.removeprefix("user:"), "roles": sorted(held)} for (_, member), held in found]
    yield from _facts(run, spec, found, items)


# A user-managed service account's email names its project; Google's service agents live in gcp-sa-* projects.
SERVICE_ACCOUNT = re.compile(r"^serviceAccount:[^@]+@([a-z][a-z0-9-]{4,28}[a-z0-9])\.iam\.gserviceaccount\.com$")


def outsiders(run: UnitRun, spec: Collector) -> Iterator[FactOut]:
    """Service accounts of projects outside the scan bound in the IAM policies of the organisation, folders and
    projects: one identity.role fact per member and scope, over the roles bound to it there (an outside account's
    standing way in, as a role another account may assume)."""
    ours = set(run.unit.scopes)
    parent = str(run.unit.vars.get("parent") or "")

    def outside(member: str) -> bool:
        found = SERVICE_ACCOUNT.match(member)
        return bool(found) and not found.group(1).startswith("gcp-sa-") and found.group(1) not in ours

    found = _bound_roles(run, spec, outside)
    items = [{"member": member, "roles": sorted(held), "listed_here": scope == parent} for (scope, member), held in found]
    yield from _facts(run, spec, found, items)
