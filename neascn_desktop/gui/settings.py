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
