"""Find, validate and compile a baseline. A check that does not validate stops the run with one
line naming the file and the line: a silently skipped check would read as a must that holds."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cmm_scan.errors import UserError
from cmm_scan.expr import Compiled, ExprError, compile_expr
from cmm_scan.paths import bundled
from cmm_scan.policy.spec import BaselineSpec, CheckSpec, ParameterValue
from cmm_scan.rules import CompiledSignal, compile_signals
from cmm_scan.yamlfile import line_of, load_yaml_model

HINT = "see docs/baselines.md for the format"


@dataclass
class CompiledCheck:
    spec: CheckSpec
    path: Path
    signals: list[CompiledSignal]
    holds: Compiled | None
    not_applicable: Compiled | None

    @property
    def id(self) -> str:
        return self.spec.id


@dataclass
class Baseline:
    spec: BaselineSpec
    path: Path
    parameters: dict[str, ParameterValue]
    checks: list[CompiledCheck]

    @property
    def fact_types(self) -> set[str]:
        return {s.spec.fact for c in self.checks for s in c.signals}


def baselines_dir() -> Path:
    return bundled("baselines")


def bundled_names() -> list[str]:
    root = baselines_dir()
    return sorted(p.name for p in root.iterdir() if (p / "baseline.yaml").is_file()) if root.is_dir() else []


def find_baseline(name_or_path: str) -> Path:
    """A bundled baseline by name, or a folder holding baseline.yaml."""
    candidate = Path(name_or_path)
    if (candidate / "baseline.yaml").is_file():
        return candidate
    if "/" not in name_or_path and (baselines_dir() / name_or_path / "baseline.yaml").is_file():
        return baselines_dir() / name_or_path
    known = ", ".join(bundled_names()) or "none"
    raise UserError(f"--baseline {name_or_path}: no such baseline (a folder with baseline.yaml)", f"bundled: {known}")


def load_baseline(name_or_path: str, overrides: Mapping[str, ParameterValue] | None = None) -> Baseline:
    folder = find_baseline(name_or_path)
    spec, _ = load_yaml_model(folder / "baseline.yaml", BaselineSpec, HINT)
    unknown = sorted(set(overrides or {}) - set(spec.parameters))
    if unknown:
        raise UserError(
            f"policy.parameters: {spec.id} has no parameter named {', '.join(unknown)}", f"it has: {', '.join(spec.parameters)}"
        )
    parameters = {name: p.value for name, p in spec.parameters.items()} | dict(overrides or {})
    for name, value in (overrides or {}).items():
        default = spec.parameters[name].value
        if isinstance(default, dict) != isinstance(value, dict) or isinstance(default, list) != isinstance(value, list):
            shape = "a map of cloud -> list" if isinstance(default, dict) else "a list" if isinstance(default, list) else "a number"
            raise UserError(f"policy.parameters.{name}: must be {shape}, like the baseline's default", HINT)
    constants = {name: _constant(value) for name, value in parameters.items()}
    files = sorted((folder / "checks").glob("*.yaml"))
    if not files:
        raise UserError(f"{folder}: no checks/*.yaml", HINT)
    checks = [_compile(path, constants) for path in files]
    seen: set[str] = set()
    for check in checks:
        if check.id in seen:
            raise UserError(f"{check.path}: check id '{check.id}' is used twice", HINT)
        seen.add(check.id)
    return Baseline(spec=spec, path=folder, parameters=parameters, checks=checks)


def _constant(value: ParameterValue) -> Any:
    """What a check expression sees: a number, or one list (a per-cloud map flattened; 'global' is
    always allowed so organisation-wide services do not read as a region outside the list)."""
    if isinstance(value, dict):
        return tuple(sorted({v for values in value.values() for v in values} | {"global"}))
    if isinstance(value, list):
        return tuple(value)
    return value


def _compile(path: Path, constants: Mapping[str, Any]) -> CompiledCheck:
    spec, node = load_yaml_model(path, CheckSpec, HINT)

    def fail(message: str, loc: tuple[Any, ...]) -> UserError:
        return UserError(f"{path}:{line_of(node, loc)}: {message}", HINT)

    if spec.id != path.stem:
        raise fail(f"id '{spec.id}' does not match the file name '{path.stem}'", ("id",))

    def compile_at(text: str | None, loc: tuple[Any, ...], allowed: set[str]) -> Compiled | None:
        if text is None:
            return None
        try:
            return compile_expr(text, constants, allowed)[0]
        except ExprError as exc:
            raise fail(f"{'.'.join(map(str, loc))}: {exc} (column {exc.col + 1})", loc) from None

    signals = compile_signals(spec.signals, constants, "parameter", fail, compile_at, lambda name, shadowed: ("signals", name))
    names = set(spec.signals)
    return CompiledCheck(
        spec=spec,
        path=path,
        signals=signals,
        holds=compile_at(spec.holds_when, ("holds_when",), names),
        not_applicable=compile_at(spec.not_applicable_when, ("not_applicable_when",), names),
    )
