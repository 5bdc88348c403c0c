"""XLSForm import and export (the form format of ODK, KoboToolbox and SurveyCTO).

Export writes the ``survey``, ``choices`` and ``settings`` sheets that ODK's
``xls2xform`` converts, plus our scoring extras as extra columns
(``neascn_type``, ``neascn_domain``, ``neascn_weight``, ``neascn_thresholds``,
``score``) and an extra sheet ``neascn_domains``; other tools ignore them.
Import reads the form through pyxform, ODK's own converter (see
:mod:`neascn_desktop.surveys.xlsform_reader`), so whatever ODK accepts — aliases,
legacy spellings, ``label:English`` headers, groups, repeats — reads the same
here; what it or the engine refuses is an :class:`XLSFormError` naming the sheet,
row and column.  Export writes every column the import read, so a form
round-trips field by field.  See ``docs/xlsform.md``.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from neascn_desktop.i18n import _
from neascn_desktop.surveys.definition import (
    Group,
    Node,
    Question,
    SurveyDefinition,
    SurveyError,
    definition_from_dict,
)
from neascn_desktop.surveys.xlsform_reader import XLSFormReading, read_with_pyxform

#: Our language codes and the XLSForm "Language (code)" column suffixes.
LANGUAGE_HEADERS: dict[str, str] = {
    "en": "English (en)",
    "ko": "Korean (ko)",
    "zh_Hans": "Chinese (zh-Hans)",
    "ja": "Japanese (ja)",
    "ru": "Russian (ru)",
    "mn": "Mongolian (mn)",
}
_CODE_ALIASES = {
    "en": "en", "ko": "ko", "zh-hans": "zh_Hans", "zh_hans": "zh_Hans", "zh": "zh_Hans",
    "zh-cn": "zh_Hans", "ja": "ja", "ru": "ru", "mn": "mn",
}
_NAME_ALIASES = {
    "english": "en", "korean": "ko", "한국어": "ko", "chinese": "zh_Hans", "简体中文": "zh_Hans",
    "中文": "zh_Hans", "japanese": "ja", "日本語": "ja", "russian": "ru", "русский": "ru",
    "mongolian": "mn", "монгол": "mn",
}
_NEASCN_TYPES = {"scale", "yes_no"}
DOMAINS_SHEET = "neascn_domains"
EXTERNAL_SHEET = "external_choices"


class XLSFormError(SurveyError):
    """An XLSForm that cannot be read; names the sheet, row and column, and why."""

    def __init__(self, sheet: str | None, row: int | None, column: str | None, reason: str) -> None:
        self.sheet, self.row, self.column, self.reason = sheet, row, column, reason
        if sheet and row and column:
            message = _("XLSForm sheet “{sheet}”, row {row}, column “{column}”: {reason}").format(
                sheet=sheet, row=row, column=column, reason=reason)
        elif sheet and row:
            message = _("XLSForm sheet “{sheet}”, row {row}: {reason}").format(
                sheet=sheet, row=row, reason=reason)
        elif sheet:
            message = _("XLSForm sheet “{sheet}”: {reason}").format(sheet=sheet, reason=reason)
        else:
            message = _("XLSForm: {reason}").format(reason=reason)
        super().__init__(message)


def language_header(code: str) -> str:
    return LANGUAGE_HEADERS.get(code, f"{code} ({code})")


def language_from_header(suffix: str) -> str:
    """``English (en)`` -> ``en``; ``Chinese (zh-Hans)`` -> ``zh_Hans``; ``Korean`` -> ``ko``."""
    suffix = suffix.strip()
    match = re.search(r"\(([^()]+)\)\s*$", suffix)
    if match:
        code = match.group(1).strip()
        return _CODE_ALIASES.get(code.lower(), code)
    return _NAME_ALIASES.get(suffix.lower(), _CODE_ALIASES.get(suffix.lower(), suffix))


# =========================================================================== export


def _required_cell(required: str | None) -> str:
    if required is None:
        return ""
    return "yes" if required.strip() == "true()" else required


def _is_file_list(name: str) -> bool:
    return bool(re.fullmatch(r".+\.(csv|xml|geojson)", name, re.IGNORECASE))


def _number_cell(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


_SELECT_BASES = {"select_one": "select_one", "scale": "select_one", "yes_no": "select_one",
                 "select_multiple": "select_multiple", "rank": "rank"}
_PLAIN_TYPES = {"attachment": "file", "datetime": "dateTime"}


def _xls_type(q: Question) -> str:
    written = q.extra.get("xlsform_type")
    if q.choices:
        return f"{written or _SELECT_BASES.get(q.type, q.type)} {q.choices}"
    return written or _PLAIN_TYPES.get(q.type, q.type)


def _dynamic_columns(definition: SurveyDefinition, languages: list[str],
                     fixed: list[str]) -> list[str]:
    """The pass-through columns the definition uses (``bind::``, ``default``, ``media::image`` ...)."""
    columns: dict[str, None] = dict.fromkeys(fixed)
    nodes: list[Group | Question] = [*definition.groups, *definition.questions]
    for node in nodes:
        for key in node.extra:
            if key not in ("appearance", "xlsform_type"):
                columns[key] = None
        for key in node.texts:
            for code in languages:
                columns[f"{key}::{language_header(code)}"] = None
    return list(columns)[len(fixed):]


def export_xlsform(definition: SurveyDefinition, path: Path) -> Path:
    """Write ``definition`` as an XLSForm workbook (``.xlsx``)."""
    from openpyxl import Workbook

    languages = list(definition.languages) or [definition.default_language]
    wb = Workbook()
    survey = wb.active
    survey.title = "survey"
    header = ["type", "name"]
    header += [f"label::{language_header(c)}" for c in languages]
    header += [f"hint::{language_header(c)}" for c in languages]
    header += ["required", "relevant", "constraint"]
    header += [f"constraint_message::{language_header(c)}" for c in languages]
    header += ["calculation", "appearance", "neascn_type", "neascn_domain", "neascn_weight",
               "neascn_thresholds", "neascn_source"]
    header += _dynamic_columns(definition, languages, header)
    survey.append(header)
    column = {name: i for i, name in enumerate(header)}

    def row(cells: Mapping[str, Any]) -> list[Any]:
        values: list[Any] = [None] * len(header)
        for key, value in cells.items():
            if value not in (None, ""):
                values[column[key]] = value
        return values

    def texts(prefix: str, texts: Mapping[str, str] | None) -> dict[str, str]:
        return {f"{prefix}::{language_header(c)}": texts.get(c, "") for c in languages} if texts else {}

    def write(nodes: tuple[Node, ...]) -> None:
        for node in nodes:
            if isinstance(node, Group):
                begin = f"begin_loop over {node.loop}" if node.loop else f"begin_{node.kind}"
                cells: dict[str, Any] = dict(node.extra)
                for key, value in node.texts.items():
                    cells.update(texts(key, value))
                survey.append(row({**cells, "type": begin, "name": node.name,
                                   "relevant": node.relevant, **texts("label", node.label),
                                   **texts("hint", node.hint)}))
                write(node.template if node.loop else node.children)
                survey.append(row({"type": "end_loop" if node.loop else f"end_{node.kind}"}))
            else:
                write_question(node)

    def write_question(q: Question) -> None:
        thresholds = ""
        if q.thresholds is not None:
            thresholds = " ".join(str(_number_cell(t)) for t in q.thresholds)
            if q.thresholds_descending:
                thresholds += " descending"
        cells: dict[str, Any] = {k: v for k, v in q.extra.items() if k != "xlsform_type"}
        for key, value in q.texts.items():
            cells.update(texts(key, value))
        cells.update(
            type=_xls_type(q), name=q.name, required=_required_cell(q.required),
            relevant=q.relevant, constraint=q.constraint, calculation=q.calculation,
            neascn_type=q.type if q.type in _NEASCN_TYPES else None,
            neascn_domain=q.domain,
            neascn_weight=_number_cell(q.weight) if q.domain else None,
            neascn_thresholds=thresholds,
            neascn_source=q.source,
            **texts("label", q.label), **texts("hint", q.hint),
            **texts("constraint_message", q.constraint_message),
        )
        survey.append(row(cells))

    write(definition.children)

    choices = wb.create_sheet("choices")
    choice_columns: dict[str, None] = {}
    for items in definition.choice_lists.values():
        for choice in items:
            choice_columns.update(dict.fromkeys(choice.extra))
            for kind in choice.media:
                choice_columns.update({f"{kind}::{language_header(c)}": None for c in languages})
    choices_header = ["list_name", "name"] + [f"label::{language_header(c)}" for c in languages]
    choices_header.append("score")
    choices_header += list(choice_columns)
    choices.append(choices_header)
    external = {q.choices for q in definition.questions
                if q.extra.get("xlsform_type") == "select_one_external"}
    external_sheet = wb.create_sheet(EXTERNAL_SHEET) if external else None
    if external_sheet is not None:
        external_sheet.append(choices_header)
    for list_name, items in definition.choice_lists.items():
        if _is_file_list(list_name):
            continue  # a list from a file travels as the file, not on this sheet
        sheet = external_sheet if list_name in external and external_sheet is not None else choices
        for choice in items:
            cells: dict[str, Any] = dict(choice.extra)
            for kind, text in choice.media.items():
                cells.update({f"{kind}::{language_header(c)}": text.get(c, "") for c in languages})
            sheet.append([list_name, choice.name]
                         + [choice.label.get(c, "") for c in languages]
                         + [_number_cell(choice.score) if choice.score is not None else None]
                         + [cells.get(key) or None for key in choice_columns])

    settings = wb.create_sheet("settings")
    settings_header = ["form_id", "version", "form_title", "default_language", "neascn_sources"]
    settings_header += [f"neascn_title::{language_header(c)}" for c in languages]
    settings_header += list(definition.settings)
    settings.append(settings_header)
    settings.append([
        definition.form_id, definition.version, definition.title_in(definition.default_language),
        language_header(definition.default_language), "\n".join(definition.sources),
    ] + [definition.title.get(c, "") for c in languages] + list(definition.settings.values()))

    if definition.domains:
        domains = wb.create_sheet(DOMAINS_SHEET)
        domains.append(["id", "weight"]
                       + [f"label::{language_header(c)}" for c in languages]
                       + [f"description::{language_header(c)}" for c in languages])
        for domain in definition.domains:
            domains.append([domain.id, _number_cell(domain.weight)]
                           + [domain.label.get(c, "") for c in languages]
                           + [domain.description.get(c, "") for c in languages])

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


# =========================================================================== import


@dataclass
class _Sheet:
    """One worksheet as rows of {column header: text}, with the Excel row number."""

    title: str
    headers: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_sheet(ws: Any) -> _Sheet:
    rows = ws.iter_rows(values_only=True)
    header_row = next(rows, None) or ()
    headers = [_cell_text(h) for h in header_row]
    sheet = _Sheet(title=ws.title, headers=headers)
    for number, values in enumerate(rows, start=2):
        record = {}
        for header, value in zip(headers, values, strict=False):
            if header:
                text = _cell_text(value)
                if text:
                    record[header] = text
        if record:
            sheet.rows.append((number, record))
    return sheet


def _split_header(header: str) -> tuple[str, str | None]:
    if "::" in header:
        base, suffix = header.split("::", 1)
        return base.strip().lower(), language_from_header(suffix)
    return header.strip().lower(), None


class _Importer:
    """Reads our own sheets, which pyxform does not look at (``neascn_domains``, ``external_choices``)."""

    def __init__(self, sheets: dict[str, _Sheet], fallback_id: str) -> None:
        self.sheets = sheets
        self.fallback_id = fallback_id
        settings = self._settings()
        self.settings = settings
        default = settings.get("default_language", "")
        self.default_language = language_from_header(default) if default else "en"

    def fail(self, sheet: str, row: int | None, column: str | None, reason: str) -> XLSFormError:
        return XLSFormError(sheet, row, column, reason)

    def _settings(self) -> dict[str, str]:
        sheet = self.sheets.get("settings")
        if sheet is None or not sheet.rows:
            return {}
        return {k.strip().lower() if "::" not in k else k: v for k, v in sheet.rows[0][1].items()}

    def texts(self, record: Mapping[str, str], base: str) -> dict[str, str]:
        """The multilingual texts of ``base`` (``label``, ``label::Korean (ko)`` ...) in a row."""
        result: dict[str, str] = {}
        for header, value in record.items():
            name, language = _split_header(header)
            if name != base:
                continue
            result[language or self.default_language] = value
        return result

    def number(self, sheet: str, row: int, column: str, text: str | None) -> float | None:
        if not text:
            return None
        try:
            return float(text)
        except ValueError:
            raise self.fail(sheet, row, column, _("“{value}” is not a number").format(
                value=text)) from None

    def domains(self, used: list[str]) -> list[dict[str, Any]]:
        sheet = self.sheets.get(DOMAINS_SHEET)
        domains: list[dict[str, Any]] = []
        if sheet is not None:
            for number, record in sheet.rows:
                domain_id = record.get("id")
                if not domain_id:
                    raise self.fail(DOMAINS_SHEET, number, "id", _("a domain needs an id"))
                weight = self.number(DOMAINS_SHEET, number, "weight", record.get("weight"))
                domains.append({
                    "id": domain_id, "label": self.texts(record, "label") or {"en": domain_id},
                    "description": self.texts(record, "description"),
                    "weight": 1.0 if weight is None else weight,
                })
        known = {d["id"] for d in domains}
        for domain_id in used:  # a domain named in the survey sheet but not described
            if domain_id not in known:
                known.add(domain_id)
                domains.append({"id": domain_id, "label": {"en": domain_id}, "description": {},
                                "weight": 1.0})
        return domains

def _sheets(path: Path, only: frozenset[str] | None = None) -> dict[str, _Sheet]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise XLSFormError(None, None, None, _("the file {path} does not exist").format(
            path=path)) from None
    except Exception as exc:  # noqa: BLE001 - a hostile file can make openpyxl raise anything
        raise XLSFormError(None, None, None, _(
            "{path} is not an Excel workbook (.xlsx) ({reason})").format(path=path, reason=exc)
        ) from None
    try:
        return {ws.title.strip().lower(): _read_sheet(ws) for ws in wb.worksheets
                if only is None or ws.title.strip().lower() in only}
    except XLSFormError:
        raise
    except Exception as exc:  # noqa: BLE001 - damaged sheet XML inside a valid ZIP
        raise XLSFormError(None, None, None, _(
            "{path} is a damaged Excel workbook ({reason})").format(path=path, reason=exc)
        ) from None
    finally:
        wb.close()


def _fallback_id(path: Path) -> str:
    fallback = re.sub(r"[^A-Za-z0-9_]", "_", path.stem) or "form"
    return fallback if re.match(r"[A-Za-z_]", fallback) else f"form_{fallback}"


def _used_domains(nodes: list[dict[str, Any]], found: list[str]) -> list[str]:
    for node in nodes:
        if "children" in node:
            _used_domains(node["children"], found)
        elif node.get("domain") and node["domain"] not in found:
            found.append(node["domain"])
    return found


def read_xlsform_reading(path: Path) -> XLSFormReading:
    """The definition document of an XLSForm file (read through pyxform) and its warnings."""
    path = Path(path)
    reading = read_with_pyxform(path, _fallback_id(path))
    used = _used_domains(reading.document["children"], [])
    sheets: dict[str, _Sheet] = {}
    if path.suffix.lower() == ".xlsx" and used:  # our own sheet, which pyxform does not read
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # already reported by the pyxform reading
            sheets = _sheets(path, frozenset({DOMAINS_SHEET}))
    reading.document["domains"] = _Importer(sheets, _fallback_id(path)).domains(used)
    return reading


def read_xlsform(path: Path) -> dict[str, Any]:
    """The definition document (dict) of an XLSForm file, before the definition's own checks."""
    return read_xlsform_reading(path).document


