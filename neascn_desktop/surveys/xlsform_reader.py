"""Reading XLSForms through pyxform, ODK's reference converter.

pyxform's ``workbook_to_json`` gives the normalised tree of a form — every type alias
(``photo``, ``string``, ``int``), legacy spelling (``select one from x or specify other``),
language header (``label:English``), the ``value`` column and the settings already resolved —
so this module only maps that tree onto our definition document (version 2, a tree) and
refuses, naming sheet and row, what the engine cannot hold.  pyxform's and openpyxl's
warnings are collected, never printed.
"""

from __future__ import annotations

import io
import re
import unicodedata
import warnings
from collections.abc import Mapping
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from neascn_desktop.i18n import _
from neascn_desktop.surveys.definition import FORM_ID_RE, TREE_FORMAT

#: pyxform element type (lower case) -> (our type, the XLSForm type written back on export).
_TYPES: dict[str, tuple[str, str]] = {
    "text": ("text", "text"), "string": ("text", "text"), "integer": ("integer", "integer"),
    "int": ("integer", "integer"), "decimal": ("decimal", "decimal"), "range": ("range", "range"),
    "date": ("date", "date"), "time": ("time", "time"), "datetime": ("datetime", "dateTime"),
    "geopoint": ("geopoint", "geopoint"), "gps": ("geopoint", "geopoint"),
    "location": ("geopoint", "geopoint"), "geotrace": ("geotrace", "geotrace"),
    "geoshape": ("geoshape", "geoshape"), "barcode": ("barcode", "barcode"),
    "note": ("note", "note"), "acknowledge": ("acknowledge", "acknowledge"),
    "trigger": ("acknowledge", "trigger"), "calculate": ("calculate", "calculate"),
    "hidden": ("hidden", "hidden"), "phone number": ("text", "phone number"),
    "image": ("attachment", "image"), "photo": ("attachment", "image"),
    "audio": ("attachment", "audio"), "video": ("attachment", "video"),
    "file": ("attachment", "file"), "background-audio": ("metadata", "background-audio"),
    "select one": ("select_one", "select_one"),
    "select all that apply": ("select_multiple", "select_multiple"),
    "select one external": ("select_one", "select_one_external"),
    "rank": ("rank", "rank"),
}
#: Device facts recorded, not asked (``imei`` and ``uri:deviceid`` are ``deviceid``).
_METADATA = {
    "start", "end", "today", "deviceid", "subscriberid", "simserial", "phonenumber", "username",
    "email", "audit", "start-geopoint", "imei", "uri:deviceid", "uri:email", "uri:username",
    "uri:phonenumber", "uri:subscriberid", "uri:simserial",
}
_FILE_LIST = re.compile(r".+\.(csv|xml|geojson)$", re.IGNORECASE)
_ROW = re.compile(r"\[row\s*:\s*(\d+)\]")
_SHEET = re.compile(r"'(survey|choices|settings|external_choices|entities)' sheet")
_MISSING_SHEET = re.compile(r"There should be an? (survey|choices|settings|external_choices) sheet")
_COLUMN = re.compile(r"the '([\w:. -]+)' (?:value|column)")
_CHOICE_NAMED = re.compile(r"See \[(.+?)\] in \[(.+?)\]")
#: Root keys of pyxform's tree the definition holds in its own fields (or pyxform derives).
_MAPPED_SETTINGS = frozenset({"type", "title", "id_string", "sms_keyword", "default_language",
                              "version", "children", "choices"})
#: The XLSForm types read (for the refusal of any other).
_SUPPORTED = (
    "text, integer, decimal, range, date, time, dateTime, select_one, select_multiple, rank, "
    "select_one_from_file, select_one_external, note, acknowledge, trigger, calculate, hidden, "
    "geopoint, geotrace, geoshape, barcode, image, audio, video, file, start, end, today, "
    "deviceid, username, email, audit")
#: Question columns holding expressions, checked with our parser (pyxform leaves them to ODK).
_EXPRESSION_COLUMNS = ("required", "relevant", "constraint", "calculation")
#: Element keys mapped explicitly; every other string-valued key is kept as an extra column.
_KNOWN = {"type", "name", "label", "hint", "bind", "control", "children", "choices", "itemset",
          "list_name", "parameters", "media", "guidance_hint", "choice_filter", "default"}


