"""The entry point: first run, normal start, a database that cannot be opened."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from neascn_desktop.gui.app import EXIT_OK, EXIT_STORE_ERROR, main
from neascn_desktop.gui.first_run import FirstRunDialog
from neascn_desktop.gui.main_window import MainWindow
from neascn_desktop.identity.profile import create_profile, load_profile
from neascn_desktop.store import open_database


def _when(condition, action, seen: list[object]) -> None:  # type: ignore[no-untyped-def]
    """Run ``action(widget)`` once ``condition()`` returns a widget (polls the event loop)."""

    def check() -> None:
        widget = condition()
        if widget is None:
            QTimer.singleShot(20, check)
        else:
            seen.append(widget)
            action(widget)

    QTimer.singleShot(20, check)


def _visible(kind: type) -> object | None:
    return next(
        (w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()), None
    )


def test_first_start_asks_for_a_profile_then_opens_the_window(qtbot, data_dir: Path) -> None:
    seen: list[object] = []

    def fill_and_accept(dialog: FirstRunDialog) -> None:
        dialog.fill(name="Chen Wei", organisation="Shanghai", role="taskforce")
        dialog.accept()
        _when(lambda: _visible(MainWindow), lambda window: window.close(), seen)

    _when(lambda: _visible(FirstRunDialog), fill_and_accept, seen)
    assert main(["--data-dir", str(data_dir)]) == EXIT_OK
    assert [type(w) for w in seen] == [FirstRunDialog, MainWindow]
    assert seen[1].current_workspace_key() == "framework"  # type: ignore[attr-defined]
    db = open_database(data_dir)
    assert load_profile(db).display_name == "Chen Wei"  # type: ignore[union-attr]
    db.dispose()


def test_start_with_a_profile_opens_the_main_window(qtbot, data_dir: Path, monkeypatch) -> None:
    db = open_database(data_dir)
    create_profile(db, name="Ivanov", role="secretariat", language="en")
    db.dispose()
    monkeypatch.setenv("NEASCN_DATA_DIR", str(data_dir))  # the environment names the directory
    seen: list[object] = []
    _when(lambda: _visible(MainWindow), lambda window: window.close(), seen)
    assert main([]) == EXIT_OK
    window = seen[0]
    assert "NEASCN" in window.windowTitle()  # type: ignore[attr-defined]
    assert window.current_workspace_key() == "inbox"  # type: ignore[attr-defined]


def test_a_database_that_cannot_be_opened_is_one_sentence_and_exit_2(
    qtbot, data_dir: Path, monkeypatch
) -> None:
    monkeypatch.setenv("NEASCN_DATABASE_URL", f"sqlite:///{data_dir / 'no' / 'such' / 'dir.db'}")
    seen: list[object] = []
    _when(lambda: QApplication.activeModalWidget() if isinstance(
        QApplication.activeModalWidget(), QMessageBox) else None, lambda box: box.accept(), seen)
    assert main(["--data-dir", str(data_dir)]) == EXIT_STORE_ERROR
    text = seen[0].text()  # type: ignore[attr-defined]
    assert text.startswith("Cannot open the database") and "\n" not in text
