"""Detective services whose "not enabled" answer a spec cannot tell from a real failure.

Both yield one security.service fact per account and region. "Not enabled" is a known answer
(enabled=false, coverage ok); AccessDenied and every other failure is raised, so the executor
records coverage `denied`/`error` and no fact (unknown, never "off").
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from botocore.exceptions import ClientError

from cmm_scan.aws.errors import error_code
from cmm_scan.aws.executor import FactOut, RegionRun
from cmm_scan.aws.spec import Collector

# Inspector's per-account resource types and the names the catalogue uses for them.
INSPECTOR_TYPES = {"ec2": "ec2", "ecr": "ecr", "lambda": "lambda", "lambdaCode": "lambda_code", "codeRepository": "code_repository"}
ON = ("ENABLED", "ENABLING")


def _service_id(run: RegionRun, prefix: str, name: str) -> str:
    return f"arn:{run.scope.partition}:{prefix}:{run.client_region}:{run.account}:service/{name}"


def inspector(run: RegionRun, spec: Collector) -> Iterator[FactOut]:
    """batch_get_account_status for this account: DISABLED (or no entry) is a known "off"."""
    response = run.call("inspector2", "batch_get_account_status", {"accountIds": [run.account]})
    failed = [f for f in response.get("failedAccounts", []) if f.get("accountId") == run.account]
    if failed:
        code, message = failed[0].get("errorCode", ""), failed[0].get("errorMessage", "")
        code = "AccessDeniedException" if code == "ACCESS_DENIED" else code or "InternalError"
        raise ClientError({"Error": {"Code": code, "Message": message}}, "BatchGetAccountStatus")
    account: dict[str, Any] = next((a for a in response.get("accounts", []) if a.get("accountId") == run.account), {})
    resources = account.get("resourceState", {})
    coverage = sorted(name for key, name in INSPECTOR_TYPES.items() if resources.get(key, {}).get("status") in ON)
    yield FactOut(
        resource_id=_service_id(run, "inspector2", "inspector"),
        attributes={
            "service": "inspector",
            "kind": "vulnerability_scanning",
            "enabled": account.get("state", {}).get("status") in ON,
            "coverage": coverage,
        },
    )


def _macie_off(exc: ClientError) -> bool:
    code = error_code(exc)
    message = exc.response.get("Error", {}).get("Message", "").lower()
    # AWS: AccessDeniedException "Macie is not enabled."; after disable_macie: ResourceNotFoundException
    return code == "ResourceNotFoundException" or (code == "AccessDeniedException" and "not enabled" in message)


def macie(run: RegionRun, spec: Collector) -> Iterator[FactOut]:
    try:
        session = run.call("macie2", "get_macie_session")
    except ClientError as exc:
        if not _macie_off(exc):
            raise
        session = {}
    yield FactOut(
        resource_id=_service_id(run, "macie2", "macie"),
        attributes={"service": "macie", "kind": "data_discovery", "enabled": session.get("status") == "ENABLED"},
    )
