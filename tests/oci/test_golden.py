"""Golden OCI tenancies with known answers: each expected level is read off the level text quoted in the
docstring (the rule's `cites`), never from a run. Served by the emulator, scanned by the real adapter."""

from __future__ import annotations

from tests.oci.golden import CPU_POLICY, CUSTOM_POLICY, SCHEDULE, V, answer, explain, instance, pool
from tests.oci.support import FRANKFURT, LONDON, Estate


def _vms(estate: Estate, prefix: str, n: int, compartment: str, shape: str = "VM.Standard.E4.Flex") -> list[str]:
    return [instance(estate, f"{prefix}{i}", compartment, shape) for i in range(n)]


# --- cost.capacity: "How do you set capacity for live services?" ----------------------------------


def test_capacity_static_vms_is_level_1(monkeypatch, tmp_path) -> None:
    """Level 1, 'We set capacity for the busiest times, even if it's not always needed.': four running
    instances, none in a pool with an autoscaling policy (the rule's tie-break keeps to level 1 without history)."""
    estate = Estate()
    _vms(estate, "vm", 4, estate.compartment("app"))
    result = answer(estate, "cost.capacity", monkeypatch, tmp_path)
    assert result.answer == 1, explain(result)


def test_capacity_scheduled_pool_only_is_level_2(monkeypatch, tmp_path) -> None:
    """Level 2, 'We adjust capacity when needed.': the only pool changes size on a schedule (planned
    adjustment, not autoscaling); the rest are standalone."""
    estate = Estate()
    app = estate.compartment("app")
    pool(estate, "batch", app, _vms(estate, "b", 2, app), [SCHEDULE])
    _vms(estate, "vm", 2, app)
    result = answer(estate, "cost.capacity", monkeypatch, tmp_path)
    assert result.answer == 2, explain(result)


def test_capacity_most_in_cpu_pools_is_level_4(monkeypatch, tmp_path) -> None:
    """Level 4, 'Most systems scale automatically.': six of eight running instances are in pools scaled
    on CPU (75%, under the 80% 'everything' bar), in a compartment nested two deep."""
    estate = Estate()
    estate.compartment("prod")
    web = estate.compartment("web", "prod")
    pool(estate, "web", web, _vms(estate, "w", 6, web, "VM.Standard.A1.Flex"), [CPU_POLICY])
    _vms(estate, "vm", 2, web)
    result = answer(estate, "cost.capacity", monkeypatch, tmp_path)
    assert result.answer == 4, explain(result)


def test_capacity_everything_on_custom_metrics_is_level_5(monkeypatch, tmp_path) -> None:
    """Level 5, 'Everything scales automatically.': every running instance, in two regions, is in a pool
    scaled on a custom (application queue) metric."""
    estate = Estate(regions=(LONDON, FRANKFURT))
    app = estate.compartment("app")
    pool(estate, "workers", app, _vms(estate, "q", 5, app), [CUSTOM_POLICY])
    result = answer(estate, "cost.capacity", monkeypatch, tmp_path)
    assert result.answer == 5, explain(result)


def test_capacity_with_a_denied_compartment_is_dont_know(monkeypatch, tmp_path) -> None:
    """ "I don't know": the visible instances all autoscale (level 5 on their own), but a compartment the
    scanner may not read could hold static ones; OCI's 404 there must not read as "no instances"."""
    estate = Estate()
    app, hidden = estate.compartment("app"), estate.compartment("hidden")
    pool(estate, "workers", app, _vms(estate, "q", 5, app), [CUSTOM_POLICY])
    _vms(estate, "h", 5, hidden)
    estate.deny("hidden")
    result = answer(estate, "cost.capacity", monkeypatch, tmp_path)
    assert result.answer == 0 and result.suggested_level is None, explain(result)


def test_capacity_refused_autoscaling_reads_is_dont_know(monkeypatch, tmp_path) -> None:
    """ "I don't know": the pools are visible but their autoscaling configurations are refused, so whether
    the instances autoscale is unknown, never "static" (level 1)."""
    estate = Estate()
    app = estate.compartment("app")
    pool(estate, "web", app, _vms(estate, "w", 4, app), [CPU_POLICY])
    estate.deny_path("/20181001/")
    result = answer(estate, "cost.capacity", monkeypatch, tmp_path)
    assert result.answer == 0 and result.suggested_level is None, explain(result)


