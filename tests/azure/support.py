"""Azure estates in the emulator's format (ARM and Graph shapes), and the adapter run in-process."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cmm_scan.azure import adapter
from cmm_scan.models import Coverage, Fact
from cmm_scan.options import options_from_values

TENANT = "72f988bf-0000-0000-0000-000000000001"
PROD = "11111111-1111-1111-1111-111111111111"
DEV = "22222222-2222-2222-2222-222222222222"
SHARED = "33333333-3333-3333-3333-333333333333"


def rid(sub: str, group: str, rtype: str, name: str) -> str:
    return f"/subscriptions/{sub}/resourceGroups/{group}/providers/{rtype}/{name}"


def resource(sub: str, rtype: str, name: str, group: str = "rg", location: str = "uksouth", **fields: Any) -> dict[str, Any]:
    return {"id": rid(sub, group, rtype, name), "type": rtype, "location": location, "tags": fields.pop("tags", {}), **fields}


def management_group(name: str, parent: str | None = None, children: list[str] = ()) -> dict[str, Any]:  # type: ignore[assignment]
    props: dict[str, Any] = {"displayName": name.title(), "children": [{"id": c} for c in children]}
    if parent:
        props["details"] = {"parent": {"id": f"/providers/Microsoft.Management/managementGroups/{parent}"}}
    return {
        "id": f"/providers/Microsoft.Management/managementGroups/{name}",
        "type": "Microsoft.Management/managementGroups",
        "name": name,
        "properties": props,
    }


def tenant_estate(resources: list[dict[str, Any]] = (), graph: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:  # type: ignore[assignment]
    """Three subscriptions under two management groups (prod: PROD; nonprod: DEV, SHARED) under the root."""
    groups = [
        management_group(
            TENANT,
            children=["/providers/Microsoft.Management/managementGroups/prod", "/providers/Microsoft.Management/managementGroups/nonprod"],
        ),
        management_group("prod", parent=TENANT, children=[f"/subscriptions/{PROD}"]),
        management_group("nonprod", parent=TENANT, children=[f"/subscriptions/{DEV}", f"/subscriptions/{SHARED}"]),
    ]
    return {
        "provider": "azure",
        "tenantId": TENANT,
        "subscriptions": [
            {"subscriptionId": PROD, "displayName": "prod"},
            {"subscriptionId": DEV, "displayName": "dev"},
            {"subscriptionId": SHARED, "displayName": "shared"},
        ],
        "resources": groups + list(resources),
        "graph": graph or {},
        **extra,
    }


class NullProgress:
    total: int | None = None

    def advance(self, n: int = 1, detail: str = "") -> None:
        pass


@dataclass
class Result:
    plan: Any
    facts: list[Fact] = field(default_factory=list)
    coverage: list[Coverage] = field(default_factory=list)

    def of(self, fact_type: str) -> list[Fact]:
        return [f for f in self.facts if f.type == fact_type]

    def one(self, fact_type: str, resource_contains: str) -> dict[str, Any]:
        (found,) = [f for f in self.of(fact_type) if resource_contains in f.resource_id]
        return found.attributes

    def status(self, collector: str) -> dict[str, str]:
        return {c.scope: c.status for c in self.coverage if c.collector == collector}

    @property
    def requests(self) -> int:
        return sum(c.requests for c in self.coverage)


def scan(fact_types: list[str], **options: Any) -> Result:
    """Options as typed on the command line, by field: subscriptions="a,!b", management_groups="mg"."""
    opts = options_from_values("azure", {"workers": 4, **options})
    plan = adapter.plan(opts, fact_types)
    result = Result(plan)

    def sink(record: Fact | Coverage) -> None:
        (result.facts if isinstance(record, Fact) else result.coverage).append(record)

    adapter.run(plan, fact_types, sink, NullProgress())
    return result
