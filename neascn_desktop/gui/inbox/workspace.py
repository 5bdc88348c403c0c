"""The Inbox workspace: packages that arrive, their verdicts, the import, conflicts and the audit log.

Drop package files or a folder on it (or choose a watched folder that it
scans); each file is verified in the background and shown with its verdict —
signature, sender and fingerprint, trusted or not, already imported, damaged
and why.  Selecting one previews what importing it would change.  Import runs
``sync.import_packages`` in the shared cancellable worker; packages from
senders that are not trusted wait in the inbox until the secretariat trusts
the sender (after comparing the fingerprint) or rejects the package.  Follows
``neascn_desktop/gui/README-workspaces.md``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QFileSystemWatcher, Qt, QTimer
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from neascn_desktop.changes import Changes
from neascn_desktop.gui.context import GuiContext
from neascn_desktop.gui.folders import existing_directory, open_file_names
from neascn_desktop.gui.inbox.item_models import (
    AuditTableModel,
    PackageItem,
    PackageTableModel,
    entity_name,
    item_for_verdict,
)
from neascn_desktop.gui.message_boxes import ask_warning
from neascn_desktop.i18n import N_, _, ngettext
from neascn_desktop.i18n.formatting import format_number
from neascn_desktop.identity.profile import ROLES
from neascn_desktop.sync import audit, inbox
from neascn_desktop.sync.import_results import RecordSummary
from neascn_desktop.sync.importer import (
    ImportReport,
    PackageOutcome,
    expand_paths,
    import_packages,
    preview_import,
)
from neascn_desktop.sync.verify import Verifier

#: The roles a sender may be trusted as, least powerful first (the inbox's role question).
_ROLE_ORDER = ("field", "taskforce", "secretariat")

WATCHED_KEY = "inbox/watched_folder"
AUDIT_ROWS = 5000  # newest records shown; ``neascn audit list`` has them all
_OUTCOME_STATES = {"applied": "applied", "already_imported": "already_imported", "waiting": "waiting",
                   "refused": "refused", "would_apply": "ready"}


class InboxWorkspace(QWidget):
    """Import package files from other laptops, decide about unknown senders, resolve conflicts."""

    def __init__(self, ctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("inboxWorkspace")
        self.setAcceptDrops(True)
        self.jobs: list[Any] = []  # running background tasks (tests wait on them)

        self.title = QLabel(self)
        self.title.setObjectName("workspaceTitle")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.title.setFont(font)
        self.hint = QLabel(self)
        self.hint.setWordWrap(True)

        self.add_files_button = QPushButton(self)
        self.add_files_button.setObjectName("addFilesButton")
        self.add_folder_button = QPushButton(self)
        self.add_folder_button.setObjectName("addFolderButton")
        self.watch_button = QPushButton(self)
        self.watch_button.setObjectName("watchFolderButton")
        self.scan_button = QPushButton(self)
        self.scan_button.setObjectName("scanButton")
        self.export_button = QPushButton(self)
        self.export_button.setObjectName("exportButton")
        self.watch_label = QLabel(self)
        self.watch_label.setObjectName("watchedFolderLabel")

        self.model = PackageTableModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("packageTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.ExtendedSelection)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # Long file and sender names are cut (the tooltip has them): State and Details stay on
        # screen at the default window width.
        # So do a long fingerprint and a long trust word (Mongolian's "итгэмжлэгдээгүй"), whose
        # headers alone took the Details column's room.
        n = self.fontMetrics().horizontalAdvance("n")
        for column, letters in ((0, 15), (2, 15), (3, 10), (5, 14)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, n * letters)
        header.setSectionResizeMode(PackageTableModel.COLUMNS.index("Details"), QHeaderView.ResizeMode.Stretch)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setWordWrap(False)
        self.preview = QTextBrowser(self)
        self.preview.setObjectName("packagePreview")

        self.import_button = QPushButton(self)
        self.import_button.setObjectName("importButton")
        self.trust_button = QPushButton(self)
        self.trust_button.setObjectName("trustButton")
        self.reject_button = QPushButton(self)
        self.reject_button.setObjectName("rejectButton")
        self.clear_button = QPushButton(self)
        self.clear_button.setObjectName("clearButton")
        self.summary = QLabel(self)
        self.summary.setObjectName("importSummary")
        self.summary.setWordWrap(True)

        from neascn_desktop.gui.inbox.audit_view import AuditView
        from neascn_desktop.gui.inbox.conflicts_view import ConflictsView

        self.conflicts = ConflictsView(ctx, self)
        #: Edit → Undo in this workspace: settled conflicts and undone imports (issue 16).
        self.undo_stack = self.conflicts.undo_stack
        self.audit_model = AuditTableModel(self)
        self.audit_log = AuditView(ctx, self.audit_model, self.undo_stack, self)
        self.audit_view = self.audit_log.table

        sources = QHBoxLayout()
        for widget in (self.add_files_button, self.add_folder_button, self.watch_button, self.scan_button):
            sources.addWidget(widget)
        sources.addWidget(self.watch_label, 1)
        sources.addWidget(self.export_button)
        actions = QHBoxLayout()
        for widget in (self.import_button, self.trust_button, self.reject_button, self.clear_button):
            actions.addWidget(widget)
        actions.addWidget(self.summary, 1)
        packages = QWidget(self)
        packages_layout = QVBoxLayout(packages)
        split = QSplitter(Qt.Orientation.Vertical, packages)
        split.addWidget(self.table)
        split.addWidget(self.preview)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        packages_layout.addLayout(sources)
        packages_layout.addWidget(split, 1)
        packages_layout.addLayout(actions)

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("inboxTabs")
        self.tabs.addTab(packages, "")
        self.tabs.addTab(self.conflicts, "")
        self.tabs.addTab(self.audit_log, "")
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.hint)
        layout.addWidget(self.tabs, 1)

        self.watcher = QFileSystemWatcher(self)
        self.watcher.directoryChanged.connect(lambda _path: self._scan_soon.start())
        self._scan_soon: QTimer = QTimer(self)  # let a copy finish before reading the new file
        self._scan_soon.setSingleShot(True)
        self._scan_soon.setInterval(1500)
        self._scan_soon.timeout.connect(self.scan_watched)

        self.add_files_button.clicked.connect(self._choose_files)
        self.add_folder_button.clicked.connect(self._choose_folder)
        self.watch_button.clicked.connect(self._choose_watched)
        self.scan_button.clicked.connect(self.scan_watched)
        self.export_button.clicked.connect(self.open_export_dialog)
        self.import_button.clicked.connect(self.import_selected)
        self.trust_button.clicked.connect(self.trust_selected)
        self.reject_button.clicked.connect(self.reject_selected)
        self.clear_button.clicked.connect(self.model.clear_done)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.model.dataChanged.connect(lambda *_a: self._update_buttons())
        self.model.rowsInserted.connect(lambda *_a: self._update_buttons())

        self.retranslateUi()
        self.refresh()
        folder = self.watched_folder()
        if folder is not None:
            self.watcher.addPath(str(folder))
            self.scan_watched()

    # ------------------------------------------------------------------ contract
    def retranslateUi(self) -> None:
        self.title.setText(_("Inbox"))
        self.hint.setText(_("Drop package files or a folder here. Each package is checked before anything "
                            "is imported; packages from senders you do not trust yet wait here for your decision."))
        self.add_files_button.setText(_("Add files…"))
        self.add_folder_button.setText(_("Add a folder…"))
        self.watch_button.setText(_("Watch a folder…"))
        self.scan_button.setText(_("Scan now"))
        self.export_button.setText(_("Export a package…"))
        self.import_button.setText(_("Import"))
        self.trust_button.setText(_("Trust sender and import"))
        self.reject_button.setText(_("Reject"))
        self.clear_button.setText(_("Clear finished"))
        self.tabs.setTabText(0, _("Packages"))
        self.table.setAccessibleName(_("Package files and their verdicts"))
        self.table.setAccessibleDescription(_("Select one or several packages to import, trust or reject"))
        self.preview.setAccessibleName(_("What importing the selected package would change"))
        self.tabs.setTabText(2, _("Audit log"))
        self._conflict_tab_text()
        self._watch_text()
        summary = getattr(self, "_summary_text", None)
        if summary is not None:
            self.summary.setText(summary())
        self.model.retranslate()
        self.audit_model.retranslate()
        self.conflicts.retranslateUi()
        self.audit_log.retranslateUi()
        self._selection_changed()

    def _set_summary(self, text: Callable[[], str]) -> None:
        """The line under the table, kept as how to say it: a language switch says it again."""
        self._summary_text = text
        self.summary.setText(text())

    def on_changes(self, changes: Changes) -> None:
        if changes.touches("package", "inbox", "trusted_device", "conflict", "revision", "response",
                           "section", "comment", "survey", "city"):
            self.refresh()

    # ------------------------------------------------------------------ reading state
    def refresh(self) -> None:
        self.model.set_inbox(inbox.list_inbox(self.ctx.db))
        self.audit_model.set_entries(audit.list_audit(self.ctx.db, limit=AUDIT_ROWS))
        self.conflicts.refresh()
        self._conflict_tab_text()
        self._update_buttons()

    def _conflict_tab_text(self) -> None:
        count = self.conflicts.list_model.rowCount()
        self.tabs.setTabText(1, _("Conflicts ({count})").format(count=count) if count else _("Conflicts"))

    def watched_folder(self) -> Path | None:
        from neascn_desktop.gui.settings import gui_settings

        value = gui_settings(self.ctx.data_dir).value(WATCHED_KEY, "")
        return Path(str(value)) if value and Path(str(value)).is_dir() else None

    def set_watched_folder(self, folder: Path | None) -> None:
        from neascn_desktop.gui.settings import gui_settings

        settings = gui_settings(self.ctx.data_dir)
        for path in self.watcher.directories():
            self.watcher.removePath(path)
        settings.setValue(WATCHED_KEY, str(folder) if folder else "")
        settings.sync()
        if folder is not None:
            self.watcher.addPath(str(folder))
            self.scan_watched()
        self._watch_text()

    def _watch_text(self) -> None:
        folder = self.watched_folder()
        self.watch_label.setText(_("Watched folder: {path}").format(path=folder) if folder
                                 else _("No watched folder."))
        self.scan_button.setEnabled(folder is not None)

    def selected_items(self) -> list[PackageItem]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.model.item(row) for row in rows]

    def _update_buttons(self) -> None:
        items = self.selected_items()
        importable = [i for i in (items or self.model.items()) if i.importable]
        self.import_button.setEnabled(bool(importable))
        self.trust_button.setEnabled(any(i.decidable for i in items))
        self.reject_button.setEnabled(len(items) == 1 and items[0].decidable)
        # Say why Import is off: a package from an untrusted sender would only wait.
        waiting = [i for i in (items or self.model.items()) if i.state == "waiting"]
        self.import_button.setToolTip(
            _("Packages from senders you do not trust yet cannot be imported: trust the sender "
              "(after comparing the fingerprint) or reject the package.")
            if waiting and not importable else "")

    # ------------------------------------------------------------------ adding files
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.add_paths(paths)

    def _choose_files(self) -> None:
        paths = open_file_names(self, self.ctx.data_dir, _("Add package files"),
                                _("NEASCN packages (*.neascn);;All files (*)"))
        if paths:
            self.add_paths(paths)

    def _choose_folder(self) -> None:
        folder = existing_directory(self, self.ctx.data_dir, _("Add a folder of packages"))
        if folder is not None:
            self.add_paths([folder])

    def _choose_watched(self) -> None:
        self.set_watched_folder(existing_directory(self, self.ctx.data_dir, _("Folder to watch for packages")))

    def scan_watched(self) -> None:
        folder = self.watched_folder()
        if folder is not None:
            known = {item.path for item in self.model.items()}
            fresh = [p for p in expand_paths([folder]) if p not in known]
            if fresh:
                self.add_paths(fresh)

    def add_paths(self, paths: list[Path]) -> Any:
        """Show the files (folders: their packages) and verify them in the background."""
        files = [p for p in expand_paths(paths) if p.is_file()]
        for path in files:
            if self.model.row_of(path) < 0:
                self.model.upsert(PackageItem(path=path))
        if not files:
            return None
        db = self.ctx.db

        def task(progress, is_cancelled):
            verifier = Verifier(db)
            verdicts = []
            for index, path in enumerate(files):
                if is_cancelled():
                    break
                progress(index, len(files), _("Checking {name}…").format(name=path.name))
                verdicts.append((path, verifier.verify(path)))
            return verdicts

        def done(verdicts: list[Any]) -> None:
            for path, verdict in verdicts:
                self.model.upsert(item_for_verdict(path, verdict))
            self._selection_changed()

        return self._start(task, _("Checking packages"), done)

    def _start(self, task: Any, title: str, on_success: Any) -> Any:
        job = self.ctx.run_in_background(task, title=title, on_success=on_success, parent=self)
        self.jobs.append(job)
        job.finished.connect(lambda: self.jobs.remove(job) if job in self.jobs else None)
        return job

    # ------------------------------------------------------------------ preview
    def _selection_changed(self, *_args: Any) -> None:
        self._update_buttons()
        items = self.selected_items()
        if len(items) != 1:
            self.preview.setPlainText(_("Select a package to see what importing it would change.")
                                      if not items else "")
            return
        item = items[0]
        lines = [f"<b>{_escape(item.file_name)}</b>", _escape(item.reason())]
        if item.fingerprint:
            lines.append(_("Sender key fingerprint: {fingerprint}").format(fingerprint=item.fingerprint))
        self.preview.setHtml("<br>".join(lines))
        if item.state in ("ready", "waiting") and item.path.is_file():
            self._preview_in_background(item)

    def _preview_in_background(self, item: PackageItem) -> None:
        db = self.ctx.db

        def task(progress, is_cancelled):
            from neascn_desktop.i18n import current_language
            from neascn_desktop.surveys.installed import city_names

            return preview_import(db, item.path), city_names(db, current_language())

        def done(result: tuple[PackageOutcome, dict[str, str]]) -> None:
            outcome, city_names = result
            current = self.selected_items()
            if len(current) == 1 and current[0].path == item.path:
                self.preview.setHtml(_preview_html(item, outcome, city_names))

        job = self.ctx.run_in_background(task, title=_("Preview"), on_success=done, on_error=lambda _e: None,
                                         parent=self, show_progress=False)
        self.jobs.append(job)
        job.finished.connect(lambda: self.jobs.remove(job) if job in self.jobs else None)

    # ------------------------------------------------------------------ decisions
    def import_selected(self) -> Any:
        items = [i for i in (self.selected_items() or self.model.items()) if i.importable]
        if not items:
            return None
        paths = [i.path for i in items]
        db = self.ctx.db

        def task(progress, is_cancelled):
            return import_packages(db, paths, progress, is_cancelled)

        return self._start(task, _("Importing packages"), self._show_report)

    def _show_report(self, report: ImportReport) -> None:
        self._set_summary(lambda: report.summary)
        self.refresh()
        self._show_outcomes(list(report.outcomes))
        self._recheck_rows()

    def confirm(self, text: str) -> bool:
        """Ask before trusting or rejecting (tests replace this)."""
        answer = QMessageBox.question(self, _("Inbox"), text)
        return answer == QMessageBox.StandardButton.Yes

    def _ensure_in_inbox(self, item: PackageItem) -> str | None:
        """A dropped file from an unknown sender is put into the inbox first (that is recorded)."""
        if item.inbox is not None:
            return item.inbox.ref
        report = import_packages(self.ctx.db, [item.path])
        outcome = report.outcomes[0] if report.outcomes else None
        if outcome is None or outcome.status != "waiting":
            if outcome is not None:
                self.model.update_state(item.path, _OUTCOME_STATES.get(outcome.status, outcome.status),
                                        outcome.message)
            return None
        if outcome.verdict.package_id is None or outcome.verdict.fingerprint is None:
            return None
        return inbox.entry_ref(outcome.verdict.package_id, outcome.verdict.fingerprint)

    def trust_selected(self) -> Any:
        """Trust the senders of the selected packages (several at once), each after its questions.

        One confirmation names every sender and fingerprint; a sender whose claimed role needs
        a choice, or whose trust would replace a key or add another secretariat, is asked about
        on its own.  Then each sender's waiting packages are imported.
        """
        groups: dict[str, list[PackageItem]] = {}
        for item in self.selected_items():
            if item.decidable:
                groups.setdefault(item.fingerprint or str(item.path), []).append(item)
        if not groups:
            return None
        plans: list[tuple[list[PackageItem], frozenset[str], str | None]] = []
        warnings: list[tuple[list[PackageItem], frozenset[str], str | None, str]] = []
        for items in groups.values():
            item = items[0]
            package_file = item.inbox.file if item.inbox is not None else item.path
            role: str | None = None
            try:
                claimed = inbox.role_to_choose(self.ctx.db, package_file)
                if claimed is not None:
                    # The package only claims a role that may change others' records: this device
                    # decides the role it trusts the sender as (issue 13, defect 3).
                    role = self.choose_role(item, claimed)
                    if role is None:
                        return None
                changes = inbox.trust_changes(self.ctx.db, package_file, role)
            except Exception as exc:  # noqa: BLE001 - shown to the user
                self.ctx.show_error(exc)
                return None
            if changes:
                # Another secretariat, or a trusted device's key replaced: a warning that names the
                # old and the new fingerprint, never the ordinary question (see identity.trust).
                warnings.append((items, frozenset(c.kind for c in changes), role,
                                 " ".join(c.message for c in changes)))
            else:
                plans.append((items, frozenset(), role))
        if plans:
            senders = [items[0] for items, _accept, _role in plans]
            if len(senders) == 1:
                question = _("Trust {sender}, whose key fingerprint is {fingerprint}? Compare it with the "
                             "fingerprint the sender reads to you. Every package from this sender that waits "
                             "will be imported.").format(sender=senders[0].sender,
                                                         fingerprint=senders[0].fingerprint)
            else:
                listing = "\n".join(_("{sender}: {fingerprint}").format(sender=i.sender, fingerprint=i.fingerprint)
                                     for i in senders)
                question = _("Trust these senders? Compare each key fingerprint with the one its sender "
                             "reads to you. Every package from them that waits will be imported.\n\n"
                             "{senders}").format(senders=listing)
            if not self.confirm(question):
                plans = []
        job = self._trust_groups(plans) if plans else None
        return self._ask_next_warning(warnings) if warnings else job

    def _ask_next_warning(self, warnings: list[tuple[list[PackageItem], frozenset[str], str | None, str]]) -> Any:
        """Another secretariat or a replaced key: a warning per sender, never the ordinary question
        (it names the old and the new fingerprint, see identity.trust); Yes trusts that sender and
        asks about the next, No stops."""
        (items, accept, role, text), rest = warnings[0], warnings[1:]

        def yes() -> None:
            self._trust_groups([(items, accept, role)])
            if rest:
                self._ask_next_warning(rest)

        return ask_warning(self, _("Trust sender"), text,
                           _("Trust it anyway? Check the new fingerprint with its owner first."), yes)

    def _trust_groups(self, plans: list[tuple[list[PackageItem], frozenset[str], str | None]]) -> Any:
        """Put each sender's dropped files into the inbox, then trust the senders in the background."""
        decisions: list[tuple[str, frozenset[str], str | None]] = []
        for items, accept, role in plans:
            refs = [ref for ref in (self._ensure_in_inbox(item) for item in items) if ref is not None]
            if refs:
                decisions.append((refs[0], accept, role))
        if not decisions:
            self._recheck_rows()
            return None
        db = self.ctx.db

        def task(progress, is_cancelled):
            reports = []
            for index, (package_id, accept, role) in enumerate(decisions):
                progress(index, len(decisions), _("Importing the sender's packages…"))
                reports.append(inbox.trust_and_apply(db, package_id, accept=accept, role=role))
            return reports

        def done(reports: list[ImportReport]) -> None:
            self.ctx.publish(inbox.changes_of_decision())
            outcomes = [o for report in reports for o in report.outcomes]
            combined = ImportReport(tuple(outcomes))
            self._set_summary(lambda: combined.summary)
            self.refresh()
            self._show_outcomes(outcomes)
            self._recheck_rows()

        return self._start(task, _("Trust sender"), done)

    def _show_outcomes(self, outcomes: list[PackageOutcome]) -> None:
        """Each package's row says what happened to that package (matched by its identity)."""
        for outcome in outcomes:
            verdict = outcome.verdict
            key = (verdict.package_id, verdict.fingerprint) if verdict.package_id else None
            self.model.set_outcome(outcome.path, key, _OUTCOME_STATES.get(outcome.status, outcome.status),
                                   outcome.message)

    def _recheck_rows(self) -> Any:
        """Check every file row again (its sender may be trusted now); what happened stays shown."""
        files = [i.path for i in self.model.items()
                 if i.inbox is None and i.state not in ("checking", "rejected") and i.path.is_file()]
        if not files:
            self._selection_changed()
            return None
        db = self.ctx.db

        def task(progress, is_cancelled):
            verifier = Verifier(db)
            return [(path, verifier.verify(path)) for path in files if not is_cancelled()]

        def done(verdicts: list[Any]) -> None:
            for path, verdict in verdicts:
                self.model.refresh_verdict(path, verdict)
            self._selection_changed()

        job = self.ctx.run_in_background(task, title=_("Checking packages"), on_success=done,
                                         parent=self, show_progress=False)
        self.jobs.append(job)
        job.finished.connect(lambda: self.jobs.remove(job) if job in self.jobs else None)
        return job

    def role_dialog(self, item: PackageItem, claimed: str) -> QInputDialog:
        """The question "trust this sender as which role?", naming the claimed role and the
        fingerprint; the least powerful role (field staff) is preselected."""
        dialog = QInputDialog(self)
        dialog.setWindowTitle(_("Trust sender"))
        dialog.setLabelText(_(
            "{sender} (fingerprint {fingerprint}) says it is “{role}”. A package only claims a role: "
            "choose the role to trust this sender as.").format(
                sender=item.sender, fingerprint=item.fingerprint, role=_(ROLES.get(claimed, claimed))))
        for label in dialog.findChildren(QLabel):  # a long sentence: wrapped, not one wide line
            label.setWordWrap(True)
        dialog.setComboBoxItems([_(ROLES[name]) for name in _ROLE_ORDER])
        dialog.setComboBoxEditable(False)
        dialog.setTextValue(_(ROLES["field"]))
        return dialog

    def choose_role(self, item: PackageItem, claimed: str) -> str | None:
        """The role picked in ``role_dialog`` (``None``: cancelled).  Tests replace this."""
        dialog = self.role_dialog(item, claimed)
        if dialog.exec() != QInputDialog.DialogCode.Accepted:
            return None
        labels = {_(ROLES[name]): name for name in _ROLE_ORDER}
        return labels.get(dialog.textValue())

    def reject_selected(self) -> None:
        items = self.selected_items()
        if len(items) != 1 or not items[0].decidable:
            return
        item = items[0]
        if not self.confirm(_("Reject the package {file} from {sender}? It will never be imported.").format(
                file=item.file_name, sender=item.sender)):
            return
        try:
            package_id = self._ensure_in_inbox(item)
            if package_id is None:
                return
            entry = inbox.reject(self.ctx.db, package_id)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            self.ctx.show_error(exc)
            return
        self.model.update_state(item.path, "rejected", inbox.copy_left(entry.file) or _("Rejected."))
        self.ctx.publish(inbox.changes_of_decision())
        self.refresh()

    def open_export_dialog(self) -> Any:
        from neascn_desktop.gui.inbox.export_dialog import ExportDialog

        dialog = ExportDialog(self.ctx, self)
        dialog.setModal(True)
        dialog.finished.connect(lambda _code: self._after_export(dialog))
        dialog.open()
        return dialog

    def _after_export(self, dialog: Any) -> None:
        result = dialog.result_value
        if result is not None:
            def text() -> str:
                recipient = result.recipient.display_name if result.recipient else _("nobody (not encrypted)")
                return (_("Exported {count} revisions to {file}, encrypted for {recipient}.").format(
                    count=result.revisions, file=result.path, recipient=recipient)
                    + (" " + result.resent_note if result.resent else ""))

            self._set_summary(text)
            self.ctx.publish(result.changes)  # the Surveys list shows the responses as sent
            self.refresh()


