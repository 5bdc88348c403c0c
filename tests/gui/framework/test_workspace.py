"""pytest-qt drives the Framework workspace: typing, formatting, undo, status, comments, history, conflicts."""

from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"

import pytest  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402

from neascn_desktop.framework import service  # noqa: E402
from neascn_desktop.framework.textmerge import has_conflict_markers  # noqa: E402
from neascn_desktop.gui.context import GuiContext  # noqa: E402
from neascn_desktop.gui.framework.editor import AUTOSAVE_DELAY_MS, normalize_markdown  # noqa: E402
from neascn_desktop.gui.framework.workspace import FrameworkWorkspace  # noqa: E402
from tests.framework.conftest import exchange_revisions  # noqa: E402


def open_workspace(qtbot, db, profile) -> FrameworkWorkspace:  # type: ignore[no-untyped-def]
    ctx = GuiContext(db=db, profile=profile)
    workspace = FrameworkWorkspace(ctx)
    # In the app the main window connects the change signal; here the test does.
    ctx.changes.dataChanged.connect(workspace.on_changes)
    qtbot.addWidget(workspace)
    workspace.resize(1400, 850)
    workspace.show()
    qtbot.waitExposed(workspace)
    return workspace


@pytest.fixture
def workspace(qtbot, db, taskforce_profile):  # type: ignore[no-untyped-def]
    ws = open_workspace(qtbot, db, taskforce_profile)
    yield ws
    ws.ctx.changes.stop()


def test_empty_state_creates_the_document(workspace) -> None:
    assert workspace.pages.currentWidget() is workspace.empty_page
    workspace.language_combo.setCurrentIndex(workspace.language_combo.findData("ru"))
    workspace.create_button.click()
    assert workspace.pages.currentWidget() is workspace.document_page
    assert workspace.current_id == "fw-background"
    assert workspace.section_title.text() == "1  Предыстория"
    assert workspace.outline_model.rowCount() == 13


