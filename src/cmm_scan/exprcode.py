"""Rule expressions compiled to one Python function each: the scoring hot path.

`expr._Compiler` builds a closure per syntax node: easy to read, and the reference for what an
expression means, but a filter like `a == 'x' and b > 0` costs a handful of nested calls per
fact. This module turns the same (already checked) syntax tree into the source of a single
function with the three-valued logic written out inline, so a fact costs one call. Literals,
names and helpers reach the code through tuples (`K`, `F`), never as text pasted into it.
Nodes that are rare in filters (dotted names, chained comparisons) call their reference
closure. `tests/test_exprcode.py` checks both agree on every rule's expressions.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from cmm_scan.expr import UNKNOWN, Compiled, Interval, _truth, arithmetic, compare, tri_not

_OPS = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!=", ast.In: "in", ast.NotIn: "not in"}
_ARITH = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
_VARIABLE = object()  # a leaf read from the fact, not fixed when compiling
_ORDER = ("<", "<=", ">", ">=", "==", "!=")
_MAX_DEPTH = 60  # Python refuses blocks nested ~100 deep; deeper expressions keep their closures


class _Value:
    """A generated value: the code naming it, whether it is a plain value (never UNKNOWN or an
    Interval), and whether it is already True, False or UNKNOWN (a comparison's result)."""

    def __init__(self, code: str, plain: bool = False, tristate: bool = False):
        self.code, self.plain, self.tristate = code, plain, tristate


class _Generator:
    def __init__(
        self,
        constants: dict[str, Any],
        functions: dict[str, Callable[..., Any]],
        reference: Callable[[ast.AST], Compiled],
        prefix: str = "",
        indent: int = 1,
        fields: frozenset[str] | None = None,
    ):
        # With `fields`: names are read from `attrs` (a fact's attributes) and only then, for a field's
        # name, from `env` (the fact's line): what a fact's environment holds, without merging the two.
        self.fields = fields
        self.needs_env = False  # a reference closure reads the merged environment
        self.prefix = prefix  # of every name the code binds: expressions inlined side by side never clash
        self.constants = constants
        self.functions = functions
        self.reference = reference  # a node's closure, for the nodes written as calls
        self.lines: list[str] = []
        self.indent = indent
        self.k: list[Any] = []
        self.f: list[Any] = []
        self.count = 0
        self.bound: dict[int, _Value] = {}  # nodes already computed into a variable (arithmetic's leaves)

    def emit(self, line: str) -> None:
        self.lines.append("    " * self.indent + line)

    def var(self) -> str:
        self.count += 1
        return f"{self.prefix}v{self.count}"

    def const(self, value: Any) -> _Value:
        self.k.append(value)
        plain = value is not UNKNOWN and type(value) in (str, int, float, bool)
        return _Value(f"{self.prefix}K[{len(self.k) - 1}]", plain=plain)

    def call(self, fn: Any) -> str:
        self.f.append(fn)
        return f"{self.prefix}F[{len(self.f) - 1}]"

    def visit(self, node: ast.AST) -> _Value:
        if self.indent > _MAX_DEPTH:
            return self.closure(node)
        if id(node) in self.bound:
            return self.bound[id(node)]
        method = getattr(self, "_" + type(node).__name__, None)
        return method(node) if method else self.closure(node)

    def closure(self, node: ast.AST) -> _Value:
        out = self.var()
        self.emit(f"{out} = {self.call(self.reference(node))}(env)")
        self.needs_env = True
        return _Value(out)

    def _Constant(self, node: ast.Constant) -> _Value:
        return self.const(UNKNOWN if node.value is None else node.value)

    def _Name(self, node: ast.Name) -> _Value:
        if node.id in self.constants:
            return self.const(self.constants[node.id])
        if node.id in ("true", "false"):
            return _Value(str(node.id == "true"), plain=True)
        out, key = self.var(), self.const(node.id).code
        if self.fields is None:
            self.emit(f"{out} = env.get({key})")
        elif node.id in self.fields:
            self.emit(f"{out} = attrs[{key}] if {key} in attrs else env.get({key})")
        else:
            self.emit(f"{out} = attrs.get({key})")
        self.emit(f"if {out} is None: {out} = U")
        return _Value(out)

    def _Compare(self, node: ast.Compare) -> _Value:
        if len(node.ops) != 1:
            return self.closure(node)
        if _OPS[type(node.ops[0])] in _ORDER and any(isinstance(n, ast.BinOp) for n in (node.left, node.comparators[0])):
            sides = (node.left, node.comparators[0])
            leaves = [leaf for side in sides for leaf in _arithmetic_leaves(side)]
            if leaves and all(leaf is not None for leaf in leaves):
                return self._arithmetic_compare(node, sides, leaves)  # type: ignore[arg-type]
        return self._compare(node)

    def _arithmetic_compare(self, node: ast.Compare, sides: tuple[ast.expr, ast.expr], leaves: list[ast.expr]) -> _Value:
        """`a + b >= k * c` on plain numbers, in floats: what the reference's exact intervals compute
        (each number as a float, then IEEE arithmetic), without building one. Anything else (a value
        not an int or float, a division by zero, a side not finite) takes the general path."""
        fixed = [self._constant(leaf) for leaf in leaves]
        if any(value is not _VARIABLE and not _number(value) for value in fixed):
            return self._compare(node)  # a constant that is not a number: never the fast path
        values = [self.visit(leaf) for leaf in leaves]
        for leaf, value in zip(leaves, values, strict=True):
            self.bound[id(leaf)] = value
        checks = [f"(type({v.code}) is int or type({v.code}) is float)" for v, c in zip(values, fixed, strict=True) if c is _VARIABLE]
        out, left, right = self.var(), self.var(), self.var()
        self.emit(f"{out} = None")
        self.emit(f"if {' and '.join(checks) or 'True'}:")
        self.emit("    try:")
        self.emit(f"        {left} = {self._floats(sides[0])}")
        self.emit(f"        {right} = {self._floats(sides[1])}")
        self.emit("    except (ZeroDivisionError, OverflowError):")
        self.emit("        pass")
        self.emit("    else:")
        self.emit(f"        if {left} - {left} == 0 and {right} - {right} == 0: {out} = {left} {_OPS[type(node.ops[0])]} {right}")
        self.emit(f"if {out} is None:")
        self.indent += 1
        general = self._compare(node)
        self.emit(f"{out} = {general.code}")
        self.indent -= 1
        return _Value(out, tristate=True)

    def _constant(self, node: ast.expr) -> Any:
        """A leaf's value when it is fixed when compiling (a literal, a threshold, true/false), else _VARIABLE."""
        if isinstance(node, ast.Constant):
            return node.value
        assert isinstance(node, ast.Name)
        if node.id in self.constants:
            return self.constants[node.id]
        return {"true": True, "false": False}.get(node.id, _VARIABLE)

    def _floats(self, node: ast.expr) -> str:
        if isinstance(node, ast.BinOp):
            return f"({self._floats(node.left)} {_ARITH[type(node.op)]} {self._floats(node.right)})"
        return f"float({self.bound[id(node)].code})"

    def _compare(self, node: ast.Compare) -> _Value:
        op = _OPS[type(node.ops[0])]
        a, b = self.visit(node.left), self.visit(node.comparators[0])
        out = self.var()
        unknown = " or ".join(f"{v.code} is U" for v in (a, b) if not v.plain)
        intervals = " or ".join(f"type({v.code}) is IV" for v in (a, b) if not v.plain)
        steps: list[tuple[str, str]] = []
        if unknown:
            steps.append((unknown, f"{out} = U"))
        if intervals and op not in ("in", "not in"):
            steps.append((intervals, f"{out} = CMP({op!r}, {a.code}, {b.code})"))
        for i, (test, action) in enumerate(steps):
            self.emit(f"{'el' if i else ''}if {test}: {action}")
        if steps:
            self.emit("else:")
            self.indent += 1
        self.emit("try:")
        self.emit(f"    {out} = {a.code} {op} {b.code}")
        self.emit("except TypeError:")
        self.emit(f"    {out} = U")
        if steps:
            self.indent -= 1
        return _Value(out, tristate=True)

    def _truth_of(self, value: _Value) -> str:
        if value.tristate:
            return value.code
        out = self.var()
        self.emit(f"{out} = TR({value.code})")
        return out

    def _BoolOp(self, node: ast.BoolOp) -> _Value:
        # Kleene logic, short-circuit: `and` stops at the first False, remembering any UNKNOWN.
        stop, keep = ("False", "True") if isinstance(node.op, ast.And) else ("True", "False")
        out = self.var()
        self.emit(f"{out} = {keep}")
        opened = 0
        for part in node.values:
            truth = self._truth_of(self.visit(part))
            self.emit(f"if {truth} is {stop}: {out} = {stop}")
            self.emit("else:")
            self.indent += 1
            opened += 1
            self.emit(f"if {truth} is U: {out} = U")
        self.indent -= opened
        return _Value(out, tristate=True)

    def _UnaryOp(self, node: ast.UnaryOp) -> _Value:
        operand = self.visit(node.operand)
        out = self.var()
        if isinstance(node.op, ast.Not):
            self.emit(f"{out} = NOT({operand.code})")
            return _Value(out, tristate=True)
        self.emit(f"{out} = AR('-', 0, {operand.code})")
        return _Value(out)

    def _BinOp(self, node: ast.BinOp) -> _Value:
        a, b = self.visit(node.left), self.visit(node.right)
        out = self.var()
        self.emit(f"{out} = AR({_ARITH[type(node.op)]!r}, {a.code}, {b.code})")
        return _Value(out)

    def _Call(self, node: ast.Call) -> _Value:
        assert isinstance(node.func, ast.Name)
        args = [self.visit(a).code for a in node.args]
        out = self.var()
        self.emit(f"{out} = {self.call(self.functions[node.func.id])}({', '.join(args)})")
        return _Value(out)

    def _Tuple(self, node: ast.Tuple | ast.List) -> _Value:
        items = [self.visit(e).code for e in node.elts]
        out = self.var()
        self.emit(f"{out} = ({''.join(item + ', ' for item in items)})")
        return _Value(out)

    _List = _Tuple


def _arithmetic_leaves(node: ast.expr) -> list[ast.expr | None]:
    """The names and constants an arithmetic expression of only those is made of; a None for any other node."""
    if isinstance(node, ast.BinOp) and type(node.op) in _ARITH:
        return _arithmetic_leaves(node.left) + _arithmetic_leaves(node.right)
    return [node] if isinstance(node, ast.Name | ast.Constant) else [None]


def _number(value: Any) -> bool:
    return type(value) is int or type(value) is float


def generate(
    tree: ast.expr,
    constants: dict[str, Any],
    functions: dict[str, Callable[..., Any]],
    reference: Callable[[ast.AST], Compiled],
) -> Compiled:
    """One function computing what the reference closures compute for `tree` (already checked)."""
    gen = _Generator(constants, functions, reference)
    result = gen.visit(tree)
    source = "def expression(env):\n" + "\n".join(gen.lines) + f"\n    return {result.code}\n"
    namespace: dict[str, Any] = {**HELPERS, "K": tuple(gen.k), "F": tuple(gen.f)}
    exec(compile(source, "<rule expression>", "exec"), namespace)  # our own generated code: no rule text is pasted into it
    function: Compiled = namespace["expression"]
    function.inline_parts = (tree, constants, functions, reference)  # type: ignore[attr-defined]  # for `inline`
    return function


# What generated code calls by name.
HELPERS: dict[str, Any] = {"U": UNKNOWN, "IV": Interval, "CMP": compare, "TR": _truth, "NOT": tri_not, "AR": arithmetic}


@lru_cache(maxsize=4096)  # rules are loaded once and scored many times: the same expression, the same code
def inline(
    expression: Compiled, prefix: str, indent: int, fields: frozenset[str]
) -> tuple[tuple[str, ...], str, dict[str, Any], bool] | None:
    """A generated expression's code to paste into a larger generated function that has `HELPERS`,
    a fact's line as `env` and its attributes as `attrs` (`fields`: the line's keys a name may read
    when no attribute has it): its lines (at `indent`), the code of its value, the names those lines
    need bound, and whether they call a closure that needs `env` to be the merged environment. Its
    names all start with `prefix`. None for a function `generate` did not make."""
    parts = getattr(expression, "inline_parts", None)
    if parts is None:
        return None
    tree, constants, functions, reference = parts
    gen = _Generator(constants, functions, reference, prefix=prefix, indent=indent, fields=fields)
    result = gen.visit(tree)
    return tuple(gen.lines), result.code, {f"{prefix}K": tuple(gen.k), f"{prefix}F": tuple(gen.f)}, gen.needs_env
