"""Load, validate and compile rule files.

A rule that does not validate stops the run with one line naming the file and the line:
a silently skipped rule would show up as a silently missing answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cmm_scan.catalogue import Question, all_questions
from cmm_scan.errors import UserError
from cmm_scan.expr import Compiled, ExprError, compile_expr
from cmm_scan.factcatalogue import readable_names
from cmm_scan.paths import bundled
from cmm_scan.rulespec import LevelSpec, RuleSpec, SignalSpec
from cmm_scan.yamlfile import dump_yaml, line_of, load_yaml_model

FRAMEWORKS = ("cmm", "csmm")


@dataclass
class CompiledSignal:
    name: str
    spec: SignalSpec
    where: Compiled | None
    match: Compiled | None
    weight: Compiled | None
    attribute: Compiled | None


@dataclass
class CompiledLevel:
    spec: LevelSpec
    gate: Compiled | None
    reads: set[str] = field(default_factory=set)
    shows: Compiled | None = None
    shows_reads: set[str] = field(default_factory=set)
    repos_gate: Compiled | None = None  # LevelSpec.repos_when: binds only when repositories are in the estate
    repos_reads: set[str] = field(default_factory=set)


@dataclass
class CompiledRule:
    spec: RuleSpec
    question: Question
    path: Path
    thresholds: dict[str, float]
    signals: list[CompiledSignal]
    levels: list[CompiledLevel]
    not_applicable: Compiled | None
    not_applicable_reads: set[str] = field(default_factory=set)
    repos_not_applicable: Compiled | None = None  # RuleSpec.repos_not_applicable_when
    overridden: dict[str, float] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def fact_types(self) -> set[str]:
        return self.spec.fact_types


def rules_dir() -> Path:
    return bundled("rules")


def rule_files(root: Path | None = None) -> list[Path]:
    root = root or rules_dir()
    return sorted(p for fw in FRAMEWORKS for p in (root / fw).glob("*.yaml"))


def load_rules(
    root: Path | None = None,
    overrides: Mapping[str, Mapping[str, float]] | None = None,
    select: Iterable[str] | None = None,
) -> list[CompiledRule]:
    """Every rule under `root`, validated and compiled, in catalogue order.

    `select` limits the result to rule ids or framework/category prefixes (`cmm`, `cost`,
    `cost.capacity`); every rule file is still validated.
    """
    overrides = overrides or {}
    questions = all_questions()
    compiled = [compile_rule(p, questions, overrides.get(p.stem, {})) for p in rule_files(root)]
    by_id = {r.id: r for r in compiled}
    missing = sorted(set(questions) - set(by_id))
    if missing:
        raise UserError(f"{root or rules_dir()}: no rule file for {', '.join(missing)}", "every question needs one")
    unknown_overrides = sorted(set(overrides) - set(by_id))
    if unknown_overrides:
        raise UserError(f"thresholds given for unknown rules: {', '.join(unknown_overrides)}", "see `cmm-scan rules list`")
    ordered = sorted(compiled, key=lambda r: (FRAMEWORKS.index(r.spec.framework), r.question.order))
    if select is None:
        return ordered
    wanted = [s.strip() for s in select if s.strip()]
    chosen = [r for r in ordered if any(_selects(w, r) for w in wanted)]
    unmatched = [w for w in wanted if not any(_selects(w, r) for r in ordered)]
    if unmatched:
        raise UserError(f"--questions: no rule matches {', '.join(unmatched)}", "see `cmm-scan rules list`")
    return chosen


def _selects(selector: str, rule: CompiledRule) -> bool:
    return selector in (rule.id, rule.spec.framework, rule.question.key) or rule.id.startswith(selector + ".")


def compile_signals(
    specs: Mapping[str, SignalSpec],
    constants: Mapping[str, Any],
    constant_kind: str,
    fail: Callable[[str, tuple[Any, ...]], UserError],
    compile_at: Callable[[str | None, tuple[Any, ...], set[str]], Compiled | None],
    shadow_loc: Callable[[str, list[str]], tuple[Any, ...]],
) -> list[CompiledSignal]:
    """The signals of a rule or a policy check, each filter checked against its fact type's attributes.

    `constants` (a rule's thresholds, a check's parameters) are substituted inside filters too, so one
    named like an attribute would silently replace that attribute: refused."""
    signals = []
    for name, s in specs.items():
        readable = readable_names(s.fact)
        if readable is None:
            raise fail(f"signals.{name}: fact type '{s.fact}' is not in providers/facts.yaml", ("signals", name, "fact"))
        shadowed = sorted(readable & set(constants))
        if shadowed:
            raise fail(
                f"{constant_kind} {', '.join(shadowed)} has the name of a {s.fact} attribute; rename the {constant_kind}",
                shadow_loc(name, shadowed),
            )
        signals.append(
            CompiledSignal(
                name=name,
                spec=s,
                where=compile_at(s.where, ("signals", name, "where"), readable),
                match=compile_at(s.match, ("signals", name, "match"), readable),
                weight=compile_at(s.weight, ("signals", name, "weight"), readable),
                attribute=compile_at(s.attribute, ("signals", name, "attribute"), readable),
            )
        )
    return signals


def compile_rule(path: Path, questions: Mapping[str, Question], overrides: Mapping[str, float]) -> CompiledRule:
    spec, node = load_yaml_model(path, RuleSpec, "fix the rule file; `cmm-scan rules check` lists every problem")

    def fail(message: str, loc: tuple[Any, ...] = ()) -> UserError:
        return UserError(f"{path}:{line_of(node, loc)}: {message}")

    if spec.id != path.stem:
        raise fail(f"id '{spec.id}' does not match the file name '{path.stem}'", ("id",))
    if path.parent.name != spec.framework:
        raise fail(f"a {spec.framework} rule is in the {path.parent.name}/ folder", ("framework",))
    question = questions.get(spec.id)
    if question is None:
        raise fail(f"'{spec.id}' is not a question of the catalogue", ("id",))
    if spec.title != question.title:
        raise fail(f"title differs from the catalogue: expected '{question.title}'", ("title",))
    if len(spec.levels) != question.max_level:
        raise fail(f"the question has {question.max_level} levels, the rule lists {len(spec.levels)}", ("levels",))
    unknown = sorted(set(overrides) - set(spec.thresholds))
    if unknown:
        raise UserError(f"thresholds for {spec.id}: no threshold named {', '.join(unknown)}", "see `cmm-scan rules explain`")
    thresholds = {name: t.value for name, t in spec.thresholds.items()} | dict(overrides)

    def expr(text: str | None, loc: tuple[Any, ...], allowed: set[str] | None) -> Compiled | None:
        return expr_reading(text, loc, allowed)[0]

    def expr_reading(text: str | None, loc: tuple[Any, ...], allowed: set[str] | None) -> tuple[Compiled | None, set[str]]:
        if text is None:
            return None, set()
        try:
            return compile_expr(text, thresholds, allowed)
        except ExprError as exc:
            raise fail(f"{'.'.join(map(str, loc))}: {exc} (column {exc.col + 1})", loc) from None

    signals = compile_signals(spec.signals, thresholds, "threshold", fail, expr, lambda name, shadowed: ("thresholds", shadowed[0]))
    names = set(spec.signals)
    levels = [
        CompiledLevel(lv, *expr_reading(lv.when, ("levels", i, "when"), names), *expr_reading(lv.shows, ("levels", i, "shows"), names))
        for i, lv in enumerate(spec.levels)
    ]
    for i, (lv, compiled) in enumerate(zip(spec.levels, levels, strict=True)):
        _check_because(lv.because, names, fail, ("levels", i, "because"))
        _check_because(lv.repos_because, names, fail, ("levels", i, "repos_because"))
        compiled.repos_gate, compiled.repos_reads = expr_reading(lv.repos_when, ("levels", i, "repos_when"), names)
        compiled.reads |= compiled.repos_reads  # the evidence a `because` names (absent while no repository is pooled)
    not_applicable, not_applicable_reads = expr_reading(spec.not_applicable_when, ("not_applicable_when",), names)
    repos_not_applicable, repos_na_reads = expr_reading(spec.repos_not_applicable_when, ("repos_not_applicable_when",), names)
    return CompiledRule(
        spec=spec,
        question=question,
        path=path,
        thresholds=thresholds,
        signals=signals,
        levels=levels,
        not_applicable=not_applicable,
        not_applicable_reads=not_applicable_reads | repos_na_reads,
        repos_not_applicable=repos_not_applicable,
        overridden=dict(overrides),
    )


def _check_because(text: str, names: set[str], fail: Any, loc: tuple[Any, ...]) -> None:
    """A `because` sentence may only name the rule's own signals (and their matching/total counts)."""
    for field_name in re.findall(r"\{([^{}]*)\}", text):
        signal, _, part = field_name.partition(".")
        if signal not in names or part not in ("", "matching", "total"):
            raise fail(f"{'.'.join(map(str, loc))}: {{{field_name}}} is not a signal of this rule (or .matching/.total of one)", loc)


def fact_plan(rules: Iterable[CompiledRule]) -> list[str]:
    """The fact types the selected rules read: what collection must gather."""
    return sorted({t for r in rules for t in r.fact_types})


def dump_rule(rule: CompiledRule) -> str:
    return dump_yaml(rule.spec.model_dump(exclude_defaults=True))
