"""Golden tests for the derivation in docs/scoring.md, on a purpose-built rule."""

from pathlib import Path

import pytest

from cmm_scan.catalogue import all_questions
from cmm_scan.engine import evaluate
from cmm_scan.errors import UserError
from cmm_scan.rules import compile_rule
from tests.support.estate import Estate

RULE = """\
id: cost.capacity
framework: cmm
title: How do you set capacity for live services?
automation: full
thresholds:
  some: {value: 0.1, doc: level 3 from here}
  most: {value: 0.5, doc: level 4 from here}
  all: {value: 0.8, doc: level 5 from here}
signals:
  n:
    kind: count
    fact: compute.instance
    description: instances
  s:
    kind: share
    fact: compute.instance
    match: autoscaled == true
    description: autoscaled share
not_applicable_when: n == 0
tie_break: lower
tie_break_reason: configuration shows static capacity
levels:
  - {level: 1, cites: peak, when: "s < some", settles: false}
  - {level: 2, cites: manual, when: "s < some", settles: false}
  - {level: 3, cites: some, when: "s >= some and s < most", needs: scale some}
  - {level: 4, cites: most, when: "s >= most and s < all", needs: scale most}
  - {level: 5, cites: all, when: "s >= all", needs: scale all}
"""


def rule_from(tmp_path: Path, text: str = RULE, overrides: dict[str, float] | None = None):
    path = tmp_path / "rules" / "cmm" / "cost.capacity.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return compile_rule(path, all_questions(), overrides or {})


def score(tmp_path: Path, estate: Estate, text: str = RULE, overrides: dict[str, float] | None = None):
    rule = rule_from(tmp_path, text, overrides)
    (result,) = evaluate(estate.write(tmp_path / "s.jsonl"), [rule]).results
    return result


def instances(autoscaled: int, static: int, unknown: int = 0, **where) -> Estate:
    estate = Estate()
    estate.many(autoscaled, "compute.instance", autoscaled=True, **where)
    estate.many(static, "compute.instance", autoscaled=False, **where)
    estate.many(unknown, "compute.instance", **where)  # attribute not read
    return estate


@pytest.mark.parametrize(
    ("autoscaled", "static", "level"),
    [(3, 7, 3), (5, 5, 4), (8, 2, 5), (10, 0, 5), (49, 51, 3), (50, 50, 4), (79, 21, 4), (80, 20, 5)],
)
def test_one_level_when_the_evidence_pins_it(tmp_path, autoscaled, static, level):
    result = score(tmp_path, instances(autoscaled, static))
    assert (result.suggested_level, result.answer, result.confidence) == (level, level, "high")
    assert result.status == "suggested"


def test_threshold_boundary_belongs_to_the_level_that_starts_there(tmp_path):
    assert score(tmp_path, instances(10, 90)).suggested_level == 3
    below = score(tmp_path, instances(9, 91))
    assert below.possible_levels == [1, 2]
    assert below.suggested_level == 1  # the documented tie-break
    assert below.confidence == "medium"
    assert "chose 1" in (below.tie_break or "")


def test_two_adjacent_levels_without_a_tie_break_is_i_dont_know(tmp_path):
    text = RULE.replace("tie_break: lower\ntie_break_reason: configuration shows static capacity\n", "")
    result = score(tmp_path, instances(0, 10), text)
    assert result.possible_levels == [1, 2]
    assert (result.suggested_level, result.answer, result.status) == (None, 0, "range")


def test_unreadable_attributes_widen_the_share_but_keep_a_pinned_level(tmp_path):
    result = score(tmp_path, instances(3, 6, unknown=1))
    (share,) = [e for e in result.evidence if e.signal == "s"]
    assert (share.value.lo, share.value.hi) == (pytest.approx(0.3), pytest.approx(0.4))
    assert result.suggested_level == 3
    assert share.unknown == 1 and not share.complete


def test_unreadable_attributes_across_a_boundary_give_a_range_not_the_tie_break(tmp_path):
    """The tie-break chooses between readings of complete evidence; it never stands in for what was not read."""
    result = score(tmp_path, instances(4, 5, unknown=1))  # 40%..50%: level 3 or 4
    assert result.possible_levels == [3, 4]
    assert (result.suggested_level, result.answer, result.level_range, result.tie_break) == (None, 0, (3, 4), None)
    assert any(r.startswith("No tie-break: autoscaled share could not be read completely") for r in result.reasons), result.reasons


