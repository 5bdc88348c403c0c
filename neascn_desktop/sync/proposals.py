"""A conflict's proposal as people read and type it: labels in their language, typed values
checked by the same rules as the forms that made the record.

The conflict view (Inbox) and ``neascn conflicts resolve --set`` both go through here, so a
proposal the survey form would refuse ("about 1.7 million" for a population) is refused with
the form's message and never saved as an empty value; ``conflicts.resolve_with`` checks an
edited version again before it writes anything.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from neascn_desktop.errors import NeascnError
from neascn_desktop.i18n import LANGUAGES, N_, _, current_language
from neascn_desktop.i18n.formatting import format_number, parse_number
from neascn_desktop.i18n.safe_text import safe_text
from neascn_desktop.replica import Revision, canonical_json
from neascn_desktop.replica.revision import WITHDRAWN_KEY, is_withdrawn
from neascn_desktop.store.database import Database

#: The fields of a city as its form names them.
CITY_FIELDS: dict[str, str] = {
    "name": N_("Name"),
    "country": N_("Country"),
    "population": N_("Population"),
    "latitude": N_("Latitude"),
    "longitude": N_("Longitude"),
    "source": N_("Source of the figures"),
}
#: The fields of a survey response besides its answers.
SUBMISSION_FIELDS: dict[str, str] = {
    "status": N_("Status"),
    "city_id": N_("City"),
    "enumerator": N_("Enumerator"),
    "language": N_("Language"),
    "finalized_at": N_("Finalized"),
    "started_at": N_("Started on"),
    "updated_at": N_("Last changed on"),
    "form_id": N_("Survey"),
    "form_version": N_("Survey version"),
    "device_id": N_("Device"),
}


class ProposalError(NeascnError):
    """Proposed values the record's form would refuse: ``errors`` maps each field to a sentence."""

    def __init__(self, errors: Mapping[str, str], labels: Mapping[str, str] | None = None) -> None:
        self.errors = dict(errors)
        shown = "; ".join(_("{field}: {message}").format(field=(labels or {}).get(name, name), message=message)
                          for name, message in self.errors.items())
        super().__init__(shown)


def reference_head(heads: Sequence[Revision]) -> Revision:
    """The version whose form reads and names the fields: the first that is not withdrawn."""
    return next((h for h in heads if not is_withdrawn(h.payload)), heads[0])


# --- labels ------------------------------------------------------------------------------------


def _definition(db: Database, payload: Mapping[str, Any]) -> Any:
    from neascn_desktop.surveys import installed
    from neascn_desktop.surveys.definition import SurveyError

    try:
        return installed.get_definition(db, str(payload.get("form_id")), str(payload.get("form_version")))
    except SurveyError:
        return None


def _answer_label(definition: Any, key: str, language: str) -> str:
    """The label of an answer key: a question's, a repeat's (its whole list of entries), or the key."""
    if definition.has_question(key):
        return str(definition.question(key).label_in(language))
    repeat = definition.answer_scopes[""].repeats.get(key)
    return str(repeat.label_in(language, definition.default_language)) if repeat is not None else key


def field_labels(db: Database, head: Revision, names: list[str], language: str | None = None) -> dict[str, str]:
    """Each (flattened) field name of a record -> its label in ``language`` (the question's label
    for an answer)."""
    language = language or current_language()
    labels: dict[str, str] = {}
    if head.entity_type == "submission":
        definition = _definition(db, head.payload)
        for name in names:
            group, dot, question = name.partition(".")
            if dot and group in ("answers", "attachments") and definition is not None:
                # An answer path (projects[2]/budget) is labelled by its question.
                labels[name] = _answer_label(definition, question.rpartition("/")[2], language)
            elif name in SUBMISSION_FIELDS:
                labels[name] = _(SUBMISSION_FIELDS[name])
    elif head.entity_type == "city":
        labels = {name: _(CITY_FIELDS[name]) for name in names if name in CITY_FIELDS}
    elif head.entity_type == "framework_section":
        from neascn_desktop.framework.model import FIELD_LABELS

        labels = {name: _(FIELD_LABELS[name]) for name in names if name in FIELD_LABELS}
    labels.setdefault(WITHDRAWN_KEY, _("Withdrawn (the import that created it was undone)"))
    return {name: labels.get(name) or name for name in names}


