"""The audit log tab: every import, export and decision, newest first, with "Undo this import".

Undoing an import (or a conflict resolution, or an undo) calls ``sync.undo``: new revisions
restore the records, so the undo replicates and is itself in the log and undoable (the
command goes on the Inbox's ``undo_stack``: Edit → Undo takes it back).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from neascn_desktop.gui.context import GuiContext
from neascn_desktop.gui.inbox.item_models import AuditTableModel
from neascn_desktop.i18n import _
from neascn_desktop.sync import undo
from neascn_desktop.sync.audit import AuditEntry

#: What the undo button does for a row: undo an import, a resolution, or an undo.
IMPORT, RESOLUTION, UNDO = "import", "resolution", "undo"


class AuditView(QWidget):
    def __init__(self, ctx: GuiContext, model: AuditTableModel, undo_stack: QUndoStack,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.model = model
        self.undo_stack = undo_stack
        self.table = QTableView(self)
        self.table.setObjectName("auditTable")
        self.table.setModel(model)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.undo_button = QPushButton(self)
        self.undo_button.setObjectName("undoImportButton")
        self.state = QLabel(self)
        self.state.setObjectName("auditUndoState")
        self.state.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.undo_button)
        buttons.addWidget(self.state, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self._undos: dict[str, undo.UndoRecord] = {}
        self._undone_packages: set[str] = set()
        self.job: Any = None
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._update())
        model.modelReset.connect(self._reload)
        self.undo_button.clicked.connect(self.undo_selected)
        self.retranslateUi()

    def retranslateUi(self) -> None:
        self.undo_button.setAccessibleName(_("Undo the change of the selected row"))
        self._update()

    def _reload(self) -> None:
        self._undos = {r.id: r for r in undo.list_undos(self.ctx.db)}
        self._undone_packages = {r.subject for r in self._undos.values() if r.action == undo.PACKAGE and r.active}
        self._update()

    def selected_entry(self) -> AuditEntry | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row(rows[0].row()) if rows else None

    def select_row(self, row: int) -> None:
        self.table.selectRow(row)

    def _what(self, entry: AuditEntry | None) -> tuple[str | None, str]:
        """What undoing the row would undo, and the reason it cannot be undone (if any)."""
        if entry is None:
            return None, ""
        if entry.action == "import" and entry.verdict == "applied" and entry.package_id:
            if entry.package_id in self._undone_packages:
                return None, _("This import is undone; Edit → Undo or the undo's row brings it back.")
            if entry.counts.get("added") == 0:
                return None, _("This import brought nothing new; there is nothing to undo.")
            return IMPORT, ""
        if entry.action == "resolve" and entry.counts.get("revision"):
            return RESOLUTION, ""
        if entry.action == "undo" and entry.counts.get("undo"):
            record = self._undos.get(str(entry.counts["undo"]))
            if record is not None and record.undone_by is None:
                return UNDO, ""
            return None, _("This undo is undone already.")
        return None, ""

    def _update(self) -> None:
        what, reason = self._what(self.selected_entry())
        self.undo_button.setText({IMPORT: _("Undo this import"), RESOLUTION: _("Undo this resolution"),
                                  UNDO: _("Undo this undo")}.get(what or "", _("Undo this import")))
        self.undo_button.setEnabled(what is not None)
        self.state.setText(reason)

    def undo_selected(self) -> Any:
        """Undo what the selected row did; an import is withdrawn in the background (the job is
        returned, and kept in ``job``)."""
        from neascn_desktop.gui.undo_commands import ReversibleCommand, import_undo_command

        entry = self.selected_entry()
        what, _reason = self._what(entry)
        if entry is None or what is None:
            return None
        if what == IMPORT:
            assert entry.package_id is not None
            package_id, name = entry.package_id, entry.file_name or entry.package_id
            if not self.confirm(_("Undo the import of {name}? Every change it brought is withdrawn; records "
                                  "edited since become conflicts to settle. You can undo this too.").format(
                                      name=name)):
                return None
            db = self.ctx.db

            def task(_progress: Any, _is_cancelled: Any) -> undo.UndoResult:
                return undo.undo_package(db, package_id)

            def done(result: undo.UndoResult) -> None:  # its changes are published by the worker
                self.undo_stack.push(import_undo_command(self.ctx, result, name))
                self.state.setText(result.message)

            # A big import takes a second or two to withdraw: off the UI thread, like the import.
            self.job = self.ctx.run_in_background(task, title=_("Undo this import"), on_success=done,
                                                  cancellable=False, parent=self)
            return self.job
        try:
            if what == RESOLUTION:
                result = undo.undo_resolution(self.ctx.db, str(entry.counts["revision"]))
                command = ReversibleCommand(self.ctx, _("Undo a conflict resolution"), last_undo_id=result.undo_id)
            else:
                result = undo.undo_undo(self.ctx.db, str(entry.counts["undo"]))
                command = ReversibleCommand(self.ctx, _("Undo an undo"), last_undo_id=result.undo_id)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            self.ctx.show_error(exc, self)
            return None
        self.undo_stack.push(command)
        self.ctx.publish(result.changes)
        self.state.setText(result.message)
        return None

    def confirm(self, text: str) -> bool:
        answer = QMessageBox.question(self, _("Undo this import"), text)
        return answer == QMessageBox.StandardButton.Yes

