"""Golden GCP estates for more questions: the expected level quoted from the rule's level text."""

from __future__ import annotations

from tests.aws.estates import explain
from tests.gcp import estates
from tests.gcp.support import answer


def bucket(project: str, name: str, location: str, location_type: str) -> dict:
    number = 1000 + int(project.rsplit("-", 1)[-1])
    return estates.asset(
        f"//storage.googleapis.com/{name}",
        "storage.googleapis.com/Bucket",
        {"name": name, "locationType": location_type},
        location=location,
        parent=f"//cloudresourcemanager.googleapis.com/projects/{number}",
    )


def test_workloads_in_one_region_with_dual_region_data_rules_out_level_1(gcp, tmp_path) -> None:
    """cost.geography: every VM in London, the orders bucket dual-region (a copy in a second region), so
    level 1 'Everything in one region.' is ruled out and level 2 'We use another region for non-production
    workloads or backup and recovery.' holds; levels 2-3 stay open and, with every signal read (Backup and DR
    plans included: none copies elsewhere), the rule's tie-break suggests the lower, 2."""
    estate = estates.org_estate()
    estate["assets"] = [
        estates.instance("app-1", "web-1"),
        estates.instance("app-2", "web-2"),
        bucket("app-1", "orders", "EUR4", "dual-region"),
    ]
    gcp.load(estate)
    result = answer(tmp_path, "cost.geography")
    assert result.answer == 2 and result.possible_levels == [2, 3], explain(result)


def test_preventive_constraints_rule_out_no_enforcement(gcp, tmp_path) -> None:
    """gov.policy_enforcement: enforced organisation policy constraints are preventive guardrails, so the
    lowest level's 'no enforcement' reading is ruled out; the rest needs detective controls GCP does not
    report yet, so the answer stays a range, never a guess."""
    from tests.gcp.test_governance import governance_estate

    gcp.load(governance_estate())
    result = answer(tmp_path, "gov.policy_enforcement", organization="100")
    guardrails = next(e for e in result.evidence if e.signal == "preventive_guardrails")
    assert guardrails.display.startswith("3"), explain(result)
    assert 1 not in (result.possible_levels or [1]), explain(result)


def network(project: str, name: str, subnets: list[bool]) -> list[dict]:
    number = 1000 + int(project.rsplit("-", 1)[-1])
    parent = f"//cloudresourcemanager.googleapis.com/projects/{number}"
    vpc = estates.asset(
        f"//compute.googleapis.com/projects/{project}/global/networks/{name}",
        "compute.googleapis.com/Network",
        {"name": name},
        parent=parent,
    )
    link = f"https://www.googleapis.com/compute/v1/projects/{project}/global/networks/{name}"
    return [
        vpc,
        *[
            estates.asset(
                f"//compute.googleapis.com/projects/{project}/regions/europe-west2/subnetworks/{name}-{i}",
                "compute.googleapis.com/Subnetwork",
                {"name": f"{name}-{i}", "network": link, **({"logConfig": {"enable": True}} if logged else {})},
                location="europe-west2",
                parent=parent,
            )
            for i, logged in enumerate(subnets)
        ],
    ]


def test_flow_logs_on_every_subnetwork_of_a_network(gcp) -> None:
    estate = estates.org_estate()
    estate["assets"] = [*network("app-1", "prod", [True, True]), *network("app-2", "dev", [True, False]), *network("app-3", "empty", [])]
    gcp.load(estate)
    from tests.gcp.support import scan

    result = scan(["network.vpc"], organization="100")
    assert {f.resource_id.rsplit("/", 1)[-1]: f.attributes["flow_logs"] for f in result.of("network.vpc")} == {
        "prod": True,
        "dev": False,
        "empty": False,
    }
