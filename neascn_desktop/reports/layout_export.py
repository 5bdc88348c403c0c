"""Responses with repeats, in the layouts analysts load into Excel, R and Stata.

``flat``: one row per response, each repeat instance as numbered columns
(``projects[2]/budget``). ``central``: ODK Central's CSV export — a main table and one table
per repeat, joined by ``KEY``/``PARENT_KEY`` (``uuid:…/projects[2]``), names joined by ``-``,
geopoints split into ``-Latitude``/``-Longitude``/``-Altitude``/``-Accuracy``. ``kobo``:
KoboToolbox's (formpack's) export — a main table and one per repeat, joined by ``_index`` /
``_parent_table_name`` / ``_parent_index`` with the submission's ``_submission__id``,
``_submission__uuid`` … copied in, geopoints as ``_name_latitude`` …. A multiple choice is its
space-separated names plus one 0/1 column per option in every layout.  ``labels``: headers and
choice values as labels in that language instead of names.

CSV: one file per table (``<form>.csv``, ``<form>-<repeat>.csv``) in a ZIP when the path ends
in ``.zip``, in the folder when it is one, else beside the main file; XLSX: one sheet per table.
Streaming: responses are read once (twice for ``flat``, which first counts instances) and
written row by row; memory does not grow with their number.
"""

from __future__ import annotations

import csv
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from neascn_desktop.i18n import _
from neascn_desktop.reports.data_export import (
    _CHUNK,
    LEADING,
    TRAILING,
    ExportColumn,
    ExportResult,
    _replace,
    _row_builder,
    _safe_sheet_name,
    _temp_beside,
    _tick,
    codebook_rows,
    export_columns,
    xlsx_row,
)
from neascn_desktop.reports.errors import ReportError

LAYOUTS = ("flat", "central", "kobo")

Records = Callable[[], Iterable[tuple[str, Mapping[str, Any]]]]

_CENTRAL_MAIN_TRAILING = ("meta-instanceID", "KEY", "SubmitterName", "DeviceID", "Status",
                          "FormVersion")
_KOBO_COPIED = ("_id", "_uuid", "_submission_time", "_status", "_submitted_by", "__version__")
_GEO_TYPES = frozenset({"geopoint"})


# --------------------------------------------------------------------------- the tree walk


@dataclass(frozen=True)
class InstanceAt:
    """One repeat instance of a response: its repeat's path, 1-based position, answers, Central
    ``KEY`` path (``projects[2]/partners[1]``) and its parent's (``''`` for the response)."""

    repeat: str
    position: int
    answers: Mapping[str, Any]
    key: str
    parent_key: str


def walk_instances(definition: Any, answers: Mapping[str, Any]) -> Iterator[InstanceAt]:
    """Every repeat instance of one response, each before the instances nested in it."""
    from neascn_desktop.surveys.answer_tree import instances_of

    scopes = definition.answer_scopes

    def visit(scope: Any, values: Mapping[str, Any], parent_key: str,
              parent_path: str) -> Iterator[InstanceAt]:
        for repeat_key, repeat in scope.repeats.items():
            segment = repeat.path[len(parent_path) + 1:] if parent_path else repeat.path
            for i, instance in enumerate(instances_of(values, repeat_key)):
                key = f"{parent_key}/{segment}[{i + 1}]" if parent_key else f"{segment}[{i + 1}]"
                yield InstanceAt(repeat.path, i + 1, instance, key, parent_key)
                yield from visit(scopes[repeat.path], instance, key, repeat.path)

    yield from visit(scopes[""], answers, "", "")


# --------------------------------------------------------------------------- columns


@dataclass
class _Field:
    """A question's columns inside one table."""

    question: Any
    key: str  # the stored answer key in its scope
    name: str  # the column name (path below the table, joined by the layout's separator)
    headers: list[str] = field(default_factory=list)
    options: list[str] = field(default_factory=list)
    geo: bool = False


@dataclass
class _Table:
    path: str  # '' for the responses, else the repeat's path
    repeat: Any
    name: str
    parent: _Table | None
    fields: list[_Field]
    headers: list[str] = field(default_factory=list)
    counter: int = 0  # Kobo's _index


