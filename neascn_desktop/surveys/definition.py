"""Survey definitions as values: the tree of groups, repeats and questions, and its views.

A definition is the normalised tree of an XLSForm (see ``docs/xlsform.md``) plus our extras
(choice scores, per-question domain and weight).  Its stored document — the payload of a
``survey_definition`` entity — is written and read by
:mod:`neascn_desktop.surveys.definition_document`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from neascn_desktop.errors import NeascnError
from neascn_desktop.i18n import LANGUAGES, _
from neascn_desktop.surveys.form_media import MediaFile

if TYPE_CHECKING:
    from neascn_desktop.surveys.answer_tree import Scope

#: The fields of a submission's payload that hold one value per question: merged, compared and
#: shown in conflicts question by question.
SUBMISSION_NESTED_FIELDS = ("answers", "attachments")

#: Question types of a definition (the XLSForm types that make sense on a laptop; ``attachment``
#: covers file, image, audio and video, ``metadata`` the device facts ``start``, ``deviceid`` ...).
QUESTION_TYPES = (
    "text", "integer", "decimal", "date", "select_one", "select_multiple",
    "yes_no", "scale", "note", "attachment", "calculate",
    "range", "time", "datetime", "geopoint", "geotrace", "geoshape", "barcode", "rank",
    "acknowledge", "hidden", "metadata",
)
CHOICE_TYPES = frozenset({"select_one", "select_multiple", "yes_no", "scale", "rank"})
#: Types that hold no answer typed by a person.
NON_INPUT_TYPES = frozenset({"note", "calculate", "hidden", "metadata"})
#: Recorded, never asked: not on the form pages (device facts, hidden values).
UNSHOWN_TYPES = frozenset({"metadata", "hidden"})
GROUP_KINDS = ("group", "repeat")
#: Version of the stored document when it holds a tree (version 1, ``sections``, has no field).
TREE_FORMAT = 2
#: Question, group and choice-column names: XML names as ODK takes them, letters of any script
#: (``имя``, ``이름``) included.  Form ids stay ASCII: they name files and entities.
NAME_RE = re.compile(r"[^\W\d][\w.\-]*")
FORM_ID_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")
LIST_NAME_RE = re.compile(r"\w[^\s]*")
#: Deepest nesting of groups a stored definition may have (bounds the loader's recursion).
MAX_GROUP_DEPTH = 30
#: Most elements the loops of one definition may expand to (a loop over a list of N choices
#: holds N copies of its template; packages are untrusted).
MAX_LOOP_ELEMENTS = 20_000
BUILTIN_FORM_ID = "neascn_readiness"

Text = Mapping[str, str]


class SurveyError(NeascnError):
    """A survey definition, submission or answer is not acceptable."""

    #: Where a stored definition's check failed: the element's path in the tree (``group/q``)
    #: or ``choice_lists.LIST[i]``, the XLSForm column it concerns, and the bare reason —
    #: so an XLSForm import can name the sheet, row and column.
    path: str = ""
    where: str = ""
    column: str | None = None
    reason: str = ""


def pick_label(texts: Text | None, language: str, fallback: str = "en") -> str:
    """The text in ``language``, else in ``fallback``, else English, else any, else ''."""
    if not texts:
        return ""
    for code in (language, fallback, "en"):
        value = texts.get(code)
        if value:
            return value
    return next((v for v in texts.values() if v), "")


@dataclass(frozen=True)
class Choice:
    name: str
    label: Text
    score: float | None = None
    #: Per-language media (``media::image`` ...) and other columns (choice-filter columns ...).
    media: Mapping[str, Text] = field(default_factory=dict)
    extra: Mapping[str, str] = field(default_factory=dict)

    def label_in(self, language: str, fallback: str = "en") -> str:
        return pick_label(self.label, language, fallback) or self.name


@dataclass(frozen=True)
class Domain:
    id: str
    label: Text
    description: Text = field(default_factory=dict)
    weight: float = 1.0

    def label_in(self, language: str, fallback: str = "en") -> str:
        return pick_label(self.label, language, fallback) or self.id


@dataclass(frozen=True)
class Question:
    name: str
    type: str
    label: Text
    hint: Text | None = None
    choices: str | None = None
    required: str | None = None
    relevant: str | None = None
    constraint: str | None = None
    constraint_message: Text | None = None
    calculation: str | None = None
    domain: str | None = None
    weight: float = 1.0
    thresholds: tuple[float, ...] | None = None
    thresholds_descending: bool = False
    #: The published instrument (and indicator code) the question draws on, e.g. "U4SSC EC:ICT:ICT:1C".
    source: str | None = None
    #: XLSForm ``appearance``, ``default``, ``choice_filter``, ``parameters``, ``bind::``/``body::``
    #: columns and other pass-through columns (kept for round trips).
    extra: Mapping[str, str] = field(default_factory=dict)
    #: Other per-language texts: ``guidance_hint``, ``required_message``, ``media::image`` ...
    texts: Mapping[str, Text] = field(default_factory=dict)
    #: Where it sits: ``group/sub/name`` and the path of the innermost repeat (set by the loader).
    path: str = ""
    repeat: str | None = None
    #: The key of its answer: the name, or the path where two groups use the same name.
    key: str = ""

    def label_in(self, language: str, fallback: str = "en") -> str:
        return pick_label(self.label, language, fallback) or self.name

    def hint_in(self, language: str, fallback: str = "en") -> str:
        return pick_label(self.hint, language, fallback)

    def constraint_message_in(self, language: str, fallback: str = "en") -> str:
        return pick_label(self.constraint_message, language, fallback)

    @property
    def is_input(self) -> bool:
        return self.type not in NON_INPUT_TYPES

    @property
    def is_calculated(self) -> bool:
        """Its value is its ``calculation``, recalculated as answers change (a ``calculate``, or
        any question with a calculation, as ODK computes a read-only total); a ``trigger``
        question's calculation is stored when its trigger changes instead."""
        return bool(self.calculation) and not self.extra.get("trigger")


