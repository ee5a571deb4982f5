"""Who Microsoft Entra ID makes pass MFA at sign-in: conditional access policies and security defaults, read
as data and evaluated per user (transforms the identity spec applies).

A policy counts only when it is on (not report-only), covers every cloud app, requires MFA (the `mfa` control
or an authentication strength, not one option among others) and has no condition that narrows when it
applies (locations, platforms, risk levels, client apps). Users are matched by id, guest type, directory role
and group (the groups the user is a direct member of, from `memberOf`). Security defaults require MFA of
everyone. Anything unread makes the answer None: unknown, never "no MFA".
"""

from __future__ import annotations

from typing import Any

from cmm_scan.cloud.transforms import transform

LEGACY_CLIENTS = {"exchangeactivesync", "other"}


def _list(value: Any) -> list[str]:
    return [str(v).lower() for v in value or []]


def _on(policy: dict[str, Any]) -> bool | None:
    """Enforced; None when the policy does not say (Graph always writes its state)."""
    if policy.get("state") is None:
        return None
    return str(policy["state"]).lower() == "enabled"


def _all_apps(conditions: dict[str, Any]) -> bool:
    return "all" in _list((conditions.get("applications") or {}).get("includeApplications"))


def _unconditional(conditions: dict[str, Any]) -> bool:
    locations = conditions.get("locations") or {}
    if _list(locations.get("excludeLocations")) or _list(locations.get("includeLocations")) not in ([], ["all"]):
        return False
    if conditions.get("platforms") or _list(conditions.get("signInRiskLevels")) or _list(conditions.get("userRiskLevels")):
        return False
    return _list(conditions.get("clientAppTypes")) in ([], ["all"])


def _requires_mfa(policy: dict[str, Any]) -> bool:
    grant = policy.get("grantControls") or {}
    if grant.get("authenticationStrength"):
        return True
    controls = _list(grant.get("builtInControls"))
    return "mfa" in controls and (len(controls) == 1 or str(grant.get("operator", "OR")).upper() == "AND")


def _blocks(policy: dict[str, Any]) -> bool:
    return "block" in _list((policy.get("grantControls") or {}).get("builtInControls"))


def _names(user: dict[str, Any]) -> set[str]:
    """Everything a policy's user condition may name this user by."""
    names = {str(user.get("id", "")).lower()}
    names |= {str(r).lower() for r in user.get("roles") or []}
    names |= {str(g).lower() for g in user.get("groups") or []}
    if str(user.get("userType", "")).lower() == "guest":
        names.add("guestsorexternalusers")
    return names


GRAPH_EXPAND_LIMIT = 20  # Graph expands at most 20 related objects: a user in more groups may be in others too


def _applies(policy: dict[str, Any], user: dict[str, Any]) -> bool | None:
    who = (policy.get("conditions") or {}).get("users") or {}
    names = _names(user)
    include = {*_list(who.get("includeUsers")), *_list(who.get("includeRoles")), *_list(who.get("includeGroups"))}
    exclude = {*_list(who.get("excludeUsers")), *_list(who.get("excludeRoles")), *_list(who.get("excludeGroups"))}
    if exclude & names:
        return False
    if user.get("roles") is None and (who.get("includeRoles") or who.get("excludeRoles")):
        return None  # the user's directory roles were not read
    cut_short = len(user.get("groups") or []) >= GRAPH_EXPAND_LIMIT
    if "all" in include or include & names:
        # a user whose group list may be cut short could be in an excluded group not seen
        return None if who.get("excludeGroups") and cut_short else True
    return None if who.get("includeGroups") and cut_short else False


def _defaults_on(defaults: Any) -> bool | None:
    """Security defaults on; None when the policy does not say (Graph always writes isEnabled)."""
    if isinstance(defaults, list):
        defaults = defaults[0] if defaults else {}
    enabled = (defaults or {}).get("isEnabled")
    return None if enabled is None else bool(enabled)


def _verdict(policy: dict[str, Any], user: dict[str, Any]) -> bool | None:
    """Whether an MFA policy holds for the user: as it applies when enforced; one whose state is not written may."""
    applies = _applies(policy, user)
    return applies if _on(policy) else (False if applies is False else None)


@transform("azure_mfa_enforced")
def azure_mfa_enforced(value: Any) -> bool | None:
    """{id, userType, roles, groups, policies, defaults} -> MFA is required of this user at every sign-in."""
    if value is None or value.get("policies") is None or value.get("defaults") is None:
        return None
    defaults = _defaults_on(value["defaults"])
    if defaults:
        return True
    verdicts = [
        _verdict(p, value)
        for p in value["policies"]
        if isinstance(p, dict)
        and _on(p) is not False
        and _requires_mfa(p)
        and _all_apps(p.get("conditions") or {})
        and _unconditional(p.get("conditions") or {})
    ]
    if True in verdicts:
        return True
    return None if None in verdicts or defaults is None else False


@transform("azure_legacy_auth_blocked")
def azure_legacy_auth_blocked(value: Any) -> bool | None:
    """{policies, defaults} -> sign-in through legacy protocols (which cannot do MFA) is blocked for everyone."""
    if value is None or value.get("policies") is None or value.get("defaults") is None:
        return None
    defaults = _defaults_on(value["defaults"])
    if defaults:
        return True
    unsure = defaults is None
    for policy in value["policies"]:
        if not isinstance(policy, dict):
            continue
        conditions = policy.get("conditions") or {}
        who = conditions.get("users") or {}
        if _on(policy) is False or not (_blocks(policy) and _all_apps(conditions)):
            continue
        if "all" in _list(who.get("includeUsers")) and set(_list(conditions.get("clientAppTypes"))) >= LEGACY_CLIENTS:
            if _on(policy):
                return True
            unsure = True  # a blocking policy whose state is not written
    return None if unsure else False


@transform("azure_phone_methods_allowed")
def azure_phone_methods_allowed(value: Any) -> bool | None:
    """authenticationMethodsPolicy.authenticationMethodConfigurations -> SMS or voice codes are on."""
    if value is None:
        return None
    return any(str(c.get("id", "")).lower() in ("sms", "voice") and str(c.get("state", "")).lower() == "enabled" for c in value)


@transform("azure_all_mfa_active")
def azure_all_mfa_active(value: Any) -> bool | None:
    """Users (items with mfa_active) -> MFA is required of all; None when it is unknown for any of them."""
    if value is None or any(u.get("mfa_active") is None for u in value):
        return None
    return all(bool(u.get("mfa_active")) for u in value)


@transform("azure_any_of")
def azure_any_of(value: Any) -> bool | None:
    """{any: [ids], of: [ids]} -> one of `any` is in `of`, comparing the last path segment without case (a role
    definition id may be a bare GUID or a full resource id); `true` passes through."""
    if value is True:
        return True
    if not isinstance(value, dict) or value.get("any") is None:
        return None
    wanted = {v.rsplit("/", 1)[-1] for v in _list(value.get("of"))}
    return any(v.rsplit("/", 1)[-1] in wanted for v in _list(value["any"]))
