"""The Azure demo tenant (fixtures/emulator/azure-demo.yaml, the emulator's documented format) scans with every
collector ok, gives the answers its story tells, and the recorded demo part (fixtures/demo-parts/) is current."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from cmm_scan.engine import evaluate
from cmm_scan.factcatalogue import fact_catalogue
from cmm_scan.rules import load_rules
from tests.azure.support import scan
from tests.support.estate import Estate

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "fixtures" / "emulator" / "azure-demo.yaml"
PART = ROOT / "fixtures" / "demo-parts" / "azure.snapshot.jsonl"


def test_demo_tenant_scans_clean_and_answers_as_its_story_says(azure, tmp_path: Path) -> None:
    """Web and API tiers autoscale on CPU and queue depth: cost.capacity "Everything scales automatically." (5);
    production in uksouth with geo-redundant backups: cost.geography range 2-3 ("We use another region for
    non-production workloads or backup and recovery." is shown)."""
    azure.load(DEMO)
    result = scan(list(fact_catalogue().facts), devops_orgs="dept")
    assert {c.status for c in result.coverage} == {"ok"}, [c for c in result.coverage if c.status != "ok"]
    recorded = [json.loads(line) for line in PART.read_text(encoding="utf-8").splitlines()]
    assert {(r["type"], r["resource_id"]) for r in recorded if r["record"] == "fact"} == {(f.type, f.resource_id) for f in result.facts}, (
        "fixtures/demo-parts/azure.snapshot.jsonl is stale: run fixtures/build_azure_demo.py"
    )
    estate = Estate(provider="azure")
    estate.facts, estate.coverage = result.facts, result.coverage
    answers = {r.id: r for r in estate.assess(tmp_path, "cost.capacity", "cost.geography", "sec.mfa").results}
    assert answers["cost.capacity"].answer == 5
    assert answers["cost.geography"].possible_levels == [2, 3]
    users = {f.resource_id: f.attributes for f in result.of("identity.user") if f.attributes["human"]}
    assert all(u["mfa_active"] for u in users.values() if not u["external"])


# The demo tenant's answers, question by question: (expected answer, status, what in the tenant shows it, and the
# level text). A floor is "at least this": the levels above turn on what only a person can tell.
ANSWERS = {
    "cost.spend": (4, "floor", "team budgets (a resource group each) alert the team: 'Developers can see and consider costs.'"),
    "ops.build_speed": (
        3,
        "floor",
        "image builds take minutes and an alert watches their run time: 'Reasonably fast and we do some monitoring.'",
    ),
    "ops.monitoring": (
        4,
        "floor",
        "five acting alerts, application metrics beyond the audit-log check, a dynamic threshold, an application workbook: "
        "'Advanced monitoring tools with some integration between infrastructure and applications.'",
    ),
    "tech.stack": (
        3,
        "floor",
        "container apps, a function and AKS outnumber VM groups: "
        "'Systems are made of parts that can run on their own, but they depend on each other a lot.'",
    ),
    "sec.user_identity": (
        3,
        "suggested",
        "MFA for everyone, Defender and benchmarks, the tenant's password policy in every subscription: "
        "'There are rules, such as two-factor authentication for key accounts, and some automated checks.'",
    ),
    "sec.access_reviews": (
        3,
        "floor",
        "a quarterly self-applying review of unused access: 'We review access often, but mostly add new access rather than remove it.'",
    ),
    "sec.privileged_insider": (
        4,
        "suggested",
        "every subscription's activity log archived in locked storage, Defender everywhere with alerts routed: "
        "'Logs are stored in one place, can’t be changed, and are checked automatically.'",
    ),
    "sec.privileged_access": (
        2,
        "floor",
        "two break-glass owners, administrators through PIM: 'We use central controls for passwords and keys, with basic logging.'",
    ),
    "sec.mfa": (
        4,
        "suggested",
        "conditional access requires MFA (phishing-resistant) of everyone, SMS and voice turned off: "
        "'Only strong 2FA/MFA methods are allowed (no SMS or phone-based codes).'",
    ),
    "sec.nhi_auth": (
        5,
        "suggested",
        "workloads sign in with federated credentials: 'We use short-lived, strongly checked identities that change for each use.'",
    ),
    "sec.supply_chain": (
        3,
        "floor",
        "vulnerability scanning in every subscription, every registry scanned: "
        "'All code is checked and updated regularly, with fixes applied as needed.'",
    ),
    "ops.incident_planning": (
        2,
        "floor",
        "a Sentinel automation rule assigns the on-call and pages them on every new incident: "
        "'We create a plan when launching a new service.'",
    ),
    "gov.policy_enforcement": (
        4,
        "floor",
        "deny policies and the benchmark initiative in audit: 'We use processes and some technology to apply policies.'",
    ),
    "ops.cicd": (
        4,
        "floor",
        "CI/CD identities made most writes, an Azure Pipelines YAML pipeline deploys: "
        "'Nearly all teams use CI/CD, but tools and processes vary.' (one toolchain: 5 is for a person)",
    ),
    "ops.deploy_qa": (
        3,
        "floor",
        "the pipeline runs unit tests and publishes their results, then deploys to staging and to production behind an "
        "approval: 'Integrated approach, with some automation and regular checks.'",
    ),
    "csmm.governance": (
        3,
        "floor",
        "policies and benchmarks in use: 'Cloud team, CCoE or equivalent in place to guide usage. Initial policies in use...'",
    ),
    "csmm.organization_management": (
        3,
        "floor",
        "subscriptions under management groups with guardrails: "
        "'Deployments centrally managed with consistent manual provisioning of core security...'",
    ),
    "csmm.security_monitoring": (
        4,
        "floor",
        "activity logs everywhere, Defender everywhere, VNet flow logs: "
        "'Comprehensive security telemetry collected for the management plane, services and workloads...'",
    ),
    "csmm.network_security": (
        2,
        "floor",
        "no SSH/RDP open to the internet, networks built by the department: 'Networks manually built to defined cloud standards...'",
    ),
    "csmm.workload_security": (
        3,
        "floor",
        "scale sets rebuilt from images, scanning on: 'Mostly cloud-native tools in use. Initial use of Immutable infrastructure...'",
    ),
}


def test_demo_tenant_answers_what_a_well_run_estate_shows() -> None:
    """Each question the demo tenant answers, with the level text its configuration supports (ANSWERS above).
    Scored from the recorded part (the emulator scanned through the real SDK by fixtures/build_azure_demo.py; the
    first test proves it current): ages (sign-ins, instances) are as of the recording, so the answers do not drift
    as the estate file's fixed dates grow old."""
    found = {r.id: r for fw in ("cmm", "csmm") for r in evaluate(PART, load_rules()).for_framework(fw)}
    assert {q: (found[q].answer, found[q].status) for q in ANSWERS} == {q: (level, status) for q, (level, status, _) in ANSWERS.items()}


def test_a_denied_audit_archive_leaves_privileged_insider_open_not_lower(azure, tmp_path: Path) -> None:
    """With the storage accounts unreadable the archive's lock is unknown: level 4 ('Logs are stored in one place,
    can’t be changed, and are checked automatically.') is no longer shown, and nothing below it is chosen instead."""
    estate_file = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    estate_file["faults"] = {"deny": [{"operation": "Microsoft.Storage/storageAccounts/read"}]}
    azure.load(estate_file)
    result = scan(list(fact_catalogue().facts))
    estate = Estate(provider="azure")
    estate.facts, estate.coverage = result.facts, result.coverage
    (answer,) = estate.assess(tmp_path, "sec.privileged_insider").results
    assert answer.answer == 0 and 4 in answer.possible_levels and answer.suggested_level is None
