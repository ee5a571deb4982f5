"""Transforms for GCP specs (`transform: name`, or `apply('name', value)` in an expression): Google's shapes to
neutral attribute values, registered in the shared table (cmm_scan.cloud.transforms). The generic ones
(age_days, tag_map, has_cost_tags, length, ...) live there; the ones here know Google's resources.
None means "not read".
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from cmm_scan.cloud import transforms as shared

transform = shared.transform
ADMIN_PORTS = (22, 3389)
ARM_FAMILIES = ("t2a", "c4a", "n4a")
# Autoscaler metrics that are standard load signals (not application, queue or custom metrics).
STANDARD_METRICS = ("compute.googleapis.com/instance/cpu", "compute.googleapis.com/instance/network", "loadbalancing.googleapis.com")


@transform("gcp_region")
def region(location: Any) -> str:
    """A zone's region (europe-west2-a → europe-west2); regions, multi-regions (EU, us) and global as they are."""
    if not location or not isinstance(location, str):
        return "global"
    text = location.lower()
    return text[:-2] if re.fullmatch(r"[a-z]+-[a-z]+\d+-[a-z]", text) else text


@transform("last_segment")
def last_segment(value: Any) -> str | None:
    return value.rsplit("/", 1)[-1] if isinstance(value, str) and value else None


@transform("machine_family")
def machine_family(value: Any) -> str | None:
    """zones/z/machineTypes/n2-standard-4 → n2; custom-2-4096 → custom."""
    name = last_segment(value)
    return name.split("-", 1)[0] if name else None


@transform("machine_arm")
def machine_arm(value: Any) -> bool | None:
    family = machine_family(value)
    return None if family is None else family in ARM_FAMILIES


@transform("mig_of_instance")
def mig_of_instance(value: Any) -> str | None:
    """The managed instance group an instance belongs to, from its `created-by` metadata; 'none' when standalone."""
    items = (value or {}).get("items") if isinstance(value, dict) else None
    if items is None:
        return "none"
    created_by = next((i.get("value") for i in items if isinstance(i, dict) and i.get("key") == "created-by"), None)
    return last_segment(created_by) if created_by and "instanceGroupManagers/" in created_by else "none"


@transform("autoscaling_summary")
def autoscaling_summary(value: Any) -> dict[str, Any] | None:
    """An autoscaler's policy (or none) → policy_types, metric_kinds, dynamic, advanced_metrics, scheduled_only, min, max."""
    if not isinstance(value, dict):
        return None
    autoscalers = value.get("autoscalers")
    if autoscalers is None:
        return None
    if not autoscalers:
        return {
            "policy_types": [],
            "metric_kinds": [],
            "dynamic": False,
            "advanced_metrics": False,
            "scheduled_only": False,
            "min": None,
            "max": None,
        }
    policy = (autoscalers[0].get("data") or {}).get("autoscalingPolicy") or {}
    mode = policy.get("mode", "ON")
    kinds: list[str] = []
    cpu = policy.get("cpuUtilization") or {}
    if cpu.get("utilizationTarget") is not None or not any(
        policy.get(k) for k in ("loadBalancingUtilization", "customMetricUtilizations", "scalingSchedules")
    ):
        kinds.append("cpu")
    if cpu.get("predictiveMethod") in ("OPTIMIZE_AVAILABILITY", "STANDARD"):
        kinds.append("predictive")
    if policy.get("loadBalancingUtilization"):
        kinds.append("request_count")
    for metric in policy.get("customMetricUtilizations") or []:
        if not isinstance(metric, dict):
            continue  # a null entry names no metric: no kind of scaling
        name = str(metric.get("metric", ""))
        if name.startswith(STANDARD_METRICS):
            kinds.append("network" if "network" in name else "cpu")
        else:
            kinds.append("queue" if "pubsub" in name or "queue" in name else "custom")
    # int32 fields: JSON numbers, though a string is valid proto3 JSON too; minNumReplicas unset or null is 1 here
    lo, hi = _count(policy.get("minNumReplicas"), 1), _count(policy.get("maxNumReplicas"), None)
    demand = [k for k in kinds if k != "scheduled"]
    dynamic = mode != "OFF" and hi is not None and lo is not None and lo < hi and bool(demand)
    schedules = bool(policy.get("scalingSchedules"))
    policy_types = (
        (["target_tracking"] if demand and mode != "OFF" else [])
        + (["predictive"] if "predictive" in kinds else [])
        + (["scheduled"] if schedules else [])
    )
    return {
        "policy_types": policy_types,
        "metric_kinds": sorted(set(kinds + (["scheduled"] if schedules else []))),
        "dynamic": bool(dynamic),
        "advanced_metrics": bool(dynamic) and bool({"queue", "custom", "predictive"} & set(kinds)),
        "scheduled_only": schedules and (mode == "OFF" or not dynamic),
        "min": lo,
        "max": hi,
    }


