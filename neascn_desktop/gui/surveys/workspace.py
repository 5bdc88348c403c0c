"""The Surveys workspace: the cities with their survey status and score, and the data-entry form.

Follows the contract in ``neascn_desktop/gui/README-workspaces.md``.  Page 1
is the city list (filter box, survey version, start/continue, add/edit city,
finalize, reopen, export for the secretariat) with every response of the
selected city under it; page 2 is :class:`~neascn_desktop.gui.surveys.form.SurveyForm`
for one submission.  Everything goes through the surveys room's use cases.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QItemSelection, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from neascn_desktop.changes import Changes
from neascn_desktop.errors import NeascnError
from neascn_desktop.gui.context import GuiContext
from neascn_desktop.gui.folders import documents_folder
from neascn_desktop.gui.message_boxes import show_info
from neascn_desktop.gui.surveys.form import SurveyForm
from neascn_desktop.gui.surveys.item_models import (
    CITY,
    STATUS_ROLE,
    CityFilterProxy,
    CityTableModel,
)
from neascn_desktop.gui.surveys.responses_panel import ResponseRow, ResponsesPanel
from neascn_desktop.i18n import _, current_language, ngettext
from neascn_desktop.surveys import service
from neascn_desktop.surveys.definition import BUILTIN_FORM_ID
from neascn_desktop.sync.authority import sends_responses


class SurveysWorkspace(QWidget):
    """Run the City Smart-Readiness Survey with city officials, offline."""

    def __init__(self, ctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("surveysWorkspace")
        self._dirty = False
        self._definitions: list[service.DefinitionInfo] = []
        self.pages = QStackedWidget(self)
        self.list_page = QWidget(self.pages)
        self._build_list_page()
        self.form = SurveyForm(ctx, self.pages)
        self.form.closed.connect(self.show_list)
        self.form.exportRequested.connect(self.export_for_secretariat)
        self.form.statusChanged.connect(lambda _id: self._mark_dirty())
        self.pages.addWidget(self.list_page)
        self.pages.addWidget(self.form)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)
        self._load_definitions()
        self.refresh()
        self.retranslateUi()

    # ------------------------------------------------------------------ the city list

    def _build_list_page(self) -> None:
        page = self.list_page
        self.title = QLabel(page)
        self.title.setObjectName("workspaceTitle")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.title.setFont(font)
        self.summary = QLabel(page)
        self.summary.setObjectName("summaryLabel")
        self.summary.setWordWrap(True)
        # What the last XLSForm import noted (ODK's advice, media files the form lacks): shown
        # on the page, not in a box that would take the keyboard away.
        self.import_remarks = QLabel(page)
        self.import_remarks.setObjectName("importRemarks")
        self.import_remarks.setWordWrap(True)
        self.import_remarks.setTextFormat(Qt.TextFormat.PlainText)
        self.import_remarks.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.import_remarks.hide()

        controls = QHBoxLayout()
        self.filter_label = QLabel(page)
        self.filter_edit = QLineEdit(page)
        self.filter_edit.setObjectName("filterEdit")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_label.setBuddy(self.filter_edit)
        self.version_label = QLabel(page)
        self.version_combo = QComboBox(page)
        self.version_combo.setObjectName("versionCombo")
        self.version_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.version_label.setBuddy(self.version_combo)
        controls.addWidget(self.filter_label)
        controls.addWidget(self.filter_edit, 1)
        controls.addSpacing(16)
        controls.addWidget(self.version_label)
        controls.addWidget(self.version_combo)
        self.import_button = QPushButton(page)
        self.import_button.setObjectName("importXlsformButton")
        self.import_button.clicked.connect(lambda: self.import_xlsform())
        self.export_button = QPushButton(page)
        self.export_button.setObjectName("exportXlsformButton")
        self.export_button.clicked.connect(lambda: self.export_xlsform())

        self.model = CityTableModel(self)
        self.proxy = CityFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView(page)
        self.table.setObjectName("cityTable")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(CITY, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(CITY, QHeaderView.ResizeMode.Stretch)
        self.table.activated.connect(lambda _index: self.start_or_continue())
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.filter_edit.textChanged.connect(self.proxy.set_filter_text)
        self.filter_edit.returnPressed.connect(self._focus_table)
        self.version_combo.activated.connect(lambda _i: self.refresh())

        buttons = QHBoxLayout()
        self.start_button = QPushButton(page)
        self.start_button.setObjectName("startButton")
        self.start_button.clicked.connect(self.start_or_continue)
        self.add_city_button = QPushButton(page)
        self.add_city_button.setObjectName("addCityButton")
        self.add_city_button.clicked.connect(self.add_city)
        self.edit_city_button = QPushButton(page)
        self.edit_city_button.setObjectName("editCityButton")
        self.edit_city_button.clicked.connect(self.edit_city)
        self.finalize_button = QPushButton(page)
        self.finalize_button.setObjectName("finalizeButton")
        self.finalize_button.clicked.connect(self.finalize_selected)
        self.reopen_button = QPushButton(page)
        self.reopen_button.setObjectName("reopenButton")
        self.reopen_button.clicked.connect(self.reopen_selected)
        self.send_button = QPushButton(page)
        self.send_button.setObjectName("exportForSecretariatButton")
        self.send_button.clicked.connect(self.export_for_secretariat)
        self.responses = ResponsesPanel(page)
        self.responses.openRequested.connect(self.open_submission)
        self.responses.newRequested.connect(self.new_response)
        # Two rows: in Mongolian or Russian the eight buttons in one row made the window wider
        # than a 1366-pixel laptop screen. Above: the selected city's survey; below: the registry.
        buttons.addWidget(self.start_button)
        buttons.addStretch(1)
        for button in (self.finalize_button, self.reopen_button, self.send_button):
            buttons.addWidget(button)
        registry = QHBoxLayout()
        registry.addWidget(self.import_button)
        registry.addWidget(self.export_button)
        registry.addSpacing(16)
        registry.addWidget(self.add_city_button)
        registry.addWidget(self.edit_city_button)
        registry.addStretch(1)

        layout = QVBoxLayout(page)
        layout.addWidget(self.title)
        layout.addWidget(self.summary)
        layout.addWidget(self.import_remarks)
        layout.addLayout(controls)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.responses)
        layout.addLayout(buttons)
        layout.addLayout(registry)

    def _focus_table(self) -> None:
        self.table.setFocus()
        if not self.table.currentIndex().isValid() and self.proxy.rowCount():
            self.table.selectRow(0)

    def _load_definitions(self) -> None:
        current = self.version_combo.currentData()
        try:
            self._definitions = service.list_definitions(self.ctx.db)
        except NeascnError as exc:
            self._definitions = []
            self.ctx.show_error(exc, self)
        self.version_combo.clear()
        for info in self._definitions:
            self.version_combo.addItem("", (info.form_id, info.version))
        self._retranslate_versions()
        index = self.version_combo.findData(current) if current else -1
        if index < 0:
            builtin = [i for i, d in enumerate(self._definitions) if d.form_id == BUILTIN_FORM_ID]
            index = builtin[0] if builtin else 0
        self.version_combo.setCurrentIndex(index)

    def _retranslate_versions(self) -> None:
        language = current_language()
        for index, info in enumerate(self._definitions):
            self.version_combo.setItemText(index, _("{title} (version {version})").format(
                title=info.title_in(language), version=info.version))

    # ------------------------------------------------------------------ XLSForm

    def import_xlsform(self, path: Path | None = None) -> bool:
        """Install a survey definition from an XLSForm workbook (ODK, KoboToolbox, our export)."""
        if path is None:
            name, _filter = QFileDialog.getOpenFileName(
                self, _("Import an XLSForm"), str(documents_folder()),
                _("Excel workbooks (*.xlsx)"))
            if not name:
                return False
            path = Path(name)
        try:
            result = service.import_xlsform_checked(self.ctx.db, self.ctx.profile, path)
        except NeascnError as exc:
            self.ctx.show_error(exc, self)
            return False
        definition, changes = result.definition, result.changes
        self.ctx.publish(changes)
        self.import_remarks.setText("\n".join((
            _("Imported survey {form} version {version}, with these remarks:").format(
                form=definition.form_id, version=definition.version),
            *result.warnings)) if result.warnings else "")
        self.import_remarks.setVisible(bool(result.warnings))
        self._load_definitions()
        for index, info in enumerate(self._definitions):
            if (info.form_id, info.version) == (definition.form_id, definition.version):
                self.version_combo.setCurrentIndex(index)
                self.refresh()
        return True

    def export_xlsform(self, path: Path | None = None) -> Path | None:
        """Write the chosen survey version as an XLSForm that ODK and KoboToolbox accept."""
        form_id, version = self.selected_form
        if path is None:
            suggested = documents_folder() / f"{form_id}-{version or 'latest'}.xlsx"
            name, _filter = QFileDialog.getSaveFileName(
                self, _("Export as XLSForm"), str(suggested), _("Excel workbooks (*.xlsx)"))
            if not name:
                return None
            path = Path(name)
        try:
            result = service.export_xlsform_with_media(self.ctx.db, form_id, path, version)
        except NeascnError as exc:
            self.ctx.show_error(exc, self)
            return None
        if result.media is not None and result.media.missing:
            show_info(self, _("The media files {names} are not in this data directory; the form "
                              "was written without them.").format(names=", ".join(result.media.missing)))
        return result.path

    @property
    def selected_form(self) -> tuple[str, str | None]:
        data = self.version_combo.currentData()
        return (data[0], data[1]) if data else (BUILTIN_FORM_ID, None)

    def refresh(self) -> None:
        """Read the cities and their statuses again (keeps the selection)."""
        self._dirty = False
        selected = self.selected_city_status()
        form_id, _version = self.selected_form
        try:
            rows = service.city_statuses(self.ctx.db, form_id)
        except NeascnError as exc:
            self.ctx.show_error(exc, self)
            return
        self.model.set_rows(rows)
        if selected is not None:
            self.select_city(selected.city.id)
        elif self.proxy.rowCount():
            self.table.selectRow(0)  # so Enter starts at once (keyboard-only entry)
        self._load_responses()
        self._update_summary()
        self._update_buttons()

    def _mark_dirty(self) -> None:
        if self.pages.currentWidget() is self.list_page and self.isVisible():
            self.refresh()
        else:
            self._dirty = True

    def _update_summary(self) -> None:
        counts = {status: 0 for status in service.STATUSES}
        for row in self.model.rows:
            counts[row.status] = counts.get(row.status, 0) + 1
        total = len(self.model.rows)
        self.summary.setText(ngettext(
            "{count} city: {finalized} finalized, {in_progress} in progress, {sent} sent, "
            "{received} received, {not_started} not started.",
            "{count} cities: {finalized} finalized, {in_progress} in progress, {sent} sent, "
            "{received} received, {not_started} not started.", total).format(
                count=total, finalized=counts["finalized"], in_progress=counts["in_progress"],
                sent=counts["sent"], received=counts["received"], not_started=counts["not_started"]))

    def selected_city_status(self) -> service.CityStatus | None:
        index = self.table.currentIndex()
        if not index.isValid():
            rows = self.table.selectionModel().selectedRows()
            if not rows:
                return None
            index = rows[0]
        value = self.proxy.data(index, STATUS_ROLE)
        return value if isinstance(value, service.CityStatus) else None

    def select_city(self, city_id: str) -> bool:
        row = self.model.row_of(city_id)
        if row < 0:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, CITY))
        if not index.isValid():
            return False
        self.table.setCurrentIndex(index)
        self.table.selectRow(index.row())
        return True

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._load_responses()
        self._update_buttons()

    def _load_responses(self) -> None:
        """Every response of the selected city to the chosen survey, newest change first."""
        status = self.selected_city_status()
        if status is None:
            self.responses.set_responses("", [])
            return
        form_id, _version = self.selected_form
        rows = []
        try:
            for submission in service.list_submissions(self.ctx.db, city_id=status.city.id,
                                                       form_id=form_id):
                try:
                    progress: float | None = service.form_state(self.ctx.db, submission).progress
                except NeascnError:
                    progress = None
                rows.append(ResponseRow(submission, progress))
        except NeascnError as exc:
            self.ctx.show_error(exc, self)
        self.responses.set_responses(status.city.name_in(current_language()), rows)

    def _update_buttons(self) -> None:
        status = self.selected_city_status()
        has = status is not None
        self.start_button.setEnabled(has)
        self.edit_city_button.setEnabled(has)
        state = status.status if status else "not_started"
        several = self.responses.model.rowCount() > 1
        self.start_button.setText(
            _("Start survey") if state == "not_started"
            else _("Choose a response") if several
            else _("Continue survey") if state == "in_progress" else _("Open survey"))
        self.finalize_button.setEnabled(state == "in_progress")
        self.reopen_button.setEnabled(state in ("finalized", "sent", "received"))
        # Only field staff hand responses to the secretariat (the secretariat is where they go).
        self.send_button.setVisible(sends_responses(self.ctx.profile.role))

    # ------------------------------------------------------------------ actions

    def start_or_continue(self) -> None:
        """Open the selected city's response; start one if there is none; with several,
        hand the choice to the responses list (never pick one silently)."""
        status = self.selected_city_status()
        if status is None:
            return
        self._load_responses()
        count = self.responses.model.rowCount()
        if count > 1:
            self.responses.table.setFocus(Qt.FocusReason.OtherFocusReason)
            if self.responses.selected_id() is None:
                self.responses.table.selectRow(0)
            return
        if count == 1:
            self.open_submission(self.responses.model.rows[0].submission.id)
            return
        self.new_response()

    def new_response(self) -> None:
        """Start another response for the selected city (a new round, another respondent)."""
        status = self.selected_city_status()
        if status is None:
            return
        form_id, version = self.selected_form
        try:
            result = service.create_submission(
                self.ctx.db, self.ctx.profile, status.city.id, form_id=form_id,
                version=version, language=self.form.language)
        except NeascnError as exc:
            self.ctx.show_error(exc, self)
            return
        self.ctx.publish(Changes(frozenset({"response", "revision"}),
                                 frozenset({result.submission.id})))
        self._mark_dirty()
        self.open_submission(result.submission.id)

    def export_for_secretariat(self) -> object:
        """The export dialog for responses, saving to the Documents folder by default."""
        from neascn_desktop.gui.inbox.export_dialog import ExportDialog

        if self.pages.currentWidget() is self.form and self.form.submission is not None and (
                not self.form.submission.finalized):
            self.form.save()
        dialog = ExportDialog(self.ctx, self, kind="responses")
        dialog.setModal(True)
        dialog.finished.connect(lambda _code: self._after_export(dialog))
        dialog.open()
        return dialog

    def _after_export(self, dialog: object) -> None:
        result = getattr(dialog, "result_value", None)
        if result is not None:
            self.ctx.publish(result.changes)
            self._mark_dirty()
            if self.pages.currentWidget() is self.form and self.form.submission is not None:
                self.form.reload()  # the banner says it went out (not "export it" any more)

    def open_submission(self, submission_id: str) -> SurveyForm:
        """Show the form for a submission (tests and other workspaces use this)."""
        self.form.open_submission(submission_id)
        self.pages.setCurrentWidget(self.form)
        self.form.focus_first_question()
        return self.form

    def show_list(self) -> None:
        self.pages.setCurrentWidget(self.list_page)
        if self._dirty:
            self.refresh()
        if self.form.submission is not None:
            self.select_city(self.form.submission.city_id)
            self._load_responses()
            self.responses.select(self.form.submission.id)
        self.table.setFocus()

    def add_city(self) -> service.City | None:
        return self._city_dialog(None)

    def edit_city(self) -> service.City | None:
        status = self.selected_city_status()
        return self._city_dialog(status.city) if status else None

    def city_dialog(self, city: service.City | None = None):
        """The add/edit dialog, not shown yet (tests fill and accept it)."""
        from neascn_desktop.gui.surveys.city_dialog import SurveyCityDialog

        return SurveyCityDialog(self.ctx, city, self)

    def _city_dialog(self, city: service.City | None) -> service.City | None:
        dialog = self.city_dialog(city)
        if dialog.exec() and dialog.saved_city is not None:
            self.refresh()
            self.select_city(dialog.saved_city.id)
            return dialog.saved_city
        return None

    def finalize_selected(self) -> None:
        """Finalize the selected city's survey; on a problem, open the form at it."""
        status = self.selected_city_status()
        if status is None or status.submission is None:
            return
        try:
            result = service.finalize(self.ctx.db, self.ctx.profile, status.submission.id,
                                      language=self.form.language)
        except service.FinalizeError:
            self.open_submission(status.submission.id).finalize()
            return
        except NeascnError as exc:
            self.ctx.show_error(exc, self)
            return
        self.ctx.publish(result.changes)
        self.refresh()

    def reopen_selected(self) -> None:
        status = self.selected_city_status()
        if status is None or status.submission is None:
            return
        try:
            result = service.reopen(self.ctx.db, self.ctx.profile, status.submission.id)
        except NeascnError as exc:
            self.ctx.show_error(exc, self)
            return
        self.ctx.publish(result.changes)
        self.refresh()

    # ------------------------------------------------------------------ contract

    def retranslateUi(self) -> None:  # noqa: N802 - the workspace contract's name
        self.title.setText(_("Surveys"))
        self.filter_label.setText(_("&Filter:"))
        self.filter_edit.setPlaceholderText(_("City name in any language, country or status"))
        self.version_label.setText(_("Survey &version:"))
        self.import_button.setText(_("Import XLSForm…"))
        self.import_button.setToolTip(_("Add a survey definition from an XLSForm workbook "
                                        "(ODK, KoboToolbox)"))
        self.export_button.setText(_("Export XLSForm…"))
        self.export_button.setToolTip(_("Save this survey version as an XLSForm workbook"))
        self.add_city_button.setText(_("Add city…"))
        self.edit_city_button.setText(_("Edit city…"))
        self.finalize_button.setText(_("Finalize"))
        self.finalize_button.setToolTip(_("Check every answer and lock the survey"))
        self.reopen_button.setText(_("Reopen"))
        self.reopen_button.setToolTip(_("Unlock the finalized survey to change answers"))
        self.send_button.setText(_("Export for the secretariat…"))
        self.send_button.setToolTip(_("Save the finalized responses as a package file to "
                                      "hand to the secretariat"))
        self.table.setAccessibleName(_("Cities"))
        self.filter_edit.setAccessibleName(_("Filter the cities"))
        self.version_combo.setAccessibleName(_("Survey version"))
        self.responses.retranslateUi()
        self._retranslate_versions()
        self.model.retranslate()
        self._update_summary()
        self._update_buttons()
        self.form.retranslateUi()

    def on_changes(self, changes: Changes) -> None:
        if changes.touches("survey"):
            self._load_definitions()
        if changes.touches("survey", "city", "response"):
            self._mark_dirty()
        submission = self.form.submission
        if self.pages.currentWidget() is self.form and submission is not None and (
                changes.everything or (submission.finalized and changes.touches("response")
                                       and changes.touches_id(submission.id))):
            # A finalized response exported or received: its banner says so (never a stale "export it").
            self.form.reload()

    def prepareToClose(self) -> None:  # noqa: N802 - the workspace contract's name
        """The window is closing: cut a revision from the open form (its working copy is saved)."""
        if (self.pages.currentWidget() is self.form and self.form.submission is not None
                and not self.form.submission.finalized):
            self.form.save()

    def hideEvent(self, event) -> None:  # noqa: N802
        # Switching to another workspace or closing the window leaves the form: a save point.
        if (not event.spontaneous() and self.pages.currentWidget() is self.form
                and self.form.submission is not None and not self.form.submission.finalized):
            self.form.save()
        super().hideEvent(event)

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        if self._dirty and self.pages.currentWidget() is self.list_page:
            self.refresh()
