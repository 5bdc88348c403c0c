"""Form media: the files an XLSForm names, which belong to the survey version.

A form names files in four places: ``select_one_from_file X.csv`` (and ``.xml``, ``.geojson``),
``pulldata('X', …)`` and the ``search('X')`` appearance (``X.csv``), and the ``media::image``,
``media::audio``, ``media::video`` and ``media::big-image`` columns of questions and choices.
On import they are looked up beside the form or in its ``<form>-media/`` folder (ODK's layout),
stored content-addressed in the attachments folder and recorded in the definition by name,
SHA-256, size and media type (``docs/xlsform.md``); packages carry them as attachments.

Everything here reads untrusted bytes (the files beside a form, or files that came in a
package): names are plain file names, sizes are bounded, parsers never raise past this module.
"""

from __future__ import annotations

import csv
import io
import json
import mimetypes
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from neascn_desktop.surveys.definition import SurveyDefinition

#: At most this many files per survey version, each at most this large, all together at most.
MAX_MEDIA_FILES = 500
MAX_MEDIA_BYTES = 64 * 1024 * 1024
MAX_MEDIA_TOTAL = 256 * 1024 * 1024
#: The longest media file name (a key of the definition's ``media``; packages allow 200).
MAX_NAME = 200
#: A list from a file longer than this is not copied into the definition (whose lists travel
#: in packages bounded to 20,000 items): its choices are read from the stored file.
MAX_EMBEDDED_CHOICES = 10_000
#: The ``texts`` / choice ``media`` keys that name a file.
MEDIA_KEYS = ("media::image", "media::big-image", "media::audio", "media::video")
#: What a form uses a file for: a choice list, a data table (``pulldata``/``search``), media.
LIST, DATA, MEDIA = "list", "data", "media"

_HEX64 = re.compile(r"[0-9a-f]{64}")
_FORBIDDEN = set('/\\:*?"<>|')
_WINDOWS_RESERVED = re.compile(r"(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?", re.IGNORECASE)
_PULLDATA = re.compile(r"""pulldata\s*\(\s*(['"])([^'"]+)\1""")
_SEARCH = re.compile(r"""search\s*\(\s*(['"])([^'"]+)\1""")
_FILE_LIST = re.compile(r".+\.(csv|xml|geojson)", re.IGNORECASE)
#: Prefixes older forms write before a media file name (pyxform adds them itself).
_JR_PREFIX = re.compile(r"jr://(images|audio|video|file|file-csv)/", re.IGNORECASE)


@dataclass(frozen=True)
class MediaFile:
    """One form media file, by the name the form gives it."""

    name: str
    sha256: str
    size: int
    media_type: str

    def to_dict(self) -> dict[str, Any]:
        return {"sha256": self.sha256, "size": self.size, "media_type": self.media_type}


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot name a form media file (``None`` when it can): a plain file name,
    no folder, nothing a file system would read as a path or a device, at most 200 characters
    (the longest key a record in a package may have)."""
    from neascn_desktop.i18n import _

    if not name or len(name) > MAX_NAME:
        return _("a file name has 1 to {limit} characters").format(limit=MAX_NAME)
    if (name.startswith(".") or name != name.strip() or name.endswith(".")
            or _WINDOWS_RESERVED.fullmatch(name)
            or any(ch in _FORBIDDEN or not ch.isprintable() for ch in name)):
        shown = "".join(ch if ch.isprintable() else "?" for ch in name)
        return _("“{name}” is not a plain file name").format(name=shown)
    return None


def is_content_hash(value: Any) -> bool:
    return isinstance(value, str) and bool(_HEX64.fullmatch(value))


def plain_name(value: str) -> str:
    """A media file name as the form writes it, without an old ``jr://images/`` prefix."""
    return _JR_PREFIX.sub("", value.strip(), count=1)


def data_file(instance: str) -> str:
    """``pulldata('fruits', …)`` and ``search('fruits')`` read ``fruits.csv``."""
    return instance if instance.lower().endswith(".csv") else f"{instance}.csv"


# --------------------------------------------------------------------------- what a form names


