"""How a check's verdict is derived (docs/baselines.md), on synthetic estates of neutral facts.

These estates are provider-neutral on purpose: the checks read only facts of providers/facts.yaml,
so the same verdicts follow whichever cloud adapter emitted the facts.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from cmm_scan.factcatalogue import readable_names
from cmm_scan.models import CheckResult
from cmm_scan.ownership import standard_areas
from cmm_scan.policy.evaluate import evaluate_baseline
from cmm_scan.policy.load import load_baseline
from tests.support.estate import Estate

A, B = "111111111111", "222222222222"


def judge(tmp_path: Path, estate: Estate, check_id: str) -> CheckResult:
    baseline = load_baseline("dwp-cloud-security")
    baseline.checks = [c for c in baseline.checks if c.id == check_id]
    (check,) = evaluate_baseline([estate.write(tmp_path / f"{check_id}.jsonl")], baseline).checks
    return check


def test_a_failing_scope_fails_the_estate_and_is_named(tmp_path: Path) -> None:
    """ "Records must be safeguarded against alteration": account A validates its trail, account B does not."""
    estate = Estate()
    estate.fact("audit.trail", scope=A, logging=True, log_validation=True)
    estate.fact("audit.trail", scope=B, logging=True, log_validation=False)
    check = judge(tmp_path, estate, "logging.tamper_protected")
    assert check.verdict == "does_not_hold"
    assert [(s.scope, s.verdict) for s in check.scopes] == [(A, "holds"), (B, "does_not_hold")]
    assert check.because.startswith(f"Does not hold in 1 of 2 scopes ({B}) because")


def test_a_denied_scope_makes_the_estate_cannot_tell_never_a_failure(tmp_path: Path) -> None:
    estate = Estate()
    estate.fact("audit.trail", scope=A, logging=True, log_validation=True)
    estate.denied("audit.trail", scope=B)
    check = judge(tmp_path, estate, "logging.tamper_protected")
    assert check.verdict == "cannot_tell"
    assert [(s.scope, s.verdict) for s in check.scopes] == [(A, "holds"), (B, "cannot_tell")]
    assert any("denied" in r for r in check.scopes[1].reasons), check.scopes[1].reasons


def test_failure_beats_unknown_elsewhere(tmp_path: Path) -> None:
    estate = Estate()
    estate.fact("audit.trail", scope=A, logging=True, log_validation=False)
    estate.denied("audit.trail", scope=B)
    assert judge(tmp_path, estate, "logging.tamper_protected").verdict == "does_not_hold"


def test_an_unreadable_attribute_is_unknown_not_false(tmp_path: Path) -> None:
    """A trail whose validation setting could not be read (attribute absent) leaves the must open."""
    estate = Estate()
    estate.fact("audit.trail", scope=A, logging=True)
    assert judge(tmp_path, estate, "logging.tamper_protected").verdict == "cannot_tell"


def test_nothing_to_check_is_not_applicable_and_never_fails(tmp_path: Path) -> None:
    estate = Estate().covered("crypto.key", scope=A)
    check = judge(tmp_path, estate, "encryption.key_rotation")
    assert check.verdict == "not_applicable"


def test_an_organisation_check_is_judged_once_over_the_estate(tmp_path: Path) -> None:
    """A guardrail set in the management account covers every account: no per-scope verdicts."""
    estate = Estate()
    estate.fact("org.policy", scope=A, region="global", policy_type="scp", restricts_regions=True, attachments=1)
    estate.covered("org.policy", scope=B, region="global")
    check = judge(tmp_path, estate, "residency.region_guardrail")
    assert (check.verdict, check.scopes) == ("holds", [])


@pytest.mark.parametrize(("provider", "region"), [("azure", "uksouth"), ("gcp", "europe-west2"), ("oci", "uk-london-1")])
def test_other_clouds_answer_the_same_check_from_the_same_neutral_facts(tmp_path: Path, provider: str, region: str) -> None:
    """Allowed regions are per cloud: a UK region of each cloud holds, its US region fails."""
    estate = Estate(provider)
    estate.fact("inventory.region", scope=A, region=region, in_use=True)
    assert judge(tmp_path, estate, "residency.regions_in_use").verdict == "holds"
    estate.fact("inventory.region", scope=A, region="eastus" if provider == "azure" else "us-east1", in_use=True)
    assert judge(tmp_path, estate, "residency.regions_in_use").verdict == "does_not_hold"


def test_every_bundled_check_quotes_a_statement_reads_catalogue_facts_and_has_a_standard_area() -> None:
    baseline = load_baseline("dwp-cloud-security")
    areas = set(standard_areas().areas)
    for check in baseline.checks:
        spec = check.spec
        assert spec.statement and spec.reference, check.id
        assert spec.area in areas, check.id
        assert all(readable_names(s.spec.fact) is not None for s in check.signals), check.id
    judged = [c for c in baseline.checks if c.spec.automation == "full"]
    assert len(judged) == 20 and len(baseline.checks) - len(judged) == 15


def test_a_parameter_named_like_an_attribute_is_refused(tmp_path: Path) -> None:
    from cmm_scan.errors import UserError

    folder = tmp_path / "clash"
    (folder / "checks").mkdir(parents=True)
    (folder / "baseline.yaml").write_text(
        yaml.safe_dump({"format_version": 1, "id": "clash", "title": "Clash", "parameters": {"encrypted": {"value": 1, "doc": "x"}}})
    )
    source = Path(load_baseline("dwp-cloud-security").path) / "checks" / "encryption.at_rest.yaml"
    (folder / "checks" / source.name).write_text(source.read_text())
    with pytest.raises(UserError, match=r"parameter encrypted has the name of a storage\.volume attribute"):
        load_baseline(str(folder))


def test_every_question_category_and_fact_type_falls_in_a_standard_area() -> None:
    from cmm_scan.catalogue import all_questions
    from cmm_scan.factcatalogue import fact_catalogue

    standard = standard_areas()
    assert set(standard.results) == set(all_questions()), "every CMM question and CSMM category has an area"
    assert set(standard.results.values()) <= set(standard.areas)
    for fact_type in fact_catalogue().facts:
        assert (standard.facts.get(fact_type) or standard.facts.get(fact_type.split(".")[0])) in standard.areas, fact_type


def test_threat_detection_is_judged_by_the_service_kind_on_every_cloud(tmp_path: Path) -> None:
    """ "Threat detection ... using the provider's threat intelligence": Defender for Cloud on in one
    subscription and off in another fails the estate and names the subscription, as GuardDuty would."""
    on, off = "a1b2c3d4-0001-4a00-8000-000000000001", "a1b2c3d4-0003-4a00-8000-000000000003"
    estate = Estate(provider="azure")
    for scope, enabled in ((on, True), (off, False)):
        estate.fact("security.service", scope=scope, service="defender_for_cloud", kind="threat_detection", enabled=enabled)
    check = judge(tmp_path, estate, "detection.threat_detection")
    assert check.verdict == "does_not_hold"
    assert [(s.scope, s.verdict) for s in check.scopes] == [(on, "holds"), (off, "does_not_hold")]


def test_a_central_posture_service_of_any_cloud_is_central_monitoring(tmp_path: Path) -> None:
    """ "Records must be ... incorporated into central protective monitoring": Security Command Center's
    posture service run for the whole organisation holds, though no trail is an AWS organisation trail."""
    estate = Estate(provider="gcp")
    estate.fact("audit.trail", scope="projects/app", logging=True, organization_trail=False)
    estate.fact(
        "security.service",
        scope="organizations/1",
        service="security-health-analytics",
        kind="posture",
        enabled=True,
        organization_managed=True,
    )
    assert judge(tmp_path, estate, "logging.central_monitoring").verdict == "holds"
