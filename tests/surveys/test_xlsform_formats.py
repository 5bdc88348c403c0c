"""``.xlsx``, ``.xls`` and ``.csv`` XLSForms all import, to the same definition.

``data/legacy_form.xls`` is the workbook ``_legacy_form`` writes, saved as Excel 97 by
LibreOffice (``soffice --headless --convert-to xls legacy_form.xlsx``): the tests have no
``.xls`` writer of their own.
"""

from __future__ import annotations

from pathlib import Path

from neascn_desktop.surveys.xlsform import import_xlsform
from tests.surveys.test_xlsform_tree import _workbook

DATA = Path(__file__).parent / "data"
SURVEY = [
    ["type", "name", "label::English (en)", "label::Russian (ru)", "relevant", "constraint"],
    ["select one from yn", "ok", "OK?", "Да?"],
    ["integer", "age", "Age", "Возраст", "${ok} = 'yes'", ". < 150"],
    ["begin repeat", "member", "Member", "Член"], ["text", "who", "Who", "Кто"], ["end repeat"],
    ["geopoint", "where", "Where", "Где"],
]
CHOICES = [["list name", "name", "label::English (en)", "label::Russian (ru)"],
           ["yn", "yes", "Yes", "Да"], ["yn", "no", "No", "Нет"]]
SETTINGS = [["form_id", "version"], ["legacy", "3"]]


def _legacy_form(path: Path) -> Path:
    return _workbook(path, SURVEY, CHOICES, SETTINGS)


def _csv_form(path: Path) -> Path:
    """pyxform's CSV layout: a sheet name in the first column, then its rows one cell in."""
    import csv

    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        for sheet, rows in (("survey", SURVEY), ("choices", CHOICES), ("settings", SETTINGS)):
            writer.writerow([sheet])
            for row in rows:
                writer.writerow(["", *[cell or "" for cell in row]])
    return path


def test_xlsx_xls_and_csv_import_to_the_same_definition(tmp_path: Path) -> None:
    from_xlsx = import_xlsform(_legacy_form(tmp_path / "legacy_form.xlsx"))
    from_xls = import_xlsform(DATA / "legacy_form.xls")
    from_csv = import_xlsform(_csv_form(tmp_path / "legacy_form.csv"))
    assert from_xlsx.form_id == "legacy" and from_xlsx.version == "3"
    assert [(q.key, q.type) for q in from_xlsx.questions] == [
        ("ok", "select_one"), ("age", "integer"), ("who", "text"), ("where", "geopoint")]
    assert from_xlsx.question("who").repeat == "member"
    assert from_xlsx.question("ok").label == {"en": "OK?", "ru": "Да?"}
    assert from_xls.to_dict() == from_xlsx.to_dict()
    assert from_csv.to_dict() == from_xlsx.to_dict()
