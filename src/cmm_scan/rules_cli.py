"""`cmm-scan rules check | list | explain ID`."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from cmm_scan.config import load_config
from cmm_scan.errors import UserError
from cmm_scan.rules import CompiledRule, load_rules, rule_files, rules_dir

if TYPE_CHECKING:
    from cmm_scan.console import Console


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def run(args: argparse.Namespace, console: Console) -> int:
    config = load_config(getattr(args, "config", None))
    if args.rules_command == "check":
        return _check(args, console, config.thresholds)
    rules = load_rules(args.rules_dir, config.thresholds)
    if args.rules_command == "list":
        rows = [("RULE", "AUTOMATION", "QUESTION", "FACTS")]
        rows += [(r.id, r.spec.automation, _short(r.question.title, 60), ",".join(sorted(r.fact_types)) or "-") for r in rules]
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        for row in rows:
            console.out("  ".join([*(cell.ljust(w) for cell, w in zip(row[:3], widths, strict=True)), row[3]]))
        return 0
    match = [r for r in rules if args.rule_id in (r.id, r.question.key)]
    if not match:
        raise UserError(f"no rule '{args.rule_id}'", "see `cmm-scan rules list`")
    console.out(explain(match[0]))
    return 0


def _check(args: argparse.Namespace, console: Console, overrides: dict[str, dict[str, float]]) -> int:
    from cmm_scan.catalogue import all_questions
    from cmm_scan.rules import compile_rule

    questions = all_questions()
    files = rule_files(args.rules_dir)
    problems = []
    for path in files:
        try:
            compile_rule(path, questions, overrides.get(path.stem, {}))
        except UserError as exc:
            problems.append(exc.line())
    if not problems:
        load_rules(args.rules_dir, overrides)  # the whole-set checks: one rule per question
    for line in problems:
        console.note(line)
    if problems:
        raise UserError(f"{len(problems)} of {len(files)} rule files have problems", "fix the lines above")
    console.out(f"ok: {len(files)} rules in {args.rules_dir or rules_dir()} are valid")
    return 0


def explain(rule: CompiledRule) -> str:
    s = rule.spec
    lines = [f"{s.id} — {rule.question.title}", f"framework {s.framework}, automation {s.automation}", ""]
    if s.summary:
        lines += [s.summary.strip(), ""]
    if s.signals:
        lines.append("Signals:")
        for name, sig in s.signals.items():
            parts = [f"{sig.kind} of {sig.fact}"]
            if sig.where:
                parts.append(f"where {sig.where}")
            if sig.match:
                parts.append(f"matching {sig.match}")
            if sig.attribute:
                parts.append(f"of {sig.attribute}")
            lines.append(f"  {name}: {sig.description} [{'; '.join(parts)}]")
        lines.append("")
    if s.thresholds:
        lines.append("Thresholds (override in the config file under thresholds.<rule id>):")
        for name, t in s.thresholds.items():
            value = rule.thresholds[name]
            flag = " (overridden)" if name in rule.overridden else ""
            lines.append(f"  {name} = {value:g}{flag}: {t.doc}")
        lines.append("")
    lines.append("Levels:")
    for lv in s.levels:
        gate = lv.when or "(configuration cannot tell; a person answers)"
        settle = "" if lv.settles or not lv.when else " [can rule out, not confirm]"
        lines.append(f"  {lv.level}. {lv.cites}")
        lines.append(f"     gate: {gate}{settle}")
    if s.tie_break:
        lines += ["", f"Two adjacent levels: choose the {s.tie_break} one — {s.tie_break_reason}"]
    for pair in s.tie_breaks:
        low, high = pair.levels
        lines.append(f"Levels {low} and {high}: choose {low if pair.choose == 'lower' else high} — {pair.reason}")
    if s.evidence_to_bring:
        lines += ["", "Evidence a person should bring:"] + [f"  - {e}" for e in s.evidence_to_bring]
    return "\n".join(lines)
