"""Azure transforms a spec attribute may apply (`transform: name`): what JMESPath cannot say about ARM shapes."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from statistics import median
from typing import Any

from cmm_scan.cloud import transforms as cloud_transforms
from cmm_scan.cloud.transforms import transform

RECENT_DAYS = 30  # cicd.build_project recent_builds: builds in the last 30 days

# what drives an autoscale rule, by its metric name (Azure Monitor platform metrics)
METRIC_KINDS = {
    "percentage cpu": "cpu",
    "cpupercentage": "cpu",
    "cpu percentage": "cpu",
    "network in": "network",
    "network out": "network",
    "network in total": "network",
    "network out total": "network",
    "available memory bytes": "memory",
    "memorypercentage": "memory",
    "requests": "request_count",
    "httpqueuelength": "queue",
    "approximatemessagecount": "queue",
    "activemessagecount": "queue",
    "messagecount": "queue",
}
ADMIN_PORTS = (22, 3389)
INTERNET = {"*", "0.0.0.0/0", "internet", "any", "::/0"}


@transform("azure_power_state")
def azure_power_state(value: Any) -> str | None:
    """PowerState/running -> running (deallocated, stopped, starting...)."""
    return value.split("/", 1)[1].lower() if isinstance(value, str) and "/" in value else None


@transform("azure_vm_family")
def azure_vm_family(value: Any) -> str | None:
    """Standard_D4s_v5 -> Dsv5; Standard_B2ms -> Bms."""
    if not isinstance(value, str):
        return None
    name = value.removeprefix("Standard_").removeprefix("Basic_")
    size, _, version = name.partition("_")
    return re.sub(r"\d+", "", size) + version


@transform("azure_is_arm")
def azure_is_arm(value: Any) -> bool | None:
    """Ampere (Arm) sizes carry a 'p' in their features: Standard_D4ps_v5, Standard_E8pds_v5."""
    if not isinstance(value, str):
        return None
    m = re.match(r"^(?:Standard_)?[A-Za-z]+\d+([a-z]*)", value)
    return bool(m and "p" in m.group(1))


def _metric_kind(rule: dict[str, Any], target: str) -> str | None:
    """The kind of metric a rule scales on; None when the rule names no metric (not read, never "custom")."""
    trigger = rule.get("metricTrigger") or {}
    name = str(trigger.get("metricName") or "").lower()
    if not name:
        return None
    if name in METRIC_KINDS:
        return METRIC_KINDS[name]
    source = str(trigger.get("metricResourceUri") or target).lower()
    return "queue" if "microsoft.servicebus" in source or "microsoft.storage" in source else "custom"


@transform("azure_autoscale")
def azure_autoscale(value: Any) -> dict[str, Any] | None:
    """{settings: [autoscale settings of one target], capacity: current instances} -> the autoscaling attributes:
    policy_types (step for metric rules, predictive, scheduled), metric_kinds, dynamic, advanced_metrics,
    scheduled_only, min, max. Disabled settings do not count."""
    if value is None or value.get("settings") is None:
        return None
    settings = [s for s in value["settings"] if (s.get("properties") or {}).get("enabled", True)]
    kinds: set[str] = set()
    unread = False  # a metric rule naming no metric: its kind is not known
    types: set[str] = set()
    lows, highs = [], []
    for setting in settings:
        props = setting.get("properties") or {}
        target = str(props.get("targetResourceUri") or "")
        if ((props.get("predictiveAutoscalePolicy") or {}).get("scaleMode") or "").lower() == "enabled":
            types.add("predictive")
            kinds.add("predictive")
        for profile in props.get("profiles") or []:
            if not isinstance(profile, dict):  # a null entry is no profile
                continue
            capacity = profile.get("capacity") or {}
            low, high = _count(capacity.get("minimum")), _count(capacity.get("maximum"))
            if profile.get("recurrence") or profile.get("fixedDate"):
                types.add("scheduled")
                kinds.add("scheduled")
            rules = [r for r in profile.get("rules") or [] if isinstance(r, dict)]
            if rules and (low is None or high is None or high > low):  # metric rules over a range (or one not read)
                types.add("step")
                found = [_metric_kind(r, target) for r in rules]
                kinds.update(k for k in found if k)
                unread = unread or None in found
            lows.append(low)
            highs.append(high)
    dynamic = bool({"step", "predictive"} & types)
    return {
        "policy_types": sorted(types),
        "metric_kinds": sorted(kinds),
        "dynamic": dynamic,
        "advanced_metrics": dynamic and (bool({"queue", "custom", "predictive"} & kinds) or (None if unread else False)),
        "scheduled_only": types == {"scheduled"},
        "min": _bound(lows, min) if lows else value.get("capacity"),
        "max": _bound(highs, max) if highs else value.get("capacity"),
    }


def _count(value: Any) -> int | None:
    """An instance count as the API writes it (a string of digits, or a number); anything else is not read."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        return int(float(value))
    except (TypeError, ValueError, OverflowError):
        return None


