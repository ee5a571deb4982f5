"""`not_held_by` in providers/facts.yaml: the kinds of thing a cloud's estates cannot hold.

A declaration lets pooled scoring treat the cloud's silence as "nothing here" rather than "unread", so
it must never cover a kind the cloud's own collectors read (that would hide a failed read), and it
reaches the snapshot header of every scan of that cloud."""

from __future__ import annotations

import pytest

from cmm_scan.aws.spec import load_catalogue as aws_catalogue
from cmm_scan.cloud.spec import load_catalogue
from cmm_scan.factcatalogue import fact_catalogue, not_held_by
from cmm_scan.paths import bundled


def collected(provider: str) -> set[str]:
    if provider == "aws":
        catalogue = aws_catalogue()
        return {c.fact for c in catalogue.collectors.values()} | {t for c in catalogue.collectors.values() for t in c.enriches}
    skip = frozenset({"services.yaml"}) if provider == "oci" else frozenset()
    catalogue = load_catalogue(provider, bundled("providers") / provider, skip=skip)
    return {c.fact for c in catalogue.collectors.values()} | {t for c in catalogue.collectors.values() for t in c.enriches}


@pytest.mark.parametrize("provider", ["aws", "azure", "gcp", "oci"])
def test_a_cloud_never_declares_not_held_what_its_collectors_read(provider: str) -> None:
    declared = {t for t, spec in fact_catalogue().facts.items() if provider in spec.not_held_by}
    assert not declared & collected(provider)
    assert all(spec.not_held_by[provider].strip() for t, spec in fact_catalogue().facts.items() if t in declared)


def test_every_declaration_reaches_the_header_of_its_clouds_plans_only() -> None:
    for kind, spec in fact_catalogue().facts.items():
        for cloud in ("aws", "azure", "gcp", "oci"):
            assert not_held_by(cloud, ["compute.instance", kind]) == ([kind] if cloud in spec.not_held_by else [])
        assert not_held_by("repos", [kind]) == []


def _release_evidence(tmp_path, provider: str, not_held: list[str]) -> list:
    from cmm_scan.engine import evaluate
    from cmm_scan.rules import load_rules
    from tests.support.estate import Estate

    snapshot = Estate(provider=provider).covered("compute.autoscaling_group").write(tmp_path / f"{provider}.jsonl", not_held=not_held)
    (result,) = evaluate([snapshot], [r for r in load_rules() if r.id == "ops.release"]).results
    return [e for e in result.evidence if e.fact_type == "cicd.deployment_group"]


def test_a_kind_one_cloud_cannot_hold_is_read_and_empty_in_its_snapshot_alone(tmp_path) -> None:
    """Azure Resource Manager has no deployment groups: scored alone, an Azure snapshot that declares
    so reads as none of them, complete; without the declaration they are unknown."""
    declared = _release_evidence(tmp_path, "azure", ["cicd.deployment_group"])
    assert declared and all(e.complete and e.matching == 0 for e in declared)
    silent = _release_evidence(tmp_path, "azure", [])
    assert silent and not any(e.complete for e in silent)


def test_a_repository_snapshot_alone_settles_no_cloud_kind(tmp_path) -> None:
    """A repository's header says it holds no cloud resources; that never makes a cloud question's
    evidence complete when no cloud was scanned."""
    evidence = _release_evidence(tmp_path, "repos", ["cicd.deployment_group", "compute.autoscaling_group"])
    assert evidence and not any(e.complete for e in evidence)
