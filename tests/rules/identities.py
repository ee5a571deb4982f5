"""Identity facts shared by the security and CSMM golden estates."""

from __future__ import annotations

from tests.support.estate import Estate

A = "111111111111"


def root(estate: Estate, scope: str = A, mfa: bool = True, kind: str = "virtual", keys: int = 0) -> None:
    estate.fact(
        "identity.user",
        scope=scope,
        region="global",
        is_root=True,
        console_access=True,
        human=True,
        mfa_active=mfa,
        mfa_kind=kind if mfa else "none",
        active_keys=keys,
        admin=True,
    )


def person(estate: Estate, n: int = 1, scope: str = A, mfa: bool = True, kind: str = "virtual", **extra) -> None:
    """`n` local console users (people), MFA on unless told otherwise; `extra` overrides any attribute."""
    attrs = dict(
        is_root=False,
        console_access=True,
        human=True,
        mfa_active=mfa,
        mfa_kind=kind if mfa else "none",
        active_keys=0,
        admin=False,
        password_unused_days=5,
    )
    attrs.update(extra)
    for _ in range(n):
        estate.fact("identity.user", scope=scope, region="global", **attrs)
