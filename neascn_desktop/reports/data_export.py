"""Submissions of one survey version to CSV or XLSX, in the column layout of ODK and KoboToolbox.

One row per submission, one column per question named by its XLSForm name
(``group/name`` with ``group_paths=True``, as Kobo's "include groups"), a
multiple choice as its space-separated choice names plus one 0/1 column per
option (``name/option``, as both ODK and Kobo split them), then the metadata
columns Kobo puts last (``meta/instanceID``, ``_id``, ``_uuid``,
``_submission_time``, ``_status``, ``_submitted_by``, ``_version``, ``_index``).
A codebook (column, question, label, type, choices, domain) goes in a second
sheet, or next to a CSV as ``<name>.codebook.csv``.

Streaming: submissions are read from the revision log in chunks and written
row by row (``csv`` / openpyxl's write-only mode), so memory does not grow
with the number of submissions.  Exported are the saved revisions (what other
devices see), not unsaved working copies.  Files are written to a temporary
name and renamed at the end.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from neascn_desktop.i18n import _
from neascn_desktop.reports.errors import ReportCancelled, ReportError, write_failed

FORMATS = ("csv", "xlsx")
_CHUNK = 2000

#: Columns before the questions (ODK's start/end; the city is our form's subject).
LEADING = ("start", "end", "city_id", "city_name")
#: Metadata after the questions, Kobo's names.
TRAILING = ("meta/instanceID", "_id", "_uuid", "_submission_time", "_status", "_submitted_by",
            "_device_id", "_version", "_index")


@dataclass(frozen=True)
class ExportColumn:
    """One column: a question's value, one option of a multiple choice, or metadata."""

    header: str
    question: str | None = None
    option: str | None = None


@dataclass(frozen=True)
class ExportResult:
    path: Path
    codebook_path: Path | None
    format: str
    form_id: str
    form_version: str
    rows: int
    columns: int
    #: Every file written (several for a CSV with one file per repeat).
    files: tuple[Path, ...] = ()


def export_columns(definition: Any, group_paths: bool = False) -> list[ExportColumn]:
    """The columns for a survey definition, in form order (notes hold no answers: left out)."""
    columns = [ExportColumn(name) for name in LEADING]
    for section, question in definition.walk():
        if question.type == "note":
            continue
        # A name used in two groups is answered under its path (``Question.key``).
        key = question.key or question.name
        header = f"{section.name}/{question.name}" if group_paths else key
        columns.append(ExportColumn(header, key))
        if question.type == "select_multiple":
            for choice in definition.choices_for(question):
                columns.append(ExportColumn(f"{header}/{choice.name}", key, choice.name))
    columns += [ExportColumn(name) for name in TRAILING]
    return columns


def _row_builder(columns: Sequence[ExportColumn], definition: Any, city_names: Mapping[str, str],
                 typed: bool) -> Callable[[int, str, Mapping[str, Any]], list[Any]]:
    """A fast function (index, submission id, payload) -> the row's cells.

    The question cells come from one ``map(answers.get, keys)`` (a C loop);
    only the few multiple-choice, option and attachment cells are touched
    afterwards.  ``typed`` (XLSX) gives options as ints; for CSV, ``None`` is
    written as an empty cell by the csv module itself.
    """
    one, zero = (1, 0) if typed else ("1", "0")
    attachment_questions = {q.key or q.name for q in definition.questions
                            if q.type == "attachment"}
    multiple = {q.key or q.name for q in definition.questions if q.type == "select_multiple"}
    question_columns = [c for c in columns if c.question is not None]
    keys = [c.question for c in question_columns]
    joins = [i for i, c in enumerate(question_columns) if c.option is None and c.question in multiple]
    options = [(i, c.option) for i, c in enumerate(question_columns) if c.option is not None]
    files = [(i, c.question) for i, c in enumerate(question_columns)
             if c.option is None and c.question in attachment_questions]
    leading = [c.header for c in columns[: len(LEADING)]]
    assert leading == list(LEADING) and [c.header for c in columns[-len(TRAILING):]] == list(TRAILING)

    def build(index: int, submission_id: str, payload: Mapping[str, Any]) -> list[Any]:
        answers = payload.get("answers") or {}
        values = list(map(answers.get, keys))
        for i in joins:
            value = values[i]
            if isinstance(value, list):
                values[i] = " ".join(value)
        for i, option in options:
            value = values[i]
            if value is not None:
                values[i] = one if option in value else zero
        if files:
            attachments = payload.get("attachments") or {}
            for i, name in files:
                info = attachments.get(name)
                if isinstance(info, Mapping) and info.get("filename"):
                    values[i] = info["filename"]
        city_id = payload.get("city_id")
        updated = payload.get("updated_at")
        return [
            payload.get("started_at"), updated, city_id, city_names.get(city_id, ""),  # type: ignore[arg-type]
            *values,
            f"uuid:{submission_id}", submission_id, submission_id,
            payload.get("finalized_at") or updated, payload.get("status"),
            payload.get("enumerator"), payload.get("device_id"), payload.get("form_version"),
            index,
        ]

    return build