class _Layout:
    def __init__(self, definition: Any, layout: str, labels: str | None,
                 group_paths: bool) -> None:
        self.definition = definition
        self.layout = layout
        self.labels = labels
        self.group_paths = group_paths or layout == "central"
        self.sep = "-" if layout == "central" else "/"
        self.scopes = definition.answer_scopes

    # -- naming

    def label(self, node: Any) -> str:
        assert self.labels is not None
        return node.label_in(self.labels, self.definition.default_language) or node.name

    def column_name(self, question: Any, table_path: str) -> str:
        if self.labels is not None:
            return self.label(question)
        below = question.path[len(table_path) + 1:] if table_path else question.path
        if not below:
            below = question.name
        return below.replace("/", self.sep) if self.group_paths else question.name

    def fields_of(self, table_path: str) -> list[_Field]:
        scope = self.scopes[table_path]
        found = []
        for key, question in scope.questions.items():
            # Notes hold nothing; start/end are the response's own leading columns.
            if question.type == "note" or (not table_path and question.name in LEADING):
                continue
            f = _Field(question, key, self.column_name(question, table_path))
            if question.type == "select_multiple":
                f.options = [c.name for c in self.definition.choices_for(question)]
            f.geo = question.type in _GEO_TYPES
            f.headers = self.field_headers(f)
            found.append(f)
        return found

    def field_headers(self, f: _Field) -> list[str]:
        name = f.name
        if f.geo:
            if self.layout == "central":
                return [f"{name}-{part}" for part in ("Latitude", "Longitude", "Altitude",
                                                      "Accuracy")]
            return [name] + [f"_{name}_{part}" for part in ("latitude", "longitude", "altitude",
                                                             "precision")]
        headers = [name]
        for option in f.options:
            if self.labels is not None:
                choice = self.definition.choice(f.question, option)
                option = choice.label_in(self.labels, self.definition.default_language) \
                    if choice else option
            headers.append(f"{name}{self.sep}{option}")
        return headers

    # -- cells

    def cells(self, f: _Field, value: Any, typed: bool) -> list[Any]:
        if value is None or value == "" or value == []:
            return [None] * len(f.headers)
        q = f.question
        if f.geo:
            parts = str(value).split()
            numbers: list[Any] = [_number(p, typed) for p in parts[:4]]
            numbers += [None] * (4 - len(numbers))
            return numbers if self.layout == "central" else [value, *numbers]
        if f.options:
            chosen = value if isinstance(value, list) else str(value).split()
            one, zero = (1, 0) if typed else ("1", "0")
            text = " ".join(self.choice_text(q, name) for name in chosen)
            return [text, *((one if option in chosen else zero) for option in f.options)]
        if q.type in ("select_one", "yes_no", "scale") and self.labels is not None:
            return [self.choice_text(q, str(value))]
        if isinstance(value, list):
            return [" ".join(map(str, value))]
        if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
            return [int(value)]  # a decimal answer of 60 reads "60", as ODK writes it
        if not isinstance(value, str | int | float):
            return [str(value)]  # nothing but plain values reaches a cell
        return [value]

    def choice_text(self, question: Any, name: str) -> str:
        if self.labels is None:
            return name
        choice = self.definition.choice(question, name)
        return choice.label_in(self.labels, self.definition.default_language) if choice else name


def _number(text: str, typed: bool) -> Any:
    if not typed:
        return text
    try:
        return float(text)
    except ValueError:
        return text


# --------------------------------------------------------------------------- outputs


