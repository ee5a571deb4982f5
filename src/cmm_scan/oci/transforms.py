"""Named transforms for OCI specs (registered with the shared transform table). Pure: no API calls."""

from __future__ import annotations

import re
from typing import Any

from cmm_scan.aws.transforms import transform

ARM_SHAPE = re.compile(r"\.A\d+(\.|$)", re.IGNORECASE)  # Ampere Altra/AmpereOne: VM.Standard.A1.Flex, BM.Standard.A1.160, A2, A4


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
            if policy_type != "scheduled":
                minimum = capacity.get("min") if minimum is None else min(minimum, capacity.get("min") or minimum)
                maximum = capacity.get("max") if maximum is None else max(maximum, capacity.get("max") or maximum)
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
