"""The frame every question widget shares: label, hints, input, inline message.

Every question widget shows its label (``*`` when required now, ``${name}``
references filled in live), its hint and guidance hint, a label image when
the form brings one, its input and an inline message (red) under it.  It
never saves anything itself: it emits ``edited(name, value)`` (``None``
clears the answer) and the form autosaves; ``set_value`` puts a stored value
back without emitting.  Enter (Return) anywhere in a question emits
``advance(name)`` so the form can move on to the next question.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent, QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from neascn_desktop.i18n import _, ngettext
from neascn_desktop.i18n.formatting import format_number
from neascn_desktop.surveys.definition import Question, SurveyDefinition, pick_label

ERROR_COLOR = "#b00020"
HINT_COLOR = "#5f6368"
ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
#: ``${name}`` inside a label or hint (XLSForm's output of another answer).
REFERENCE_RE = re.compile(r"\$\{([^\W\d][\w.\-]*)\}")  # letters of any script, as in XML
#: Style of a value the person cannot change (a calculation, a read-only question): no frame,
#: grey background, so it never looks like a field waiting for input.
READ_ONLY_STYLE = ("QLabel { background: palette(window); color: palette(window-text); "
                   "border: none; border-left: 3px solid #9aa0a6; padding: 3px 6px; }")


def format_size(size: int) -> str:
    """A file size as people read it (bytes, KB, MB)."""
    if size < 1024:
        return ngettext("{count} byte", "{count} bytes", size).format(count=size)
    if size < 1024 * 1024:
        return _("{size} KB").format(size=format_number(round(size / 1024, 1)))
    return _("{size} MB").format(size=format_number(round(size / (1024 * 1024), 1)))


def is_truthy(text: str | None) -> bool:
    """An XLSForm yes/no cell (``yes``, ``true()``, ``TRUE`` ...)."""
    return (text or "").strip().lower() in ("yes", "true", "true()", "1")


def media_pixmap(definition: SurveyDefinition, name: str, bounds: QSize) -> QPixmap | None:
    """The form's media image ``name`` scaled to fit ``bounds`` (never enlarged), or ``None``
    when the form names none, this data directory lacks it, or it is no image Qt can read."""
    path = definition.media_path(name) if name else None
    if path is None:
        return None
    return _scaled_pixmap(str(path), bounds.width(), bounds.height())


@lru_cache(maxsize=128)
def _scaled_pixmap(path: str, width: int, height: int) -> QPixmap | None:
    # Media files are named by their content's hash: a path always holds the same picture, so a
    # label that changes with every answer (``${name}``) does not decode it again.
    pixmap = QPixmap()
    if not pixmap.load(path) or pixmap.isNull():
        return None
    if pixmap.width() > width or pixmap.height() > height:
        pixmap = pixmap.scaled(QSize(width, height), Qt.AspectRatioMode.KeepAspectRatio,
                               Qt.TransformationMode.SmoothTransformation)
    return pixmap


class QuestionWidget(QFrame):
    """The common frame: label, hint, input (from the subclass), inline message."""

    edited = Signal(str, object)
    advance = Signal(str)

    #: How the form turns an answer into text for ``${name}`` in labels (set by the form).
    answer_text: Callable[[str, Any], str] | None = None

    def __init__(self, question: Question, definition: SurveyDefinition,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.question = question
        self.definition = definition
        self.language = definition.default_language
        self.required = False
        self.read_only = False
        #: Fixed by the form (XLSForm ``read_only``): never editable.
        self.always_read_only = is_truthy(question.extra.get("read_only"))
        self.values: Mapping[str, Any] = {}
        #: What the widget itself finds wrong with the text typed (shown before the form's).
        self.input_problem = ""
        self._form_message = ""
        self._loading = False
        #: Where the answer is stored (the name, or the path where two groups share a name).
        self.answer_key = question.key or question.name
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
        self.image = QLabel(self)
        self.image.setObjectName("questionImage")
        self.image.hide()
        self.hint = QLabel(self)
        self.hint.setObjectName("questionHint")
        self.hint.setWordWrap(True)
        self.hint.setTextFormat(Qt.TextFormat.PlainText)
        self.hint.setStyleSheet(f"color: {HINT_COLOR};")
        self.guidance = QLabel(self)
        self.guidance.setObjectName("questionGuidance")
        self.guidance.setWordWrap(True)
        self.guidance.setTextFormat(Qt.TextFormat.PlainText)
        self.guidance.setStyleSheet(f"color: {HINT_COLOR}; font-style: italic;")
        self.guidance.hide()
        layout.addWidget(self.title)
        layout.addWidget(self.image)
        layout.addWidget(self.hint)
        layout.addWidget(self.guidance)
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

    def apply_read_only(self, read_only: bool) -> None:
        """Make the inputs read-only (default: disable them)."""
        for widget in self.input_widgets():
            widget.setEnabled(not read_only)

    def emit_value(self, value: Any) -> None:
        if not self._loading and not self.read_only:
            self.edited.emit(self.answer_key, value)

    # ------------------------------------------------------------------ used by the form

    def label_text(self) -> str:
        """The label in the form language with ``${name}`` replaced by the answers now."""
        return self.fill_references(self.question.label_in(self.language, self.definition.default_language))

    def fill_references(self, text: str) -> str:
        if "${" not in text:
            return text

        def value_of(match: re.Match[str]) -> str:
            name = match.group(1)
            value = self.values.get(name)
            if value is None:
                return "…"
            if self.answer_text is not None:
                return self.answer_text(name, value)
            return str(value)
        return REFERENCE_RE.sub(value_of, text)

    def set_values(self, values: Mapping[str, Any]) -> None:
        """The answers now, for ``${name}`` in the label and hints (only relabels if used)."""
        self.values = values
        if "${" in self.question.label_in(self.language) or "${" in (
                self.question.hint_in(self.language)):
            self._set_texts()

    def set_language(self, language: str) -> None:
        self.language = language
        self._set_texts()
        self.retranslate_input()

    def _set_texts(self) -> None:
        fallback = self.definition.default_language
        label = self.label_text()
        self.title.setText(_("{label} *").format(label=label) if self.required else label)
        self.title.setVisible(bool(label))
        hint = self.fill_references(self.question.hint_in(self.language, fallback))
        self.hint.setText(hint)
        self.hint.setVisible(bool(hint))
        guidance = pick_label(self.question.texts.get("guidance_hint"), self.language, fallback)
        self.guidance.setText(_("Guidance: {text}").format(text=guidance) if guidance else "")
        self.guidance.setVisible(bool(guidance))
        self._show_image()
        self.setAccessibleName(label or self.question.name)

    def _show_image(self) -> None:
        """``media::image``: the form's file (stored with the survey version), scaled to fit,
        its accessible name the label it illustrates."""
        name = pick_label(self.question.texts.get("media::image"), self.language,
                          self.definition.default_language)
        pixmap = media_pixmap(self.definition, name, QSize(320, 240))
        if pixmap is None:
            self.image.hide()
            return
        self.image.setPixmap(pixmap)
        self.image.setAccessibleName(self.label_text() or self.question.name)
        self.image.setAccessibleDescription(name)
        self.image.show()

    def set_required(self, required: bool) -> None:
        if required != self.required:
            self.required = required
            self._set_texts()

    def set_value(self, value: Any) -> None:
        self._loading = True
        try:
            self.show_value(value)
        finally:
            self._loading = False

    def set_message(self, text: str) -> None:
        """The form's message for the answer (required, constraint ...)."""
        self._form_message = text
        self._show_message()

    def set_input_problem(self, text: str) -> None:
        """What is wrong with the text typed, before it becomes an answer."""
        self.input_problem = text
        self._show_message()

    def _show_message(self) -> None:
        text = self.input_problem or self._form_message
        if text != self.message.text():
            self.message.setText(text)
        self.message.setVisible(bool(text))

    def set_read_only(self, read_only: bool) -> None:
        self.read_only = read_only or self.always_read_only
        self.apply_read_only(self.read_only)

    def focus_input(self) -> bool:
        """Give the keyboard focus to the input (False for a question without one)."""
        for widget in self.input_widgets():
            if (widget.isEnabled() and widget.isVisibleTo(self)
                    and widget.focusPolicy() & Qt.FocusPolicy.TabFocus):
                widget.setFocus(Qt.FocusReason.TabFocusReason)
                return True
        return False

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        # Inputs ignore Return (QLineEdit, spin boxes, buttons), so it bubbles up to here.
        if event.key() in ENTER_KEYS:
            self.enter_pressed()
            self.advance.emit(self.answer_key)
            event.accept()
            return
        super().keyPressEvent(event)

    def enter_pressed(self) -> None:
        """Enter is about to move on (a typed date or time is taken here)."""


class NoteQuestion(QuestionWidget):
    """A note: only text."""

    def _set_texts(self) -> None:
        super()._set_texts()
        font = self.title.font()
        font.setBold(False)
        self.title.setFont(font)


class ReadOnlyValue(QLabel):
    """A value shown, not asked: a calculation or a read-only answer (selectable, not editable)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("value")
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # not a Tab stop: nothing to type here
        self.setStyleSheet(READ_ONLY_STYLE)
        self.setMinimumWidth(120)
        self.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
