"""Everything stays in the data directory: Qt's own settings (QtProject.conf) follow it, and
file dialogs start in the folder last used (else Documents)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog

from neascn_desktop.gui import folders
from neascn_desktop.gui.settings import keep_qt_settings_in


def test_qt_settings_follow_the_data_directory(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    old_format = QSettings.defaultFormat()
    try:
        folder = keep_qt_settings_in(data_dir)
        qt_own = QSettings(QSettings.Scope.UserScope, "QtProject")  # what QFileDialog writes
        qt_own.setValue("probe", 1)
        qt_own.sync()
        assert Path(qt_own.fileName()).is_relative_to(data_dir)
        assert (folder / "QtProject.conf").is_file()
    finally:
        QSettings.setDefaultFormat(old_format)


def test_file_dialogs_start_in_documents_then_in_the_last_folder(qtbot, tmp_path: Path, monkeypatch) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    chosen = tmp_path / "usb"
    chosen.mkdir()
    (chosen / "a.neascn").write_bytes(b"x")
    assert folders.start_folder(data_dir) == folders.documents_folder()
    seen: list[str] = []
    # A real (non-native, offscreen) dialog: look at where it starts, choose the file.
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", _driven_open_dialog(seen, chosen / "a.neascn"))
    paths = folders.open_file_names(None, data_dir, "Add package files", "NEASCN packages (*.neascn)")
    assert paths == [chosen / "a.neascn"]
    assert Path(seen[0]) == folders.documents_folder()
    assert folders.start_folder(data_dir) == chosen
    folders.open_file_names(None, data_dir, "Add package files", "NEASCN packages (*.neascn)")
    assert Path(seen[1]) == chosen


def _driven_open_dialog(seen: list[str], pick: Path):  # type: ignore[no-untyped-def]
    def open_names(parent, title, directory, filters):  # type: ignore[no-untyped-def]
        dialog = QFileDialog(parent, title, directory, filters)
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        seen.append(dialog.directory().absolutePath())

        def choose() -> None:
            dialog.selectFile(str(pick))
            dialog.accept()

        QTimer.singleShot(0, choose)
        if dialog.exec():
            return dialog.selectedFiles(), filters
        return [], filters

    assert QApplication.instance() is not None
    return open_names
