"""A hand-written collector for the toy cloud: counts VM sizes per group (what a spec cannot say)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from cmm_scan.cloud.executor import FactOut, UnitRun
from cmm_scan.cloud.spec import Collector


def vm_sizes(run: UnitRun, spec: Collector) -> Iterator[FactOut]:
    sizes = Counter(vm["size"] for vm in run.items(spec.request("vms/list")))
    yield FactOut(resource_id=f"sizes/{run.unit.vars['group']}", attributes={"sizes": dict(sizes)})


def checked_sizes(run: UnitRun, spec: Collector) -> Iterator[FactOut]:
    """Reads another collector's facts through a lookup (which runs it now), then records a failed step of its own:
    the step must land in this collector's coverage, not the one that ran inside it."""
    vms = run.lookup("vm_facts")
    assert run.outcome is not None
    run.outcome.problem("sizes", "denied", "the sizes were not readable")
    yield FactOut(resource_id=f"checked/{run.unit.vars['group']}", attributes={"vms": len(vms)})