def _count(value: Any, default: int | None) -> int | None:
    """A whole number as proto3 JSON writes it (a number or a numeric string); null or unset: `default`."""
    if value is None:
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@transform("gcs_versioning")
def gcs_versioning(value: Any) -> str:
    return "Enabled" if isinstance(value, dict) and value.get("enabled") else "none"


@transform("gcs_lifecycle")
def gcs_lifecycle(value: Any) -> dict[str, Any]:
    rules = (value or {}).get("rule") or [] if isinstance(value, dict) else []
    actions = [str((r.get("action") or {}).get("type", "")) for r in rules if isinstance(r, dict)]
    return {"rules": len(rules), "expiration": "Delete" in actions, "transition": "SetStorageClass" in actions}


@transform("gcs_lock_mode")
def gcs_lock_mode(value: Any) -> str:
    """A locked retention policy cannot be shortened or removed (WORM, compliance); an unlocked one can (governance)."""
    if not isinstance(value, dict) or not value.get("retentionPeriod"):
        return "none"
    return "COMPLIANCE" if value.get("isLocked") else "GOVERNANCE"


@transform("gcs_encryption")
def gcs_encryption(value: Any) -> str:
    return "kms-customer" if isinstance(value, dict) and value.get("defaultKmsKeyName") else "sse-s3"


@transform("firewall_exposure")
def firewall_exposure(value: Any) -> dict[str, bool | None] | None:
    """An ingress allow rule from 0.0.0.0/0 or ::/0: open to the internet, and whether SSH/RDP or every port is."""
    if not isinstance(value, dict):
        return None
    ranges = value.get("sourceRanges") or []
    is_open = (
        str(value.get("direction") or "INGRESS").upper() == "INGRESS"  # unset or null: INGRESS, the API's default
        and not value.get("disabled")
        and bool(value.get("allowed"))
        and any(r in ("0.0.0.0/0", "::/0") for r in ranges)
    )
    admin: bool | None = False
    if is_open:
        for allowed in value.get("allowed") or []:
            if not isinstance(allowed, dict):
                continue
            protocol = str(allowed.get("IPProtocol") or "").lower()
            if protocol == "all" or (protocol in ("tcp", "6") and not allowed.get("ports")):
                admin = True
            for port in allowed.get("ports") or []:
                lo, _, hi = str(port).strip().partition("-")
                if not (lo.isdigit() and (hi or lo).isdigit()):
                    admin = admin or None  # a port we cannot read: whether SSH/RDP is open is unknown, not "no"
                elif any(int(lo) <= p <= int(hi or lo) for p in ADMIN_PORTS):
                    admin = True
    return {"open": is_open, "admin": admin}


