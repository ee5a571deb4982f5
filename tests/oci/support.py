"""Build OCI estates for the emulator and run the OCI adapter against it (real signer, real HTTP)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from cmm_scan.emulate.oci import OciEstate
from cmm_scan.flags import split_filter
from cmm_scan.models import Coverage, Fact
from cmm_scan.oci.options import Options
from tests.oci.server import TENANCY, serve

LONDON, FRANKFURT = "uk-london-1", "eu-frankfurt-1"


def cid(name: str) -> str:
    return f"ocid1.compartment.oc1..{name}"


class Estate:
    """A tenancy under construction, written in the emulator's documented OCI estate format (docs/emulator.md):
    compartments, list items in API shape per path (global or per region), exact-path objects, faults."""

    def __init__(self, regions: tuple[str, ...] = (LONDON,), page_size: int = 100):
        self.data: dict[str, Any] = {
            "provider": "oci",
            "tenancy": {"id": TENANCY, "name": "golden", "homeRegionKey": regions[0].upper()},
            "regionSubscriptions": [
                {"regionName": r, "regionKey": r.upper(), "status": "READY", "isHomeRegion": n == 0} for n, r in enumerate(regions)
            ],
            "compartments": [],
            "resources": {},
            "regional": {},
            "objects": {},
            "regional_objects": {},
            "errors": {},
            "faults": {"deny": []},
        }
        self._n = 0
        self.page_size = page_size

    def compartment(self, name: str, parent: str | None = None) -> str:
        self.data["compartments"].append(
            {"id": cid(name), "compartmentId": cid(parent) if parent else TENANCY, "name": name, "lifecycleState": "ACTIVE"}
        )
        return cid(name)

    def add(
        self,
        list_path: str,
        data: dict[str, Any],
        *,
        compartment: str | None = None,
        region: str | None = LONDON,
        search_type: str | None = None,
        items_key: str | None = None,
    ) -> dict[str, Any]:
        """One item of a list (`/20160918/instances`); region None = served in every region (Identity).
        Search sees it under the type its OCID names (`search_type` documents that, the emulator derives it)."""
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
        path = list_path.strip("/")
        table = self.data["resources"] if region is None else self.data["regional"].setdefault(region, {})
        table.setdefault(path, []).append(data)
        return data

    def single(self, path: str, data: Any = None, region: str | None = LONDON, error: tuple[int, str] | None = None) -> None:
        """An exact path answered with `data` (an object, or a list of items without OCIDs), or with an error."""
        if error:
            self.data["errors"][path.strip("/") or path] = list(error)
            return
        table = self.data["objects"] if region is None else self.data["regional_objects"].setdefault(region, {})
        table[path.strip("/")] = data

    def deny(self, *compartments: str) -> None:
        """The caller may read nothing in these compartments (nor their sub-compartments)."""
        self.data["faults"]["deny"].extend({"scope": cid(c)} for c in compartments)

    def deny_path(self, *prefixes: str) -> None:
        """Refuse every GET under these paths (404 NotAuthorizedOrNotFound, as OCI refuses)."""
        self.data["faults"]["deny"].extend({"operation": f"* {p.strip('/')}*"} for p in prefixes)

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
        if "compartments" in options:  # as typed: "a,!b"
            options["compartments_include"], options["compartments_exclude"] = split_filter(options.pop("compartments"))
        opts = Options(workers=4, **options)
        plan = adapter.plan(opts, fact_types)
        plan.state.transport.backoff.base = 0.01

        def sink(record: Fact | Coverage) -> None:
            (result.facts if isinstance(record, Fact) else result.coverage).append(record)

        adapter.run(plan, fact_types, sink, NullProgress())
        result.requests = len(running.requests)
        result.log = list(running.requests)
    return result
