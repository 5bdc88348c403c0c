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


def test_a_list_without_choices_says_so_and_counts_read_right(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Seen on the screenshots: a ``select_one_from_file`` whose CSV did not come with the form
    showed an empty box under "Type to search the 0 choices"; one choice read "the 1 choices"."""
    from neascn_desktop.gui.surveys.questions import question_widget

    wb = Workbook()
    survey = wb.active
    survey.title = "survey"
    survey.append(["type", "name", "label", "appearance"])
    survey.append(["select_one_from_file villages.csv", "village", "Village", "search"])
    survey.append(["select_one single", "only", "Only one", "search"])
    choices = wb.create_sheet("choices")
    choices.append(["list_name", "name", "label"])
    choices.append(["single", "one", "One"])
    path = tmp_path / "lists.xlsx"
    wb.save(path)
    definition = import_xlsform(path)
    village = question_widget(definition.question("village"), definition)
    qtbot.addWidget(village)
    village.set_language("en")
    village.show()
    assert village.empty_note.isVisibleTo(village)
    assert village.empty_note.text() == "This list has no choices in the form."
    only = question_widget(definition.question("only"), definition)
    qtbot.addWidget(only)
    only.set_language("en")
    assert only.search.placeholderText() == "Type to search the 1 choice"
    assert not only.empty_note.isVisibleTo(only)
