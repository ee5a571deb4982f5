"""AWS transforms a spec attribute may apply (`transform: name`); the generic ones (tags, ages,
durations, lengths) and the registry are in cmm_scan.cloud.transforms, re-exported here."""

from __future__ import annotations

import re
from typing import Any

from cmm_scan.cloud.transforms import TRANSFORMS, apply, json_document, tag_map, transform  # noqa: F401  (re-exported)


@transform("instance_family")
def instance_family(value: Any) -> str | None:
    """m5.large -> m5; db.r6g.large -> r6g."""
    if not isinstance(value, str):
        return None
    parts = value.removeprefix("db.").removeprefix("cache.").split(".")
    return parts[0]


GRAVITON = re.compile(r"^(a1|[a-z]+\d+g[a-z]*)$")


@transform("is_arm")
def is_arm(value: Any) -> bool | None:
    """{arch, type}: arm64 architecture, or a Graviton instance family (m6g, t4g, c7gn...)."""
    if value is None:
        return None
    if value.get("arch") == "arm64":
        return True
    family = instance_family(value.get("type"))
    return None if family is None and value.get("arch") is None else bool(family and GRAVITON.match(family))


KUBERNETES_TAGS = ("eks:cluster-name", "eks:nodegroup-name", "karpenter.sh/nodepool", "karpenter.sh/provisioner-name")


@transform("kubernetes_node")
def kubernetes_node(value: Any) -> bool | None:
    """Tags of a Kubernetes worker node or node group (EKS, self-managed, Karpenter)."""
    tags = tag_map(value)
    if tags is None:
        return None
    return any(k in KUBERNETES_TAGS or k.startswith("kubernetes.io/cluster/") for k in tags)


# --- S3 -----------------------------------------------------------------------------------


@transform("s3_encryption")
def s3_encryption(value: Any) -> str | None:
    """ServerSideEncryptionConfiguration.Rules -> none / sse-s3 / kms / kms-customer."""
    if value is None:
        return None
    kinds = []
    for rule in value:
        default = rule.get("ApplyServerSideEncryptionByDefault") or {}
        algorithm = default.get("SSEAlgorithm", "")
        if algorithm.startswith("aws:kms"):
            key = default.get("KMSMasterKeyID") or ""
            kinds.append("kms-customer" if key and "alias/aws/" not in key else "kms")
        elif algorithm == "AES256":
            kinds.append("sse-s3")
    order = ["kms-customer", "kms", "sse-s3"]
    return next((k for k in order if k in kinds), "none")


# --- autoscaling --------------------------------------------------------------------------

PREDEFINED_KINDS = {
    "CPUUtilization": "cpu",
    "NetworkIn": "network",
    "NetworkOut": "network",
    "RequestCount": "request_count",
    "Memory": "memory",
    "SQS": "queue",
}
DYNAMIC_POLICY_TYPES = ("target_tracking", "step", "simple", "predictive")


def _policy_type(policy: dict[str, Any]) -> str:
    kind = policy.get("PolicyType") or "SimpleScaling"
    return {
        "TargetTrackingScaling": "target_tracking",
        "StepScaling": "step",
        "SimpleScaling": "simple",
        "PredictiveScaling": "predictive",
    }.get(kind, kind.lower())


def _predefined_kind(name: str) -> str:
    for marker, kind in PREDEFINED_KINDS.items():
        if marker in name:
            return kind
    return "custom"


def _metric_kind(namespace: str | None, name: str | None) -> str:
    namespace, name = namespace or "", name or ""
    if namespace == "AWS/SQS":
        return "queue"
    if namespace in ("AWS/EC2", "AWS/AutoScaling", "AWS/ECS"):
        if "CPU" in name:
            return "cpu"
        if "Network" in name:
            return "network"
        if "Memory" in name:
            return "memory"
    if namespace in ("AWS/ApplicationELB", "AWS/ELB") and "Request" in name:
        return "request_count"
    return "custom"


def _policy_metric_kinds(policy: dict[str, Any]) -> set[str]:
    kinds: set[str] = set()
    kind = _policy_type(policy)
    if kind == "predictive":
        return {"predictive"}
    tracking = policy.get("TargetTrackingConfiguration") or policy.get("TargetTrackingScalingPolicyConfiguration") or {}
    predefined = tracking.get("PredefinedMetricSpecification") or {}
    customized = tracking.get("CustomizedMetricSpecification") or {}
    if predefined:
        kinds.add(_predefined_kind(predefined.get("PredefinedMetricType", "")))
    if customized:
        metrics = customized.get("Metrics") or [customized]
        for metric in metrics:
            stat = metric.get("MetricStat", {}).get("Metric", metric)
            if stat.get("Namespace") or stat.get("MetricName"):
                kinds.add(_metric_kind(stat.get("Namespace"), stat.get("MetricName")))
        kinds = kinds or {"custom"}
    for alarm in policy.get("_alarms") or []:  # step and simple policies: the alarm says what drives them
        kinds.add(_metric_kind(alarm.get("Namespace"), alarm.get("MetricName")))
    return kinds


@transform("scaling_summary")
def scaling_summary(value: Any) -> dict[str, Any] | None:
    """{policies, scheduled, min, max} -> the autoscaling attributes, as one map (see attributes `scaling.*`)."""
    if value is None or value.get("policies") is None or value.get("scheduled") is None:
        return None
    policies, scheduled = value["policies"], value["scheduled"]
    types = sorted({_policy_type(p) for p in policies} | ({"scheduled"} if scheduled else set()))
    kinds: set[str] = set()
    for policy in policies:
        if policy.get("Enabled", True) is not False:
            kinds |= _policy_metric_kinds(policy)
    if scheduled:
        kinds.add("scheduled")
    can_vary = (value.get("min") or 0) < (value.get("max") or 0)
    dynamic = can_vary and any(t in DYNAMIC_POLICY_TYPES for t in types)
    advanced = dynamic and bool(kinds & {"queue", "custom", "predictive", "request_count"})
    return {
        "policy_types": types,
        "metric_kinds": sorted(kinds),
        "dynamic": dynamic,
        "advanced_metrics": advanced,
        "scheduled_only": bool(scheduled) and not any(t in DYNAMIC_POLICY_TYPES for t in types),
    }


