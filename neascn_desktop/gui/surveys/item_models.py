"""Item models of the Surveys workspace: the cities with their survey status and readiness.

``CityTableModel`` holds one row per city (a ``surveys.service.CityStatus``);
``CityFilterProxy`` sorts it and filters by any of the city's names (in every
language), its country or its status as typed in the filter box.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor

from neascn_desktop.gui.table_model import RowTableModel
from neascn_desktop.i18n import N_, _, current_language
from neascn_desktop.i18n.formatting import format_number, format_percent
from neascn_desktop.surveys import service
from neascn_desktop.surveys.scoring import band_label

Index = QModelIndex | QPersistentModelIndex

STATUS_LABELS = {
    "not_started": N_("Not started"),
    "in_progress": N_("In progress"),
    "finalized": N_("Finalized"),
    "sent": N_("Sent"),
    "received": N_("Received"),
}
#: What "sent" and "received" mean, on the status cell's tooltip.
STATUS_TIPS = {
    "in_progress": N_("Not sent yet."),
    "finalized": N_("Not sent yet."),
    "sent": N_("Sent; waiting for the secretariat to confirm that it received it."),
    "received": N_("Received by the secretariat."),
}
STATUS_COLORS = {
    "not_started": "#5f6368",
    "in_progress": "#9a6700",
    "finalized": "#1a5e20",
    "sent": "#0b57d0",
    "received": "#0b57d0",
}
#: Role of the raw value a column sorts by.
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
#: Role of the text the filter box searches (names in every language, country, status).
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 2
#: Role of the row's ``CityStatus``.
STATUS_ROLE = Qt.ItemDataRole.UserRole + 3

CITY, COUNTRY, STATUS, SCORE, BAND, UPDATED = range(6)


def status_label(status: str) -> str:
    return _(STATUS_LABELS.get(status, status))


class CityTableModel(RowTableModel[service.CityStatus]):
    """Cities, each with its survey status, readiness score and band."""

    COLUMNS = (N_("City"), N_("Country"), N_("Status"), N_("Readiness"), N_("Band"),
               N_("Last change"))

    def row_of(self, city_id: str) -> int:
        return next((i for i, r in enumerate(self.rows) if r.city.id == city_id), -1)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        column = index.column()
        language = current_language()
        overall = row.score.overall if row.score else None
        if role == Qt.ItemDataRole.DisplayRole:
            if column == CITY:
                return row.city.name_in(language)
            if column == COUNTRY:
                return row.city.country
            if column == STATUS:
                label = status_label(row.status)
                return _("{status} (demo data)").format(status=label) if row.demo else label
            if column == SCORE:
                return "—" if overall is None else format_number(overall, digits=1)
            if column == BAND:
                return band_label(row.score.band, language) if row.score else ""
            if column == UPDATED:
                return (row.submission.updated_at[:16].replace("T", " ")
                        if row.submission else "")
        elif role == SORT_ROLE:
            if column == CITY:
                return row.city.name_in(language).casefold()
            if column == STATUS:
                return list(STATUS_LABELS).index(row.status) if row.status in STATUS_LABELS else 9
            if column == SCORE:
                return -1.0 if overall is None else overall
            if column == BAND:
                return -1.0 if overall is None else overall
            if column == UPDATED:
                return row.submission.updated_at if row.submission else ""
            return self.data(index, Qt.ItemDataRole.DisplayRole)
        elif role == SEARCH_ROLE:
            return " ".join([*row.city.name.values(), row.city.id, row.city.country,
                             status_label(row.status)]).casefold()
        elif role == STATUS_ROLE:
            return row
        elif role == Qt.ItemDataRole.ForegroundRole and column == STATUS:
            return QColor(STATUS_COLORS.get(row.status, "#000000"))
        elif role == Qt.ItemDataRole.TextAlignmentRole and column == SCORE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        elif role == Qt.ItemDataRole.ToolTipRole:
            if column == SCORE and row.score is not None:
                return _("Coverage: {coverage} of the scored questions answered").format(
                    coverage=format_percent(row.score.coverage))
            if column == CITY:
                return "\n".join(v for v in row.city.name.values() if v)
            if column == STATUS and row.demo:
                return _("Demo data loaded into this profile: left out of reports and packages.")
            if column == STATUS and row.status in STATUS_TIPS:
                return _(STATUS_TIPS[row.status])
        return None


class CityFilterProxy(QSortFilterProxyModel):
    """Sorts by the raw values and keeps the rows whose names, country or status match."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self._needle = ""

    def set_filter_text(self, text: str) -> None:
        self.beginFilterChange()
        self._needle = text.strip().casefold()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:  # noqa: N802
        if not self._needle:
            return True
        model = self.sourceModel()
        haystack = model.data(model.index(source_row, 0, source_parent), SEARCH_ROLE) or ""
        return all(part in haystack for part in self._needle.split())
