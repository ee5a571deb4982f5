"""A hand-written collector for the toy cloud: counts VM sizes per group (what a spec cannot say)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from cmm_scan.cloud.executor import FactOut, UnitRun
from cmm_scan.cloud.spec import Collector


def vm_sizes(run: UnitRun, spec: Collector) -> Iterator[FactOut]:
    sizes = Counter(vm["size"] for vm in run.items(spec.request("vms/list")))
    yield FactOut(resource_id=f"sizes/{run.unit.vars['group']}", attributes={"sizes": dict(sizes)})
