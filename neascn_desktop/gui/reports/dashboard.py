"""The readiness dashboard of the Reports workspace: key figures and the report's own charts.

The figures and PNGs come from :func:`neascn_desktop.reports.dashboard.build_dashboard`
(no widgets, runs on a worker thread); the widget only shows the result
(``QPixmap`` from the PNG bytes).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from neascn_desktop.i18n import _, ngettext
from neascn_desktop.reports.dashboard import Dashboard


class ChartLabel(QLabel):
    """A chart image that scales down with the view, keeping its aspect ratio."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._pixmap = QPixmap()
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMinimumSize(240, 160)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_png(self, png: bytes | None) -> None:
        self._pixmap = QPixmap()
        if png:
            self._pixmap.loadFromData(png, "PNG")
        self._rescale()

    def has_image(self) -> bool:
        return not self._pixmap.isNull()

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._rescale()

    def display_pixmap(self) -> QPixmap:
        """The chart scaled to fit the label, in device pixels: a pixmap scaled to the logical
        size would be blown up again by the display scaling (125-200 %), and blurred."""
        if self._pixmap.isNull():
            return QPixmap()
        ratio = self.devicePixelRatioF()
        scaled = self._pixmap.scaled(self.size() * ratio, Qt.AspectRatioMode.KeepAspectRatio,
                                     Qt.TransformationMode.SmoothTransformation)
        scaled.setDevicePixelRatio(ratio)
        return scaled

    def _rescale(self) -> None:
        self.setPixmap(self.display_pixmap())


class DashboardView(QWidget):
    """Key figures and charts; ``refreshRequested`` asks the workspace to rebuild them."""

    refreshRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reportsDashboard")
        self.dashboard: Dashboard | None = None
        self.figures = QLabel(self)
        self.figures.setObjectName("dashboardFigures")
        self.figures.setWordWrap(True)
        self.refresh_button = QPushButton(self)
        self.refresh_button.setObjectName("dashboardRefresh")
        self.refresh_button.clicked.connect(self.refreshRequested)
        self.map_title, self.domains_title, self.completion_title = (QLabel(self) for _i in range(3))
        self.map_chart, self.domains_chart, self.completion_chart = (
            ChartLabel(self) for _i in range(3))
        grid_host = QWidget(self)
        grid = QGridLayout(grid_host)
        grid.addWidget(self.map_title, 0, 0)
        grid.addWidget(self.map_chart, 1, 0)
        grid.addWidget(self.domains_title, 0, 1)
        grid.addWidget(self.domains_chart, 1, 1)
        grid.addWidget(self.completion_title, 2, 0)
        grid.addWidget(self.completion_chart, 3, 0)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(grid_host)
        layout = QVBoxLayout(self)
        layout.addWidget(self.figures)
        layout.addWidget(self.refresh_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(scroll, 1)
        self.retranslateUi()

    def retranslateUi(self) -> None:
        self.refresh_button.setText(_("Refresh"))
        self.map_title.setText(_("Readiness map"))
        self.domains_title.setText(_("Average score per domain"))
        self.completion_title.setText(_("Survey completion"))
        self._show_figures()

    def show_loading(self) -> None:
        self.figures.setText(_("Drawing the charts…"))

    def show_dashboard(self, dashboard: Dashboard) -> None:
        self.dashboard = dashboard
        self.map_chart.set_png(dashboard.map_png)
        self.domains_chart.set_png(dashboard.domains_png)
        self.completion_chart.set_png(dashboard.completion_png)
        self._show_figures()

    def _show_figures(self) -> None:
        from neascn_desktop.i18n.formatting import format_number, format_percent

        d = self.dashboard
        if d is None:
            self.figures.setText("")
            return
        lines = [ngettext("{answered} of {cities} city answered the survey, {finalized} finalized.",
                          "{answered} of {cities} cities answered the survey, {finalized} finalized.",
                          d.cities).format(answered=d.answered, cities=d.cities,
                                           finalized=d.finalized)]
        if d.average_index is not None:
            lines.append(_("Average readiness index: {index}; average coverage: {coverage}.").format(
                index=format_number(round(d.average_index)),
                coverage=format_percent(d.average_coverage or 0)))
        self.figures.setText("\n".join(lines))
