"""Who changes Azure resources: Resource Graph's ResourceChanges table (the last 14 days of changes to every
resource, with who made each and from which client), one activity.changes fact per subscription.

Each change is classified, first match wins:

- (left out) made by the platform on its own (no principal type a person or an application has): nobody
  chose it, so it is neither manual nor automated delivery;
- iac: made through an ARM template / Bicep deployment, Terraform or Pulumi (the client type);
- pipeline: made by a service principal or managed identity (an application, not a person);
- console: a person in the Azure portal;
- other: people using the CLI, PowerShell, SDKs or anything else.

`cicd_identity` counts the changes made by service principals and managed identities, whatever client they
used (a pipeline applying a Bicep template is an `iac` change and still an automated deployment). A
subscription the query covered with no changes has a fact with total 0: a known answer. A change that does not
say who made it (no `changedByType`, which Resource Graph always writes, "Unspecified" included) cannot be
classified: its subscription's counts are unknown, never a smaller known number.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from cmm_scan.cloud.executor import FactOut, UnitRun
from cmm_scan.cloud.spec import Collector

WINDOW_DAYS = 14  # what ResourceChanges holds
IAC_CLIENTS = re.compile(r"template|bicep|deployment|terraform|opentofu|pulumi", re.IGNORECASE)
APPLICATIONS = re.compile(r"application|serviceprincipal|managedidentity|appid", re.IGNORECASE)
PEOPLE = re.compile(r"^user$", re.IGNORECASE)
KINDS = ("console", "iac", "pipeline", "other")


def classify(change: dict[str, Any]) -> tuple[str | None, bool]:
    """(kind, made by an application identity) of one change; kind None for the platform's own changes."""
    attributes = change.get("changeAttributes") or {}
    by_type = str(attributes.get("changedByType") or "")
    client = str(attributes.get("clientType") or "")
    application = bool(APPLICATIONS.search(by_type))
    if not application and not PEOPLE.match(by_type):
        return None, False
    if IAC_CLIENTS.search(client):
        return "iac", application
    if application:
        return "pipeline", True
    if "portal" in client.lower():
        return "console", False
    return "other", False


def by_subscription(run: UnitRun, spec: Collector) -> Iterator[FactOut]:
    counts = {s.lower(): dict.fromkeys((*KINDS, "cicd_identity"), 0) for s in run.unit.scopes}
    unread: set[str] = set()
    for change in run.items(spec.request("Microsoft.ResourceGraph/resources")):
        subscription = str(change.get("subscriptionId") or "").lower()
        if (change.get("changeAttributes") or {}).get("changedByType") is None:
            unread.add(subscription)
            continue
        kind, application = classify(change)
        if kind is None or subscription not in counts:
            continue
        counts[subscription][kind] += 1
        counts[subscription]["cicd_identity"] += application
    for subscription, found in sorted(counts.items()):
        known = subscription not in unread
        attributes = {"total": sum(found[k] for k in KINDS), **found} if known else dict.fromkeys(("total", *found))
        yield FactOut(
            resource_id=f"/subscriptions/{subscription}/providers/Microsoft.Resources/changes",
            attributes={"window_days": WINDOW_DAYS, **attributes},
            region="global",
            scope=subscription,
        )