@dataclass(frozen=True)
class Section:
    name: str
    label: Text
    relevant: str | None = None
    questions: tuple[Question, ...] = ()

    def label_in(self, language: str, fallback: str = "en") -> str:
        return pick_label(self.label, language, fallback) or self.name


@dataclass(frozen=True)
class Group:
    """A group or a repeat of the form, holding questions and further groups in form order."""

    name: str
    label: Text
    kind: str = "group"
    relevant: str | None = None
    children: tuple[Question | Group, ...] = ()
    #: ``appearance`` (``field-list``), ``repeat_count``, ``body::``/``bind::`` columns ...
    extra: Mapping[str, str] = field(default_factory=dict)
    path: str = ""
    hint: Text | None = None
    #: ``begin loop over LIST``: the choice list it runs over, and the template rows (with
    #: ``%(name)s``/``%(label)s``) that ``children`` — one group per choice — were filled from.
    loop: str | None = None
    template: tuple[Question | Group, ...] = ()
    #: Other per-language texts: ``guidance_hint``, ``media::image`` ...
    texts: Mapping[str, Text] = field(default_factory=dict)

    def label_in(self, language: str, fallback: str = "en") -> str:
        return pick_label(self.label, language, fallback) or self.name


Node = Question | Group


@dataclass(frozen=True)
class SurveyDefinition:
    form_id: str
    version: str
    title: Text
    default_language: str = "en"
    sources: tuple[str, ...] = ()
    domains: tuple[Domain, ...] = ()
    choice_lists: Mapping[str, tuple[Choice, ...]] = field(default_factory=dict)
    #: The form as a tree: questions, groups and repeats in form order.
    children: tuple[Node, ...] = ()
    #: XLSForm settings kept for round trips (``allow_choice_duplicates``, ``instance_name`` ...).
    settings: Mapping[str, str] = field(default_factory=dict)
    #: The files the form names (lists, ``pulldata`` tables, label images), by name.
    media: Mapping[str, MediaFile] = field(default_factory=dict)
    #: Where the media files are (the attachments folder of the data directory the definition
    #: was read from); not part of the document.
    media_folder: Path | None = field(default=None, compare=False, repr=False)

    def media_path(self, name: str) -> Path | None:
        """The stored file the form names ``name``, if this data directory has it."""
        from neascn_desktop.surveys.form_media import plain_name

        entry = self.media.get(plain_name(name))
        if entry is None or self.media_folder is None:
            return None
        path = self.media_folder / entry.sha256
        return path if path.is_file() else None

    @cached_property
    def sections(self) -> tuple[Section, ...]:
        """The flat view the form pages show: each group with the questions directly in it
        (relevance of enclosing groups combined), loose top-level questions in unnamed
        sections; questions inside repeats are not in it (their instances are answered apart)."""
        return tuple(_flatten(self.children))

    @cached_property
    def answer_scopes(self) -> dict[str, Scope]:
        """Where answers live: one :class:`~neascn_desktop.surveys.answer_tree.Scope` for the
        top level ('') and one per repeat (by its path); see ``docs/answers.md``."""
        from neascn_desktop.surveys.answer_tree import build_scopes

        return build_scopes(self)

    @cached_property
    def groups(self) -> tuple[Group, ...]:
        """Every group and repeat, outermost first."""
        found: list[Group] = []

        def visit(nodes: tuple[Node, ...]) -> None:
            for node in nodes:
                if isinstance(node, Group):
                    found.append(node)
                    visit(node.children)
        visit(self.children)
        return tuple(found)

    def question_types(self) -> dict[str, str]:
        """The type of every question by answer key (what a submission's answers are checked against)."""
        return {q.key or q.name: q.type for q in self.questions}

    @property
    def entity_id(self) -> str:
        """Id of the ``survey_definition`` entity: ``<form_id>@<version>``."""
        return definition_entity_id(self.form_id, self.version)

    def title_in(self, language: str) -> str:
        return pick_label(self.title, language, self.default_language) or self.form_id

    @cached_property
    def languages(self) -> tuple[str, ...]:
        """Languages that have at least one text (a label, a hint, a message, a choice label,
        a media file ...), in the order of ``LANGUAGES``."""
        seen: set[str] = set(self.title)

        def add(*texts: Text | None) -> None:
            for text in texts:
                seen.update(code for code, value in (text or {}).items() if value)

        for question in self.questions:
            add(question.label, question.hint, question.constraint_message,
                *question.texts.values())
        for group in self.groups:
            add(group.label, group.hint, *group.texts.values())
        for choices in self.choice_lists.values():
            for choice in choices:
                add(choice.label, *choice.media.values())
        ordered = [code for code in LANGUAGES if code in seen]
        return tuple(ordered + sorted(seen - set(ordered)))

    @cached_property
    def questions(self) -> tuple[Question, ...]:
        """Every question of the form in form order, those inside repeats included."""
        found: list[Question] = []

        def visit(nodes: tuple[Node, ...]) -> None:
            for node in nodes:
                if isinstance(node, Group):
                    visit(node.children)
                else:
                    found.append(node)
        visit(self.children)
        return tuple(found)

    @cached_property
    def _by_name(self) -> dict[str, Question]:
        return {q.key or q.name: q for q in self.questions}

    @cached_property
    def _section_of(self) -> dict[str, Section]:
        return {q.key or q.name: s for s in self.sections for q in s.questions}

    def question(self, name: str) -> Question:
        try:
            return self._by_name[name]
        except KeyError:
            raise SurveyError(
                _("The survey {form} has no question named {name}.").format(
                    form=self.form_id, name=name)
            ) from None

    def has_question(self, name: str) -> bool:
        return name in self._by_name

    def section_of(self, name: str) -> Section:
        return self._section_of[name]

    def choices_for(self, question: Question) -> tuple[Choice, ...]:
        """The question's choices: from the definition, or — for a list from a file too long
        to hold in it — read from the stored media file (empty where this data directory
        lacks it)."""
        embedded = self.choice_lists.get(question.choices or "", ())
        if embedded or not question.choices or question.choices not in self.media:
            return embedded
        from neascn_desktop.surveys.form_media import stored_choices

        path = self.media_path(question.choices)
        if path is None:
            return ()
        return stored_choices(str(path), question.choices, self.media[question.choices].sha256,
                              self.default_language)

    @cached_property
    def _choice_index(self) -> dict[str, dict[str, Choice]]:
        """Each list's choices by name (the first of a repeated name, as a scan finds it)."""
        index: dict[str, dict[str, Choice]] = {}
        for list_name, choices in self.choice_lists.items():
            by_name = index[list_name] = {}
            for c in choices:
                by_name.setdefault(c.name, c)
        return index

    def choice(self, question: Question, name: str) -> Choice | None:
        # A dictionary look-up: scoring a thousand submissions asks for some 100,000 choices.
        index = self._choice_index.get(question.choices or "")
        if index:
            return index.get(name)
        # A list too long for the definition is read from its stored file (choices_for).
        return next((c for c in self.choices_for(question) if c.name == name), None)

    def domain(self, domain_id: str) -> Domain | None:
        return next((d for d in self.domains if d.id == domain_id), None)

    def walk(self) -> Iterator[tuple[Section, Question]]:
        for section in self.sections:
            for question in section.questions:
                yield section, question

    def to_dict(self) -> dict[str, Any]:
        return definition_to_dict(self)


