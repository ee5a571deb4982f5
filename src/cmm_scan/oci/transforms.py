"""Named transforms for OCI specs (registered with the shared transform table). Pure: no API calls."""

from __future__ import annotations

import re
from typing import Any

from cmm_scan.cloud.transforms import activity_counts, transform

ARM_SHAPE = re.compile(r"\.A\d+(\.|$)", re.IGNORECASE)  # Ampere Altra/AmpereOne: VM.Standard.A1.Flex, BM.Standard.A1.160, A2, A4


def _active(item: dict[str, Any]) -> bool:
    """An object's lifecycleState is ACTIVE, in any case; one without a state (absent or null) is not excluded, as
    the specs' filters read it."""
    return str(item.get("lifecycleState") or "ACTIVE").upper() == "ACTIVE"


@transform("oci_tags")
def oci_tags(value: Any) -> dict[str, str] | None:
    """{freeform: {k: v}, defined: {ns: {k: v}}} -> one map; defined tags are named ns.key."""
    if not isinstance(value, dict):
        return None
    tags = {str(k): str(v) for k, v in (value.get("freeform") or {}).items()}
    for namespace, keys in (value.get("defined") or {}).items():
        for key, tag in (keys or {}).items():
            tags[f"{namespace}.{key}"] = str(tag)
    return tags


@transform("oci_shape_family")
def oci_shape_family(value: Any) -> str | None:
    """VM.Standard.E4.Flex -> standard.e4; BM.Standard3.64 -> standard3; VM.Standard.A1.Flex -> standard.a1."""
    if not isinstance(value, str):
        return None
    parts = [p for p in value.lower().split(".")[1:] if p != "flex" and not p.isdigit()]
    return ".".join(parts) or value.lower()


@transform("oci_shape_arm")
def oci_shape_arm(value: Any) -> bool | None:
    """Ampere (ARM) shapes: the lower-carbon choice on OCI."""
    return None if not isinstance(value, str) else bool(ARM_SHAPE.search(value))


def _policy_kinds(policy: dict[str, Any]) -> tuple[str, set[str]]:
    kind = str(policy.get("policyType") or "").lower()
    if kind == "scheduled":
        return "scheduled", {"scheduled"}
    kinds: set[str] = set()
    for rule in policy.get("rules") or []:
        metric = rule.get("metric") or {}
        if str(metric.get("metricSource") or "").upper() == "CUSTOM_QUERY":
            kinds.add("custom")
            continue
        metric_type = str(metric.get("metricType") or "").upper()
        kinds.add({"CPU_UTILIZATION": "cpu", "MEMORY_UTILIZATION": "memory"}.get(metric_type, "custom"))
    return ("target_tracking" if kind == "threshold" else kind or "other"), kinds


@transform("oci_scaling_summary")
def oci_scaling_summary(value: Any) -> dict[str, Any] | None:
    """The enabled autoscaling configurations of one pool ({configs: [...]}, each with `policies`) -> scaling facts.

    Threshold policies scale on a metric (dynamic); scheduled ones only resize on a timetable."""
    if not isinstance(value, dict) or value.get("configs") is None:
        return None
    types: set[str] = set()
    kinds: set[str] = set()
    minimum = maximum = None
    for config in value["configs"]:
        if config is None:
            return None  # a configuration whose policies could not be read
        if config.get("isEnabled") is False:
            continue
        for policy in config.get("policies") or []:
            if policy.get("isEnabled") is False:
                continue
            policy_type, metric_kinds = _policy_kinds(policy)
            types.add(policy_type)
            kinds |= metric_kinds
            capacity = policy.get("capacity") or {}
            if policy_type != "scheduled":  # a pool may scale in to 0: a zero is a bound, not a missing one
                low, high = capacity.get("min"), capacity.get("max")
                minimum = low if minimum is None else minimum if low is None else min(minimum, low)
                maximum = high if maximum is None else maximum if high is None else max(maximum, high)
    dynamic = bool(types - {"scheduled"}) and (minimum is None or maximum is None or minimum < maximum)
    return {
        "policy_types": sorted(types),
        "metric_kinds": sorted(kinds),
        "dynamic": dynamic,
        "advanced_metrics": dynamic and bool(kinds & {"custom", "queue", "predictive"}),
        "scheduled_only": types == {"scheduled"},
        "min": minimum,
        "max": maximum,
    }


