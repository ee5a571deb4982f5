"""Golden GCP estates for Security Health Analytics detectors deployed in a posture (config.rule): the expected
level quoted from the rule's level text, and a refused read that leaves the rules unknown, never none."""

from __future__ import annotations

from typing import Any

from tests.aws.estates import explain
from tests.gcp import estates
from tests.gcp.support import answer, scan

POSTURES = "/v1/organizations/100/locations/global/postures"
DEPLOYMENTS = "/v1/organizations/100/locations/global/postureDeployments"


def detector(policy: str, module: str, state: str = "ENABLED") -> dict[str, Any]:
    return {"policyId": policy, "constraint": {"securityHealthAnalyticsModule": {"moduleName": module, "moduleEnablementState": state}}}


def posture_estate(deployment_state: str = "ACTIVE") -> dict[str, Any]:
    """The CIS posture deployed on the organisation: three built-in detectors on (one retention check), one off,
    a custom detector, and an organisation-policy constraint (preventive, not a configuration rule); a draft
    posture nobody deployed holds a detector that must not count."""
    estate = estates.org_estate()
    estate["assets"] = [estates.instance("app-1", "web-1"), estates.instance("app-2", "web-2")]
    cis = "organizations/100/locations/global/postures/cis"
    estate["rest"] = {
        POSTURES: {
            "postures": [
                {
                    "name": cis,
                    "state": "ACTIVE",
                    "revisionId": "a1b2c3d4",
                    "policySets": [
                        {
                            "policySetId": "detectors",
                            "policies": [
                                detector("mfa", "MFA_NOT_ENFORCED"),
                                detector("retention", "LOCKED_RETENTION_POLICY_NOT_SET"),
                                detector("ssh", "OPEN_SSH_PORT"),
                                detector("rdp", "OPEN_RDP_PORT", state="DISABLED"),
                                {
                                    "policyId": "cmek-buckets",
                                    "constraint": {
                                        "securityHealthAnalyticsCustomModule": {
                                            "displayName": "bucket_without_cmek",
                                            "moduleEnablementState": "ENABLED",
                                            "config": {"resourceSelector": {"resourceTypes": ["storage.googleapis.com/Bucket"]}},
                                        }
                                    },
                                },
                            ],
                        },
                        {
                            "policySetId": "org-policies",
                            "policies": [
                                {
                                    "policyId": "no-sa-keys",
                                    "constraint": {"orgPolicyConstraint": {"cannedConstraintId": "iam.disableServiceAccountKeyCreation"}},
                                }
                            ],
                        },
                    ],
                },
                {
                    "name": "organizations/100/locations/global/postures/draft",
                    "state": "DRAFT",
                    "revisionId": "e5f6a7b8",
                    "policySets": [{"policySetId": "x", "policies": [detector("sql", "SQL_NO_ROOT_PASSWORD")]}],
                },
            ]
        },
        DEPLOYMENTS: {
            "postureDeployments": [
                {
                    "name": "organizations/100/locations/global/postureDeployments/cis-org",
                    "targetResource": "organizations/100",
                    "postureId": cis,
                    "postureRevisionId": "a1b2c3d4",
                    "state": deployment_state,
                }
            ]
        },
    }
    return estate


def test_deployed_posture_detectors_are_configuration_rules(gcp) -> None:
    gcp.load(posture_estate())
    result = scan(["config.rule"], organization="100")
    rules = {f.attributes["identifier"]: f.attributes["source"] for f in result.of("config.rule")}
    assert rules == {
        "MFA_NOT_ENFORCED": "managed",
        "LOCKED_RETENTION_POLICY_NOT_SET": "managed",
        "OPEN_SSH_PORT": "managed",
        "bucket_without_cmek": "custom_policy",
    }
    assert {c.status for c in result.coverage} == {"ok"}


def test_a_posture_not_deployed_has_no_rules(gcp) -> None:
    gcp.load(posture_estate(deployment_state="CREATE_FAILED"))
    result = scan(["config.rule"], organization="100")
    assert result.of("config.rule") == [] and {c.status for c in result.coverage} == {"ok"}


def test_recorded_estate_checked_by_detectors_is_continuously_assessed(gcp, tmp_path) -> None:
    """csmm.compliance_and_audit: the Asset Inventory records every project's configuration and the deployed
    posture's detectors check it, so level 4 'Continuous assessment of in-scope resources using automated
    guardrails, manual remediation of deficiencies. Reporting is partially automated.' is shown (a floor:
    whether remediation is automatic is not read)."""
    gcp.load(posture_estate())
    result = answer(tmp_path, "csmm.compliance_and_audit", organization="100")
    assert result.status == "floor" and result.answer == 4, explain(result)


def test_refused_posture_read_leaves_the_rules_unknown(gcp, tmp_path) -> None:
    """The same estate with the postures' list refused: configuration rules are unknown, so level 4 is not
    shown, and nothing is lowered either — 'I don't know', never 'no rules'."""
    estate = posture_estate()
    estate["faults"] = {"deny": [{"operation": "list v1/organizations/*/locations/global/postures"}]}
    gcp.load(estate)
    result = scan(["config.rule"], organization="100")
    assert result.of("config.rule") == [] and {c.status for c in result.coverage} == {"denied"}
    assessed = answer(tmp_path, "csmm.compliance_and_audit", organization="100")
    rules = next(e for e in assessed.evidence if e.signal == "config_rules")
    assert not rules.complete and assessed.answer == 0, explain(assessed)