def test_partial_coverage_makes_a_share_unknown(tmp_path):
    estate = instances(8, 2)
    estate.denied("compute.instance", region="eu-west-1")
    result = score(tmp_path, estate)
    assert result.answer == 0
    assert result.suggested_level is None
    (share,) = [e for e in result.evidence if e.signal == "s"]
    assert not share.complete and any("denied" in gap for gap in share.coverage_gaps)
    assert any("s:" in reason for reason in result.reasons)


def test_all_denied_is_i_dont_know_never_level_one(tmp_path):
    estate = Estate().denied("compute.instance")
    result = score(tmp_path, estate)
    assert (result.answer, result.suggested_level, result.status) == (0, None, "unknown")
    assert result.possible_levels == [1, 2, 3, 4, 5]


def test_never_collected_is_i_dont_know(tmp_path):
    result = score(tmp_path, Estate())
    assert result.answer == 0
    assert result.evidence[0].display == "unknown (not collected)"


def test_empty_estate_is_not_applicable_not_level_one(tmp_path):
    result = score(tmp_path, Estate().covered("compute.instance"))
    assert (result.status, result.answer) == ("not_applicable", 0)


def test_not_enabled_counts_as_read_and_empty(tmp_path):
    estate = instances(3, 7)
    estate.not_enabled("compute.instance", region="eu-west-1")
    assert score(tmp_path, estate).suggested_level == 3


def test_shares_pool_every_account_and_keep_the_breakdown(tmp_path):
    estate = Estate()
    estate.many(9, "compute.instance", scope="111111111111", autoscaled=True)
    estate.many(1, "compute.instance", scope="111111111111", autoscaled=False)
    estate.many(1, "compute.instance", scope="222222222222", autoscaled=True)
    estate.many(9, "compute.instance", scope="222222222222", autoscaled=False)
    result = score(tmp_path, estate)
    assert result.suggested_level == 4  # 10 of 20 over both accounts
    (share,) = [e for e in result.evidence if e.signal == "s"]
    assert [(b.scope, b.matching, b.total) for b in share.by_scope] == [("111111111111", 9, 10), ("222222222222", 1, 10)]


def test_overridden_threshold_moves_the_answer(tmp_path):
    assert score(tmp_path, instances(6, 4)).suggested_level == 4
    assert score(tmp_path, instances(6, 4), overrides={"all": 0.6}).suggested_level == 5


def test_next_level_names_what_stands_in_the_way(tmp_path):
    result = score(tmp_path, instances(3, 7))
    assert result.next_level is not None
    assert result.next_level.level == 4 and result.next_level.needs == "scale most"
    assert result.next_level.failing == ["autoscaled share: 30% (3 of 10)"]


def test_levels_without_a_gate_stay_open_for_a_person(tmp_path):
    text = RULE.replace('{level: 5, cites: all, when: "s >= all", needs: scale all}', "{level: 5, cites: all}")
    result = score(tmp_path, instances(9, 1), text)
    human = next(o for o in result.levels if o.level == 5)
    assert human.verdict == "human"
    # 90 %: levels 1-4 are ruled out, so level 5 stands by elimination, at medium confidence.
    assert (result.possible_levels, result.suggested_level, result.confidence) == ([5], 5, "medium")
    # 60 %: level 4's gate holds but level 5 stays open for a person: the documented tie-break
    # picks 4; without one there is no suggestion.
    result = score(tmp_path, instances(6, 4), text)
    assert (result.possible_levels, result.suggested_level, result.confidence) == ([4, 5], 4, "medium")
    no_tie = text.replace("tie_break: lower\ntie_break_reason: configuration shows static capacity\n", "")
    result = score(tmp_path, instances(6, 4), no_tie)
    assert (result.possible_levels, result.answer, result.status) == ([4, 5], 0, "range")