def codebook_rows(definition: Any, columns: Sequence[ExportColumn], language: str) -> list[list[str]]:
    """Header and rows of the codebook: column, question, label, type, choices, domain."""
    rows = [[_("column"), _("question"), _("label"), _("type"), _("choices"), _("domain")]]
    for column in columns:
        if column.question is None:
            rows.append([column.header, "", "", "metadata", "", ""])
            continue
        question = definition.question(column.question)
        label = question.label_in(language)
        if column.option is not None:
            choice = definition.choice(question, column.option)
            option_label = choice.label_in(language) if choice else column.option
            rows.append([column.header, question.name, f"{label}: {option_label}", "0/1", "", ""])
            continue
        choices = "; ".join(f"{c.name}={c.label_in(language)}" for c in definition.choices_for(question))
        domain = definition.domain(question.domain) if question.domain else None
        rows.append([column.header, question.name, label, question.type, choices,
                     domain.label_in(language) if domain else ""])
    return rows


# --------------------------------------------------------------------------- reading


def iter_submission_payloads(db: Any, form_id: str, form_version: str,
                             chunk: int = _CHUNK) -> Iterator[tuple[str, dict[str, Any]]]:
    """(submission id, payload) of every current submission of one form version, streamed."""
    from sqlalchemy import select

    from neascn_desktop.replica.tables import current_table, revision_table

    query = (
        select(current_table.c.entity_id, revision_table.c.payload)
        .join(revision_table, revision_table.c.id == current_table.c.revision_id)
        .where(current_table.c.entity_type == "submission")
        .order_by(current_table.c.entity_id)
    )
    # Canonical JSON has no spaces: a cheap test skips other versions before parsing.
    needle = json.dumps(form_version, ensure_ascii=False)
    with db.engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=chunk).execute(query)
        for entity_id, raw in result:
            if needle not in raw:
                continue
            payload = json.loads(raw)
            if payload.get("form_id") == form_id and payload.get("form_version") == form_version:
                yield entity_id, payload


def count_submissions(db: Any) -> int:
    from sqlalchemy import func, select

    from neascn_desktop.replica.tables import current_table

    with db.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(current_table).where(
            current_table.c.entity_type == "submission")).scalar() or 0)


# --------------------------------------------------------------------------- writing


def _temp_beside(path: Path, suffix: str) -> Path:
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ReportError(_("The folder {path} does not exist.").format(path=folder))
    handle, name = tempfile.mkstemp(prefix=".export-", suffix=suffix, dir=folder)
    os.close(handle)
    return Path(name)


def write_csv(definition: Any, records: Iterable[tuple[str, Mapping[str, Any]]], path: Path, *,
              city_names: Mapping[str, str] | None = None, language: str = "en",
              group_paths: bool = False, codebook: bool = True, bom: bool = False,
              progress: Callable[..., None] | None = None, total: int = 0,
              is_cancelled: Callable[[], bool] | None = None) -> ExportResult:
    """``bom``: start with UTF-8's byte-order mark, without which Excel reads the file in the
    Windows code page (Hangul, Chinese and Mongolian garbled); ODK/Kobo tools want none."""
    columns = export_columns(definition, group_paths)
    build = _row_builder(columns, definition, city_names or {}, typed=False)
    encoding = "utf-8-sig" if bom else "utf-8"
    temp = _temp_beside(path, ".csv")
    codebook_path = path.with_name(f"{path.stem}.codebook.csv") if codebook else None
    codebook_temp: Path | None = None
    rows = 0
    try:
        with temp.open("w", encoding=encoding, newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow([c.header for c in columns])
            batch: list[list[Any]] = []
            for submission_id, payload in records:
                rows += 1
                batch.append(build(rows, submission_id, payload))
                if len(batch) >= _CHUNK:
                    writer.writerows(batch)
                    batch.clear()
                    _tick(rows, total, progress, is_cancelled)
            writer.writerows(batch)
        if codebook_path is not None:
            codebook_temp = _temp_beside(path, ".csv")
            with codebook_temp.open("w", encoding=encoding, newline="") as handle:
                csv.writer(handle).writerows(codebook_rows(definition, columns, language))
        # Both files are complete before either replaces anything (one open in Excel stops both).
        _replace(temp, path)
        if codebook_temp is not None and codebook_path is not None:
            _replace(codebook_temp, codebook_path)
    except BaseException:
        temp.unlink(missing_ok=True)
        if codebook_temp is not None:
            codebook_temp.unlink(missing_ok=True)
        raise
    return ExportResult(path, codebook_path, "csv", definition.form_id, definition.version, rows,
                        len(columns), files=(path,) + ((codebook_path,) if codebook_path else ()))


def _replace(temp: Path, path: Path) -> None:
    try:
        os.replace(temp, path)
    except OSError as exc:  # Windows: the target is open in Excel (a sharing violation)
        raise write_failed(path, exc) from exc


def write_xlsx(definition: Any, records: Iterable[tuple[str, Mapping[str, Any]]], path: Path, *,
               city_names: Mapping[str, str] | None = None, language: str = "en",
               group_paths: bool = False, progress: Callable[..., None] | None = None,
               total: int = 0, is_cancelled: Callable[[], bool] | None = None) -> ExportResult:
    from openpyxl import Workbook

    columns = export_columns(definition, group_paths)
    build = _row_builder(columns, definition, city_names or {}, typed=True)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_safe_sheet_name(definition.form_id))
    sheet.freeze_panes = "A2"
    sheet.append([c.header for c in columns])
    rows = 0
    temp = _temp_beside(path, ".xlsx")
    try:
        for submission_id, payload in records:
            rows += 1
            sheet.append(xlsx_row(sheet, build(rows, submission_id, payload)))
            if rows % _CHUNK == 0:
                _tick(rows, total, progress, is_cancelled)
        book = workbook.create_sheet("codebook")
        for row in codebook_rows(definition, columns, language):
            book.append(row)
        workbook.save(temp)
        _replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return ExportResult(path, None, "xlsx", definition.form_id, definition.version, rows,
                        len(columns), files=(path,))


