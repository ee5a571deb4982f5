"""IAM: users from the credential report (a CSV), admin detection and roles from one bulk
get_account_authorization_details pass instead of per-user calls, MFA devices.

The report is the only source of the root user's sign-in facts: real IAM always lists a
`<root_account>` row. An emulator's report may not (moto's never does), and its account summary
hard-codes root MFA off, so no root user is made up from it: root is judged where it is listed."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator
from typing import Any

from cmm_scan.aws.executor import FactOut, RegionRun
from cmm_scan.aws.spec import Collector
from cmm_scan.cloud.transforms import age_days, json_document

ADMIN_POLICY_ARN_SUFFIX = ":policy/AdministratorAccess"
ROOT_USER = "<root_account>"
REPORT_WAIT_SECONDS = 2.0
REPORT_TRIES = 15


# --- shared, fetched once per account ------------------------------------------------------


def credential_report(run: RegionRun) -> list[dict[str, str]]:
    def fetch() -> list[dict[str, str]]:
        for _ in range(REPORT_TRIES):
            if run.call("iam", "generate_credential_report").get("State") == "COMPLETE":
                break
            time.sleep(REPORT_WAIT_SECONDS)
        content = run.call("iam", "get_credential_report")["Content"]
        text = content.decode("utf-8") if isinstance(content, bytes) else content
        return list(csv.DictReader(io.StringIO(text)))

    return run.scope.memo.get(("iam", "credential_report"), fetch)


def authorization_details(run: RegionRun) -> dict[str, list[dict[str, Any]]]:
    def fetch() -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = {"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [], "Policies": []}
        params = {"Filter": ["User", "Group", "Role", "LocalManagedPolicy"]}
        for page in run.pages("iam", "get_account_authorization_details", params):
            for key, found in out.items():
                found.extend(page.get(key, []))
        return out

    return run.scope.memo.get(("iam", "authorization_details"), fetch)


def _statements(document: Any) -> list[dict[str, Any]]:
    document = json_document(document) or {}
    statements = document.get("Statement", [])
    return statements if isinstance(statements, list) else [statements]


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def grants_everything(document: Any) -> bool:
    """An Allow of action * on resource * (AdministratorAccess or an equivalent)."""
    for statement in _statements(document):
        if statement.get("Effect") != "Allow" or "NotAction" in statement:
            continue
        if "*" in _as_list(statement.get("Action", [])) and "*" in _as_list(statement.get("Resource", [])):
            return True
    return False


def _admin_policy_arns(details: dict[str, list[dict[str, Any]]]) -> set[str]:
    arns = set()
    for policy in details["Policies"]:
        default = next((v for v in policy.get("PolicyVersionList", []) if v.get("IsDefaultVersion")), None)
        if default and grants_everything(default.get("Document")):
            arns.add(policy["Arn"])
    return arns


def _is_admin(principal: dict[str, Any], admin_arns: set[str], inline_key: str) -> bool:
    for attached in principal.get("AttachedManagedPolicies", []):
        if attached["PolicyArn"].endswith(ADMIN_POLICY_ARN_SUFFIX) or attached["PolicyArn"] in admin_arns:
            return True
    return any(grants_everything(p.get("PolicyDocument")) for p in principal.get(inline_key, []))


# --- users ---------------------------------------------------------------------------------


def _true(value: str | None) -> bool:
    return (value or "").lower() == "true"


def _unused_days(last_used: str | None, since: str | None) -> int:
    used = age_days(last_used)
    return used if used is not None else (age_days(since) or 0)


def virtual_mfa_users(run: RegionRun) -> dict[str, str]:
    """User ARN -> virtual device serial, for assigned virtual devices."""

    def fetch() -> dict[str, str]:
        devices = run.items("iam", "list_virtual_mfa_devices", {"AssignmentStatus": "Assigned"}, "VirtualMFADevices")
        return {d["User"]["Arn"]: d["SerialNumber"] for d in devices if d.get("User")}

    return run.scope.memo.get(("iam", "virtual_mfa"), fetch)


def users(run: RegionRun, spec: Collector) -> Iterator[FactOut]:
    report = credential_report(run)
    details = authorization_details(run)
    virtual = virtual_mfa_users(run)
    admin_arns = _admin_policy_arns(details)
    groups = {g["GroupName"]: g for g in details["GroupDetailList"]}
    by_arn = {u["Arn"]: u for u in details["UserDetailList"]}
    for row in report:
        is_root = row["user"] == ROOT_USER
        detail = by_arn.get(row["arn"], {})
        keys = [n for n in ("1", "2") if _true(row.get(f"access_key_{n}_active"))]
        key_ages = [age_days(row.get(f"access_key_{n}_last_rotated")) or 0 for n in keys]
        key_unused = [_unused_days(row.get(f"access_key_{n}_last_used_date"), row.get(f"access_key_{n}_last_rotated")) for n in keys]
        console = _true(row.get("password_enabled")) or (is_root and row.get("password_enabled") == "not_supported")
        mfa = _true(row.get("mfa_active"))
        admin = is_root or _is_admin(detail, admin_arns, "UserPolicyList")
        admin = admin or any(_is_admin(groups.get(g, {}), admin_arns, "GroupPolicyList") for g in detail.get("GroupList", []))
        yield FactOut(
            resource_id=row["arn"],
            region="global",
            attributes={
                "is_root": is_root,
                "console_access": console,
                "mfa_active": mfa,
                "mfa_kind": ("virtual" if row["arn"] in virtual else "hardware") if mfa else "none",
                "active_keys": len(keys),
                "oldest_key_age_days": max(key_ages, default=0),
                "key_unused_days": min(key_unused, default=0),
                "password_unused_days": _unused_days(row.get("password_last_used"), row.get("user_creation_time")) if console else 0,
                "age_days": age_days(row.get("user_creation_time")),
                "permission_boundary": bool(detail.get("PermissionsBoundary")) if detail or is_root else None,
                "admin": admin if detail or is_root else None,
                "human": console or not keys,
            },
        )


def mfa_devices(run: RegionRun, spec: Collector) -> Iterator[FactOut]:
    """Virtual devices from their list; hardware ones inferred from the report (MFA on, no virtual device)."""
    virtual = virtual_mfa_users(run)
    for user_arn, serial in virtual.items():
        yield FactOut(resource_id=serial, attributes={"kind": "virtual", "user": user_arn.rsplit("/", 1)[-1]})
    for row in credential_report(run):
        if _true(row.get("mfa_active")) and row["arn"] not in virtual:
            yield FactOut(resource_id=f"{row['arn']}/mfa/hardware", attributes={"kind": "hardware", "user": row["user"]})


# --- roles ---------------------------------------------------------------------------------


def _trust(document: Any, account: str, known: frozenset[str]) -> tuple[set[str], bool, bool]:
    """(trust kinds, trusts an account outside the scan, assumed through OIDC web identity)."""
    kinds: set[str] = set()
    external = web_identity = False
    for statement in _statements(document):
        if statement.get("Effect") != "Allow":
            continue
        principal = statement.get("Principal", {})
        if principal == "*":
            kinds.add("account")
            external = True
            continue
        actions = {a.lower() for a in _as_list(statement.get("Action", []))}
        if principal.get("Service"):
            kinds.add("service")
        for aws in _as_list(principal.get("AWS", [])):
            trusted = aws.split(":")[4] if aws.startswith("arn:") else aws
            if trusted == account:
                kinds.add("same_account")
            else:
                kinds.add("account")
                external = external or trusted not in known
        for federated in _as_list(principal.get("Federated", [])):
            if ":saml-provider/" in federated:
                kinds.add("sso" if "AWSSSO_" in federated else "saml")
            elif ":oidc-provider/" in federated or "sts:assumerolewithwebidentity" in actions:
                kinds.add("oidc")
                web_identity = True
            else:
                kinds.add("oidc")  # web identity through cognito, accounts.google.com, ...
                web_identity = True
    return kinds, external, web_identity


def roles(run: RegionRun, spec: Collector) -> Iterator[FactOut]:
    details = authorization_details(run)
    admin_arns = _admin_policy_arns(details)
    sessions = {r["Arn"]: r.get("MaxSessionDuration") for r in run.items("iam", "list_roles", {}, "Roles")}
    known = run.scope.known_accounts | {run.account}
    for role in details["RoleDetailList"]:
        path, name = role.get("Path", "/"), role["RoleName"]
        sso = name.startswith("AWSReservedSSO_") or path.startswith("/aws-reserved/sso.amazonaws.com/")
        kinds, external, web_identity = _trust(role.get("AssumeRolePolicyDocument"), run.account, known)
        if sso:
            kinds.add("sso")
        last_used = (role.get("RoleLastUsed") or {}).get("LastUsedDate")
        seconds = sessions.get(role["Arn"])
        yield FactOut(
            resource_id=role["Arn"],
            region="global",
            attributes={
                "name": name,
                "service_linked": path.startswith("/aws-service-role/"),
                "trust_kinds": sorted(kinds),
                "trusts_external_account": external,
                "workload_identity": web_identity,
                "sso_managed": sso,
                "permission_boundary": bool(role.get("PermissionsBoundary")),
                "admin": _is_admin(role, admin_arns, "RolePolicyList"),
                "max_session_hours": round(seconds / 3600, 2) if seconds else None,
                "unused_days": _unused_days(last_used, role.get("CreateDate")),
            },
        )