def test_manual_rule_never_gets_a_level_from_configuration(tmp_path):
    assessment = Estate().assess(tmp_path, "people.training")
    (result,) = assessment.results
    assert (result.status, result.answer, result.suggested_level) == ("manual", 0, None)
    assert result.evidence_to_bring


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        (RULE.replace("s < some", "s < somme", 1), "cost.capacity.yaml:23: levels.0.when: unknown name 'somme'"),
        (RULE.replace("match: autoscaled == true", "match: autoscaledd == true"), "unknown name 'autoscaledd'"),
        (RULE.replace("fact: compute.instance\n    match", "fact: compute.instanse\n    match"), "not in providers/facts.yaml"),
        (RULE.replace("How do you set capacity", "How do we set capacity"), "title differs from the catalogue"),
        (RULE.replace('  - {level: 5, cites: all, when: "s >= all", needs: scale all}\n', ""), "has 5 levels, the rule lists 4"),
        (RULE.replace("kind: share", "kind: shares"), ":15: signals.s.kind: Input should be"),
        (RULE.replace("signals:", "signals: [", 1), "not valid YAML"),
        (RULE.replace("  some: {value", "  state: {value: 0, doc: x}\n  some: {value"), ":6: threshold state has the name of"),
    ],
)
def test_rule_errors_name_the_file_and_line(tmp_path, broken, message):
    with pytest.raises(UserError) as caught:
        rule_from(tmp_path, broken)
    assert message in caught.value.line()
    assert "cost.capacity.yaml" in caught.value.line()


PAIR_RULE = RULE.replace(
    "tie_break: lower\ntie_break_reason: configuration shows static capacity\n",
    "tie_breaks:\n  - {levels: [3, 4], choose: upper, reason: a share this close to half counts as most}\n",
).replace('when: "s >= some and s < most"', 'when: "s >= some and s <= most"')


def test_a_pair_tie_break_chooses_for_its_pair_only(tmp_path):
    at_half = score(tmp_path, instances(5, 5), PAIR_RULE)  # exactly 50 %: the gates of 3 and 4 both hold
    assert (at_half.suggested_level, at_half.possible_levels) == (4, [3, 4])
    assert "chose 4: a share this close to half counts as most" in (at_half.tie_break or "")
    low = score(tmp_path, instances(0, 10), PAIR_RULE)  # levels 1 and 2 have no documented choice
    assert (low.suggested_level, low.answer, low.level_range) == (None, 0, (1, 2))


@pytest.mark.parametrize(
    ("pairs", "message"),
    [
        ("[{levels: [2, 4], choose: lower, reason: r}]", "must be two adjacent levels"),
        ("[{levels: [5, 6], choose: lower, reason: r}]", "names a level above 5"),
        ("[{levels: [1, 2], choose: lower, reason: a}, {levels: [1, 2], choose: upper, reason: b}]", "same pair of levels twice"),
        ("[{levels: [1, 2], choose: lower}]", "reason"),
    ],
)
def test_bad_pair_tie_breaks_are_refused_when_loaded(tmp_path, pairs: str, message: str):
    with pytest.raises(UserError, match=message):
        rule_from(
            tmp_path,
            PAIR_RULE.replace(
                "tie_breaks:\n  - {levels: [3, 4], choose: upper, reason: a share this close to half counts as most}\n",
                f"tie_breaks: {pairs}\n",
            ),
        )


RUNNING_RULE = RULE.replace("    match: autoscaled == true\n", "    where: state == 'running'\n    match: autoscaled == true\n")


@pytest.mark.parametrize(
    ("facet", "share_known"),
    [
        ({"state": "stopped"}, True),  # the failed collector lists only facts outside the share's population
        ({"state": "running"}, False),  # ... or facts inside it
        (None, False),  # a collector without a facet could have listed anything
    ],
)
def test_a_gap_matters_only_to_signals_whose_population_it_could_touch(tmp_path, facet, share_known):
    estate = instances(3, 7, state="running").denied("compute.instance", facet=facet)
    result = score(tmp_path, estate, RUNNING_RULE)
    (share,) = [e for e in result.evidence if e.signal == "s"]
    (count,) = [e for e in result.evidence if e.signal == "n"]
    shown = "30% (3 of 10)" if share_known else "unknown: 3 of 10 read, coverage incomplete"
    assert share.complete is share_known and share.display == shown
    assert result.suggested_level == (3 if share_known else None)
    assert not count.complete  # counting every instance, it is always touched


# --- floors: "at least N" -----------------------------------------------------------------

FLOOR_RULE = (
    RULE.replace(
        """  s:
    kind: share""",
        """  a:
    kind: count
    fact: compute.instance
    where: autoscaled == true
    description: Instances that scale automatically
  s:
    kind: share""",
    )
    .replace(
        """  - {level: 3, cites: some, when: "s >= some and s < most", needs: scale some}
  - {level: 4, cites: most, when: "s >= most and s < all", needs: scale most}
  - {level: 5, cites: all, when: "s >= all", needs: scale all}
""",
        """  - {level: 3, cites: some, shows: "a >= 1", needs: scale some, because: "{a} of {n} instances scale automatically."}
  - {level: 4, cites: most, needs: Scale most services}
  - {level: 5, cites: all, needs: scale all}
""",
    )
    .replace('when: "s < some", settles: false', 'when: "a == 0", settles: false')
)


