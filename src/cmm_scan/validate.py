"""Checks of option values every provider shares, each failing with one line that says how to fix it."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from urllib.parse import urlsplit

from cmm_scan.errors import UserError


def endpoint_url(text: str, option: str = "--endpoint-url") -> str:
    """An http(s) URL with a host, e.g. http://127.0.0.1:5000 or https://vpce-1.ec2.eu-west-2.vpce.amazonaws.com."""
    try:
        parts = urlsplit(text.strip())
        parts.port  # noqa: B018 (raises ValueError for a port that is not a number)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise UserError(f"{option} '{text}' is not an http(s) URL", "for example --endpoint-url https://host:443")
    return text.strip()


def region_list(values: Iterable[str] | str | None, option: str = "--regions") -> list[str] | None:
    """`--regions a b`, `--regions a,b` or both; None when not given; an empty value is refused, not read as 'all'."""
    if values is None:
        return None
    texts = [values] if isinstance(values, str) else list(values)
    regions = [part.strip() for text in texts for part in text.split(",") if part.strip()]
    if not regions:
        raise UserError(f"{option} is empty", "name at least one region, or leave out --regions to scan every enabled region")
    return list(dict.fromkeys(regions))


def known_regions(given: list[str], known: Iterable[str], provider: str, option: str = "--regions") -> list[str]:
    """Refuse a region the provider does not have, naming the close matches."""
    known_set = set(known)
    for region in given:
        if region not in known_set:
            close = difflib.get_close_matches(region.lower(), sorted(known_set), n=3, cutoff=0.6)
            hint = f"did you mean {' or '.join(close)}?" if close else f"see the regions of {provider} in its documentation"
            raise UserError(f"{option}: '{region}' is not a region of {provider}", hint)
    return given
