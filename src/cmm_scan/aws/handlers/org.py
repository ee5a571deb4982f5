"""AWS Organizations: the OU tree walk (for account paths and OU counts) and delegated administrators."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cmm_scan.aws.executor import FactOut, RegionRun, Skip
from cmm_scan.aws.spec import Collector


def _organization(run: RegionRun) -> dict[str, Any]:
    return run.scope.memo.get(("org", "describe"), lambda: run.call("organizations", "describe_organization")["Organization"])


def _management_only(run: RegionRun) -> dict[str, Any]:
    org = _organization(run)
    if org.get("MasterAccountId") != run.account:
        raise Skip("not the organisation's management account: read there (with --org)", covered_by=org.get("MasterAccountId"))
    return org


def tree(run: RegionRun) -> dict[str, Any]:
    """{"ous": count, "accounts": [(account, ou path)]}, walking from the root."""

    def walk() -> dict[str, Any]:
        accounts: list[tuple[dict[str, Any], str]] = []
        ous = 0
        roots = run.items("organizations", "list_roots", {}, "Roots")
        pending = [(r["Id"], "") for r in roots]
        while pending:
            parent, path = pending.pop()
            for account in run.items("organizations", "list_accounts_for_parent", {"ParentId": parent}, "Accounts"):
                accounts.append((account, path or "/"))
            for ou in run.items("organizations", "list_organizational_units_for_parent", {"ParentId": parent}, "OrganizationalUnits"):
                ous += 1
                pending.append((ou["Id"], f"{path}/{ou.get('Name', ou['Id'])}"))
        return {"ous": ous, "accounts": accounts}

    return run.scope.memo.get(("org", "tree"), walk)


def organization(run: RegionRun, spec: Collector) -> Iterator[FactOut]:
    org = _organization(run)
    managed = org.get("MasterAccountId") == run.account
    walked = tree(run) if managed else None
    yield FactOut(
        resource_id=org["Arn"],
        attributes={
            "all_features": org.get("FeatureSet") == "ALL",
            # a member account cannot list the organisation: counts come from the management account
            "accounts": len(walked["accounts"]) if walked else None,
            "ous": walked["ous"] if walked else None,
        },
    )


def accounts(run: RegionRun, spec: Collector) -> Iterator[FactOut]:
    _management_only(run)
    for account, path in tree(run)["accounts"]:
        yield FactOut(resource_id=account["Arn"], attributes={"status": account.get("Status"), "ou_path": path})


def delegated_admins(run: RegionRun, spec: Collector) -> Iterator[FactOut]:
    _management_only(run)
    for admin in run.items("organizations", "list_delegated_administrators", {}, "DelegatedAdministrators"):
        services = run.items("organizations", "list_delegated_services_for_account", {"AccountId": admin["Id"]}, "DelegatedServices")
        for service in services:
            yield FactOut(resource_id=f"{admin['Arn']}/{service['ServicePrincipal']}", attributes={"service": service["ServicePrincipal"]})
