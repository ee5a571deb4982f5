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