def _bound(values: list[int | None], pick: Any) -> int | None:
    """min or max of the counts, unknown when one of them was not read."""
    return None if None in values else pick(values)


def _ports(rule: dict[str, Any]) -> list[tuple[int, int]] | None:
    """The destination port ranges of a rule; None when one is not written as a port, a range or *."""
    ranges = [rule.get("destinationPortRange"), *list(rule.get("destinationPortRanges") or [])]
    found = []
    for text in ranges:
        if not text:
            continue
        if str(text) == "*":
            found.append((0, 65535))
            continue
        low, _, high = str(text).partition("-")
        if not (low.strip().isdigit() and (high or low).strip().isdigit()):
            return None
        found.append((int(low), int(high or low)))
    return found


@transform("azure_nsg_exposure")
def azure_nsg_exposure(value: Any) -> dict[str, bool | None] | None:
    """securityRules -> {open_to_internet, admin_ports_open}: inbound Allow rules from any address or Internet.
    A rule whose direction, access, sources or ports are not written may be such a rule: unless another rule
    settles it, the answer is unknown, never "closed"."""
    if value is None:
        return None
    open_any, admin = False, False
    maybe_open, maybe_admin = False, False
    for rule in value:
        if not isinstance(rule, dict):  # a null entry is no rule
            continue
        props = rule.get("properties") or rule
        direction, access = props.get("direction"), props.get("access")
        if (direction is not None and str(direction).lower() != "inbound") or (access is not None and str(access).lower() != "allow"):
            continue
        sources = [s for s in [props.get("sourceAddressPrefix"), *list(props.get("sourceAddressPrefixes") or [])] if s]
        # a source is an address prefix or an application security group (never the internet); neither: not read
        unsure = direction is None or access is None or not (sources or props.get("sourceApplicationSecurityGroups"))
        if not unsure and not any(str(s).lower() in INTERNET for s in sources):
            continue
        ports = _ports(props)
        reaches_admin = None if ports is None else any(low <= port <= high for low, high in ports for port in ADMIN_PORTS)
        if unsure:
            maybe_open = True
            maybe_admin = maybe_admin or reaches_admin is not False
            continue
        open_any = True
        if reaches_admin:
            admin = True
        elif reaches_admin is None:
            maybe_admin = True
    return {
        "open_to_internet": True if open_any else (None if maybe_open else False),
        "admin_ports_open": True if admin else (None if maybe_admin else False),
    }


@transform("azure_storage_encryption")
def azure_storage_encryption(value: Any) -> str | None:
    """encryption.keySource: Microsoft.Keyvault (a customer key) -> kms-customer; Microsoft.Storage -> sse-s3 (provider key)."""
    if not isinstance(value, str):
        return None
    return "kms-customer" if value.lower() == "microsoft.keyvault" else "sse-s3"


# Cost Management export types (ExportType) -> the neutral table names of cost.data_export
EXPORT_TABLES = {
    "actualcost": "cost_and_usage",
    "amortizedcost": "cost_and_usage",
    "usage": "cost_and_usage",
    "focuscost": "focus",
    "reservationrecommendations": "cost_optimization_recommendations",
}


@transform("azure_export_table")
def azure_export_table(value: Any) -> str | None:
    """definition.type of a Cost Management export: ActualCost, AmortizedCost, Usage, FocusCost, PriceSheet, ..."""
    if not isinstance(value, str):
        return None
    return EXPORT_TABLES.get(value.lower(), "other")


@transform("azure_task_source")
def azure_task_source(value: Any) -> str | None:
    """The source control of an ACR task's first enabled source trigger (Github, VisualStudioTeamService), in
    capitals as the neutral source_type is written; NO_SOURCE when the task has no source trigger."""
    if value is None:
        return "NO_SOURCE"
    if not isinstance(value, list):
        return None
    kinds = [
        str((t.get("sourceRepository") or {}).get("sourceControlType") or "").upper()
        for t in value
        if isinstance(t, dict) and str(t.get("status")).lower() != "disabled"
    ]
    return next((k for k in kinds if k), "NO_SOURCE")


