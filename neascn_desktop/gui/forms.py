"""Designer forms as data: build ``ui/<name>.ui`` into a widget at run time, and re-translate it.

``load_form("main_window.ui", self)`` builds the form *into* ``self`` (the
form's top-level widget becomes ``self``; its children, layouts, menus and
actions are created inside it) with ``QUiLoader``.  The texts are translated at
load time by the installed :class:`~neascn_desktop.i18n.qt.GettextTranslator`.

Re-translation after a language switch: ``QUiLoader`` keeps no record of the
English source texts, so :class:`Form` keeps one — the same parser that
``pybabel extract`` uses (``neascn_desktop.i18n.ui_extractor``) lists every
translatable string of the file with where it goes (a property of a named
widget or action, an item of a list or combo box, a tab title, a header
column); :meth:`Form.retranslate` looks each up again with ``_()`` /
``pgettext()`` and sets it.  So extraction and re-translation can never disagree.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from PySide6.QtCore import QFile, QIODevice, QObject
from PySide6.QtUiTools import QUiLoader
from PySide6.QtWidgets import (
    QComboBox,
    QListWidget,
    QTableWidget,
    QTabWidget,
    QToolBox,
    QTreeWidget,
    QWidget,
)

from neascn_desktop.i18n import _, pgettext
from neascn_desktop.i18n.ui_extractor import UiString, read_ui_strings
from neascn_desktop.paths import ui_file


class FormError(RuntimeError):
    """A bundled form is missing or broken (a packaging bug, not a user error)."""


class _IntoBaseLoader(QUiLoader):
    """A ``QUiLoader`` that uses an existing widget as the form's top-level widget."""

    def __init__(self, base: QWidget | None) -> None:
        super().__init__(base)
        self._base = base

    def createWidget(  # noqa: N802 - Qt's name
        self, class_name: str, parent: QWidget | None = None, name: str = ""
    ) -> QWidget:
        if parent is None and self._base is not None:
            if name and not self._base.objectName():
                self._base.setObjectName(name)
            return self._base
        return super().createWidget(class_name, parent, name)


@cache
def _strings_of(path: Path) -> tuple[UiString, ...]:
    return tuple(read_ui_strings(path.read_bytes()))


class Form:
    """A loaded form: its top-level widget, its children by object name, its re-translation."""

    def __init__(self, root: QWidget, path: Path) -> None:
        self.root = root
        self.path = path
        self._strings = _strings_of(path)

    # Any, not QObject: the children are created at run time from the .ui file, so their classes
    # are unknown to the type checker (``form.saveButton.clicked`` must not be an error).
    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        child = self.child(name)
        if child is None:
            raise AttributeError(f"{self.path.name} has no object named {name!r}")
        return child

    def child(self, name: str) -> QObject | None:
        if name == self.root.objectName():
            return self.root
        return self.root.findChild(QObject, name)

    def source_texts(self) -> list[str]:
        """The English texts of the form (for tests and diagnostics)."""
        return [s.text for s in self._strings]

    def retranslate(self) -> None:
        """Set every translatable text of the form again in the active language."""
        for item in self._strings:
            target = item.target
            if target is None:
                continue
            text = pgettext(item.disambiguation, item.text) if item.disambiguation else _(item.text)
            obj = self.child(target.name)
            if obj is None:
                continue
            if target.kind == "property":
                obj.setProperty(target.key, text)
            elif target.kind == "item":
                self._set_item(obj, target.index, target.key, text)
            elif target.kind == "column":
                self._set_column(obj, target.index, target.key, text)
            elif target.kind == "attribute":
                self._set_attribute(obj, target.container, target.key, text)

    @staticmethod
    def _set_item(obj: QObject, index: int, key: str, text: str) -> None:
        if isinstance(obj, QListWidget) and 0 <= index < obj.count():
            item = obj.item(index)
            if key == "text":
                item.setText(text)
            elif key == "toolTip":
                item.setToolTip(text)
            elif key == "statusTip":
                item.setStatusTip(text)
        elif isinstance(obj, QComboBox) and 0 <= index < obj.count() and key == "text":
            obj.setItemText(index, text)

    @staticmethod
    def _set_column(obj: QObject, index: int, key: str, text: str) -> None:
        if key != "text":
            return
        if isinstance(obj, QTreeWidget):
            obj.headerItem().setText(index, text)
        elif isinstance(obj, QTableWidget):
            header = obj.horizontalHeaderItem(index)
            if header is not None:
                header.setText(text)

    def _set_attribute(self, page: QObject, container_name: str, key: str, text: str) -> None:
        container = self.child(container_name) if container_name else None
        if not isinstance(page, QWidget):
            return
        if isinstance(container, QTabWidget):
            index = container.indexOf(page)
            if index >= 0 and key == "title":
                container.setTabText(index, text)
            elif index >= 0 and key == "toolTip":
                container.setTabToolTip(index, text)
        elif isinstance(container, QToolBox):
            index = container.indexOf(page)
            if index >= 0 and key == "label":
                container.setItemText(index, text)
            elif index >= 0 and key == "toolTip":
                container.setItemToolTip(index, text)


def load_form(name: str, base: QWidget | None = None) -> Form:
    """Build ``ui/<name>`` (into ``base`` if given, else as a new widget) and return the form."""
    path = ui_file(name)
    qfile = QFile(str(path))
    if not qfile.open(QIODevice.OpenModeFlag.ReadOnly):
        raise FormError(f"cannot open form {path}")
    try:
        loader = _IntoBaseLoader(base)
        root = loader.load(qfile, None)
    finally:
        qfile.close()
    if root is None:
        raise FormError(f"cannot load form {path}: {loader.errorString()}")
    return Form(root, path)
