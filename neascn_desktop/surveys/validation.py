"""What a set of answers means for a form: relevance, calculations, required and constraint checks.

One function, :func:`evaluate_form`, answers every question the data-entry
form, the CLI's ``response set`` and finalize ask: which sections and
questions are relevant now (a question inside a non-relevant section is not
relevant, and answers of non-relevant questions count as empty for every other
expression, as in ODK), the calculated values, and the issues — required
answers missing and constraints failed — with the message in the chosen
language.  :func:`coerce_answer` turns typed text (``NAME=VALUE`` on the command
line) into the stored value of a question; :func:`normalize_answer` checks a
value that a widget produced.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from neascn_desktop.i18n import N_, _, translate_in
from neascn_desktop.i18n.formatting import format_number, parse_number
from neascn_desktop.surveys import expressions
from neascn_desktop.surveys.definition import Question, SurveyDefinition, SurveyError
from neascn_desktop.surveys.expression_scope import FormScope, Scope
from neascn_desktop.surveys.expression_values import XDate

#: Values a question may hold once stored (see docs/xlsform.md, "Answer values").
Answer = str | int | float | list[str]
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_INT_RE = re.compile(r"[+-]?\d+")
_DECIMAL_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_SHA256_RE = re.compile(r"[0-9a-f]{64}")
_TIME_RE = re.compile(r"([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?")
#: Fewest points of an answer: one for a point, two for a line, three for a shape (ODK's rule).
_GEO_POINTS = {"geopoint": 1, "geotrace": 2, "geoshape": 3}
MAX_TEXT_LENGTH = 20_000
MAX_INTEGER = 2**53


class AnswerError(SurveyError):
    """A value that a question cannot hold."""


@dataclass(frozen=True)
class Issue:
    """A problem with one question: ``kind`` is ``required``, ``constraint`` or ``invalid``."""

    question: str
    kind: str
    message: str


@dataclass(frozen=True)
class FormState:
    """The state of a form for some answers (see :func:`evaluate_form`)."""

    relevant: frozenset[str]
    values: Mapping[str, Any]
    required: frozenset[str]
    issues: tuple[Issue, ...]
    answered: int
    answerable: int

    def is_relevant(self, name: str) -> bool:
        return name in self.relevant

    def issues_for(self, name: str) -> tuple[Issue, ...]:
        return tuple(i for i in self.issues if i.question == name)

    @property
    def progress(self) -> float:
        """Answered relevant questions / relevant questions that take an answer (0..1)."""
        return self.answered / self.answerable if self.answerable else 1.0

    @property
    def complete(self) -> bool:
        return not self.issues


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or (
        isinstance(value, float) and math.isnan(value))


def _safe_boolean(text: str, context: Mapping[str, Any] | Scope, current: Any,
                  default: bool) -> bool:
    try:
        return expressions.evaluate_boolean(expressions.parse(text), context, current)
    except expressions.ExpressionError:
        return default


def calculated_value(value: expressions.Value) -> Any:
    """A calculation result as a stored value: numbers stay numbers, empty becomes None,
    dates ``YYYY-MM-DD`` and moments ISO 8601 (JavaRosa's ``wrapData``)."""
    if isinstance(value, XDate):
        return value.iso()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        return int(value) if value == int(value) and abs(value) < MAX_INTEGER else value
    return value or None


def _settle(
    definition: SurveyDefinition, answers: Mapping[str, Any], excluded: frozenset[str],
    language: str,
) -> tuple[frozenset[str], dict[str, Any], dict[str, Any]]:
    """Relevance, values and the expression context; ``excluded`` answers (those that break
    their constraint) are kept as values but never reach an expression, so a calculation
    never uses an input flagged invalid."""
    relevant: frozenset[str] | None = None
    values: dict[str, Any] = {}
    context: dict[str, Any] = {k: v for k, v in answers.items() if k not in excluded}

    def scope(own: str | None = None) -> Scope:
        return FormScope(definition, context, own=own, language=language)
    # Relevance may refer to later questions; a few passes reach the fixed point.
    for _pass in range(4):
        now: set[str] = set()
        values = {}
        for section in definition.sections:
            section_relevant = section.relevant is None or _safe_boolean(
                section.relevant, scope(), None, True)
            if section_relevant:
                now.add(section.name)
            for q in section.questions:
                key = q.key or q.name  # the path where two groups use one name
                is_relevant = section_relevant and (
                    q.relevant is None or _safe_boolean(q.relevant, scope(key), None, True))
                value: Any = None
                if is_relevant:
                    now.add(key)
                    if q.is_calculated and q.calculation:
                        try:
                            value = calculated_value(
                                expressions.evaluate(expressions.parse(q.calculation),
                                                     scope(key)))
                        except expressions.ExpressionError:
                            value = None
                    else:
                        value = answers.get(key)
                if not is_empty(value):
                    values[key] = value
                    if key not in excluded:
                        context[key] = value
                else:
                    context.pop(key, None)
        frozen = frozenset(now)
        if frozen == relevant:
            break
        relevant = frozen
    assert relevant is not None
    return relevant, values, context


def _broken_constraints(definition: SurveyDefinition, relevant: frozenset[str],
                        values: Mapping[str, Any], context: Mapping[str, Any],
                        language: str) -> frozenset[str]:
    broken = set()
    for q in definition.questions:
        key = q.key or q.name
        value = values.get(key)
        if key in relevant and q.is_input and value is not None and q.constraint:
            try:
                own = FormScope(definition, context, own=key, language=language)
                if not expressions.evaluate_boolean(expressions.parse(q.constraint), own, value):
                    broken.add(key)
            except expressions.ExpressionError:
                broken.add(key)
    return frozenset(broken)


def evaluate_form(
    definition: SurveyDefinition, answers: Mapping[str, Any], language: str = "en",
) -> FormState:
    """Relevance, calculated values and issues of ``answers`` (messages in ``language``)."""
    relevant, values, context = _settle(definition, answers, frozenset(), language)
    # An answer that breaks its constraint does not feed calculations or relevance (a
    # result computed from an input flagged invalid would look trustworthy); constraints
    # themselves are still checked against every answer, so one bad answer flags only itself.
    checked = context
    broken = _broken_constraints(definition, relevant, values, context, language)
    if broken:
        relevant, values, context = _settle(definition, answers, broken, language)

    def scope(own: str, source: Mapping[str, Any]) -> Scope:
        return FormScope(definition, source, own=own, language=language)

    issues: list[Issue] = []
    required: set[str] = set()
    answered = answerable = 0
    for q in definition.questions:
        key = q.key or q.name
        if key not in relevant or not q.is_input:
            continue
        answerable += 1
        value = values.get(key)
        if value is not None:
            answered += 1
        if q.required and _safe_boolean(q.required, scope(key, context), value, False):
            required.add(key)
            if value is None:
                issues.append(Issue(key, "required", translate_in(
                    language, N_("This question requires an answer."))))
                continue
        if value is not None and q.constraint:
            try:
                ok = expressions.evaluate_boolean(expressions.parse(q.constraint),
                                                  scope(key, checked), value)
            except expressions.ExpressionError as exc:
                issues.append(Issue(key, "invalid", str(exc)))
                continue
            if not ok:
                message = q.constraint_message_in(language, definition.default_language)
                issues.append(Issue(key, "constraint", message or translate_in(
                    language, N_("This answer is not allowed here."))))
    return FormState(
        relevant=relevant, values=values, required=frozenset(required), issues=tuple(issues),
        answered=answered, answerable=answerable,
    )


# --------------------------------------------------------------------------- coercion


def _choice_name(definition: SurveyDefinition, q: Question, text: str) -> str:
    if _open_list(definition, q):  # a list from a file that did not come: any name
        return text
    choices = definition.choices_for(q)
    for choice in choices:
        if choice.name == text:
            return choice.name
    folded = text.casefold()
    for choice in choices:
        if any(label.casefold() == folded for label in choice.label.values()):
            return choice.name
    raise AnswerError(_("“{value}” is not a choice of {question}; use one of: {choices}.").format(
        value=text, question=q.name, choices=", ".join(c.name for c in choices)))


def _typed_number(q: Question, text: str, language: str | None, whole: bool) -> float | None:
    """A number as typed: plain (``3.5``) or the language's way (``3,5`` in Russian)."""
    if (_INT_RE if whole else _DECIMAL_RE).fullmatch(text):
        return float(text) if not whole else int(text)
    value = parse_number(text, language) if language else None
    if value is None or (whole and not value.is_integer()):
        message = (_("{question} needs a whole number, not “{value}”; type it as {example} or "
                     "{plain} (language: {language}).") if whole else
                   _("{question} needs a number, not “{value}”; type it as {example} or {plain} "
                     "(language: {language})."))
        raise AnswerError(message.format(
            question=q.name, value=text, example=format_number(12000 if whole else 1234.5, language),
            plain="12000" if whole else "1234.5", language=language or "en"))
    return int(value) if whole else value


def coerce_answer(definition: SurveyDefinition, question: Question | str, text: str,
                  language: str | None = None) -> Answer | None:
    """Turn typed text into the stored value of a question (``''`` clears the answer).

    Integers and decimals as plain numbers (``1200``, ``3.5``) or the way ``language``
    writes them (``3,5`` in Russian), dates as
    ``YYYY-MM-DD``, choices by name (or by their label in any language),
    multiple choices as space-separated names.
    """
    q = definition.question(question) if isinstance(question, str) else question
    if q.type in ("note", "calculate"):
        raise AnswerError(_("{question} is a {type} and takes no answer.").format(
            question=q.name, type=q.type))
    text = text.strip()
    if text == "":
        return None
    if q.type == "integer":
        return normalize_answer(definition, q, _typed_number(q, text, language, whole=True))
    if q.type == "decimal":
        return normalize_answer(definition, q, _typed_number(q, text, language, whole=False))
    if q.type == "select_multiple":
        return normalize_answer(
            definition, q, [_choice_name(definition, q, part) for part in text.split()])
    if q.type in ("select_one", "yes_no", "scale"):
        return normalize_answer(definition, q, _choice_name(definition, q, text))
    if q.type == "rank":
        return normalize_answer(
            definition, q, [_choice_name(definition, q, part) for part in text.split()])
    if q.type == "range":
        return normalize_answer(definition, q, _typed_number(q, text, language, whole=False))
    return normalize_answer(definition, q, text)


def normalize_answer(definition: SurveyDefinition, question: Question | str, value: Any) -> Answer | None:
    """Check a value for a question and return its stored form (``None`` = unanswered)."""
    q = definition.question(question) if isinstance(question, str) else question
    if is_empty(value):
        return None
    kind = q.type
    if kind == "calculate" and q.extra.get("trigger"):  # set when its trigger changes
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise AnswerError(_("{question} needs text.").format(question=q.name))
        return _text(q, value) if isinstance(value, str) else value
    if kind in ("note", "calculate"):
        raise AnswerError(_("{question} is a {type} and takes no answer.").format(
            question=q.name, type=kind))
    if kind == "integer":
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise AnswerError(_("{question} needs a whole number, not “{value}”.").format(
                question=q.name, value=value))
        if abs(value) > MAX_INTEGER:
            raise AnswerError(_("{question}: the number {value} is too large.").format(
                question=q.name, value=value))
        return value
    if kind == "decimal":
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise AnswerError(_("{question} needs a number, not “{value}”.").format(
                question=q.name, value=value))
        return float(value)
    if kind == "date":
        text = str(value)
        try:
            if not _DATE_RE.fullmatch(text):
                raise ValueError(text)
            date.fromisoformat(text)
        except ValueError:
            raise AnswerError(_("{question} needs a date as YYYY-MM-DD, not “{value}”.").format(
                question=q.name, value=text)) from None
        return text
    if kind in ("select_one", "yes_no", "scale", "select_multiple") and _open_list(definition, q):
        return _text(q, " ".join(value) if isinstance(value, list | tuple) else value)
    if kind in ("select_one", "yes_no", "scale"):
        if not isinstance(value, str) or definition.choice(q, value) is None:
            raise AnswerError(
                _("“{value}” is not a choice of {question}; use one of: {choices}.").format(
                    value=value, question=q.name,
                    choices=", ".join(c.name for c in definition.choices_for(q))))
        return value
    if kind == "select_multiple":
        if isinstance(value, str):
            value = value.split()
        if not isinstance(value, list | tuple | set | frozenset):
            raise AnswerError(_("{question} needs a list of choices.").format(question=q.name))
        order = [c.name for c in definition.choices_for(q)]
        unknown = [v for v in value if v not in order]
        if unknown:
            raise AnswerError(
                _("“{value}” is not a choice of {question}; use one of: {choices}.").format(
                    value=unknown[0], question=q.name, choices=", ".join(order)))
        chosen = set(value)
        return [name for name in order if name in chosen] or None
    if kind in _TYPED_CHECKS:
        return _TYPED_CHECKS[kind](definition, q, value)
    if kind == "attachment":
        if not isinstance(value, str) or not _SHA256_RE.fullmatch(value):
            raise AnswerError(_("{question} needs an attached file.").format(question=q.name))
        return value
    # text
    if not isinstance(value, str):
        raise AnswerError(_("{question} needs text.").format(question=q.name))
    if len(value) > MAX_TEXT_LENGTH:
        raise AnswerError(_("{question}: the text is longer than {limit} characters.").format(
            question=q.name, limit=MAX_TEXT_LENGTH))
    return value


def _open_list(definition: SurveyDefinition, q: Question) -> bool:
    """A list from a file that did not come with the form: any choice name is taken."""
    return not definition.choices_for(q) and q.extra.get("xlsform_type", "").endswith(
        ("_from_file", "_external"))


def _text(q: Question, value: Any) -> str:
    if not isinstance(value, str):
        raise AnswerError(_("{question} needs text.").format(question=q.name))
    if len(value) > MAX_TEXT_LENGTH:
        raise AnswerError(_("{question}: the text is longer than {limit} characters.").format(
            question=q.name, limit=MAX_TEXT_LENGTH))
    return value


def _range(definition: SurveyDefinition, q: Question, value: Any) -> Answer:
    bounds = dict(part.split("=", 1) for part in q.extra.get("parameters", "").split() if "=" in part)
    try:
        start, end = float(bounds.get("start", 1)), float(bounds.get("end", 10))
    except ValueError:
        start, end = -math.inf, math.inf
    low, high = min(start, end), max(start, end)
    if (isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value)
            or not low <= value <= high):
        raise AnswerError(_("{question} needs a number from {start} to {end}, not “{value}”.").format(
            question=q.name, start=f"{start:g}", end=f"{end:g}", value=value))
    return int(value) if float(value).is_integer() else float(value)


