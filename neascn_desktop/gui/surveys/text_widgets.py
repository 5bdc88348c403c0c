"""Questions typed as text: text (one line or ``multiline``), integer, decimal, barcode, calculate."""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QRegularExpression, Qt
from PySide6.QtGui import QKeyEvent, QRegularExpressionValidator
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget

from neascn_desktop.gui.surveys.question_base import (
    ENTER_KEYS,
    QuestionWidget,
    ReadOnlyValue,
)
from neascn_desktop.i18n import _
from neascn_desktop.i18n.formatting import decimal_symbol, format_number

#: Names that suggest a long free text (an XLSForm ``appearance`` of ``multiline`` says so too).
_LONG_TEXT_NAMES = ("remarks", "comments", "notes", "description")
#: A read-only line edit drawn like a shown value, not like a field waiting for input.
_READ_ONLY_EDIT = "QLineEdit[readOnly=\"true\"], QPlainTextEdit[readOnly=\"true\"] " \
    "{ background: palette(window); border: none; border-left: 3px solid #9aa0a6; }"


def style_read_only(widget: QLineEdit | QPlainTextEdit, read_only: bool) -> None:
    widget.setReadOnly(read_only)
    widget.setStyleSheet(_READ_ONLY_EDIT if read_only else "")


class PlainTextInput(QPlainTextEdit):
    """Multi-line text: Enter is a new line, Ctrl+Enter moves on (bubbles to the question)."""

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        if event.key() in ENTER_KEYS and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            event.ignore()
            return
        super().keyPressEvent(event)


class TextQuestion(QuestionWidget):
    def build_input(self, layout: QVBoxLayout) -> None:
        appearance = self.question.extra.get("appearance", "")
        self.long = "multiline" in appearance or any(
            part in self.question.name for part in _LONG_TEXT_NAMES)
        if self.long:
            self.edit: QLineEdit | QPlainTextEdit = PlainTextInput(self)
            self.edit.setTabChangesFocus(True)
            self.edit.setFixedHeight(self.edit.fontMetrics().lineSpacing() * 5 + 12)
            self.edit.textChanged.connect(lambda: self.emit_value(self.text()))
        else:
            self.edit = QLineEdit(self)
            if "numbers" in appearance:
                self.edit.setValidator(QRegularExpressionValidator(
                    QRegularExpression(r"[0-9+\-.,() ]*"), self.edit))
            self.edit.textChanged.connect(self.emit_value)
        self.edit.setObjectName("input")
        layout.addWidget(self.edit)

    def text(self) -> str:
        return self.edit.toPlainText() if isinstance(self.edit, QPlainTextEdit) else self.edit.text()

    def show_value(self, value: Any) -> None:
        text = "" if value is None else str(value)
        if self.text() != text:
            if isinstance(self.edit, QPlainTextEdit):
                self.edit.setPlainText(text)
            else:
                self.edit.setText(text)

    def apply_read_only(self, read_only: bool) -> None:
        # Read-only (not disabled) so finalized answers stay readable and selectable.
        style_read_only(self.edit, read_only)

    def input_widgets(self) -> list[QWidget]:
        return [self.edit]

    def retranslate_input(self) -> None:
        self.edit.setAccessibleName(self.label_text() or self.question.name)


class BarcodeQuestion(TextQuestion):
    """A barcode or QR code, typed (or sent by a USB scanner, which types and presses Enter)."""

    def retranslate_input(self) -> None:
        super().retranslate_input()
        if isinstance(self.edit, QLineEdit):
            self.edit.setPlaceholderText(_("Type or scan the code"))


class NumberQuestion(QuestionWidget):
    """Integer or decimal: a line edit with a validator, so it can also be empty."""

    def build_input(self, layout: QVBoxLayout) -> None:
        self.edit = QLineEdit(self)
        self.edit.setObjectName("input")
        pattern = r"[+\-−]?\d{0,15}" if self.question.type == "integer" else (
            r"[+\-−]?\d{0,15}([.,]\d{0,10})?")
        self.edit.setValidator(QRegularExpressionValidator(QRegularExpression(pattern), self.edit))
        self.edit.setMaximumWidth(240)
        self.edit.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.edit.textChanged.connect(self._changed)
        layout.addWidget(self.edit)

    def parse(self, text: str) -> int | float | None:
        text = text.strip().replace(",", ".").replace("−", "-")
        if text in ("", "+", "-", ".", "+.", "-."):
            return None
        try:
            return int(text) if self.question.type == "integer" else float(text)
        except ValueError:
            return None

    def _changed(self, text: str) -> None:
        value = self.parse(text)
        if value is None and text.strip() not in ("",):
            return  # "-" or "3." on the way to a number: keep the last saved value
        self.emit_value(value)

    def show_value(self, value: Any) -> None:
        if self.parse(self.edit.text()) == value and value is not None:
            return  # "3.50" stays as typed
        if value is None:
            text = ""
        elif isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
            text = str(int(value)) if self.question.type == "integer" else f"{value:g}"
        else:
            text = str(value)
        if self.question.type == "decimal":
            text = text.replace(".", decimal_symbol())  # as the calculated values show it
        if text != self.edit.text():
            self.edit.setText(text)

    def apply_read_only(self, read_only: bool) -> None:
        style_read_only(self.edit, read_only)

    def input_widgets(self) -> list[QWidget]:
        return [self.edit]

    def retranslate_input(self) -> None:
        self.edit.setPlaceholderText(
            _("Whole number") if self.question.type == "integer" else _("Number"))
        self.edit.setAccessibleName(self.label_text() or self.question.name)


class CalculateQuestion(QuestionWidget):
    """A calculated value, shown as a value (never as a field that looks editable)."""

    def build_input(self, layout: QVBoxLayout) -> None:
        self.value_label = ReadOnlyValue(self)
        layout.addWidget(self.value_label)
        self.empty = True

    def show_value(self, value: Any) -> None:
        self.empty = value is None or (isinstance(value, float) and math.isnan(value))
        if self.empty:
            self.value_label.setText(_("Not calculated yet"))
        elif isinstance(value, int | float) and not isinstance(value, bool):
            self.value_label.setText(
                format_number(value, digits=2 if isinstance(value, float) else None))
        else:
            self.value_label.setText(str(value))
        self.value_label.setEnabled(not self.empty)

    def text(self) -> str:
        return "" if self.empty else self.value_label.text()

    def apply_read_only(self, read_only: bool) -> None:
        pass

    def retranslate_input(self) -> None:
        self.value_label.setAccessibleName(_("{label} (calculated)").format(
            label=self.label_text() or self.question.name))
        self.value_label.setToolTip(_("Calculated from other answers; it cannot be typed"))
        if self.empty:
            self.value_label.setText(_("Not calculated yet"))
