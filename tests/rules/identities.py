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
