"""The Reports workspace: Word reports in any language, the analysts' export, the dashboard.

Follows the contract in ``neascn_desktop/gui/README-workspaces.md``.  Tab 1
picks the report (readiness, framework, status), its language, survey
version and cities, builds it in the background with the shared worker
(``reports.service.build_report``, the same use case as ``neascn report``)
and opens it with the system's default application.  It also exports all
responses to CSV/XLSX (``reports.data_export.export_responses``).  Tab 2 is
the readiness dashboard (:mod:`neascn_desktop.gui.reports.dashboard`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from neascn_desktop.changes import Changes
from neascn_desktop.gui.context import GuiContext
from neascn_desktop.gui.reports.dashboard import DashboardView
from neascn_desktop.i18n import LANGUAGES, N_, _, current_language
from neascn_desktop.reports.dashboard import build_dashboard

if TYPE_CHECKING:
    from neascn_desktop.gui.worker import BackgroundTask

#: Report kinds with their display names (translated at display time).
REPORT_KINDS = (
    ("readiness", N_("City smart-readiness report")),
    ("framework", N_("Framework document")),
    ("status", N_("Survey collection status")),
)
CITY_ID_ROLE = Qt.ItemDataRole.UserRole + 1


#: A city's response state in the city list (the Surveys list's words).
_RESPONSE_STATES = {"in_progress": N_("In progress"), "finalized": N_("Finalized"), "sent": N_("Sent"),
                    "received": N_("Received")}


class ReportsWorkspace(QWidget):
    """Export Word reports of the survey results and the framework; see the dashboard."""

    def __init__(self, ctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("reportsWorkspace")
        self.last_report: Path | None = None
        self.last_job: BackgroundTask | None = None  # the running/last one (tests wait on it)
        self.open_after = True  # open each report with the default application when ready
        self._dashboard_dirty = True
        self._cities_dirty = False

        self.title = QLabel(self)
        self.title.setObjectName("workspaceTitle")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.title.setFont(font)
        self.tabs = QTabWidget(self)
        self.generate_page = QWidget(self.tabs)
        self._build_generate_page()
        self.dashboard = DashboardView(self.tabs)
        self.dashboard.refreshRequested.connect(self.refresh_dashboard)
        self.tabs.addTab(self.generate_page, "")
        self.tabs.addTab(self.dashboard, "")
        self.tabs.currentChanged.connect(self._tab_changed)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.tabs, 1)
        self._load_choices()
        self.retranslateUi()

    # ------------------------------------------------------------------ building

    def _build_generate_page(self) -> None:
        page = self.generate_page
        self.kind_combo = QComboBox(page)
        self.kind_combo.setObjectName("reportKind")
        self.language_combo = QComboBox(page)
        self.language_combo.setObjectName("reportLanguage")
        for code, name in LANGUAGES.items():
            self.language_combo.addItem(name, code)  # each language in itself: never translated
        self.version_combo = QComboBox(page)
        self.version_combo.setObjectName("reportSurveyVersion")
        self.clean_check = QCheckBox(page)
        self.clean_check.setObjectName("reportClean")
        self.city_model = QStandardItemModel(self)
        self.city_view = QListView(page)
        self.city_view.setObjectName("reportCities")
        self.city_view.setModel(self.city_model)
        self.all_button = QPushButton(page)
        self.none_button = QPushButton(page)
        self.all_button.clicked.connect(lambda: self._check_all(True))
        self.none_button.clicked.connect(lambda: self._check_all(False))
        self.generate_button = QPushButton(page)
        self.generate_button.setObjectName("generateReport")
        self.generate_button.setDefault(True)
        self.generate_button.clicked.connect(self.ask_and_generate)
        self.pdf_button = QPushButton(page)
        self.pdf_button.setObjectName("generatePdf")
        self.pdf_button.clicked.connect(self.ask_and_generate_pdf)
        self.export_button = QPushButton(page)
        self.export_button.setObjectName("exportResponses")
        self.export_button.clicked.connect(self.ask_and_export)
        self.open_button = QPushButton(page)
        self.open_button.setObjectName("openReport")
        self.open_button.setEnabled(False)
        self.open_button.clicked.connect(lambda: self.open_file(self.last_report))
        self.result_label = QLabel(page)
        self.result_label.setObjectName("reportResult")
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.kind_combo.currentIndexChanged.connect(self._kind_changed)

        self.form_layout = QFormLayout()
        self.kind_label, self.language_label, self.version_label = (QLabel(page) for _i in range(3))
        self.form_layout.addRow(self.kind_label, self.kind_combo)
        self.form_layout.addRow(self.language_label, self.language_combo)
        self.form_layout.addRow(self.version_label, self.version_combo)
        self.form_layout.addRow(self.clean_check)
        city_buttons = QHBoxLayout()
        city_buttons.addWidget(self.all_button)
        city_buttons.addWidget(self.none_button)
        city_buttons.addStretch(1)
        self.cities_label = QLabel(page)
        actions = QHBoxLayout()
        actions.addWidget(self.generate_button)
        actions.addWidget(self.pdf_button)
        actions.addWidget(self.open_button)
        actions.addStretch(1)
        actions.addWidget(self.export_button)
        layout = QVBoxLayout(page)
        layout.addLayout(self.form_layout)
        layout.addWidget(self.cities_label)
        layout.addWidget(self.city_view, 1)
        layout.addLayout(city_buttons)
        layout.addLayout(actions)
        layout.addWidget(self.result_label)

    def _load_choices(self) -> None:
        """Survey versions and cities from the surveys room (cheap: read in the constructor)."""
        from neascn_desktop.surveys import service

        language = current_language()
        selected = self.version_combo.currentData()
        self.version_combo.clear()
        for info in service.list_definitions(self.ctx.db):
            self.version_combo.addItem(f"{info.title_in(language)} {info.version}",
                                       (info.form_id, info.version))
        if selected is not None:
            index = self.version_combo.findData(selected)
            if index >= 0:
                self.version_combo.setCurrentIndex(index)
        checked = self.selected_cities() if self.city_model.rowCount() else None
        self.city_model.clear()
        # Each city with its response state; the first time, only cities with data are chosen
        # (demo data loaded into the profile is no data: reports leave it out).
        states = {s.city.id: s for s in service.city_statuses(self.ctx.db)}
        with_data = {c for c, s in states.items() if s.status != "not_started" and not s.demo}
        for city in service.list_cities(self.ctx.db):
            state = states.get(city.id)
            shown = _("no response") if state is None or state.status == "not_started" or state.demo \
                else _(_RESPONSE_STATES.get(state.status, state.status))
            item = QStandardItem(_("{city} ({country}) — {state}").format(
                city=city.name_in(language), country=city.country, state=shown))
            item.setData(city.id, CITY_ID_ROLE)
            item.setCheckable(True)
            item.setEditable(False)
            on = city.id in with_data if checked is None else (not checked or city.id in checked)
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
            self.city_model.appendRow(item)
        profile_language = getattr(self.ctx.profile, "language", None) or current_language()
        index = self.language_combo.findData(profile_language)
        if index >= 0 and not getattr(self, "_language_chosen", False):
            self.language_combo.setCurrentIndex(index)
        self._cities_dirty = False

    def retranslateUi(self) -> None:
        self.title.setText(_("Reports"))
        self.tabs.setTabText(0, _("Word reports"))
        self.tabs.setTabText(1, _("Dashboard"))
        self.city_view.setAccessibleName(_("Cities in the report"))
        current = self.kind_combo.currentIndex()
        self.kind_combo.blockSignals(True)
        self.kind_combo.clear()
        for kind, label in REPORT_KINDS:
            self.kind_combo.addItem(_(label), kind)
        self.kind_combo.setCurrentIndex(max(0, current))
        self.kind_combo.blockSignals(False)
        self.kind_label.setText(_("Report:"))
        self.language_label.setText(_("Language of the report:"))
        self.version_label.setText(_("Survey version:"))
        for caption, combo in ((self.kind_label, self.kind_combo), (self.language_label, self.language_combo),
                               (self.version_label, self.version_combo)):
            combo.setAccessibleName(caption.text().rstrip(":："))
        self.clean_check.setText(_("Clean version (without statuses and open comments)"))
        self.cities_label.setText(_("Cities in the report:"))
        self.all_button.setText(_("Select all"))
        self.none_button.setText(_("Select none"))
        self.generate_button.setText(_("Generate report…"))
        self.pdf_button.setText(_("Generate PDF…"))
        self.open_button.setText(_("Open last report"))
        self.export_button.setText(_("Export responses (CSV/XLSX)…"))
        self.dashboard.retranslateUi()
        self._kind_changed()
        if getattr(self, "_built", False):
            # City names and the charts' texts are in the UI language too.
            self._load_choices()
            self._dashboard_dirty = True
            if self.isVisible() and self.tabs.currentWidget() is self.dashboard:
                self.refresh_dashboard()
        self._built = True

    # ------------------------------------------------------------------ choices

    def selected_kind(self) -> str:
        return str(self.kind_combo.currentData() or "readiness")

    def selected_language(self) -> str:
        return str(self.language_combo.currentData() or "en")

    def selected_form(self) -> tuple[str | None, str | None]:
        data = self.version_combo.currentData()
        return (data[0], data[1]) if data else (None, None)

    def selected_cities(self) -> list[str]:
        return [self.city_model.item(row).data(CITY_ID_ROLE)
                for row in range(self.city_model.rowCount())
                if self.city_model.item(row).checkState() == Qt.CheckState.Checked]

    def set_kind(self, kind: str) -> None:
        self.kind_combo.setCurrentIndex(max(0, self.kind_combo.findData(kind)))

    def set_language(self, code: str) -> None:
        self._language_chosen = True
        self.language_combo.setCurrentIndex(max(0, self.language_combo.findData(code)))

    def _check_all(self, on: bool) -> None:
        state = Qt.CheckState.Checked if on else Qt.CheckState.Unchecked
        for row in range(self.city_model.rowCount()):
            self.city_model.item(row).setCheckState(state)

    def _kind_changed(self, *_args: object) -> None:
        kind = self.selected_kind()
        survey = kind in ("readiness", "status")
        self.version_combo.setEnabled(survey)
        self.city_view.setEnabled(survey)
        self.all_button.setEnabled(survey)
        self.none_button.setEnabled(survey)
        self.clean_check.setVisible(kind == "framework")

    # ------------------------------------------------------------------ generating

    def _default_folder(self) -> Path:
        from neascn_desktop.gui.folders import start_folder

        return start_folder(self.ctx.data_dir)

    def _remember(self, path: str) -> None:
        from neascn_desktop.gui.folders import remember_folder

        remember_folder(self.ctx.data_dir, Path(path))

    def ask_and_generate(self) -> None:
        name = f"neascn-{self.selected_kind()}-{self.selected_language()}.docx"
        path, _filter = QFileDialog.getSaveFileName(
            self, _("Save the report as"), str(self._default_folder() / name),
            _("Word documents (*.docx)"))
        if path:
            self._remember(path)
            if not path.lower().endswith(".docx"):
                path += ".docx"
            self.generate(Path(path))

    def ask_and_generate_pdf(self) -> None:
        """The same report as a finished PDF (through LibreOffice: contents with page numbers)."""
        from neascn_desktop.reports.errors import ReportError
        from neascn_desktop.reports.pdf import require_soffice

        try:
            require_soffice()
        except ReportError as exc:  # say what to install before asking for a file name
            self.result_label.setText(str(exc))
            return
        name = f"neascn-{self.selected_kind()}-{self.selected_language()}.pdf"
        path, _filter = QFileDialog.getSaveFileName(
            self, _("Save the report as"), str(self._default_folder() / name),
            _("PDF documents (*.pdf)"))
        if path:
            self._remember(path)
            if not path.lower().endswith(".pdf"):
                path += ".pdf"
            self.generate(Path(path))

    def generate(self, path: Path) -> BackgroundTask | None:
        """Build the chosen report into ``path`` in the background; returns the running task
        (``None`` when no city is chosen)."""
        from neascn_desktop.gui.worker import TaskCancelled
        from neascn_desktop.reports.document import ReportCancelled
        from neascn_desktop.reports.service import build_report

        kind, language = self.selected_kind(), self.selected_language()
        form_id, version = self.selected_form()
        cities = self.selected_cities() if kind in ("readiness", "status") else None
        if cities is not None and len(cities) == self.city_model.rowCount():
            cities = None  # everyone: the report says "of all cities"
        if cities == []:
            self.result_label.setText(_("Choose at least one city."))
            return None
        db = self.ctx.db
        clean = self.clean_check.isChecked()

        def task(progress, is_cancelled):
            try:
                return build_report(db, kind, path, language=language, city_ids=cities,
                                    form_version=version, form_id=form_id, clean=clean,
                                    progress=progress, is_cancelled=is_cancelled)
            except ReportCancelled:
                raise TaskCancelled() from None

        self.result_label.setText(_("Building the report…"))
        self.generate_button.setEnabled(False)
        self.pdf_button.setEnabled(False)
        self.last_job = self.ctx.run_in_background(
            task, title=_("Generate report"), on_success=self._report_done,
            on_error=self._failed, on_cancelled=self._cancelled, parent=self)
        return self.last_job

    def _report_done(self, result) -> None:
        self.generate_button.setEnabled(True)
        self.pdf_button.setEnabled(True)
        self.last_report = Path(result.path)
        self.open_button.setEnabled(True)
        self.result_label.setText(_("Report written to {path}.").format(path=result.path))
        if self.open_after and not self.open_file(self.last_report):
            self.result_label.setText(_(
                "Report written to {path}, but no program opened it: open it from its folder.").format(
                    path=result.path))

    def _failed(self, error: BaseException) -> None:
        self.generate_button.setEnabled(True)
        self.pdf_button.setEnabled(True)
        self.export_button.setEnabled(True)
        self.result_label.setText(str(error))
        self.ctx.show_error(error)

    def _cancelled(self) -> None:
        self.generate_button.setEnabled(True)
        self.pdf_button.setEnabled(True)
        self.export_button.setEnabled(True)
        self.result_label.setText(_("Cancelled; nothing was written."))

    @staticmethod
    def open_file(path: Path | None) -> bool:
        """Open a file with the system's default application (Word, LibreOffice, Excel…)."""
        if path is None or not Path(path).exists():
            return False
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    # ------------------------------------------------------------------ export

    def ask_and_export(self) -> None:
        plain_csv = _("CSV file (*.csv)")
        kobo = _("KoboToolbox workbook, one sheet per repeat (*.xlsx)")
        central = _("ODK Central CSV files, one per repeat, in a ZIP (*.zip)")
        path, chosen = QFileDialog.getSaveFileName(
            self, _("Export responses as"), str(self._default_folder() / "neascn-responses.xlsx"),
            ";;".join([_("Excel workbook (*.xlsx)"), _("CSV for Excel, UTF-8 with BOM (*.csv)"),
                       plain_csv, kobo, central]))
        if path:
            layout = {kobo: "kobo", central: "central"}.get(chosen, "flat")
            if layout == "central":
                fmt, suffix = "csv", "zip"
            else:
                fmt = "csv" if path.lower().endswith(".csv") or "csv" in chosen.lower() else "xlsx"
                suffix = fmt
            if not path.lower().endswith(f".{suffix}"):
                path += f".{suffix}"
            self.export(Path(path), fmt, bom=chosen not in (plain_csv, central), layout=layout)

    def export(self, path: Path, fmt: str, bom: bool = True,
               layout: str = "flat") -> BackgroundTask:
        """``bom``: a CSV for Excel (the default: without the mark Excel garbles CJK and
        Mongolian); a plain UTF-8 CSV for ODK/Kobo tools and scripts.  ``layout``: flat,
        central or kobo (``neascn_desktop.reports.layout_export``)."""
        from neascn_desktop.gui.worker import TaskCancelled
        from neascn_desktop.reports.data_export import export_responses
        from neascn_desktop.reports.document import ReportCancelled

        form_id, version = self.selected_form()
        db, language = self.ctx.db, current_language()

        def task(progress, is_cancelled):
            try:
                return export_responses(db, path, fmt, version, progress, form_id=form_id,
                                        language=language, is_cancelled=is_cancelled, bom=bom,
                                        layout=layout)
            except ReportCancelled:
                raise TaskCancelled() from None

        self.export_button.setEnabled(False)
        self.last_job = self.ctx.run_in_background(
            task, title=_("Export responses"), on_success=self._export_done,
            on_error=self._failed, on_cancelled=self._cancelled, parent=self)
        return self.last_job

    def _export_done(self, result) -> None:
        self.export_button.setEnabled(True)
        self.result_label.setText(_("Exported {count} responses of {form} {version} to {path}.").format(
            count=result.rows, form=result.form_id, version=result.form_version, path=result.path))

    # ------------------------------------------------------------------ dashboard

    def refresh_dashboard(self):
        """Rebuild the dashboard off the UI thread (no progress dialog: the tab says it is busy)."""
        self._dashboard_dirty = False
        db, language = self.ctx.db, current_language()
        _form_id, version = self.selected_form()
        scale = self.devicePixelRatioF()  # 125-200 % display scaling: draw with as many pixels
        self.dashboard.show_loading()
        self.dashboard_job = self.ctx.run_in_background(
            lambda progress, is_cancelled: build_dashboard(db, language, version, scale=scale),
            title=_("Dashboard"), on_success=self.dashboard.show_dashboard,
            on_error=self._dashboard_failed, parent=self, show_progress=False)
        return self.dashboard_job

    def _dashboard_failed(self, error: BaseException) -> None:
        self.dashboard.figures.setText(str(error))

    def _tab_changed(self, index: int) -> None:
        if self.tabs.widget(index) is self.dashboard and self._dashboard_dirty:
            self.refresh_dashboard()

    # ------------------------------------------------------------------ changes

    def on_changes(self, changes: Changes) -> None:
        if changes.touches("survey", "city"):
            self._cities_dirty = True
        if changes.touches("survey", "city", "response"):
            self._dashboard_dirty = True
        if self.isVisible():
            if self._cities_dirty:
                self._load_choices()
            if self._dashboard_dirty and self.tabs.currentWidget() is self.dashboard:
                self.refresh_dashboard()

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        if self._cities_dirty:
            self._load_choices()
        if self._dashboard_dirty and self.tabs.currentWidget() is self.dashboard:
            self.refresh_dashboard()
