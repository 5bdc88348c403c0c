"""The stored document of a survey definition: writing it and reading it back, fully checked.

Version 1 (``sections``: a list of groups of questions) is what flat surveys, the built-in
one among them, have always been stored as, so their payloads and revision ids never change;
version 2 (``"format": 2``, ``children``) is the tree of groups and repeats.  Every loader
checks the document fully and raises :class:`SurveyError` with one sentence naming where the
problem is (definitions arrive in packages: untrusted input).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any

from neascn_desktop.i18n import _
from neascn_desktop.surveys import expressions, form_media
from neascn_desktop.surveys.definition import (
    CHOICE_TYPES,
    FORM_ID_RE,
    GROUP_KINDS,
    LIST_NAME_RE,
    MAX_GROUP_DEPTH,
    MAX_LOOP_ELEMENTS,
    NAME_RE,
    QUESTION_TYPES,
    TREE_FORMAT,
    Choice,
    Domain,
    Group,
    Node,
    Question,
    SurveyDefinition,
    SurveyError,
    Text,
)
from neascn_desktop.surveys.form_media import MediaFile

# --------------------------------------------------------------------------- serialising


def _text_or_none(value: Text | None) -> dict[str, str] | None:
    return dict(value) if value else None


def _texts_to_dict(texts: Mapping[str, Text]) -> dict[str, dict[str, str]]:
    return {key: dict(value) for key, value in texts.items()}


def _choice_to_dict(c: Choice) -> dict[str, Any]:
    data: dict[str, Any] = {"name": c.name, "label": dict(c.label), "score": c.score}
    if c.media:
        data["media"] = _texts_to_dict(c.media)
    if c.extra:
        data["extra"] = dict(c.extra)
    return data


def _node_to_dict(node: Node) -> dict[str, Any]:
    if isinstance(node, Question):
        return _question_to_dict(node)
    data: dict[str, Any] = {"type": node.kind, "name": node.name, "label": dict(node.label),
                            "relevant": node.relevant}
    if node.extra:
        data["extra"] = dict(node.extra)
    if node.hint:
        data["hint"] = dict(node.hint)
    if node.texts:
        data["texts"] = _texts_to_dict(node.texts)
    if node.loop is not None:  # the template is stored; the groups are filled in when read
        data["loop"] = node.loop
        data["children"] = [_node_to_dict(child) for child in node.template]
        return data
    data["children"] = [_node_to_dict(child) for child in node.children]
    return data


def _is_flat(d: SurveyDefinition) -> bool:
    """Whether the version-1 document (``sections``) holds the definition whole."""
    return not d.settings and all(
        isinstance(n, Group) and n.kind == "group" and not n.extra
        and all(isinstance(c, Question) for c in n.children)
        for n in d.children)


def _question_to_dict(q: Question) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": q.name,
        "type": q.type,
        "label": dict(q.label),
        "hint": _text_or_none(q.hint),
        "choices": q.choices,
        "required": q.required,
        "relevant": q.relevant,
        "constraint": q.constraint,
        "constraint_message": _text_or_none(q.constraint_message),
        "calculation": q.calculation,
        "domain": q.domain,
        "weight": q.weight,
        "thresholds": list(q.thresholds) if q.thresholds is not None else None,
    }
    if q.thresholds_descending:
        data["thresholds_descending"] = True
    if q.source:
        data["source"] = q.source
    if q.extra:
        data["extra"] = dict(q.extra)
    if q.texts:
        data["texts"] = _texts_to_dict(q.texts)
    return data


def document_of(d: SurveyDefinition) -> dict[str, Any]:
    """The stored document: version 1 (``sections``) when that holds the definition whole, so
    the payloads (and revision ids) of flat surveys never change; else version 2 (a tree)."""
    data = _document(d)
    if d.media:
        data["media"] = {name: entry.to_dict() for name, entry in d.media.items()}
    if not _is_flat(d):
        del data["sections"]
        data["format"] = TREE_FORMAT
        data["children"] = [_node_to_dict(n) for n in d.children]
        if d.settings:
            data["settings"] = dict(d.settings)
    return data


def _document(d: SurveyDefinition) -> dict[str, Any]:
    return {
        "form_id": d.form_id,
        "version": d.version,
        "title": dict(d.title),
        "default_language": d.default_language,
        "sources": list(d.sources),
        "domains": [
            {"id": dom.id, "label": dict(dom.label), "description": dict(dom.description),
             "weight": dom.weight}
            for dom in d.domains
        ],
        "choice_lists": {
            name: [_choice_to_dict(c) for c in choices] for name, choices in d.choice_lists.items()
        },
        "sections": [
            {"name": s.name, "label": dict(s.label), "relevant": s.relevant,
             "questions": [_question_to_dict(q) for q in s.questions]}
            for s in d.sections
        ] if _is_flat(d) else [],
    }


# --------------------------------------------------------------------------- loading


class _Reader:
    """Reads one document, keeping the path of the part being read for error messages."""

    def __init__(self) -> None:
        self.where = ""
        self.path = ""
        self.default_language = "en"
        #: Reading a loop's template: ``%(name)s``/``%(label)s`` stand for a choice's.
        self.in_template = False
        self.loop_elements = 0

    def fail(self, reason: str, column: str | None = None) -> SurveyError:
        if self.where:
            error = SurveyError(
                _("Survey definition, {where}: {reason}").format(where=self.where, reason=reason))
        else:
            error = SurveyError(_("Survey definition: {reason}").format(reason=reason))
        error.path, error.where, error.reason = self.path, self.where, reason
        error.column = _COLUMNS.get(column or "", column)
        return error

    def obj(self, value: Any, what: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.fail(_("{what} must be an object").format(what=what))
        return value

    def string(self, data: Mapping[str, Any], key: str, *, required: bool = True) -> str | None:
        value = data.get(key)
        if value is None or value == "":
            if required:
                raise self.fail(_("“{key}” is missing").format(key=key), key)
            return None
        if not isinstance(value, str):
            raise self.fail(_("“{key}” must be text").format(key=key), key)
        return value

    def name(self, data: Mapping[str, Any], key: str = "name") -> str:
        value = self.string(data, key)
        assert value is not None
        if not (FORM_ID_RE if key == "form_id" else NAME_RE).fullmatch(value):
            raise self.fail(
                _("“{name}” is not a valid name (letters, digits and _ only, not starting "
                  "with a digit)").format(name=value), key)
        return value

    def text(self, data: Mapping[str, Any], key: str, *, required: bool = True) -> dict[str, str] | None:
        value = data.get(key)
        if value is None or value == {}:
            if required:
                raise self.fail(_("“{key}” is missing").format(key=key), key)
            return None
        if isinstance(value, str):  # a single-language document
            return {"en": value}
        if not isinstance(value, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            raise self.fail(
                _("“{key}” must be an object of language codes to text").format(key=key), key)
        return dict(value)

    def strings(self, data: Mapping[str, Any], key: str) -> dict[str, str]:
        value = data.get(key) or {}
        if not isinstance(value, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            raise self.fail(_("“{key}” must be an object").format(key=key))
        return dict(value)

    def texts(self, data: Mapping[str, Any], key: str) -> dict[str, Text]:
        value = data.get(key) or {}
        if not isinstance(value, Mapping):
            raise self.fail(_("“{key}” must be an object").format(key=key))
        return {str(k): self.text(value, k) or {} for k in value}

    def number(self, data: Mapping[str, Any], key: str, default: float | None) -> float | None:
        value = data.get(key, default)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise self.fail(_("“{key}” must be a number").format(key=key), key)
        return float(value)

    def expression(self, data: Mapping[str, Any], key: str) -> str | None:
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, bool):
            return "true()" if value else None
        if not isinstance(value, str):
            raise self.fail(_("“{key}” must be an expression").format(key=key), key)
        try:
            expressions.parse(_PLACEHOLDER.sub("x", value) if self.in_template else value)
        except expressions.ExpressionError as exc:
            if self.in_template:  # the message shows the text as written, placeholders and all
                raise self.fail(_("the expression “{text}” is not supported ({reason})").format(
                    text=value, reason=exc.reason), key) from None
            raise self.fail(str(exc), key) from None
        return value


def read_document(data: Any) -> SurveyDefinition:
    """Build and fully check a definition; raises :class:`SurveyError` naming the faulty part."""
    r = _Reader()
    doc = r.obj(data, _("the document"))
    form_id = r.name(doc, "form_id")
    version = r.string(doc, "version")
    assert version is not None
    title = r.text(doc, "title") or {}
    default_language = r.string(doc, "default_language", required=False) or "en"
    r.default_language = default_language
    sources_raw = doc.get("sources") or []
    if not isinstance(sources_raw, list) or not all(isinstance(s, str) for s in sources_raw):
        raise r.fail(_("“{key}” must be a list of text").format(key="sources"))

    domains: list[Domain] = []
    raw_domains = doc.get("domains") or []
    if not isinstance(raw_domains, list):
        raise r.fail(_("“{key}” must be a list").format(key="domains"))
    for i, raw in enumerate(raw_domains):
        r.where = f"domains[{i}]"
        item = r.obj(raw, _("a domain"))
        weight = r.number(item, "weight", 1.0)
        if weight is None or weight < 0:
            raise r.fail(_("“{key}” must not be negative").format(key="weight"))
        domains.append(Domain(
            id=r.name(item, "id"), label=r.text(item, "label") or {},
            description=r.text(item, "description", required=False) or {}, weight=weight))
    r.where = ""
    domain_ids = {d.id for d in domains}
    if len(domain_ids) != len(domains):
        raise r.fail(_("two domains have the same id"))

    choice_lists: dict[str, tuple[Choice, ...]] = {}
    raw_lists = r.obj(doc.get("choice_lists") or {}, "choice_lists")
    for list_name, raw_choices in raw_lists.items():
        r.where, r.path = f"choice_lists.{list_name}", ""
        # A list from a file is named by the file (``trees.csv``): any name without spaces.
        if not LIST_NAME_RE.fullmatch(str(list_name)):
            raise r.fail(_("“{name}” is not a valid name (letters, digits and _ only, not starting "
                           "with a digit)").format(name=list_name), "list_name")
        if not isinstance(raw_choices, list):
            raise r.fail(_("a choice list must be a non-empty list"))
        choices: list[Choice] = []
        for j, raw in enumerate(raw_choices):
            r.where = f"choice_lists.{list_name}[{j}]"
            item = r.obj(raw, _("a choice"))
            name = r.string(item, "name")
            assert name is not None
            choices.append(Choice(name=name, label=r.text(item, "label", required=False) or {},
                                  score=r.number(item, "score", None),
                                  media=r.texts(item, "media"), extra=r.strings(item, "extra")))
        choice_lists[str(list_name)] = tuple(choices)

    r.where = ""
    if "children" in doc:
        if doc.get("format") != TREE_FORMAT:
            raise r.fail(_("“{key}” must be {value}").format(key="format", value=TREE_FORMAT))
        raw_children = doc.get("children")
        if not isinstance(raw_children, list) or not raw_children:
            raise r.fail(_("“{key}” must be a non-empty list").format(key="children"))
        children = _read_nodes(r, raw_children, "children", "", None, choice_lists, domain_ids)
    else:
        children = _read_sections(r, doc.get("sections"), choice_lists, domain_ids)
    r.where = ""
    definition = SurveyDefinition(
        form_id=form_id, version=version, title=title, default_language=default_language,
        sources=tuple(sources_raw), domains=tuple(domains), choice_lists=choice_lists,
        children=_with_keys(children), settings=r.strings(doc, "settings"),
        media=_read_media(r, doc.get("media")),
    )
    _check_duplicate_choices(r, definition)
    _check_references(definition)
    _check_repeat_depth(r, definition)
    return definition


def _read_media(r: _Reader, raw: Any) -> dict[str, MediaFile]:
    """The form media files: plain names, content hashes, bounded sizes (they arrive in packages
    and are written back beside an exported form under these names)."""
    r.where = "media"
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise r.fail(_("“{key}” must be an object").format(key="media"))
    if len(raw) > form_media.MAX_MEDIA_FILES:
        raise r.fail(_("a form has at most {limit} media files").format(limit=form_media.MAX_MEDIA_FILES))
    found: dict[str, MediaFile] = {}
    folded: set[str] = set()
    for name, entry in raw.items():
        problem = form_media.name_problem(str(name))
        if problem is not None:
            raise r.fail(problem)
        r.where = f"media.{name}"
        if name.casefold() in folded:  # one file on a case-insensitive file system
            raise r.fail(_("the file name “{name}” is used twice").format(name=name))
        folded.add(name.casefold())
        item = r.obj(entry, _("a media file"))
        sha = item.get("sha256")
        size = item.get("size")
        media_type = item.get("media_type")
        if not isinstance(sha, str) or not form_media.is_content_hash(sha):
            raise r.fail(_("“{key}” must be 64 lower-case hexadecimal digits").format(key="sha256"))
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise r.fail(_("“{key}” must be a whole number, not negative").format(key="size"))
        if size > form_media.MAX_MEDIA_BYTES:
            raise r.fail(_("the file is larger than the limit of {limit} MB").format(
                limit=form_media.MAX_MEDIA_BYTES // (1024 * 1024)))
        if not isinstance(media_type, str) or not 0 < len(media_type) <= 100:
            raise r.fail(_("“{key}” must be text").format(key="media_type"))
        found[name] = MediaFile(name=name, sha256=sha, size=size, media_type=media_type)
    r.where = "media"
    if form_media.total_size(found.values()) > form_media.MAX_MEDIA_TOTAL:
        raise r.fail(_("the media files are larger than the limit of {limit} MB together").format(
            limit=form_media.MAX_MEDIA_TOTAL // (1024 * 1024)))
    r.where = ""
    return found


def _check_repeat_depth(r: _Reader, d: SurveyDefinition) -> None:
    """Answers nest as deep as repeats do; packages may carry at most ``MAX_REPEAT_DEPTH``."""
    from neascn_desktop.surveys.answer_tree import MAX_REPEAT_DEPTH, repeat_depth

    if repeat_depth(d) > MAX_REPEAT_DEPTH:
        deepest = max(d.answer_scopes.values(), key=lambda s: s.depth)
        r.where, r.path = "children", deepest.path
        raise r.fail(_("repeats are nested more than {limit} levels deep").format(limit=MAX_REPEAT_DEPTH))


def _check_duplicate_choices(r: _Reader, d: SurveyDefinition) -> None:
    """Two choices with one name are told apart only by a choice filter, or allowed outright by
    the ``allow_choice_duplicates`` setting (as in ODK's converter)."""
    if d.settings.get("allow_choice_duplicates", "").strip().lower() in ("yes", "true", "true()"):
        return
    filtered = {q.choices for q in d.questions if q.extra.get("choice_filter")}
    for list_name, choices in d.choice_lists.items():
        if list_name not in filtered and len({c.name for c in choices}) != len(choices):
            r.where, r.path = f"choice_lists.{list_name}", ""
            raise r.fail(_("two choices have the same name"), "name")


def _read_sections(
    r: _Reader, raw_sections: Any, choice_lists: Mapping[str, tuple[Choice, ...]],
    domain_ids: set[str],
) -> tuple[Node, ...]:
    """Version 1: a list of sections, each a group of questions; names unique in the form."""
    sections: list[Node] = []
    names: set[str] = set()
    if not isinstance(raw_sections, list) or not raw_sections:
        r.where = ""
        raise r.fail(_("“{key}” must be a non-empty list").format(key="sections"))
    for i, raw in enumerate(raw_sections):
        r.where = f"sections[{i}]"
        item = r.obj(raw, _("a section"))
        section_name = r.name(item)
        r.where = f"sections[{i}] ({section_name})"
        if section_name in names:
            raise r.fail(_("the name “{name}” is used twice").format(name=section_name))
        names.add(section_name)
        questions: list[Node] = []
        raw_questions = item.get("questions")
        if not isinstance(raw_questions, list):
            raise r.fail(_("“{key}” must be a list").format(key="questions"))
        section_label = r.text(item, "label", required=False) or {}
        section_relevant = r.expression(item, "relevant")
        for j, raw_q in enumerate(raw_questions):
            r.where = f"sections[{i}].questions[{j}]"
            q = r.obj(raw_q, _("a question"))
            name = r.name(q)
            r.where = f"sections[{i}].questions[{j}] ({name})"
            if name in names:
                raise r.fail(_("the name “{name}” is used twice").format(name=name))
            names.add(name)
            questions.append(replace(_read_question(r, q, name, choice_lists, domain_ids),
                                     path=f"{section_name}/{name}"))
        sections.append(Group(name=section_name, label=section_label, relevant=section_relevant,
                              children=tuple(questions), path=section_name))
    return tuple(sections)


def _read_nodes(
    r: _Reader, raw_nodes: list[Any], where: str, parent: str, repeat: str | None,
    choice_lists: Mapping[str, tuple[Choice, ...]], domain_ids: set[str], depth: int = 0,
) -> tuple[Node, ...]:
    """Version 2: a tree of questions, groups and repeats; names unique among siblings."""
    if depth > MAX_GROUP_DEPTH:
        raise r.fail(_("groups are nested too deeply"), "type")
    nodes: list[Node] = []
    names: set[str] = set()
    for i, raw in enumerate(raw_nodes):
        r.where = f"{where}[{i}]"
        item = r.obj(raw, _("a question"))
        r.path = f"{parent}/{item.get('name')}" if parent else str(item.get("name"))
        name = r.name(item)
        r.where = f"{where}[{i}] ({name})"
        if name in names:
            raise r.fail(_("the name “{name}” is used twice").format(name=name), "name")
        names.add(name)
        path = f"{parent}/{name}" if parent else name
        if item.get("type") in GROUP_KINDS:
            raw_children = item.get("children")
            if not isinstance(raw_children, list):
                raise r.fail(_("“{key}” must be a list").format(key="children"))
            kind = str(item["type"])
            relevant = r.expression(item, "relevant")
            label = r.text(item, "label", required=False) or {}
            extra = r.strings(item, "extra")
            hint = r.text(item, "hint", required=False)
            texts = r.texts(item, "texts")
            loop = r.string(item, "loop", required=False)
            template: tuple[Node, ...] = ()
            if loop is not None:
                if kind != "group":
                    raise r.fail(_("only a group can be a loop"), "type")
                if loop not in choice_lists:
                    raise r.fail(_("the choice list “{name}” does not exist").format(name=loop),
                                 "type")
                outer, r.in_template = r.in_template, True
                template = _read_nodes(r, raw_children, f"{where}[{i}].children", path, repeat,
                                       choice_lists, domain_ids, depth + 1)
                r.in_template = outer
                r.where, r.path = f"{where}[{i}] ({name})", path
                raw_children = _expand_loop(r, raw_children, choice_lists[loop])
            children = _read_nodes(r, raw_children, f"{where}[{i}].children", path,
                                   path if kind == "repeat" else repeat, choice_lists,
                                   domain_ids, depth + 1)
            nodes.append(Group(name=name, label=label, kind=kind, relevant=relevant,
                               children=children, extra=extra, path=path, hint=hint,
                               loop=loop, template=template, texts=texts))
        else:
            nodes.append(replace(_read_question(r, item, name, choice_lists, domain_ids),
                                 path=path, repeat=repeat))
    return tuple(nodes)


#: Keys of the stored document whose XLSForm column has another name.
_COLUMNS = {"choices": "type", "domain": "neascn_domain", "weight": "neascn_weight",
            "thresholds": "neascn_thresholds", "source": "neascn_source", "loop": "type",
            "children": "type"}
_PLACEHOLDER = re.compile(r"%\((name|label)\)s")


def _expand_loop(r: _Reader, template: list[Any], choices: tuple[Choice, ...]) -> list[Any]:
    """``begin loop over LIST``: one group per choice (``none`` left out), named by the choice,
    holding the template with ``%(name)s`` and ``%(label)s`` filled in — what ODK's converter
    writes in the XForm."""
    size = _count_elements(template)
    groups: list[Any] = []
    for choice in choices:
        if choice.name == "none":
            continue
        r.loop_elements += 1 + size
        if r.loop_elements > MAX_LOOP_ELEMENTS:
            raise r.fail(_("the loops hold more than {limit} questions").format(
                limit=MAX_LOOP_ELEMENTS), "type")
        label = dict(choice.label) or {r.default_language: choice.name}
        groups.append({"type": "group", "name": choice.name, "label": label, "relevant": None,
                       "children": _fill(template, choice.name, label, r.default_language, None)})
    return groups


def _count_elements(raw: Any) -> int:
    if not isinstance(raw, list):
        return 0
    return sum(1 + (_count_elements(item.get("children")) if isinstance(item, Mapping) else 0)
               for item in raw)


def _fill(value: Any, name: str, label: Mapping[str, str], default: str, code: str | None) -> Any:
    """``value`` with ``%(name)s``/``%(label)s`` replaced (the label in the language of the
    text holding it) and ``%%`` read as ``%``, as Python's ``%`` formatting in pyxform does."""
    if isinstance(value, str):
        if "%" not in value:
            return value
        text = label.get(code or default) or label.get(default) or next(iter(label.values()), name)
        return re.sub(r"%\((name|label)\)s|%%", lambda m: {"name": name, "label": text}.get(
            m.group(1) or "", "%"), value)
    if isinstance(value, Mapping):
        return {k: _fill(v, name, label, default, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, name, label, default, code) for v in value]
    return value


def _with_keys(nodes: tuple[Node, ...]) -> tuple[Node, ...]:
    """Give every question its answer key: the name, or the path where the name is not unique."""
    counts: dict[str, int] = {}

    def count(items: tuple[Node, ...]) -> None:
        for node in items:
            if isinstance(node, Group):
                count(node.children)
            else:
                counts[node.name] = counts.get(node.name, 0) + 1

    def keyed(items: tuple[Node, ...]) -> tuple[Node, ...]:
        return tuple(
            replace(node, children=keyed(node.children)) if isinstance(node, Group)
            else replace(node, key=node.name if counts[node.name] == 1 else node.path)
            for node in items)

    count(nodes)
    return keyed(nodes)


def _read_question(
    r: _Reader, q: Mapping[str, Any], name: str,
    choice_lists: Mapping[str, tuple[Choice, ...]], domain_ids: set[str],
) -> Question:
    qtype = r.string(q, "type")
    if qtype not in QUESTION_TYPES:
        raise r.fail(_("unknown question type “{type}”; use one of: {types}").format(
            type=qtype, types=", ".join(QUESTION_TYPES)), "type")
    choices = r.string(q, "choices", required=False)
    if qtype in CHOICE_TYPES:
        if choices is None:
            raise r.fail(_("a {type} question needs a choice list").format(type=qtype), "type")
        if choices not in choice_lists:
            raise r.fail(_("the choice list “{name}” does not exist").format(name=choices), "type")
        if qtype == "select_multiple":
            spaced = next((j for j, c in enumerate(choice_lists[choices]) if any(
                ch.isspace() for ch in c.name)), None)
            if spaced is not None:  # its answer lists names separated by spaces
                r.where, r.path = f"choice_lists.{choices}[{spaced}]", ""
                raise r.fail(_("the choice name “{name}” contains a space").format(
                    name=choice_lists[choices][spaced].name), "name")
    elif choices is not None:
        raise r.fail(_("a {type} question cannot have a choice list").format(type=qtype), "type")
    calculation = r.expression(q, "calculation")
    if qtype == "calculate" and calculation is None:
        raise r.fail(_("a calculate question needs a calculation"), "calculation")
    domain = r.string(q, "domain", required=False)
    if domain is not None and domain not in domain_ids:
        raise r.fail(_("the domain “{name}” does not exist").format(name=domain), "domain")
    weight = r.number(q, "weight", 1.0)
    if weight is None or weight < 0:
        raise r.fail(_("“{key}” must not be negative").format(key="weight"), "weight")
    thresholds: tuple[float, ...] | None = None
    raw_thresholds = q.get("thresholds")
    if raw_thresholds is not None:
        if (
            not isinstance(raw_thresholds, list) or len(raw_thresholds) != 4
            or not all(isinstance(t, int | float) and not isinstance(t, bool) for t in raw_thresholds)
            or any(b <= a for a, b in zip(raw_thresholds, raw_thresholds[1:], strict=False))
        ):
            raise r.fail(_("“thresholds” must be four ascending numbers"), "thresholds")
        thresholds = tuple(float(t) for t in raw_thresholds)
    extra = q.get("extra") or {}
    if not isinstance(extra, Mapping):
        raise r.fail(_("“{key}” must be an object").format(key="extra"))
    # ODK's converter decides when a label is needed (a field-list label row has none).
    label = r.text(q, "label", required=False) or {}
    return Question(
        name=name, type=qtype, label=label,
        hint=r.text(q, "hint", required=False),
        choices=choices,
        required=r.expression(q, "required"),
        relevant=r.expression(q, "relevant"),
        constraint=r.expression(q, "constraint"),
        constraint_message=r.text(q, "constraint_message", required=False),
        calculation=calculation,
        domain=domain, weight=weight, thresholds=thresholds,
        thresholds_descending=bool(q.get("thresholds_descending", False)),
        source=str(q["source"]) if q.get("source") else None,
        extra={str(k): str(v) for k, v in extra.items()},
        texts=r.texts(q, "texts"),
    )


def _check_references(d: SurveyDefinition) -> None:
    # ``${repeat}`` is a question's sibling too (``count(${projects})``), as in pyxform.
    known = {q.name for q in d.questions} | {g.name for g in d.groups}
    for where, text in _all_expressions(d):
        missing = sorted(expressions.references(expressions.parse(text)) - known)
        if missing:
            error = SurveyError(_("Survey definition, {where}: the expression “{text}” refers to "
                                  "${{{name}}}, which is not a question of this survey.").format(
                where=where, text=text, name=missing[0]))
            error.path, error.where = where, where
            error.column = next((column for column, value in _expressions_of(d, where)
                                 if value == text), None)
            error.reason = str(error)
            raise error


def _expressions_of(d: SurveyDefinition, path: str) -> Iterator[tuple[str, str | None]]:
    """The XLSForm columns and expressions of the element at ``path``."""
    for group in d.groups:
        if (group.path or group.name) == path:
            yield "relevant", group.relevant
    for q in d.questions:
        if (q.path or q.name) == path:
            yield from (("required", q.required), ("relevant", q.relevant),
                        ("constraint", q.constraint), ("calculation", q.calculation))


def _all_expressions(d: SurveyDefinition) -> Iterator[tuple[str, str]]:
    for group in d.groups:
        if group.relevant:
            yield group.path or group.name, group.relevant
    for q in d.questions:
        for text in (q.required, q.relevant, q.constraint, q.calculation):
            if text:
                yield q.path or q.name, text