@transform("azure_recent_runs")
def azure_recent_runs(value: Any) -> dict[str, Any] | None:
    """An ACR task's runs -> {count, median_minutes}: the runs created in the last 30 days and the median
    duration (startTime to finishTime) of those that finished; median null when none finished."""
    if not isinstance(value, list):
        return None
    since = cloud_transforms.now() - timedelta(days=RECENT_DAYS)
    recent = [r for r in value if isinstance(r, dict) and (when := _when((r.get("properties") or {}).get("createTime"))) and when >= since]
    minutes = []
    for run in recent:
        props = run.get("properties") or {}
        start, finish = _when(props.get("startTime")), _when(props.get("finishTime"))
        if start and finish and finish >= start:
            minutes.append((finish - start).total_seconds() / 60)
    return {"count": len(recent), "median_minutes": round(median(minutes), 1) if minutes else None}


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@transform("azure_minutes")
def azure_minutes(value: Any) -> int | None:
    """Seconds (an ACR task's timeout) -> whole minutes."""
    return None if not isinstance(value, int | float) or isinstance(value, bool) else int(value // 60)


@transform("azure_mfa_kind")
def azure_mfa_kind(value: Any) -> str | None:
    """methodsRegistered -> hardware (FIDO2, passkey, Windows Hello), virtual (authenticator, OTP), or none."""
    if value is None:
        return None
    methods = {str(m).lower() for m in value}
    if methods & {"fido2", "passkeydevicebound", "windowshelloforbusiness", "hardwareonetimepasscode"}:
        return "hardware"
    if methods & {"microsoftauthenticatorpush", "softwareonetimepasscode", "microsoftauthenticatorpasswordless", "mobilephone"}:
        return "virtual"
    return "none"


@transform("azure_credentials")
def azure_credentials(value: Any) -> dict[str, int] | None:
    """An app registration's passwordCredentials + keyCredentials -> {active, oldest_age_days}: credentials not
    yet expired, and the age in days of the oldest of them (0 when none)."""
    if value is None:
        return None
    from cmm_scan.cloud.transforms import _as_datetime, now

    current = now()
    ages = []
    for credential in value:
        end = _as_datetime(credential.get("endDateTime"))
        if end is not None and end <= current:
            continue
        start = _as_datetime(credential.get("startDateTime"))
        ages.append(max(0, (current - start).days) if start else 0)
    return {"active": len(ages), "oldest_age_days": max(ages, default=0)}


@transform("azure_dashboard_shows_application")
def azure_dashboard_shows_application(value: Any) -> bool | None:
    """Portal dashboard parts -> one shows a log query or a metric of the application (Application Insights, or a
    namespace outside Azure's own resource providers)."""
    if value is None:
        return None
    for part in value:
        metadata = (part or {}).get("metadata") or {}
        if "logsdashboardpart" in str(metadata.get("type", "")).lower():
            return True
        options = ((metadata.get("settings") or {}).get("content") or {}).get("options") or {}  # null when a part sets none
        for metric in (options.get("chart") or {}).get("metrics") or []:
            namespace = str((metric or {}).get("namespace") or "").lower()
            if namespace == "microsoft.insights/components" or (namespace and not namespace.startswith("microsoft.")):
                return True
    return False


@transform("azure_workbook_shows_application")
def azure_workbook_shows_application(value: Any) -> bool | None:
    """Workbook items -> one runs a log query (type 3: KqlItem) or charts Application Insights metrics."""
    if value is None:
        return None
    for item in value:
        item = item or {}
        content = item.get("content") or {}
        if item.get("type") == 3 or content.get("query"):
            return True
        if any(str(m.get("namespace") or "").lower() == "microsoft.insights/components" for m in content.get("metrics") or []):
            return True
    return False


_DAYS = {"days": 1, "weeks": 7, "months": 31, "years": 366}


@transform("azure_retention_days")
def azure_retention_days(value: Any) -> int | None:
    """A backup policy's retentionPolicy (or a list of them) -> the longest retention in days: daily, weekly,
    monthly and yearly schedules (LongTermRetentionPolicy) or a simple one (SimpleRetentionPolicy)."""
    if value is None:
        return None
    policies = value if isinstance(value, list) else [value]
    longest = 0
    for policy in policies:
        schedules = [policy.get(k) for k in ("dailySchedule", "weeklySchedule", "monthlySchedule", "yearlySchedule")]
        durations = [s.get("retentionDuration") for s in schedules if s] + [policy.get("retentionDuration")]
        for duration in durations:
            if duration:
                longest = max(longest, int(duration.get("count") or 0) * _DAYS.get(str(duration.get("durationType", "days")).lower(), 1))
    return longest


@transform("azure_policy_effect")
def azure_policy_effect(value: Any) -> str | None:
    """{assignment, definition} -> the effect the assignment enforces, lower case (deny, audit,
    deployifnotexists, modify...): the definition's `then.effect`, resolved through the assignment's parameters
    and the definition's defaults when it is a parameter; `disabled` when the assignment does not enforce."""
    if value is None:
        return None
    assignment = value.get("assignment") or {}
    if value.get("set"):
        effect = _initiative_effect(assignment, value["set"])
    elif value.get("definition"):
        definition = value["definition"]
        effect = str(((definition.get("policyRule") or {}).get("then") or {}).get("effect") or "")
        effect = _resolve(effect, assignment.get("parameters") or {}, definition.get("parameters") or {}) or ""
    else:
        return None
    if effect is None:
        return None
    if str(assignment.get("enforcementMode", "Default")).lower() == "donotenforce":
        return "disabled"
    return effect.lower() or None


def _resolve(value: Any, given: dict[str, Any], declared: dict[str, Any]) -> str | None:
    """A literal, or "[parameters('name')]" resolved through the values given and the declared defaults."""
    match = re.fullmatch(r"\[parameters\('([^']+)'\)\]", str(value).strip())
    if not match:
        return str(value) if value is not None else None
    name = match.group(1)
    value_given, value_declared = given.get(name), declared.get(name)
    found = value_given.get("value") if isinstance(value_given, dict) else None
    found = found if found is not None or not isinstance(value_declared, dict) else value_declared.get("defaultValue")
    return str(found) if found is not None else None


def _initiative_effect(assignment: dict[str, Any], initiative: dict[str, Any]) -> str | None:
    """An initiative's strongest effect: deny when a member is passed a deny effect; otherwise the effect its
    members are passed, when every member is passed one (a member's own fixed effect is not read: unknown)."""
    given, declared = assignment.get("parameters") or {}, initiative.get("parameters") or {}
    effects: list[str | None] = []
    for member in initiative.get("policyDefinitions") or []:
        parameters = (member.get("parameters") if isinstance(member, dict) else None) or {}  # a null member passes nothing
        passed = [v.get("value") for k, v in parameters.items() if k.lower().startswith("effect") and isinstance(v, dict)]
        effects += [_resolve(p, given, declared) or None for p in passed] or [None]  # an empty effect is not one
    known = [e.lower() for e in effects if e]
    for strongest in ("deny", "denyaction"):
        if strongest in known:
            return strongest
    if not effects or None in effects:
        return None
    for kind in ("deployifnotexists", "modify", "append", "auditifnotexists", "audit", "manual", "disabled"):
        if kind in known:
            return kind
    return known[0]


@transform("azure_cosmos_backup_days")
def azure_cosmos_backup_days(value: Any) -> int | None:
    """A Cosmos DB backupPolicy -> days of backups kept: continuous (7 or 30 days by tier) or periodic
    (backupRetentionIntervalInHours, rounded down, at least the one copy a day it always keeps)."""
    if not isinstance(value, dict):
        return None
    if str(value.get("type", "")).lower() == "continuous":
        tier = str((value.get("continuousModeProperties") or {}).get("tier") or "Continuous30Days")
        return 7 if tier.lower() == "continuous7days" else 30
    hours = _count((value.get("periodicModeProperties") or {}).get("backupRetentionIntervalInHours"))
    return max(1, hours // 24) if hours is not None else None


@transform("azure_access_review_coverage")
def azure_access_review_coverage(value: Any) -> list[str] | None:
    """The scope queries of automated access reviews -> what they cover: `organization_unused_access` when one
    reviews every group, every user or every directory role assignment (a query naming no single object),
    `unused_access` when they review only some."""
    if value is None:
        return None
    queries = [str(q).lower().split("?")[0].rstrip("/") for q in value if q]
    whole = ("/groups", "/users", "/v1.0/groups", "/v1.0/users", "/beta/groups", "/beta/users")
    if any(q.endswith(whole) or q.endswith("/rolemanagement/directory/roleassignmentscheduleinstances") for q in queries):
        return ["organization_unused_access"]
    return ["unused_access"] if queries else []