@transform("oci_tag_keys_map")
def oci_tag_keys_map(value: Any) -> dict[str, str] | None:
    """Like oci_tags, plus each defined tag under its bare key too (Operations.CostCenter also as CostCenter),
    so cost and classification keys are recognised whichever namespace holds them."""
    tags = oci_tags(value)
    if tags is None:
        return None
    return tags | {k.split(".", 1)[1]: v for k, v in tags.items() if "." in k}


@transform("oldest_age_days")
def oldest_age_days(value: Any) -> int | None:
    """A list of timestamps -> the age in days of the oldest, 0 for an empty list."""
    from cmm_scan.cloud.transforms import age_days

    if value is None:
        return None
    ages = [a for a in (age_days(v) for v in value) if a is not None]
    return max(ages, default=0)


ADMIN_STATEMENT = re.compile(
    r"^\s*allow\s+(?P<kind>dynamic-group|group)\s+(?P<groups>.+?)\s+to\s+manage\s+all-resources\s+in\s+tenancy\b", re.IGNORECASE
)


@transform("oci_admin_groups")
def oci_admin_groups(value: Any) -> list[str] | None:
    """Policies (each with `statements`) -> lower-case names of groups granted `manage all-resources in tenancy`,
    plus Administrators (the tenancy's built-in admin group)."""
    if value is None:
        return None
    groups = {"administrators"}
    for policy in value:
        for statement in policy.get("statements") or []:
            match = ADMIN_STATEMENT.match(statement)
            if match and match.group("kind").lower() == "group":
                for name in match.group("groups").split(","):
                    groups.add(name.strip().split("/")[-1].strip("'\"").lower())
    return sorted(groups)


@transform("oci_lifecycle")
def oci_lifecycle(value: Any) -> dict[str, Any] | None:
    """An Object Storage lifecycle policy's rules -> {rules, expiration, transition} over enabled rules."""
    if value is None:
        return None
    enabled = [r for r in value if r.get("isEnabled", True)]
    actions = {str(r.get("action") or "").upper() for r in enabled}
    return {"rules": len(enabled), "expiration": "DELETE" in actions, "transition": bool(actions & {"ARCHIVE", "INFREQUENT_ACCESS"})}


@transform("oci_open_ingress")
def oci_open_ingress(value: Any) -> dict[str, bool] | None:
    """Ingress rules (security list `ingressSecurityRules`, or NSG rules with direction INGRESS) ->
    {open: from 0.0.0.0/0 or ::/0, admin: SSH 22, RDP 3389 or every port from there}."""
    if value is None:
        return None
    open_ = admin = unread = False
    for rule in value:
        if str(rule.get("direction") or "INGRESS").upper() != "INGRESS":
            continue
        if rule.get("source") not in ("0.0.0.0/0", "::/0"):
            continue
        open_ = True
        protocol = str(rule.get("protocol"))
        ports = (rule.get("tcpOptions") or rule.get("udpOptions") or {}).get("destinationPortRange")
        low, high = (ports.get("min"), ports.get("max")) if isinstance(ports, dict) else (None, None)
        if ports and not (isinstance(low, int) and isinstance(high, int)):
            unread = True  # a range without its bounds: whether it holds 22 or 3389 is not known
            continue
        if protocol == "all" or (protocol in ("6", "17") and not ports) or (ports and any(low <= p <= high for p in (22, 3389))):
            admin = True
    return {"open": open_, "admin": True if admin else None if unread else False}


@transform("overlaps_ci")
def overlaps_ci(value: Any) -> bool | None:
    """{a: [...], b: [...]} -> some value of a is in b, ignoring case; null when either is unknown."""
    if not isinstance(value, dict) or value.get("a") is None or value.get("b") is None:
        return None
    wanted = {str(v).lower() for v in value["b"]}
    return any(str(v).lower() in wanted for v in value["a"])


@transform("oci_admin_dynamic_groups")
def oci_admin_dynamic_groups(value: Any) -> list[str] | None:
    """Policies -> lower-case names of dynamic groups granted `manage all-resources in tenancy`."""
    if value is None:
        return None
    names: set[str] = set()
    for policy in value:
        for statement in policy.get("statements") or []:
            match = ADMIN_STATEMENT.match(statement)
            if match and match.group("kind").lower() == "dynamic-group":
                names |= {n.strip().split("/")[-1].strip("'\"").lower() for n in match.group("groups").split(",")}
    return sorted(names)


# cross-tenancy: `Admit <subject> of tenancy <alias> to <verb> <resource> in <location>` lets another tenancy's
# principals in (an `Endorse` is the way out, from this tenancy into another, so it is not counted)
ADMIT_STATEMENT = re.compile(r"^\s*admit\s+.+?\s+of\s+tenancy\s+\S+\s+to\s+(?P<grant>.+)$", re.IGNORECASE)
ADMIN_GRANT = re.compile(r"^manage\s+all-resources\s+in\s+tenancy\b", re.IGNORECASE)


