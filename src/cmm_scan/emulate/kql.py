"""The small subset of Kusto (KQL) the Resource Graph emulator answers.

    Table | where <condition> | project a, b = <expr> | extend c = <expr>
          | order by a [asc|desc], ... | limit N | take N | count

Conditions: ==, !=, =~, !~, <, <=, >, >=, in, in~, !in, !in~, has, !has, contains, !contains,
startswith, !startswith, endswith, and, or, not(...), isnull/isnotnull/isempty/isnotempty(x).
Expressions: 'strings', numbers, true/false, column paths (properties.a.b, tags['x']),
tostring/tolower/toupper/toint/tolong/tobool/array_length(x). Anything else raises KqlError,
which the server answers with Resource Graph's own InvalidQuery error.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Row = dict[str, Any]
Expr = Callable[[Row], Any]


class KqlError(ValueError):
    """A query outside the subset, or not valid KQL."""


_TOKEN = re.compile(
    r"""\s*(?:
      (?P<str>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
    | (?P<num>\d+(?:\.\d+)?)
    | (?P<op>==|!=|=~|!~|>=|<=|[|(),.=<>\[\]])
    | (?P<word>!?[A-Za-z_][A-Za-z0-9_]*(?:-[a-z]+)?~?)
    )""",
    re.VERBOSE,
)

_STRING_OPS = {
    "has": lambda a, b: re.search(rf"(?<![A-Za-z0-9]){re.escape(b.lower())}(?![A-Za-z0-9])", a.lower()) is not None,
    "contains": lambda a, b: b.lower() in a.lower(),
    "startswith": lambda a, b: a.lower().startswith(b.lower()),
    "endswith": lambda a, b: a.lower().endswith(b.lower()),
}


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text[1:-1])


@dataclass
class Query:
    table: str
    steps: list[Callable[[list[Row]], list[Row]]]

    def run(self, rows: list[Row]) -> list[Row]:
        for step in self.steps:
            rows = step(rows)
        return rows


def parse(text: str) -> Query:
    return _Parser(text).query()


class _Parser:
    def __init__(self, text: str):
        self.tokens: list[tuple[str, str]] = []
        pos, text = 0, text.strip()
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            if not m or m.end() == pos:
                raise KqlError(f"unexpected character {text[pos]!r} at {pos}")
            kind = m.lastgroup or ""
            self.tokens.append((kind, m.group(kind)))
            pos = m.end()
            while pos < len(text) and text[pos].isspace():
                pos += 1
        self.i = 0

    # token helpers

    def peek(self, offset: int = 0) -> tuple[str, str]:
        j = self.i + offset
        return self.tokens[j] if j < len(self.tokens) else ("end", "")

    def take(self) -> tuple[str, str]:
        token = self.peek()
        self.i += 1
        return token

    def accept(self, value: str) -> bool:
        if self.peek()[1].lower() == value:
            self.i += 1
            return True
        return False

    def expect(self, value: str) -> None:
        if not self.accept(value):
            raise KqlError(f"expected {value!r}, found {self.peek()[1] or 'end of query'!r}")

    def name(self) -> str:
        kind, value = self.take()
        if kind != "word":
            raise KqlError(f"expected a name, found {value or 'end of query'!r}")
        return value

    # query

    def query(self) -> Query:
        table = self.name()
        steps = []
        while self.accept("|"):
            steps.append(self.operator())
        if self.peek()[0] != "end":
            raise KqlError(f"unexpected {self.peek()[1]!r}")
        return Query(table, steps)

    def operator(self) -> Callable[[list[Row]], list[Row]]:
        word = self.name().lower()
        if word == "where":
            cond = self.expr()
            return lambda rows: [r for r in rows if _truthy(cond(r))]
        if word in ("project", "extend"):
            columns = self.columns()
            if word == "project":
                return lambda rows: [{name: fn(r) for name, fn in columns} for r in rows]
            return lambda rows: [{**r, **{name: fn(r) for name, fn in columns}} for r in rows]
        if word in ("order", "sort"):
            self.expect("by")
            keys = [self.sort_key()]
            while self.accept(","):
                keys.append(self.sort_key())
            return lambda rows: _sorted(rows, keys)
        if word in ("limit", "take"):
            kind, value = self.take()
            if kind != "num":
                raise KqlError(f"{word} needs a number")
            n = int(float(value))
            return lambda rows: rows[:n]
        if word == "count":
            return lambda rows: [{"Count": len(rows)}]
        raise KqlError(f"the emulator does not support the {word!r} operator")

    def columns(self) -> list[tuple[str, Expr]]:
        columns = [self.column()]
        while self.accept(","):
            columns.append(self.column())
        return columns

    def column(self) -> tuple[str, Expr]:
        if self.peek()[0] == "word" and self.peek(1)[1] == "=" and self.peek(2)[1] != "=":
            name = self.name()
            self.expect("=")
            return name, self.expr()
        start = self.i
        fn = self.expr()
        words = [v for k, v in self.tokens[start : self.i] if k in ("word", "str")]
        return "_".join(_unquote(w) if w[0] in "'\"" else w for w in words), fn

    def sort_key(self) -> tuple[Expr, bool]:
        fn = self.expr()
        descending = True  # KQL sorts descending unless told otherwise
        if self.accept("asc"):
            descending = False
        else:
            self.accept("desc")
        return fn, descending

    # expressions

    def expr(self) -> Expr:
        left = self.conjunction()
        while self.accept("or"):
            a, b = left, self.conjunction()
            left = lambda r, a=a, b=b: _truthy(a(r)) or _truthy(b(r))  # noqa: E731
        return left

    def conjunction(self) -> Expr:
        left = self.comparison()
        while self.accept("and"):
            a, b = left, self.comparison()
            left = lambda r, a=a, b=b: _truthy(a(r)) and _truthy(b(r))  # noqa: E731
        return left

    def comparison(self) -> Expr:
        left = self.primary()
        op = self.peek()[1].lower()
        if op in ("==", "!=", "=~", "!~", "<", "<=", ">", ">="):
            self.take()
            return _compare(op, left, self.primary())
        if op in ("in", "in~", "!in", "!in~"):
            self.take()
            self.expect("(")
            options = [self.primary()]
            while self.accept(","):
                options.append(self.primary())
            self.expect(")")
            return _membership(op, left, options)
        negated = op.startswith("!")
        if op.lstrip("!") in _STRING_OPS:
            self.take()
            test, right = _STRING_OPS[op.lstrip("!")], self.primary()

            def match(r: Row) -> bool:
                a, b = left(r), right(r)
                hit = a is not None and b is not None and test(_text(a), _text(b))
                return hit != negated

            return match
        return left

    def primary(self) -> Expr:
        kind, value = self.take()
        if kind == "str":
            text = _unquote(value)
            return lambda r: text
        if kind == "num":
            number = float(value) if "." in value else int(value)
            return lambda r: number
        if value == "(":
            inner = self.expr()
            self.expect(")")
            return inner
        if kind != "word":
            raise KqlError(f"unexpected {value or 'end of query'!r}")
        low = value.lower()
        if low in ("true", "false"):
            return lambda r: low == "true"
        if self.peek()[1] == "(":
            return self.function(low)
        return self.path(value)

    def function(self, name: str) -> Expr:
        self.expect("(")
        arg = self.expr()
        self.expect(")")
        functions: dict[str, Callable[[Any], Any]] = {
            "isnull": lambda v: v is None,
            "isnotnull": lambda v: v is not None,
            "isempty": lambda v: v is None or v == "",
            "isnotempty": lambda v: v is not None and v != "",
            "not": lambda v: not _truthy(v),
            "tostring": lambda v: "" if v is None else _text(v),
            "tolower": lambda v: None if v is None else _text(v).lower(),
            "toupper": lambda v: None if v is None else _text(v).upper(),
            "toint": _to_int,
            "tolong": _to_int,
            "tobool": lambda v: v if isinstance(v, bool) else (str(v).lower() == "true" if v is not None else None),
            "array_length": lambda v: len(v) if isinstance(v, list) else None,
        }
        if name not in functions:
            raise KqlError(f"the emulator does not support the function {name}()")
        fn = functions[name]
        return lambda r: fn(arg(r))

    def path(self, column: str) -> Expr:
        keys: list[str | int] = []
        while True:
            if self.accept("."):
                keys.append(self.name())
            elif self.peek()[1] == "[":
                self.take()
                kind, value = self.take()
                if kind not in ("str", "num"):
                    raise KqlError("expected a quoted key or an index inside [ ]")
                keys.append(_unquote(value) if kind == "str" else int(value))
                self.expect("]")
            else:
                break

        def get(r: Row) -> Any:
            value: Any = r.get(column)
            for key in keys:
                if isinstance(value, dict) and isinstance(key, str):
                    value = value.get(key)
                elif isinstance(value, list) and isinstance(key, int) and -len(value) <= key < len(value):
                    value = value[key]
                else:
                    return None
            return value

        return get


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        import json

        return json.dumps(value, separators=(",", ":"))
    return str(value)


def _to_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _truthy(value: Any) -> bool:
    return value is True


def _compare(op: str, left: Expr, right: Expr) -> Expr:
    def test(r: Row) -> bool:
        a, b = left(r), right(r)
        if op in ("=~", "!~"):
            same = a is not None and b is not None and _text(a).lower() == _text(b).lower()
            return same if op == "=~" else not same
        if op in ("==", "!="):
            same = a is not None and b is not None and (a == b if type(a) is type(b) else _text(a) == _text(b))
            return same if op == "==" else not same
        if a is None or b is None:
            return False
        try:
            return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]
        except TypeError:
            return False

    return test


def _membership(op: str, left: Expr, options: list[Expr]) -> Expr:
    fold = op.endswith("~")

    def test(r: Row) -> bool:
        value = left(r)
        wanted = [o(r) for o in options]
        if fold:
            hit = value is not None and _text(value).lower() in {_text(w).lower() for w in wanted if w is not None}
        else:
            hit = value is not None and any(value == w or _text(value) == _text(w) for w in wanted if w is not None)
        return hit != op.startswith("!")

    return test


def _sorted(rows: list[Row], keys: list[tuple[Expr, bool]]) -> list[Row]:
    result = list(rows)
    for fn, descending in reversed(keys):  # stable sorts, last key first
        present = [r for r in result if fn(r) is not None]
        missing = [r for r in result if fn(r) is None]
        present.sort(key=lambda r, fn=fn: (isinstance(fn(r), str), fn(r)), reverse=descending)
        result = present + missing  # nulls last either way
    return result
