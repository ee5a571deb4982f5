"""Microsoft Defender for Cloud plans per subscription, from one Resource Graph query (SecurityResources).

Pricings list every plan of a subscription with its tier (Free or Standard), so one query over a group of
subscriptions says which detective services are on where. The collectors that read them differ only in their
attributes (JMESPath over one item per subscription: `{subscriptionId, plans: [{name, tier, subPlan,
extensions}]}`), so the query is sent once per unit and shared. A subscription the query covered but that
has no pricing rows (Microsoft.Security not registered) has every plan off: a known answer, not a gap.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cmm_scan.cloud.executor import FactOut, UnitRun, value_of
from cmm_scan.cloud.jmes import search
from cmm_scan.cloud.spec import Collector


def _plan(row: dict[str, Any]) -> dict[str, Any]:
    props = row.get("properties") or {}
    extensions = [
        str(e.get("name"))
        for e in props.get("extensions") or []
        if isinstance(e, dict) and str(e.get("isEnabled", "")).lower() == "true"  # the API writes "True"/"False" as strings
    ]
    return {"name": row.get("name"), "tier": props.get("pricingTier"), "subPlan": props.get("subPlan"), "extensions": extensions}


def plans(run: UnitRun, spec: Collector) -> Iterator[FactOut]:
    """One fact per subscription of the unit: the collector's attributes over that subscription's plans."""
    rows: list[dict[str, Any]] = run.shared_items(spec.request("Microsoft.ResourceGraph/resources"))
    by_subscription: dict[str, list[dict[str, Any]]] = {s.lower(): [] for s in run.unit.scopes}
    for row in rows:
        subscription = str(row.get("subscriptionId") or "").lower()
        if str(row.get("type") or "").lower() != "microsoft.security/pricings":
            continue  # the query also holds the compliance standards
        if subscription in by_subscription:
            by_subscription[subscription].append(_plan(row))
    for subscription, found in sorted(by_subscription.items()):
        item = {"subscriptionId": subscription, "plans": sorted(found, key=lambda p: str(p["name"]))}
        attributes = {name: value_of(spec.attribute(name), item, set()) for name in spec.attributes}
        yield FactOut(resource_id=str(search(spec.resource_id, item)), attributes=attributes, region="global", scope=subscription)
