"""The shape of every replicated record: per entity type, which payload fields exist and what
they hold, and the bounds no payload may exceed (see docs/package-format.md, "Authority").

Declarative on purpose: ``SHAPES`` is read by ``check_payload`` and by the documentation.
A survey definition is checked by the survey room's own loader, and a submission's answers
by the survey room's own answer rules (``surveys.validation.normalize_answer``), so what a
package may carry and what the data-entry form accepts can never disagree.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from neascn_desktop.i18n import N_, _
from neascn_desktop.replica.revision import is_withdrawn
from neascn_desktop.surveys.answer_tree import (
    INSTANCE_ID,
    MAX_ANSWERS,
    MAX_INSTANCES,
    MAX_REPEAT_DEPTH,
    Scope,
    is_instance_id,
)
from neascn_desktop.surveys.definition import (
    NON_INPUT_TYPES,
    SurveyDefinition,
    SurveyError,
    definition_entity_id,
    definition_from_dict,
)
from neascn_desktop.surveys.validation import MAX_TEXT_LENGTH, normalize_answer

#: Deepest nesting of objects and lists in a payload (a survey definition needs about 6).
MAX_DEPTH = 16
#: Most items in one object or list, and most characters in one text or key.
MAX_ITEMS = 20_000
MAX_TEXT = 2_000_000
MAX_KEY = 200
#: Most values in a multiple-choice answer.
MAX_CHOICES = 1_000

_SHA256 = re.compile(r"[0-9a-f]{64}")

# What a field may hold (the words are shown in refusals: "“name” must be text").
TEXT = "text"
OPTIONAL_TEXT = "optional_text"
NUMBER = "number"
OPTIONAL_NUMBER = "optional_number"
INTEGER = "integer"
BOOLEAN = "boolean"
OBJECT = "object"
LABELS = "labels"  # text, or an object of language codes to text

EXPECTED: dict[str, str] = {
    TEXT: N_("text"),
    OPTIONAL_TEXT: N_("text or empty"),
    NUMBER: N_("a number"),
    OPTIONAL_NUMBER: N_("a number or empty"),
    INTEGER: N_("a whole number"),
    BOOLEAN: N_("true or false"),
    OBJECT: N_("an object"),
    LABELS: N_("text, or an object of language codes to text"),
}


@dataclass(frozen=True)
class Field:
    kind: str
    required: bool = False


#: Per entity type, its payload fields.  Fields not listed are allowed (newer writers may add
#: some) but stay within the bounds above.  ``survey_definition`` is the survey room's document.
SHAPES: dict[str, dict[str, Field]] = {
    "submission": {
        "form_id": Field(TEXT, required=True), "form_version": Field(TEXT, required=True),
        "city_id": Field(TEXT, required=True), "status": Field(TEXT),
        "answers": Field(OBJECT, required=True), "attachments": Field(OBJECT),
        "enumerator": Field(TEXT), "device_id": Field(TEXT), "started_at": Field(TEXT),
        "updated_at": Field(TEXT), "finalized_at": Field(OPTIONAL_TEXT), "language": Field(TEXT),
    },
    "city": {
        "name": Field(LABELS, required=True), "country": Field(TEXT),
        "population": Field(OPTIONAL_NUMBER), "latitude": Field(OPTIONAL_NUMBER),
        "longitude": Field(OPTIONAL_NUMBER), "source": Field(OPTIONAL_TEXT),
    },
    "framework_section": {
        "parent_id": Field(OPTIONAL_TEXT), "position": Field(TEXT), "title": Field(TEXT),
        "body": Field(TEXT), "status": Field(TEXT), "owner": Field(TEXT), "language": Field(TEXT),
        "deleted": Field(BOOLEAN),
    },
    "framework_comment": {
        "section_id": Field(TEXT, required=True), "reply_to": Field(OPTIONAL_TEXT),
        "author": Field(TEXT), "device_id": Field(TEXT), "text": Field(TEXT),
        "created_at": Field(TEXT), "resolved": Field(BOOLEAN),
    },
    "survey_definition": {},
}

#: A submission's ``attachments.<question>`` entry.
ATTACHMENT: dict[str, Field] = {
    "sha256": Field(TEXT, required=True), "filename": Field(TEXT), "size": Field(INTEGER),
    "media_type": Field(TEXT),
}

#: Submission statuses the survey room writes.
STATUSES = frozenset({"in_progress", "finalized"})


class RecordError(Exception):
    """A payload that does not fit its shape; ``field`` names where, ``str()`` says what."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field