class _Sink:
    """Where the tables go: CSV files (zipped, in a folder or beside the main file) or sheets."""

    def __init__(self, path: Path, fmt: str, tables: Sequence[_Table], bom: bool = False) -> None:
        self.path = path
        self.fmt = fmt
        self.tables = tables
        self.temps: list[Path] = []
        self.targets: list[Path] = []
        self.handles: list[Any] = []
        self.writers: dict[str, Any] = {}
        self.zip = fmt == "csv" and path.suffix.lower() == ".zip"
        self.folder = fmt == "csv" and path.is_dir()
        if fmt == "xlsx":
            from openpyxl import Workbook

            self.workbook = Workbook(write_only=True)
            used: set[str] = set()
            for table in tables:
                name = _safe_sheet_name(table.name)
                base, n = name, 2
                while name.lower() in used:
                    suffix = f"_{n}"
                    name, n = base[: 31 - len(suffix)] + suffix, n + 1
                used.add(name.lower())
                sheet = self.workbook.create_sheet(name)
                sheet.freeze_panes = "A2"
                sheet.append(table.headers)
                self.writers[table.path] = sheet
            return
        anchor = path if not self.folder else path / "x.csv"
        for table in tables:
            file_name = f"{table.name}.csv"
            if self.zip or self.folder:
                target = (path / file_name) if self.folder else Path(file_name)
            elif table.path == "":
                target = path
            else:
                target = path.with_name(f"{path.stem}-{_file_part(table.name)}.csv")
            temp = _temp_beside(anchor, ".csv")
            self.temps.append(temp)
            self.targets.append(target)
            handle = temp.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="")
            self.handles.append(handle)
            writer = csv.writer(handle)
            writer.writerow(table.headers)
            self.writers[table.path] = writer

    def write(self, table: _Table, row: list[Any]) -> None:
        writer = self.writers[table.path]
        if self.fmt == "xlsx":
            writer.append(xlsx_row(writer, row))
        else:
            writer.writerow(row)

    def finish(self) -> list[Path]:
        if self.fmt == "xlsx":
            temp = _temp_beside(self.path, ".xlsx")
            self.temps.append(temp)
            self.workbook.save(temp)
            _replace(temp, self.path)
            return [self.path]
        for handle in self.handles:
            handle.close()
        if self.zip:
            temp = _temp_beside(self.path, ".zip")
            self.temps.append(temp)
            with zipfile.ZipFile(temp, "w", zipfile.ZIP_DEFLATED) as archive:
                for source, target in zip(self.temps, self.targets, strict=False):
                    archive.write(source, target.name)
            _replace(temp, self.path)
            for source in self.temps:
                source.unlink(missing_ok=True)
            return [self.path]
        for source, target in zip(self.temps, self.targets, strict=False):
            _replace(source, target)
        return list(self.targets)

    def abandon(self) -> None:
        for handle in self.handles:
            handle.close()
        for temp in self.temps:
            temp.unlink(missing_ok=True)


def _file_part(name: str) -> str:
    return "".join("_" if ch in '<>:"/\\|?*' else ch for ch in name)


# --------------------------------------------------------------------------- the writer


def _metadata(payload: Mapping[str, Any], submission_id: str) -> dict[str, Any]:
    updated = payload.get("updated_at")
    return {"start": payload.get("started_at"), "end": updated,
            "submitted": payload.get("finalized_at") or updated, "status": payload.get("status"),
            "by": payload.get("enumerator"), "device": payload.get("device_id"),
            "version": payload.get("form_version"), "id": submission_id,
            "city_id": payload.get("city_id")}


def write_layout(definition: Any, records: Records, path: Path, fmt: str, layout: str, *,
                 city_names: Mapping[str, str] | None = None, labels: str | None = None,
                 group_paths: bool = False, progress: Callable[..., None] | None = None,
                 total: int = 0, is_cancelled: Callable[[], bool] | None = None,
                 bom: bool = False, language: str = "en") -> ExportResult:
    """Write every response of ``records()`` in ``layout`` (flat|central|kobo) as ``fmt``;
    ``bom``: CSV files start with UTF-8's byte-order mark (for Excel)."""
    if layout not in LAYOUTS:
        raise ReportError(_("Unknown export layout {layout}; use flat, central or kobo.").format(
            layout=layout))
    if labels is not None and labels not in definition.languages:
        raise ReportError(_("The survey {form} has no labels in “{language}”; it has: "
                            "{languages}.").format(form=definition.form_id, language=labels,
                                                   languages=", ".join(definition.languages)))
    names = _Layout(definition, layout, labels, group_paths)
    city_names = city_names or {}
    typed = fmt == "xlsx"
    if layout == "flat":
        return _write_flat(definition, names, records, path, fmt, city_names, typed, progress,
                           total, is_cancelled, bom, language)
    tables = _tables(definition, names, layout)
    by_path = {t.path: t for t in tables}
    sink = _Sink(path, fmt, tables, bom)
    rows = 0
    try:
        for submission_id, payload in records():
            rows += 1
            answers = payload.get("answers") or {}
            attachments = payload.get("attachments") or {}
            meta = _metadata(payload, submission_id)
            main = by_path[""]
            main.counter += 1
            sink.write(main, _main_row(names, main, answers, attachments, meta, city_names,
                                       typed, rows))
            parent_index: dict[str, int] = {"": main.counter}
            for at in walk_instances(definition, answers):
                table = by_path[at.repeat]
                table.counter += 1
                parent_index[at.key] = table.counter
                sink.write(table, _instance_row(names, table, at, attachments, meta, typed,
                                                parent_index))
            if rows % _CHUNK == 0:
                _tick(rows, total, progress, is_cancelled)
        written = sink.finish()
    except BaseException:
        sink.abandon()
        raise
    return ExportResult(path, None, fmt, definition.form_id, definition.version, rows,
                        sum(len(t.headers) for t in tables), files=tuple(written))


