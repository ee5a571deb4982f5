"""The fast scoring path answers exactly as the plain engine did (tests/support/reference_engine.py).

The fast path decodes fact lines to plain dicts, runs rule expressions as generated code
(`exprcode`) and counts per scope only; the reference validates every fact as a model, runs the
reference closures and keeps every counter. Both score the bundled demo and generated estates
(every fact type, seeded, with unreadable values) and must agree record for record."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from cmm_scan.catalogue import all_questions
from cmm_scan.demo import demo_snapshots
from cmm_scan.engine import evaluate
from cmm_scan.expr import UNKNOWN, Interval, compile_expr
from cmm_scan.factcatalogue import fact_catalogue, readable_names
from cmm_scan.models import Assessment
from cmm_scan.rules import compile_rule, load_rules
from cmm_scan.synthetic import write_synthetic
from tests.support.reference_engine import reference_evaluate


def comparable(assessment: Assessment) -> dict:
    return assessment.model_dump(mode="json", exclude={"created_at"})


def assert_same(paths: list[Path]) -> dict:
    rules = load_rules()
    fast, reference = comparable(evaluate(paths, rules)), comparable(reference_evaluate(paths, rules))
    assert fast["source"] == reference["source"]
    for got, want in zip(fast["results"], reference["results"], strict=True):
        assert got == want, got.get("question_id", got)
    assert fast == reference
    return fast


def test_the_demo_scores_as_the_reference_engine_scores_it():
    result = assert_same(demo_snapshots())
    assert any(r["suggested_level"] for r in result["results"])


@pytest.mark.parametrize("unreadable", [0.0, 0.15])
def test_a_generated_estate_scores_as_the_reference_engine_scores_it(tmp_path, unreadable):
    """Three snapshots of every fact type (different seeds and accounts), values drawn from the
    catalogue's types; with `unreadable`, some values are missing, null or of the wrong type."""
    paths = []
    for i in range(3):
        path = tmp_path / f"part-{i}.snapshot.jsonl"
        write_synthetic(path, 1200, seed=11 + i, first_account=3 * i, unreadable=unreadable)
        paths.append(path)
    result = assert_same(paths)
    assert result["source"]["fact_count"] == 3600
    evidence = [e for r in result["results"] for e in r["evidence"]]
    assert any(e["unknown"] for e in evidence) == bool(unreadable)
    assert any(e["resources_truncated"] for e in evidence)


FACT_VALUES = [
    None,
    True,
    False,
    0,
    1,
    3,
    -2,
    0.5,
    400,
    "running",
    "kms",
    "scp",
    "none",
    "",
    ["service", "oidc"],
    [],
    {"owner": "a"},
    "AWS/CodeBuild",
]  # right, wrong-typed and missing values


def test_generated_expressions_agree_with_the_reference_closures_on_every_rule():
    """Every filter, match, weight and attribute of every rule, on fact environments of random
    (also wrong-typed and missing) values; every level gate on random intervals and UNKNOWN."""
    rng = random.Random(5)
    catalogue = fact_catalogue().facts
    checked = 0
    for rule in load_rules():
        for signal in rule.signals:
            names = sorted(readable_names(signal.spec.fact) or ())
            for text in (signal.spec.where, signal.spec.match, signal.spec.weight, signal.spec.attribute):
                if text is None:
                    continue
                fast = compile_expr(text, rule.thresholds, set(names))[0]
                reference = compile_expr(text, rule.thresholds, set(names), reference=True)[0]
                for _ in range(25):
                    env = {n: rng.choice(FACT_VALUES) for n in names if rng.random() < 0.9}
                    assert fast(env) == reference(env) or (fast(env) is UNKNOWN and reference(env) is UNKNOWN), (text, env)
                    checked += 1
        signals = {s.name for s in rule.signals}
        for level in rule.levels:
            for text in (level.spec.when, level.spec.shows):
                if text is None:
                    continue
                fast = compile_expr(text, rule.thresholds, signals)[0]
                reference = compile_expr(text, rule.thresholds, signals, reference=True)[0]
                for _ in range(25):
                    env = {n: _interval(rng) for n in signals}
                    got, want = fast(env), reference(env)
                    assert got == want or (got is UNKNOWN and want is UNKNOWN), (text, env)
                    checked += 1
    assert checked > 5000
    assert catalogue


def _interval(rng: random.Random) -> object:
    choice = rng.random()
    if choice < 0.15:
        return UNKNOWN
    lo = rng.choice([0.0, 0.0, 1.0, 2.0, 0.05, 0.5, 0.9, 1.0, 5.0, 30.0])
    hi = lo if rng.random() < 0.6 else rng.choice([lo, lo + 1, 1.0, float("inf")])
    return Interval(lo, max(lo, hi))


