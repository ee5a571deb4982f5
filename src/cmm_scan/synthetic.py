"""Synthetic snapshots for benchmarks and engine tests: every catalogue fact type, random values.

Values follow the catalogue's attribute types; strings come from a small per-attribute vocabulary
so that rules' filters find matches. Deterministic for a given seed.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cmm_scan import __version__
from cmm_scan.factcatalogue import AttributeSpec, fact_catalogue
from cmm_scan.models import Coverage, Fact, ScopeInfo, SnapshotHeader
from cmm_scan.snapshot_io import SnapshotWriter

_WORDS: dict[str, list[str]] = {
    "state": ["running", "running", "running", "stopped"],
    "versioning": ["Enabled", "Suspended", "none"],
    "encryption": ["sse-s3", "kms", "kms-customer", "none"],
    "mfa_kind": ["hardware", "virtual", "none"],
    "service": ["guardduty", "securityhub", "inspector", "macie", "access_analyzer"],
    "strategy": ["all_at_once", "rolling", "canary", "linear", "blue_green"],
    "kind": ["saml", "oidc", "client_vpn", "verified_access"],
    "launch_type": ["FARGATE", "EC2"],
    "drift_status": ["IN_SYNC", "DRIFTED", "NOT_CHECKED"],
    "policy_type": ["scp", "tag", "backup"],
}
_LISTS: dict[str, list[str]] = {
    "metric_kinds": ["cpu", "network", "request_count", "queue", "custom", "predictive", "scheduled"],
    "policy_types": ["target_tracking", "step", "simple", "predictive", "scheduled"],
    "trust_kinds": ["service", "account", "same_account", "oidc", "saml", "sso"],
}


def _value(rng: random.Random, name: str, spec: AttributeSpec) -> Any:
    if spec.type == "bool":
        return rng.random() < 0.5
    if spec.type == "int":
        return rng.randint(0, 400)
    if spec.type == "float":
        return round(rng.uniform(0, 12), 2)
    if spec.type == "list":
        vocab = _LISTS.get(name, ["a", "b", "c"])
        return rng.sample(vocab, rng.randint(0, min(3, len(vocab))))
    if spec.type == "map":
        return {"owner": "team-" + str(rng.randint(1, 9))} if rng.random() < 0.6 else {}
    if spec.type == "date":
        return "2026-01-01"
    return rng.choice(_WORDS.get(name, [f"{name}-{i}" for i in range(4)]))


def write_synthetic(
    path: Path,
    facts: int,
    seed: int = 7,
    accounts: int = 3,
    regions: tuple[str, ...] = ("eu-west-2", "eu-west-1"),
    first_account: int = 0,
    unreadable: float = 0.0,
) -> None:
    """`first_account` numbers the accounts, so the parts of one synthetic estate cover different scopes.
    `unreadable` is the share of attribute values left out, null, or of the wrong type: what rules
    must answer "unknown" for."""
    rng = random.Random(seed)
    catalogue = fact_catalogue().facts
    types = sorted(catalogue)
    scopes = [f"{100000000000 + first_account + i:012d}" for i in range(accounts)]
    header = SnapshotHeader(
        tool_version=__version__,
        provider="synthetic",
        started_at=datetime.now(UTC),
        scopes=[ScopeInfo(id=s, kind="synthetic") for s in scopes],
        regions=list(regions),
        fact_types=types,
    )
    with SnapshotWriter(path, header) as writer:
        for scope in scopes:
            for region in regions:
                for fact_type in types:
                    writer.coverage(
                        Coverage(
                            collector=f"synthetic.{fact_type}",
                            provider="synthetic",
                            scope=scope,
                            region=region,
                            status="ok",
                            fact_types=[fact_type],
                        )
                    )
        for n in range(facts):
            fact_type = types[n % len(types)]
            attributes = {name: _value(rng, name, spec) for name, spec in catalogue[fact_type].attributes.items()}
            if unreadable:
                _spoil(rng, attributes, unreadable)
            writer.fact(
                Fact(
                    type=fact_type,
                    provider="synthetic",
                    scope=scopes[n % accounts],
                    region=regions[(n // accounts) % len(regions)],
                    resource_id=f"{fact_type}/{n}",
                    attributes=attributes,
                    source="synthetic",
                )
            )


def _spoil(rng: random.Random, attributes: dict[str, Any], share: float) -> None:
    for name in list(attributes):
        if rng.random() < share:
            spoilt = rng.choice(("missing", "null", "text", "number", "list"))
            if spoilt == "missing":
                del attributes[name]
            else:
                attributes[name] = {"null": None, "text": "n/a", "number": -3, "list": ["x"]}[spoilt]