def _tables(definition: Any, names: _Layout, layout: str) -> list[_Table]:
    tables: list[_Table] = []

    def add(path: str, repeat: Any, parent: _Table | None) -> None:
        if repeat is None:
            name = definition.form_id
        elif layout == "central":
            name = f"{definition.form_id}-{repeat.name}"
        else:
            name = repeat.name
        table = _Table(path, repeat, name, parent, names.fields_of(path))
        field_headers = [h for f in table.fields for h in f.headers]
        if repeat is None:
            if layout == "central":
                table.headers = ["SubmissionDate", *LEADING, *field_headers,
                                 *_CENTRAL_MAIN_TRAILING]
            else:
                table.headers = [*LEADING, *field_headers, *TRAILING]
        elif layout == "central":
            table.headers = [*field_headers, "PARENT_KEY", "KEY"]
        else:
            table.headers = [*field_headers, "_index", "_parent_table_name", "_parent_index",
                             *(f"_submission_{c}" for c in _KOBO_COPIED)]
        tables.append(table)
        for child in names.scopes[path].repeats.values():
            add(child.path, child, table)

    add("", None, None)
    return tables


def _values(names: _Layout, table: _Table, answers: Mapping[str, Any],
            attachments: Mapping[str, Any], prefix: str, typed: bool) -> list[Any]:
    out: list[Any] = []
    for f in table.fields:
        value = answers.get(f.key)
        if f.question.type == "attachment" and value:
            info = attachments.get(f"{prefix}{f.key}") or attachments.get(f.key)
            if isinstance(info, Mapping) and info.get("filename"):
                value = info["filename"]
        out.extend(names.cells(f, value, typed))
    return out


def _main_row(names: _Layout, table: _Table, answers: Mapping[str, Any],
              attachments: Mapping[str, Any], meta: Mapping[str, Any],
              city_names: Mapping[str, str], typed: bool, index: int) -> list[Any]:
    values = _values(names, table, answers, attachments, "", typed)
    leading = [meta["start"], meta["end"], meta["city_id"], city_names.get(meta["city_id"], "")]
    sid = meta["id"]
    if names.layout == "central":
        return [meta["submitted"], *leading, *values, f"uuid:{sid}", f"uuid:{sid}", meta["by"],
                meta["device"], meta["status"], meta["version"]]
    return [*leading, *values, f"uuid:{sid}", sid, sid, meta["submitted"], meta["status"],
            meta["by"], meta["device"], meta["version"], index]


def _instance_row(names: _Layout, table: _Table, at: InstanceAt,
                  attachments: Mapping[str, Any], meta: Mapping[str, Any], typed: bool,
                  parent_index: Mapping[str, int]) -> list[Any]:
    from neascn_desktop.surveys.answer_tree import INSTANCE_ID

    instance_id = at.answers.get(INSTANCE_ID)
    prefix = f"{table.repeat.path}[@id={instance_id}]/" if instance_id else ""
    values = _values(names, table, at.answers, attachments, prefix, typed)
    sid = meta["id"]
    if names.layout == "central":
        parent = f"uuid:{sid}/{at.parent_key}" if at.parent_key else f"uuid:{sid}"
        return [*values, parent, f"uuid:{sid}/{at.key}"]
    parent_table = table.parent.name if table.parent is not None else ""
    return [*values, table.counter, parent_table, parent_index[at.parent_key], sid, sid,
            meta["submitted"], meta["status"], meta["by"], meta["version"]]


# --------------------------------------------------------------------------- flat


