"""The least-privilege custom role for a GCP scan: read permissions only, from the specs (the requests each
selected collector makes, the lookups it reads) and the plan's own requests."""

from __future__ import annotations

from collections.abc import Iterable

from cmm_scan.cloud.permissions import requests_of, required, selected
from cmm_scan.cloud.spec import Collector, Request
from cmm_scan.gcp.adapter import BILLING_INFO, catalogue
from cmm_scan.gcp.scopes import PLAN_REQUESTS

READ_VERBS = (
    "get",
    "list",
    "search",
    "searchAllResources",
    "searchAllIamPolicies",
    "listResource",
    "listIamPolicy",
    "listOrgPolicy",
    "getIamPolicy",
)
# Predefined roles that together cover the custom role (for teams that do not create custom roles).
PREDEFINED = {
    "cloudasset": "roles/cloudasset.viewer",
    "resourcemanager": "roles/browser",
    "monitoring": "roles/monitoring.viewer",
    "logging": "roles/logging.viewer",
    "billing": "roles/billing.viewer",
    "cloudbuild": "roles/cloudbuild.builds.viewer",
    "artifactregistry": "roles/artifactregistry.reader",
    "binaryauthorization": "roles/binaryauthorization.policyViewer",
    "securitycenter": "roles/securitycenter.notificationConfigViewer",
    "securityposture": "roles/securityposture.viewer",
    "recommender": "roles/recommender.viewer",
    "orgpolicy": "roles/orgpolicy.policyViewer",
    "iam": "roles/iam.securityReviewer",
    "storage": "roles/storage.insightsCollectorService",
}


def extra_requests(collector: Collector) -> list[Request]:
    """What the adapter reads for a collector beyond its spec: billing accounts come from the inventory."""
    if collector.scope != "billing_account":
        return []
    return requests_of(Collector(id="_billing", fact="_", scope="inventory", handler="_", draw={"lookup": BILLING_INFO}), catalogue())


def collector_permissions(collector: Collector) -> set[str]:
    requests = requests_of(collector, catalogue()) + extra_requests(collector)
    return {p for r in requests for p in r.permissions}


def needed(fact_types: Iterable[str]) -> list[str]:
    fact_types = list(fact_types)
    extra = [*PLAN_REQUESTS.values(), *(r for spec in selected(fact_types, catalogue()) for r in extra_requests(spec))]
    return sorted({p for names in required(fact_types, catalogue(), extra=extra).values() for p in names})


# The organisation's directory (Cloud Identity / Workspace) is not governed by IAM: its reads need an admin role
# of the Admin console (a custom one with Users > Read and the SSO settings' read will do), assigned to the
# scanning identity. They are printed beside the IAM role, never inside it (IAM would refuse the names).
DIRECTORY = ("admin.", "cloudidentity.")


def is_read(permission: str) -> bool:
    return permission.rsplit(".", 1)[-1] in READ_VERBS


def role_yaml(fact_types: list[str]) -> str:
    """A custom role as `gcloud iam roles create cmmScanReader --organization=N --file=role.yaml` takes it."""
    wanted = needed(fact_types)
    perms = [p for p in wanted if not p.startswith(DIRECTORY)]
    directory = [p for p in wanted if p.startswith(DIRECTORY)]
    roles = sorted({PREDEFINED[p.split(".", 1)[0]] for p in perms if p.split(".", 1)[0] in PREDEFINED})
    lines = [
        "# cmm-scan: least-privilege custom role (read permissions only). Create it with",
        "#   gcloud iam roles create cmmScanReader --organization=ORG_ID --file=cmm-scan-role.yaml",
        "# and grant it at the organisation (or folder/project) the scan covers. Predefined roles that",
        "# cover the same permissions, for teams that do not create custom roles:",
        *[f"#   {role}" for role in roles],
        *(
            [
                "# The organisation's directory (2-Step Verification, last sign-in, SAML single sign-on) is read with an",
                "# Admin console role, not IAM: give the scanning identity one holding these reads (else they stay unknown):",
                *[f"#   {p}" for p in directory],
            ]
            if directory
            else []
        ),
        "title: cmm-scan reader",
        "description: Read-only access for cmm-scan (Cloud Maturity Model evidence)",
        "stage: GA",
        "includedPermissions:",
        *[f"- {p}" for p in perms],
    ]
    return "\n".join(lines) + "\n"
