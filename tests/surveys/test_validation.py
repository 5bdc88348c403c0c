"""Relevance, calculations, required and constraint checks, and coercion of typed values."""

from __future__ import annotations

import pytest

from neascn_desktop.surveys.definition import SurveyDefinition
from neascn_desktop.surveys.validation import (
    AnswerError,
    coerce_answer,
    evaluate_form,
    format_answer,
    normalize_answer,
)


def test_relevance_follows_answers_and_cascades(mini: SurveyDefinition) -> None:
    state = evaluate_form(mini, {})
    assert not state.is_relevant("strategy_level")
    assert not state.is_relevant("services")  # section relevance: population > 0
    assert not state.is_relevant("digital_services")  # inside a non-relevant section
    state = evaluate_form(mini, {"population": 5000, "has_strategy": "yes",
                                 "digital_services": ["transport"]})
    assert state.is_relevant("strategy_level") and state.is_relevant("strategy_doc")
    assert state.is_relevant("services_note")
    # Without population the services section goes, and with it the note that depended
    # on a (now hidden) answer in it.
    state = evaluate_form(mini, {"has_strategy": "yes", "digital_services": ["transport"]})
    assert not state.is_relevant("digital_services")
    assert not state.is_relevant("services_note")
    assert "digital_services" not in state.values


def test_required_and_constraints_with_translated_messages(mini: SurveyDefinition) -> None:
    state = evaluate_form(mini, {"has_strategy": "yes", "budget_share": 150.0}, "ko")
    by_question = {i.question: i for i in state.issues}
    assert by_question["population"].kind == "required"
    assert by_question["strategy_level"].kind == "required"
    assert by_question["budget_share"].kind == "constraint"
    assert by_question["budget_share"].message == "백분율은 0에서 100 사이입니다."
    assert not state.complete
    state = evaluate_form(mini, {"population": 10, "has_strategy": "no", "officer": "Kim 2"}, "en")
    assert [(i.question, i.kind) for i in state.issues] == [("officer", "constraint")]
    assert state.issues[0].message == "A name of at most 80 letters, without digits."


def test_calculation_and_progress(mini: SurveyDefinition) -> None:
    state = evaluate_form(mini, {"population": 100000, "budget_share": 3.0, "has_strategy": "no"})
    assert state.values["per_capita"] == 0.03
    # Relevant questions that take an answer: population, budget_share, survey_date,
    # has_strategy, officer, digital_services (notes and calculations do not count).
    assert state.answerable == 6 and state.answered == 3
    assert state.progress == pytest.approx(0.5)
    assert evaluate_form(mini, {"population": 0}).values.get("per_capita") is None


def test_a_calculation_never_uses_an_answer_that_breaks_its_constraint(mini: SurveyDefinition) -> None:
    # budget_share must be 0..100: -12.5 is flagged, and per_capita is not computed from it.
    state = evaluate_form(mini, {"population": 65000, "budget_share": -12.5})
    assert [i.kind for i in state.issues_for("budget_share")] == ["constraint"]
    assert state.values["budget_share"] == -12.5  # still shown as typed, and flagged
    assert "per_capita" not in state.values
    fixed = evaluate_form(mini, {"population": 65000, "budget_share": 13.0})
    assert fixed.values["per_capita"] == 0.2
    assert not fixed.issues_for("budget_share")


@pytest.mark.parametrize(("name", "text", "expected"), [
    ("population", "1200", 1200),
    ("population", " -5 ", -5),
    ("budget_share", "3.5", 3.5),
    ("budget_share", "4", 4.0),
    ("survey_date", "2026-03-01", "2026-03-01"),
    ("has_strategy", "yes", "yes"),
    ("has_strategy", "예", "yes"),
    ("has_strategy", "DON'T KNOW", "dk"),
    ("strategy_level", "3", "3"),
    ("digital_services", "health transport", ["transport", "health"]),
    ("officer", "Kim Min-ji", "Kim Min-ji"),
    ("officer", "", None),
])
def test_coercion_of_typed_values(mini: SurveyDefinition, name: str, text: str, expected) -> None:
    value = coerce_answer(mini, name, text)
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize(("name", "text", "fragment"), [
    ("population", "12.5", "whole number"),
    ("population", "1,000", "whole number"),
    ("budget_share", "abc", "needs a number"),
    ("survey_date", "01/03/2026", "YYYY-MM-DD"),
    ("survey_date", "2026-02-30", "YYYY-MM-DD"),
    ("has_strategy", "maybe", "use one of: yes, no, dk"),
    ("digital_services", "transport rail", "“rail” is not a choice"),
    ("intro", "x", "takes no answer"),
    ("per_capita", "1", "takes no answer"),
])
def test_coercion_errors_are_clear(mini: SurveyDefinition, name: str, text: str, fragment: str) -> None:
    with pytest.raises(AnswerError, match=fragment):
        coerce_answer(mini, name, text)


def test_normalize_checks_widget_values(mini: SurveyDefinition) -> None:
    assert normalize_answer(mini, "population", 12.0) == 12
    assert normalize_answer(mini, "digital_services", {"health", "air"}) == ["air", "health"]
    assert normalize_answer(mini, "digital_services", []) is None
    assert normalize_answer(mini, "strategy_doc", "a" * 64) == "a" * 64
    for name, value in (("population", True), ("budget_share", float("inf")),
                        ("strategy_doc", "not-a-hash"), ("officer", 5)):
        with pytest.raises(AnswerError):
            normalize_answer(mini, name, value)


def test_format_answer_in_a_language(mini: SurveyDefinition) -> None:
    assert format_answer(mini, "strategy_level", "4", "ko") == "예산 확보"
    assert format_answer(mini, "digital_services", ["transport", "air"], "ko") == "교통; 대기질"
    assert format_answer(mini, "population", 5, "ko") == "5"