def referenced(definition: SurveyDefinition) -> dict[str, str]:
    """Every file the form names, by name, with what it is used for (``LIST``, ``DATA``,
    ``MEDIA``), in form order."""
    found: dict[str, str] = {}
    for question in definition.questions:
        if question.choices and _FILE_LIST.fullmatch(question.choices):
            found.setdefault(question.choices, LIST)
        texts: list[str] = [t for t in (question.required, question.relevant, question.constraint,
                                        question.calculation) if t]
        texts += list(question.extra.values())
        for text in texts:
            for match in _PULLDATA.finditer(text):
                found.setdefault(data_file(match.group(2)), DATA)
        for match in _SEARCH.finditer(question.extra.get("appearance", "")):
            found.setdefault(data_file(match.group(2)), DATA)
        for name in _media_names(question.texts):
            found.setdefault(name, MEDIA)
    for group in definition.groups:
        for text in [group.relevant or "", *group.extra.values()]:
            for match in _PULLDATA.finditer(text):
                found.setdefault(data_file(match.group(2)), DATA)
    for choices in definition.choice_lists.values():
        for choice in choices:
            for name in _media_names(choice.media):
                found.setdefault(name, MEDIA)
    return found


def _media_names(texts: Mapping[str, Mapping[str, str]]) -> Iterator[str]:
    for key in MEDIA_KEYS:
        for value in (texts.get(key) or {}).values():
            if value and value.strip():
                yield plain_name(value)


def locate(form: Path, name: str) -> Path | None:
    """The file ``name`` beside the form, or in ``<form name>-media/`` beside it (ODK Collect's
    and Central's layout); ``None`` if neither has it (or the name is no plain file name)."""
    if name_problem(name) is not None:
        return None
    for folder in (form.parent, form.parent / f"{form.stem}-media"):
        candidate = folder / name
        if candidate.is_file():
            return candidate
    return None


def media_type_of(name: str) -> str:
    lowered = name.lower()
    if lowered.endswith(".geojson"):
        return "application/geo+json"
    if lowered.endswith(".csv"):
        return "text/csv"
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


# --------------------------------------------------------------------------- choice lists


def file_choices(path: Path, default_language: str,
                 language_of: Any = None) -> list[dict[str, Any]]:
    """The choices of a list file (CSV, XML or GeoJSON) as definition-document choices; a file
    that cannot be read gives none (the import warns about it)."""
    try:
        if path.stat().st_size > MAX_MEDIA_BYTES:
            return []
        data = path.read_bytes()
    except OSError:
        return []
    return choices_from_bytes(path.name, data, default_language, language_of)


def choices_from_bytes(name: str, data: bytes, default_language: str,
                       language_of: Any = None) -> list[dict[str, Any]]:
    lowered = name.lower()
    try:
        if lowered.endswith(".csv"):
            rows = _csv_rows(data)
        elif lowered.endswith(".xml"):
            rows = _xml_rows(data)
        elif lowered.endswith(".geojson"):
            rows = _geojson_rows(data)
        else:
            return []
    except (ValueError, csv.Error, UnicodeDecodeError, RecursionError):
        return []
    found = []
    for row in rows:
        choice_name = str(row.get("name") or "").strip()
        if not choice_name:
            continue
        label: dict[str, str] = {}
        extra: dict[str, str] = {}
        for key, value in row.items():
            if key is None or value in (None, "") or key == "name":
                continue
            key = str(key).strip()
            if key == "label":
                label[default_language] = str(value)
            elif key.startswith("label:") and language_of is not None:
                label[language_of(key.split(":")[-1].strip())] = str(value)
            else:
                extra[key] = str(value)
        found.append({"name": choice_name, "label": label or {default_language: choice_name},
                      "score": None, "media": {}, "extra": extra})
    return found


def readable(name: str, data: bytes) -> bool:
    """Whether a list or table file reads as ODK expects: UTF-8 text, a CSV with a header row,
    well-formed XML, a GeoJSON object."""
    lowered = name.lower()
    try:
        if lowered.endswith(".csv"):
            return bool(csv.DictReader(io.StringIO(_text(data), newline="")).fieldnames)
        if lowered.endswith(".xml"):
            _xml_rows(data)
        elif lowered.endswith(".geojson"):
            return isinstance(json.loads(_text(data)), dict)
    except (ValueError, csv.Error, UnicodeDecodeError, RecursionError):
        return False
    return True


