"""Date, time and dateTime questions: typed in full, shown as the value or visibly empty.

A date field never shows a date that is not the answer: empty, it shows a
grey placeholder (``YYYY-MM-DD``); typing ``2026-12-03`` or ``20261203``
answers it at the last digit, from whichever end the focus came (no
sections to land on); ``T`` fills today, Alt+Down opens a calendar.  Text
that is not a date yet is flagged on leaving and never saved.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any

from PySide6.QtCore import QDate, QRegularExpression, Qt
from PySide6.QtGui import QKeyEvent, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QCalendarWidget,
    QHBoxLayout,
    QLineEdit,
    QMenu,
    QToolButton,
    QVBoxLayout,
    QWidget,
    QWidgetAction,
)

from neascn_desktop.gui.surveys.question_base import QuestionWidget
from neascn_desktop.gui.surveys.text_widgets import style_read_only
from neascn_desktop.i18n import _

_DIGITS_RE = re.compile(r"\d+")


def parse_date(text: str) -> date | None:
    """``2026-12-03``, ``2026/12/03``, ``2026.12.03`` or ``20261203`` as a date (else None)."""
    digits = "".join(_DIGITS_RE.findall(text))
    parts = [p for p in re.split(r"[-/. ]", text.strip()) if p]
    try:
        if len(parts) == 3 and len(parts[0]) == 4:
            return date(int(parts[0]), int(parts[1]), int(parts[2]))
        if len(digits) == 8 and len(parts) <= 1:
            return date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return None
    return None


def parse_time(text: str) -> time | None:
    """``14:30``, ``14:30:15``, ``1430`` or ``143015`` as a time (else None)."""
    text = text.strip()
    parts = [p for p in re.split(r"[:. ]", text) if p]
    try:
        if len(parts) >= 2 and all(p.isdigit() for p in parts) and len(parts) <= 3:
            if all(len(p) == 2 for p in parts[1:]):
                numbers = [int(p) for p in parts] + [0]
                return time(numbers[0], numbers[1], numbers[2])
        if len(parts) == 1 and parts[0].isdigit() and len(parts[0]) in (4, 6):
            p = parts[0]
            return time(int(p[:2]), int(p[2:4]), int(p[4:] or 0))
    except ValueError:
        return None
    return None


def parse_datetime(text: str) -> datetime | None:
    """A date and a time separated by a space or ``T`` (``2026-12-03 14:30``, ``202612031430``)."""
    text = text.strip()
    if " " in text or "T" in text:
        day, _sep, clock = text.replace("T", " ").partition(" ")
        parsed_day, parsed_time = parse_date(day), parse_time(clock)
    elif text.isdigit() and len(text) in (12, 14):
        parsed_day, parsed_time = parse_date(text[:8]), parse_time(text[8:])
    else:
        return None
    if parsed_day is None or parsed_time is None:
        return None
    return datetime.combine(parsed_day, parsed_time)


class _TypedEdit(QLineEdit):
    """The line edit of a date/time question: keys the question handles before Qt does."""

    def __init__(self, owner: TemporalQuestion) -> None:
        super().__init__(owner)
        self.owner = owner

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        if self.owner.special_key(event):
            event.accept()
            return
        super().keyPressEvent(event)


class TemporalQuestion(QuestionWidget):
    """What date, time and dateTime share: a line edit, a placeholder, a Clear button."""

    #: Characters a partial value may hold.
    pattern = r"[0-9\-/. ]{0,10}"
    complete_length = 8

    def build_input(self, layout: QVBoxLayout) -> None:
        row = QHBoxLayout()
        self.edit = _TypedEdit(self)
        self.edit.setObjectName("input")
        self.edit.setValidator(QRegularExpressionValidator(QRegularExpression(self.pattern),
                                                           self.edit))
        self.edit.setMaximumWidth(320)
        self.edit.textEdited.connect(self._typed)
        self.edit.editingFinished.connect(self._left)
        row.addWidget(self.edit)
        self.extra_buttons(row)
        self.clear_button = QToolButton(self)
        self.clear_button.setObjectName("clearButton")
        self.clear_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.clear_button.clicked.connect(self.clear)
        row.addWidget(self.clear_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.stored: str | None = None

    def extra_buttons(self, row: QHBoxLayout) -> None:
        """Buttons between the field and Clear (the date's calendar)."""

    # -- subclasses
    def parse(self, text: str) -> str | None:
        """The stored value of complete text (``None`` while incomplete or wrong)."""
        raise NotImplementedError

    def display(self, value: str) -> str:
        return value

    def problem(self, text: str) -> str:
        raise NotImplementedError

    def special_key(self, event: QKeyEvent) -> bool:
        return False

    # -- behaviour
    def _typed(self, text: str) -> None:
        self.set_input_problem("")
        if not text.strip():
            self.stored = None
            self.emit_value(None)
            return
        value = self.parse(text)
        if value is not None:
            self.stored = value
            shown = self.display(value)
            if shown != text and len(text.replace("-", "").replace(":", "").replace(" ", "")) \
                    >= self.complete_length:
                self.edit.setText(shown)  # 20261203 -> 2026-12-03 once complete
            self.emit_value(value)

    def _left(self) -> None:
        text = self.edit.text()
        value = self.parse(text) if text.strip() else None
        if text.strip() and value is None:
            self.set_input_problem(self.problem(text))
        elif value is not None and self.display(value) != text:
            self.edit.setText(self.display(value))  # 2026-1-5 -> 2026-01-05
        elif not text.strip():
            self.set_input_problem("")

    def enter_pressed(self) -> None:
        self._left()

    def set_to(self, value: str) -> None:
        """Answer with ``value`` as if typed (Today, the calendar)."""
        if self.read_only:
            return
        self.edit.setText(self.display(value))
        self.set_input_problem("")
        self.stored = value
        self.emit_value(value)

    def clear(self) -> None:
        if self.read_only:
            return
        self.edit.clear()
        self.set_input_problem("")
        self.stored = None
        self.emit_value(None)

    def show_value(self, value: Any) -> None:
        if value is None:
            if self.parse(self.edit.text()) is not None or not self.edit.hasFocus():
                self.edit.clear()
                self.set_input_problem("")
            self.stored = None
            return
        self.stored = str(value)
        if self.parse(self.edit.text()) != self.stored:
            self.edit.setText(self.display(self.stored))
            self.set_input_problem("")

    def apply_read_only(self, read_only: bool) -> None:
        style_read_only(self.edit, read_only)
        self.clear_button.setEnabled(not read_only)

    def input_widgets(self) -> list[QWidget]:
        return [self.edit, self.clear_button]

    def fit_placeholder(self) -> None:
        """Wide enough for the placeholder in every language (Korean's is longer than YYYY)."""
        metrics = self.edit.fontMetrics()
        self.edit.setMinimumWidth(max(metrics.horizontalAdvance(self.edit.placeholderText()),
                                      metrics.horizontalAdvance("2026-12-03 14:30")) + 24)

    def retranslate_input(self) -> None:
        self.clear_button.setText(_("Clear"))
        self.clear_button.setToolTip(_("Remove the answer"))
        self.clear_button.setAccessibleName(_("Clear the answer"))
        self.edit.setAccessibleName(self.label_text() or self.question.name)


class DateQuestion(TemporalQuestion):
    """A date: typed ``YYYY-MM-DD`` (or eight digits), ``T`` for today, Alt+Down for a calendar."""

    def extra_buttons(self, row: QHBoxLayout) -> None:
        self.today_button = QToolButton(self)
        self.today_button.setObjectName("todayButton")
        self.today_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.today_button.clicked.connect(self.today)
        self.calendar_button = QToolButton(self)
        self.calendar_button.setObjectName("calendarButton")
        self.calendar_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.calendar_button.clicked.connect(self.open_calendar)
        row.addWidget(self.today_button)
        row.addWidget(self.calendar_button)

    def parse(self, text: str) -> str | None:
        parsed = parse_date(text)
        return parsed.isoformat() if parsed else None

    def problem(self, text: str) -> str:
        return _("“{text}” is not a date yet; type it as YYYY-MM-DD, e.g. {example}.").format(
            text=text, example=date.today().isoformat())

    def special_key(self, event: QKeyEvent) -> bool:
        if event.key() == Qt.Key.Key_T and not event.modifiers() & ~Qt.KeyboardModifier.ShiftModifier:
            self.today()
            return True
        if event.key() == Qt.Key.Key_Down and event.modifiers() & Qt.KeyboardModifier.AltModifier:
            self.open_calendar()
            return True
        return False

    def today(self) -> None:
        self.set_to(date.today().isoformat())

    def calendar(self) -> QCalendarWidget:
        """The calendar of the popup (built once)."""
        if not hasattr(self, "_calendar"):
            self._menu = QMenu(self)
            self._calendar = QCalendarWidget(self._menu)
            self._calendar.setObjectName("calendar")
            self._calendar.activated.connect(self._picked)
            self._calendar.clicked.connect(self._picked)
            action = QWidgetAction(self._menu)
            action.setDefaultWidget(self._calendar)
            self._menu.addAction(action)
        return self._calendar

    def open_calendar(self) -> None:
        if self.read_only:
            return
        calendar = self.calendar()
        current = parse_date(self.edit.text()) or date.today()
        calendar.setSelectedDate(QDate(current.year, current.month, current.day))
        self._menu.popup(self.edit.mapToGlobal(self.edit.rect().bottomLeft()))
        calendar.setFocus()

    def _picked(self, day: QDate) -> None:
        self._menu.close()
        self.set_to(day.toString("yyyy-MM-dd"))
        self.edit.setFocus()

    def apply_read_only(self, read_only: bool) -> None:
        super().apply_read_only(read_only)
        self.today_button.setEnabled(not read_only)
        self.calendar_button.setEnabled(not read_only)

    def retranslate_input(self) -> None:
        super().retranslate_input()
        self.edit.setPlaceholderText(_("YYYY-MM-DD"))
        self.fit_placeholder()
        self.edit.setToolTip(_("Type the date as YYYY-MM-DD or 8 digits; T for today, "
                               "Alt+Down for a calendar"))
        self.today_button.setText(_("Today"))
        self.today_button.setAccessibleName(_("Today's date"))
        self.calendar_button.setText(_("Calendar…"))
        self.calendar_button.setAccessibleName(_("Choose the date on a calendar"))


class TimeQuestion(TemporalQuestion):
    """A time of day: ``14:30`` (or four digits); ``N`` for now."""

    pattern = r"[0-9:. ]{0,8}"
    complete_length = 4

    def parse(self, text: str) -> str | None:
        parsed = parse_time(text)
        if parsed is None:
            return None
        return parsed.strftime("%H:%M:%S" if parsed.second else "%H:%M")

    def problem(self, text: str) -> str:
        return _("“{text}” is not a time yet; type it as HH:MM, e.g. 14:30.").format(text=text)

    def special_key(self, event: QKeyEvent) -> bool:
        if event.key() == Qt.Key.Key_N and not event.modifiers() & ~Qt.KeyboardModifier.ShiftModifier:
            self.set_to(datetime.now().strftime("%H:%M"))
            return True
        return False

    def retranslate_input(self) -> None:
        super().retranslate_input()
        self.edit.setPlaceholderText(_("HH:MM"))
        self.fit_placeholder()
        self.edit.setToolTip(_("Type the time as HH:MM (24 hours); N for now"))


class DateTimeQuestion(TemporalQuestion):
    """A date and time: ``2026-12-03 14:30`` (or twelve digits); ``N`` for now."""

    pattern = r"[0-9\-/.: T]{0,19}"
    complete_length = 12

    def parse(self, text: str) -> str | None:
        parsed = parse_datetime(text)
        return parsed.strftime("%Y-%m-%dT%H:%M") if parsed else None

    def display(self, value: str) -> str:
        return value.replace("T", " ")[:16] if len(value) >= 16 else value

    def problem(self, text: str) -> str:
        return _("“{text}” is not a date and time yet; type it as YYYY-MM-DD HH:MM.").format(
            text=text)

    def special_key(self, event: QKeyEvent) -> bool:
        if event.key() == Qt.Key.Key_N and not event.modifiers() & ~Qt.KeyboardModifier.ShiftModifier:
            self.set_to(datetime.now().strftime("%Y-%m-%dT%H:%M"))
            return True
        return False

    def retranslate_input(self) -> None:
        super().retranslate_input()
        self.edit.setPlaceholderText(_("YYYY-MM-DD HH:MM"))
        self.fit_placeholder()
        self.edit.setToolTip(_("Type the date and time as YYYY-MM-DD HH:MM; N for now"))
