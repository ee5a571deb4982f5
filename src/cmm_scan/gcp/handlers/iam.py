"""People in IAM policies: one identity.user fact per `user:` member and scope (organisation, folder or project)
where it is bound, over the roles bound to it there, from the IAM policies a collector draws."""

from __future__ import annotations

from collections.abc import Iterator

from cmm_scan.cloud.executor import FactOut, UnitRun, value_of
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
    for (scope, member), held in sorted(roles.items()):
        item = {"member": member, "email": member.removeprefix("user:"), "roles": sorted(held)}
        yield FactOut(
            resource_id=f"{scope}/{member}",
            attributes={name: value_of(spec.attribute(name), item, set()) for name in spec.attributes},
            scope=scope,
        )