# --- ECS ----------------------------------------------------------------------------------


@transform("ecs_strategy")
def ecs_strategy(value: Any) -> str | None:
    """deploymentController.type (+ CodeDeploy config name) -> rolling / blue_green / canary / linear / external."""
    if value is None:
        return None
    kind = (value or {}).get("type", "ECS")
    return {"ECS": "rolling", "CODE_DEPLOY": "blue_green", "EXTERNAL": "external"}.get(kind, kind.lower())


@transform("arn_name")
def arn_name(value: Any) -> str | None:
    """arn:aws:ecs:eu-west-2:1:cluster/prod -> prod."""
    return value.rsplit("/", 1)[-1].rsplit(":", 1)[-1] if isinstance(value, str) else None


@transform("arn_resource_type")
def arn_resource_type(value: Any) -> str | None:
    """arn:aws:ec2:r:a:instance/i-1 -> ec2:instance; arn:aws:s3:::bucket -> s3:bucket."""
    if not isinstance(value, str) or not value.startswith("arn:"):
        return None
    parts = value.split(":", 5)
    service, resource = parts[2], parts[5] if len(parts) > 5 else ""
    kind = re.split(r"[/:]", resource, maxsplit=1)[0] if ("/" in resource or ":" in resource) else ""
    if service == "s3" and not kind:
        kind = "bucket"
    return f"{service}:{kind}" if kind else service


CI_ISSUERS = ("token.actions.githubusercontent.com", "gitlab", "circleci", "bitbucket", "app.terraform.io", "buildkite", "jenkins")


@transform("ci_issuer")
def ci_issuer(value: Any) -> bool | None:
    return None if not isinstance(value, str) else any(marker in value.lower() for marker in CI_ISSUERS)


@transform("policy_type")
def policy_type(value: Any) -> str | None:
    return {
        "SERVICE_CONTROL_POLICY": "scp",
        "TAG_POLICY": "tag",
        "BACKUP_POLICY": "backup",
        "AISERVICES_OPT_OUT_POLICY": "ai_opt_out",
        "RESOURCE_CONTROL_POLICY": "resource_control",
    }.get(value, value.lower() if isinstance(value, str) else None)


NOTABLE_DENIES = {
    "organizations:leaveorganization": "leave_organization",
    "cloudtrail:stoplogging": "disable_trail",
    "cloudtrail:deletetrail": "disable_trail",
    "guardduty:deletedetector": "disable_guardduty",
    "config:stopconfigurationrecorder": "disable_config",
    "config:deleteconfigurationrecorder": "disable_config",
    "iam:createuser": "create_iam_user",
    "iam:createaccesskey": "create_access_key",
    "ec2:disableebsencryptionbydefault": "disable_ebs_encryption",
    "s3:putaccountpublicaccessblock": "change_public_access_block",
    "account:enableregion": "enable_region",
}
REGION_KEYS = ("aws:requestedregion",)


@transform("scp_analysis")
def scp_analysis(value: Any) -> dict[str, Any] | None:
    """An organisation policy's JSON -> {restricts_regions, denies_actions}."""
    document = json_document(value)
    if not isinstance(document, dict):
        return None
    restricts, denies = False, set()
    statements = document.get("Statement", [])
    for statement in statements if isinstance(statements, list) else [statements]:
        if statement.get("Effect") != "Deny":
            continue
        condition = statement.get("Condition") or {}
        for operator, tests in condition.items():
            negated = operator.startswith(("StringNotEquals", "StringNotLike"))
            if negated and any(k.lower() in REGION_KEYS for k in tests):
                restricts = True
        actions = statement.get("Action", [])
        for action in actions if isinstance(actions, list) else [actions]:
            name = NOTABLE_DENIES.get(str(action).lower())
            if name:
                denies.add(name)
    return {"restricts_regions": restricts, "denies_actions": sorted(denies)}


PULL_ACTIONS = frozenset({"*", "ecr:*", "ecr:batchgetimage", "ecr:getdownloadurlforlayer"})


@transform("shared_pull")
def shared_pull(value: Any) -> bool | None:
    """{policy, account} of a container repository -> whether its policy lets other accounts or the organisation
    pull (one artefact store serving several environments). No policy is False; service principals (Lambda
    pulling its images) and the repository's own account do not count."""
    if not isinstance(value, dict):
        return None
    if value.get("policy") is None:
        return False
    document = json_document(value["policy"])
    if not isinstance(document, dict):
        return None
    account = str(value.get("account") or "")
    statements = document.get("Statement", [])
    for statement in statements if isinstance(statements, list) else [statements]:
        actions = statement.get("Action", [])
        actions = actions if isinstance(actions, list) else [actions]
        if statement.get("Effect") != "Allow" or not PULL_ACTIONS & {str(a).lower() for a in actions}:
            continue
        principal = statement.get("Principal")
        principals = principal.get("AWS", []) if isinstance(principal, dict) else principal
        principals = principals if isinstance(principals, list) else [principals]
        if any(p == "*" or (isinstance(p, str) and account not in p) for p in principals if p is not None):
            return True
    return False
