"""Packages handed to the app by the system: a ``.neascn`` file double-clicked, or dropped on
the Dock icon, goes to the Inbox.

Windows and Linux start the program with the file as an argument
(``neascn-desktop FILE``, from the file association); macOS starts the app (or
finds it running) and sends a ``QFileOpenEvent``.  Both arrive here; files that
come before the main window exists (macOS sends the event at launch, before a
first-run dialog may even be closed) wait until it does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QFileOpenEvent

PACKAGE_SUFFIX = ".neascn"


def split_package_arguments(arguments: list[str]) -> tuple[list[Path], list[str]]:
    """(the ``.neascn`` files among positional ``arguments``, the rest, left to Qt)."""
    packages = [Path(a) for a in arguments if a.lower().endswith(PACKAGE_SUFFIX)]
    others = [a for a in arguments if not a.lower().endswith(PACKAGE_SUFFIX)]
    return packages, others


class PackageOpener(QObject):
    """Collects packages to open and hands them to the main window's Inbox."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._window: Any = None
        self._pending: list[Path] = []

    def open(self, paths: list[Path]) -> None:
        self._pending.extend(paths)
        self._flush()

    def set_window(self, window: Any) -> None:
        self._window = window
        self._flush()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.FileOpen and isinstance(event, QFileOpenEvent):
            name = event.file()
            if name.lower().endswith(PACKAGE_SUFFIX):
                self.open([Path(name)])
                return True
        return False

    def _flush(self) -> None:
        if self._window is not None and self._pending:
            paths, self._pending = self._pending, []
            self._window.open_packages(paths)
