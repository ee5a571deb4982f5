"""cost.compute, cost.geography, cost.spend, cost.sustainability and tech.stack from moto estates.

Each estate is built through the public APIs in an in-process moto account and scanned by the real
adapter (see `tests.aws.estates`). The expected answer is read off the level text quoted in each
docstring (current wording, with the CMM report's level name where it decides), never from a run.
cost.capacity has its own module (`test_cost_capacity.py`).

Moto gaps (5.2.5): Cost Explorer anomaly monitors and subscriptions (`ce:GetAnomalyMonitors`), Data
Exports (`bcm-data-exports`) and the Cost and Usage Report API are not implemented. Anomaly monitors
are served from recorded responses here; no AWS collector reads data exports yet (the fact type
`cost.data_export` has no AWS source), so carbon and detailed billing exports are always "not read".
EKS node groups start no instances on moto, so worker nodes are an Auto Scaling group tagged as EKS tags them.
"""

from __future__ import annotations

import pytest

from tests.aws.estates import REGION, answer, deny, explain
from tests.aws.estates.compute import CPU, eks_cluster, functions, group, instances, services

OTHER_REGION = "eu-west-1"


def evidence(result, signal: str):
    (found,) = [e for e in result.evidence if e.signal == signal]
    return found


def no_answer(result) -> bool:
    return result.answer == 0 and result.suggested_level is None


# --- cost.compute: "How do you run services in the cloud?" ---------------------------------------


def test_compute_vms_only_is_level_1(aws, tmp_path) -> None:
    """Level 1, 'Long-running virtual machines (VMs).': three standalone VMs and one scaled VM group,
    no containers, no functions."""
    instances(3)
    group("web", 2, CPU)
    result = answer(tmp_path, "cost.compute")
    assert result.answer == 1, explain(result)


def test_compute_one_function_among_many_vms_is_level_2(aws, tmp_path) -> None:
    """Level 2, 'VMs with containers or serverless for a few minor things.': ten VMs and a single function."""
    instances(10)
    functions(1)
    result = answer(tmp_path, "cost.compute")
    assert result.answer == 2, explain(result)


def test_compute_mix_is_level_3(aws, tmp_path) -> None:
    """Level 3, 'A mix of VMs and containers or serverless for some key systems.': three VMs, a container
    service and a function (two of five units modern: a mix, VMs still the majority)."""
    instances(3)
    services("api", 1)
    functions(1)
    result = answer(tmp_path, "cost.compute")
    assert result.answer == 3, explain(result)


def test_compute_mostly_containers_and_functions_is_level_4(aws, tmp_path) -> None:
    """Level 4, 'Containers or serverless.': two container services and two functions beside one VM.
    Level 5 ('We pick the best tool for each job') is a decision process configuration cannot show."""
    instances(1)
    services("api", 2)
    functions(2)
    result = answer(tmp_path, "cost.compute")
    assert result.answer == 4, explain(result)
    assert result.possible_levels == [4, 5] and result.tie_break, explain(result)


def test_compute_serverless_only_is_level_4(aws, tmp_path) -> None:
    """Level 4, 'Containers or serverless.': nothing but functions."""
    functions(3)
    result = answer(tmp_path, "cost.compute")
    assert result.answer == 4, explain(result)


def test_compute_kubernetes_nodes_are_containers_not_vms(aws, tmp_path) -> None:
    """Level 4, 'Containers or serverless.': an EKS cluster whose worker nodes are EC2 instances, plus a
    function; the nodes run containers, so they are not VM units."""
    eks_cluster("platform", 3)
    functions(1)
    result = answer(tmp_path, "cost.compute")
    assert result.answer == 4, explain(result)
    assert evidence(result, "standalone_vms").value.hi == 0 and evidence(result, "vm_groups").value.hi == 0, explain(result)


def test_compute_counts_units_in_every_region(aws, tmp_path) -> None:
    """Level 3, 'A mix of VMs and containers or serverless': three VMs in London and, in Ireland, a
    container service and two functions. Either region alone would read as level 1 or level 4."""
    instances(3)
    services("api", 1, region=OTHER_REGION)
    functions(2, region=OTHER_REGION)
    assert answer(tmp_path, "cost.compute").answer == 1
    result = answer(tmp_path, "cost.compute", regions=(REGION, OTHER_REGION))
    assert result.answer == 3, explain(result)


def test_compute_empty_account_is_not_applicable(aws, tmp_path) -> None:
    """Never guess: no compute at all is not level 1 ('Long-running VMs'); the question does not apply."""
    result = answer(tmp_path, "cost.compute")
    assert result.status == "not_applicable" and result.answer == 0, explain(result)


@pytest.mark.parametrize("denied", ["lambda:ListFunctions", "ecs:ListClusters", "eks:ListClusters"])
def test_compute_unread_serverless_or_containers_is_i_dont_know(aws, tmp_path, monkeypatch, denied: str) -> None:
    """Never guess: VMs alone would be level 1, but functions or containers that could not be listed may
    exist, so there is no level."""
    instances(3)
    deny(monkeypatch, denied)
    result = answer(tmp_path, "cost.compute")
    assert no_answer(result), explain(result)


def test_compute_unread_instances_is_i_dont_know(aws, tmp_path, monkeypatch) -> None:
    """Never guess: functions alone would be level 4, but VMs that could not be listed may outnumber them."""
    functions(3)
    deny(monkeypatch, "ec2:DescribeInstances")
    result = answer(tmp_path, "cost.compute")
    assert no_answer(result), explain(result)