def xlsx_row(sheet: Any, row: list[Any]) -> list[Any]:
    """A row for openpyxl with every text kept as text: an answer starting with "=" would
    otherwise become a formula (``=HYPERLINK(…)`` from a package runs in the analyst's Excel)."""
    if not any(isinstance(v, str) and v.startswith("=") for v in row):
        return row
    from openpyxl.cell import WriteOnlyCell

    out: list[Any] = []
    for value in row:
        if isinstance(value, str) and value.startswith("="):
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            out.append(cell)
        else:
            out.append(value)
    return out


def _safe_sheet_name(name: str) -> str:
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in name)
    return cleaned[:31] or "submissions"


def _tick(rows: int, total: int, progress: Callable[..., None] | None,
          is_cancelled: Callable[[], bool] | None) -> None:
    if is_cancelled is not None and is_cancelled():
        raise ReportCancelled()
    if progress is not None:
        progress(rows, max(total, rows), _("Exported {count} responses").format(count=rows))


# --------------------------------------------------------------------------- the use case


def export_responses(
    db: Any,
    path: Path,
    fmt: str,
    form_version: str | None = None,
    progress: Callable[..., None] | None = None,
    *,
    form_id: str | None = None,
    language: str = "en",
    group_paths: bool = False,
    is_cancelled: Callable[[], bool] | None = None,
    bom: bool = False,
    layout: str = "flat",
    labels: str | None = None,
) -> ExportResult:
    """Export every submission of a survey version (default: the newest) as ``fmt`` (csv|xlsx);
    ``bom``: a CSV for Excel (UTF-8 with byte-order mark); ``layout``: flat, central or kobo
    (:mod:`neascn_desktop.reports.layout_export`); ``labels``: headers and choices as labels
    in that language."""
    from neascn_desktop.surveys.definition import BUILTIN_FORM_ID
    from neascn_desktop.surveys.service import get_definition, list_cities

    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise ReportError(_("Unknown export format {format}; use csv or xlsx.").format(format=fmt))
    definition = get_definition(db, form_id or BUILTIN_FORM_ID, form_version)
    city_names = {c.id: c.name_in(language) for c in list_cities(db)}
    total = count_submissions(db)
    from neascn_desktop.reports.layout_export import LAYOUTS, has_repeats, write_layout

    if layout not in LAYOUTS:
        raise ReportError(_("Unknown export layout {layout}; use flat, central or kobo.").format(
            layout=layout))
    if layout != "flat" or labels is not None or has_repeats(definition):
        result = write_layout(
            definition, lambda: iter_submission_payloads(db, definition.form_id,
                                                         definition.version),
            Path(path), fmt, layout, city_names=city_names, labels=labels,
            group_paths=group_paths, progress=progress, total=total, is_cancelled=is_cancelled,
            bom=bom, language=language)
        if progress is not None:
            progress(result.rows, max(result.rows, 1), "")
        return result
    records = iter_submission_payloads(db, definition.form_id, definition.version)
    if fmt == "csv":
        result = write_csv(definition, records, Path(path), city_names=city_names,
                           language=language, group_paths=group_paths, progress=progress,
                           total=total, is_cancelled=is_cancelled, bom=bom)
    else:
        result = write_xlsx(definition, records, Path(path), city_names=city_names,
                            language=language, group_paths=group_paths, progress=progress,
                            total=total, is_cancelled=is_cancelled)
    if progress is not None:
        progress(result.rows, max(result.rows, 1), "")
    return result