@dataclass(frozen=True)
class XLSFormReading:
    """A form read through pyxform: our definition document and pyxform's warnings."""

    document: dict[str, Any]
    warnings: tuple[str, ...]
    #: Excel row numbers: of each survey element by its path (``group/name``), of each list's
    #: choices in order — so a refusal of the definition's own checks names its row.
    survey_rows: Mapping[str, int] = field(default_factory=dict)
    choice_rows: Mapping[str, tuple[int, ...]] = field(default_factory=dict)


def one_line(text: str) -> str:
    """Text from a form or from pyxform, safe for one terminal line or one label."""
    return " ".join("".join(ch for ch in text if ch in "\n\t" or not unicodedata.category(ch).startswith("C")
                            ).split())


def _pyxform_error(exc: Exception, data: Any = None) -> Exception:
    """pyxform's English sentence inside ours, with the sheet, row and column it names."""
    from neascn_desktop.surveys.xlsform import XLSFormError

    text = one_line(str(exc))
    row = _ROW.search(text)
    sheet = _SHEET.search(text) or _MISSING_SHEET.search(text)
    column = _COLUMN.search(text)
    sheet_name = sheet.group(1) if sheet else ("survey" if row else None)
    number = int(row.group(1)) if row else None
    column_name = column.group(1) if column else (
        "type" if "Unmatched '" in text or "List name" in text else None)
    if text.startswith("Choice names"):
        sheet_name, column_name = "choices", "name"
        named = _CHOICE_NAMED.search(text)  # "... See [a b] in [list]": that choice's row
        if named and data is not None:
            number = next((n for n, record in enumerate(data.choices or [], start=2)
                           if isinstance(record, Mapping)
                           and str(record.get("name", "")) == named.group(1)
                           and str(record.get("list_name", record.get("list name", "")))
                           == named.group(2)), None)
    return XLSFormError(sheet_name, number, column_name,
                        _("ODK's form converter refused it: {reason}").format(reason=text))


def read_with_pyxform(path: Path, fallback_id: str) -> XLSFormReading:
    """Read ``path`` (``.xlsx``, ``.xls``, ``.csv``); raises :class:`XLSFormError`."""
    from pyxform.errors import PyXFormError
    from pyxform.xls2json import workbook_to_json
    from pyxform.xls2json_backends import get_xlsform

    from neascn_desktop.surveys.xlsform import XLSFormError

    if not path.is_file():
        raise XLSFormError(None, None, None, _("the file {path} does not exist").format(path=path))
    found: list[str] = []
    sink = io.StringIO()
    with warnings.catch_warnings(record=True) as caught, redirect_stderr(sink), redirect_stdout(sink):
        warnings.simplefilter("always")
        try:
            data = get_xlsform(str(path))
        except Exception as exc:  # noqa: BLE001 - a hostile workbook can make the readers raise anything
            raise XLSFormError(None, None, None, _(
                "{path} is not an Excel workbook (.xlsx) ({reason})").format(path=path, reason=exc)
            ) from None
        try:
            tree = workbook_to_json(data, fallback_form_name=fallback_id, warnings=found)
        except PyXFormError as exc:
            raise _pyxform_error(exc, data) from None
        except Exception as exc:  # noqa: BLE001 - pyxform trips over some malformed sheets
            raise XLSFormError(None, None, None, _(
                "ODK's form converter failed on it ({reason})").format(reason=one_line(repr(exc)))
            ) from None
    found.extend(str(w.message) for w in caught)
    found = [one_line(w) for w in found if w.strip()]
    # pyxform counts rows as Excel does (header = row 1); its tree has none, so find them by name.
    rows: dict[str, int] = {}
    for number, record in enumerate(data.survey or [], start=2):
        if isinstance(record, Mapping) and record.get("name"):
            rows.setdefault(str(record["name"]).strip(), number)
    document = _Mapper(tree, path, rows, _typographic_texts(data),
                       data.external_choices or []).document()
    return XLSFormReading(document=document, warnings=tuple(dict.fromkeys(found)),
                          survey_rows=_survey_rows(data.survey or []),
                          choice_rows=_choice_rows(data.choices or []))


_CONTROL = re.compile(r"^(begin|end)[ _](group|repeat|loop)\b", re.IGNORECASE)


