"""The form's pages follow the form's order (a defect seen on the screenshots of the corpus's
``tutorial_w_repeats``: the questions after a top-level repeat were shown before it)."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from neascn_desktop.gui.surveys.form_pages import form_pages
from neascn_desktop.surveys.xlsform import import_xlsform


def test_loose_questions_after_a_top_level_repeat_come_after_it(tmp_path: Path) -> None:
    wb = Workbook()
    survey = wb.active
    survey.title = "survey"
    survey.append(["type", "name", "label"])
    for row in (("text", "name", "Name"), ("begin_repeat", "children", "Children"),
                ("text", "child", "Child"), ("end_repeat", "children", None),
                ("geopoint", "gps", "GPS"), ("begin_group", "more", "More"),
                ("text", "remark", "Remark"), ("end_group", "more", None),
                ("text", "last", "Last")):
        survey.append(list(row))
    path = tmp_path / "order.xlsx"
    wb.save(path)
    pages = form_pages(import_xlsform(path))
    assert [page.group.name if page.group is not None else [q.name for q in page.questions]
            for page in pages] == [["name"], "children", ["gps"], "more", ["last"]]
