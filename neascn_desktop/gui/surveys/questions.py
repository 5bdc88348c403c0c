"""One widget per question type of a survey definition, as the data-entry form shows them.

Every question widget shows its label (``*`` when required now), its hint, its
input and an inline message (red) under it.  It never saves anything itself:
it emits ``edited(name, value)`` (``None`` clears the answer) and the form
autosaves; ``set_value`` puts a stored value back without emitting.  Enter
(Return) anywhere in a question emits ``advance(name)`` so the form can move
to the next question; digits 1–9 pick the n-th choice of a choice question.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QRegularExpression, Qt, Signal
from PySide6.QtGui import (
    QDragEnterEvent,
    QDropEvent,
    QFocusEvent,
    QKeyEvent,
    QMouseEvent,
    QRegularExpressionValidator,
)
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QCheckBox,
    QDateEdit,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from neascn_desktop.i18n import _, ngettext
from neascn_desktop.i18n.formatting import decimal_symbol, format_number
from neascn_desktop.surveys.definition import Question, SurveyDefinition

ERROR_COLOR = "#b00020"
HINT_COLOR = "#5f6368"
_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
#: Names that suggest a long free text (an XLSForm ``appearance`` of ``multiline`` says so too).
_LONG_TEXT_NAMES = ("remarks", "comments", "notes", "description")
_EMPTY_DATE = QDate(1900, 1, 1)


def format_size(size: int) -> str:
    """A file size as people read it (bytes, KB, MB)."""
    if size < 1024:
        return ngettext("{count} byte", "{count} bytes", size).format(count=size)
    if size < 1024 * 1024:
        return _("{size} KB").format(size=format_number(round(size / 1024, 1)))
    return _("{size} MB").format(size=format_number(round(size / (1024 * 1024), 1)))


class QuestionWidget(QFrame):
    """The common frame: label, hint, input (from the subclass), inline message."""

    edited = Signal(str, object)
    advance = Signal(str)

    def __init__(self, question: Question, definition: SurveyDefinition,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.question = question
        self.definition = definition
        self.language = definition.default_language
        self.required = False
        self.read_only = False
        self._loading = False
        self.setObjectName(f"question_{question.name}")
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 8, 4, 8)
        layout.setSpacing(4)
        self.title = QLabel(self)
        self.title.setObjectName("questionLabel")
        self.title.setWordWrap(True)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.hint = QLabel(self)
        self.hint.setObjectName("questionHint")
        self.hint.setWordWrap(True)
        self.hint.setTextFormat(Qt.TextFormat.PlainText)
        self.hint.setStyleSheet(f"color: {HINT_COLOR};")
        layout.addWidget(self.title)
        layout.addWidget(self.hint)
        self.build_input(layout)
        self.message = QLabel(self)
        self.message.setObjectName("questionMessage")
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setStyleSheet(f"color: {ERROR_COLOR};")
        self.message.hide()
        layout.addWidget(self.message)

    # ------------------------------------------------------------------ for subclasses

    def build_input(self, layout: QVBoxLayout) -> None:
        """Add the input widgets to ``layout``."""

    def show_value(self, value: Any) -> None:
        """Show a stored value (``None``: unanswered) in the input widgets."""

    def retranslate_input(self) -> None:
        """Texts of the input widgets in ``self.language`` / the UI language."""

    def input_widgets(self) -> list[QWidget]:
        return []

    def emit_value(self, value: Any) -> None:
        if not self._loading and not self.read_only:
            self.edited.emit(self.question.name, value)

    # ------------------------------------------------------------------ used by the form

    def set_language(self, language: str) -> None:
        self.language = language
        fallback = self.definition.default_language
        label = self.question.label_in(language, fallback)
        self.title.setText(_("{label} *").format(label=label) if self.required else label)
        hint = self.question.hint_in(language, fallback)
        self.hint.setText(hint)
        self.hint.setVisible(bool(hint))
        self.setAccessibleName(label)
        self.retranslate_input()

    def set_required(self, required: bool) -> None:
        if required != self.required:
            self.required = required
            self.set_language(self.language)

    def set_value(self, value: Any) -> None:
        self._loading = True
        try:
            self.show_value(value)
        finally:
            self._loading = False

    def set_message(self, text: str) -> None:
        if text != self.message.text():
            self.message.setText(text)
        self.message.setVisible(bool(text))

    def set_read_only(self, read_only: bool) -> None:
        self.read_only = read_only
        for widget in self.input_widgets():
            widget.setEnabled(not read_only)

    def focus_input(self) -> bool:
        """Give the keyboard focus to the input (False for a question without one)."""
        for widget in self.input_widgets():
            if widget.isEnabled() and widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
                widget.setFocus(Qt.FocusReason.TabFocusReason)
                return True
        return False

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        # Inputs ignore Return (QLineEdit, spin boxes, buttons), so it bubbles up to here.
        if event.key() in _ENTER_KEYS:
            self.enter_pressed()
            self.advance.emit(self.question.name)
            event.accept()
            return
        super().keyPressEvent(event)

    def enter_pressed(self) -> None:
        """Enter is about to move on (the date question accepts its proposed date here)."""


# ---------------------------------------------------------------------------- types


class NoteQuestion(QuestionWidget):
    """A note: only text."""

    def set_language(self, language: str) -> None:
        super().set_language(language)
        font = self.title.font()
        font.setBold(False)
        self.title.setFont(font)


class TextQuestion(QuestionWidget):
    def build_input(self, layout: QVBoxLayout) -> None:
        appearance = self.question.extra.get("appearance", "")
        self.long = "multiline" in appearance or any(
            part in self.question.name for part in _LONG_TEXT_NAMES)
        if self.long:
            self.edit: QLineEdit | QPlainTextEdit = _PlainTextInput(self)
            self.edit.setTabChangesFocus(True)
            self.edit.setFixedHeight(self.edit.fontMetrics().lineSpacing() * 5 + 12)
            self.edit.textChanged.connect(lambda: self.emit_value(self.edit.toPlainText()))
        else:
            self.edit = QLineEdit(self)
            self.edit.textChanged.connect(self.emit_value)
        self.edit.setObjectName("input")
        layout.addWidget(self.edit)

    def show_value(self, value: Any) -> None:
        text = "" if value is None else str(value)
        current = self.edit.toPlainText() if isinstance(self.edit, QPlainTextEdit) else self.edit.text()
        if current != text:
            if isinstance(self.edit, QPlainTextEdit):
                self.edit.setPlainText(text)
            else:
                self.edit.setText(text)

    def set_read_only(self, read_only: bool) -> None:
        # Read-only (not disabled) so finalized answers stay readable and selectable.
        self.read_only = read_only
        self.edit.setReadOnly(read_only)

    def input_widgets(self) -> list[QWidget]:
        return [self.edit]

    def retranslate_input(self) -> None:
        self.edit.setAccessibleName(self.question.label_in(self.language))


class _PlainTextInput(QPlainTextEdit):
    """Multi-line text: Enter is a new line, Ctrl+Enter moves on (bubbles to the question)."""

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        if event.key() in _ENTER_KEYS and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            event.ignore()
            return
        super().keyPressEvent(event)


class NumberQuestion(QuestionWidget):
    """Integer or decimal: a line edit with a validator, so it can also be empty."""

    def build_input(self, layout: QVBoxLayout) -> None:
        self.edit = QLineEdit(self)
        self.edit.setObjectName("input")
        pattern = r"[+-]?\d{0,15}" if self.question.type == "integer" else (
            r"[+-]?\d{0,15}([.,]\d{0,10})?")
        self.edit.setValidator(QRegularExpressionValidator(QRegularExpression(pattern), self.edit))
        self.edit.setMaximumWidth(240)
        self.edit.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.edit.textChanged.connect(self._changed)
        layout.addWidget(self.edit)

    def parse(self, text: str) -> int | float | None:
        text = text.strip().replace(",", ".")
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

    def set_read_only(self, read_only: bool) -> None:
        self.read_only = read_only
        self.edit.setReadOnly(read_only)

    def input_widgets(self) -> list[QWidget]:
        return [self.edit]

    def retranslate_input(self) -> None:
        self.edit.setPlaceholderText(
            _("Whole number") if self.question.type == "integer" else _("Number"))
        self.edit.setAccessibleName(self.question.label_in(self.language))


class _DateEdit(QDateEdit):
    """A date edit that Tab leaves (QDateEdit's own Tab walks year → month → day)."""

    focused = Signal()

    def focusNextPrevChild(self, forward: bool) -> bool:  # noqa: N802 - Qt's name
        return QWidget.focusNextPrevChild(self, forward)

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: N802 - Qt's name
        super().focusInEvent(event)
        self.focused.emit()


class DateQuestion(QuestionWidget):
    """A date with an empty state: the minimum date shows as blank (the special value).

    Focusing an empty date proposes today with the year selected, so typing
    ``20260305`` fills year, month and day; nothing is saved until the date is
    changed or Enter accepts the proposal, and leaving an untouched proposal
    empties it again.
    """

    def build_input(self, layout: QVBoxLayout) -> None:
        row = QHBoxLayout()
        self.edit = _DateEdit(self)
        self.edit.setObjectName("input")
        self.edit.setDisplayFormat("yyyy-MM-dd")
        self.edit.setCalendarPopup(True)
        self.edit.setMinimumDate(_EMPTY_DATE)
        self.edit.setMaximumDate(QDate(2200, 12, 31))
        self.edit.setSpecialValueText(" ")
        self.edit.setDate(_EMPTY_DATE)
        self.edit.setMinimumWidth(150)
        self._proposed = False
        self.edit.dateChanged.connect(self._changed)
        self.edit.focused.connect(self._propose_today)
        self.edit.editingFinished.connect(self._left)
        self.clear_button = QToolButton(self)
        self.clear_button.setObjectName("clearButton")
        self.clear_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.clear_button.clicked.connect(self.clear)
        row.addWidget(self.edit)
        row.addWidget(self.clear_button)
        row.addStretch(1)
        layout.addLayout(row)

    def _propose_today(self) -> None:
        if self.read_only or self.edit.date() != _EMPTY_DATE:
            return
        self._loading = True
        try:
            self.edit.setDate(QDate.currentDate())
        finally:
            self._loading = False
        self._proposed = True
        self.edit.setSelectedSection(QDateEdit.Section.YearSection)

    def _left(self) -> None:
        if self._proposed and not self.edit.hasFocus():
            self._proposed = False
            self.set_value(None)

    def _changed(self, value: QDate) -> None:
        self._proposed = False
        self.emit_value(None if value == _EMPTY_DATE else value.toString("yyyy-MM-dd"))

    def enter_pressed(self) -> None:
        if self._proposed:
            self._proposed = False
            self.emit_value(self.edit.date().toString("yyyy-MM-dd"))

    def clear(self) -> None:
        self._proposed = False
        self.edit.setDate(_EMPTY_DATE)

    def show_value(self, value: Any) -> None:
        if value is None:
            if not self._proposed:
                self.edit.setDate(_EMPTY_DATE)
            return
        try:
            parsed = date.fromisoformat(str(value))
        except ValueError:
            return
        self._proposed = False
        self.edit.setDate(QDate(parsed.year, parsed.month, parsed.day))

    def set_read_only(self, read_only: bool) -> None:
        self.read_only = read_only
        self.edit.setReadOnly(read_only)
        self.clear_button.setEnabled(not read_only)

    def input_widgets(self) -> list[QWidget]:
        return [self.edit, self.clear_button]

    def retranslate_input(self) -> None:
        self.clear_button.setText(_("Clear"))
        self.clear_button.setToolTip(_("Remove the date"))
        self.edit.setAccessibleName(self.question.label_in(self.language))


class _ChoiceText(QLabel):
    """A choice's description beside its button: word-wrapped, and a click toggles the button."""

    def __init__(self, button: QAbstractButton, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.button = button
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setBuddy(button)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        if self.button.isEnabled():
            self.button.click()
            self.button.setFocus(Qt.FocusReason.MouseFocusReason)
        event.accept()


class ChoiceQuestion(QuestionWidget):
    """select_one, scale, yes_no (radio buttons) and select_multiple (check boxes).

    Each choice is a button numbered 1, 2, … (the key that picks it) with the
    choice's label or level description word-wrapped beside it.
    """

    def build_input(self, layout: QVBoxLayout) -> None:
        self.multiple = self.question.type == "select_multiple"
        self.choices = self.definition.choices_for(self.question)
        self.group = QButtonGroup(self)
        self.group.setExclusive(not self.multiple)
        self.buttons: list[QAbstractButton] = []
        self.texts: list[_ChoiceText] = []
        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(2)
        grid.setColumnStretch(1, 1)
        inline = self.question.type == "yes_no"
        for index, choice in enumerate(self.choices):
            button: QAbstractButton = QCheckBox(self) if self.multiple else QRadioButton(self)
            button.setObjectName(f"choice_{choice.name}")
            button.setProperty("choice", choice.name)
            button.setText(str(index + 1) if index < 9 else "")
            self.group.addButton(button, index)
            text = _ChoiceText(button, self)
            if inline:
                grid.addWidget(button, 0, index * 2)
                grid.addWidget(text, 0, index * 2 + 1)
            else:
                grid.addWidget(button, index, 0, Qt.AlignmentFlag.AlignTop)
                grid.addWidget(text, index, 1)
            self.buttons.append(button)
            self.texts.append(text)
        if inline:
            grid.setColumnStretch(1, 0)
            grid.setColumnStretch(len(self.choices) * 2, 1)
        layout.addLayout(grid)
        self.clear_button: QToolButton | None = None
        if not self.multiple:
            self.clear_button = QToolButton(self)
            self.clear_button.setObjectName("clearButton")
            self.clear_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            self.clear_button.setAutoRaise(True)
            self.clear_button.clicked.connect(self.clear)
            layout.addWidget(self.clear_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.group.buttonToggled.connect(self._toggled)
        self._update_clear()

    def _toggled(self, button: QAbstractButton, checked: bool) -> None:
        if self._loading:
            return
        if self.multiple:
            self.emit_value([c.name for c, b in zip(self.choices, self.buttons, strict=True)
                             if b.isChecked()])
        elif checked:
            self.emit_value(self.choices[self.buttons.index(button)].name)
        self._update_clear()

    def _update_clear(self) -> None:
        if self.clear_button is not None:
            self.clear_button.setVisible(any(b.isChecked() for b in self.buttons))

    def clear(self) -> None:
        if self.read_only:
            return
        self.show_value(None)
        self.emit_value(None)

    def show_value(self, value: Any) -> None:
        chosen = set(value) if isinstance(value, list) else ({value} if value else set())
        was_loading = self._loading
        self._loading = True
        self.group.setExclusive(False)  # an exclusive group cannot uncheck its last button
        try:
            for choice, button in zip(self.choices, self.buttons, strict=True):
                button.setChecked(choice.name in chosen)
        finally:
            self.group.setExclusive(not self.multiple)
            self._loading = was_loading
        self._update_clear()

    def value(self) -> Any:
        names = [c.name for c, b in zip(self.choices, self.buttons, strict=True) if b.isChecked()]
        return names if self.multiple else (names[0] if names else None)

    def input_widgets(self) -> list[QWidget]:
        return [*self.buttons, *([self.clear_button] if self.clear_button else [])]

    def focus_input(self) -> bool:
        if not self.buttons or self.read_only:
            return False
        checked = next((b for b in self.buttons if b.isChecked()), self.buttons[0])
        checked.setFocus(Qt.FocusReason.TabFocusReason)
        return True

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        text = event.text()
        if not self.read_only and text.isdigit() and text != "0" and int(text) <= len(self.buttons):
            button = self.buttons[int(text) - 1]
            if self.multiple:
                button.toggle()
            else:
                button.setChecked(True)
            button.setFocus(Qt.FocusReason.ShortcutFocusReason)
            event.accept()
            return
        if not self.read_only and not self.multiple and event.key() in (
                Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.clear()
            event.accept()
            return
        super().keyPressEvent(event)

    def retranslate_input(self) -> None:
        fallback = self.definition.default_language
        for choice, button, text in zip(self.choices, self.buttons, self.texts, strict=True):
            label = choice.label_in(self.language, fallback)
            text.setText(label)
            button.setAccessibleName(label)
        if self.clear_button is not None:
            self.clear_button.setText(_("Clear answer"))


class CalculateQuestion(QuestionWidget):
    """A calculated value, shown read-only."""

    def build_input(self, layout: QVBoxLayout) -> None:
        self.edit = QLineEdit(self)
        self.edit.setObjectName("input")
        self.edit.setReadOnly(True)
        self.edit.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.edit.setMaximumWidth(240)
        self.edit.setAlignment(Qt.AlignmentFlag.AlignRight)
        layout.addWidget(self.edit)

    def show_value(self, value: Any) -> None:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            self.edit.setText("")
        elif isinstance(value, int | float) and not isinstance(value, bool):
            self.edit.setText(format_number(value, digits=2 if isinstance(value, float) else None))
        else:
            self.edit.setText(str(value))

    def set_read_only(self, read_only: bool) -> None:
        self.read_only = read_only

    def retranslate_input(self) -> None:
        self.edit.setPlaceholderText(_("Calculated"))


class AttachmentQuestion(QuestionWidget):
    """A file: chosen with the file picker or dropped onto the question."""

    file_chosen = Signal(str, str)  # question name, path

    def build_input(self, layout: QVBoxLayout) -> None:
        self.setAcceptDrops(True)
        row = QHBoxLayout()
        self.choose_button = QPushButton(self)
        self.choose_button.setObjectName("chooseButton")
        self.choose_button.setAutoDefault(False)
        self.choose_button.clicked.connect(self.choose)
        self.remove_button = QToolButton(self)
        self.remove_button.setObjectName("removeButton")
        self.remove_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.remove_button.clicked.connect(lambda: self.emit_value(None))
        self.file_label = QLabel(self)
        self.file_label.setObjectName("fileLabel")
        self.file_label.setWordWrap(True)
        self.file_label.setTextFormat(Qt.TextFormat.PlainText)
        row.addWidget(self.choose_button)
        row.addWidget(self.remove_button)
        row.addWidget(self.file_label, 1)
        layout.addLayout(row)
        self.info: Mapping[str, Any] | None = None
        self.sha256: str | None = None
        self._show_info()

    def choose(self) -> None:
        if self.read_only:
            return
        path, _filter = QFileDialog.getOpenFileName(
            self, _("Attach a file to “{question}”").format(
                question=self.question.label_in(self.language)))
        if path:
            self.attach(path)

    def attach(self, path: str | Path) -> None:
        if not self.read_only:
            self.file_chosen.emit(self.question.name, str(path))

    def set_attachment(self, sha256: str | None, info: Mapping[str, Any] | None) -> None:
        self.sha256 = sha256
        self.info = info if sha256 else None
        self._show_info()

    def show_value(self, value: Any) -> None:
        if value != self.sha256:
            self.set_attachment(value if isinstance(value, str) else None, None)

    def _show_info(self) -> None:
        if not self.sha256:
            self.file_label.setText(_("No file attached. Choose one or drop it here."))
        elif self.info:
            self.file_label.setText(_("{name} ({size})").format(
                name=self.info.get("filename", ""), size=format_size(int(self.info.get("size", 0)))))
        else:
            self.file_label.setText(_("File {digest}…").format(digest=self.sha256[:12]))
        self.remove_button.setVisible(bool(self.sha256))

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt's name
        if not self.read_only and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()
            self._highlight(True)
        else:
            event.ignore()

    def _highlight(self, on: bool) -> None:
        """A dashed frame while a file is dragged over the question: "drop it here"."""
        self.setStyleSheet(
            f"QFrame#{self.objectName()} {{ border: 2px dashed #0b57d0; border-radius: 6px; }}"
            if on else "")

    def dragLeaveEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        self._highlight(False)
        super().dragLeaveEvent(event)

    def dragMoveEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        if not self.read_only and event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt's name
        self._highlight(False)
        files = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if self.read_only or not files:
            event.ignore()
            return
        event.acceptProposedAction()
        self.attach(files[0])

    def set_read_only(self, read_only: bool) -> None:
        self.read_only = read_only
        self.choose_button.setEnabled(not read_only)
        self.remove_button.setEnabled(not read_only)

    def input_widgets(self) -> list[QWidget]:
        return [self.choose_button, self.remove_button]

    def retranslate_input(self) -> None:
        self.choose_button.setText(_("Choose file…"))
        self.remove_button.setText(_("Remove"))
        self._show_info()


_TYPES: dict[str, type[QuestionWidget]] = {
    "text": TextQuestion,
    "integer": NumberQuestion,
    "decimal": NumberQuestion,
    "date": DateQuestion,
    "select_one": ChoiceQuestion,
    "select_multiple": ChoiceQuestion,
    "yes_no": ChoiceQuestion,
    "scale": ChoiceQuestion,
    "note": NoteQuestion,
    "calculate": CalculateQuestion,
    "attachment": AttachmentQuestion,
}


def question_widget(question: Question, definition: SurveyDefinition,
                    parent: QWidget | None = None) -> QuestionWidget:
    """The widget for a question's type (unknown types get a plain text field)."""
    return _TYPES.get(question.type, TextQuestion)(question, definition, parent)
