"""The screens issue 16's "done when" asks to look at, made through the real widgets and saved
as PNG files in ``$NEASCN_SCREENSHOTS`` (default /tmp/neascn-screenshots): the inbox after a trust
decision, a settled conflict with its undo at hand, the framework editor at 1,100 pixels, and the
first-run dialog in Mongolian and Japanese.  Each also checks what the eye would."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QWidget  # noqa: E402

from neascn_desktop import i18n, replica  # noqa: E402
from neascn_desktop.framework import service as framework  # noqa: E402
from neascn_desktop.gui.context import GuiContext  # noqa: E402
from neascn_desktop.gui.first_run import FirstRunDialog  # noqa: E402
from neascn_desktop.gui.main_window import MainWindow  # noqa: E402
from neascn_desktop.i18n.formatting import format_datetime  # noqa: E402
from neascn_desktop.sync.exporter import Recipient, export_package  # noqa: E402
from tests.gui.inbox.test_conflict_undo import _city_conflict  # noqa: E402
from tests.sync.sync_support import commit_submission, new_profile  # noqa: E402

SHOTS = Path(os.environ.get("NEASCN_SCREENSHOTS", "/tmp/neascn-screenshots"))


def _save(widget: QWidget, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    QApplication.processEvents()
    path = SHOTS / f"{name}.png"
    assert widget.grab().save(str(path))
    return path


def _window(qtbot, db, profile):  # type: ignore[no-untyped-def]
    ctx = GuiContext(db=db, profile=profile)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1100, 720)
    window.show()
    qtbot.waitExposed(window)
    return window, ctx


def test_the_inbox_after_a_trust_decision(qtbot, tmp_path: Path, qt_language) -> None:  # type: ignore[no-untyped-def]
    db, sec = new_profile(tmp_path / "sec", "secretariat", "Secretariat")
    recipient = Recipient(sec.device_id, sec.display_name, sec.encryption_public_key)
    drop = tmp_path / "drop"
    drop.mkdir()
    others = []
    for name, city in (("Bat-Erdene", "ulaanbaatar"), ("Kim Min-ji", "busan")):
        other_db, profile = new_profile(tmp_path / city, "field", name)
        commit_submission(other_db, profile, {"resp_name": name}, city_id=city)
        export_package(other_db, "responses", drop / f"{city}.neascn", recipient=recipient)
        others.append(other_db)
    window, ctx = _window(qtbot, db, sec)
    try:
        inbox = window.show_workspace("inbox")
        inbox.confirm = lambda _text: True
        inbox.add_paths([drop])
        qtbot.waitUntil(lambda: not inbox.jobs, timeout=120_000)
        inbox.table.selectRow(inbox.model.row_of(drop / "busan.neascn"))
        inbox.trust_button.click()
        qtbot.waitUntil(lambda: not inbox.jobs, timeout=120_000)
        inbox.table.selectRow(inbox.model.row_of(drop / "ulaanbaatar.neascn"))
        qtbot.waitUntil(lambda: not inbox.jobs, timeout=120_000)
        inbox.table.selectRow(inbox.model.row_of(drop / "busan.neascn"))
        qtbot.waitUntil(lambda: not inbox.jobs, timeout=120_000)
        assert replica.counts(db)["entities"].get("submission") == 1
        # The built-in survey is every machine's own: never named as a survey missing here.
        assert "not present here" not in inbox.preview.toPlainText()
        _save(window, "issue16-inbox-after-trust-en")
    finally:
        window.close()
        ctx.changes.stop()
        db.dispose()
        for other in others:
            other.dispose()


def test_a_settled_conflict_with_its_undo_at_hand(qtbot, tmp_path: Path, qt_language) -> None:  # type: ignore[no-untyped-def]
    db, sec = new_profile(tmp_path / "sec", "secretariat", "Secretariat")
    _city_conflict(db)
    window, ctx = _window(qtbot, db, sec)
    try:
        inbox = window.show_workspace("inbox")
        inbox.tabs.setCurrentWidget(inbox.conflicts)
        qtbot.mouseClick(inbox.conflicts.merge_button, qtbot_left())
        assert len(replica.heads(db, "seoul")) == 1
        window.form.menuEdit.aboutToShow.emit()
        assert window.form.actionUndo.isEnabled()
        inbox.tabs.setCurrentWidget(inbox.audit_log)
        qtbot.waitUntil(lambda: inbox.audit_model.rowCount() > 0 and inbox.audit_model.row(0).action == "resolve",
                        timeout=120_000)
        inbox.audit_log.select_row(0)
        assert inbox.audit_log.undo_button.isEnabled()
        assert inbox.audit_log.undo_button.text() == "Undo this resolution"
        model = inbox.audit_model
        note = model.data(model.index(0, model.columnCount() - 1))
        assert "Seoul" in note and "heads" not in note and "seoul" not in note, note
        when = model.data(model.index(0, 0))
        assert when == format_datetime(model.row(0).at.astimezone(), "en"), when
        _save(window, "issue16-settled-conflict-undo-en")
    finally:
        window.close()
        ctx.changes.stop()
        db.dispose()


def qtbot_left():  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton


def test_the_framework_editor_at_1100_pixels(qtbot, db, taskforce_profile, qt_language) -> None:  # type: ignore[no-untyped-def]
    framework.create_document(db, taskforce_profile, "en")
    window, ctx = _window(qtbot, db, taskforce_profile)
    try:
        ws = window.show_workspace("framework")
        ws.select_section("fw-vision")
        qtbot.waitUntil(lambda: ws.editor.isVisible(), timeout=120_000)
        assert window.width() == 1100
        _save(window, "issue16-framework-1100")
    finally:
        window.close()
        ctx.changes.stop()


def test_the_first_run_dialog_in_mongolian_and_japanese(qtbot, db, qt_language) -> None:  # type: ignore[no-untyped-def]
    dialog = FirstRunDialog(db)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)

    def fits() -> bool:
        labels = [dialog.form.headingLabel, dialog.form.introLabel, dialog.form.roleHintLabel]
        return (all(b.width() >= b.sizeHint().width() for b in dialog.findChildren(QPushButton) if b.isVisible())
                and all(label.height() >= label.heightForWidth(label.width()) for label in labels)
                and all(label.width() >= label.minimumSizeHint().width() for label in dialog.findChildren(QLabel)))

    try:
        for language in ("mn", "ja"):
            dialog.fill(name="", language=language)
            qtbot.waitUntil(fits, timeout=120_000)
            _save(dialog, f"issue16-first-run-{language}")
    finally:
        i18n.set_language("en")