def _escape(text: str) -> str:
    import html

    return html.escape(text)


_RECORD_STATUSES = {"finalized": N_("finalized"), "in_progress": N_("in progress")}


def _record_line(record: RecordSummary, city_names: dict[str, str]) -> str:
    """"Ulaanbaatar, finalized, 52 answers, by Bat-Erdene": what a record is, in the reader's words."""
    if record.entity_type == "framework_section":
        return _("Framework section: {title}").format(title=record.title or record.entity_id)
    city = city_names.get(record.city_id) or record.city_id or _("unknown city")
    status = _(_RECORD_STATUSES[record.status]) if record.status in _RECORD_STATUSES else record.status
    answers = ngettext("{count} answer", "{count} answers", record.answers).format(
        count=format_number(record.answers))
    if record.by:
        return _("{city}, {status}, {answers}, by {name}").format(
            city=city, status=status, answers=answers, name=record.by)
    return _("{city}, {status}, {answers}").format(city=city, status=status, answers=answers)


def _preview_html(item: PackageItem, outcome: PackageOutcome, city_names: dict[str, str] | None = None) -> str:
    lines = [f"<b>{_escape(item.file_name)}</b>", _escape(item.reason())]
    if item.fingerprint:
        lines.append(_escape(_("Sender key fingerprint: {fingerprint}").format(fingerprint=item.fingerprint)))
    preview = outcome.preview
    if preview is None:
        lines.append(_escape(outcome.message))
        return "<br>".join(lines)
    if preview.records:
        lines.append("<b>" + _escape(_("Inside:")) + "</b>" + "".join(
            "<br>• " + _escape(_record_line(record, city_names or {})) for record in preview.records))
    lines.append(_escape(_("{new} of {total} revisions are new here.").format(
        new=preview.new_revisions, total=preview.revisions)))
    rows = "".join(
        f"<tr><td>{_escape(entity_name(entity_type))}</td><td align='right'>{c.new}</td><td align='right'>{c.updated}</td>"
        f"<td align='right'>{c.conflicting}</td><td align='right'>{c.unchanged}</td></tr>"
        for entity_type, c in sorted(preview.by_type.items()))
    head = "".join(f"<th>{_escape(t)}</th>" for t in (_("Records"), _("new"), _("updated"), _("conflicting"),
                                                     _("unchanged")))
    lines.append(f"<table cellspacing='6'><tr>{head}</tr>{rows}</table>")
    if preview.missing_attachments:
        lines.append(_escape(_("Missing attachments: {count}").format(count=len(preview.missing_attachments))))
    if preview.missing_definitions:
        lines.append(_escape(_("Survey versions not present here: {ids}.").format(
            ids=", ".join(preview.missing_definitions))))
    return "<br>".join(lines)
