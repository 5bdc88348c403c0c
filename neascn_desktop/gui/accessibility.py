"""Accessible names and descriptions for every interactive widget, in the user's language.

A screen reader announces a widget by its accessible name.  Widgets named explicitly
(``setAccessibleName`` in a workspace's ``retranslateUi``) keep their name; every other
interactive widget gets one from what a sighted user reads for it: a button's text or
action, the label that is its buddy, a placeholder, a tooltip.  Its description is its
tooltip.  ``name_widgets`` runs after a workspace is built and after every language
switch (the derived names follow the language); ``nameless`` lists what is still without a
name (the accessibility test fails on any).
"""

from __future__ import annotations

import shiboken6
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollBar,
    QTabBar,
    QTextEdit,
    QToolButton,
    QWidget,
)

INTERACTIVE = (QAbstractButton, QAbstractItemView, QAbstractSlider, QAbstractSpinBox, QComboBox,
               QLineEdit, QPlainTextEdit, QTabBar, QTextEdit)
#: Set on widgets whose name this module derived (so a language switch derives it again).
_DERIVED = "neascnDerivedAccessibleName"


def _plain(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").strip()


def _key(widget: QWidget) -> int:
    return int(shiboken6.getCppPointer(widget)[0])


def _buddies(root: QWidget) -> dict[int, str]:
    found: dict[int, str] = {}
    for label in root.findChildren(QLabel):
        buddy = label.buddy()
        if buddy is not None and label.text():
            found[_key(buddy)] = _plain(label.text()).rstrip(":：")
    return found


def _derived_name(widget: QWidget, buddies: dict[int, str]) -> str:
    if isinstance(widget, QToolButton) and widget.defaultAction() is not None:
        action = widget.defaultAction()
        return _plain(action.text()) if len(_plain(action.text())) > 1 else action.toolTip()
    if isinstance(widget, QAbstractButton) and _plain(widget.text()):
        text = _plain(widget.text())
        return text if len(text) > 1 or not widget.toolTip() else widget.toolTip()  # "↑", "✕": the tip says it
    if _key(widget) in buddies:
        return buddies[_key(widget)]
    if isinstance(widget, QTabBar):
        return ", ".join(_plain(widget.tabText(i)) for i in range(widget.count()))
    if isinstance(widget, QLineEdit | QTextEdit | QPlainTextEdit) and widget.placeholderText():
        return widget.placeholderText()
    line = widget.lineEdit() if isinstance(widget, QComboBox) and widget.isEditable() else None
    if line is not None and line.placeholderText():
        return line.placeholderText()
    return widget.toolTip() or widget.statusTip()


def _interactive(widget: QWidget) -> bool:
    if not isinstance(widget, INTERACTIVE) or isinstance(widget, QScrollBar):
        return False  # scroll bars are announced with what they scroll
    if widget.objectName().startswith("qt_") and not isinstance(widget, QTabBar):
        return False  # Qt's own parts: a toolbar's overflow button, a scroll area's corners
    # Parts Qt builds inside another widget (a combo box's line edit, a spin box's, a table's
    # corner button, a scroll bar) are announced through their owner.
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QComboBox | QAbstractSpinBox | QAbstractItemView | QLineEdit):
            return False
        parent = parent.parentWidget()
    return True


def name_widgets(root: QWidget) -> None:
    """Give every interactive widget under ``root`` a name and a description (see the module)."""
    buddies = _buddies(root)
    for widget in [root, *root.findChildren(QWidget)]:
        if not _interactive(widget):
            continue
        if not widget.accessibleName() or widget.property(_DERIVED):
            name = _derived_name(widget, buddies)
            if name:
                widget.setAccessibleName(name)
                widget.setProperty(_DERIVED, True)
        if not widget.accessibleDescription() or widget.property(_DERIVED):
            description = widget.toolTip() or widget.statusTip()
            if description and description != widget.accessibleName():
                widget.setAccessibleDescription(description)


def nameless(root: QWidget) -> list[QWidget]:
    """Interactive widgets under ``root`` that a screen reader could not name."""
    return [w for w in [root, *root.findChildren(QWidget)] if _interactive(w) and not w.accessibleName()]