def _survey_rows(records: list[Any]) -> dict[str, int]:
    """The Excel row of every named survey row, by its path through the groups around it."""
    rows: dict[str, int] = {}
    stack: list[str] = []
    for number, record in enumerate(records, start=2):
        if not isinstance(record, Mapping):
            continue
        control = _CONTROL.match(str(record.get("type", "")).strip())
        if control and control.group(1).lower() == "end":
            if stack:
                stack.pop()
            continue
        name = str(record.get("name", "")).strip()
        path = "/".join([*stack, name])
        if name:
            rows.setdefault(path, number)
        if control:
            stack.append(name)
    return rows


def _choice_rows(records: list[Any]) -> dict[str, tuple[int, ...]]:
    """The Excel rows of each choice list's choices, in order."""
    rows: dict[str, list[int]] = {}
    for number, record in enumerate(records, start=2):
        if isinstance(record, Mapping) and record.get("name") not in (None, ""):
            list_name = str(record.get("list_name", record.get("list name", ""))).strip()
            rows.setdefault(list_name, []).append(number)
    return {k: tuple(v) for k, v in rows.items()}


def _typographic_texts(data: Any) -> dict[str, str]:
    """Cell texts with typographic quotes, by their straightened form.

    pyxform straightens quotes in every cell — right for expressions, but in a label
    ``“不知道”`` is the text the author wrote, so labels and hints get theirs back."""
    from pyxform.parsing.sheet_headers import RE_SMART_QUOTES, SMART_QUOTES

    found: dict[str, str] = {}
    for sheet in (data.survey, data.choices, data.settings, data.external_choices):
        for record in sheet or []:
            for value in record.values() if isinstance(record, Mapping) else ():
                if isinstance(value, str) and RE_SMART_QUOTES.search(value):
                    found.setdefault(RE_SMART_QUOTES.sub(lambda m: SMART_QUOTES[m.group(0)], value),
                                     value)
    return found


