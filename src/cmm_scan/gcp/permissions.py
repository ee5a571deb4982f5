"""The least-privilege custom role for a GCP scan: read permissions only, from the specs."""

from __future__ import annotations

from cmm_scan.gcp.spec import Collector, catalogue, selected

# What the plan and the inventory reads need, whatever the collectors.
PLAN_PERMISSIONS = ("resourcemanager.projects.get", "resourcemanager.folders.list", "resourcemanager.organizations.get")
CONTENT_PERMISSIONS = {
    "RESOURCE": "cloudasset.assets.listResource",
    "IAM_POLICY": "cloudasset.assets.listIamPolicy",
    "ORG_POLICY": "cloudasset.assets.listOrgPolicy",
}
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
    "securitycenter": "roles/securitycenter.settingsViewer",
    "recommender": "roles/recommender.viewer",
    "orgpolicy": "roles/orgpolicy.policyViewer",
    "iam": "roles/iam.securityReviewer",
    "storage": "roles/storage.insightsCollectorService",
}


def collector_permissions(collector: Collector) -> set[str]:
    found = {CONTENT_PERMISSIONS[collector.content]} if collector.asset_types else set()
    if collector.scope == "billing_account":  # which billing accounts: the projects' billing info, from the inventory
        found.add(CONTENT_PERMISSIONS["RESOURCE"])
    for request in [collector.request, *collector.calls]:
        if request is not None:
            found.update(request.permissions)
    return found


def required(fact_types: list[str]) -> list[str]:
    perms = set(PLAN_PERMISSIONS)
    for collector in selected(fact_types, catalogue()):
        perms |= collector_permissions(collector)
    return sorted(perms)


def is_read(permission: str) -> bool:
    return permission.rsplit(".", 1)[-1] in READ_VERBS


def role_yaml(fact_types: list[str]) -> str:
    """A custom role as `gcloud iam roles create cmmScanReader --organization=N --file=role.yaml` takes it."""
    perms = required(fact_types)
    roles = sorted({PREDEFINED[p.split(".", 1)[0]] for p in perms if p.split(".", 1)[0] in PREDEFINED})
    lines = [
        "# cmm-scan: least-privilege custom role (read permissions only). Create it with",
        "#   gcloud iam roles create cmmScanReader --organization=ORG_ID --file=cmm-scan-role.yaml",
        "# and grant it at the organisation (or folder/project) the scan covers. Predefined roles that",
        "# cover the same permissions, for teams that do not create custom roles:",
        *[f"#   {role}" for role in roles],
        "title: cmm-scan reader",
        "description: Read-only access for cmm-scan (Cloud Maturity Model evidence)",
        "stage: GA",
        "includedPermissions:",
        *[f"- {p}" for p in perms],
    ]
    return "\n".join(lines) + "\n"
