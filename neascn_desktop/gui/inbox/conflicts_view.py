"""The conflicts view: records with several heads, compared side by side, resolved by a choice.

A submission shows one row per question where the versions differ: the common
ancestor's answer, each head's answer and the field-level merge proposal
(editable).  A framework section shows its texts side by side with the
proposed paragraph merge (editable).  Keep one version, accept the proposal,
or edit it and save: every choice is a merge revision over all heads, and can be
undone (Edit → Undo: ``undo_stack``, shared with the audit log's undo).

A value typed into the proposal is read as the record's form reads it
(``sync.proposals``): one the form would refuse is not taken, and the message
shows under the table, naming the field by its label.  Records, fields and
versions are named in the user's language, never by ids.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QUndoStack
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from neascn_desktop.changes import Changes
from neascn_desktop.gui.context import GuiContext
from neascn_desktop.gui.rendered_versions import RenderedVersion
from neascn_desktop.gui.table_model import RowTableModel
from neascn_desktop.i18n import N_, _
from neascn_desktop.replica import Revision
from neascn_desktop.sync import conflicts, proposals

Index = QModelIndex | QPersistentModelIndex

ENTITY_LABELS = {
    "submission": N_("Survey response"),
    "framework_section": N_("Framework section"),
    "framework_comment": N_("Comment"),
    "city": N_("City"),
    "survey_definition": N_("Survey definition"),
}


def shown(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        from neascn_desktop.i18n import current_language
        from neascn_desktop.i18n.formatting import format_number

        return format_number(value, current_language())  # read back the same way (sync.proposals)
    return json.dumps(value, ensure_ascii=False)


def parsed(text: str) -> Any:
    """What the user typed in a proposal cell: JSON when it parses (numbers, lists), else text."""
    stripped = text.strip()
    if stripped in ("", "—"):
        return None
    try:
        return json.loads(stripped)
    except ValueError:
        return text


class ConflictListModel(RowTableModel[conflicts.ConflictInfo]):
    COLUMNS = (N_("Record"), N_("Type"), N_("Versions"))

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._titles: dict[str, str] = {}

    def set_rows(self, rows: Iterable[conflicts.ConflictInfo],
                 titles: dict[str, str] | None = None) -> None:
        # Not the base's set_rows(): the titles go with the rows, in the same reset.
        self.beginResetModel()
        self._rows = list(rows)
        self._titles = titles or {}
        self.endResetModel()

    def conflict(self, row: int) -> conflicts.ConflictInfo:
        return self.row(row)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        info = self.row(index.row())
        if role == Qt.ItemDataRole.ToolTipRole:
            return info.entity_id
        label = ENTITY_LABELS.get(info.entity_type)
        return (self._titles.get(info.entity_id, info.entity_id), _(label) if label else info.entity_type,
                str(len(info.heads)))[index.column()]


def _title(revision: Revision, db: Any, others: Sequence[Revision] = ()) -> str:
    return proposals.record_title(db, revision, others=others)


ReadValue = Any  # (field name, typed text) -> value; raises proposals.ProposalError


class ComparisonModel(RowTableModel[conflicts.FieldRow]):
    """Field | ancestor | head 1 | head 2 ... | proposal (the proposal column is editable).

    ``read_value`` reads what is typed into a proposal cell; a refused value is kept out of
    the proposal, and its message is in ``errors`` (field name -> sentence) until the cell
    holds a value the form accepts.
    """

    errorsChanged = Signal()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.comparison: conflicts.Comparison | None = None
        self._head_labels: list[str] = []
        self.proposal: dict[str, Any] = {}  # field name -> value (flattened)
        self.field_labels: dict[str, str] = {}
        self.errors: dict[str, str] = {}
        self.typed: dict[str, str] = {}  # refused text, shown in its cell until corrected
        self.read_value: ReadValue = lambda _name, text: parsed(text)
        #: How a value is shown (``proposals.value_formatter``); what is edited stays typed text.
        self.display: Callable[[str, Any], str] = lambda _name, value: shown(value)
        self.edited = False

    def set_comparison(self, comparison: conflicts.Comparison | None, head_labels: list[str],
                       hidden: set[str] = frozenset()) -> None:  # type: ignore[assignment]
        self.beginResetModel()
        self.comparison = comparison
        self._head_labels = head_labels
        self.field_labels = {}
        self.errors = {}
        self.typed = {}
        self._rows = [r for r in comparison.rows if r.name not in hidden] if comparison else []
        self.proposal = conflicts.flatten(comparison.entity_type, comparison.proposal) if comparison else {}
        self.edited = False
        self.endResetModel()

    def columns(self) -> Sequence[str]:
        if self.comparison is None:
            return ()
        return (N_("Question or field"), N_("Common ancestor"), *self._head_labels, N_("Proposal"))

    def column_title(self, section: int) -> str:
        # The versions' labels arrive translated; only the other titles are msgids.
        if 2 <= section < self.columnCount() - 1:
            return self._head_labels[section - 2]
        return super().column_title(section)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt's name
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            return self.column_title(section)  # the whole title of a cut one
        return super().headerData(section, orientation, role)

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = super().flags(index)
        if index.isValid() and index.column() == self.columnCount() - 1:
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = index.column()
        last = self.columnCount() - 1
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == 0:
                return row.name  # the technical name, for whoever needs it
            if column == last and row.name in self.errors:
                return self.errors[row.name]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole, Qt.ItemDataRole.ToolTipRole):
            if column == 0:
                return self.field_labels.get(row.name) or row.name.removeprefix("answers.")
            if column == 1:
                return self.display(row.name, row.ancestor)
            if column == last:
                if row.name in self.typed:
                    return self.typed[row.name]
                value = self.proposal.get(row.name)
                if role == Qt.ItemDataRole.EditRole:
                    if isinstance(value, int | float) and not isinstance(value, bool):
                        return str(value)  # every digit, as stored (the display rounds to the locale's way)
                    return shown(value)  # typed back as the form reads it (dates as YYYY-MM-DD)
                return self.display(row.name, value)
            return self.display(row.name, row.heads[column - 2])
        if role == Qt.ItemDataRole.BackgroundRole:
            if column == last and row.name in self.errors:
                return QBrush(QColor("#f8d7da"))
            if row.conflicting:
                return QBrush(QColor("#fff3cd"))
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or index.column() != self.columnCount() - 1 or role != Qt.ItemDataRole.EditRole:
            return False
        name = self._rows[index.row()].name
        try:
            new = self.read_value(name, str(value))
        except proposals.ProposalError as exc:
            self.errors[name] = exc.errors.get(name) or str(exc)
            self.typed[name] = str(value)
        else:
            self.errors.pop(name, None)
            self.typed.pop(name, None)
            if new is None:
                self.proposal.pop(name, None)
            else:
                self.proposal[name] = new
            self.edited = True
        self.dataChanged.emit(self.index(index.row(), 0), self.index(index.row(), index.column()))
        self.errorsChanged.emit()
        return True

    def show_errors(self, errors: dict[str, str]) -> None:
        """Errors found when saving (e.g. a required answer left empty)."""
        self.errors.update(errors)
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, self.columnCount() - 1))
        self.errorsChanged.emit()

    def error_text(self) -> str:
        return "\n".join(_("{field}: {message}").format(field=self.field_labels.get(name) or name, message=message)
                         for name, message in self.errors.items())

    def proposal_payload(self) -> dict[str, Any]:
        assert self.comparison is not None
        return conflicts.unflatten(self.comparison.entity_type, self.proposal)


class ConflictsView(QWidget):
    """List of records in conflict; the selected one compared side by side, with the three choices."""

    def __init__(self, ctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("conflictsView")
        self.list_model = ConflictListModel(self)
        self.list_view = QTableView(self)
        self.list_view.setObjectName("conflictList")
        self.list_view.setModel(self.list_model)
        self.list_view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.list_view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.list_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.list_view.verticalHeader().hide()

        self.heading = QLabel(self)
        self.heading.setWordWrap(True)
        self.comparison_model = ComparisonModel(self)
        self.comparison_view = QTableView(self)
        self.comparison_view.setObjectName("conflictComparison")
        self.comparison_view.setModel(self.comparison_model)
        self.comparison_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.comparison_view.verticalHeader().hide()
        self.comparison_view.setWordWrap(True)
        # A repeat's entries take a line each: rows as tall as their text, never elided.
        self.comparison_view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)

        # Framework sections: the texts side by side, and the proposed text to accept or edit.
        self.texts = QSplitter(Qt.Orientation.Horizontal, self)
        self.texts.setObjectName("conflictTexts")
        self.text_edits: list[QWidget] = []  # the versions, rendered (boxes titled by their labels)
        self.proposal_text = QPlainTextEdit(self.texts)
        self.proposal_text.setObjectName("proposalText")
        self.texts.addWidget(self.proposal_text)
        self.texts.hide()

        self.keep_choice = QComboBox(self)
        self.keep_choice.setObjectName("keepChoice")
        self.keep_button = QPushButton(self)
        self.keep_button.setObjectName("keepButton")
        self.merge_button = QPushButton(self)
        self.merge_button.setObjectName("acceptMergeButton")
        self.save_button = QPushButton(self)
        self.save_button.setObjectName("saveEditedButton")
        self.empty = QLabel(self)
        self.empty.setObjectName("noConflicts")
        self.proposal_error = QLabel(self)
        self.proposal_error.setObjectName("proposalError")
        self.proposal_error.setWordWrap(True)
        self.proposal_error.setStyleSheet("color: #a4161a;")
        self.proposal_error.hide()
        #: Edit → Undo of the Inbox (the workspace hands it to the main window).
        self.undo_stack = QUndoStack(self)

        buttons = QHBoxLayout()
        buttons.addWidget(self.keep_choice, 1)
        buttons.addWidget(self.keep_button)
        buttons.addStretch(1)
        buttons.addWidget(self.merge_button)
        buttons.addWidget(self.save_button)
        detail = QWidget(self)
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        detail_layout.addWidget(self.heading)
        detail_layout.addWidget(self.comparison_view, 2)
        detail_layout.addWidget(self.proposal_error)
        detail_layout.addWidget(self.texts, 2)
        detail_layout.addLayout(buttons)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.list_view)
        splitter.addWidget(detail)
        splitter.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty)
        layout.addWidget(splitter)

        self.list_view.selectionModel().selectionChanged.connect(self._selected)
        self.keep_button.clicked.connect(self.keep_selected)
        self.merge_button.clicked.connect(self.accept_merge)
        self.save_button.clicked.connect(self.save_edited)
        self.comparison_model.dataChanged.connect(lambda *_a: self._update_buttons())
        self.comparison_model.errorsChanged.connect(self._show_errors)
        self.proposal_text.textChanged.connect(self._update_buttons)
        self.retranslateUi()
        self.refresh()

    # -- state
    def retranslateUi(self) -> None:
        self.keep_button.setText(_("Keep this version"))
        self.list_view.setAccessibleName(_("Records in conflict"))
        self.comparison_view.setAccessibleName(_("The versions side by side, with the proposal"))
        self.keep_choice.setAccessibleName(_("Version to keep"))
        self.merge_button.setText(_("Accept the merge"))
        self.save_button.setText(_("Save my edited version"))
        self.empty.setText(_("No conflicts: every record has a single current version."))
        self.proposal_text.setPlaceholderText(_("The merged text"))
        self.list_model.retranslate()
        self.comparison_model.retranslate()
        self._show_current()

    def refresh(self) -> None:
        current = self.current_entity_id()
        rows = conflicts.list_conflicts(self.ctx.db)
        self.list_model.set_rows(rows, {r.entity_id: _title(r.heads[0], self.ctx.db, r.heads) for r in rows})
        self.empty.setVisible(self.list_model.rowCount() == 0)
        row = next((r for r in range(self.list_model.rowCount())
                    if self.list_model.conflict(r).entity_id == current), 0 if self.list_model.rowCount() else -1)
        if row >= 0:
            self.list_view.selectRow(row)
        self._show_current()

    def current_entity_id(self) -> str | None:
        rows = self.list_view.selectionModel().selectedRows() if self.list_view.selectionModel() else []
        if not rows:
            return None
        return self.list_model.conflict(rows[0].row()).entity_id

    def _show_errors(self) -> None:
        text = self.comparison_model.error_text()
        self.proposal_error.setText(text)
        self.proposal_error.setVisible(bool(text))
        self._update_buttons()

    def _selected(self, *_args: Any) -> None:
        self._show_current()

    def _show_current(self) -> None:
        entity_id = self.current_entity_id()
        for edit in self.text_edits:
            edit.hide()  # out of the splitter now, not only when the event loop deletes it
            edit.setParent(None)
            edit.deleteLater()
        self.text_edits = []
        self.keep_choice.clear()
        if entity_id is None:
            self.comparison_model.set_comparison(None, [])
            self.heading.setText("")
            self.texts.hide()
            self._update_buttons()
            return
        db = self.ctx.db
        comparison = conflicts.compare(db, entity_id)
        own = self.ctx.profile.device_id
        # A version brought back by an undo is named after the version it restores.
        labels = [_("Version from {device} ({clock})").format(device=proposals.author_name(db, h, own),
                                                            clock=_clock(h.clock))
                  for h in (comparison.origins or comparison.heads)]
        is_text = comparison.entity_type == "framework_section"
        self.comparison_model.set_comparison(comparison, labels, hidden={"body"} if is_text else set())
        head = proposals.reference_head(comparison.heads)
        self.comparison_model.field_labels = proposals.field_labels(db, head, [r.name for r in comparison.rows])
        self.comparison_model.read_value = lambda name, text: proposals.typed_value(db, head, name, text)
        self.comparison_model.display = proposals.value_formatter(db, head)
        self._show_errors()
        for label, head in zip(labels, comparison.heads, strict=True):
            self.keep_choice.addItem(label, head.id)
        conflicting = sum(1 for r in comparison.rows if r.conflicting)
        self.heading.setText(_("{title}: {count} versions; {fields} fields differ, {conflicting} of them changed on both sides.").format(
            title=_title(comparison.heads[0], self.ctx.db, comparison.heads), count=len(comparison.heads), fields=len(comparison.rows),
            conflicting=conflicting))
        self.texts.setVisible(is_text)
        # For a section whose body is the only difference, the field table would be empty.
        self.comparison_view.setVisible(not is_text or self.comparison_model.rowCount() > 0)
        if is_text:
            # Rendered, each version with what it changed since the ancestor highlighted.
            base = str(comparison.ancestor.payload.get("body", "")) if comparison.ancestor else None
            sources: list[tuple[str, str, str | None]] = [(_("Common ancestor"), base, None)] if base is not None else []
            sources += [(label, str(head.payload.get("body", "")), base) for label, head in
                        zip(labels, comparison.heads, strict=True)]
            for position, (label, body, against) in enumerate(sources):
                box = QGroupBox(label, self.texts)
                edit = RenderedVersion(box)
                edit.setAccessibleName(label)
                edit.show_version(body, against)
                QVBoxLayout(box).addWidget(edit)
                self.texts.insertWidget(position, box)
                self.text_edits.append(box)
            self.proposal_text.blockSignals(True)
            self.proposal_text.setPlainText(str(comparison.proposal.get("body", "")))
            self.proposal_text.blockSignals(False)
            self.proposal_text.document().setModified(False)
        self._update_buttons()

    def _update_buttons(self) -> None:
        has = self.comparison_model.comparison is not None
        self.keep_button.setEnabled(has)
        self.keep_choice.setEnabled(has)
        self.merge_button.setEnabled(has)
        edited = self.comparison_model.edited or self.proposal_text.document().isModified()
        self.save_button.setEnabled(has and edited and not self.comparison_model.errors)

    # -- the three choices
    def _finish(self, revision: Revision) -> None:
        from neascn_desktop.gui.undo_commands import resolution_command

        comparison = self.comparison_model.comparison
        title = (_title(comparison.heads[0], self.ctx.db, comparison.heads) if comparison is not None
                 else revision.entity_id)
        self.undo_stack.push(resolution_command(self.ctx, revision.id, title))
        if self.ctx.main_window is not None:
            self.ctx.main_window.statusBar().showMessage(
                _("Settled the conflict in {title}; Edit → Undo brings the versions back.").format(title=title), 15_000)
        self.ctx.publish(conflicts.resolution_changes(revision) | Changes(frozenset({"conflict"})))
        self.refresh()

    def keep_selected(self) -> None:
        entity_id = self.current_entity_id()
        revision_id = self.keep_choice.currentData()
        if entity_id is None or revision_id is None:
            return
        try:
            self._finish(conflicts.resolve_keep(self.ctx.db, entity_id, revision_id))
        except Exception as exc:  # noqa: BLE001 - shown to the user
            self.ctx.show_error(exc)

    def _payload(self) -> dict[str, Any]:
        payload = self.comparison_model.proposal_payload()
        comparison = self.comparison_model.comparison
        if comparison is not None and comparison.entity_type == "framework_section":
            payload["body"] = self.proposal_text.toPlainText()
        return payload

    def accept_merge(self) -> None:
        entity_id = self.current_entity_id()
        comparison = self.comparison_model.comparison
        if entity_id is None or comparison is None:
            return
        try:
            self._finish(conflicts.resolve_with(self.ctx.db, entity_id, comparison.proposal, how="merge"))
        except Exception as exc:  # noqa: BLE001
            self.ctx.show_error(exc)

    def save_edited(self) -> None:
        entity_id = self.current_entity_id()
        if entity_id is None:
            return
        if self.comparison_model.errors:
            return
        try:
            self._finish(conflicts.resolve_with(self.ctx.db, entity_id, self._payload(), how="edit"))
        except proposals.ProposalError as exc:
            self.comparison_model.show_errors(exc.errors)  # shown under the table, not in a dialog
        except Exception as exc:  # noqa: BLE001
            self.ctx.show_error(exc)


def _clock(clock: str) -> str:
    from neascn_desktop.i18n import current_language
    from neascn_desktop.i18n.formatting import format_datetime
    from neascn_desktop.replica import ReplicaError
    from neascn_desktop.replica.clock import clock_time

    try:
        return format_datetime(clock_time(clock).astimezone(), current_language(), format="short")
    except ReplicaError:
        return clock