def _city_name(db: Database, city_id: str, language: str) -> str:
    from neascn_desktop.replica import current

    state = current(db, "city", city_id)
    names = state.payload.get("name") if state is not None else None
    if isinstance(names, dict):
        return str(names.get(language) or names.get("en") or next(iter(names.values()), city_id))
    return str(names or city_id)


def record_title(db: Database, head: Revision, language: str | None = None,
                 others: Sequence[Revision] = ()) -> str:
    """A record as people know it: a city by its name, a response by its city and enumerator, a
    section by its title (never an id when a name is known).  A withdrawn version has no name:
    the first of ``others`` (the other versions) that is not withdrawn names it."""
    language = language or current_language()
    if is_withdrawn(head.payload):
        head = next((o for o in others if not is_withdrawn(o.payload)), head)
    payload = head.payload
    if head.entity_type == "submission":
        city = _city_name(db, str(payload.get("city_id", "?")), language)
        return safe_text(_("{city} ({enumerator})").format(city=city, enumerator=payload.get("enumerator", "?")))
    if head.entity_type == "city":
        names = payload.get("name")
        if isinstance(names, dict) and names:
            return safe_text(str(names.get(language) or names.get("en") or next(iter(names.values()))))
        return safe_text(str(names or head.entity_id))
    title = payload.get("title")
    if isinstance(title, dict):
        title = title.get(language) or title.get("en")
    return safe_text(str(title)) if isinstance(title, str) and title else head.entity_id


def author_name(db: Database, revision: Revision, own_device_id: str | None = None) -> str:
    """Who made a version: "this device", a trusted device's name, the name of the sender whose
    package brought it, or the response's enumerator."""
    from neascn_desktop.identity.trust import list_trusted
    from neascn_desktop.sync.audit import package_record

    if own_device_id is not None and revision.device_id == own_device_id:
        return _("this device")
    for device in list_trusted(db):
        if device.device_id == revision.device_id:
            return safe_text(device.display_name)
    record = package_record(db, revision.provenance)
    if record is not None and record.sender_device_id == revision.device_id:
        return record.sender_name
    enumerator = revision.payload.get("enumerator") if revision.entity_type == "submission" else None
    if isinstance(enumerator, str) and enumerator:
        return safe_text(enumerator)
    return _("another device")


# --- values as people read them ----------------------------------------------------------------

#: Fields of a response that hold a moment (ISO 8601 text).
SUBMISSION_MOMENTS = frozenset({"started_at", "updated_at", "finalized_at"})
_NUMERIC = frozenset({"integer", "decimal", "range"})


def _moment(text: str, language: str, *, day_only: bool = False) -> str:
    from datetime import date, datetime

    from neascn_desktop.i18n.formatting import format_date, format_datetime

    try:
        if day_only or len(text) == 10:
            return format_date(date.fromisoformat(text[:10]), language)
        moment = datetime.fromisoformat(text)
        return format_datetime(moment.astimezone() if moment.tzinfo else moment, language)
    except ValueError:
        return safe_text(text)


def _plain(value: Any, language: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int | float):
        return format_number(value, language)
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, dict) and value and all(isinstance(k, str) and len(k) <= 8 for k in value):
        # A text in several languages (a city's name): the reader's first, each named.
        ordered = sorted(value, key=lambda k: (k != language, k))
        return safe_text("; ".join(_("{field}: {value}").format(field=LANGUAGES.get(k, k), value=value[k])
                                   for k in ordered))
    return safe_text(json.dumps(value, ensure_ascii=False))


def _answer_text(definition: Any, scope: Any, key: str, value: Any, language: str, depth: int = 0) -> str:
    """An answer (or a repeat's entries) as the form shows it, in ``language``."""
    from neascn_desktop.surveys.validation import format_answer

    if value is None or value == "" or value == []:
        return "—"
    question = scope.questions.get(key) if scope is not None else None
    if question is not None:
        if question.type == "date" and isinstance(value, str):
            return _moment(value, language, day_only=True)
        if question.type == "datetime" and isinstance(value, str):
            return _moment(value, language)
        if question.type in _NUMERIC and isinstance(value, int | float) and not isinstance(value, bool):
            return format_number(value, language)
        if isinstance(value, str | list):
            return safe_text(format_answer(definition, question, value, language))
        return _plain(value, language)
    repeat = scope.repeats.get(key) if scope is not None else None
    if repeat is not None and isinstance(value, list):
        inner = definition.answer_scopes.get(repeat.path)
        entries = []
        for number, item in enumerate(value, start=1):
            if not isinstance(item, dict):
                entries.append(_plain(item, language))
                continue
            # In the form's order (a stored entry's keys are sorted), then keys the form lacks.
            order = [*(inner.questions if inner else ()), *(inner.repeats if inner else ())]
            names = [n for n in order if n in item] + sorted(set(item) - set(order))
            parts = [_("{field}: {value}").format(
                field=_member_label(definition, inner, name, language),
                value=_answer_text(definition, inner, name, item[name], language, depth + 1))
                for name in names if name != "@id" and item[name] not in (None, "", [])]
            entries.append(_("Entry {number}: {answers}").format(
                number=format_number(number, language), answers="; ".join(parts) or "—"))
        return ("\n" if depth == 0 else " | ").join(entries) or "—"
    return _plain(value, language)


