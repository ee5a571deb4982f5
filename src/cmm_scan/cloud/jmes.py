"""JMESPath as the specs use it (with a few functions JMESPath lacks), and JSON-ready values."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from typing import Any

import jmespath
import jmespath.functions


class _Functions(jmespath.functions.Functions):
    """JMESPath has no string splitting or lower-casing; specs need them for ids (ARNs, ARM ids); `apply` calls a
    registered transform where only an expression fits; `join` passes a missing part on as null."""

    @jmespath.functions.signature({"types": ["string", "null"]}, {"types": ["string"]})
    def _func_split(self, value: str | None, separator: str) -> list[str] | None:
        return None if value is None else value.split(separator)

    @jmespath.functions.signature({"types": ["string", "null"]})
    def _func_lower(self, value: str | None) -> str | None:
        return None if value is None else value.lower()

    @jmespath.functions.signature({"types": ["string"]}, {"types": ["array"]})
    def _func_join(self, glue: str, parts: list[Any]) -> str | None:
        """join() whose result is null when a part is null: a key or id built from a field an item lacks is
        unknown for that item (JMESPath's own join raises, failing the whole collector over one sparse item)."""
        if any(part is None for part in parts):
            return None
        if not all(isinstance(part, str) for part in parts):
            raise jmespath.exceptions.JMESPathTypeError("join", parts, "array", ["array-string"])
        return glue.join(parts)

    @jmespath.functions.signature({"types": []}, {"types": ["string"]})
    def _func_ieq(self, value: Any, literal: str) -> bool:
        """ieq(value, 'Literal'): equal without case, for enums the APIs (and estates) write in more than one case;
        anything but a string is equal only to itself."""
        return value.lower() == literal.lower() if isinstance(value, str) else value == literal

    @jmespath.functions.signature({"types": ["string"]}, {"types": []})
    def _func_apply(self, name: str, value: Any) -> Any:
        """apply('name', value): a registered transform inside an expression (a join key, a fact's scope or region)."""
        from cmm_scan.cloud import transforms

        return transforms.apply(name, value)


OPTIONS = jmespath.Options(custom_functions=_Functions())


@lru_cache(maxsize=4096)
def compiled(expression: str) -> Any:
    return jmespath.compile(expression)


def search(expression: str, data: Any) -> Any:
    return compiled(expression).search(data, options=OPTIONS)


def plain(value: Any) -> Any:
    """JSON-ready: datetimes to ISO strings, sets to sorted lists."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted(plain(v) for v in value)
    return value


def as_item(value: Any) -> dict[str, Any]:
    """A listed item that is a bare value (an ARN, an id) becomes {"_value": value}."""
    return value if isinstance(value, dict) else {"_value": value}


def hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value