@transform("oci_admits")
def oci_admits(value: Any) -> dict[str, Any] | None:
    """A policy's statements -> {admits: Admit statements (another tenancy's principals let in), admin: one of them
    grants `manage all-resources in tenancy`}."""
    if value is None:
        return None
    grants = [m.group("grant").strip() for m in (ADMIT_STATEMENT.match(s) for s in value) if m]
    return {"admits": len(grants), "admin": any(ADMIN_GRANT.match(g) for g in grants)}


@transform("seconds_to_days")
def seconds_to_days(value: Any) -> int | None:
    """Seconds -> whole days (backup retention)."""
    return None if value is None else int(value) // 86400


WRITE_ACTIONS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
IAC_AGENTS = re.compile(r"terraform|pulumi|resource-manager|ansible|crossplane", re.IGNORECASE)
CI_NAMES = re.compile(r"pipeline|deploy|github|gitlab|jenkins|azure-devops|ci[-_.]|[-_.]ci\b|build", re.IGNORECASE)


def _activity_kind(event: dict[str, Any]) -> str | None:
    """One Audit event -> console, iac, pipeline, iac_by_cicd, other; None for a read or a service's own change."""
    data = event.get("data") or {}
    if str((data.get("request") or {}).get("action") or "").upper() not in WRITE_ACTIONS:
        return None
    identity = data.get("identity") or {}
    if str(identity.get("authType") or "").lower() == "service":
        return None  # OCI acting on its own (autoscaling, lifecycle): nobody's change
    agent = str(identity.get("userAgent") or "")
    cicd = str(identity.get("authType") or "").lower() == "res" or bool(CI_NAMES.search(str(identity.get("principalName") or "")))
    if IAC_AGENTS.search(agent):
        return "iac_by_cicd" if cicd else "iac"
    if cicd:
        return "pipeline"
    if identity.get("consoleSessionId") or "console" in agent.lower():
        return "console"
    return "other"


@transform("oci_activity")
def oci_activity(value: Any) -> dict[str, int] | None:
    """A compartment's Audit events over the window -> the activity.changes counts (writes by people and their
    tools; resource principals and CI-named users are CI/CD identities)."""
    if value is None:
        return None
    return activity_counts(value, _activity_kind)


@transform("oci_repo_scanned")
def oci_repo_scanned(value: Any) -> bool | None:
    """{name, targets}: a Vulnerability Scanning container target covers this repository (all repositories of its
    compartment when the target names none)."""
    if not isinstance(value, dict) or value.get("targets") is None:
        return None
    for target in value["targets"]:
        if not _active(target):
            continue
        names = (target.get("targetRegistry") or {}).get("repositories")
        if names is None or value.get("name") in names:
            return True
    return False


# DevOps deploy stage types, by what they do (the OCI DevOps API's deployStageType values)
CANARY_STAGES = frozenset({"COMPUTE_INSTANCE_GROUP_CANARY_DEPLOYMENT", "OKE_CANARY_DEPLOYMENT"})
BLUE_GREEN_STAGES = frozenset({"COMPUTE_INSTANCE_GROUP_BLUE_GREEN_DEPLOYMENT", "OKE_BLUE_GREEN_DEPLOYMENT"})
ROLLING_STAGES = frozenset({"COMPUTE_INSTANCE_GROUP_ROLLING_DEPLOYMENT", "OKE_DEPLOYMENT", "OKE_HELM_CHART_DEPLOYMENT"})
ALL_AT_ONCE_STAGES = frozenset({"DEPLOY_FUNCTION"})
APPROVAL_STAGES = frozenset({"MANUAL_APPROVAL", "COMPUTE_INSTANCE_GROUP_CANARY_APPROVAL", "OKE_CANARY_APPROVAL"})
STAGE_TARGETS = {"COMPUTE_INSTANCE_GROUP": "compute", "OKE": "oke", "DEPLOY_FUNCTION": "functions", "INVOKE_FUNCTION": "functions"}


