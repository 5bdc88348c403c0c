"""The conflicts view: records with several heads, compared side by side, resolved by a choice.

A submission shows one row per question where the versions differ: the common
ancestor's answer, each head's answer and the field-level merge proposal
(editable).  A framework section shows its texts side by side with the
proposed paragraph merge (editable).  Keep one version, accept the proposal,
or edit it and save: every choice is a merge revision over all heads.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
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
from neascn_desktop.gui.table_model import RowTableModel
from neascn_desktop.i18n import N_, _
from neascn_desktop.identity.trust import list_trusted
from neascn_desktop.replica import Revision
from neascn_desktop.sync import conflicts

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


def _title(revision: Revision, db: Any = None) -> str:
    payload = revision.payload
    if revision.entity_type == "submission":
        city = str(payload.get("city_id", "?"))
        if db is not None:
            from neascn_desktop.i18n import current_language
            from neascn_desktop.replica import current

            state = current(db, "city", city)
            names = state.payload.get("name") if state is not None else None
            if isinstance(names, dict):
                city = str(names.get(current_language()) or names.get("en") or city)
        return _("{city} ({enumerator})").format(city=city, enumerator=payload.get("enumerator", "?"))
    if isinstance(payload.get("title"), str):
        return payload["title"]
    return revision.entity_id


class ComparisonModel(RowTableModel[conflicts.FieldRow]):
    """Field | ancestor | head 1 | head 2 ... | proposal (the proposal column is editable)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.comparison: conflicts.Comparison | None = None
        self._head_labels: list[str] = []
        self.proposal: dict[str, Any] = {}  # field name -> value (flattened)
        self.edited = False

    def set_comparison(self, comparison: conflicts.Comparison | None, head_labels: list[str],
                       hidden: set[str] = frozenset()) -> None:  # type: ignore[assignment]
        self.beginResetModel()
        self.comparison = comparison
        self._head_labels = head_labels
        self.field_labels: dict[str, str] = {}
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
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole, Qt.ItemDataRole.ToolTipRole):
            if column == 0:
                name = row.name.removeprefix("answers.")
                label = self.field_labels.get(name)
                return f"{label} ({name})" if label else name
            if column == 1:
                return shown(row.ancestor)
            if column == last:
                return shown(self.proposal.get(row.name))
            return shown(row.heads[column - 2])
        if role == Qt.ItemDataRole.BackgroundRole and row.conflicting:
            return QBrush(QColor("#fff3cd"))
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or index.column() != self.columnCount() - 1 or role != Qt.ItemDataRole.EditRole:
            return False
        name = self._rows[index.row()].name
        new = parsed(str(value))
        if new is None:
            self.proposal.pop(name, None)
        else:
            self.proposal[name] = new
        self.edited = True
        self.dataChanged.emit(index, index)
        return True

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

        # Framework sections: the texts side by side, and the proposed text to accept or edit.
        self.texts = QSplitter(Qt.Orientation.Horizontal, self)
        self.texts.setObjectName("conflictTexts")
        self.text_edits: list[QPlainTextEdit] = []
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
        self.proposal_text.textChanged.connect(self._update_buttons)
        self.retranslateUi()
        self.refresh()

    # -- state
    def retranslateUi(self) -> None:
        self.keep_button.setText(_("Keep this version"))
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
        self.list_model.set_rows(rows, {r.entity_id: _title(r.heads[0], self.ctx.db) for r in rows})
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

    def _device_names(self) -> dict[str, str]:
        names = {d.device_id: d.display_name for d in list_trusted(self.ctx.db)}
        names[self.ctx.profile.device_id] = _("this device")
        return names

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
        comparison = conflicts.compare(self.ctx.db, entity_id)
        names = self._device_names()
        labels = [_("Version from {device} ({clock})").format(device=names.get(h.device_id, h.device_id[:8]),
                                                            clock=_clock(h.clock)) for h in comparison.heads]
        is_text = comparison.entity_type == "framework_section"
        self.comparison_model.set_comparison(comparison, labels, hidden={"body"} if is_text else set())
        if comparison.entity_type == "submission":
            self.comparison_model.field_labels = _question_labels(self.ctx.db, comparison.heads[0])
        for label, head in zip(labels, comparison.heads, strict=True):
            self.keep_choice.addItem(label, head.id)
        conflicting = sum(1 for r in comparison.rows if r.conflicting)
        self.heading.setText(_("{title}: {count} versions; {fields} fields differ, {conflicting} of them changed on both sides.").format(
            title=_title(comparison.heads[0], self.ctx.db), count=len(comparison.heads), fields=len(comparison.rows),
            conflicting=conflicting))
        self.texts.setVisible(is_text)
        # For a section whose body is the only difference, the field table would be empty.
        self.comparison_view.setVisible(not is_text or self.comparison_model.rowCount() > 0)
        if is_text:
            sources = ([(_("Common ancestor"), comparison.ancestor.payload.get("body", ""))]
                       if comparison.ancestor else [])
            sources += [(label, head.payload.get("body", "")) for label, head in
                        zip(labels, comparison.heads, strict=True)]
            for position, (label, body) in enumerate(sources):
                edit = QPlainTextEdit(self.texts)
                edit.setReadOnly(True)
                edit.setPlainText(f"# {label}\n\n{body}")
                self.texts.insertWidget(position, edit)
                self.text_edits.append(edit)
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
        self.save_button.setEnabled(has and edited)

    # -- the three choices
    def _finish(self, revision: Revision) -> None:
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
        try:
            self._finish(conflicts.resolve_with(self.ctx.db, entity_id, self._payload(), how="edit"))
        except Exception as exc:  # noqa: BLE001
            self.ctx.show_error(exc)


def _clock(clock: str) -> str:
    from neascn_desktop.replica import ReplicaError
    from neascn_desktop.replica.clock import clock_time

    try:
        return clock_time(clock).astimezone().strftime("%Y-%m-%d %H:%M")
    except ReplicaError:
        return clock


def _question_labels(db: Any, revision: Revision) -> dict[str, str]:
    """Question name -> its label in the current language (empty when the definition is unknown)."""
    from neascn_desktop.i18n import current_language

    try:
        from neascn_desktop.surveys import service

        definition = service.get_definition(db, str(revision.payload.get("form_id")),
                                            str(revision.payload.get("form_version")))
    except Exception:  # noqa: BLE001 - labels are a nicety; names are shown instead
        return {}
    language = current_language()
    return {q.name: q.label_in(language) for q in definition.questions}
