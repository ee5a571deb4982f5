"""Build OCI estates for the emulator and run the OCI adapter against it (real signer, real HTTP)."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest

from cmm_scan.emulate.oci import OciEstate
from cmm_scan.models import Coverage, Fact
from tests.oci.server import TENANCY, serve

LONDON, FRANKFURT = "uk-london-1", "eu-frankfurt-1"


def cid(name: str) -> str:
    return f"ocid1.compartment.oc1..{name}"


class Estate:
    """A tenancy under construction: compartments, resources in API shape, singletons, faults."""

    def __init__(self, regions: tuple[str, ...] = (LONDON,), page_size: int = 100):
        self.data: dict[str, Any] = {
            "tenancy": TENANCY,
            "home_region": regions[0],
            "regions": list(regions),
            "namespace": "golden",
            "compartments": [],
            "resources": [],
            "singletons": [],
            "faults": {},
            "provider": "oci",
        }
        self._n = 0
        self.page_size = page_size

    def compartment(self, name: str, parent: str | None = None) -> str:
        self.data["compartments"].append({"id": cid(name), "name": name, "parent": cid(parent) if parent else None})
        return cid(name)

    def add(
        self,
        list_path: str,
        data: dict[str, Any],
        *,
        compartment: str | None = None,
        region: str | None = LONDON,
        search_type: str | None = None,
        get: str | None = None,
        items_key: str | None = None,
    ) -> dict[str, Any]:
        self._n += 1
        data = {
            "compartmentId": compartment or TENANCY,
            "lifecycleState": "ACTIVE",
            "timeCreated": "2026-01-01T00:00:00Z",
            "freeformTags": {},
            "definedTags": {},
            **data,
        }
        data.setdefault("id", f"ocid1.{(search_type or 'resource').lower()}.oc1..r{self._n}")
        self.data["resources"].append(
            {"list": list_path, "region": region, "search_type": search_type, "get": get, "items_key": items_key, "data": data}
        )
        return data

    def single(self, path: str, data: Any = None, region: str | None = LONDON, error: tuple[int, str] | None = None) -> None:
        self.data["singletons"].append({"path": path, "region": region, "data": data, "error": error})

    def deny(self, *compartments: str) -> None:
        """The caller may read nothing in these compartments (nor their sub-compartments)."""
        self.data.setdefault("denied_compartments", []).extend(cid(c) for c in compartments)

    def deny_path(self, *prefixes: str) -> None:
        """Refuse every GET under these paths (404 NotAuthorizedOrNotFound, as OCI refuses)."""
        self.data["faults"].setdefault("deny", []).extend({"operation": f"GET {p}*"} for p in prefixes)

    def build(self) -> OciEstate:
        return OciEstate.model_validate(self.data)


class NullProgress:
    total: int | None = None

    def advance(self, n: int = 1, detail: str = "") -> None:
        pass


@dataclass
class Result:
    facts: list[Fact] = field(default_factory=list)
    coverage: list[Coverage] = field(default_factory=list)
    requests: int = 0
    log: list[dict[str, Any]] = field(default_factory=list)

    def of(self, fact_type: str) -> list[Fact]:
        return [f for f in self.facts if f.type == fact_type]

    def one(self, fact_type: str, resource_contains: str) -> dict[str, Any]:
        (found,) = [f for f in self.of(fact_type) if resource_contains in f.resource_id]
        return found.attributes

    def status(self, collector: str, region: str | None = None) -> set[str]:
        return {c.status for c in self.coverage if c.collector == collector and (region is None or c.region == region)}


def scan(estate: Estate, fact_types: list[str], monkeypatch: pytest.MonkeyPatch, **options: Any) -> Result:
    from cmm_scan.oci import adapter

    result = Result()
    with serve(estate.build(), estate.page_size) as running:
        for name, value in running.env.items():
            monkeypatch.setenv(name, value)
        opts = SimpleNamespace(**{"provider": "oci", "regions": None, "workers": 4, "endpoint_url": None, **options})
        plan = adapter.plan(opts, fact_types)
        plan.state.tenancy.transport.base_delay = 0.01

        def sink(record: Fact | Coverage) -> None:
            (result.facts if isinstance(record, Fact) else result.coverage).append(record)

        adapter.run(plan, fact_types, sink, NullProgress())
        result.requests = len(running.requests)
        result.log = list(running.requests)
    return result
