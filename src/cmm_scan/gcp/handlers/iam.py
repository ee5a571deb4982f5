"""People in IAM policies: one identity.user fact per `user:` member and scope (organisation, folder or project)
where it is bound, over the roles bound to it there, from the IAM policies a collector draws; the spec's joins
and derived values (the person in the organisation's directory) are added as for any listed item."""

from __future__ import annotations

import re
from collections.abc import Iterator

from cmm_scan.cloud.executor import FactOut, Outcome, UnitRun, enrich, value_of
from cmm_scan.cloud.spec import Collector


def members(run: UnitRun, spec: Collector) -> Iterator[FactOut]:
    assert spec.draw, f"{spec.id} reads the IAM policies it draws"
    roles: dict[tuple[str, str], set[str]] = {}
    for policy in run.draw(spec.draw):
        scope = run.fact_scope(spec, policy)
        if scope is None:
            continue
        for binding in (policy.get("iamPolicy") or {}).get("bindings") or []:
            for member in binding.get("members") or []:
                if isinstance(member, str) and member.startswith("user:"):
                    roles.setdefault((scope, member), set()).add(str(binding.get("role")))
    found = sorted(roles.items())
    items = [{"member": member, "email": member.removeprefix("user:"), "roles": sorted(held)} for (_, member), held in found]
    # a join that cannot be read leaves its attributes unknown and is recorded in the collector's coverage
    failed = enrich(spec, run, items, run.outcome or Outcome())
    for i, ((scope, member), _) in enumerate(found):
        yield FactOut(
            resource_id=f"{scope}/{member}",
            attributes={name: value_of(spec.attribute(name), items[i], failed[i]) for name in spec.attributes},
            scope=scope,
        )


# A user-managed service account's email names its project; Google's service agents live in gcp-sa-* projects.
SERVICE_ACCOUNT = re.compile(r"^serviceAccount:[^@]+@([a-z][a-z0-9-]{4,28}[a-z0-9])\.iam\.gserviceaccount\.com$")


def outsiders(run: UnitRun, spec: Collector) -> Iterator[FactOut]:
    """Service accounts of projects outside the scan bound in the IAM policies of the organisation, folders and
    projects: one identity.role fact per member and scope, over the roles bound to it there (an outside account's
    standing way in, as a role another account may assume)."""
    assert spec.draw, f"{spec.id} reads the IAM policies it draws"
    ours = set(run.unit.scopes)
    parent = str(run.unit.vars.get("parent") or "")
    roles: dict[tuple[str, str], set[str]] = {}
    for policy in run.draw(spec.draw):
        scope = run.fact_scope(spec, policy)
        if scope is None:
            continue
        for binding in (policy.get("iamPolicy") or {}).get("bindings") or []:
            for member in binding.get("members") or []:
                found = SERVICE_ACCOUNT.match(member) if isinstance(member, str) else None
                if found and not found.group(1).startswith("gcp-sa-") and found.group(1) not in ours:
                    roles.setdefault((scope, member), set()).add(str(binding.get("role")))
    found_items = sorted(roles.items())
    items = [{"member": member, "roles": sorted(held), "listed_here": scope == parent} for (scope, member), held in found_items]
    failed = enrich(spec, run, items, run.outcome or Outcome())
    for i, ((scope, member), _) in enumerate(found_items):
        yield FactOut(
            resource_id=f"{scope}/{member}",
            attributes={name: value_of(spec.attribute(name), items[i], failed[i]) for name in spec.attributes},
            scope=scope,
        )