class _Mapper:
    def __init__(self, tree: Mapping[str, Any], form: Path, rows: Mapping[str, int],
                 typographic: Mapping[str, str], external: list[Any]) -> None:
        from neascn_desktop.surveys.xlsform import language_from_header

        self.tree = tree
        self.rows = rows
        self.typographic = typographic
        self.external = external
        self.form = form
        default = str(tree.get("default_language") or "default")
        self.default_language = "en" if default == "default" else language_from_header(default)
        self._language = language_from_header
        self.lists: dict[str, list[dict[str, Any]]] = {}
        self.in_template = False
        self.meta: list[dict[str, Any]] = []
        #: The ``flat`` setting (ODK Tables): pyxform "and"s the relevance of the groups around
        #: a question onto its own; ``flat_chain`` is that prefix, taken off again on reading
        #: so the export (which writes the setting back) does not add it twice.
        self.flat = bool(tree.get("flat"))  # any text, as pyxform reads it
        self.flat_chain = ""

    def unflattened(self, relevant: Any) -> Any:
        chain = self.flat_chain
        if not self.flat or not chain or not isinstance(relevant, str):
            return relevant
        if relevant == chain:
            return None
        if relevant.startswith(f"{chain} and (") and relevant.endswith(")"):
            return relevant[len(chain) + 6:-1]
        return relevant

    def language(self, key: str) -> str:
        return self.default_language if key == "default" else self._language(key)

    def text(self, value: Any) -> dict[str, str] | None:
        if value is None or value == "":
            return None
        if isinstance(value, Mapping):
            return {self.language(str(k)): self.typographic.get(str(v), str(v))
                    for k, v in value.items() if v not in (None, "")}
        return {self.default_language: self.typographic.get(str(value), str(value))}

    def media(self, value: Any) -> dict[str, dict[str, str]]:
        if not isinstance(value, Mapping):
            return {}
        return {f"media::{kind}": self.text(v) or {} for kind, v in value.items()}

    def document(self) -> dict[str, Any]:
        from neascn_desktop.surveys.xlsform import XLSFormError

        t = self.tree
        for list_name, choices in (t.get("choices") or {}).items():
            self.lists[str(list_name)] = [self.choice(c) for c in choices]
        children = [n for n in (self.node(c) for c in t.get("children") or []) if n is not None]
        children.extend(self.meta)
        if not children:
            raise XLSFormError("survey", 2, "type", _("the form has no questions"))
        form_id = str(t.get("id_string") or t.get("name") or "form")
        if not FORM_ID_RE.fullmatch(form_id):  # ODK allows any id; ours name files and entities
            form_id = re.sub(r"[^A-Za-z0-9_.\-]", "_", form_id.strip())
            if form_id and not re.match(r"[A-Za-z_]", form_id):
                form_id = f"form_{form_id}"
        if not FORM_ID_RE.fullmatch(form_id):
            raise XLSFormError("settings", 2, "form_id", _("“{name}” is not a valid form id").format(
                name=form_id))
        title = self.text(t.get("neascn_title")) or self.text(t.get("title")) or {
            self.default_language: form_id}
        # Every other setting (``instance_name``, ``style``, ``flat`` …) is kept for the export;
        # the root element's name only when the author chose one.
        settings = {k: str(v) for k, v in t.items()
                    if k not in _MAPPED_SETTINGS and isinstance(v, str | bool)
                    and not str(k).startswith("neascn") and (k != "name" or v != "data")}
        return {
            "format": TREE_FORMAT,
            "form_id": form_id,
            "version": str(t.get("version") or "1"),
            "title": title,
            "default_language": self.default_language,
            "sources": [s for s in str(t.get("neascn_sources") or "").splitlines() if s.strip()],
            "domains": [],
            "choice_lists": self.lists,
            "children": children,
            "settings": settings,
        }

    def choice(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        score = raw.get("score")
        try:
            number = float(score) if score not in (None, "") else None
        except (TypeError, ValueError):
            number = None
        return {
            "name": str(raw.get("name", "")),
            "label": self.text(raw.get("label")) or {},
            "score": number,
            "media": self.media(raw.get("media")),
            "extra": {str(k): str(v) for k, v in raw.items()
                      if k not in ("name", "label", "media", "score") and isinstance(v, str | int | float)},
        }

    def node(self, raw: Mapping[str, Any]) -> dict[str, Any] | None:
        from neascn_desktop.surveys.xlsform import XLSFormError

        raw = _single_colon_headers(raw)
        kind = str(raw.get("type", "")).strip()
        control = raw.get("control") or {}
        if kind == "group" and raw.get("name") == "meta" and control.get("bodyless"):
            # pyxform's own block, added to every form: its instanceID is ours to make, its
            # instanceName comes from the settings (kept there); what the author wrote
            # (``audit``, which pyxform moves there) stays a question.
            self.meta.extend(n for n in (self.node(c) for c in raw.get("children") or []
                                         if c.get("name") not in ("instanceID", "instanceName"))
                             if n is not None)
            return None
        bind = dict(raw.get("bind") or {})
        extra: dict[str, str] = {}
        for key, value in control.items():
            if key == "appearance":
                extra["appearance"] = str(value)
            elif key == "jr:count":
                extra["repeat_count"] = str(value)
            else:
                extra[f"body::{key}"] = str(value)
        if kind in ("group", "repeat"):
            for key, value in bind.items():
                if key != "relevant":
                    extra[key if key == "required" else f"bind::{key}"] = str(value)
            extra.update({str(k): str(v) for k, v in raw.items()
                          if k not in _KNOWN and k != "relevant" and isinstance(v, str | int | float)
                          and not (self.flat and k == "flat")})
            outer = self.flat_chain
            own = str(bind.get("relevant") or "")
            self.flat_chain = f"{outer} and ({own})" if outer and own else (outer or own)
            try:
                children = [n for n in (self.node(c) for c in raw.get("children") or [])
                            if n is not None]
            finally:
                self.flat_chain = outer
            group = {"type": kind, "name": raw["name"], "label": self.text(raw.get("label")) or {},
                     "relevant": bind.get("relevant"), "extra": extra, "children": children}
            if raw.get("hint"):
                group["hint"] = self.text(raw.get("hint"))
            group_texts = self.media(raw.get("media"))
            if raw.get("guidance_hint"):
                group_texts["guidance_hint"] = self.text(raw.get("guidance_hint")) or {}
            if group_texts:
                group["texts"] = group_texts
            return group
        if kind == "loop":
            return self.loop(raw)
        texts: dict[str, dict[str, str]] = self.media(raw.get("media"))
        if raw.get("guidance_hint"):
            texts["guidance_hint"] = self.text(raw.get("guidance_hint")) or {}
        lowered = kind.lower()
        choices: str | None = None
        if lowered in _METADATA:
            our_type, xls_type = "metadata", kind
        elif lowered in _TYPES:
            our_type, xls_type = _TYPES[lowered]
        elif lowered in ("select one from file", "select all that apply from file"):
            our_type, xls_type = ("select_one", "select_one_from_file") if "one" in lowered else (
                "select_multiple", "select_multiple_from_file")
        else:
            if lowered == "entity":  # pyxform's element for the entities sheet
                raise XLSFormError("entities", 2, "list_name", _(
                    "entity lists (ODK Central's datasets) are not supported"))
            raise XLSFormError("survey", self.rows.get(str(raw.get("name"))), "type", _(
                "the question type “{type}” is not supported (supported: {types})").format(
                    type=kind, types=_SUPPORTED))
        itemset = raw.get("itemset") or raw.get("list_name")
        if our_type in ("select_one", "select_multiple", "rank") and itemset:
            choices = str(itemset)
            if _FILE_LIST.match(choices):
                xls_type = f"{our_type}_from_file"
                self.lists.setdefault(choices, self.file_choices(choices))
            elif choices not in self.lists:
                # select_one_external: the list lives on the external_choices sheet, which
                # pyxform leaves to the tools that write itemsets.csv; here it is in the definition.
                self.lists[choices] = self.external_choices(choices)
        if xls_type != {"attachment": "file", "datetime": "dateTime"}.get(our_type, our_type):
            extra["xlsform_type"] = xls_type  # what export writes back (``image``, ``imei`` ...)
        if lowered in ("select one external",):
            extra["xlsform_type"] = "select_one_external"
        for key in ("choice_filter", "default"):
            if raw.get(key) not in (None, ""):
                extra[key] = str(raw[key])
        parameters = raw.get("parameters") or {}
        if isinstance(parameters, Mapping) and parameters:
            extra["parameters"] = " ".join(f"{k}={v}" for k, v in parameters.items())
        elif isinstance(parameters, str) and parameters.strip():
            extra["parameters"] = parameters.strip()
        required = bind.pop("required", None)
        relevant = self.unflattened(bind.pop("relevant", None))
        constraint = bind.pop("constraint", None)
        calculation = bind.pop("calculate", None)
        constraint_message = self.text(bind.pop("jr:constraintMsg", None))
        required_message = self.text(bind.pop("jr:requiredMsg", None))
        if required_message:
            texts["required_message"] = required_message
        if our_type == "calculate" and not calculation:
            calculation = "''"  # pyxform accepts a calculate without one (a preload or a default)
        if "readonly" in bind:
            extra["read_only"] = str(bind.pop("readonly"))
        for key, value in bind.items():
            extra[f"bind::{key}"] = str(value)
        for key, value in raw.items():
            if key not in _KNOWN and not key.startswith("neascn") and isinstance(value, str | int | float):
                extra[str(key)] = str(value)
            elif key == "instance" and isinstance(value, Mapping):
                extra.update({f"instance::{k}": str(v) for k, v in value.items()})
            elif key == "trigger" and isinstance(value, list | tuple):  # pyxform's parsed names
                extra["trigger"] = ", ".join(f"${{{name}}}" for name in value)
        req = None
        if required is not None and str(required).strip():
            lowered_required = str(required).strip().lower()
            if lowered_required in ("yes", "true", "true()", "1"):
                req = "true()"
            elif lowered_required not in ("no", "false", "false()", "0"):
                req = str(required)
        for column, text in zip(_EXPRESSION_COLUMNS, (req, relevant, constraint, calculation),
                                strict=True):
            self.check_expression(str(raw.get("name")), column, text)
        weight = raw.get("neascn_weight")
        thresholds = raw.get("neascn_thresholds")
        threshold_list = None
        descending = False
        if thresholds:
            parts = str(thresholds).replace(",", " ").split()
            if parts and parts[-1].lower() == "descending":
                descending, parts = True, parts[:-1]
            try:
                threshold_list = [float(p) for p in parts]
            except ValueError:
                threshold_list = None
        special = str(raw.get("neascn_type") or "").strip().lower()
        if special in ("scale", "yes_no") and our_type == "select_one":
            our_type = special
        return {
            "type": our_type, "name": raw["name"],
            "label": self.text(raw.get("label")),
            "hint": self.text(raw.get("hint")),
            "choices": choices,
            "required": req, "relevant": relevant, "constraint": constraint,
            "constraint_message": constraint_message, "calculation": calculation,
            "domain": raw.get("neascn_domain") or None,
            "weight": float(weight) if weight not in (None, "") else 1.0,
            "thresholds": threshold_list, "thresholds_descending": descending,
            "source": raw.get("neascn_source") or None,
            "extra": extra, "texts": texts,
        }

    def external_choices(self, list_name: str) -> list[dict[str, Any]]:
        found = []
        for record in self.external:
            if not isinstance(record, Mapping) or not record.get("name") or str(
                    record.get("list_name", record.get("list name", ""))).strip() != list_name:
                continue
            label: dict[str, str] = {}
            extra: dict[str, str] = {}
            for key, value in record.items():
                key = str(key).strip()
                if key in ("list_name", "list name", "name") or value in (None, ""):
                    continue
                if key == "label" or key.startswith("label:"):
                    language = key.split(":")[-1].strip() if ":" in key else "default"
                    label[self.language(language)] = self.typographic.get(str(value), str(value))
                else:
                    extra[key] = str(value)
            found.append({"name": str(record["name"]).strip(), "label": label, "score": None,
                          "media": {}, "extra": extra})
        return found

    def check_expression(self, name: str, column: str, text: Any) -> None:
        from neascn_desktop.surveys import expressions
        from neascn_desktop.surveys.xlsform import XLSFormError

        if not text:
            return
        try:  # in a loop's row ``%(name)s`` stands for a choice name
            expressions.parse(re.sub(r"%\((name|label)\)s", "x", str(text)) if self.in_template
                              else str(text))
        except expressions.ExpressionError as exc:
            raise XLSFormError("survey", self.rows.get(name), column, _(
                "the expression “{text}” is not supported ({reason})").format(
                    text=text, reason=exc.reason)) from None

    def loop(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        """``begin loop over LIST``: a group keeping the list and the template rows; the
        definition fills in one group per choice (``%(name)s``/``%(label)s``) when it is read,
        as ODK's converter does in the XForm, and the export writes the loop back."""
        from neascn_desktop.surveys.xlsform import XLSFormError

        columns = raw.get("columns") or []
        list_name = next((name for name, choices in (self.tree.get("choices") or {}).items()
                          if choices == columns), None)
        if list_name is None:
            raise XLSFormError("survey", self.rows.get(str(raw.get("name"))), "type", _(
                "the loop's choice list was not found"))
        group = self.node({**{k: v for k, v in raw.items() if k not in ("columns", "children")},
                           "type": "group"})
        assert group is not None
        self.in_template = True
        try:
            group["children"] = [n for n in (self.node(c) for c in raw.get("children") or [])
                                 if n is not None]
        finally:
            self.in_template = False
        group["loop"] = str(list_name)
        return group

    def file_choices(self, name: str) -> list[dict[str, Any]]:
        """The choices of a ``select_one_from_file`` list (CSV, XML or GeoJSON) from the file
        beside the form or in its ``-media`` folder, if there (the import warns if not); none
        for a list longer than ``MAX_EMBEDDED_CHOICES``, read from the stored file instead."""
        from neascn_desktop.surveys import form_media

        path = form_media.locate(self.form, name)
        if path is None:
            return []
        choices = form_media.file_choices(path, self.default_language, self.language)
        # A long list stays in its file (stored with the version), read from there when used.
        return choices if len(choices) <= form_media.MAX_EMBEDDED_CHOICES else []


_SINGLE_COLON = re.compile(
    r"(label|hint|guidance_hint|constraint_message|required_message)\s*:\s*([^:].*)")
_BIND_TEXTS = {"constraint_message": "jr:constraintMsg", "required_message": "jr:requiredMsg"}


def _single_colon_headers(raw: Mapping[str, Any]) -> Mapping[str, Any]:
    """``label:English`` on the survey sheet (older ODK and Kobo forms): pyxform passes the
    column through unread; it is the label in English, as ``label::English`` would be."""
    if not any(_SINGLE_COLON.fullmatch(str(k)) for k in raw):
        return raw
    out: dict[str, Any] = dict(raw)
    out["bind"] = dict(out.get("bind") or {})
    for key, value in raw.items():
        match = _SINGLE_COLON.fullmatch(str(key))
        if not match or not isinstance(value, str):
            continue
        base, language = match.group(1), match.group(2).strip()
        del out[key]
        holder, field_name = (out["bind"], _BIND_TEXTS[base]) if base in _BIND_TEXTS else (out, base)
        current = holder.get(field_name)
        texts = dict(current) if isinstance(current, Mapping) else (
            {"default": current} if current else {})
        texts[language] = value
        holder[field_name] = texts
    if not out["bind"]:
        del out["bind"]
    return out
