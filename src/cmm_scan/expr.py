"""A tiny, safe expression language with three-valued logic.

Rules write gates and filters as Python-like expressions (`share < 0.1 and count >= 1`).
They are parsed with `ast`, checked against a whitelist, and compiled once into closures.

Values may be UNKNOWN (a missing attribute, an unread signal). Comparisons with UNKNOWN give
UNKNOWN, and `and`/`or`/`not` follow Kleene logic, so "we could not read it" never turns into
"it is false". Numeric signals are `Interval`s: a comparison is True or False only when every
value in the interval agrees.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


class _Unknown:
    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:  # truthiness of UNKNOWN is a bug in the caller
        raise TypeError("UNKNOWN has no truth value; use tri-state helpers")


UNKNOWN: Any = _Unknown()


@dataclass(frozen=True, slots=True)
class Interval:
    """A number known only to lie within [lo, hi]; lo == hi when known exactly."""

    lo: float
    hi: float

    @classmethod
    def exact(cls, value: float) -> Interval:
        return cls(value, value)

    @property
    def is_exact(self) -> bool:
        return self.lo == self.hi

    def __str__(self) -> str:
        if self.is_exact:
            return _num(self.lo)
        return f"{_num(self.lo)}..{_num(self.hi)}"


def _num(value: float) -> str:
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.3g}"


class ExprError(ValueError):
    """An expression that is not valid; `col` is the 0-based column in the source text."""

    def __init__(self, message: str, col: int = 0):
        super().__init__(message)
        self.col = col


Env = Mapping[str, Any]
Compiled = Callable[[Env], Any]

_FUNCTIONS: dict[str, Callable[..., Any]] = {}


def _function(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        _FUNCTIONS[name] = fn
        return fn

    return register


@_function("len")
def _len(value: Any) -> Any:
    if value is UNKNOWN:
        return UNKNOWN
    try:
        return len(value)
    except TypeError:
        return UNKNOWN


@_function("known")
def _known(value: Any) -> bool:
    """True when a value was read; never UNKNOWN itself."""
    if isinstance(value, Interval):
        return value.is_exact
    return value is not UNKNOWN


@_function("overlaps")
def _overlaps(values: Any, choices: Any) -> Any:
    """True when any item of a list attribute is one of the choices."""
    if values is UNKNOWN or choices is UNKNOWN:
        return UNKNOWN
    if isinstance(values, str):
        values = [values]
    try:
        return any(v in choices for v in values)
    except TypeError:  # not a list (a provider wrote the wrong type): unreadable, not a crash
        return UNKNOWN


@_function("lower")
def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else UNKNOWN


def tri_and(values: list[Any]) -> Any:
    saw_unknown = False
    for value in values:
        if value is UNKNOWN:
            saw_unknown = True
        elif not value:
            return False
    return UNKNOWN if saw_unknown else True


def tri_or(values: list[Any]) -> Any:
    saw_unknown = False
    for value in values:
        if value is UNKNOWN:
            saw_unknown = True
        elif value:
            return True
    return UNKNOWN if saw_unknown else False


def tri_not(value: Any) -> Any:
    truth = _truth(value)
    return UNKNOWN if truth is UNKNOWN else not truth


def _as_interval(value: Any) -> Interval | None:
    if isinstance(value, Interval):
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return Interval.exact(float(value))
    return None


def compare(op: str, left: Any, right: Any) -> Any:
    """Compare two values under three-valued logic; intervals compare only when decided."""
    if left is UNKNOWN or right is UNKNOWN:
        return UNKNOWN
    if type(left) is not Interval and type(right) is not Interval and op in _PLAIN_COMPARE:
        # The per-fact hot path: plain attribute values against literals or thresholds.
        try:
            return _PLAIN_COMPARE[op](left, right)
        except TypeError:
            return UNKNOWN
    if op in ("in", "not in"):
        try:
            found = left in right
        except TypeError:
            return UNKNOWN
        return found if op == "in" else not found
    a, b = _as_interval(left), _as_interval(right)
    if a is not None and b is not None and not (a.is_exact and b.is_exact):
        return _compare_intervals(op, a, b)
    if a is not None and b is not None:
        left, right = a.lo, b.lo
    try:
        return _PLAIN_COMPARE[op](left, right)
    except TypeError:
        return UNKNOWN


def _compare_intervals(op: str, a: Interval, b: Interval) -> Any:
    if op == "<":
        return True if a.hi < b.lo else False if a.lo >= b.hi else UNKNOWN
    if op == "<=":
        return True if a.hi <= b.lo else False if a.lo > b.hi else UNKNOWN
    if op == ">":
        return _compare_intervals("<", b, a)
    if op == ">=":
        return _compare_intervals("<=", b, a)
    disjoint = a.hi < b.lo or b.hi < a.lo
    if op == "==":
        return False if disjoint else UNKNOWN
    return True if disjoint else UNKNOWN


_PLAIN_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}

_CMP_OPS = {
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.In: "in",
    ast.NotIn: "not in",
}


def arithmetic(op: str, left: Any, right: Any) -> Any:
    if left is UNKNOWN or right is UNKNOWN:
        return UNKNOWN
    a, b = _as_interval(left), _as_interval(right)
    if a is None or b is None:
        return UNKNOWN
    if op == "+":
        return Interval(a.lo + b.lo, a.hi + b.hi)
    if op == "-":
        return Interval(a.lo - b.hi, a.hi - b.lo)
    if op == "*":
        products = [x * y for x in (a.lo, a.hi) for y in (b.lo, b.hi) if not math.isnan(x * y)]
        return Interval(min(products), max(products))
    if b.lo <= 0 <= b.hi:
        return UNKNOWN
    # ∞/∞ corners are NaN; the extremes always lie on the other corners, so they can be dropped.
    quotients = [q for x in (a.lo, a.hi) for y in (b.lo, b.hi) if not math.isnan(q := x / y)]
    return Interval(min(quotients), max(quotients)) if quotients else UNKNOWN


_ARITH_OPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}


def compile_expr(
    text: str,
    constants: Mapping[str, Any] | None = None,
    allowed_names: set[str] | None = None,
    reference: bool = False,
) -> tuple[Compiled, set[str]]:
    """Compile `text` into a function of an environment.

    `constants` are substituted at compile time (thresholds). When `allowed_names` is given,
    every other name must be one of them. Returns the function and the names it reads: one
    generated function (`exprcode`), or with `reference` the closures that define the meaning.
    """
    from cmm_scan.exprcode import generate  # it builds on this module's helpers

    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExprError(f"not a valid expression: {exc.msg}", (exc.offset or 1) - 1) from None
    names: set[str] = set()
    compiler = _Compiler(constants or {}, allowed_names, names)
    compiled = compiler.visit(tree.body)  # also checks the expression: every error is raised here
    if reference:
        return compiled, names
    return generate(tree.body, dict(constants or {}), _FUNCTIONS, compiler.visit), names


class _Compiler:
    def __init__(self, constants: Mapping[str, Any], allowed: set[str] | None, names: set[str]):
        self.constants = constants
        self.allowed = allowed
        self.names = names

    def visit(self, node: ast.AST) -> Compiled:
        method = getattr(self, "_" + type(node).__name__, None)
        if method is None:
            raise ExprError(f"'{type(node).__name__}' is not allowed in rule expressions", getattr(node, "col_offset", 0))
        return method(node)

    def _Constant(self, node: ast.Constant) -> Compiled:
        value = node.value
        if value is not None and not isinstance(value, str | int | float | bool):
            raise ExprError("only numbers, strings, booleans and None are allowed", node.col_offset)
        value = UNKNOWN if value is None else value
        return lambda env: value

    def _Name(self, node: ast.Name) -> Compiled:
        name = node.id
        if name in self.constants:
            value = self.constants[name]
            return lambda env: value
        if name in ("true", "false"):
            literal = name == "true"
            return lambda env: literal
        if self.allowed is not None and name not in self.allowed:
            raise ExprError(f"unknown name '{name}'", node.col_offset)
        self.names.add(name)
        return _lookup(name)

    def _Attribute(self, node: ast.Attribute) -> Compiled:
        path: list[str] = []
        current: ast.AST = node
        while isinstance(current, ast.Attribute):
            path.append(current.attr)
            current = current.value
        if not isinstance(current, ast.Name):
            raise ExprError("only dotted names like a.b are allowed", node.col_offset)
        path.append(current.id)
        path.reverse()
        if any(part.startswith("__") for part in path):
            raise ExprError("names starting with '__' are not allowed", node.col_offset)
        if self.allowed is not None and path[0] not in self.allowed:
            raise ExprError(f"unknown name '{path[0]}'", node.col_offset)
        self.names.add(path[0])
        head, rest = path[0], path[1:]

        def dotted(env: Env) -> Any:
            value = env.get(head, UNKNOWN)
            for part in rest:
                if not isinstance(value, Mapping):
                    return UNKNOWN
                value = value.get(part, UNKNOWN)
            return UNKNOWN if value is None else value

        return dotted

    def _Tuple(self, node: ast.Tuple | ast.List) -> Compiled:
        items = [self.visit(e) for e in node.elts]
        return lambda env: tuple(item(env) for item in items)

    _List = _Tuple

    def _BoolOp(self, node: ast.BoolOp) -> Compiled:
        parts = [self.visit(v) for v in node.values]
        if isinstance(node.op, ast.And):
            return lambda env: tri_and_lazy(parts, env)
        return lambda env: tri_or_lazy(parts, env)

    def _UnaryOp(self, node: ast.UnaryOp) -> Compiled:
        operand = self.visit(node.operand)
        if isinstance(node.op, ast.Not):
            return lambda env: tri_not(operand(env))
        if isinstance(node.op, ast.USub):
            return lambda env: arithmetic("-", 0, operand(env))
        raise ExprError("only 'not' and '-' are allowed as unary operators", node.col_offset)

    def _BinOp(self, node: ast.BinOp) -> Compiled:
        op = _ARITH_OPS.get(type(node.op))
        if op is None:
            raise ExprError("only + - * / are allowed", node.col_offset)
        left, right = self.visit(node.left), self.visit(node.right)
        return lambda env: arithmetic(op, left(env), right(env))

    def _Compare(self, node: ast.Compare) -> Compiled:
        operands = [self.visit(node.left)] + [self.visit(c) for c in node.comparators]
        ops = [_CMP_OPS[type(o)] for o in node.ops]
        if len(ops) == 1:  # the usual case, without the chain's lists
            op, left, right = ops[0], operands[0], operands[1]
            return lambda env: compare(op, left(env), right(env))

        def chained(env: Env) -> Any:
            values = [operand(env) for operand in operands]
            return tri_and([compare(op, values[i], values[i + 1]) for i, op in enumerate(ops)])

        return chained

    def _Call(self, node: ast.Call) -> Compiled:
        if not isinstance(node.func, ast.Name) or node.func.id not in _FUNCTIONS or node.keywords:
            allowed = ", ".join(sorted(_FUNCTIONS))
            raise ExprError(f"only these functions may be called: {allowed}", node.col_offset)
        fn = _FUNCTIONS[node.func.id]
        args = [self.visit(a) for a in node.args]
        return lambda env: fn(*(arg(env) for arg in args))


def _lookup(name: str) -> Compiled:
    def lookup(env: Env) -> Any:
        value = env.get(name, UNKNOWN)
        return UNKNOWN if value is None else value

    return lookup


def tri_and_lazy(parts: list[Compiled], env: Env) -> Any:
    saw_unknown = False
    for part in parts:
        truth = _truth(part(env))
        if truth is UNKNOWN:
            saw_unknown = True
        elif not truth:
            return False
    return UNKNOWN if saw_unknown else True


def tri_or_lazy(parts: list[Compiled], env: Env) -> Any:
    saw_unknown = False
    for part in parts:
        truth = _truth(part(env))
        if truth is UNKNOWN:
            saw_unknown = True
        elif truth:
            return True
    return UNKNOWN if saw_unknown else False


def _truth(value: Any) -> Any:
    """True, False or UNKNOWN for any expression value."""
    if value is UNKNOWN:
        return UNKNOWN
    if isinstance(value, Interval):
        if value.lo > 0 or value.hi < 0:
            return True
        return False if value.is_exact else UNKNOWN
    return bool(value)


def as_tristate(value: Any) -> bool | None:
    """Collapse an expression result to True, False or None (unknown)."""
    truth = _truth(value)
    return None if truth is UNKNOWN else bool(truth)