def _time(definition: SurveyDefinition, q: Question, value: Any) -> Answer:
    if not isinstance(value, str) or not _TIME_RE.fullmatch(value):
        raise AnswerError(_("{question} needs a time as HH:MM, not “{value}”.").format(
            question=q.name, value=value))
    return value


def _datetime(definition: SurveyDefinition, q: Question, value: Any) -> Answer:
    try:
        if not isinstance(value, str) or not _DATE_RE.match(value):
            raise ValueError(value)
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise AnswerError(_("{question} needs a date and time as YYYY-MM-DDTHH:MM, not “{value}”."
                            ).format(question=q.name, value=value)) from None
    return value


def _geo(definition: SurveyDefinition, q: Question, value: Any) -> Answer:
    """ODK's text form: ``lat lon [altitude [accuracy]]``, points separated by ``;``."""
    fail = AnswerError(_("{question} needs points as “latitude longitude [altitude accuracy]”, "
                         "separated by “;”, not “{value}”.").format(question=q.name, value=value))
    if not isinstance(value, str) or len(value) > MAX_TEXT_LENGTH:
        raise fail
    points = [p.split() for p in value.strip().rstrip(";").split(";")]
    if len(points) < _GEO_POINTS[q.type] or (q.type == "geopoint" and len(points) != 1):
        raise fail
    for parts in points:
        try:
            numbers = [float(p) for p in parts]
        except ValueError:
            raise fail from None
        if not 2 <= len(numbers) <= 4 or not all(map(math.isfinite, numbers)) or not (
                -90 <= numbers[0] <= 90 and -180 <= numbers[1] <= 180) or (
                len(numbers) == 4 and numbers[3] < 0):
            raise fail
    return "; ".join(" ".join(parts) for parts in points)