def definition_entity_id(form_id: str, version: str) -> str:
    return f"{form_id}@{version}"


def _combine(outer: str | None, inner: str | None) -> str | None:
    if outer and inner:
        return f"({outer}) and ({inner})"
    return outer or inner


def _flatten(nodes: tuple[Node, ...]) -> Iterator[Section]:
    loose: list[Question] = []
    count = 0

    def loose_section() -> Section:
        nonlocal count
        count += 1
        name = "ungrouped" if count == 1 else f"ungrouped_{count}"
        return Section(name=name, label={}, questions=tuple(loose))

    def nested(group: Group, relevant: str | None, top: bool) -> Iterator[Section]:
        if group.kind == "repeat":
            return
        own = tuple(n for n in group.children if isinstance(n, Question) and n.type not in UNSHOWN_TYPES)
        if own or top:
            yield Section(name=group.path or group.name, label=group.label, relevant=relevant,
                          questions=own)
        for child in group.children:
            if isinstance(child, Group):
                yield from nested(child, _combine(relevant, child.relevant), False)

    def shown() -> bool:
        return bool(loose)

    for node in nodes:
        if isinstance(node, Question):
            if node.type not in UNSHOWN_TYPES:
                loose.append(node)
            continue
        if shown():
            yield loose_section()
        loose = []
        yield from nested(node, node.relevant, True)
    if shown():
        yield loose_section()


def definition_to_dict(d: SurveyDefinition) -> dict[str, Any]:
    """The stored document (see :mod:`neascn_desktop.surveys.definition_document`)."""
    from neascn_desktop.surveys.definition_document import document_of

    return document_of(d)


def definition_from_dict(data: Any) -> SurveyDefinition:
    """Build and fully check a definition; raises :class:`SurveyError` naming the faulty part."""
    from neascn_desktop.surveys.definition_document import read_document

    return read_document(data)


def load_definition(path: Path) -> SurveyDefinition:
    """Read a definition JSON file (raises :class:`SurveyError` for a bad file)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise SurveyError(_("Cannot read {path}: {reason}").format(
            path=path, reason=exc.strerror or exc)) from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SurveyError(_("{path} is not a valid JSON document ({reason}).").format(
            path=path, reason=exc)) from exc
    return definition_from_dict(data)


def builtin_definition_path() -> Path:
    from neascn_desktop.paths import resource

    return resource("surveys", f"{BUILTIN_FORM_ID}.json")