# --- cost.compute: "How do you run services in the cloud?" ----------------------------------------


def test_compute_vms_only_is_level_1(monkeypatch, tmp_path) -> None:
    """Level 1, 'Long-running virtual machines (VMs).': three instances; no container instances, OKE or functions."""
    estate = Estate()
    _vms(estate, "vm", 3, estate.compartment("app"))
    result = answer(estate, "cost.compute", monkeypatch, tmp_path)
    assert result.answer == 1, explain(result)


def test_compute_containers_and_functions_only_is_level_4(monkeypatch, tmp_path) -> None:
    """Level 4, 'Containers or serverless.': an OKE cluster, two container instances and two functions, no VMs.
    (Level 5, 'the best tool for each job', is a judgement configuration cannot show.)"""
    estate = Estate()
    app = estate.compartment("app")
    estate.add(
        "/20180222/clusters",
        {"id": "ocid1.cluster.oc1..k", "name": "k", "kubernetesVersion": "v1.31.1"},
        compartment=app,
        search_type="ClustersCluster",
    )
    for n in range(2):
        estate.add(
            "/20210415/containerInstances",
            {"id": f"ocid1.computecontainerinstance.oc1..c{n}", "containerCount": 1},
            compartment=app,
            search_type="ContainerInstance",
            items_key="items",
        )
        estate.add(
            "/20181201/functions",
            {"id": f"ocid1.fnfunc.oc1..f{n}", "shape": "GENERIC_X86"},
            compartment=app,
            search_type="FunctionsFunction",
        )
    result = answer(estate, "cost.compute", monkeypatch, tmp_path)
    assert result.answer == 4, explain(result)


# --- sec.network: "How do you secure your network and control access?" -----------------------------


def _network(estate: Estate, ssh_open: bool) -> None:
    app = estate.compartment("app")
    estate.add(
        f"{V}/vcns",
        {"id": "ocid1.vcn.oc1..v", "defaultSecurityListId": "ocid1.securitylist.oc1..default"},
        compartment=app,
        search_type="Vcn",
    )
    estate.add(
        f"{V}/subnets",
        {"id": "ocid1.subnet.oc1..s", "securityListIds": ["ocid1.securitylist.oc1..default"]},
        compartment=app,
        search_type="Subnet",
    )
    port = 22 if ssh_open else 443
    estate.add(
        f"{V}/securityLists",
        {
            "id": "ocid1.securitylist.oc1..default",
            "ingressSecurityRules": [
                {"source": "0.0.0.0/0", "protocol": "6", "tcpOptions": {"destinationPortRange": {"min": port, "max": port}}}
            ],
        },
        compartment=app,
        search_type="SecurityList",
    )
    estate.add("/20210331/bastions", {"id": "ocid1.bastion.oc1..b", "name": "ops"}, compartment=app, search_type="Bastion")


def _verdicts(result) -> dict[int, str]:  # type: ignore[no-untyped-def]
    return {o.level: o.verdict for o in result.levels}


def test_network_ssh_open_to_the_internet_rules_out_level_5(monkeypatch, tmp_path) -> None:
    """Not level 5, 'We don't use network perimeters. Access is based on device and user identity...': a security
    list in use opens SSH to 0.0.0.0/0. The Bastion (identity-aware, time-limited sessions) supports level 4,
    'In some areas, we use strong identity checks instead of network controls'; levels 1-3 turn on how
    applications check identity, which is for a person: no level is suggested."""
    estate = Estate()
    _network(estate, ssh_open=True)
    result = answer(estate, "sec.network", monkeypatch, tmp_path)
    assert result.possible_levels == [1, 2, 3, 4] and result.suggested_level is None, explain(result)
    assert _verdicts(result)[5] == "ruled_out" and _verdicts(result)[4] == "supported", explain(result)


def test_network_bastion_and_no_open_admin_ports_keeps_level_5_open(monkeypatch, tmp_path) -> None:
    """Level 5 stays possible and supported, 'We don't use network perimeters. Access is based on device and
    user identity': only HTTPS is open to the internet, administrators come in through the Bastion, no client
    VPN. Device checks are not in configuration, so a person decides."""
    estate = Estate()
    _network(estate, ssh_open=False)
    result = answer(estate, "sec.network", monkeypatch, tmp_path)
    assert 5 in result.possible_levels and _verdicts(result)[5] == "supported", explain(result)
    assert result.suggested_level is None, explain(result)