def _fits(kind: str, value: Any) -> bool:
    if kind in (TEXT, OPTIONAL_TEXT):
        return isinstance(value, str) or (kind == OPTIONAL_TEXT and value is None)
    if kind in (NUMBER, OPTIONAL_NUMBER):
        if value is None:
            return kind == OPTIONAL_NUMBER
        return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if kind == INTEGER:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == BOOLEAN:
        return isinstance(value, bool)
    if kind == OBJECT:
        return isinstance(value, dict)
    if kind == LABELS:
        return isinstance(value, str) or (isinstance(value, dict) and all(
            isinstance(v, str) for v in value.values()))
    raise AssertionError(kind)


#: Exact types that certainly fit a kind (what JSON parses to): checked before ``_fits``, which
#: decides every other case, because every field of every imported record passes here.
_SURELY: dict[str, tuple[type, ...]] = {
    TEXT: (str,), OPTIONAL_TEXT: (str, type(None)), INTEGER: (int,), BOOLEAN: (bool,), OBJECT: (dict,),
    LABELS: (str,), OPTIONAL_NUMBER: (type(None),),
}


def _check_fields(data: Mapping[str, Any], fields: Mapping[str, Field], prefix: str = "") -> None:
    for name, spec in fields.items():
        if name not in data:
            if spec.required:
                raise RecordError(prefix + name, _("it is missing"))
            continue
        value = data[name]
        if type(value) in _SURELY.get(spec.kind, ()):
            continue
        where = prefix + name
        if not _fits(spec.kind, value):
            raise RecordError(where, _("it must be {expected}").format(expected=_(EXPECTED[spec.kind])))


def check_bounds(payload: Mapping[str, Any], flat: tuple[str, ...] = ()) -> None:
    """Depth, item counts and text lengths (a payload nested 900 deep is refused here, at the
    17th level: the walk never goes deeper than ``MAX_DEPTH``).  The objects named in ``flat``
    are only counted: their caller checks every value in them (a submission's answers)."""
    if flat:
        for name in flat:
            inner = payload.get(name)
            if isinstance(inner, dict) and len(inner) > MAX_ITEMS:
                raise RecordError(name, _("it has more than {limit} items").format(limit=MAX_ITEMS))
        payload = {k: v for k, v in payload.items() if k not in flat}
    _walk(payload, 1, ())


def _walk(value: Mapping[str, Any] | list[Any], depth: int, path: tuple[str, ...]) -> None:
    # Hot: every answer of every imported revision passes here, so scalars are handled inline
    # and the path is only extended on the way into a container.
    if depth > MAX_DEPTH:  # named by the field it starts in, not by the whole chain
        raise RecordError(".".join(path[:2]), _("it is nested more than {limit} levels deep").format(limit=MAX_DEPTH))
    if len(value) > MAX_ITEMS:
        raise RecordError(".".join(path[:2]), _("it has more than {limit} items").format(limit=MAX_ITEMS))
    pairs = value.items() if not isinstance(value, list) else ((None, inner) for inner in value)
    for key, inner in pairs:
        if key is not None and len(key) > MAX_KEY:
            raise RecordError(".".join((*path, key[:40])[:2]),
                              _("it has a name longer than {limit} characters").format(limit=MAX_KEY))
        kind = type(inner)
        if kind is str:
            if len(inner) > MAX_TEXT:
                raise RecordError(".".join((*path, key or "")[:2]).rstrip("."),
                                  _("it is longer than {limit} characters").format(limit=MAX_TEXT))
        elif kind is dict or kind is list:
            _walk(inner, depth + 1, (*path, key) if key is not None else path)


def check_payload(entity_type: str, entity_id: str, payload: Mapping[str, Any]) -> SurveyDefinition | None:
    """Check a payload against its entity type's shape; raises ``RecordError``.

    Returns the definition a ``survey_definition`` payload describes (the caller checks
    submissions against it).  The withdrawn marker (``replica.withdrawal``: the record was
    withdrawn altogether) fits every known type.
    """
    check_bounds(payload, ("answers",) if entity_type == "submission" else ())
    shape = SHAPES.get(entity_type)
    if shape is None:
        raise RecordError("entity_type", _("this kind of record is unknown"))
    if is_withdrawn(payload):
        return None
    _check_fields(payload, shape)
    if entity_type == "survey_definition":
        try:
            definition = definition_from_dict(payload)
        except SurveyError as exc:
            raise RecordError("payload", str(exc).rstrip(".")) from None
        if definition.entity_id != entity_id:
            raise RecordError("version", _("it describes {other}, not {id}").format(
                other=definition.entity_id, id=entity_id))
        return definition
    if entity_type == "submission":
        _check_submission(payload)
    elif entity_type == "city" and isinstance(payload["name"], dict) and not all(
            isinstance(k, str) and len(k) <= 20 for k in payload["name"]):
        raise RecordError("name", _("it must be {expected}").format(expected=_(EXPECTED[LABELS])))
    return None


