"""Every response of the selected city, listed and chosen explicitly (rounds, respondents).

A city may hold several responses to a survey — a second round, another
department answering, one started on another laptop.  The panel under the
city list shows them all (as ``neascn response list`` does) with who started
each, when, its status and how far it is; Enter or "Open response" opens the
chosen one, "New response" starts another.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from neascn_desktop.gui.surveys.item_models import STATUS_COLORS, status_label
from neascn_desktop.gui.table_model import Index, RowTableModel
from neascn_desktop.i18n import N_, _
from neascn_desktop.i18n.formatting import format_percent
from neascn_desktop.surveys import service

STARTED, ENUMERATOR, STATUS, PROGRESS, VERSION, UPDATED = range(6)


class ResponseRow:
    """A submission with its progress (answered share of the questions asked)."""

    def __init__(self, submission: service.Submission, progress: float | None) -> None:
        self.submission = submission
        self.progress = progress


class ResponseTableModel(RowTableModel[ResponseRow]):
    COLUMNS = (N_("Started"), N_("Started by"), N_("Status"), N_("Answered"), N_("Version"),
               N_("Last change"))

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        submission = row.submission
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == STARTED:
                return submission.started_at[:16].replace("T", " ")
            if column == ENUMERATOR:
                return submission.enumerator
            if column == STATUS:
                return status_label(submission.display_status)
            if column == PROGRESS:
                return "" if row.progress is None else format_percent(row.progress)
            if column == VERSION:
                return submission.form_version
            if column == UPDATED:
                return submission.updated_at[:16].replace("T", " ")
        if role == Qt.ItemDataRole.ForegroundRole and column == STATUS:
            return QColor(STATUS_COLORS.get(submission.display_status, "#000000"))
        if role == Qt.ItemDataRole.ToolTipRole:
            return _("Response {id}").format(id=submission.id)
        return None


class _Table(QTableView):
    activatedByKey = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.activatedByKey.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class ResponsesPanel(QWidget):
    """The responses of one city; ``openRequested(id)``, ``newRequested()``."""

    openRequested = Signal(str)
    newRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("responsesPanel")
        self.heading = QLabel(self)
        self.heading.setObjectName("responsesHeading")
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)
        self.model = ResponseTableModel(self)
        self.table = _Table(self)
        self.table.setObjectName("responseTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setMaximumHeight(self.table.fontMetrics().lineSpacing() * 7 + 30)
        self.table.doubleClicked.connect(lambda _index: self.open_selected())
        self.table.activatedByKey.connect(self.open_selected)
        self.open_button = QPushButton(self)
        self.open_button.setObjectName("openResponseButton")
        self.open_button.clicked.connect(self.open_selected)
        self.new_button = QPushButton(self)
        self.new_button.setObjectName("newResponseButton")
        self.new_button.clicked.connect(self.newRequested)
        buttons = QHBoxLayout()
        buttons.addWidget(self.heading, 1)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.new_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(self.table)
        self.city_name = ""
        self.retranslateUi()

    def set_responses(self, city_name: str, rows: list[ResponseRow]) -> None:
        selected = self.selected_id()
        self.city_name = city_name
        self.model.set_rows(rows)
        row = next((i for i, r in enumerate(rows) if r.submission.id == selected), 0)
        if rows:
            self.table.selectRow(row)
        self._update()

    def selected_id(self) -> str | None:
        index = self.table.currentIndex()
        if not index.isValid():
            selected = self.table.selectionModel().selectedRows()
            index = selected[0] if selected else index
        if not index.isValid() or not 0 <= index.row() < len(self.model.rows):
            return None
        return self.model.rows[index.row()].submission.id

    def select(self, submission_id: str) -> bool:
        for row, item in enumerate(self.model.rows):
            if item.submission.id == submission_id:
                self.table.selectRow(row)
                return True
        return False

    def open_selected(self) -> None:
        selected = self.selected_id()
        if selected is not None:
            self.openRequested.emit(selected)

    def _update(self) -> None:
        count = len(self.model.rows)
        self.heading.setText(_("Responses for {city}: {count}").format(
            city=self.city_name, count=count) if self.city_name else _("Responses"))
        self.open_button.setEnabled(count > 0)
        self.new_button.setEnabled(bool(self.city_name))

    def retranslateUi(self) -> None:  # noqa: N802 - the workspace contract's name
        self.open_button.setText(_("Open response"))
        self.new_button.setText(_("New response"))
        self.new_button.setToolTip(_("Start another response for this city (a new round or "
                                     "another respondent)"))
        self.table.setAccessibleName(_("Responses of the selected city"))
        self.model.retranslate()
        self._update()
