"""The GCP part of the demo (fixtures/emulator/gcp-demo.yaml, the emulator's documented format) scans with every
collector ok and gives the answers its header describes; fixtures/record_gcp_demo.py records it into
fixtures/demo-parts/gcp.snapshot.jsonl, whose answers (the week of audit entries included) are checked as
recorded."""

from __future__ import annotations

import json
from pathlib import Path

from cmm_scan.models import Coverage, Fact
from tests.gcp.support import assess, scan
from tests.support.estate import Estate

DEMO = Path(__file__).resolve().parents[2] / "fixtures" / "emulator" / "gcp-demo.yaml"
PART = DEMO.parents[1] / "demo-parts" / "gcp.snapshot.jsonl"


def test_demo_organisation(gcp, tmp_path: Path) -> None:
    gcp.load(DEMO)
    results = assess(tmp_path, "cost.capacity", "cost.compute", "sec.privileged_access", organization="300000000001")
    # Level 4, 'Most systems scale automatically.': the three web VMs of five running are in a CPU-autoscaled group,
    # and Cloud Run scales on requests
    assert results["cost.capacity"].answer == 4
    # Level 4, 'Containers or serverless.': five VMs (three of them a group replaced by rolling updates) beside
    # Autopilot GKE, Cloud Run and four functions
    assert results["cost.compute"].answer == 4
    admins = next(e for e in results["sec.privileged_access"].evidence if e.signal == "local_admins")
    assert admins.display.startswith("1"), "break-glass@ holds roles/owner on the organisation"


def test_every_collector_reads_the_demo(gcp) -> None:
    gcp.load(DEMO)
    from cmm_scan.gcp.adapter import catalogue

    result = scan(sorted({c.fact for c in catalogue().collectors.values()}), organization="300000000001")
    assert {c.status for c in result.coverage} == {"ok"}, [c for c in result.coverage if c.status != "ok"]


def test_the_recorded_part(tmp_path: Path) -> None:
    records = [json.loads(line) for line in PART.read_text(encoding="utf-8").splitlines()]
    assert records[0]["provider"] == "gcp" and records[-1]["record"] == "end"
    estate = Estate(provider="gcp")
    estate.facts = [Fact.model_validate(r) for r in records if r["record"] == "fact"]
    estate.coverage = [Coverage.model_validate(r) for r in records if r["record"] == "coverage"]
    assert {c.status for c in estate.coverage} == {"ok"}
    (result,) = estate.assess(tmp_path, "ops.cicd").results
    # Level 3, 'Most teams use CI/CD, but each chooses its own tools.': of the two projects busy enough to count
    # (20+ changes in the week), payments-prod is changed by its GitHub deployer (Terraform through workload
    # identity), payments-dev by people in the console
    assert result.answer == 3


# The demo organisation as a department's well-run estate (issue #13): each answer with the level text it stands for.
RICH = {
    "data.retention": ("suggested", 5, "We follow policy and use automated cloud tools to check that we do."),
    "sec.vuln_mgmt": ("floor", 4, "We hunt for threats and respond quickly, with some automation."),
    "sec.access_reviews": ("floor", 3, "We review access often, but mostly add new access rather than remove it."),
    "sec.privileged_insider": ("suggested", 4, "Logs are stored in one place, can’t be changed, and are checked automatically."),
    "sec.privileged_access": ("floor", 2, "We use central controls for passwords and keys, with basic logging."),
    "sec.staff_identity": ("floor", 4, "Nearly all services use our central system, and we keep them in sync."),
    "ops.monitoring": ("floor", 4, "Advanced monitoring tools with some integration between infrastructure and applications."),
    "ops.release": ("suggested", 5, "We use canary or blue/green releases and switch users with no need for maintenance windows."),
    "ops.build_speed": ("floor", 3, "Reasonably fast and we do some monitoring."),
    "ops.incident_planning": ("floor", 2, "We create a plan when launching a new service."),
    "cost.spend": ("floor", 4, "Developers can see and consider costs."),
    "gov.build_artefacts": (
        "floor",
        3,
        "We save artefacts, sometimes with version control, but there's no focus on making them secure or unchangeable.",
    ),
    "people.third_parties": ("suggested", 3, "Third parties help with specialist tasks and have emergency access only."),
    "tech.stack": ("floor", 3, "Systems are made of parts that can run on their own, but they depend on each other a lot."),
    "csmm.governance": ("floor", 3, "Cloud team, CCoE or equivalent in place to guide usage."),
    "csmm.iam": ("floor", 3, "Federation consistent through broker or similar."),
    "csmm.security_monitoring": ("floor", 3, "Management plane logs and some ad hoc service/workload logs collected"),
    "csmm.workload_security": ("floor", 3, "Mostly cloud-native tools in use. Initial use of Immutable infrastructure."),
    "csmm.compliance_and_audit": ("floor", 4, "Continuous assessment of in-scope resources using automated guardrails"),
}


def test_demo_organisation_is_a_well_run_estate(gcp, tmp_path: Path) -> None:
    """Served by the emulator and scanned with the real adapter: the CIS posture's Security Health Analytics
    detectors check retention, identity and the audit trail; everyone signs in through the directory (SAML to
    Entra ID, passkeys only, 2-Step Verification enforced) and the IAM recommender reviews unused access across the
    organisation; a supplier's emergency service account holds owner but used none of it in 90 days; the audit
    sink's locked bucket is alerted on; six alert policies (one with the responders'
    playbook, one on failed builds and rollouts) reach the team; the production canary is analysed against alerts,
    advanced and rolled back by a Cloud Deploy automation; the budget tells the payments team; the images are pulled
    by the dev project; four functions, Cloud Run and Autopilot GKE beside a recently rolled group of VMs; the
    production VPC keeps flow logs (the dev default network does not: security monitoring stays at level 3)."""
    gcp.load(DEMO)
    results = assess(tmp_path, *RICH, organization="300000000001")
    got = {q: (r.status, r.answer) for q, r in results.items()}
    assert got == {q: (status, level) for q, (status, level, _) in RICH.items()}
    for question, (_, level, text) in RICH.items():
        cites = next(o.cites for o in results[question].levels if o.level == level)
        assert cites.startswith(text), (question, cites)