def _check_submission(payload: Mapping[str, Any]) -> None:
    status = payload.get("status")
    if status is not None and status not in STATUSES:
        raise RecordError("status", _("it must be one of: {choices}").format(choices=", ".join(sorted(STATUSES))))
    for question, entry in (payload.get("attachments") or {}).items():
        where = f"attachments.{question}"
        if not isinstance(entry, dict):
            raise RecordError(where, _("it must be {expected}").format(expected=_(EXPECTED[OBJECT])))
        _check_fields(entry, ATTACHMENT, where + ".")
        if not _SHA256.fullmatch(entry["sha256"]):
            raise RecordError(where + ".sha256", _("it must be a SHA-256 hash"))


def submission_definition(payload: Mapping[str, Any]) -> str:
    """The entity id of the survey definition a (checked) submission payload answered."""
    return definition_entity_id(payload["form_id"], payload["form_version"])


def check_answers(answers: Mapping[str, Any], definition: SurveyDefinition | None,
                  checked: dict[int, dict[str, set[Any]]] | None = None) -> None:
    """Every answer a value its question can hold (by the survey room's rules); answers to
    questions the definition does not have, or with no definition at hand, must at least be
    an answer value of some question: text, a number or a list of choice names.

    ``checked`` remembers values found good per definition and question (choice names,
    numbers and choice lists repeat across thousands of submissions): whether a value is
    good depends on nothing else (``normalize_answer`` is a function of the definition, the
    question and the value).
    """
    good = (checked if checked is not None else {}).setdefault(id(definition), {})
    repeats = _Repeats(definition, checked)
    for name, value in answers.items():
        if type(value) is list and value and type(value[0]) is dict:  # a repeat's instances
            repeats.check(f"answers.{name[:40]}", name, value, "", 1)
            repeats.keys += 1
            continue
        # Hot (every answer of every imported revision): the common short text inline.
        key = value if type(value) is str and len(value) < 64 else _memo_key(value)
        if key is not None:
            seen = good.get(name)
            if seen is not None and key in seen:
                continue
        if len(name) > MAX_KEY or not _flat(value):  # nothing nested reaches the survey room's rules
            raise RecordError(f"answers.{name[:40]}", _("it must be text, a number or a list of choices"))
        question = definition.question(name) if definition and definition.has_question(name) else None
        if question is not None and question.type not in NON_INPUT_TYPES:
            try:
                normalize_answer(definition, question, value)  # type: ignore[arg-type]
            except SurveyError as exc:
                raise RecordError(f"answers.{name}", str(exc).rstrip(".")) from None
        elif repeats.is_repeat(name) and value not in (None, []):
            raise RecordError(f"answers.{name}", _("it must be a list of instances"))
        elif not _any_answer(value):
            raise RecordError(f"answers.{name}", _("it must be text, a number or a list of choices"))
        if key is not None:
            good.setdefault(name, set()).add(key)
    if len(answers) - repeats.keys + repeats.answers > MAX_ANSWERS:
        raise RecordError("answers", _("it holds more than {limit} answers").format(limit=MAX_ANSWERS))


