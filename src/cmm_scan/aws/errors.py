"""Turn an AWS error into a coverage status: denied, not_enabled or error, with a short reason."""

from __future__ import annotations

from typing import Any

DENIED_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "UnauthorizedAccess",
        "AuthorizationError",
        "AuthorizationErrorException",
        "Forbidden",
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "ExpiredToken",
        "ExpiredTokenException",
        "AccessDeniedForDependencyException",
        "OptInRequired",
        "AuthFailure",
    }
)
# Codes that mean "this service is not subscribed / not turned on here", whatever the service.
NOT_ENABLED_CODES = frozenset(
    {
        "SubscriptionRequiredException",
        "AWSOrganizationsNotInUseException",
        "InvalidAccessException",
        "BadRequestException.NotEnabled",
    }
)


def error_code(exc: BaseException) -> str | None:
    response: dict[str, Any] | None = getattr(exc, "response", None)
    if not response:
        return None
    return response.get("Error", {}).get("Code") or None


def classify(exc: BaseException, not_enabled: frozenset[str] | set[str] = frozenset()) -> tuple[str, str]:
    """(status, reason) for an exception raised by a collector."""
    code = error_code(exc)
    if code is not None:
        message = getattr(exc, "response", {}).get("Error", {}).get("Message", "")
        reason = f"{code}: {message}"[:300] if message else code
        if code in DENIED_CODES or code.startswith("AccessDenied") or code.startswith("Unauthorized"):
            return "denied", reason
        if code in not_enabled or code in NOT_ENABLED_CODES:
            return "not_enabled", reason
        return "error", reason
    name = type(exc).__name__
    if name in ("NoCredentialsError", "PartialCredentialsError"):
        return "denied", f"{name}: {exc}"
    return "error", f"{name}: {exc}"[:300]


WORSE = {"ok": 0, "not_enabled": 1, "error": 2, "denied": 3}


def worst(a: str, b: str) -> str:
    return a if WORSE.get(a, 0) >= WORSE.get(b, 0) else b