@transform("duration_days")
def duration_days(value: Any) -> int | None:
    """Google's duration string (7776000s) in days."""
    if not isinstance(value, str) or not value.endswith("s"):
        return None
    try:
        return int(float(value[:-1]) // 86400)
    except ValueError:
        return None


@transform("org_constraint")
def org_constraint(value: Any) -> dict[str, Any] | None:
    """One org policy (v1 shape in CAI) → what it enforces."""
    if not isinstance(value, dict):
        return None
    named = value.get("constraint")
    constraint = str(named).removeprefix("constraints/") if named else None
    boolean = value.get("booleanPolicy") or {}
    listed = value.get("listPolicy") or {}
    enforced = (
        bool(boolean.get("enforced"))
        or bool(listed.get("allowedValues") or listed.get("deniedValues"))
        or listed.get("allValues") == "DENY"
    )
    return {"constraint": constraint, "enforced": enforced}


@transform("alert_metric")
def alert_metric(value: Any) -> str | None:
    """The metric type an alert policy's first condition watches (from its filter or PromQL), '' when none."""
    if not isinstance(value, list):
        return None
    for condition in value:
        for kind in ("conditionThreshold", "conditionAbsent", "conditionMatchedLog", "conditionMonitoringQueryLanguage"):
            body = condition.get(kind) if isinstance(condition, dict) else None
            if not isinstance(body, dict):
                continue
            text = str(body.get("filter") or body.get("query") or "")
            match = re.search(r'metric\.type\s*=\s*"([^"]+)"', text)
            if match:
                return match.group(1)
            if kind == "conditionMatchedLog":
                return "logging.googleapis.com/log_match"
        if isinstance(condition, dict) and condition.get("conditionPrometheusQueryLanguage"):
            return "prometheus.googleapis.com/promql"
    return ""


CUSTOM_METRIC_PREFIXES = (
    "custom.googleapis.com/",
    "logging.googleapis.com/user/",
    "workload.googleapis.com/",
    "prometheus.googleapis.com/",
    "external.googleapis.com/",
)


@transform("custom_metric")
def custom_metric(value: Any) -> bool | None:
    """Application metrics: custom, log-based, OpenTelemetry/Prometheus or external, not Google's service metrics."""
    return None if value is None else str(value).startswith(CUSTOM_METRIC_PREFIXES)


@transform("metric_namespace")
def metric_namespace(value: Any) -> str | None:
    return None if value is None else str(value).split("/", 1)[0]


@transform("builds_summary")
def builds_summary(value: Any) -> dict[str, Any] | None:
    """Builds of the last 30 days: how many, and their median duration in minutes."""
    if not isinstance(value, list):
        return None
    from statistics import median

    recent, minutes = 0, []
    for build in value:
        age = shared.age_days(build.get("createTime"))
        if age is None or age > 30:
            continue
        recent += 1
        start, finish = shared._as_datetime(build.get("startTime")), shared._as_datetime(build.get("finishTime"))
        if start and finish:
            minutes.append((finish - start).total_seconds() / 60)
    return {"recent": recent, "median_minutes": round(median(minutes), 2) if minutes else None}


@transform("trigger_source")
def trigger_source(value: Any) -> str | None:
    if not isinstance(value, dict):
        return None
    if value.get("github"):
        return "GITHUB"
    repo = (value.get("repositoryEventConfig") or {}).get("repository") or (value.get("sourceToBuild") or {}).get("repository") or ""
    if "github" in str(repo).lower():
        return "GITHUB"
    if value.get("triggerTemplate"):
        return "CLOUD_SOURCE_REPOSITORIES"
    if value.get("pubsubConfig"):
        return "PUBSUB"
    if value.get("webhookConfig"):
        return "WEBHOOK"
    return "REPOSITORY" if repo else "NO_SOURCE"


@transform("sa_keys")
def sa_keys(value: Any) -> dict[str, Any] | None:
    """A service account's user-managed keys (Google-managed ones rotate themselves): active count, oldest age."""
    if not isinstance(value, list):
        return None
    active = [k for k in value if (k.get("data") or {}).get("keyType") == "USER_MANAGED" and not (k.get("data") or {}).get("disabled")]
    ages = [a for a in (shared.age_days((k.get("data") or {}).get("validAfterTime")) for k in active) if a is not None]
    return {"active": len(active), "oldest_age_days": max(ages) if ages else 0}


@transform("sink_bucket")
def sink_bucket(value: Any) -> str | None:
    """A sink destination → the name its bucket's asset carries (Cloud Logging bucket path, or a GCS bucket name)."""
    if not isinstance(value, str):
        return None
    for prefix in ("logging.googleapis.com/", "storage.googleapis.com/"):
        if value.startswith(prefix):
            return value.removeprefix(prefix)
    return value


@transform("budget_notifications")
def budget_notifications(value: Any) -> int | None:
    """Alert thresholds that reach someone: billing admins by default, or channels / a Pub/Sub topic."""
    if not isinstance(value, dict):
        return None
    rule = value.get("notificationsRule") or {}
    reaches = (
        not rule.get("disableDefaultIamRecipients") or bool(rule.get("monitoringNotificationChannels")) or bool(rule.get("pubsubTopic"))
    )
    return len(value.get("thresholdRules") or []) if reaches else 0


# Security Command Center services and the neutral kind of each (security.service `kind`): Security Health
# Analytics checks posture; Event, Container and VM Threat Detection detect threats; Web Security Scanner
# scans for vulnerabilities. Others (rapid vulnerability detection, notebook scanning...) are not mapped.
SCC_KINDS = {
    "security-health-analytics": "posture",
    "event-threat-detection": "threat_detection",
    "container-threat-detection": "threat_detection",
    "vm-threat-detection": "threat_detection",
    "web-security-scanner": "vulnerability_scanning",
}


@transform("scc_service")
def scc_service(value: Any) -> str | None:
    """securityCenterServices/event-threat-detection → event-threat-detection, for the services SCC_KINDS maps."""
    name = (last_segment(value) or "").lower().replace("_", "-")
    return name if name in SCC_KINDS else None


@transform("scc_kind")
def scc_kind(value: Any) -> str | None:
    """An SCC service's short name → its neutral kind (threat_detection, posture, vulnerability_scanning)."""
    return SCC_KINDS.get(value) if isinstance(value, str) else None


@transform("gcp_owned_link")
def owned_link(value: Any) -> str | None:
    """[owner, compute link] → 'owner|zones/z/instanceGroupManagers/web': a join key within one project, so
    `https://…/projects/app-1/zones/z/…/web` (by id) meets `projects/1001/zones/z/…/web` (by number)."""
    if not isinstance(value, list) or len(value) != 2 or not all(isinstance(v, str) and v for v in value):
        return None
    match = re.search(r"/((?:zones|regions)/.+)$", value[1])
    return f"{value[0]}|{match.group(1) if match else value[1]}"


@transform("gcp_link")
def link(value: Any) -> str | None:
    """A destination or link without its API host: `logging.googleapis.com/projects/p/…` → `projects/p/…`."""
    return re.sub(r"^[a-z]+\.googleapis\.com/", "", value) if isinstance(value, str) else None


# Roles that administer everything in their scope: the primitive owner and editor roles, and the roles that
# can grant any role (and so themselves owner).
ADMIN_ROLES = frozenset(
    {
        "roles/owner",
        "roles/editor",
        "roles/resourcemanager.organizationAdmin",
        "roles/resourcemanager.folderAdmin",
        "roles/resourcemanager.projectIamAdmin",
        "roles/iam.securityAdmin",
    }
)


@transform("gcp_admin_roles")
def admin_roles(value: Any) -> bool | None:
    """A member's roles in one scope → whether one of them administers it."""
    return bool(set(value) & ADMIN_ROLES) if isinstance(value, list) else None


@transform("gcp_attestors")
def attestors(value: Any) -> list[dict[str, Any]] | None:
    """A Binary Authorization policy → [{attestor, enforced}] for each attestor its rules require (default and
    per-cluster); enforced when one rule requiring it blocks deployments rather than only auditing them."""
    if not isinstance(value, dict):
        return None
    rules = [value.get("defaultAdmissionRule") or {}, *(value.get("clusterAdmissionRules") or {}).values()]
    found: dict[str, bool] = {}
    for rule in rules:
        if not isinstance(rule, dict) or rule.get("evaluationMode") != "REQUIRE_ATTESTATION":
            continue
        enforced = rule.get("enforcementMode", "ENFORCED_BLOCK_AND_AUDIT_LOG") == "ENFORCED_BLOCK_AND_AUDIT_LOG"
        for attestor in rule.get("requireAttestationsBy") or []:
            found[str(attestor)] = found.get(str(attestor), False) or enforced
    return [{"attestor": name, "enforced": enforced} for name, enforced in sorted(found.items())]


# Who made an Admin Activity audit entry (protoPayload: an AuditLog).
SERVICE_AGENTS = re.compile(
    r"^(service-\d+@|\d+@cloudservices\.)|@gcp-sa-|@compute-system\.|-robot\.iam\.|@system\.gserviceaccount\.com$", re.IGNORECASE
)
IAC_AGENTS = re.compile(r"terraform|opentofu|pulumi|config-connector|cnrm|deployment-manager|crossplane", re.IGNORECASE)
CI_PRINCIPALS = re.compile(
    r"@cloudbuild\.gserviceaccount\.com$|pipeline|deploy|github|gitlab|jenkins|build|circleci|[-_.]ci[-_.@]|^ci[-_.]", re.IGNORECASE
)


def activity_kind(entry: Any) -> str | None:
    """One audit entry → console, iac, pipeline, iac_by_cicd or other; None for Google's own change (a service
    agent: autoscaling, GKE, managed instance groups) or an entry that is not an audit record."""
    payload = (entry or {}).get("protoPayload") if isinstance(entry, dict) else None
    if not isinstance(payload, dict):
        return None
    auth = payload.get("authenticationInfo") or {}
    principal = str(auth.get("principalEmail") or "")
    if not principal or SERVICE_AGENTS.search(principal):
        return None
    agent = str((payload.get("requestMetadata") or {}).get("callerSuppliedUserAgent") or "")
    delegated = " ".join(
        str(d.get("principalSubject") or "") for d in auth.get("serviceAccountDelegationInfo") or [] if isinstance(d, dict)
    )
    # a CI/CD identity: a service account named for it, Cloud Build's, or one a CI system (workload identity) acts as
    cicd = principal.endswith("gserviceaccount.com") and (bool(CI_PRINCIPALS.search(principal)) or "workloadIdentityPools" in delegated)
    if IAC_AGENTS.search(agent):
        return "iac_by_cicd" if cicd else "iac"
    if cicd:
        return "pipeline"
    if "mozilla" in agent.lower() or "console" in agent.lower():
        return "console"
    return "other"


@transform("gcp_activity")
def activity_counts(value: Any) -> dict[str, int] | None:
    """A project's Admin Activity entries → the activity.changes counts (people and their tools; Google's own
    service agents left out)."""
    if not isinstance(value, list):
        return None
    return shared.activity_counts(value, activity_kind)


@transform("gcp_stage_targets")
def stage_targets(value: Any) -> list[str] | None:
    """A Cloud Deploy pipeline → the full names of the targets its stages deploy to (its location's targets)."""
    if not isinstance(value, dict) or not isinstance(value.get("name"), str):
        return None
    location = value["name"].split("/deliveryPipelines/", 1)[0]
    stages = (value.get("serialPipeline") or {}).get("stages") or []
    return [f"{location}/targets/{s['targetId']}" for s in stages if isinstance(s, dict) and s.get("targetId")]


TARGET_KINDS = {"gke": "GKE", "run": "CloudRun", "anthosCluster": "GKE", "multiTarget": "MultiTarget", "customTarget": "Custom"}


@transform("gcp_target_kinds")
def target_kinds(value: Any) -> list[str] | None:
    """Cloud Deploy targets (assets) → what they deploy to: GKE, CloudRun, ..."""
    if not isinstance(value, list):
        return None
    found = {kind for target in value for key, kind in TARGET_KINDS.items() if ((target or {}).get("data") or {}).get(key) is not None}
    return sorted(found)


@transform("gcp_log_metrics_watched")
def log_metrics_watched(value: Any) -> list[str] | None:
    """The log-based metrics an alert policy's conditions watch (logging.googleapis.com/user/NAME), as
    PROJECT/NAME: {project: projects/N, conditions: [...]}."""
    if not isinstance(value, dict) or not isinstance(value.get("conditions"), list):
        return None
    found: list[str] = []
    for condition in value["conditions"]:
        for body in condition.values() if isinstance(condition, dict) else ():
            if isinstance(body, dict):
                text = str(body.get("filter") or body.get("query") or "")
                found += re.findall(r"logging\.googleapis\.com/user/([A-Za-z0-9_./%-]+)", text)
    return sorted({f"{value.get('project')}/{name}" for name in found})


@transform("gcp_dashboard_widgets")
def dashboard_widgets(value: Any) -> list[dict[str, Any]] | None:
    """The widgets of a Cloud Monitoring dashboard, whatever its layout (grid, mosaic tiles, rows or columns)."""
    if not isinstance(value, dict):
        return None
    widgets = list((value.get("gridLayout") or {}).get("widgets") or [])
    tiles = (value.get("mosaicLayout") or {}).get("tiles") or []
    widgets += [tile["widget"] for tile in tiles if isinstance(tile, dict) and tile.get("widget")]
    for layout, parts in (("rowLayout", "rows"), ("columnLayout", "columns")):
        for part in (value.get(layout) or {}).get(parts) or []:
            widgets += (part or {}).get("widgets") or []
    return [w for w in widgets if isinstance(w, dict)]


def _queries(value: Any) -> list[tuple[str, str]]:
    """Every query in a widget, with its kind: Monitoring or log filters, MQL, PromQL."""
    if isinstance(value, dict):
        found = [(k, str(v)) for k, v in value.items() if k in ("filter", "timeSeriesQueryLanguage", "prometheusQuery") and v]
        return found + [q for v in value.values() for q in _queries(v)]
    if isinstance(value, list):
        return [q for v in value for q in _queries(v)]
    return []


@transform("gcp_widgets_show_application")
def widgets_show_application(value: Any) -> bool | None:
    """A widget shows application data: logs (a logs panel), a PromQL query (Managed Prometheus: workload
    metrics), or a metric outside Google's own services (custom, log-based, workload, Prometheus or external)."""
    if not isinstance(value, list):
        return None
    for widget in value:
        if not isinstance(widget, dict):
            continue
        if widget.get("logsPanel") is not None:
            return True
        for kind, text in _queries(widget):
            if kind == "prometheusQuery" or any(prefix in text for prefix in CUSTOM_METRIC_PREFIXES):
                return True
    return False


@transform("gcp_percent")
def percent(value: Any) -> float | None:
    """A budget threshold (a fraction: 0.9) as a percentage (90.0)."""
    return None if not isinstance(value, int | float) or isinstance(value, bool) else round(float(value) * 100, 4)


@transform("gcp_time_passed")
def time_passed(value: Any) -> bool | None:
    """Whether a timestamp (RFC 3339) is in the past: a backup vault's lock `effectiveTime`. No timestamp: False."""
    if value is None or value == "":
        return False
    try:
        when = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return (when if when.tzinfo else when.replace(tzinfo=UTC)) <= shared.now()


@transform("gcp_directory_unused_days")
def directory_unused_days(user: Any) -> int | None:
    """Days since a directory user last signed in; the directory says 1970-01-01 for never, then the account's age."""
    if not isinstance(user, dict):
        return None
    last = str(user.get("lastLoginTime") or "")
    return shared.age_days(user.get("creationTime") if not last or last.startswith("1970-") else last)


def _factor_sets(policies: Any) -> list[str] | None:
    """The allowed 2-Step Verification factor sets of the directory's policies (every unit and group they name)."""
    if not isinstance(policies, list):
        return None
    return [
        str(((p.get("setting") or {}).get("value") or {}).get("allowedSignInFactorSet") or "ALL")
        for p in policies
        if isinstance(p, dict) and (p.get("setting") or {}).get("type") == "settings/security.two_step_verification_enforcement_factor"
    ]


@transform("gcp_2sv_kind")
def two_step_kind(value: Any) -> str | None:
    """{user, policies} → 'hardware' for an enrolled person when every factor policy allows passkeys and security
    keys only; None otherwise (another method may be in use: a person's methods are not listed)."""
    if not isinstance(value, dict) or not isinstance(value.get("user"), dict):
        return None
    sets = _factor_sets(value.get("policies"))
    if not sets or value["user"].get("isEnrolledIn2Sv") is not True:
        return None
    return "hardware" if all(s == "PASSKEY_ONLY" for s in sets) else None


@transform("gcp_phone_factors_allowed")
def phone_factors_allowed(policies: Any) -> bool | None:
    """Whether SMS or voice codes may be a second step: yes unless every factor policy rules the telephone out
    (no policy: Google's default allows every method)."""
    sets = _factor_sets(policies)
    if sets is None:
        return None
    return not sets or any(s not in ("NO_TELEPHONY", "PASSKEY_ONLY") for s in sets)


@transform("gcp_admin_members")
def admin_members(policy: Any) -> list[str]:
    """An IAM policy → the members bound to a role that administers its resource (a join key per member)."""
    bindings = (policy or {}).get("bindings") if isinstance(policy, dict) else None
    return sorted({str(m) for b in bindings or [] if isinstance(b, dict) and b.get("role") in ADMIN_ROLES for m in b.get("members") or []})


FINANCE_WORDS = ("finance", "billing", "accounts", "payable", "procurement", "cfo", "finops")


@transform("gcp_team_channels")
def team_channels(value: Any) -> int | None:
    """{names, channels, topic} → how many of a budget's notification channels reach a team (an address and a name
    naming no finance function), from the channels listed in its first channel's project; 0 only when every channel
    was found, none is a team's and no Pub/Sub topic (whose subscribers are not read) is told; else unknown."""
    if not isinstance(value, dict):
        return None
    names = [str(n) for n in value.get("names") or []]
    listed = {str(c.get("name", "")).rsplit("/", 1)[-1]: c for c in value.get("channels") or [] if isinstance(c, dict)}
    found = [listed[n.rsplit("/", 1)[-1]] for n in names if n.rsplit("/", 1)[-1] in listed]

    def finance(channel: dict[str, Any]) -> bool:
        text = " ".join([str(channel.get("displayName") or ""), *map(str, (channel.get("labels") or {}).values())]).lower()
        return any(word in text for word in FINANCE_WORDS)

    teams = sum(1 for c in found if c.get("enabled") is not False and not finance(c))
    if teams:
        return teams
    return 0 if len(found) == len(names) and not value.get("topic") else None


# Roles that let a member pull from an Artifact Registry repository.
PULL_ROLES = frozenset(
    {
        "roles/artifactregistry.reader",
        "roles/artifactregistry.writer",
        "roles/artifactregistry.repoAdmin",
        "roles/artifactregistry.admin",
        "roles/owner",
        "roles/editor",
        "roles/viewer",
    }
)


@transform("gcp_shared_pull")
def shared_pull(value: Any) -> bool | None:
    """{policy, project, number} → whether a repository's own IAM policy lets pull a member beyond its project's
    workloads: another project's service account, workload identities, the domain, or anyone. People (users,
    groups) pulling are not another environment. No policy: only the project's own roles reach it."""
    if not isinstance(value, dict):
        return None
    own = tuple(str(v) for v in (value.get("project"), value.get("number")) if v)
    for binding in ((value.get("policy") or {}).get("bindings")) or []:
        if not isinstance(binding, dict) or binding.get("role") not in PULL_ROLES:
            continue
        for member in binding.get("members") or []:
            member = str(member)
            if member in ("allUsers", "allAuthenticatedUsers") or member.startswith(("domain:", "principal:", "principalSet:")):
                return True
            if member.startswith("serviceAccount:") and not any(o in member for o in own):
                return True
    return False


def _stage_rules(value: Any, rule: str) -> list[dict[str, Any]] | None:
    """{stage, automations} → the rules of kind `rule` of the automations that act on the stage's target."""
    if not isinstance(value, dict) or not isinstance(value.get("stage"), dict) or not isinstance(value.get("automations"), list):
        return None
    target = value["stage"].get("targetId")
    found = []
    for automation in value["automations"]:
        if not isinstance(automation, dict) or automation.get("suspended") is True:
            continue
        selected = [t.get("id") for t in (automation.get("selector") or {}).get("targets") or [] if isinstance(t, dict)]
        if "*" not in selected and target not in selected:
            continue
        found += [r[rule] for r in automation.get("rules") or [] if isinstance(r, dict) and isinstance(r.get(rule), dict)]
    return found


@transform("gcp_canary_manual")
def canary_manual(value: Any) -> bool | None:
    """A stage → whether a person moves users to the new version: a canary stage unless an automation advances its
    rollouts; a standard stage replaces the version itself (no switch to make)."""
    rules = _stage_rules(value, "advanceRolloutRule")
    if rules is None:
        return None
    return bool((value["stage"].get("strategy") or {}).get("canary")) and not rules


@transform("gcp_stage_rolls_back")
def stage_rolls_back(value: Any) -> bool | None:
    """A stage → whether a failed rollout rolls back by itself (an automation repairs it with a rollback phase)."""
    rules = _stage_rules(value, "repairRolloutRule")
    if rules is None:
        return None
    return any(isinstance(p, dict) and "rollback" in p for r in rules for p in r.get("repairPhases") or [])


@transform("gcp_stage_alarm_rollback")
def stage_alarm_rollback(value: Any) -> bool | None:
    """A stage → whether an alert rolls a rollout back: the stage analyses the new version (alert policies of Cloud
    Monitoring, or custom checks) and an automation repairs a failed rollout with a rollback."""
    rolls_back = stage_rolls_back(value)
    if rolls_back is None:
        return None
    strategy = value["stage"].get("strategy") or {}
    canary = strategy.get("canary") or {}
    analyses = [
        (strategy.get("standard") or {}).get("analysis"),
        (canary.get("canaryDeployment") or {}).get("analysis"),
        *[(p or {}).get("analysis") for p in (canary.get("customCanaryDeployment") or {}).get("phaseConfigs") or [] if isinstance(p, dict)],
    ]
    watched = any(
        isinstance(a, dict) and ((a.get("googleCloud") or {}).get("alertPolicyChecks") or a.get("customChecks")) for a in analyses
    )
    return rolls_back and watched


# Cloud Build's and Cloud Deploy's monitored resources and services, as alert conditions name them
CICD_MARKERS = ('resource.type="build"', "resource.type=build", "cloudbuild.googleapis.com", "clouddeploy.googleapis.com")


@transform("gcp_cicd_conditions")
def cicd_conditions(value: Any) -> bool | None:
    """An alert policy's conditions → whether one watches builds or deployments (Cloud Build, Cloud Deploy)."""
    if not isinstance(value, list):
        return None
    text = json.dumps(value).replace('\\"', '"').replace(" = ", "=")
    return any(marker in text for marker in CICD_MARKERS)


@transform("gcp_insight_unused_days")
def insight_unused_days(value: Any) -> int | None:
    """{here, roles, insights} → the observation window's days when the member's policy insights for each of its
    roles show no permission exercised in it; None when the insights are not of this level, missing for a role,
    or show use (used within the window: the day is not given)."""
    if not isinstance(value, dict) or not value.get("here") or not isinstance(value.get("insights"), list):
        return None
    by_role = {str((i.get("content") or {}).get("role")): i for i in value["insights"] if isinstance(i, dict)}
    days = []
    for role in value.get("roles") or []:
        insight = by_role.get(str(role))
        if insight is None or (insight.get("content") or {}).get("exercisedPermissions"):
            return None
        days.append(duration_days(insight.get("observationPeriod")))
    return min(days) if days and None not in days else None
