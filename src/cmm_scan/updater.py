"""One generated function per fact type: everything a fact of that type updates, written out.

The accumulators' `add_*` methods (`signals.SignalAccumulator`) define what a fact does to the
counts; for a million facts their calls (one per accumulator, one per expression) cost as much as
the counting. This module writes the same steps for one fact type as a single function's straight-line
code: each group's `where` evaluated once, then every accumulator's row, counts and kept ids
updated inline. Only objects (accumulators, their dicts and lists, compiled expressions) reach the
code, through names bound in its namespace, never rule text. `tests/test_engine_fast.py` checks
the engine's answers against the reference engine's.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from types import CodeType
from typing import Any

from cmm_scan.expr import Compiled, as_tristate
from cmm_scan.exprcode import HELPERS, inline
from cmm_scan.factcatalogue import FACT_FIELDS
from cmm_scan.signals import ReaderGroup, SignalAccumulator, _hashable, _is_number

Updater = Callable[[dict[str, Any]], None]


class _Code:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.namespace: dict[str, Any] = {**HELPERS, "TRI": as_tristate, "NUM": _is_number, "HASH": _hashable}
        self.inlined = 0
        self.needs_env = False  # something called reads the merged environment: the line must become it

    def bind(self, prefix: str, value: Any) -> str:
        name = f"{prefix}{len(self.namespace)}"
        self.namespace[name] = value
        return name

    def emit(self, indent: int, line: str) -> None:
        self.lines.append("    " * indent + line)

    def value(self, indent: int, target: str, expression: Compiled) -> None:
        """`target = expression(env)`: the expression's own generated code pasted in where there is
        some (its names prefixed apart), else a call."""
        code = inline(expression, f"e{self.inlined}_", indent, FACT_FIELDS)
        if code is None:
            self.emit(indent, f"{target} = {self.bind('X', expression)}(env)")
            self.needs_env = True
            return
        self.inlined += 1
        lines, result, names, needs_env = code
        self.lines += lines
        self.namespace.update(names)
        self.needs_env = self.needs_env or needs_env
        self.emit(indent, f"{target} = {result}")

    def row(self, indent: int, acc: str) -> None:
        """`r`: the accumulator's row for the fact's (scope, provider), made on first use (`_row`)."""
        scopes = self.bind("S", self.namespace[acc].by_scope)
        self.emit(indent, f"r = {scopes}.get(key)")
        self.emit(indent, f"if r is None: r = {scopes}[key] = [0, 0, 0]")

    def keep(self, indent: int, acc: str, ids: list[str]) -> None:
        """`_keep`: the resource id, while fewer than the limit are kept."""
        kept = self.bind("I", ids)
        limit = int(self.namespace[acc].id_limit)
        self.emit(indent, f"if len({kept}) < {limit}: {kept}.append(rid)")
        self.emit(indent, f"else: {acc}.truncated = True")

    def inside(self, indent: int, accumulator: SignalAccumulator) -> None:
        """A fact inside the accumulator's population: `add_inside`."""
        acc = self.bind("A", accumulator)
        if accumulator.kind == "count":  # _add_count
            self.row(indent, acc)
            self.emit(indent, "r[0] += 1")
            self.emit(indent, "r[1] += 1")
            self.keep(indent, acc, accumulator.ids_matching)
        elif accumulator.kind == "share" and accumulator.signal.weight is None:  # _add_share, every weight 1.0
            assert accumulator.signal.match is not None
            self.row(indent, acc)
            self.value(indent, "h", accumulator.signal.match)
            self.emit(indent, "if h is not True and h is not False: h = TRI(h)")
            self.emit(indent, f"{acc}.weighted_members += 1.0")
            self.emit(indent, "r[1] += 1")
            self.emit(indent, "if h is True:")
            self.emit(indent + 1, f"{acc}.weighted_matching += 1.0")
            self.emit(indent + 1, "r[0] += 1")
            self.keep(indent + 1, acc, accumulator.ids_matching)
            self.emit(indent, "elif h is None:")
            self.emit(indent + 1, f"{acc}.weighted_matching_unknown += 1.0")
            self.emit(indent + 1, "r[2] += 1")
            self.keep(indent + 1, acc, accumulator.ids_unknown)
            self.emit(indent, "else:")
            self.keep(indent + 1, acc, accumulator.ids_not_matching)
        elif accumulator.kind in ("sum", "distinct"):  # _add_value
            assert accumulator.signal.attribute is not None
            self.value(indent, "val", accumulator.signal.attribute)
            self.row(indent, acc)
            self.emit(indent, "r[1] += 1")
            self.emit(indent, "if val is U or not NUM(val):" if accumulator.kind == "sum" else "if val is U:")
            self.emit(indent + 1, "r[2] += 1")
            self.keep(indent + 1, acc, accumulator.ids_unknown)
            self.emit(indent, "else:")
            self.emit(indent + 1, "r[0] += 1")
            self.keep(indent + 1, acc, accumulator.ids_matching)
            if accumulator.kind == "sum":
                self.emit(indent + 1, f"{acc}.total += float(val)")
            else:
                self.emit(indent + 1, f"{self.bind('V', accumulator.values)}.add(HASH(val))")
        else:  # weighted shares: their method, on the merged environment
            self.emit(indent, f"{self.bind('F', accumulator.add_inside)}(env, rid, key)")
            self.needs_env = True

    def unknown(self, indent: int, accumulator: SignalAccumulator) -> None:
        """A fact whose membership is unknown: `add_unknown`."""
        acc = self.bind("A", accumulator)
        self.row(indent, acc)
        self.emit(indent, "r[2] += 1")
        self.emit(indent, f"{acc}.weighted_unknown += 1")
        self.keep(indent, acc, accumulator.ids_unknown)


@lru_cache(maxsize=256)
def _compiled(source: str) -> CodeType:
    """The same rules give the same source (names number the objects in order): compiled once."""
    return compile(source, "<fact updater>", "exec")


def compile_updater(groups: list[ReaderGroup], clashes: tuple[str, ...] = ()) -> Updater:
    """What a fact does to each of `groups` (one fact type's): each group's `where` once, then
    `add_inside` or `add_unknown` of its accumulators, as one function of a fact
    line's dict. Pasted expressions read a name from the line's attributes, and only then, for a
    field's name, from the line: the environment `fact_env` builds, without building it. When
    something called needs that environment (a weighted share, a reference closure), the line
    becomes it: the attributes over the fields, after deleting the line's other keys an attribute
    is named like (`clashes`: record, type, source, attributes; `fact_env` has none of them)."""
    code = _Code()
    for group in groups:
        if group.where is None:
            for acc in group.accumulators:
                code.inside(1, acc)
            continue
        code.value(1, "t", group.where)
        code.emit(1, "if t is not True and t is not False: t = TRI(t)")
        code.emit(1, "if t is True:")
        for acc in group.accumulators:
            code.inside(2, acc)
        code.emit(1, "elif t is None:")
        for acc in group.accumulators:
            code.unknown(2, acc)
    body, code.lines = code.lines, []
    code.emit(1, "rid = env['resource_id']")
    code.emit(1, "key = (env['scope'], env['provider'])")
    code.emit(1, "attrs = env['attributes']")
    if code.needs_env:  # the attributes over the fields, as `fact_env` has them
        for name in clashes:
            code.emit(1, f"del env[{code.bind('C', name)}]")
        code.emit(1, "env.update(attrs)")
    source = "def update(env):\n" + "\n".join(code.lines + body) + "\n"
    exec(_compiled(source), code.namespace)  # our own generated code: names only, no rule text
    update: Updater = code.namespace["update"]
    return update