def _member_label(definition: Any, scope: Any, key: str, language: str) -> str:
    if scope is not None and key in scope.questions:
        return safe_text(str(scope.questions[key].label_in(language, definition.default_language)))
    if scope is not None and key in scope.repeats:
        return safe_text(str(scope.repeats[key].label_in(language, definition.default_language)))
    return safe_text(key)


def value_formatter(db: Database, head: Revision) -> Callable[[str, Any], str]:
    """How the conflict view shows a (flattened) field's value of this record: an answer as the
    form shows it (choice labels, a repeat as its entries with their labels), dates and numbers
    the way of the user's language (Babel), never raw JSON or ISO text."""
    definition = _definition(db, head.payload) if head.entity_type == "submission" else None

    def shown(name: str, value: Any) -> str:
        language = current_language()
        if value is None:
            return "—"
        if head.entity_type == "submission":
            group, dot, key = name.partition(".")
            if dot and group == "answers" and definition is not None:
                return _answer_text(definition, definition.answer_scopes.get(""), key, value, language)
            if name in SUBMISSION_MOMENTS and isinstance(value, str):
                return _moment(value, language)
        return _plain(value, language)

    return shown


# --- typed values ------------------------------------------------------------------------------


def _typed_json(text: str) -> Any:
    stripped = text.strip()
    if stripped in ("", "—"):
        return None
    try:
        return json.loads(stripped)
    except ValueError:
        return text


def _city_value(name: str, text: str, language: str) -> Any:
    stripped = text.strip()
    if name in ("population", "latitude", "longitude"):
        if not stripped or stripped == "—":
            return None
        number = parse_number(stripped, language)
        if number is None:
            try:
                number = float(stripped)
            except ValueError:
                number = None
        if number is None:
            raise ProposalError({name: _("“{value}” is not a number; type digits only, such as {example}.").format(
                value=safe_text(stripped), example="1700000" if name == "population" else "47.92")})
        if name == "population":
            if not number.is_integer():
                raise ProposalError({name: _("A population is a whole number.")})
            return int(number)
        return number
    if name == "name":
        value = _typed_json(text)
        return value if isinstance(value, dict) else (stripped or None)
    if name == "country":
        return stripped.upper() or None
    return stripped or None


def typed_value(db: Database, head: Revision, name: str, text: str, language: str | None = None) -> Any:
    """What ``text``, typed into the proposal of field ``name`` (flattened), stands for, read as
    the record's form reads it; raises ``ProposalError`` when the form would refuse it."""
    language = language or current_language()
    if head.entity_type == "submission" and name.startswith("answers."):
        from neascn_desktop.surveys.definition import SurveyError
        from neascn_desktop.surveys.validation import coerce_answer

        definition = _definition(db, head.payload)
        question = name.partition(".")[2]
        if definition is not None and not definition.has_question(question):
            definition = None  # a repeat's entries or an unknown key: read as JSON below
        if definition is not None:
            try:
                return coerce_answer(definition, question, text, language)
            except SurveyError as exc:
                raise ProposalError({name: str(exc)}) from None
    if head.entity_type == "city":
        value = _city_value(name, text, language)
        errors = check_city({name: value})
        if errors:
            raise ProposalError(errors)
        return value
    return _typed_json(text)


def is_answer_path(name: str) -> bool:
    """Does a field typed for a response name a place inside a repeat (``projects[2]/budget``)?"""
    return "[" in name or "/" in name