@transform("oci_deploy_stages")
def oci_deploy_stages(value: Any) -> dict[str, Any] | None:
    """A deploy pipeline's stages -> {strategy, deploys, manual_approval, manual_cutover, auto_rollback, targets}.

    The safest strategy any deploy stage uses wins (canary, then blue-green, then rolling: OKE applies manifests as
    a rolling update). A blue-green or canary release waits for a person when an approval stage gates it."""
    if not isinstance(value, list):
        return None
    types = [str(s.get("deployStageType") or "") for s in value if _active(s)]
    kinds = set(types)
    strategy = (
        "canary"
        if kinds & CANARY_STAGES
        else "blue_green"
        if kinds & BLUE_GREEN_STAGES
        else "rolling"
        if kinds & ROLLING_STAGES
        else "all_at_once"
        if kinds & ALL_AT_ONCE_STAGES
        else None
    )
    deploying = [s for s in value if s.get("deployStageType") in CANARY_STAGES | BLUE_GREEN_STAGES | ROLLING_STAGES | ALL_AT_ONCE_STAGES]
    rollback = [str((s.get("rollbackPolicy") or {}).get("policyType") or "") for s in deploying]
    approval = bool(kinds & APPROVAL_STAGES)
    # an Invoke Function stage whose result is validated fails the release when the function's check fails: a test
    tests = any(s.get("deployStageType") == "INVOKE_FUNCTION" and s.get("isValidationEnabled") is True for s in value if _active(s))
    return {
        "strategy": strategy,
        "deploys": strategy is not None,
        "stages": len(types),
        "manual_approval": approval,
        "tests": tests,
        "manual_cutover": strategy in ("canary", "blue_green") and approval,
        "auto_rollback": bool(rollback) and all(p == "AUTOMATED_STAGE_ROLLBACK_POLICY" for p in rollback),
        "targets": sorted({t for k in kinds for prefix, t in STAGE_TARGETS.items() if k.startswith(prefix)}),
    }


@transform("oci_build_stages")
def oci_build_stages(value: Any) -> dict[str, Any] | None:
    """A build pipeline's stages -> {stages, builds, delivers, deploys} (BUILD runs the build spec; a
    TRIGGER_DEPLOYMENT_PIPELINE stage hands the artefacts to a deploy pipeline)."""
    if not isinstance(value, list):
        return None
    kinds = [str(s.get("buildPipelineStageType") or "") for s in value]
    return {
        "stages": len(kinds),
        "builds": "BUILD" in kinds,
        "deploys": "TRIGGER_DEPLOYMENT_PIPELINE" in kinds,
    }


@transform("seconds_to_minutes")
def seconds_to_minutes(value: Any) -> int | None:
    return int(value) // 60 if isinstance(value, int | float) and not isinstance(value, bool) else None


BUILD_WINDOW_DAYS = 30  # build runs counted as recent (cicd.build_project.recent_builds)


@transform("oci_build_runs")
def oci_build_runs(value: Any) -> dict[str, Any] | None:
    """A build pipeline's runs -> {recent, median_minutes}: runs started in the last 30 days, and the median time of
    those that finished (None when none did)."""
    from statistics import median

    from cmm_scan.cloud.transforms import _as_datetime, now

    if not isinstance(value, list):
        return None
    cutoff = now().timestamp() - BUILD_WINDOW_DAYS * 86400
    recent, minutes = 0, []
    for run in value:
        progress = run.get("buildRunProgressSummary") or {}
        started = _as_datetime(progress.get("timeStarted") or run.get("timeCreated"))
        if started is None or started.timestamp() < cutoff:
            continue
        recent += 1
        finished = _as_datetime(progress.get("timeFinished"))
        if finished is not None and str(run.get("lifecycleState") or "").upper() in ("SUCCEEDED", "FAILED"):
            minutes.append((finished - started).total_seconds() / 60)
    return {"recent": recent, "median_minutes": round(median(minutes), 1) if minutes else None}


