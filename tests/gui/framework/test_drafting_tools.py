"""Issue 16, the drafter's tools in reach: every action on screen at the default window width,
Delete asks first, word counts say characters for Chinese and Japanese."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QToolButton

from neascn_desktop.framework import service
from neascn_desktop.gui.context import GuiContext
from neascn_desktop.gui.framework.editor import length_label
from neascn_desktop.gui.main_window import MainWindow


def _window(qtbot, db, profile):  # type: ignore[no-untyped-def]
    ctx = GuiContext(db=db, profile=profile)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1100, 720)  # the default size on a laptop
    window.show()
    qtbot.waitExposed(window)
    return window, ctx


def _on_screen(widget) -> bool:  # type: ignore[no-untyped-def]
    """Visible and not clipped by its parent."""
    if not widget.isVisible():
        return False
    parent = widget.parentWidget()
    rect = widget.geometry()
    return parent.rect().contains(rect) if parent is not None else True


def test_every_drafting_action_is_on_screen_at_1100_pixels(qtbot, db, taskforce_profile) -> None:
    service.create_document(db, taskforce_profile, "en")
    window, ctx = _window(qtbot, db, taskforce_profile)
    try:
        ws = window.show_workspace("framework")
        ws.select_section("fw-vision")
        qtbot.waitUntil(lambda: ws.editor.isVisible(), timeout=120_000)
        for action in (ws.action_save, ws.action_export, ws.action_rename, ws.action_delete,
                       ws.action_add, ws.action_add_sub, ws.action_up, ws.action_outline_undo):
            buttons = [w for w in action.associatedObjects() if isinstance(w, QToolButton)]
            assert buttons and any(_on_screen(b) for b in buttons), action.objectName()
        assert ws.action_delete.text() == "Delete section"
        assert ws.action_export.text() == "Share draft…"
    finally:
        window.close()
        ctx.changes.stop()


def test_delete_section_asks_first(qtbot, db, taskforce_profile) -> None:
    service.create_document(db, taskforce_profile, "en")
    window, ctx = _window(qtbot, db, taskforce_profile)
    try:
        ws = window.show_workspace("framework")
        ws.select_section("fw-vision")
        asked: list[str] = []

        def answer(button: QMessageBox.StandardButton) -> None:
            def check() -> None:
                box = QApplication.activeModalWidget()
                if isinstance(box, QMessageBox):
                    asked.append(box.text())
                    box.button(button).click()
                else:
                    QTimer.singleShot(20, check)
            QTimer.singleShot(0, check)

        answer(QMessageBox.StandardButton.No)
        ws.action_delete.trigger()
        assert "Vision" in asked[0]
        assert "fw-vision" in [s.id for s in service.list_sections(db)]
        answer(QMessageBox.StandardButton.Yes)
        ws.action_delete.trigger()
        assert "fw-vision" not in [s.id for s in service.list_sections(db)]
    finally:
        window.close()
        ctx.changes.stop()


def test_chinese_and_japanese_are_counted_in_characters() -> None:
    assert length_label("Vision and mission of the network.") == "6 words"
    assert length_label("东北亚智慧城市网络的愿景") == "12 characters"
    assert length_label("北東アジアのスマートシティ") == "13 characters"
    assert length_label("스마트시티 네트워크의 비전") == "3 words"  # Korean separates its words


def test_one_undo_history_for_typing_and_the_outline(qtbot, db, taskforce_profile) -> None:
    """Typing, an outline move, typing again: Ctrl+Z in the text and Edit → Undo walk one history
    back in that order (before, the text's own undo and the outline's were two systems)."""
    from PySide6.QtCore import Qt

    service.create_document(db, taskforce_profile, "en")
    window, ctx = _window(qtbot, db, taskforce_profile)
    try:
        ws = window.show_workspace("framework")
        ws.select_section("fw-governance")
        text = ws.editor.text
        text.setFocus()
        text.moveCursor(text.textCursor().MoveOperation.End)
        qtbot.keyClicks(text, " Alpha")
        number = service.get_section(db, "fw-governance").number
        ws.move_current("up")
        assert service.get_section(db, "fw-governance").number != number
        text.setFocus()
        text.moveCursor(text.textCursor().MoveOperation.End)
        qtbot.keyClicks(text, " Beta")
        assert "Beta" in text.toPlainText()

        qtbot.keyClick(text, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        assert "Beta" not in text.toPlainText() and "Alpha" in text.toPlainText()
        window._update_edit_actions()
        assert window.form.actionUndo.isEnabled()
        window.form.actionUndo.trigger()  # Edit → Undo, the text still focused: the move
        assert service.get_section(db, "fw-governance").number == number
        window.form.actionUndo.trigger()
        assert "Alpha" not in text.toPlainText()
        window.form.actionRedo.trigger()
        assert "Alpha" in text.toPlainText()
        assert not [a for a in ws.editor.toolbar.actions() if a.objectName() == "actionTextUndo"]
    finally:
        window.close()
        ctx.changes.stop()


def test_history_restores_an_old_revision_as_a_new_one_and_undo_returns(qtbot, db, taskforce_profile) -> None:
    service.create_document(db, taskforce_profile, "en")
    original = service.get_section(db, "fw-vision").body
    service.set_body(db, taskforce_profile, "fw-vision", "A **rewritten** vision.")
    window, ctx = _window(qtbot, db, taskforce_profile)
    try:
        ws = window.show_workspace("framework")
        ws.select_section("fw-vision")
        panel = ws.panel
        panel.setCurrentWidget(panel.history_page)
        assert panel.history_model.rowCount() == 2
        panel.select_revisions([0])
        assert not panel.restore_button.isEnabled()  # the current version
        panel.select_revisions([1])
        assert panel.restore_button.isEnabled()
        panel.select_revisions([0])
        # The diff is the rendered newer text with its changed words highlighted.
        assert "**" not in panel.diff_view.toPlainText()
        assert "rewritten" in " ".join(panel.diff_view.highlighted_text())
        panel.select_revisions([1])
        panel.restore_button.click()
        section = service.get_section(db, "fw-vision")
        assert section.body == original
        assert len(service.history(db, "fw-vision")) == 3  # one more revision, nothing rewritten
        assert "Vision" in ws.editor.text.toPlainText()
        ws.outline_view.setFocus()
        window.form.actionUndo.trigger()
        assert service.get_section(db, "fw-vision").body == "A **rewritten** vision."
        assert len(service.history(db, "fw-vision")) == 4
    finally:
        window.close()
        ctx.changes.stop()
