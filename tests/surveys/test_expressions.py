"""The XLSForm expression parser and evaluator: grammar, XPath semantics, property tests."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from neascn_desktop.surveys.expressions import (
    FUNCTIONS,
    Binary,
    Call,
    Current,
    ExpressionError,
    Literal,
    Negate,
    Ref,
    XDate,
    evaluate,
    evaluate_boolean,
    parse,
    references,
    to_text,
)

ANSWERS = {"age": 42, "name": "Kim", "empty": "", "services": ["transport", "air"],
           "share": 2.5, "start": "2026-01-05", "end": "2026-02-01", "yes_no": "yes"}


@pytest.mark.parametrize(("text", "expected"), [
    ("1 + 2 * 3", 7.0),
    ("(1 + 2) * 3", 9.0),
    ("7 div 2", 3.5),
    ("7 mod 3", 1.0),
    ("-7 mod 3", -1.0),
    ("1 div 0", math.inf),
    ("-1 div 0", -math.inf),
    ("${age} > 40 and ${age} <= 42", True),
    ("${age} = 42", True),
    ("${age} = '42'", True),
    ("${name} = 'Kim'", True),
    ("${name} != \"Lee\"", True),
    ("${empty} = ''", True),
    ("${missing} = ''", True),
    ("${missing} > 5", False),
    ("${missing} < 5", False),
    ("${missing} + 1", math.nan),
    ("selected(${services}, 'air')", True),
    ("selected(${services}, 'health')", False),
    ("count-selected(${services})", 2.0),
    ("count-selected(${missing})", 0.0),
    ("string-length(${name})", 3.0),
    ("regex(${name}, '^[A-Z][a-z]+$')", True),
    ("regex(${missing}, '^$')", True),
    ("if(${age} > 18, 'adult', 'minor')", "adult"),
    ("true() and not(false())", True),
    ("${start} < ${end}", True),
    ("${start} >= ${end}", False),
    ("${share} * 2 = 5", True),
    ("1 or 0 and 0", True),
    ("1 = 1 = 1", True),
    ("concat(${name}, '-', ${age})", "Kim-42"),
    ("coalesce(${missing}, 'none')", "none"),
    ("round(2.5)", 3.0),
    ("round(3.14159, 2)", 3.14),
    ("int(-3.7)", -3.0),
    ("number('12')", 12.0),
    ("number('abc') = number('abc')", False),
    ("--3", 3.0),
    ("${yes_no} = 'yes' or ${age} div 0 > 1", True),
])
def test_evaluation(text: str, expected: object) -> None:
    result = evaluate(parse(text), ANSWERS)
    if isinstance(expected, float) and math.isnan(expected):
        assert isinstance(result, float) and math.isnan(result)
    else:
        assert result == expected


def test_current_value_and_references() -> None:
    ast = parse(". >= 0 and . <= ${age} and selected(${services}, 'x')")
    assert references(ast) == {"age", "services"}
    assert evaluate_boolean(ast, ANSWERS, current=10) is False  # 'x' not selected
    assert evaluate_boolean(parse(". >= 0 and . <= ${age}"), ANSWERS, current=10)
    assert not evaluate_boolean(parse(". >= 0"), ANSWERS, current=None)


def test_long_sums_are_fine() -> None:
    text = " + ".join(f"${{q{i}}}" for i in range(150))
    assert evaluate(parse(text), {f"q{i}": 1 for i in range(150)}) == 150.0
    assert parse(to_text(parse(text))) == parse(text)


def test_parse_is_cached() -> None:
    assert parse("${a} + 1") is parse("${a} + 1")


@pytest.mark.parametrize(("text", "position", "fragment"), [
    ("", 1, "empty"),
    ("1 +", 4, "ends too early"),
    ("${age", 1, "not closed"),
    ("$age", 1, "reference"),
    ("age > 1", 1, "${name}"),
    ("foo(1)", 1, "unknown function"),
    ("if(1, 2)", 1, "3 arguments"),
    ("(1 + 2", 7, "closing"),
    ("1 2", 3, "unexpected"),
    ("'abc", 1, "not closed"),
    ("1 # 2", 3, "not allowed"),
    ("regex(., '(')", 1, "regular expression"),
    ("and 1", 1, "left"),
    ("${bad name}", 1, "not a valid question name"),
    ("1 +" + " (" * 50 + "1" + ")" * 50, 1, "nested too deeply"),
    ("1" + " + 1" * 250, 1, "nested too deeply"),
    ("__import__('os')", 1, "unknown function"),
])
def test_errors_name_position_and_reason(text: str, position: int, fragment: str) -> None:
    with pytest.raises(ExpressionError) as info:
        parse(text)
    message = str(info.value)
    assert fragment in message
    if fragment != "nested too deeply":
        assert f"position {position}:" in message
    assert info.value.reason


# --------------------------------------------------------------------------- properties

NAMES = st.sampled_from(["age", "name", "services", "missing", "q_1", "a.b", "x-y"])
SAFE_TEXT = st.text(max_size=8).filter(lambda s: not ("'" in s and '"' in s))
NUMBERS = st.one_of(
    st.integers(min_value=0, max_value=10**12).map(float),
    st.floats(min_value=0, max_value=1e18, allow_nan=False, allow_infinity=False),
)
LEAVES = st.one_of(
    NUMBERS.map(Literal), SAFE_TEXT.map(Literal), NAMES.map(Ref), st.just(Current()),
)
#: Functions whose arguments the grammar constrains are generated apart (regex) or not at all.
PLAIN_FUNCTIONS = sorted(name for name in FUNCTIONS if name not in ("regex", "indexed-repeat"))
OPERATORS = st.sampled_from(
    ["or", "and", "=", "!=", "<", "<=", ">", ">=", "+", "-", "*", "div", "mod"])


def _calls(children: st.SearchStrategy) -> st.SearchStrategy:
    def build(name: str) -> st.SearchStrategy:
        low, high = FUNCTIONS[name]
        count = st.integers(min_value=low, max_value=high if high is not None else low + 2)
        return count.flatmap(lambda n: st.lists(children, min_size=n, max_size=n)).map(
            lambda args: Call(name, tuple(args)))

    regex = st.tuples(children, st.sampled_from(["^a", "[0-9]+", "x|y", ""])).map(
        lambda pair: Call("regex", (pair[0], Literal(pair[1]))))
    return st.one_of(st.sampled_from(PLAIN_FUNCTIONS).flatmap(build), regex)


TREES = st.recursive(
    LEAVES,
    lambda children: st.one_of(
        children.map(Negate),
        st.tuples(OPERATORS, children, children).map(lambda t: Binary(*t)),
        _calls(children),
    ),
    max_leaves=12,
)
ANSWER_VALUES = st.one_of(
    st.none(), st.integers(min_value=-10**6, max_value=10**6),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=6),
    st.lists(st.sampled_from(["transport", "air", "health"]), max_size=3),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TREES)
def test_printing_and_reparsing_round_trips(tree) -> None:
    text = to_text(tree)
    assert parse(text) == tree
    assert to_text(parse(text)) == text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TREES, st.dictionaries(NAMES, ANSWER_VALUES, max_size=5), ANSWER_VALUES)
def test_valid_expressions_evaluate_to_a_value_or_an_expression_error(tree, answers, current) -> None:
    try:
        result = evaluate(parse(to_text(tree)), answers, current)
    except ExpressionError as exc:  # date('abc'), sum(1) ...: JavaRosa's type mismatches
        assert exc.reason
        return
    assert isinstance(result, str | float | bool | XDate)


TOKENS = st.sampled_from([
    "${age}", "${", "}", ".", "(", ")", ",", "'a'", '"b"', "'", "1", "2.5", ".5", "and", "or",
    "not", "div", "mod", "=", "!=", "<", "<=", ">", ">=", "+", "-", "*", "selected",
    "count-selected", "if", "true", "false", "regex", "foo", "$", "#", " ", "[", "]",
])


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=40), st.lists(TOKENS, max_size=15).map("".join),
                 st.lists(TOKENS, max_size=15).map(" ".join)))
def test_any_text_parses_or_raises_expression_error(text: str) -> None:
    try:
        tree = parse(text)
    except ExpressionError as exc:
        assert exc.reason and 0 <= exc.position <= len(text)
        return
    try:
        evaluate(tree, ANSWERS, current="1")
    except ExpressionError as exc:
        assert exc.reason
    assert parse(to_text(tree)) == tree