def _write_flat(definition: Any, names: _Layout, records: Records, path: Path, fmt: str,
                city_names: Mapping[str, str], typed: bool,
                progress: Callable[..., None] | None, total: int,
                is_cancelled: Callable[[], bool] | None, bom: bool,
                language: str) -> ExportResult:
    """One row per response: the columns of the export without repeats (or, with labels, the
    labelled ones), each instance as numbered columns before the trailing metadata (a first
    pass counts the instances), and the codebook."""
    most: dict[str, int] = {}
    for _submission_id, payload in records():
        for at in walk_instances(definition, payload.get("answers") or {}):
            if at.position > most.get(at.repeat, 0):
                most[at.repeat] = at.position
    base_columns = export_columns(definition, names.group_paths)
    main_fields = names.fields_of("")
    if names.labels is None:
        build = _row_builder(base_columns, definition, city_names, typed)
        leading = [c.header for c in base_columns[: -len(TRAILING)]]
    else:
        leading = [*LEADING, *(h for f in main_fields for h in f.headers)]
    columns: list[tuple[str, _Field]] = []  # (instance key, field)
    numbered_headers: list[str] = []
    book_columns: list[ExportColumn] = []

    def numbered(scope_path: str, prefix: str, words: str) -> None:
        for repeat in names.scopes[scope_path].repeats.values():
            segment = repeat.path[len(scope_path) + 1:] if scope_path else repeat.path
            for i in range(1, most.get(repeat.path, 0) + 1):
                key = f"{prefix}{segment}[{i}]"
                shown = (f"{words}{names.label(repeat)} {i} › " if names.labels is not None
                         else f"{key}/")
                for f in names.fields_of(repeat.path):
                    columns.append((key, f))
                    numbered_headers.extend(f"{shown}{h}" for h in f.headers)
                    question = f.question.key or f.question.name
                    for j, header in enumerate(f.headers):
                        option = f.options[j - 1] if f.options and j else None
                        book_columns.append(ExportColumn(f"{shown}{header}", question, option))
                numbered(repeat.path, f"{key}/", shown if names.labels is not None else "")

    numbered("", "", "")
    headers = [*leading, *numbered_headers, *TRAILING]
    table = _Table("", None, definition.form_id, None, main_fields, headers)
    book_rows = codebook_rows(definition, [*base_columns[: -len(TRAILING)], *book_columns,
                                           *base_columns[-len(TRAILING):]], language)
    codebook = _Table("#codebook", None, "codebook", None, [], book_rows[0])
    tables = [table] + ([codebook] if fmt == "xlsx" else [])
    sink = _Sink(path, fmt, tables, bom)
    rows = 0
    try:
        for submission_id, payload in records():
            rows += 1
            answers = payload.get("answers") or {}
            meta = _metadata(payload, submission_id)
            if names.labels is None:
                whole = build(rows, submission_id, payload)
                row, trailing = whole[: -len(TRAILING)], whole[-len(TRAILING):]
            else:
                row = [meta["start"], meta["end"], meta["city_id"],
                       city_names.get(meta["city_id"], "")]
                row += _values(names, table, answers, payload.get("attachments") or {}, "",
                               typed)
                sid = meta["id"]
                trailing = [f"uuid:{sid}", sid, sid, meta["submitted"], meta["status"],
                            meta["by"], meta["device"], meta["version"], rows]
            found = {at.key: at for at in walk_instances(definition, answers)}
            for key, f in columns:
                instance = found.get(key)
                row.extend(names.cells(f, instance.answers.get(f.key) if instance else None,
                                       typed))
            sink.write(table, row + trailing)
            if rows % _CHUNK == 0:
                _tick(rows, total, progress, is_cancelled)
        if fmt == "xlsx":
            for book_row in book_rows[1:]:
                sink.write(codebook, book_row)
        written = sink.finish()
    except BaseException:
        sink.abandon()
        raise
    codebook_path: Path | None = None
    if fmt == "csv" and written:
        main = written[0]
        codebook_path = main.with_name(f"{main.stem}.codebook.csv")
        temp = _temp_beside(main, ".csv")
        try:
            with temp.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
                csv.writer(handle).writerows(book_rows)
            _replace(temp, codebook_path)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        written = [*written, codebook_path]
    return ExportResult(path, codebook_path, fmt, definition.form_id, definition.version, rows,
                        len(headers), files=tuple(written))


def has_repeats(definition: Any) -> bool:
    return any(g.kind == "repeat" for g in definition.groups)


__all__ = ["LAYOUTS", "InstanceAt", "has_repeats", "walk_instances", "write_layout"]