class _Repeats:
    """The instances of repeats in one submission's answers (docs/answers.md, "Limits"): at
    most ``MAX_INSTANCES`` per repeat, ``MAX_REPEAT_DEPTH`` deep, ids well-formed and unique in
    the submission, each value checked like an answer outside repeats."""

    def __init__(self, definition: SurveyDefinition | None,
                 checked: dict[int, dict[str, set[Any]]] | None) -> None:
        self.definition = definition
        self.checked = checked
        self.scopes = definition.answer_scopes if definition is not None else None
        self.ids: set[str] = set()
        self.answers = 0  # inside instances
        self.keys = 0  # top-level repeats

    def is_repeat(self, key: str) -> bool:
        return self.scopes is not None and key in self.scopes[""].repeats

    def check(self, where: str, key: str, items: list[Any], parent: str | None, depth: int) -> None:
        """``parent``: the path of the enclosing repeat ('' at the top, ``None`` if unknown)."""
        if depth > MAX_REPEAT_DEPTH:
            raise RecordError(where, _("repeats are nested more than {limit} levels deep").format(
                limit=MAX_REPEAT_DEPTH))
        if len(items) > MAX_INSTANCES:
            raise RecordError(where, _("a repeat holds more than {limit} instances").format(
                limit=MAX_INSTANCES))
        scope = self.scopes.get(parent) if self.scopes is not None and parent is not None else None
        repeat = scope.repeats.get(key) if scope is not None else None
        if scope is not None and repeat is None and key in scope.questions:
            raise RecordError(where, _("it must be text, a number or a list of choices"))
        inner = self.scopes.get(repeat.path) if self.scopes is not None and repeat is not None else None
        for item in items:
            if type(item) is not dict:
                raise RecordError(where, _("every instance of a repeat must be an object"))
            instance_id = item.get(INSTANCE_ID)
            if not isinstance(instance_id, str) or not is_instance_id(instance_id):
                raise RecordError(where, _("every instance needs an id written as a UUID"))
            if instance_id in self.ids:
                raise RecordError(where, _("the instance id {id} is used twice").format(id=instance_id))
            self.ids.add(instance_id)
            here = f"{where}[@id={instance_id}]"
            answers: dict[str, Any] = {}
            for name, value in item.items():
                if name == INSTANCE_ID:
                    continue
                if type(name) is not str or len(name) > MAX_KEY:
                    raise RecordError(here, _("it has a name longer than {limit} characters").format(
                        limit=MAX_KEY))
                if type(value) is list and value and type(value[0]) is dict:
                    self.check(f"{here}.{name[:40]}", name, value,
                               repeat.path if repeat is not None else None, depth + 1)
                else:
                    answers[name] = value
            self.answers += len(answers)
            if self.answers > MAX_ANSWERS:
                raise RecordError("answers", _("it holds more than {limit} answers").format(
                    limit=MAX_ANSWERS))
            _check_instance_answers(here, answers, self.definition, inner, self.checked)


def _check_instance_answers(where: str, answers: Mapping[str, Any], definition: SurveyDefinition | None,
                            scope: Scope | None, checked: dict[int, dict[str, set[Any]]] | None) -> None:
    """The answers of one instance: by the repeat's questions when the form is known."""
    for name, value in answers.items():
        if not _flat(value):
            raise RecordError(f"{where}.{name[:40]}", _("it must be text, a number or a list of choices"))
        question = scope.questions.get(name) if scope is not None else None
        if question is not None and definition is not None and question.type not in NON_INPUT_TYPES:
            try:
                normalize_answer(definition, question, value)
            except SurveyError as exc:
                raise RecordError(f"{where}.{name}", str(exc).rstrip(".")) from None
        elif not _any_answer(value):
            raise RecordError(f"{where}.{name[:40]}", _("it must be text, a number or a list of choices"))


def _memo_key(value: Any) -> Any:
    """What ``check_answers`` remembers a good value by, or ``None`` (not remembered): short
    texts as themselves, numbers with their type (``1``, ``1.0`` and ``True`` are equal in a
    set but not to the survey room's rules), short lists of texts as tuples (a list of one
    choice name is not the text of that name: the tuple keeps them apart)."""
    kind = type(value)
    if kind is str:
        return value if len(value) < 64 else None
    if kind is int or kind is float:
        return (kind, value)
    if kind is list and len(value) <= 32 and all(type(v) is str and len(v) < 64 for v in value):
        return tuple(value)
    return None


def _flat(value: Any) -> bool:
    kind = type(value)
    if kind is str:
        return len(value) <= MAX_TEXT
    if kind is list:
        return len(value) <= MAX_CHOICES and all(type(v) is not dict and type(v) is not list for v in value)
    return kind is not dict


def _any_answer(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return len(value) <= MAX_TEXT_LENGTH
    if isinstance(value, int | float) and not isinstance(value, bool):
        return math.isfinite(value)
    if isinstance(value, list):
        return len(value) <= MAX_CHOICES and all(isinstance(v, str) and len(v) <= MAX_KEY for v in value)
    return False
