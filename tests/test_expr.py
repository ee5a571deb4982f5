import math

import pytest

from cmm_scan.expr import UNKNOWN, ExprError, Interval, as_tristate, compile_expr


def run(text, **env):
    fn, _ = compile_expr(text)
    return as_tristate(fn(env))


def test_missing_attribute_is_unknown_not_false():
    assert run("mfa_active == true") is None
    assert run("not mfa_active") is None
    assert run("mfa_active == true", mfa_active=None) is None


def test_kleene_logic():
    assert run("a and b", a=False) is False  # false wins over unknown
    assert run("a or b", a=True) is True  # true wins over unknown
    assert run("a and b", a=True) is None
    assert run("a or b", a=False) is None


def test_interval_comparisons_decide_only_when_the_whole_interval_agrees():
    assert run("x < 0.1", x=Interval(0.0, 0.05)) is True
    assert run("x < 0.1", x=Interval(0.1, 0.3)) is False
    assert run("x < 0.1", x=Interval(0.05, 0.3)) is None
    assert run("x >= 1", x=Interval(1, math.inf)) is True
    assert run("x == 0", x=Interval(0, math.inf)) is None
    assert run("x == 0", x=Interval(0, 0)) is True


def test_threshold_boundaries_are_inclusive_as_written():
    assert run("x >= t", x=Interval.exact(0.5), t=0.5) is True
    assert run("x < t", x=Interval.exact(0.5), t=0.5) is False


def test_constants_are_substituted_and_names_are_reported():
    fn, names = compile_expr("share >= most and n > 0", constants={"most": 0.5})
    assert names == {"share", "n"}
    assert as_tristate(fn({"share": Interval.exact(0.6), "n": Interval.exact(3)})) is True


def test_membership_and_functions():
    assert run("'custom' in kinds", kinds=["cpu", "custom"]) is True
    assert run("overlaps(kinds, ('queue', 'custom'))", kinds=["cpu"]) is False
    assert run("len(kinds) >= 2", kinds=["cpu", "custom"]) is True
    assert run("known(x)", x=UNKNOWN) is False


def test_dotted_names_read_nested_maps():
    assert run("tags.owner == 'team-a'", tags={"owner": "team-a"}) is True
    assert run("tags.owner == 'team-a'", tags={}) is None


@pytest.mark.parametrize(
    "text",
    ["__import__('os')", "x.__class__", "[i for i in x]", "lambda: 1", "x ** 2", "open('f')", "x if y else z"],
)
def test_unsafe_or_unsupported_syntax_is_rejected(text):
    with pytest.raises(ExprError):
        compile_expr(text)


def test_unknown_names_are_rejected_when_names_are_restricted():
    with pytest.raises(ExprError, match="unknown name 'typo'"):
        compile_expr("typo > 1", allowed_names={"share"})


def test_arithmetic_on_open_intervals_never_yields_nan():
    fn, _ = compile_expr("a / b")
    value = fn({"a": Interval(2, math.inf), "b": Interval(1, math.inf)})
    assert value.lo == 0 and math.isinf(value.hi)
    fn, _ = compile_expr("a * b")
    value = fn({"a": Interval(0, math.inf), "b": Interval(0, 2)})
    assert not math.isnan(value.lo) and not math.isnan(value.hi)
