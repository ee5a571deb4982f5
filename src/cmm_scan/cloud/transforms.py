"""Named transforms a spec attribute may apply to its JMESPath value (`transform: name`), for every provider.

Each takes the expression's value and returns the attribute value; None means "not read".
Keep them small and pure: anything that needs an API call belongs in a spec `calls:` entry.
Provider modules (cmm_scan.aws.transforms, cmm_scan.azure.transforms...) register their own into the
same table with `@transform(name)`; names are unique across providers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import unquote

Transform = Callable[[Any], Any]
TRANSFORMS: dict[str, Transform] = {}

COST_TAG_KEYS = frozenset(
    {
        "owner",
        "cost-centre",
        "cost-center",
        "costcentre",
        "costcenter",
        "cost_centre",
        "cost_center",
        "project",
        "team",
        "business-unit",
        "businessunit",
        "department",
        "billing",
        "application",
        "service",
        "product",
        "budget-code",
    }
)
DATA_TAG_KEYS = frozenset(
    {"data-classification", "dataclassification", "data_classification", "classification", "data-class", "sensitivity"}
)


def transform(name: str) -> Callable[[Transform], Transform]:
    def register(fn: Transform) -> Transform:
        TRANSFORMS[name] = fn
        return fn

    return register


def now() -> datetime:
    return datetime.now(UTC)


def _as_datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value / 1000 if value > 1e11 else value, UTC)
    if isinstance(value, str) and value and value not in ("N/A", "not_supported", "no_information"):
        # RFC 3339 allows lower-case t and z; a time without an offset (or a bare date, as older Azure APIs write
        # them) is read as UTC
        try:
            when = datetime.fromisoformat(value.strip().upper().replace("Z", "+00:00"))
        except ValueError:
            return None
        return when if when.tzinfo else when.replace(tzinfo=UTC)
    return None


@transform("age_days")
def age_days(value: Any) -> int | None:
    """Whole days since a timestamp (datetime, ISO string or epoch)."""
    when = _as_datetime(value)
    return None if when is None else max(0, (now() - when).days)


@transform("tag_map")
def tag_map(value: Any) -> dict[str, str] | None:
    """[{Key, Value}] (any case) or a plain map -> {key: value}."""
    if value is None:
        return None
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items()}
    out: dict[str, str] = {}
    for tag in value:
        key = tag.get("Key", tag.get("key"))
        if key is not None:
            out[str(key)] = str(tag.get("Value", tag.get("value", "")))
    return out


def _keys(value: Any) -> set[str]:
    return {k.lower() for k in (tag_map(value) or {})}


@transform("tag_keys")
def tag_keys(value: Any) -> list[str] | None:
    return None if value is None else sorted(_keys(value))


@transform("has_cost_tags")
def has_cost_tags(value: Any) -> bool | None:
    return None if value is None else bool(_keys(value) & COST_TAG_KEYS)


@transform("has_data_tags")
def has_data_tags(value: Any) -> bool | None:
    return None if value is None else bool(_keys(value) & DATA_TAG_KEYS)


@transform("data_classification")
def data_classification(value: Any) -> str | None:
    tags = tag_map(value)
    if tags is None:
        return None
    for key, tag_value in tags.items():
        if key.lower() in DATA_TAG_KEYS:
            return tag_value
    return "none"


@transform("length")
def length(value: Any) -> int:
    return 0 if value is None else len(value)


@transform("iso_duration_hours")
def iso_duration_hours(value: Any) -> float | None:
    """PT8H, PT1H30M -> hours."""
    if not isinstance(value, str):
        return None
    match = re.fullmatch(r"P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?", value)
    if not match:
        return None
    d, h, m, s = (int(x or 0) for x in match.groups())
    return round(d * 24 + h + m / 60 + s / 3600, 2)


@transform("seconds_to_hours")
def seconds_to_hours(value: Any) -> float | None:
    return None if value is None else round(float(value) / 3600, 2)


@transform("json")
def json_document(value: Any) -> Any:
    """A policy document that may arrive as a (URL-encoded) JSON string."""
    if isinstance(value, str):
        try:
            return json.loads(unquote(value) if value.startswith("%7B") else value)
        except ValueError:
            return None
    return value


@transform("all_true")
def all_true(value: Any) -> bool | None:
    """Every value of a map is true (e.g. the four public-access-block settings)."""
    if value is None:
        return None
    return bool(value) and all(bool(v) for v in value.values())


@transform("lower")
def lower(value: Any) -> str | None:
    return value.lower() if isinstance(value, str) else None


def apply(name: str, value: Any) -> Any:
    try:
        fn = TRANSFORMS[name]
    except KeyError:
        raise KeyError(f"unknown transform '{name}' (known: {', '.join(sorted(TRANSFORMS))})") from None
    return fn(value)


def activity_counts(entries: list[Any], kind_of: Callable[[Any], str | None]) -> dict[str, int]:
    """Audit-log entries -> the activity.changes counts, each entry's kind given by the cloud's `kind_of`
    (console, iac, pipeline, other, iac_by_cicd, or None for an entry that is not a person's or tool's change)."""
    counts = {"total": 0, "console": 0, "iac": 0, "pipeline": 0, "cicd_identity": 0, "other": 0}
    for entry in entries:
        kind = kind_of(entry)
        if kind is None:
            continue
        counts["total"] += 1
        if kind == "iac_by_cicd":  # infrastructure as code, applied by a CI/CD identity
            counts["iac"] += 1
            counts["cicd_identity"] += 1
        else:
            counts[kind] += 1
            counts["cicd_identity"] += kind == "pipeline"
    return counts