def test_type_format_undo_status_comment_revision_diff(qtbot, workspace, db, taskforce_profile) -> None:
    service.create_document(db, taskforce_profile, "en")
    workspace.refresh()
    workspace.select_section("fw-review")
    editor = workspace.editor
    assert editor.markdown() == ""
    editor.text.setFocus()

    # Type formatted text: plain, then bold with Ctrl+B, then italic with Ctrl+I.
    qtbot.keyClicks(editor.text, "Reviewed every ")
    qtbot.keyClick(editor.text, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(editor.text, "two years")
    qtbot.keyClick(editor.text, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(editor.text, " by the ")
    editor.action_italic.trigger()
    qtbot.keyClicks(editor.text, "annual meeting")
    editor.action_italic.trigger()
    qtbot.keyClicks(editor.text, ".")
    assert editor.markdown() == "Reviewed every **two years** by the *annual meeting*.\n\n"
    assert editor.word_count.text() == "8 words"

    # Autosave to the working copy within the debounce delay, without a revision yet.
    qtbot.waitUntil(lambda: service.working_copy(db, "fw-review") is not None,
                    timeout=AUTOSAVE_DELAY_MS + 1000)
    assert len(service.history(db, "fw-review")) == 1

    # Undo the last keystroke and the italic run disappears bit by bit.
    qtbot.keyClick(editor.text, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert editor.markdown() == "Reviewed every **two years** by the *annual meeting*\n\n"
    editor.action_redo.trigger()
    assert editor.markdown().endswith("*annual meeting*.\n\n")

    # Change the status in the side panel.
    combo = workspace.panel.status_combo
    combo.setCurrentIndex(combo.findData("in_review"))
    assert service.get_section(db, "fw-review").status == "in_review"
    assert workspace.outline_model.section("fw-review").status_label == "In review"

    # Add a comment, reply to it, resolve it.
    workspace.panel.setCurrentWidget(workspace.panel.comments_page)
    workspace.panel.comment_input.setPlainText("Who convenes the review?")
    workspace.panel.add_comment_button.click()
    assert workspace.panel.comment_input.toPlainText() == ""
    (comment,) = service.list_comments(db, "fw-review")
    assert comment.text == "Who convenes the review?"
    workspace.panel.comment_view.setCurrentIndex(workspace.panel.comment_model.index(0, 0))
    workspace.panel.comment_input.setPlainText("The chair.")
    workspace.panel.reply_button.click()
    workspace.panel.comment_view.setCurrentIndex(workspace.panel.comment_model.index(0, 0))
    workspace.panel.resolve_button.click()
    comments = service.list_comments(db, "fw-review")
    assert [c.text for c in comments] == ["Who convenes the review?", "The chair."]
    assert comments[0].resolved and comments[1].reply_to == comment.id

    # Ctrl+S cuts a revision from the working copy.
    editor.text.setFocus()
    qtbot.keyClick(editor.text, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert service.working_copy(db, "fw-review") is None
    history = service.history(db, "fw-review")
    assert len(history) == 3 and history[0].changed == ("body",)
    assert workspace.panel.history_model.rowCount() == 3
    assert workspace.panel.history_model.data(workspace.panel.history_model.index(0, 1)) == "Task Force Tester"

    # View the diff between the first and the newest revision.
    workspace.panel.setCurrentWidget(workspace.panel.history_page)
    workspace.panel.select_revisions([0, 2])
    fields = workspace.panel.diff_fields.text()
    assert "Status" in fields and "Draft" in fields and "In review" in fields
    diff = workspace.panel.diff_view.toPlainText()  # rendered text, not Markdown source
    assert "Reviewed every two years by the annual meeting." in diff and "**" not in diff
    assert "two" in " ".join(workspace.panel.diff_view.highlighted_text())


def test_leaving_a_section_cuts_a_revision_and_focus_out_autosaves(qtbot, workspace, db, taskforce_profile) -> None:
    service.create_document(db, taskforce_profile, "en")
    workspace.refresh()
    workspace.select_section("fw-monitoring")
    workspace.editor.text.setFocus()
    qtbot.keyClicks(workspace.editor.text, "Yearly survey.")
    workspace.editor.text.clearFocus()  # focus-out saves at once, no timer needed
    assert service.working_copy(db, "fw-monitoring") == "Yearly survey.\n\n"
    workspace.select_section("fw-review")
    assert service.working_copy(db, "fw-monitoring") is None
    assert service.get_section(db, "fw-monitoring").body == "Yearly survey.\n\n"


def test_outline_add_rename_move_delete_with_undo(workspace, db, taskforce_profile) -> None:
    service.create_document(db, taskforce_profile, "en")
    workspace.refresh()
    workspace.select_section("fw-vision")
    workspace.add_section("Road to the inaugural meeting")
    new_id = workspace.current_id
    assert service.get_section(db, new_id).number == "3"
    workspace.rename_current("Roadmap")
    assert service.get_section(db, new_id).title == "Roadmap"
    workspace.move_current("up")
    assert service.get_section(db, new_id).number == "2"
    workspace.move_current("indent")
    assert service.get_section(db, new_id).number == "1.1"
    workspace.action_outline_undo.trigger()  # undo indent
    assert service.get_section(db, new_id).number == "2"
    workspace.confirm = lambda _title, _text: True  # type: ignore[method-assign]
    workspace.delete_current()
    assert new_id not in [s.id for s in service.list_sections(db)]
    workspace.undo_stack.undo()  # undo delete
    assert service.get_section(db, new_id).number == "2"
    workspace.undo_stack.undo()  # undo move up
    workspace.undo_stack.undo()  # undo rename
    section = service.get_section(db, new_id)
    assert (section.number, section.title) == ("3", "Road to the inaugural meeting")
    workspace.undo_stack.undo()  # undo add
    assert new_id not in [s.id for s in service.list_sections(db)]
    workspace.undo_stack.redo()
    assert service.get_section(db, new_id).title == "Road to the inaugural meeting"
    index = workspace.outline_model.index_of(new_id)
    assert index.isValid() and "Road to the inaugural meeting" in index.data()


def test_markdown_round_trip_is_a_fixed_point(qtbot, workspace, db, taskforce_profile) -> None:
    service.create_document(db, taskforce_profile, "en")
    workspace.refresh()
    workspace.select_section("fw-review")
    editor = workspace.editor
    editor.text.setFocus()
    qtbot.keyClicks(editor.text, "Review")
    editor.action_heading.trigger()
    qtbot.keyClick(editor.text, Qt.Key.Key_Return)  # the next paragraph is plain again
    qtbot.keyClicks(editor.text, "Plain, ")
    editor.action_bold.trigger()
    qtbot.keyClicks(editor.text, "bold")
    editor.action_bold.trigger()
    qtbot.keyClicks(editor.text, " and ")
    editor.action_italic.trigger()
    qtbot.keyClicks(editor.text, "italic")
    editor.action_italic.trigger()
    qtbot.keyClicks(editor.text, " with ")
    editor.insert_link("https://we-gov.org", "WeGO")
    qtbot.keyClick(editor.text, Qt.Key.Key_Return)
    editor.action_bullets.trigger()
    qtbot.keyClicks(editor.text, "first point")
    qtbot.keyClick(editor.text, Qt.Key.Key_Return)
    qtbot.keyClicks(editor.text, "second point")
    markdown = editor.markdown()
    assert markdown.startswith("## Review\n\nPlain, **bold** and *italic* with [WeGO](https://we-gov.org)")
    assert "- first point\n- second point" in markdown
    # Tables and numbered lists come from Markdown (the toolbar has no table button).
    editor.set_markdown(markdown + "\n1. one\n2. two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n")
    written = editor.markdown()
    assert "1.  one" in written and "|a|b|" in written
    for text in (markdown, written):
        assert normalize_markdown(text) == text
        editor.set_markdown(text)
        assert editor.markdown() == text
    # Stored and read back through the database unchanged.
    service.save_working_copy(db, "fw-review", written)
    service.cut_revision(db, taskforce_profile, "fw-review")
    workspace.refresh()
    workspace.select_section("fw-vision")
    workspace.select_section("fw-review")
    assert workspace.editor.markdown() == written == service.get_section(db, "fw-review").body
    # The skeleton's starter texts are stored in the same normal form in every language.
    for language in ("en", "ko", "zh_Hans", "ja", "ru", "mn"):
        from neascn_desktop.framework.skeleton import load_skeleton

        for section in load_skeleton().sections:
            text = section.starter[language]
            assert normalize_markdown(text) == text


def test_conflict_banner_and_resolution_dialog(qtbot, drafters) -> None:
    alice, bolor = drafters
    service.create_document(alice.db, alice.profile, "en")
    exchange_revisions(alice, bolor)
    for d, who in ((alice, "Alice"), (bolor, "Bolor")):
        body = service.get_section(d.db, "fw-programmes").body
        service.set_body(d.db, d.profile, "fw-programmes", body.replace("Cities raised", f"{who}: cities raised"))
    exchange_revisions(bolor, alice)
    ws = open_workspace(qtbot, alice.db, alice.profile)
    try:
        ws.select_section("fw-programmes")
        assert ws.banner.isVisible()
        dialog = ws.open_conflict_dialog()
        assert dialog is not None and len(dialog.keep_buttons) == 2
        assert has_conflict_markers(dialog.merged_text())
        # Settle in the dialog's editable proposal, then accept.
        dialog.proposal_edit.setPlainText("Alice and Bolor: cities raised transport.\n")
        dialog.accept_button.click()
        assert not ws.banner.isVisible()
        section = service.get_section(alice.db, "fw-programmes")
        assert not section.in_conflict and section.body == "Alice and Bolor: cities raised transport.\n\n"
        assert ws.editor.markdown() == section.body
        assert ws.panel.history_model.data(ws.panel.history_model.index(0, 3)).startswith("merge of 2")
        # The workspace settles through the Inbox's use case: the resolution is audited too.
        from neascn_desktop.sync import audit

        assert [e.action for e in audit.list_audit(alice.db, limit=1)] == ["resolve"]
        # Edit → Undo brings the two versions back in conflict (issue 16); Redo settles again.
        assert ws.undo_stack.canUndo()
        ws.undo_stack.undo()
        assert service.get_section(alice.db, "fw-programmes").in_conflict
        assert [e.action for e in audit.list_audit(alice.db, limit=1)] == ["undo"]
        ws.undo_stack.redo()
        section = service.get_section(alice.db, "fw-programmes")
        assert not section.in_conflict and section.body == "Alice and Bolor: cities raised transport.\n\n"
    finally:
        ws.ctx.changes.stop()


def test_share_drafts_cuts_revisions_before_the_export(qtbot, workspace, db, taskforce_profile, tmp_path) -> None:
    service.create_document(db, taskforce_profile, "en")
    workspace.refresh()
    workspace.select_section("fw-review")
    workspace.editor.text.setFocus()
    qtbot.keyClicks(workspace.editor.text, "Every two years.")
    job = workspace.export_drafts(tmp_path / "drafts.neascn")
    assert job is not None
    with qtbot.waitSignal(job.finished, timeout=20000):
        pass
    assert job.outcome == "succeeded", job.error
    assert (tmp_path / "drafts.neascn").is_file()
    assert service.working_copy(db, "fw-review") is None
    assert service.get_section(db, "fw-review").body == "Every two years.\n\n"


def test_in_the_main_window_edit_undo_reaches_the_outline(qtbot, db, taskforce_profile) -> None:
    from neascn_desktop.gui.main_window import MainWindow

    service.create_document(db, taskforce_profile, "en")
    ctx = GuiContext(db=db, profile=taskforce_profile)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    try:
        ws = window.show_workspace("framework")
        assert isinstance(ws, FrameworkWorkspace)
        ws.select_section("fw-vision")
        ws.confirm = lambda _title, _text: True  # type: ignore[method-assign]
        ws.delete_current()
        assert "fw-vision" not in [s.id for s in service.list_sections(db)]
        ws.outline_view.setFocus()
        window.undo()  # Edit → Undo with the outline focused
        assert "fw-vision" in [s.id for s in service.list_sections(db)]
        assert ws.outline_model.index_of("fw-vision").isValid()  # refreshed through the change signal
    finally:
        window.close()
        ctx.changes.stop()


def test_refresh_for_a_comment_keeps_the_cursor_and_undo(qtbot, workspace, db, taskforce_profile) -> None:
    service.create_document(db, taskforce_profile, "en")
    service.set_body(db, taskforce_profile, "fw-review", "Written  by the CLI,\nnot normalised.\n")
    workspace.refresh()
    workspace.select_section("fw-review")
    workspace.editor.text.setFocus()
    workspace.editor.text.moveCursor(workspace.editor.text.textCursor().MoveOperation.End)
    qtbot.keyClicks(workspace.editor.text, " More.")
    workspace.editor.flush()
    position = workspace.editor.text.textCursor().position()
    workspace.panel.comment_input.setPlainText("Fine.")
    workspace.panel.add_comment_button.click()
    assert workspace.editor.text.textCursor().position() == position
    assert workspace.editor.text.document().isUndoAvailable()
    # A change from elsewhere (another process, an import) does reload the text.
    workspace.save_now()
    service.set_body(db, taskforce_profile, "fw-review", "Replaced.\n\n")
    workspace.on_changes(service.section_changes("fw-review"))
    assert workspace.editor.markdown() == "Replaced.\n\n"
