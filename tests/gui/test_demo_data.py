"""Demo data never mixes with real data: a separate demo directory, or marked, audited, removable."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

from neascn_desktop import replica
from neascn_desktop.demo.directory import demo_data_dir, is_demo_directory
from neascn_desktop.demo.marks import demo_ids, holds_demo_data
from neascn_desktop.gui import demo_data
from neascn_desktop.gui.app import EXIT_OK, main
from neascn_desktop.gui.first_run import FirstRunDialog
from neascn_desktop.gui.main_window import MainWindow
from neascn_desktop.identity.profile import create_profile, load_profile
from neascn_desktop.store import open_database
from neascn_desktop.surveys import service as surveys
from neascn_desktop.sync import audit


def _answer_next_question(button: QMessageBox.StandardButton, seen: list[str]) -> None:
    """Click ``button`` in the next modal message box (the confirmation), remembering its text."""

    def check() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            seen.append(box.text())
            box.button(button).click()
        else:
            QTimer.singleShot(20, check)

    QTimer.singleShot(0, check)


def _visible(kind: type) -> object | None:
    return next((w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()), None)


def _when_visible(kind: type, action, seen: list[object]) -> None:  # type: ignore[no-untyped-def]
    def check() -> None:
        widget = _visible(kind)
        if widget is None:
            QTimer.singleShot(20, check)
        else:
            seen.append(widget)
            action(widget)

    QTimer.singleShot(20, check)


def test_loading_into_a_profile_asks_first_marks_and_removes_in_one_step(qtbot, main_window, gui_ctx) -> None:
    db = gui_ctx.db
    surveys.ensure_builtin(db)
    real = surveys.create_submission(db, gui_ctx.profile, "darkhan").submission.id
    before = replica.digest(db)
    form = main_window.form
    assert not form.actionRemoveDemoData.isEnabled()
    assert not main_window.findChild(type(main_window._demo_label), "statusDemo").isVisible()

    asked: list[str] = []
    _answer_next_question(QMessageBox.StandardButton.No, asked)
    form.actionLoadDemoData.trigger()
    assert asked and "marked as demo" in asked[0]
    assert replica.digest(db) == before  # "No" loads nothing

    _answer_next_question(QMessageBox.StandardButton.Yes, asked)
    with qtbot.waitSignal(gui_ctx.changes.dataChanged, timeout=120_000):
        form.actionLoadDemoData.trigger()
    qtbot.waitUntil(lambda: holds_demo_data(db) and form.actionRemoveDemoData.isEnabled(),
                    timeout=120_000)
    label = main_window._demo_label
    assert label.isVisible() and label.text() == "This profile holds demo data"
    assert real not in demo_ids(db)
    assert audit.list_audit(db)[0].verdict == "demo_loaded"

    _answer_next_question(QMessageBox.StandardButton.Yes, asked)
    with qtbot.waitSignal(gui_ctx.changes.dataChanged, timeout=120_000):
        form.actionRemoveDemoData.trigger()
    qtbot.waitUntil(lambda: not form.actionRemoveDemoData.isEnabled(), timeout=120_000)
    assert not label.isVisible()
    assert replica.digest(db) == before
    assert [s.id for s in surveys.list_submissions(db)] == [real]
    assert audit.list_audit(db)[0].verdict == "demo_removed"


def test_first_run_try_with_demo_data_leaves_the_real_directory_without_a_profile(
        qtbot, data_dir: Path) -> None:
    seen: list[object] = []

    def try_demo(dialog: FirstRunDialog) -> None:
        dialog.fill(name="", role="field", language="en")
        button = dialog.findChild(QPushButton, "tryDemoButton")
        assert button.text() == "Try with demo data"
        button.click()
        _when_visible(MainWindow, lambda window: window.close(), seen)

    _when_visible(FirstRunDialog, try_demo, seen)
    assert main(["--data-dir", str(data_dir)]) == EXIT_OK
    window = seen[1]
    assert isinstance(window, MainWindow)
    assert "demo data" in window.windowTitle() and window._demo_label.text().startswith("Demo data")
    assert window.current_workspace_key() == "surveys"
    real = open_database(data_dir)
    try:
        assert load_profile(real) is None  # the next start asks again
    finally:
        real.dispose()
    demo_dir = demo_data_dir(data_dir)
    assert is_demo_directory(demo_dir)
    demo = open_database(demo_dir)
    try:
        assert load_profile(demo).role == "field"  # type: ignore[union-attr]
        assert len(surveys.list_submissions(demo)) == 6
        assert not holds_demo_data(demo)  # all of it is demo: nothing to mark or remove
    finally:
        demo.dispose()


def test_help_try_with_demo_data_opens_the_demo_directory_and_not_the_profile(
        qtbot, main_window, gui_ctx, monkeypatch) -> None:
    db = gui_ctx.db
    before = replica.digest(db)
    started: list[tuple[str, list[str]]] = []
    monkeypatch.setattr(demo_data, "start_detached",
                        lambda program, arguments: started.append((program, arguments)) or True)
    main_window.form.actionTryDemo.trigger()
    ((_program, arguments),) = started
    arguments = arguments[arguments.index("--data-dir"):]  # after "-m neascn_desktop"
    assert arguments[:2] == ["--data-dir", str(gui_ctx.data_dir)]
    seen: list[object] = []
    _when_visible(MainWindow, lambda window: window.close(), seen)
    # Another window, here in-process: the started program runs the same main().
    main_window.hide()
    assert main(arguments) == EXIT_OK
    demo_window = seen[0]
    assert isinstance(demo_window, MainWindow) and demo_window is not main_window
    assert "demo data" in demo_window.windowTitle()
    assert not demo_window.form.actionLoadDemoData.isVisible()
    assert replica.digest(db) == before and not holds_demo_data(db)


def test_a_demo_directory_profile_is_not_created_twice(tmp_path: Path) -> None:
    from neascn_desktop.demo.directory import mark_demo_directory, prepare_demo_profile

    folder = tmp_path / "demo"
    mark_demo_directory(folder)
    db = open_database(folder)
    try:
        first = prepare_demo_profile(db, role="secretariat", language="ko")
        assert first.display_name == "데모 사용자"  # in the demo's language, not the process's
        again = prepare_demo_profile(db, role="field", language="en")
        assert again.device_id == first.device_id and again.language == "ko"
    finally:
        db.dispose()
    other = tmp_path / "real"
    db = open_database(other)
    try:
        create_profile(db, name="Real", role="field")
        import pytest

        with pytest.raises(ValueError):
            prepare_demo_profile(db, role="field", language="en")
    finally:
        db.dispose()


def test_a_real_response_speaks_for_its_city_and_demo_rows_say_demo(qtbot, gui_ctx) -> None:
    from neascn_desktop.demo.loading import load_into_profile
    from neascn_desktop.gui.surveys.item_models import STATUS
    from neascn_desktop.gui.surveys.workspace import SurveysWorkspace

    db, profile = gui_ctx.db, gui_ctx.profile
    load_into_profile(db, profile, cities=6)
    demo = demo_ids(db)
    finalized = next(s for s in surveys.list_submissions(db) if s.id in demo and s.status == "finalized")
    real = surveys.create_submission(db, profile, finalized.city_id).submission  # in progress
    statuses = {s.city.id: s for s in surveys.city_statuses(db)}
    assert statuses[finalized.city_id].submission.id == real.id  # type: ignore[union-attr]
    assert not statuses[finalized.city_id].demo
    demo_only = [c for c, s in statuses.items() if s.demo]
    assert len(demo_only) == 5

    workspace = SurveysWorkspace(gui_ctx)
    qtbot.addWidget(workspace)
    model = workspace.model
    texts = {model.rows[r].city.id: model.index(r, STATUS).data() for r in range(model.rowCount())}
    assert texts[finalized.city_id] == "In progress"
    assert all(texts[c].endswith("(demo data)") for c in demo_only)