def test_a_level_the_configuration_shows_is_a_floor_when_the_levels_above_need_a_person(tmp_path):
    """Level 3 ("some systems scale automatically") is shown by 3 autoscaled instances; 4 and 5 need a person."""
    result = score(tmp_path, instances(3, 7), FLOOR_RULE)
    assert (result.status, result.floor_level, result.answer, result.answer_source) == ("floor", 3, 3, "machine")
    assert (result.suggested_level, result.possible_levels, result.confidence) == (None, [3, 4, 5], "high")
    assert result.because == "3 of 10 instances scale automatically."
    assert result.to_settle == "Only a person can say whether it is level 4 or above: scale most services"
    assert result.next_level is not None and result.next_level.level == 4


@pytest.mark.parametrize(
    "estate",
    [
        instances(3, 7).denied("compute.instance", region="eu-west-1"),  # another region not read
        instances(3, 6, unknown=1),  # one instance's scaling not read
    ],
    ids=["denied-region", "unreadable-attribute"],
)
def test_never_a_floor_from_incomplete_coverage(tmp_path, estate):
    result = score(tmp_path, estate, FLOOR_RULE)
    assert (result.status, result.floor_level, result.answer) == ("range", None, 0)
    assert result.possible_levels == [3, 4, 5]
    assert result.to_settle.startswith("A complete read of instances that scale automatically")


def test_nothing_ruled_out_is_not_a_floor(tmp_path):
    """No autoscaling seen: levels 1-2 stay possible and 3-5 need a person; "at least 1" would say nothing."""
    result = score(tmp_path, instances(0, 10), FLOOR_RULE)
    assert (result.status, result.floor_level, result.answer) == ("unknown", None, 0)


def test_a_floor_never_goes_above_what_the_gates_allow(tmp_path):
    """Level 4's gate rules it out at 30 %: its `shows` cannot lift the answer to 4."""
    text = FLOOR_RULE.replace(
        "{level: 4, cites: most, needs: Scale most services}", '{level: 4, cites: most, when: "s >= most", shows: "a >= 1"}'
    ).replace("{level: 5, cites: all, needs: scale all}", '{level: 5, cites: all, when: "s >= all"}')
    result = score(tmp_path, instances(3, 7), text)
    assert (result.status, result.suggested_level, result.answer) == ("suggested", 3, 3)
    assert score(tmp_path, instances(6, 4), text).answer == 4  # where the gate allows it, level 4 is shown


def test_a_shown_level_with_nothing_open_above_is_settled(tmp_path):
    """Levels 4-5 ruled out by configuration: the shown level 3 is the answer, not a floor."""
    text = FLOOR_RULE.replace("{level: 4, cites: most, needs: Scale most services}", '{level: 4, cites: most, when: "s >= most"}').replace(
        "{level: 5, cites: all, needs: scale all}", '{level: 5, cites: all, when: "s >= all"}'
    )
    result = score(tmp_path, instances(3, 7), text)
    assert (result.status, result.suggested_level, result.answer, result.confidence) == ("suggested", 3, 3, "high")
    assert result.because == "3 of 10 instances scale automatically."


def test_a_manual_rule_cannot_show_a_level(tmp_path):
    text = """\
id: people.training
framework: cmm
title: How does your organisation support cloud training and certification?
automation: manual
levels:
  - {level: 1, cites: a, shows: "x >= 1"}
  - {level: 2, cites: b}
  - {level: 3, cites: c}
  - {level: 4, cites: d}
  - {level: 5, cites: e}
evidence_to_bring: [training records]
"""
    path = tmp_path / "rules" / "cmm" / "people.training.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UserError, match="a manual rule"):
        compile_rule(path, all_questions(), {})


def test_because_names_only_signals_of_the_rule(tmp_path):
    with pytest.raises(UserError, match=r"\{b\} is not a signal of this rule"):
        rule_from(tmp_path, FLOOR_RULE.replace('because: "{a} of', 'because: "{b} of'))


def test_not_applicable_says_what_was_empty_in_words(tmp_path):
    result = score(tmp_path, Estate().covered("compute.instance"))
    assert result.reasons == ["Nothing to assess: instances: 0."]
