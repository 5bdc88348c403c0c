"""XLSForm ``default`` values: the answers a new response, or a new repeat instance, starts with.

ODK's semantics: a default is put in when the instance is *created* — a new
submission (``odk-instance-first-load``) or a new repeat instance
(``odk-new-repeat``) — and never again, so an answer the person cleared stays
cleared.  A *static* default (``3``, ``blue green``, ``2026-01-01``) is stored
as if typed; a *dynamic* one (pyxform's rule: a reference, a function call,
arithmetic — ``${district}``, ``today()``, ``${a} + 1``) is evaluated where the
question stands, so ``${village}`` inside a repeat reads the village answered
before the instance was added.  Defaults are applied in form order, so a later
default sees an earlier one.  A default the question cannot hold (a typo in
the form) is left out: the question simply starts empty.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from neascn_desktop.surveys import expressions
from neascn_desktop.surveys.answer_tree import _edited, find_instance, scopes_of
from neascn_desktop.surveys.definition import Question, SurveyDefinition, SurveyError
from neascn_desktop.surveys.expression_scope import FormScope
from neascn_desktop.surveys.validation import calculated_value, coerce_answer, normalize_answer

#: What makes a default dynamic (pyxform's ``default_is_dynamic``): a ``${}`` reference, a
#: function call, brackets, arithmetic or a union.  A ``-`` is static for dates, times and
#: coordinates (``2026-01-01``, ``-33.9 18.4``).
_DYNAMIC_RE = re.compile(r"\$\{|[()\[\]{}|*+]|\s(div|mod)\s")
_MINUS_RE = re.compile(r"\s-\s")
_MINUS_STATIC = frozenset({"date", "datetime", "time", "geopoint", "geotrace", "geoshape"})


def is_dynamic(text: str, kind: str) -> bool:
    """Whether a default is an expression to evaluate (else a value to store as typed)."""
    return _DYNAMIC_RE.search(text) is not None or (
        kind not in _MINUS_STATIC and _MINUS_RE.search(text) is not None)


def _default_of(definition: SurveyDefinition, question: Question, answers: Mapping[str, Any],
                where: tuple[tuple[str, str], ...], own: str, language: str) -> Any:
    text = str(question.extra.get("default", "")).strip()
    if not text:
        return None
    try:
        if not is_dynamic(text, question.type):
            return coerce_answer(definition, question, text)
        scope = FormScope(definition, answers, where=where, own=own, language=language)
        value = calculated_value(expressions.evaluate(expressions.parse(text), scope))
        if isinstance(value, str):
            return coerce_answer(definition, question, value)
        return normalize_answer(definition, question, value)
    except (SurveyError, expressions.ExpressionError, ValueError, TypeError):
        return None


def with_defaults(definition: SurveyDefinition, answers: Mapping[str, Any],
                  where: tuple[tuple[str, str], ...] = (), language: str = "en") -> dict[str, Any]:
    """A copy of ``answers`` with the defaults of one scope put in: the top level
    (``where`` empty) or the instance at the end of ``where`` (``(repeat key, instance id)``
    pairs from the outside in, as ``answer_tree`` names them).  Answers already there are
    kept; nested repeats are not entered (their instances get theirs when they are added)."""
    repeat_path = ""
    if where:
        scopes = scopes_of(definition)
        scope_path = ""
        for key, _instance in where:
            scope_path = scopes[scope_path].repeats[key].path
        repeat_path = scope_path
    scope = scopes_of(definition)[repeat_path]
    result: dict[str, Any] = dict(answers)
    for key, question in scope.questions.items():
        if not question.is_input or not question.extra.get("default"):
            continue
        target = find_instance(result, where) if where else result
        if target is None or target.get(key) not in (None, "", []):
            continue
        value = _default_of(definition, question, result, where, key, language)
        if value is not None:
            result = _edited(result, where, _setter(key, value))
    return result


def _setter(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def put(target: dict[str, Any]) -> None:
        target[key] = value
    return put
