"""Messages from outside (SDK errors, proxies, emulators) reduced to one short line for reports.

A proxy or gateway may answer with a whole HTML page; its <title> (or its text) is what a reader needs.
"""

from __future__ import annotations

import html
import re

MAX_CHARS = 300
_HTML = re.compile(r"<\s*(?:!doctype|html|head|body|title|h1|p|div)\b", re.IGNORECASE)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_SCRIPT = re.compile(r"<(script|style)[^>]*>.*?</\1>", re.IGNORECASE | re.DOTALL)
_SPACE = re.compile(r"\s+")


def one_line(text: str, limit: int = MAX_CHARS) -> str:
    if _HTML.search(text):
        start = _HTML.search(text).start()  # type: ignore[union-attr]
        prefix, page = text[:start], text[start:]
        title = _TITLE.search(page)
        body = title.group(1) if title else _TAG.sub(" ", _SCRIPT.sub(" ", page))
        text = f"{prefix} {html.unescape(body)} (an HTML page)"
    text = _SPACE.sub(" ", text).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
