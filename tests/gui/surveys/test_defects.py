"""The defects field staff found walking the form, each driven through the real widgets."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit

from neascn_desktop.gui.context import GuiContext
from neascn_desktop.gui.folders import documents_folder
from neascn_desktop.store import open_database
from neascn_desktop.surveys import service
from tests.gui.surveys.form_samples import FORM_ID, TOPICS, write_field_check
from tests.gui.surveys.test_form import _focused_question, _open_city, _workspace


def _field_check(qtbot, ctx: GuiContext, tmp_path: Path, city: str = "busan"):  # type: ignore[no-untyped-def]
    workspace = _workspace(qtbot, ctx)
    assert workspace.import_xlsform(write_field_check(tmp_path / "field_check.xlsx"))
    assert workspace.selected_form[0] == FORM_ID
    return workspace, _open_city(qtbot, workspace, city)


def _answers(ctx: GuiContext, form) -> dict:  # type: ignore[no-untyped-def]
    return dict(service.get_submission(ctx.db, form.submission.id).answers)


def test_a_date_shows_its_value_or_a_visible_placeholder_never_a_guess(qtbot, gui_ctx) -> None:  # type: ignore[no-untyped-def]
    workspace = _workspace(qtbot, gui_ctx)
    form = _open_city(qtbot, workspace, "busan")
    date_widget = form.question("interview_date")
    # Tabbing in and out of an empty date leaves it empty and shows the placeholder.
    form.go_to_question("resp_email")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is date_widget.edit
    assert date_widget.edit.text() == ""
    assert date_widget.edit.placeholderText() == "YYYY-MM-DD"
    qtbot.keyClick(date_widget.edit, Qt.Key.Key_Tab)
    assert date_widget.edit.text() == ""
    assert "interview_date" not in _answers(gui_ctx, form)
    # Shift+Tab back into the date and type a full date: exactly that date, from any side.
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab, Qt.KeyboardModifier.ShiftModifier)
    assert QApplication.focusWidget() is date_widget.edit
    qtbot.keyClicks(date_widget.edit, "2026-12-03")
    assert _answers(gui_ctx, form)["interview_date"] == "2026-12-03"
    assert date_widget.edit.text() == "2026-12-03"
    date_widget.edit.selectAll()
    qtbot.keyClicks(date_widget.edit, "20261220")
    assert _answers(gui_ctx, form)["interview_date"] == "2026-12-20"
    assert date_widget.edit.text() == "2026-12-20"
    # Half a date is flagged when leaving and never saved as something else.
    date_widget.edit.selectAll()
    qtbot.keyClicks(date_widget.edit, "2026-13")
    qtbot.keyClick(date_widget.edit, Qt.Key.Key_Tab)
    assert date_widget.message.isVisibleTo(form) and "YYYY-MM-DD" in date_widget.message.text()
    assert date_widget.edit.text() == "2026-13"  # what was typed stays, flagged, not replaced


def test_a_calculation_never_uses_an_invalid_input_and_looks_read_only(qtbot, gui_ctx, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _workspace_, form = _field_check(qtbot, gui_ctx, tmp_path)
    budget, residents = form.question("budget"), form.question("residents")
    result = form.question("per_resident")
    form.go_to_question("residents")
    qtbot.keyClicks(residents.edit, "65")
    form.go_to_question("budget")
    qtbot.keyClicks(budget.edit, "-12.5")
    assert budget.message.isVisibleTo(form) and budget.message.text() == "A budget is 0 or more."
    assert "per_resident" not in form.state.values
    assert result.text() == ""  # no "−0.19" computed from the rejected budget
    budget.edit.selectAll()
    qtbot.keyClicks(budget.edit, "13")
    assert form.state.values["per_resident"] == 0.2
    assert result.text() == "0.20"
    # The result is a value on the page, not a box that invites typing.
    assert isinstance(result.value_label, QLabel) and not isinstance(result.value_label, QLineEdit)
    assert result.value_label.focusPolicy() == Qt.FocusPolicy.NoFocus
    assert result.value_label.accessibleName() == "Budget per resident (calculated)"
    assert not result.input_widgets()


def test_several_responses_per_city_are_listed_and_chosen_explicitly(qtbot, gui_ctx) -> None:  # type: ignore[no-untyped-def]
    first = service.create_submission(gui_ctx.db, gui_ctx.profile, "darkhan").submission
    second = service.create_submission(gui_ctx.db, gui_ctx.profile, "darkhan").submission
    service.autosave(gui_ctx.db, second.id, {"resp_name": "Second round"})
    assert len(service.list_submissions(gui_ctx.db, city_id="darkhan")) == 2
    workspace = _workspace(qtbot, gui_ctx)
    assert workspace.select_city("darkhan")
    panel = workspace.responses
    assert panel.model.rowCount() == 2
    assert {r.submission.id for r in panel.model.rows} == {first.id, second.id}
    assert "2" in panel.heading.text()
    assert workspace.start_button.text() == "Choose a response"
    # Enter on the city does not pick one silently: the choice moves to the responses list.
    workspace.table.setFocus()
    qtbot.keyClick(workspace.table, Qt.Key.Key_Return)
    assert workspace.pages.currentWidget() is workspace.list_page
    assert QApplication.focusWidget() is panel.table
    row = next(i for i, r in enumerate(panel.model.rows) if r.submission.id == first.id)
    panel.table.selectRow(row)
    qtbot.keyClick(panel.table, Qt.Key.Key_Return)
    assert workspace.pages.currentWidget() is workspace.form
    assert workspace.form.submission.id == first.id
    workspace.form.close_form()
    # "New response" starts a third one, for another respondent or round.
    panel.new_button.click()
    assert workspace.form.submission.id not in (first.id, second.id)
    workspace.form.close_form()
    assert panel.model.rowCount() == 3


def test_the_form_reopens_where_the_person_left_it(qtbot, gui_ctx) -> None:  # type: ignore[no-untyped-def]
    workspace = _workspace(qtbot, gui_ctx)
    form = _open_city(qtbot, workspace, "ulaanbaatar")
    form.go_to_question("gov_scap")
    left_at = form.current_section
    assert left_at > 0
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_2)
    form.close_form()
    again = _open_city(qtbot, workspace, "ulaanbaatar")
    assert again.current_section == left_at
    assert _focused_question().question.name == "gov_scap"
    # And after the program was closed: another process opens the same data directory.
    other_db = open_database(gui_ctx.db.data_dir)
    other = GuiContext(db=other_db, profile=gui_ctx.profile)
    try:
        restarted = _open_city(qtbot, _workspace(qtbot, other), "ulaanbaatar")
        assert restarted.current_section == left_at
        assert _focused_question().question.name == "gov_scap"
    finally:
        other.changes.stop()
        other_db.dispose()


def test_every_option_of_a_long_multi_select_has_a_key(qtbot, gui_ctx, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _workspace_, form = _field_check(qtbot, gui_ctx, tmp_path)
    form.go_to_question("topics")
    topics = form.question("topics")
    assert len(topics.buttons) == 12
    assert [b.text() for b in topics.buttons] == list("1234567890ab")
    for key in (Qt.Key.Key_9, Qt.Key.Key_0, Qt.Key.Key_A, Qt.Key.Key_B):
        qtbot.keyClick(QApplication.focusWidget(), key)
    assert _answers(gui_ctx, form)["topics"] == TOPICS[8:12]
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_A)  # the same key unticks it
    assert _answers(gui_ctx, form)["topics"] == [TOPICS[8], TOPICS[9], TOPICS[11]]


def test_export_for_the_secretariat_sits_beside_finalize_and_saves_to_documents(qtbot, gui_ctx, tmp_path) -> None:  # type: ignore[no-untyped-def]
    workspace = _workspace(qtbot, gui_ctx)
    form = _open_city(qtbot, workspace, "busan")
    finalize_row = form.finalize_button.parentWidget()
    assert form.export_button.parentWidget() is finalize_row
    assert form.export_button.isVisible() and not form.export_button.isEnabled()  # not final yet
    assert workspace.send_button.text() == "Export for the secretariat…"
    dialog = workspace.export_for_secretariat()
    assert dialog.kind.currentData() == "responses"
    assert Path(dialog.file.text()).parent == documents_folder()
    target = tmp_path / "busan.neascn"
    dialog.file.setText(str(target))
    dialog.export()
    qtbot.waitUntil(lambda: dialog.result_value is not None, timeout=120_000)
    assert target.is_file() and target.stat().st_size > 0