@lru_cache(maxsize=16)
def stored_choices(path: str, name: str, sha256: str, default_language: str) -> tuple[Any, ...]:
    """The choices of the stored list file ``name`` (read once per file and language), as
    :class:`~neascn_desktop.surveys.definition.Choice` values."""
    from neascn_desktop.surveys.definition import Choice
    from neascn_desktop.surveys.xlsform import language_from_header

    def language_of(header: str) -> str:
        return default_language if header == "default" else language_from_header(header)

    try:
        if Path(path).stat().st_size > MAX_MEDIA_BYTES:
            return ()
        data = Path(path).read_bytes()
    except OSError:
        return ()
    return tuple(Choice(name=c["name"], label=c["label"], extra=c["extra"])
                 for c in choices_from_bytes(name, data, default_language, language_of))


def _text(data: bytes) -> str:
    return data.decode("utf-8-sig")


def _csv_rows(data: bytes) -> list[dict[str, Any]]:
    return list(csv.DictReader(io.StringIO(_text(data), newline="")))


def _xml_rows(data: bytes) -> list[dict[str, Any]]:
    """ODK's XML list: ``<root><item><name>…</name><label>…</label></item>…</root>``."""
    from defusedxml import ElementTree
    from defusedxml.common import DefusedXmlException

    try:
        root = ElementTree.fromstring(data)
    except (ElementTree.ParseError, DefusedXmlException) as exc:
        raise ValueError(str(exc)) from None
    return [{child.tag: (child.text or "").strip() for child in item if isinstance(child.tag, str)}
            for item in root]


def _geojson_rows(data: bytes) -> list[dict[str, Any]]:
    """ODK's GeoJSON list: a FeatureCollection; the id is the name, ``title`` the label, a
    point's coordinates kept as ``geometry`` (``lat lon``), the other properties as columns."""
    document = json.loads(_text(data))
    features = document.get("features") if isinstance(document, dict) else None
    rows = []
    for feature in features if isinstance(features, list) else []:
        if not isinstance(feature, dict):
            continue
        raw_properties = feature.get("properties")
        properties: dict[str, Any] = raw_properties if isinstance(raw_properties, dict) else {}
        row: dict[str, Any] = {k: v for k, v in properties.items()
                               if isinstance(v, str | int | float) and not isinstance(v, bool)}
        row["name"] = feature.get("id", properties.get("id", ""))
        if "title" in properties:
            row["label"] = properties["title"]
            row.pop("title", None)
        row.pop("id", None)
        geometry = feature.get("geometry")
        if isinstance(geometry, dict) and geometry.get("type") == "Point":
            point = geometry.get("coordinates")
            if isinstance(point, list) and len(point) >= 2 and all(
                    isinstance(v, int | float) and not isinstance(v, bool) for v in point[:2]):
                row["geometry"] = f"{point[1]} {point[0]}"
        rows.append(row)
    return rows


# --------------------------------------------------------------------------- pulldata


class _Table:
    """A CSV read once, with an index per key column built on first use (first match wins)."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows
        self._index: dict[str, dict[str, dict[str, Any]]] = {}

    def lookup(self, column: str, key_column: str, key: str) -> str:
        index = self._index.get(key_column)
        if index is None:
            index = {}
            for row in self.rows:
                value = row.get(key_column)
                if isinstance(value, str):
                    index.setdefault(value, row)
            self._index[key_column] = index
        found = index.get(key)
        value = found.get(column) if found is not None else None
        return value if isinstance(value, str) else ""


@lru_cache(maxsize=32)
def _table(path: str, sha256: str) -> _Table:
    try:
        if Path(path).stat().st_size > MAX_MEDIA_BYTES:
            return _Table([])
        return _Table(_csv_rows(Path(path).read_bytes()))
    except (OSError, csv.Error, UnicodeDecodeError, ValueError):
        return _Table([])


def pulldata(definition: SurveyDefinition, instance: str, column: str, key_column: str,
             key: str) -> str:
    """ODK's ``pulldata('file', 'column', 'key column', key)``: the ``column`` of the first row
    of ``file.csv`` whose ``key column`` is ``key``; ``""`` when there is none (or no file)."""
    name = data_file(instance)
    path = definition.media_path(name)
    entry = definition.media.get(name)
    if path is None or entry is None:
        return ""
    return _table(str(path), entry.sha256).lookup(column, key_column, key)


def total_size(files: Iterable[MediaFile]) -> int:
    return sum(f.size for f in files)