def import_xlsform_with_warnings(path: Path) -> tuple[SurveyDefinition, tuple[str, ...]]:
    """Read an XLSForm into a checked :class:`SurveyDefinition`, with pyxform's warnings (and
    the import's own about media files the form names but that are not there)."""
    result = import_xlsform_with_media(path)
    return result.definition, result.warnings


@dataclass(frozen=True)
class XLSFormWithMedia:
    """A form read with the media files it names: ``definition.media`` records them (name,
    hash, size, type), ``sources`` says where each was found (to be stored before the
    definition is)."""

    definition: SurveyDefinition
    warnings: tuple[str, ...]
    sources: Mapping[str, Path]


def import_xlsform_with_media(path: Path) -> XLSFormWithMedia:
    """Read an XLSForm and find the files it names beside it or in its ``-media`` folder."""
    from neascn_desktop.surveys.xlsform_media import collect_media

    path = Path(path)
    reading = read_xlsform_reading(path)
    try:
        definition = definition_from_dict(reading.document)
    except XLSFormError:
        raise
    except SurveyError as exc:
        raise _located(exc, reading) from None
    found = collect_media(definition, path)
    return XLSFormWithMedia(replace(definition, media=found.files),
                            tuple(dict.fromkeys(reading.warnings + found.warnings)), found.sources)


