"""Every GCP collector spec is consistent with the fact catalogue and the read-only rule."""

from __future__ import annotations

import subprocess
import sys

import pytest

from cmm_scan.cloud import transforms
from cmm_scan.cloud.permissions import all_requests
from cmm_scan.emulate.gcp import service_of
from cmm_scan.factcatalogue import fact_catalogue
from cmm_scan.gcp.adapter import catalogue
from cmm_scan.gcp.permissions import DIRECTORY, collector_permissions, is_read, role_yaml

COLLECTORS = sorted(catalogue().collectors.values(), key=lambda c: c.id)


@pytest.mark.parametrize("spec", COLLECTORS, ids=lambda c: c.id)
def test_collector_matches_fact_catalogue(spec) -> None:
    facts = fact_catalogue().facts
    assert spec.fact in facts, f"{spec.id}: unknown fact type {spec.fact}"
    unknown = set(spec.attributes) - set(facts[spec.fact].attributes)
    assert not unknown, f"{spec.id}: attributes not in providers/facts.yaml: {unknown}"
    used = [spec.attribute(n).transform for n in spec.attributes] + [d.transform for d in spec.derive]
    assert {t for t in used if t} <= set(transforms.TRANSFORMS), f"{spec.id}: unknown transform"


@pytest.mark.parametrize("spec", COLLECTORS, ids=lambda c: c.id)
def test_collector_reads_only_and_declares_its_permissions(spec) -> None:
    permissions = collector_permissions(spec)
    assert permissions and all(is_read(p) for p in permissions), (spec.id, permissions)


@pytest.mark.parametrize("request_", all_requests(catalogue()), ids=lambda r: f"{r.operation}:{r.path}")
def test_every_request_names_its_api(request_) -> None:
    # the emulator knows which API a path belongs to (so a disabled API can be refused for it)
    sample = request_.path.replace("{billing_account}", "billingAccounts/0A-0B").replace("{project}", "p").replace("{parent}", "projects/p")
    assert service_of(sample) == request_.api, (request_.operation, request_.path)


def test_role_covers_every_collector() -> None:
    every = [c.fact for c in COLLECTORS]
    role = role_yaml(every)
    for spec in COLLECTORS:
        # IAM permissions inside the role; the directory's reads (an Admin console role, not IAM) printed beside it
        assert all((f"#   {p}" if p.startswith(DIRECTORY) else f"- {p}") in role for p in collector_permissions(spec))


def test_the_catalogue_registers_every_transform_it_names_on_its_own() -> None:
    """In a fresh interpreter (a scan imports nothing else first): every transform a spec names, in an attribute,
    a derive or an apply() call, is registered by loading the GCP catalogue."""
    check = (
        "import re\n"
        "from cmm_scan.gcp.adapter import catalogue\n"
        "from cmm_scan.cloud import transforms\n"
        "text = ' '.join(p.read_text() for p in set(catalogue().files.values()))\n"
        "named = set(re.findall(r'transform: (\\w+)', text)) | set(re.findall(r\"apply\\('(\\w+)'\", text))\n"
        "print(sorted(named - set(transforms.TRANSFORMS)))\n"
    )
    done = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]", done.stdout
