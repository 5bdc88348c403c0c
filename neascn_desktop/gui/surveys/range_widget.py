"""The range question: a slider and a spin box on the same value, bounds from ``parameters``.

Unanswered, the slider sits at the start but the spin box shows a visible
"no answer" text, so a range never looks answered when it is not; the first
move or typed number answers it, Clear empties it again.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QHBoxLayout,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from neascn_desktop.gui.surveys.question_base import QuestionWidget
from neascn_desktop.i18n import _


def range_parameters(text: str) -> tuple[float, float, float]:
    """``start``, ``end`` and ``step`` of a range's ``parameters`` cell (ODK's defaults 1, 10, 1)."""
    values = {"start": 1.0, "end": 10.0, "step": 1.0}
    for part in text.replace(",", " ").split():
        key, _sep, raw = part.partition("=")
        if key.strip() in values:
            try:
                values[key.strip()] = float(raw)
            except ValueError:
                continue
    step = abs(values["step"]) or 1.0
    return values["start"], values["end"], step


class RangeQuestion(QuestionWidget):
    def build_input(self, layout: QVBoxLayout) -> None:
        self.start, self.end, self.step = range_parameters(self.question.extra.get("parameters", ""))
        self.low, self.high = min(self.start, self.end), max(self.start, self.end)
        self.steps = max(1, round((self.high - self.low) / self.step))
        self.whole = all(float(v).is_integer() for v in (self.start, self.end, self.step))
        row = QHBoxLayout()
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setObjectName("slider")
        self.slider.setRange(0, self.steps)
        self.slider.setInvertedAppearance(self.start > self.end)
        self.slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.slider.setTickInterval(max(1, self.steps // 10))
        self.slider.setPageStep(max(1, self.steps // 10))
        self.slider.setMinimumWidth(240)
        self.slider.valueChanged.connect(self._slid)
        self.spin = QDoubleSpinBox(self)
        self.spin.setObjectName("input")
        self.spin.setDecimals(0 if self.whole else max(1, len(f"{self.step:g}".partition(".")[2])))
        # One step below the range is the "no answer" value the special text shows.
        self.spin.setRange(self.low - self.step, self.high)
        self.spin.setSingleStep(self.step)
        self.spin.setValue(self.low - self.step)
        self.spin.setKeyboardTracking(True)
        self.spin.valueChanged.connect(self._spun)
        self.clear_button = QToolButton(self)
        self.clear_button.setObjectName("clearButton")
        self.clear_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.clear_button.clicked.connect(self.clear)
        row.addWidget(self.slider, 1)
        row.addWidget(self.spin)
        row.addWidget(self.clear_button)
        layout.addLayout(row)

    def _value_at(self, position: int) -> float:
        value = self.start + position * self.step * (1 if self.end >= self.start else -1)
        return min(self.high, max(self.low, value))

    def _position_of(self, value: float) -> int:
        return round(abs(value - self.start) / self.step)

    def _number(self, value: float) -> int | float:
        return int(round(value)) if self.whole else round(value, 10)

    def _slid(self, position: int) -> None:
        if self._loading:
            return
        value = self._value_at(position)
        self._loading = True
        try:
            self.spin.setValue(value)
        finally:
            self._loading = False
        self.emit_value(self._number(value))

    def _spun(self, value: float) -> None:
        if self._loading:
            return
        if value < self.low:
            self.emit_value(None)
            return
        self._loading = True
        try:
            self.slider.setValue(self._position_of(value))
        finally:
            self._loading = False
        self.emit_value(self._number(value))

    def clear(self) -> None:
        if self.read_only:
            return
        self.set_value(None)
        self.emit_value(None)

    def show_value(self, value: Any) -> None:
        if value is None or isinstance(value, bool) or not isinstance(value, int | float):
            self.spin.setValue(self.low - self.step)
            self.slider.setValue(self._position_of(self.start))
            return
        self.spin.setValue(float(value))
        self.slider.setValue(self._position_of(float(value)))

    def input_widgets(self) -> list[QWidget]:
        return [self.slider, self.spin, self.clear_button]

    def retranslate_input(self) -> None:
        label = self.label_text() or self.question.name
        self.spin.setSpecialValueText(_("No answer"))
        self.slider.setAccessibleName(_("{question} (slider)").format(question=label))
        self.spin.setAccessibleName(label)
        self.slider.setToolTip(_("From {start} to {end}").format(
            start=f"{self.start:g}", end=f"{self.end:g}"))
        self.clear_button.setText(_("Clear"))
        self.clear_button.setAccessibleName(_("Clear the answer"))
