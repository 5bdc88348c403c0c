"""The XLSForm ``trigger`` column: ODK's "set a value when another question changes".

A question whose ``trigger`` names ``${a}`` (or ``${a}, ${b}``) gets its ``calculation``
evaluated and stored as its answer when ``a`` changes — not recalculated afterwards, so
``now()`` records *when* ``a`` was answered; without a calculation it is cleared.  This is
pyxform's ``setvalue`` on ``xforms-value-changed``.  The value is stored like any answer
(in the same repeat instance as the question that changed), travels and is exported.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from neascn_desktop.surveys import answer_tree, expressions
from neascn_desktop.surveys.definition import Question, SurveyDefinition, SurveyError
from neascn_desktop.surveys.expression_scope import FormScope
from neascn_desktop.surveys.validation import calculated_value, normalize_answer

_REFERENCE = re.compile(r"\$\{([^}]+)\}")


def trigger_names(question: Question) -> tuple[str, ...]:
    """The question names a ``trigger`` cell lists (``${a}, ${b}`` -> ``a``, ``b``)."""
    return tuple(m.group(1).strip() for m in _REFERENCE.finditer(question.extra.get("trigger", "")))


def is_triggered(question: Question) -> bool:
    return bool(question.extra.get("trigger"))


def fire(definition: SurveyDefinition, answers: Mapping[str, Any],
         changed: answer_tree.Location, language: str = "en") -> dict[str, Any]:
    """``answers`` after the questions triggered by the one at ``changed`` got their values:
    those in the same place (the top level, or the same repeat instance)."""
    source = changed.question
    result = dict(answers)
    if source is None:
        return result
    for target in changed.scope.questions.values():
        if source.name not in trigger_names(target):
            continue
        key = changed.scope.key_of(target)
        place = answer_tree.Location(changed.instances, key, target, None, changed.scope)
        value = None
        if target.calculation:
            try:
                scope = FormScope(definition, result, where=changed.instances, own=key,
                                  language=language)
                value = calculated_value(expressions.evaluate(
                    expressions.parse(target.calculation), scope))
                value = normalize_answer(definition, target, value)
            except (SurveyError, expressions.ExpressionError, ValueError, TypeError):
                value = None  # a value the question cannot hold leaves it empty, as in ODK
        result = answer_tree.with_value(result, place, value)
    return result


def with_calculated_inputs(definition: SurveyDefinition, answers: Mapping[str, Any],
                           state: Any) -> dict[str, Any]:
    """``answers`` with the value of every answerable question that has a calculation (ODK's
    read-only totals) as ``state`` (a :class:`~neascn_desktop.surveys.repeat_state.TreeState`)
    computed it — stored when a response is finalized, as ODK Collect saves them in the
    submission, so they travel and are exported.  ``calculate`` questions are not stored."""
    calculated = [q for q in definition.questions if q.is_input and q.is_calculated]
    if not calculated:
        return dict(answers)
    result = dict(answers)

    def stored(question: Question, value: Any) -> Any:
        try:
            return normalize_answer(definition, question, value)
        except SurveyError:
            return None

    for question in calculated:
        if question.repeat is None:
            key = question.key or question.name
            value = stored(question, state.form.values.get(key))
            if value is None:
                result.pop(key, None)
            else:
                result[key] = value
    wanted = {id(q) for q in calculated if q.repeat is not None}
    if wanted:
        # a typed value with no calculated one (not relevant, or empty) goes, as at the top
        for answer in list(answer_tree.walk_answers(definition, result)):
            if (answer.question is not None and id(answer.question) in wanted
                    and answer.path not in state.values):
                place = answer_tree.Location(answer.instances, answer.key, answer.question, None,
                                             answer_tree.scopes_of(definition)[
                                                 str(answer.question.repeat)])
                result = answer_tree.with_value(result, place, None)
        for path, value in state.values.items():
            try:
                place = answer_tree.locate(definition, result, path)
            except SurveyError:
                continue
            if place.question is not None and id(place.question) in wanted:
                result = answer_tree.with_value(result, place, stored(place.question, value))
    return result