def _rank(definition: SurveyDefinition, q: Question, value: Any) -> Answer | None:
    if isinstance(value, str):
        value = value.split()
    if not isinstance(value, list | tuple):
        raise AnswerError(_("{question} needs a list of choices.").format(question=q.name))
    order = [c.name for c in definition.choices_for(q)]
    unknown = [v for v in value if v not in order] or [v for v in value if value.count(v) > 1]
    if unknown:
        raise AnswerError(
            _("“{value}” is not a choice of {question}; use one of: {choices}.").format(
                value=unknown[0], question=q.name, choices=", ".join(order)))
    return list(value) or None


def _acknowledge(definition: SurveyDefinition, q: Question, value: Any) -> Answer:
    if value != "OK":
        raise AnswerError(
            _("“{value}” is not a choice of {question}; use one of: {choices}.").format(
                value=value, question=q.name, choices="OK"))
    return value


_TYPED_CHECKS = {
    "range": _range, "time": _time, "datetime": _datetime, "geopoint": _geo, "geotrace": _geo,
    "geoshape": _geo, "rank": _rank, "acknowledge": _acknowledge,
}


def format_answer(definition: SurveyDefinition, question: Question | str, value: Any,
                  language: str = "en") -> str:
    """An answer as a person reads it (choice labels in ``language``)."""
    q = definition.question(question) if isinstance(question, str) else question
    if is_empty(value):
        return ""
    if q.type in ("select_one", "yes_no", "scale") and isinstance(value, str):
        choice = definition.choice(q, value)
        return choice.label_in(language, definition.default_language) if choice else value
    if q.type == "select_multiple" and isinstance(value, list):
        parts = []
        for name in value:
            choice = definition.choice(q, name)
            parts.append(choice.label_in(language, definition.default_language) if choice else name)
        return "; ".join(parts)
    return str(value)
