"""Error and information boxes: a ``NeascnError`` is shown as its one sentence."""

from __future__ import annotations

import traceback
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from neascn_desktop import APP_NAME
from neascn_desktop.errors import NeascnError
from neascn_desktop.i18n import _

# Boxes without a parent are owned by Python: keep them alive until they close.
_open_boxes: set[QMessageBox] = set()


def _open(box: QMessageBox) -> QMessageBox:
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    if box.parent() is None:
        _open_boxes.add(box)
        box.finished.connect(lambda _result, b=box: _open_boxes.discard(b))
    box.open()
    return box


def error_box(parent: QWidget | None, error: BaseException) -> QMessageBox:
    """A message box for ``error`` (not shown yet): the sentence, or a generic one with details."""
    box = QMessageBox(parent)
    box.setWindowTitle(APP_NAME)
    if isinstance(error, NeascnError):
        box.setIcon(QMessageBox.Icon.Warning)
        box.setText(str(error))
    else:
        box.setIcon(QMessageBox.Icon.Critical)
        box.setText(
            _("Something went wrong: {error}").format(
                error=(f"{type(error).__name__}: {error}".splitlines() or [""])[0]
            )
        )
        box.setDetailedText(
            "".join(traceback.format_exception(type(error), error, error.__traceback__))
        )
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    return box


def show_error(parent: QWidget | None, error: BaseException) -> QMessageBox:
    """Show ``error`` window-modally without blocking the caller; returns the box."""
    return _open(error_box(parent, error))


def show_info(parent: QWidget | None, text: str) -> QMessageBox:
    """Show an information sentence window-modally without blocking the caller."""
    box = QMessageBox(
        QMessageBox.Icon.Information, APP_NAME, text, QMessageBox.StandardButton.Ok, parent
    )
    return _open(box)


def ask_warning(parent: QWidget | None, title: str, text: str, informative: str,
                on_yes: Callable[[], object]) -> QMessageBox:
    """Ask a warned yes/no question window-modally without blocking the caller: ``on_yes``
    runs when Yes is clicked; No (the default, and Escape) does nothing."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, text,
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, parent)
    box.setInformativeText(informative)
    box.setDefaultButton(QMessageBox.StandardButton.No)
    box.setEscapeButton(QMessageBox.StandardButton.No)
    yes = box.button(QMessageBox.StandardButton.Yes)
    yes.clicked.connect(lambda _checked=False: on_yes())
    return _open(box)
