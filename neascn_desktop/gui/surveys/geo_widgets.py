"""geopoint, geotrace and geoshape as typed coordinates, with a small drawing of the points.

A laptop has no GPS worth the name: the point is pasted from any web map
(``37.5665, 126.978``) or typed in decimal degrees or degrees-minutes-seconds
(see :mod:`neascn_desktop.surveys.coordinates`), with an optional accuracy in
metres.  A trace or shape takes one point per line.  The preview
(:mod:`~neascn_desktop.gui.surveys.map_preview`) draws them over the bundled
coastlines, zoomed around them, as they are typed (no map tiles, fully offline).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from neascn_desktop.gui.surveys.map_preview import MapPreview
from neascn_desktop.gui.surveys.question_base import HINT_COLOR, QuestionWidget
from neascn_desktop.gui.surveys.text_widgets import PlainTextInput, style_read_only
from neascn_desktop.i18n import _, ngettext
from neascn_desktop.i18n.formatting import format_number
from neascn_desktop.surveys.coordinates import (
    CoordinateError,
    Point,
    parse_point,
    parse_points,
    point_from_odk,
)


class GeoQuestion(QuestionWidget):
    def build_input(self, layout: QVBoxLayout) -> None:
        self.single = self.question.type == "geopoint"
        row = QHBoxLayout()
        fields = QVBoxLayout()
        if self.single:
            self.edit: QLineEdit | QPlainTextEdit = QLineEdit(self)
            self.edit.textChanged.connect(lambda _t: self._typed())
            self.accuracy = QLineEdit(self)
            self.accuracy.setObjectName("accuracyEdit")
            self.accuracy.setMaximumWidth(140)
            self.accuracy.textChanged.connect(lambda _t: self._typed())
            self.accuracy_label = QLabel(self)
            self.accuracy_label.setBuddy(self.accuracy)
            accuracy_row = QHBoxLayout()
            accuracy_row.addWidget(self.accuracy_label)
            accuracy_row.addWidget(self.accuracy)
            accuracy_row.addStretch(1)
        else:
            self.edit = PlainTextInput(self)
            self.edit.setTabChangesFocus(True)
            self.edit.setFixedHeight(self.edit.fontMetrics().lineSpacing() * 5 + 12)
            self.edit.textChanged.connect(self._typed)
        self.edit.setObjectName("input")
        fields.addWidget(self.edit)
        if self.single:
            fields.addLayout(accuracy_row)
        self.reading = QLabel(self)
        self.reading.setObjectName("readingLabel")
        self.reading.setWordWrap(True)
        self.reading.setStyleSheet(f"color: {HINT_COLOR};")
        fields.addWidget(self.reading)
        row.addLayout(fields, 1)
        self.preview = MapPreview(self)
        row.addWidget(self.preview, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(row)
        self.stored: str | None = None
        self.problem_now = ""
        if isinstance(self.edit, QLineEdit):
            self.edit.editingFinished.connect(self.enter_pressed)

    def enter_pressed(self) -> None:
        self.set_input_problem(self.problem_now if self.text().strip() else "")

    def text(self) -> str:
        return self.edit.toPlainText() if isinstance(self.edit, QPlainTextEdit) else self.edit.text()

    def _points(self) -> list[Point]:
        text = self.text()
        if self.single:
            accuracy_text = self.accuracy.text().strip().replace(",", ".")
            try:
                accuracy = float(accuracy_text) if accuracy_text else None
            except ValueError:
                raise CoordinateError(_("The accuracy is a distance in metres, 0 or more.")) from None
            return [parse_point(text, accuracy)]
        points = parse_points(text)
        need = 2 if self.question.type == "geotrace" else 3
        if len(points) < need:
            raise CoordinateError(_("Give at least {count} points, one per line.").format(count=need))
        return points

    def _typed(self) -> None:
        if self._loading:
            return
        if not self.text().strip():
            self.problem_now = ""
            self.set_input_problem("")
            self._show([])
            self.stored = None
            self.emit_value(None)
            return
        try:
            points = self._points()
        except CoordinateError as exc:
            self.problem_now = str(exc)  # said on leaving; while typing it is only half there
            self._show([])
            self.reading.setText(_("Not a point yet"))
            return
        self.problem_now = ""
        self.set_input_problem("")
        self._show(points)
        self.stored = "; ".join(p.odk_text() for p in points)
        self.emit_value(self.stored)

    def _show(self, points: list[Point]) -> None:
        self.preview.set_points(points, self.question.type == "geoshape")
        if not points:
            self.reading.setText("")
        elif self.single:
            point = points[0]
            self.reading.setText(_("Latitude {lat}, longitude {lon}").format(
                lat=format_number(point.latitude, digits=6), lon=format_number(point.longitude,
                                                                               digits=6)))
        else:
            self.reading.setText(ngettext("{count} point", "{count} points", len(points)).format(
                count=len(points)))

    def show_value(self, value: Any) -> None:
        if value == self.stored and value is not None:
            return
        self.stored = value if isinstance(value, str) else None
        points = [p for p in (point_from_odk(part) for part in (self.stored or "").split(";")) if p]
        if isinstance(self.edit, QLineEdit):
            point = points[0] if points else None
            self.edit.setText("" if point is None else
                              f"{point.latitude:g}, {point.longitude:g}")
            self.accuracy.setText("" if point is None or point.accuracy is None
                                  else f"{point.accuracy:g}")
        else:
            text = "\n".join(f"{p.latitude:g}, {p.longitude:g}" for p in points)
            if isinstance(self.edit, QPlainTextEdit) and self.edit.toPlainText() != text:
                self.edit.setPlainText(text)
        self._show(points)

    def input_widgets(self) -> list[QWidget]:
        return [self.edit, self.accuracy] if self.single else [self.edit]

    def apply_read_only(self, read_only: bool) -> None:
        style_read_only(self.edit, read_only)
        if self.single:
            style_read_only(self.accuracy, read_only)

    def retranslate_input(self) -> None:
        label = self.label_text() or self.question.name
        self.edit.setAccessibleName(label)
        if self.single:
            self.edit.setPlaceholderText(_("Latitude, longitude — e.g. 37.5665, 126.978"))
            self.edit.setToolTip(_("Paste from any map, or type decimal degrees or degrees, "
                                   "minutes and seconds (37°33'59\"N 126°58'41\"E)"))
            self.accuracy_label.setText(_("Accuracy (m):"))
            self.accuracy.setAccessibleName(_("Accuracy in metres: {question}").format(
                question=label))
        else:
            self.edit.setPlaceholderText(_("One point per line: latitude, longitude"))
        self.preview.setAccessibleName(_("Drawing of the points: {question}").format(question=label))
        self._typed_again()

    def _typed_again(self) -> None:
        if self.text().strip():
            try:
                self._show(self._points())
            except CoordinateError:
                self._show([])