def _located(exc: SurveyError, reading: XLSFormReading) -> XLSFormError:
    """A refusal of the definition's own checks, at the sheet, row and column it concerns."""
    reason = exc.reason or str(exc)
    choice = re.fullmatch(r"choice_lists\.(.+?)(?:\[(\d+)\])?", exc.where)
    if choice:
        rows = reading.choice_rows.get(choice.group(1), ())
        index = int(choice.group(2) or 0)
        row = rows[index] if index < len(rows) else (rows[0] if rows else None)
        return XLSFormError("choices", row, exc.column or "name", reason)
    row = reading.survey_rows.get(exc.path)
    parts = exc.path.split("/")
    for i in range(1, len(parts) - 1):  # filled in from a loop's template row
        if row is None:
            row = reading.survey_rows.get("/".join(parts[:i] + parts[i + 1:]))
    if row is None and exc.path:  # else the nearest enclosing row
        parent = exc.path
        while row is None and "/" in parent:
            parent = parent.rsplit("/", 1)[0]
            row = reading.survey_rows.get(parent)
    return XLSFormError("survey", row, exc.column or "type", reason)


def import_xlsform(path: Path) -> SurveyDefinition:
    """Read an XLSForm file into a checked :class:`SurveyDefinition`."""
    return import_xlsform_with_warnings(path)[0]


def iter_survey_rows(path: Path) -> Iterator[dict[str, str]]:
    """Rows of the survey sheet as dicts (for tests and diagnostics)."""
    for _number, record in _sheets(Path(path))["survey"].rows:
        yield record