@pytest.mark.parametrize(
    "text",
    [
        "a == 1 and (b > 2 or not c)",
        "a in ('x', 'y') or b not in [1, 2]",
        "len(a) > 1 and overlaps(a, ['x']) and known(b)",
        "lower(a) == 'x' or a.b == 3",
        "-a < b * 2 - c / 4",
        "1 < a < 3",
        "a",
        "not a or b",
        "(a, b) == (1, 2)",
        "a == None",
    ],
)
def test_generated_code_matches_the_closures_on_every_construct(text):
    rng = random.Random(text)
    fast = compile_expr(text)[0]
    reference = compile_expr(text, reference=True)[0]
    pool = [
        None,
        True,
        False,
        0,
        1,
        2,
        3,
        4,
        "x",
        "y",
        "X",
        ["x"],
        ["y", "z"],
        {"b": 3},
        {"b": None},
        Interval(1, 3),
        Interval(0, 0),
        UNKNOWN,
    ]
    for _ in range(400):
        env = {n: rng.choice(pool) for n in "abc" if rng.random() < 0.9}
        try:
            want = reference(env)
        except TypeError:  # a value the language leaves undefined must fail the same way
            with pytest.raises(TypeError):
                fast(env)
            continue
        got = fast(env)
        assert got == want or (got is UNKNOWN and want is UNKNOWN), env


@pytest.mark.parametrize(
    "text",
    [
        "a + b >= 0.5 * c",  # the shape rules use: counts against a threshold's share of a total
        "a / b > c",
        "a - b * c == 2",
        "a * b != c - 1",
        "a + b < 2 + 1",
        "a / (b - c) <= 1",
        "a + b >= k * c",
        "a + b >= flag * c",
    ],
)
def test_arithmetic_in_a_comparison_takes_the_float_path_only_where_it_agrees(text):
    """Comparisons over arithmetic run on plain floats when every value is an int or float and the
    sides are finite; values the fast path must refuse (booleans, strings, intervals, zero divisors,
    infinities, NaN, overflow) fall back to the reference's interval arithmetic."""
    rng = random.Random(text)
    constants = {"k": 0.25, "flag": True}
    fast = compile_expr(text, constants)[0]
    reference = compile_expr(text, constants, reference=True)[0]
    pool = [0, 1, 2, 3, -1, 0.0, -0.0, 0.5, 2.5, 1e308, -1e308, 10**400, float("inf"), float("nan"), True, False, "2", None, UNKNOWN]
    pool += [Interval(1, 3), Interval(2, 2)]
    for _ in range(1500):
        env = {n: rng.choice(pool) for n in "abc" if rng.random() < 0.95}
        try:
            want = reference(env)
        except (ValueError, OverflowError) as exc:  # what the reference does, the fast path must do
            with pytest.raises(type(exc)):
                fast(env)
            continue
        got = fast(env)
        assert got == want or (got is UNKNOWN and want is UNKNOWN), (env, got, want)


ODD_RULE = """\
id: cost.capacity
framework: cmm
title: How do you set capacity for live services?
automation: full
thresholds:
  some: {value: 0.1, doc: level 3 from here}
tie_break: lower
tie_break_reason: the lower level
signals:
  weighted:
    kind: share
    fact: compute.instance
    where: region == 'eu-west-2' or age_days > 100
    match: autoscaled == true
    weight: age_days
    description: a weighted share (its method, on the merged environment)
  tagged:
    kind: count
    fact: compute.instance
    where: tags.team == 'a' or 1 < age_days < 200
    description: a dotted name and a chained comparison (reference closures)
  sources:
    kind: distinct
    fact: config.rule
    attribute: source
    description: an attribute named like a key of the line
  scopes:
    kind: distinct
    fact: config.rule
    where: source != 'AWS' and provider == 'synthetic'
    attribute: scope
    description: fields, with an attribute named like a key of the line
  ranged:
    kind: count
    fact: config.rule
    where: "'A' < source < 'z'"
    description: that attribute read by a reference closure (the line's own source must not show through)
levels:
  - {level: 1, cites: peak, when: "weighted < some", settles: false}
  - {level: 2, cites: manual, when: "weighted < some", settles: false}
  - {level: 3, cites: some, when: "weighted >= some and tagged > 0", needs: scale some}
  - {level: 4, cites: most, when: "sources > 1 and scopes > 0", needs: scale most}
  - {level: 5, cites: all, when: "sources > 100", needs: scale all}
"""


@pytest.mark.parametrize("unreadable", [0.0, 0.2])
def test_signals_the_bundled_rules_lack_score_as_the_reference_engine_scores_them(tmp_path, unreadable):
    """Paths of the fast engine no bundled rule takes today: a weighted share and reference closures
    (both read the merged environment), and an attribute named like a key of the fact's line."""
    path = tmp_path / "rules" / "cmm" / "cost.capacity.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(ODD_RULE, encoding="utf-8")
    rules = [compile_rule(path, all_questions(), {})]
    snapshot = tmp_path / "s.snapshot.jsonl"
    write_synthetic(snapshot, 3000, seed=3, unreadable=unreadable)
    fast, reference = comparable(evaluate([snapshot], rules)), comparable(reference_evaluate([snapshot], rules))
    assert fast == reference
    evidence = {e["signal"]: e for e in fast["results"][0]["evidence"]}
    assert all(evidence[name]["matching"] for name in ("weighted", "tagged", "sources", "scopes", "ranged"))
