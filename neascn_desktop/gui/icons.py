"""Icons: the desktop theme's where it has one, else the SVGs bundled in ``resources/icons``."""

from __future__ import annotations

from functools import cache

from PySide6.QtGui import QIcon

from neascn_desktop.paths import resource

#: Our icon names -> freedesktop theme names tried first (Linux desktops with a theme).
THEME_NAMES: dict[str, str] = {
    "key": "dialog-password",
    "trust": "security-high",
    "quit": "application-exit",
    "undo": "edit-undo",
    "redo": "edit-redo",
    "about": "help-about",
}


@cache
def icon(name: str) -> QIcon:
    """The icon called ``name`` (``resources/icons/<name>.svg`` when the theme lacks it)."""
    path = resource("icons", f"{name}.svg")
    fallback = QIcon(str(path)) if path.is_file() else QIcon()
    theme_name = THEME_NAMES.get(name)
    if theme_name and QIcon.hasThemeIcon(theme_name):
        return QIcon.fromTheme(theme_name, fallback)
    return fallback