def answers_with_typed(db: Database, head: Revision, answers: Mapping[str, Any], path: str, text: str,
                       language: str | None = None) -> dict[str, Any]:
    """``answers`` (a response's proposal) with ``text`` typed at the answer path ``path``, read
    exactly as ``neascn response set`` reads it (``surveys.service.typed_at``); raises
    ``ProposalError`` (keyed by ``answers.<path>``) when the form would refuse it."""
    from neascn_desktop.surveys.definition import SurveyError
    from neascn_desktop.surveys.service import answers_with_typed as typed

    language = language or current_language()
    name = f"answers.{path}"
    definition = _definition(db, head.payload)
    if definition is None:
        raise ProposalError({name: _("The survey of this response is not installed here.")})
    try:
        return typed(definition, answers, path, text, language=language)
    except SurveyError as exc:
        raise ProposalError({name: str(exc)}) from None


def check_city(values: Mapping[str, Any]) -> dict[str, str]:
    """The city form's rules for the given fields (field -> sentence)."""
    errors: dict[str, str] = {}
    if "name" in values:
        name = values["name"]
        if not name or (isinstance(name, dict) and not any(str(v).strip() for v in name.values())):
            errors["name"] = _("A city needs a name.")
    if "country" in values:
        country = values["country"]
        if not isinstance(country, str) or len(country) != 2 or not country.isalpha():
            errors["country"] = _("A city needs a country code such as KR or MN.")
    population = values.get("population")
    if population is not None and (not isinstance(population, int) or isinstance(population, bool)):
        errors["population"] = _("A population is a whole number.")
    elif population is not None and population < 0:
        errors["population"] = _("A population cannot be negative.")
    for name, low, high, message in (("latitude", -90, 90, N_("A latitude lies between -90 and 90.")),
                                     ("longitude", -180, 180, N_("A longitude lies between -180 and 180."))):
        value = values.get(name)
        if value is None:
            continue
        if not isinstance(value, int | float) or isinstance(value, bool) or not low <= value <= high:
            errors[name] = _(message)
    return errors


def edited_fields(entity_type: str, proposal: Mapping[str, Any], payload: Mapping[str, Any]) -> set[str]:
    """The (flattened) fields where ``payload`` differs from the merge ``proposal``."""
    from neascn_desktop.sync.conflicts import flatten

    before, after = flatten(entity_type, dict(proposal)), flatten(entity_type, dict(payload))
    return {name for name in set(before) | set(after)
            if canonical_json(before.get(name)) != canonical_json(after.get(name))}


def check_payload(db: Database, head: Revision, payload: Mapping[str, Any], fields: set[str],
                  language: str | None = None) -> dict[str, str]:
    """The form's verdict on the ``fields`` of a proposed payload: type, constraint and required
    (field -> sentence; empty when the form would accept them)."""
    language = language or current_language()
    errors: dict[str, str] = {}
    if head.entity_type == "submission":
        from neascn_desktop.surveys.definition import SurveyError
        from neascn_desktop.surveys.validation import evaluate_form, normalize_answer

        definition = _definition(db, head.payload)
        found = payload.get("answers")
        if not isinstance(found, dict):
            return errors  # not answers at all: the record's shape check refuses it (authority)
        answers: dict[str, Any] = found
        if definition is not None:
            known = {q.name for q in definition.questions}
            for name in sorted(fields):
                group, dot, question = name.partition(".")
                if not (dot and group == "answers" and question in known):
                    continue
                try:
                    normalize_answer(definition, question, answers.get(question))
                except SurveyError as exc:
                    errors[name] = str(exc)
            state = evaluate_form(definition, answers, language)
            for issue in state.issues:
                name = f"answers.{issue.question}"
                if name in fields and name not in errors:
                    errors[name] = issue.message
            repeats = {name for name in fields if name.partition(".")[2] in definition.answer_scopes[""].repeats}
            if repeats:
                # Inside a repeat's entries: the form's checks of each entry, named in words.
                from neascn_desktop.surveys.repeat_state import evaluate_tree

                for tree_issue in evaluate_tree(definition, answers, language).issues:
                    name = "answers." + tree_issue.question.partition("[")[0]
                    if name in repeats and name not in errors and tree_issue.kind != "required":
                        errors[name] = tree_issue.text
    elif head.entity_type == "city":
        errors.update(check_city({name: payload.get(name) for name in fields
                                  if name in CITY_FIELDS and (name in payload or name in ("name", "country"))}))
    return errors
