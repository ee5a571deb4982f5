"""People in IAM policies: one identity.user fact per `user:` member and scope (organisation, folder or project)
where it is bound, over the roles bound to it there, from the IAM policies a collector draws; the spec's joins
and derived values (the person in the organisation's directory) are added as for any listed item."""

from __future__ import annotations

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
