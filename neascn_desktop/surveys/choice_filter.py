"""XLSForm ``choice_filter``: which choices of a select a person may pick, given the answers so far.

In ODK a choice filter is evaluated with each choice as the context node, so a
bare name (``state``, ``name``) is a column of the choices sheet while
``${state}`` is an answer: ``${county}=cf`` keeps the cities whose ``cf``
column holds the county answered.  Bare names are rewritten to references of
the choice's own columns, then the expression engine evaluates the filter
(never Python ``eval``).  A filter the engine cannot read keeps every choice,
so a form never becomes impossible to fill.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from neascn_desktop.surveys import expressions
from neascn_desktop.surveys.definition import Choice, Question, SurveyDefinition

#: Quoted strings and ``${...}`` pass unchanged; a bare name (not a function, an operator, an
#: axis step of a path) becomes a reference to the choice column of that name.
_PARTS_RE = re.compile(
    r"""('[^']*'|"[^"]*"|‘[^’]*’|“[^”]*”|\$\{[^}]*\})"""
    r"""|(?<![\w/.:$-])([^\W\d]\w*)(?![\w(:/-])""")
_KEYWORDS = frozenset({"and", "or", "div", "mod"})
_PREFIX = "__choice__"


@lru_cache(maxsize=512)
def _rewritten(text: str) -> expressions.Node | None:
    def replace(match: re.Match[str]) -> str:
        if match.group(1) is not None or match.group(2) in _KEYWORDS:
            return match.group(0)
        return "${" + _PREFIX + match.group(2) + "}"
    try:
        return expressions.parse(_PARTS_RE.sub(replace, text))
    except expressions.ExpressionError:
        return None


def _columns(choice: Choice) -> dict[str, Any]:
    columns = {_PREFIX + key: value for key, value in choice.extra.items()}
    columns[_PREFIX + "name"] = choice.name
    return columns


def filtered_choices(definition: SurveyDefinition, question: Question,
                     answers: Mapping[str, Any]) -> tuple[Choice, ...]:
    """The choices of ``question`` its ``choice_filter`` keeps for ``answers`` (all without one)."""
    choices = definition.choices_for(question)
    text = question.extra.get("choice_filter", "").strip()
    if not text:
        return choices
    node = _rewritten(text)
    if node is None:
        return choices
    kept = []
    for choice in choices:
        context = dict(answers)
        context.update(_columns(choice))
        try:
            if expressions.evaluate_boolean(node, context, choice.name):
                kept.append(choice)
        except expressions.ExpressionError:
            return choices
    return tuple(kept)
