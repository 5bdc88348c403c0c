"""The window's own settings (geometry, last workspace): an ini file in the data directory.

Kept beside the database rather than in the platform's settings store so that
two data directories (e.g. a test one) remember their windows separately.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

SETTINGS_FILENAME = "gui.ini"


def gui_settings(data_dir: Path) -> QSettings:
    return QSettings(str(Path(data_dir) / SETTINGS_FILENAME), QSettings.Format.IniFormat)


QT_SETTINGS_FOLDER = "qt-settings"


def keep_qt_settings_in(data_dir: Path) -> Path:
    """Make Qt's own settings (the file dialog's history, ``QtProject.conf``) files in the data
    directory instead of ``~/.config`` or the registry: everything stays where ``--data-dir``
    says.  Call before any dialog opens; returns the folder."""
    folder = Path(data_dir) / QT_SETTINGS_FOLDER
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    for kind in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):  # Unix: both are files
        for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
            QSettings.setPath(kind, scope, str(folder))
    return folder
