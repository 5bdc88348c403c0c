"""The data-entry form driven like a person would: keyboard, relevance, messages, finalize, autosave."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QInputMethodEvent
from PySide6.QtWidgets import QApplication, QWidget

from neascn_desktop import i18n
from neascn_desktop.gui.context import GuiContext
from neascn_desktop.gui.surveys.questions import QuestionWidget
from neascn_desktop.gui.surveys.workspace import SurveysWorkspace
from neascn_desktop.store import open_database
from neascn_desktop.surveys import service
from neascn_desktop.surveys.definition import load_definition

BUILTIN = load_definition(Path(service.builtin_survey_paths()[0]))


def _workspace(qtbot, ctx: GuiContext) -> SurveysWorkspace:  # type: ignore[no-untyped-def]
    workspace = SurveysWorkspace(ctx)
    qtbot.addWidget(workspace)
    workspace.resize(1200, 800)
    workspace.show()
    qtbot.waitExposed(workspace)
    workspace.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is workspace)
    return workspace


def _open_city(qtbot, workspace: SurveysWorkspace, city_id: str = "seoul"):  # type: ignore[no-untyped-def]
    assert workspace.select_city(city_id)
    workspace.table.setFocus()
    qtbot.keyClick(workspace.table, Qt.Key.Key_Return)  # Enter on a city starts its survey
    assert workspace.pages.currentWidget() is workspace.form
    return workspace.form


def _focused_question() -> QuestionWidget | None:
    widget: QWidget | None = QApplication.focusWidget()
    while widget is not None and not isinstance(widget, QuestionWidget):
        widget = widget.parentWidget()
    return widget


def _type(qtbot, widget: QWidget, text: str) -> None:  # type: ignore[no-untyped-def]
    """Type text; Hangul arrives as a Korean input method commits it (QTest types Latin-1 only)."""
    if text.isascii():
        qtbot.keyClicks(widget, text)
        return
    for syllable in text:
        event = QInputMethodEvent()
        event.setCommitString(syllable)
        QApplication.sendEvent(widget, event)


def _keys_for(name: str, qtype: str) -> str:
    if qtype == "text":
        return "kim@seoul" if name == "resp_email" else "서울시 스마트도시과"
    if qtype == "integer":
        return "2019" if name == "strategy_year" else "120"
    if qtype == "decimal":
        return "12.5"
    if qtype == "date":
        return "20260305"
    if qtype in ("yes_no", "select_multiple"):
        return "1"
    if qtype in ("scale", "select_one"):
        return "3"
    return ""


def test_fill_in_korean_with_the_keyboard_then_finalize_and_reopen(qtbot, gui_ctx) -> None:
    i18n.set_language("ko")
    workspace = _workspace(qtbot, gui_ctx)
    form = _open_city(qtbot, workspace)
    assert form.language == "ko"
    name_widget = form.question("resp_name")
    assert name_widget.title.text().startswith(BUILTIN.question("resp_name").label["ko"])
    assert form.language_combo.currentData() == "ko"

    visited: list[str] = []
    for _step in range(200):
        question = _focused_question()
        if question is None:
            break
        visited.append(question.question.name)
        keys = _keys_for(question.question.name, question.question.type)
        if keys:
            _type(qtbot, QApplication.focusWidget(), keys)
        if question.question.name == "resp_email":
            # A constraint message shows up inline, in Korean, while the answer is wrong.
            assert question.message.isVisibleTo(form)
            assert question.message.text() == BUILTIN.question("resp_email").constraint_message["ko"]
        # Enter moves on; in a multi-line text Enter is a new line and Ctrl+Enter moves on.
        modifier = (Qt.KeyboardModifier.ControlModifier if question.question.name == "remarks"
                    else Qt.KeyboardModifier.NoModifier)
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return, modifier)
    # Enter walked every section to the end and left the focus on Finalize.
    assert QApplication.focusWidget() is form.finalize_button
    assert visited[0] == "resp_name" and visited[-1] == "remarks"
    assert "strategy_year" in visited  # shown because has_strategy became "yes" (key 1)
    assert "priority_areas_other" not in visited  # not relevant: "other" not chosen
    assert form.current_section == len(BUILTIN.sections) - 1

    stored = service.get_submission(gui_ctx.db, form.submission.id)
    assert stored.answers["resp_name"] == "서울시 스마트도시과"
    assert stored.answers["interview_date"] == "2026-03-05"
    assert stored.answers["city_population"] == 120
    assert stored.answers["gov_scap"] == "3"
    assert stored.answers["has_strategy"] == "yes"
    assert stored.unsaved  # the working copy holds it all, no revision cut yet

    # Finalize with a problem: the e-mail breaks its constraint -> the form jumps there.
    qtbot.keyClick(form.finalize_button, Qt.Key.Key_Space)
    assert not service.get_submission(gui_ctx.db, form.submission.id).finalized
    assert form.banner.isVisibleTo(form)
    assert form.current_section == 0
    email = form.question("resp_email")
    assert email.isAncestorOf(QApplication.focusWidget())
    assert email.message.isVisibleTo(form)
    email.edit.selectAll()
    qtbot.keyClicks(email.edit, "kim@seoul.go.kr")
    assert not email.message.isVisibleTo(form)
    qtbot.keyClick(email.edit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)  # a save point
    assert not service.get_submission(gui_ctx.db, form.submission.id).unsaved

    assert form.finalize()
    final = service.get_submission(gui_ctx.db, form.submission.id)
    assert final.finalized
    assert email.edit.isReadOnly()
    assert not form.finalize_button.isEnabled() and form.reopen_button.isEnabled()
    qtbot.keyClicks(email.edit, "x")  # locked: typing changes nothing
    assert service.get_submission(gui_ctx.db, form.submission.id).answers["resp_email"] == (
        "kim@seoul.go.kr")

    form.reopen()
    assert not service.get_submission(gui_ctx.db, form.submission.id).finalized
    assert not email.edit.isReadOnly()
    form.close_form()
    assert workspace.pages.currentWidget() is workspace.list_page
    row = workspace.model.rows[workspace.model.row_of("seoul")]
    assert row.status == "in_progress" and row.score is not None
    assert row.score.coverage == 1.0 and row.score.overall is not None


def test_relevance_hides_and_shows_a_question_live(qtbot, gui_ctx) -> None:
    workspace = _workspace(qtbot, gui_ctx)
    form = _open_city(qtbot, workspace, "busan")
    strategy = form.question("has_strategy")
    year = form.question("strategy_year")
    assert year.isHidden()
    strategy.focus_input()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_1)  # yes
    assert not year.isHidden()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_2)  # no
    assert year.isHidden()
    # Section list and progress follow the answers too.
    assert "1" in form.progress_label.text()


def test_required_message_after_leaving_an_empty_required_question(qtbot, gui_ctx) -> None:
    workspace = _workspace(qtbot, gui_ctx)
    form = _open_city(qtbot, workspace, "busan")
    name = form.question("resp_name")
    assert not name.message.isVisibleTo(form)
    name.focus_input()
    qtbot.keyClick(name.edit, Qt.Key.Key_Return)
    assert name.message.isVisibleTo(form)
    assert name.message.text() == "This question requires an answer."
    assert form.question("resp_position").isAncestorOf(QApplication.focusWidget())


def test_page_keys_change_section_and_number_fields_allow_empty(qtbot, gui_ctx) -> None:
    workspace = _workspace(qtbot, gui_ctx)
    form = _open_city(qtbot, workspace, "busan")
    population = form.question("city_population")
    population.focus_input()
    qtbot.keyClicks(population.edit, "1500")
    population.edit.clear()
    submission = service.get_submission(gui_ctx.db, form.submission.id)
    assert "city_population" not in submission.answers
    qtbot.keyClick(population.edit, Qt.Key.Key_PageDown)
    assert form.current_section == 1
    assert form.section_list.currentRow() == 1
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_PageDown)
    assert form.current_section == 2
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_PageUp)
    assert form.current_section == 1


def test_autosaved_answers_survive_a_kill_without_save_point(qtbot, gui_ctx) -> None:
    workspace = _workspace(qtbot, gui_ctx)
    form = _open_city(qtbot, workspace, "tokyo")
    submission_id = form.submission.id
    name = form.question("resp_name")
    name.focus_input()
    qtbot.keyClicks(name.edit, "Sato Yui")
    share = form.question("smart_budget_share")
    share.focus_input()
    qtbot.keyClicks(share.edit, "2.5")
    # "Kill": no save point, no close; a new process opens the same data directory.
    other_db = open_database(gui_ctx.db.data_dir)
    other = GuiContext(db=other_db, profile=gui_ctx.profile)
    try:
        again = _workspace(qtbot, other)
        row = again.model.rows[again.model.row_of("tokyo")]
        assert row.status == "in_progress"
        reopened = _open_city(qtbot, again, "tokyo")
        assert reopened.submission.id == submission_id
        assert reopened.question("resp_name").edit.text() == "Sato Yui"
        assert reopened.question("smart_budget_share").edit.text() == "2.5"
    finally:
        other.changes.stop()
        other_db.dispose()


# PySide marks QDragEnterEvent's only constructor deprecated; Qt 6 has no other one.
@pytest.mark.filterwarnings("ignore:Function.*QDragEnterEvent:DeprecationWarning")
def test_attachments_by_file_and_by_drop(qtbot, gui_ctx, tmp_path: Path) -> None:
    workspace = _workspace(qtbot, gui_ctx)
    form = _open_city(qtbot, workspace, "harbin")
    chart = tmp_path / "org-chart.pdf"
    chart.write_bytes(b"%PDF-1.4 organisation chart" + b"x" * 2000)
    widget = form.question("ev_org_chart")
    widget.attach(chart)  # what the file picker does with the chosen path
    assert "org-chart.pdf" in widget.file_label.text()
    assert "KB" in widget.file_label.text()

    photo = tmp_path / "evidence.png"
    photo.write_bytes(b"\x89PNG fake image")
    target = form.question("ev_other")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(photo))])
    # A drag enters the question (accepted: it carries a local file), then drops.
    enter = QDragEnterEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(target, enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(target, drop)
    assert drop.isAccepted()
    assert target.file_label.text().startswith("evidence.png")

    stored = service.get_submission(gui_ctx.db, form.submission.id)
    assert stored.attachments["ev_org_chart"]["filename"] == "org-chart.pdf"
    assert stored.attachments["ev_org_chart"]["size"] == chart.stat().st_size
    assert stored.attachments["ev_other"]["filename"] == "evidence.png"
    digest = stored.answers["ev_other"]
    assert service.attachment_path(gui_ctx.db, digest).read_bytes() == photo.read_bytes()


def test_form_language_follows_the_ui_until_chosen(qtbot, gui_ctx) -> None:
    workspace = _workspace(qtbot, gui_ctx)
    form = _open_city(qtbot, workspace, "busan")
    label = BUILTIN.question("gov_scap").label
    widget = form.question("gov_scap")
    assert widget.title.text().startswith(label["en"])
    i18n.set_language("ru")
    workspace.retranslateUi()
    assert form.language == "ru"
    assert widget.title.text().startswith(label["ru"])
    form.set_form_language("ja")
    assert widget.title.text().startswith(label["ja"])
    assert widget.texts[0].text() == BUILTIN.choices_for(BUILTIN.question("gov_scap"))[0].label["ja"]
    i18n.set_language("en")
    workspace.retranslateUi()
    assert form.language == "ja"  # chosen by hand: stays


def test_date_question_has_an_empty_state(qtbot, gui_ctx) -> None:
    workspace = _workspace(qtbot, gui_ctx)
    form = _open_city(qtbot, workspace, "busan")
    date_widget = form.question("interview_date")
    date_widget.focus_input()
    qtbot.keyClicks(date_widget.edit, "20250102")
    assert service.get_submission(gui_ctx.db, form.submission.id).answers[
        "interview_date"] == "2025-01-02"
    date_widget.clear_button.click()
    assert "interview_date" not in service.get_submission(gui_ctx.db, form.submission.id).answers
    assert date_widget.edit.text().strip() == ""


def test_tab_order_follows_the_questions_and_sections_build_lazily(qtbot, gui_ctx) -> None:
    workspace = _workspace(qtbot, gui_ctx)
    form = _open_city(qtbot, workspace, "busan")
    assert form._built == {0}  # only the section on screen has widgets
    assert "gov_scap" not in form.widgets
    assert form.question("resp_name").isAncestorOf(QApplication.focusWidget())
    order = []
    for _step in range(8):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        order.append(_focused_question().question.name)
    assert order[:7] == ["resp_position", "resp_department", "resp_email", "interview_date",
                         "city_population", "city_budget_total", "smart_budget_share"]
    assert "interview_date" not in service.get_submission(gui_ctx.db, form.submission.id).answers
    # Choices: the digit picks, Tab goes on to the next question.
    form.go_to_question("has_strategy")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_2)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert _focused_question().question.name == "priority_areas"
    form.go_to_question("remarks")  # a multi-line text: PageUp still changes section
    assert form._built == {0, len(BUILTIN.sections) - 1}
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_PageUp)
    assert form.current_section == len(BUILTIN.sections) - 2


def test_closing_the_window_cuts_a_revision_of_the_open_form(qtbot, gui_ctx) -> None:  # type: ignore[no-untyped-def]
    from neascn_desktop.gui.main_window import MainWindow

    window = MainWindow(gui_ctx)
    qtbot.addWidget(window)
    window.show()
    workspace = window.show_workspace("surveys")
    form = _open_city(qtbot, workspace, "niigata")
    name = form.question("resp_name")
    name.focus_input()
    qtbot.keyClicks(name.edit, "Suzuki Yui")
    assert service.get_submission(gui_ctx.db, form.submission.id).unsaved
    window.close()
    saved = service.get_submission(gui_ctx.db, form.submission.id)
    assert not saved.unsaved and saved.answers["resp_name"] == "Suzuki Yui"


def test_decimals_use_the_languages_separator_both_ways(qtbot, gui_ctx) -> None:  # type: ignore[no-untyped-def]
    i18n.set_language("ru")
    workspace = _workspace(qtbot, gui_ctx)
    form = _open_city(qtbot, workspace, "vladivostok")
    share = form.question("smart_budget_share")
    share.focus_input()
    qtbot.keyClicks(share.edit, "2,5")  # typed the Russian way
    assert service.get_submission(gui_ctx.db, form.submission.id).answers["smart_budget_share"] == 2.5
    form.save()
    other = _workspace(qtbot, gui_ctx)
    reopened = _open_city(qtbot, other, "vladivostok")
    assert reopened.question("smart_budget_share").edit.text() == "2,5"  # shown the Russian way
