"""Issue 16 in the Inbox, driven with pytest-qt: a proposal typed in the conflict view is
checked like the form (the message inline, nothing saved), the view names records and fields
in the user's language, settling is undone by Edit → Undo, and the audit log undoes an import."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402

from neascn_desktop import i18n, replica  # noqa: E402
from neascn_desktop.gui.context import GuiContext  # noqa: E402
from neascn_desktop.identity.trust import read_keycard, trust_keycard  # noqa: E402
from neascn_desktop.replica.clock import format_clock, wall_ms  # noqa: E402
from neascn_desktop.surveys import installed  # noqa: E402
from neascn_desktop.sync.exporter import Recipient, export_package  # noqa: E402
from neascn_desktop.sync.importer import import_packages  # noqa: E402
from tests.sync.sync_support import commit_submission, keycard, new_profile  # noqa: E402

SCREENSHOTS = Path(os.environ.get("NEASCN_SCREENSHOTS", "/tmp/neascn-screenshots"))


@pytest.fixture
def secretariat(tmp_path: Path):  # type: ignore[no-untyped-def]
    db, profile = new_profile(tmp_path / "sec", "secretariat", "Secretariat")
    yield db, profile
    db.dispose()


def _city_conflict(db) -> None:  # type: ignore[no-untyped-def]
    installed.ensure_builtin(db)
    seoul = replica.heads(db, "seoul")[0]
    replica.add_revisions(db, [
        replica.make_revision("city", "seoul", [seoul.id], device, format_clock(wall_ms(), n),
                              dict(seoul.payload, population=population, source=source))
        for n, (device, population, source) in enumerate((("device-a", 9_400_000, "Census 2025"),
                                                           ("device-b", 9_500_000, "Estimate 2026")))])


def _view(qtbot, db, profile):  # type: ignore[no-untyped-def]
    from neascn_desktop.gui.inbox.conflicts_view import ConflictsView

    view = ConflictsView(GuiContext(db=db, profile=profile))
    qtbot.addWidget(view)
    view.resize(1100, 700)
    return view


def _row(model, name: str) -> int:  # type: ignore[no-untyped-def]
    return next(r for r in range(model.rowCount())
                if model.data(model.index(r, 0), Qt.ItemDataRole.ToolTipRole) == name)


def test_a_typed_population_is_checked_inline_and_settling_is_undone(qtbot, secretariat) -> None:  # type: ignore[no-untyped-def]
    db, profile = secretariat
    _city_conflict(db)
    view = _view(qtbot, db, profile)
    assert view.list_model.rowCount() == 1
    assert view.list_model.data(view.list_model.index(0, 0)) == "Seoul"
    model = view.comparison_model
    row = _row(model, "population")
    assert model.data(model.index(row, 0)) == "Population"
    proposal = model.columnCount() - 1
    before = dict(model.proposal)

    # Typed into the cell with the keyboard, as a person would.
    index = model.index(row, proposal)
    view.show()
    view.comparison_view.setCurrentIndex(index)
    view.comparison_view.edit(index)
    editor = view.comparison_view.focusWidget()
    editor.selectAll() if hasattr(editor, "selectAll") else None
    QTest.keyClicks(editor, "about 1.7 million")
    QTest.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.proposal_error.isVisible(), timeout=120_000)
    assert view.proposal_error.text().startswith("Population: ")
    assert model.proposal == before  # the refused text never reaches the proposal
    assert not view.save_button.isEnabled()
    grab(view, "conflict-refused-en")

    assert model.setData(model.index(row, proposal), "1700000")
    assert not view.proposal_error.isVisible()
    assert view.save_button.isEnabled()
    qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    shown = replica.current(db, "city", "seoul")
    assert shown is not None and shown.heads == 1 and shown.payload["population"] == 1_700_000
    assert view.list_model.rowCount() == 0

    # Edit → Undo brings the conflict back; Redo settles it again.
    assert view.undo_stack.canUndo()
    view.undo_stack.undo()
    assert len(replica.heads(db, "seoul")) == 2
    view.refresh()
    assert view.list_model.rowCount() == 1
    # Compared as before: against the versions' own common ancestor, not the undone merge.
    row = _row(model, "population")
    assert model.data(model.index(row, 1)) == "9,386,000"
    assert {model.data(model.index(row, 2)), model.data(model.index(row, 3))} == {"9,500,000", "9,400,000"}
    assert "this device" not in model.headerData(2, Qt.Orientation.Horizontal)
    grab(view, "conflict-after-undo-en")
    view.undo_stack.redo()
    shown = replica.current(db, "city", "seoul")
    assert shown is not None and shown.heads == 1 and shown.payload["population"] == 1_700_000


def test_the_conflict_view_speaks_korean(qtbot, secretariat) -> None:  # type: ignore[no-untyped-def]
    db, profile = secretariat
    _city_conflict(db)
    i18n.set_language("ko")
    view = _view(qtbot, db, profile)
    view.show()
    model = view.comparison_model
    assert view.list_model.data(view.list_model.index(0, 0)) == "서울"
    assert model.data(model.index(_row(model, "population"), 0)) == "인구"
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert not any("device-" in str(h) for h in headers)
    assert model.setData(model.index(_row(model, "population"), model.columnCount() - 1), "약 170만")
    assert view.proposal_error.text().startswith("인구: ")
    grab(view, "conflict-refused-ko")


def test_undo_this_import_in_the_audit_log(qtbot, tmp_path: Path, secretariat) -> None:  # type: ignore[no-untyped-def]
    from neascn_desktop.gui.inbox.workspace import InboxWorkspace

    db, profile = secretariat
    field_db, field = new_profile(tmp_path / "field", "field", "Field Person")
    try:
        submission = commit_submission(field_db, field, {"resp_name": "Kim", "city_population": 100})
        trust_keycard(db, read_keycard(keycard(field_db, field, tmp_path)))
        package = tmp_path / "one.neascn"
        export_package(field_db, "responses", package,
                       recipient=Recipient(profile.device_id, profile.display_name, profile.encryption_public_key))
    finally:
        field_db.dispose()
    import_packages(db, [package])
    assert replica.current(db, "submission", submission.entity_id) is not None

    ctx = GuiContext(db=db, profile=profile)
    workspace = InboxWorkspace(ctx)
    qtbot.addWidget(workspace)
    ctx.changes.dataChanged.connect(workspace.on_changes)  # what the main window does
    audit_log = workspace.audit_log
    audit_log.confirm = lambda _text: True  # type: ignore[method-assign]
    workspace.tabs.setCurrentWidget(audit_log)
    audit_log.select_row(0)
    assert audit_log.undo_button.isEnabled() and audit_log.undo_button.text() == "Undo this import"
    qtbot.mouseClick(audit_log.undo_button, Qt.MouseButton.LeftButton)
    assert audit_log.job is not None  # withdrawn off the UI thread
    qtbot.waitUntil(lambda: workspace.audit_model.row(0).action == "undo", timeout=120_000)
    qtbot.waitUntil(lambda: workspace.undo_stack.canUndo(), timeout=120_000)
    assert replica.current(db, "submission", submission.entity_id) is None
    audit_log.select_row(0)
    assert audit_log.undo_button.text() == "Undo this undo"
    audit_log.select_row(1)
    assert not audit_log.undo_button.isEnabled() and audit_log.state.text()

    # Edit → Undo (the workspace's stack) brings the response back.
    assert workspace.undo_stack.canUndo()
    workspace.undo_stack.undo()
    shown = replica.current(db, "submission", submission.entity_id)
    assert shown is not None and shown.payload["answers"]["resp_name"] == "Kim"


def grab(widget, name: str) -> None:  # type: ignore[no-untyped-def]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    widget.grab().save(str(SCREENSHOTS / f"{name}.png"))


def test_edit_undo_in_the_main_window_takes_back_a_settled_conflict(qtbot, secretariat, qt_language) -> None:  # type: ignore[no-untyped-def]
    from neascn_desktop.gui.main_window import MainWindow

    db, profile = secretariat
    _city_conflict(db)
    ctx = GuiContext(db=db, profile=profile)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    try:
        workspace = window.show_workspace("inbox")
        view = workspace.conflicts
        workspace.tabs.setCurrentWidget(view)
        qtbot.mouseClick(view.merge_button, Qt.MouseButton.LeftButton)
        assert len(replica.heads(db, "seoul")) == 1
        window.form.menuEdit.aboutToShow.emit()
        assert window.form.actionUndo.isEnabled()
        window.form.actionUndo.trigger()
        assert len(replica.heads(db, "seoul")) == 2
        qtbot.waitUntil(lambda: view.list_model.rowCount() == 1, timeout=120_000)
        window.form.actionRedo.trigger()
        assert len(replica.heads(db, "seoul")) == 1
    finally:
        window.close()
        ctx.changes.stop()


def test_undo_redo_and_undo_again_from_the_audit_log_is_never_a_conflict(qtbot, tmp_path: Path, secretariat) -> None:  # type: ignore[no-untyped-def]
    """Issue 16: "Undo this import", Edit → Undo (the import back), then "Undo this import" on its
    row again left the response in a false conflict between the import and its own redo."""
    from neascn_desktop.gui.inbox.workspace import InboxWorkspace

    db, profile = secretariat
    field_db, field = new_profile(tmp_path / "field", "field", "Field Person")
    try:
        submission = commit_submission(field_db, field, {"resp_name": "Kim", "city_population": 100})
        trust_keycard(db, read_keycard(keycard(field_db, field, tmp_path)))
        package = tmp_path / "one.neascn"
        export_package(field_db, "responses", package,
                       recipient=Recipient(profile.device_id, profile.display_name, profile.encryption_public_key))
    finally:
        field_db.dispose()
    import_packages(db, [package])
    ctx = GuiContext(db=db, profile=profile)
    workspace = InboxWorkspace(ctx)
    qtbot.addWidget(workspace)
    ctx.changes.dataChanged.connect(workspace.on_changes)
    audit_log = workspace.audit_log
    audit_log.confirm = lambda _text: True  # type: ignore[method-assign]
    workspace.tabs.setCurrentWidget(audit_log)

    def undo_rows() -> int:
        return sum(1 for r in range(workspace.audit_model.rowCount()) if workspace.audit_model.row(r).action == "undo")

    def undo_the_import_row() -> None:
        row = next(r for r in range(workspace.audit_model.rowCount())
                   if workspace.audit_model.row(r).action == "import")
        audit_log.select_row(row)
        assert audit_log.undo_button.isEnabled() and audit_log.undo_button.text() == "Undo this import"
        before = undo_rows()
        qtbot.mouseClick(audit_log.undo_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: undo_rows() == before + 1, timeout=120_000)
        qtbot.waitUntil(lambda: replica.current(db, "submission", submission.entity_id) is None, timeout=120_000)

    undo_the_import_row()
    qtbot.waitUntil(lambda: workspace.undo_stack.canUndo(), timeout=120_000)
    workspace.undo_stack.undo()  # Edit → Undo: the import is back
    assert replica.current(db, "submission", submission.entity_id) is not None
    qtbot.waitUntil(lambda: undo_rows() == 2, timeout=120_000)

    undo_the_import_row()  # its row offers "Undo this import" again
    assert replica.conflicts(db) == []
    assert workspace.conflicts.list_model.rowCount() == 0


def test_the_audit_tables_time_and_counts_are_in_the_readers_language(qapp) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    from neascn_desktop.gui.inbox.item_models import AuditTableModel
    from neascn_desktop.i18n.formatting import format_datetime
    from neascn_desktop.sync.audit import AuditEntry

    at = datetime(2026, 12, 5, 9, 30, tzinfo=UTC)
    entries = [AuditEntry(n, at, "export", "exported", None, None, None, None, None, None, {"revisions": count})
               for n, count in ((1, 1), (2, 1234))]
    model = AuditTableModel()
    model.set_entries(entries)
    counts = model.COLUMNS.index("Counts")
    assert model.data(model.index(0, counts)) == "1 revision"
    assert model.data(model.index(1, counts)) == "1,234 revisions"
    i18n.set_language("ja")
    try:
        assert model.data(model.index(0, 0)) == format_datetime(at.astimezone(), "ja")
        assert model.data(model.index(1, counts)) == "リビジョン 1,234 件"
    finally:
        i18n.set_language("en")
