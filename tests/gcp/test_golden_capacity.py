"""cost.capacity from GCP estates in the emulator: one per level the configuration settles, the expected
level taken from the level text (rules/cmm/cost.capacity.yaml), never from running the code first."""

from __future__ import annotations

import pytest

from tests.aws.estates import explain
from tests.gcp import estates
from tests.gcp.support import answer


def load(server, *assets) -> None:
    estate = estates.org_estate()
    estate["assets"] = [a for group in assets for a in (group if isinstance(group, list) else [group])]
    server.load(estate)


def standalone(count: int, project: str = "app-1") -> list[dict]:
    return [estates.instance(project, f"fixed-{i}") for i in range(count)]


def test_fixed_fleet_is_level_1(gcp, tmp_path) -> None:
    """'We set capacity for the busiest times': four standalone VMs, none in an autoscaled group."""
    load(gcp, standalone(4))
    result = answer(tmp_path, "cost.capacity")
    assert result.answer == 1, explain(result)


def test_scheduled_group_is_level_2(gcp, tmp_path) -> None:
    """'We adjust capacity when needed': a managed instance group resized only by a scaling schedule."""
    load(gcp, standalone(2), estates.mig("app-2", "office", 3), estates.autoscaler("app-2", "office", estates.SCHEDULE))
    result = answer(tmp_path, "cost.capacity")
    assert result.answer == 2, explain(result)


def test_one_scaled_group_among_fixed_vms_is_level_3(gcp, tmp_path) -> None:
    """'Some systems scale automatically': 2 of 8 running VMs are in a CPU-autoscaled group."""
    load(gcp, standalone(6), estates.mig("app-3", "web", 2), estates.autoscaler("app-3", "web", estates.CPU))
    result = answer(tmp_path, "cost.capacity")
    assert result.answer == 3, explain(result)


def test_everything_scaling_on_cpu_is_level_4(gcp, tmp_path) -> None:
    """'Most systems scale automatically': every VM autoscales, but on CPU alone (not level 5's detailed metrics)."""
    load(gcp, estates.mig("app-2", "web", 3), estates.autoscaler("app-2", "web", estates.CPU))
    result = answer(tmp_path, "cost.capacity")
    assert result.answer == 4, explain(result)


def test_everything_scaling_on_queue_depth_is_level_5(gcp, tmp_path) -> None:
    """'Everything scales automatically': every VM group autoscales on a Pub/Sub queue-depth metric."""
    load(
        gcp,
        estates.mig("app-2", "workers", 3),
        estates.autoscaler("app-2", "workers", estates.PUBSUB),
        estates.mig("app-4", "api", 2),
        estates.autoscaler("app-4", "api", estates.PUBSUB),
    )
    result = answer(tmp_path, "cost.capacity")
    assert result.answer == 5, explain(result)


@pytest.mark.parametrize("fault", ["deny", "disabled"])
def test_unreadable_inventory_is_dont_know(gcp, tmp_path, fault) -> None:
    """Never guess: when the inventory of one project cannot be read, its VMs might scale or not."""
    estate = estates.org_estate()
    estate["assets"] = [*standalone(4), *estates.mig("app-2", "web", 3), estates.autoscaler("app-2", "web", estates.CPU)]
    if fault == "deny":
        estate["faults"] = {"deny": [{"scope": "projects/app-2", "operation": "cloudasset.*"}]}
    else:
        estate["disabled_apis"] = [{"service": "cloudasset.googleapis.com", "projects": ["app-2"]}]
    gcp.load(estate)
    result = answer(tmp_path, "cost.capacity", projects="app-1,app-2")
    assert result.answer == 0 and result.suggested_level is None, explain(result)
