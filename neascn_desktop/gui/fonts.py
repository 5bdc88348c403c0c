"""The application font follows the language: Japanese in a Japanese font, and so on.

The families come from the one table (``neascn_desktop.i18n.fonts``); the
system's own UI font stays last in the list, so Qt falls back to it for
families that are not installed and for scripts the chosen font lacks.
"""

from __future__ import annotations

from PySide6.QtGui import QFont, QGuiApplication

from neascn_desktop.i18n import add_language_listener, current_language, remove_language_listener
from neascn_desktop.i18n.fonts import ui_fonts


class LanguageFont:
    """Sets the application font for the current language, and again on every switch."""

    def __init__(self, app: QGuiApplication, system: str | None = None) -> None:
        self._app = app
        self._system = system
        self._base = QFont(app.font())  # the system's UI font, before any language's

    def install(self) -> None:
        add_language_listener(self.apply)
        self.apply(current_language())

    def uninstall(self) -> None:
        remove_language_listener(self.apply)
        self._app.setFont(self._base)

    def apply(self, language: str) -> None:
        families = ui_fonts(language, self._system)
        font = QFont(self._base)
        if families:
            font.setFamilies([*families, *(f for f in self._base.families() if f not in families)])
        self._app.setFont(font)