@transform("oci_duration_days")
def oci_duration_days(value: Any) -> int | None:
    """An ISO 8601 duration (a secret's rotation interval, P30D) -> whole days."""
    from cmm_scan.cloud.transforms import iso_duration_hours

    hours = iso_duration_hours(value)
    return None if hours is None else int(hours // 24)


RECIPIENT_DELIMITERS = re.compile(r"[,;\s]+")
# an address naming a finance function is finance's; any other is a team's (engineers, a team list)
FINANCE_WORDS = ("finance", "billing", "accounts", "payable", "procurement", "cfo", "finops")


def _recipients(value: Any) -> list[str] | None:
    if not isinstance(value, str):
        return None
    return [r for r in RECIPIENT_DELIMITERS.split(value) if r]


@transform("oci_recipient_count")
def oci_recipient_count(value: Any) -> int | None:
    """A budget alert rule's recipients, one string delimited by commas, spaces, tabs or semicolons -> how many."""
    recipients = _recipients(value)
    return None if recipients is None else len(recipients)


@transform("oci_team_recipient_count")
def oci_team_recipient_count(value: Any) -> int | None:
    """Of a budget alert rule's recipients, those whose address names no finance function."""
    recipients = _recipients(value)
    return None if recipients is None else sum(1 for r in recipients if not any(w in r.lower() for w in FINANCE_WORDS))


@transform("oci_compartment_tree")
def oci_compartment_tree(value: Any) -> dict[str, int] | None:
    """The compartments below the root (ListCompartments over the subtree) -> {accounts: the root and every active
    compartment, ous: the compartments that hold compartments}."""
    if not isinstance(value, list):
        return None
    active = [c for c in value if isinstance(c, dict) and _active(c)]
    ids = {c.get("id") for c in active}
    return {"accounts": 1 + len(active), "ous": len({c.get("compartmentId") for c in active} & ids)}


@transform("oci_in_force")
def oci_in_force(value: Any) -> bool | None:
    """An RFC 3339 time from which something takes effect (a retention lock): '' = never set (False), else whether
    that time has passed."""
    if not isinstance(value, str):
        return None
    from cmm_scan.cloud.transforms import _as_datetime, now

    if not value:
        return False
    when = _as_datetime(value)
    return None if when is None else when <= now()


LOG_QUERY_KEYS = frozenset({"searchQuery", "logQuery", "logSearchQuery"})
TEXT_WIDGETS = frozenset({"text", "markdown", "label"})


def _widget_data(node: Any, found: dict[str, bool]) -> None:
    """Walk a widget's JSON: metric namespaces (OCI's own are oci_*) and log searches."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "namespace" and isinstance(value, str) and value:
                found["application" if not value.startswith("oci_") else "service"] = True
            elif key in LOG_QUERY_KEYS and isinstance(value, str) and value.strip():
                found["application"] = True
            else:
                _widget_data(value, found)
    elif isinstance(node, list):
        for item in node:
            _widget_data(item, found)


@transform("oci_dashboard_application")
def oci_dashboard_application(value: Any) -> bool | None:
    """A dashboard's widgets (or tiles) -> it shows application data: a metric outside OCI's own oci_* namespaces or
    a log search. False only when every widget is read as a service metric or text; a widget the walk cannot place
    leaves it unknown (never "no application data" from what was not understood)."""
    if not isinstance(value, list):
        return None
    placed = True
    for widget in value:
        found: dict[str, bool] = {}
        _widget_data(widget, found)
        if found.get("application"):
            return True
        if not found.get("service") and str((widget or {}).get("type") or "").lower() not in TEXT_WIDGETS:
            placed = False
    return False if placed else None


# a workload (a dynamic group's instances or resources, or any principal a condition narrows) allowed to pull images
# from every compartment's repositories: the registry serves every environment of the tenancy
TENANCY_PULL = re.compile(
    r"^\s*allow\s+(dynamic-group\s+.+?|any-user)\s+to\s+(read|use|manage)\s+(repos|all-resources)\s+in\s+tenancy\b", re.IGNORECASE
)


@transform("oci_tenancy_repo_pull")
def oci_tenancy_repo_pull(value: Any) -> bool | None:
    """Policies (each with `statements`) -> some statement lets workloads pull from repositories tenancy-wide."""
    if value is None:
        return None
    return any(TENANCY_PULL.match(s) for policy in value for s in policy.get("statements") or [])


@transform("oci_signon_mfa_required")
def oci_signon_mfa_required(value: Any) -> bool | None:
    """An identity domain's sign-on rules -> MFA is required of everyone they let in: some active rule lets people in
    and every active one that does returns `mfaRequired` true. Any rule not plainly denying (`effect` DENY) counts as
    letting people in, so a rule this cannot read never makes MFA look enforced. None when the rules were not read."""
    if not isinstance(value, list):
        return None
    allowing = []
    for rule in value:
        if not isinstance(rule, dict) or rule.get("active") is False:
            continue
        returns = {str(r.get("name", "")).lower(): str(r.get("value", "")).lower() for r in rule.get("return") or [] if isinstance(r, dict)}
        if returns.get("effect") == "deny":
            continue
        allowing.append(returns.get("mfarequired") == "true")
    return bool(allowing) and all(allowing)


@transform("oci_phone_factors")
def oci_phone_factors(value: Any) -> bool | None:
    """An identity domain's AuthenticationFactorSettings -> SMS or phone-call codes are allowed as a second factor."""
    if not isinstance(value, dict):
        return None
    return bool(value.get("smsEnabled")) or bool(value.get("phoneCallEnabled"))
