"""Where file dialogs start, and the dialogs themselves: the last folder used, else Documents.

Every file dialog of the app goes through ``open_file_names``, ``open_file_name``,
``save_file_name`` or ``existing_directory``: each starts in the folder last used with this
data directory (remembered in its ``gui.ini``), or the user's Documents folder the first
time, and remembers where the user went.  They are the platform's native dialogs where
there is one (translated by the system); Qt's own state for them is kept in the data
directory too (``gui.settings.keep_qt_settings_in``).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QFileDialog, QWidget

LAST_FOLDER_KEY = "files/last_folder"


def documents_folder() -> Path:
    """The user's Documents folder, where saved and exported files go by default."""
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(folder) if folder and Path(folder).is_dir() else Path.home()


def start_folder(data_dir: Path | None) -> Path:
    """The folder last used with ``data_dir`` if it still exists, else Documents."""
    if data_dir is not None:
        from neascn_desktop.gui.settings import gui_settings

        value = gui_settings(data_dir).value(LAST_FOLDER_KEY, "")
        if value and Path(str(value)).is_dir():
            return Path(str(value))
    return documents_folder()


def remember_folder(data_dir: Path | None, chosen: Path) -> None:
    if data_dir is None:
        return
    from neascn_desktop.gui.settings import gui_settings

    folder = chosen if chosen.is_dir() else chosen.parent
    settings = gui_settings(data_dir)
    settings.setValue(LAST_FOLDER_KEY, str(folder))
    settings.sync()


def open_file_names(parent: QWidget | None, data_dir: Path | None, title: str, filters: str) -> list[Path]:
    names, _filter = QFileDialog.getOpenFileNames(parent, title, str(start_folder(data_dir)), filters)
    paths = [Path(n) for n in names]
    if paths:
        remember_folder(data_dir, paths[0])
    return paths


def open_file_name(parent: QWidget | None, data_dir: Path | None, title: str, filters: str) -> Path | None:
    name, _filter = QFileDialog.getOpenFileName(parent, title, str(start_folder(data_dir)), filters)
    if not name:
        return None
    remember_folder(data_dir, Path(name))
    return Path(name)


def save_file_name(parent: QWidget | None, data_dir: Path | None, title: str, suggested_name: str,
                   filters: str) -> tuple[Path | None, str]:
    """(the chosen file or ``None``, the chosen filter)."""
    name, chosen_filter = QFileDialog.getSaveFileName(
        parent, title, str(start_folder(data_dir) / suggested_name), filters)
    if not name:
        return None, chosen_filter
    remember_folder(data_dir, Path(name))
    return Path(name), chosen_filter


def existing_directory(parent: QWidget | None, data_dir: Path | None, title: str) -> Path | None:
    name = QFileDialog.getExistingDirectory(parent, title, str(start_folder(data_dir)))
    if not name:
        return None
    remember_folder(data_dir, Path(name))
    return Path(name)
