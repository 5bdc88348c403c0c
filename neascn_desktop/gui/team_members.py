"""File → Team members…: the GUI over ``team.members`` (list, add who asked to join, remove).

The rules (who may add and remove, wrapping the team keys, rotating the team key on a
removal) live in ``neascn_desktop.team.members``, as for the CLI's ``member`` commands.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex, Qt, Slot
from PySide6.QtGui import QFontDatabase, QGuiApplication, QPalette
from PySide6.QtWidgets import QDialog, QHeaderView, QMessageBox, QWidget

from neascn_desktop.changes import Changes
from neascn_desktop.errors import NeascnError
from neascn_desktop.gui.context import GuiContext
from neascn_desktop.gui.forms import load_form
from neascn_desktop.gui.message_boxes import show_error, show_info
from neascn_desktop.gui.table_model import RowTableModel
from neascn_desktop.i18n import N_, _
from neascn_desktop.team.members import (
    ACTIVE,
    REMOVED,
    REQUESTED,
    Member,
    add_member,
    list_team,
    remove_member,
)

#: The change name of a team change (views of members listen for it).
TEAM_MEMBER = "team_member"


class TeamMembersModel(RowTableModel[Member]):
    """The team's members and the people who asked to join, one row each."""

    COLUMNS = (N_("Name"), N_("Organisation"), N_("Role"), N_("State"), N_("Fingerprint"))
    FINGERPRINT_COLUMN = 4

    def __init__(self, ctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.refresh()

    def refresh(self) -> None:
        self.set_rows(list_team(self._ctx.db))

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        member = self.row(index.row())
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return _("{name} (you)").format(name=member.display_name) if member.me else member.display_name
            return (member.organisation, member.role_label, member.status_label, member.fingerprint)[column - 1]
        if role == Qt.ItemDataRole.FontRole and column == self.FINGERPRINT_COLUMN:
            return QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        if role == Qt.ItemDataRole.ToolTipRole:
            return _("Member id: {id}").format(id=member.member_id)
        if role == Qt.ItemDataRole.ForegroundRole and member.status == REMOVED:
            return QGuiApplication.palette().brush(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
        return None


class TeamMembersDialog(QDialog):
    """Lists the team's members; an admin adds who asked to join and removes members."""

    def __init__(self, ctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.form = load_form("team_members_dialog.ui", self)
        self.model = TeamMembersModel(ctx, self)
        view = self.form.membersView
        view.setModel(self.model)
        header = view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.form.addButton.clicked.connect(lambda: self.add_selected())
        self.form.removeButton.clicked.connect(lambda: self.remove_selected())
        self.form.buttonBox.rejected.connect(self.reject)
        view.selectionModel().selectionChanged.connect(self._update_buttons)
        ctx.changes.dataChanged.connect(self._on_changes)
        self.retranslate()
        self._update_buttons()

    def retranslate(self) -> None:
        self.form.retranslate()
        self.model.retranslate()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def select(self, member_id: str) -> None:
        for row, member in enumerate(self.model.rows):
            if member.member_id == member_id:
                self.form.membersView.selectRow(row)

    def selected_member(self) -> Member | None:
        rows = self.form.membersView.selectionModel().selectedRows()
        return self.model.row(rows[0].row()) if rows else None

    @Slot()
    def _update_buttons(self, *_args: object) -> None:
        member = self.selected_member()
        self.form.addButton.setEnabled(member is not None and member.status in (REQUESTED, REMOVED))
        self.form.removeButton.setEnabled(member is not None and member.status == ACTIVE and not member.me)

    @Slot(object)
    def _on_changes(self, changes: Changes) -> None:
        if changes.touches(TEAM_MEMBER):
            self.model.refresh()
            self._update_buttons()

    def add_selected(self, confirm: bool = True) -> Member | None:
        member = self.selected_member()
        if member is None or member.status == ACTIVE:
            return None
        if confirm and QMessageBox.question(
            self, _("Team members"),
            _("Add {name} to the team?\n\nFingerprint: {fingerprint}\n\nCheck this fingerprint with them "
              "first.").format(name=member.display_name, fingerprint=member.fingerprint),
        ) != QMessageBox.StandardButton.Yes:
            return None
        try:
            added = add_member(self.ctx.db, member.member_id)
        except NeascnError as exc:
            show_error(self, exc)
            return None
        self.ctx.publish(Changes.of(TEAM_MEMBER, [added.member_id]))
        return added

    def remove_selected(self, confirm: bool = True) -> Member | None:
        member = self.selected_member()
        if member is None or member.status != ACTIVE:
            return None
        if confirm and QMessageBox.question(
            self, _("Team members"),
            _("Remove {name} from the team? A new team key is made for the remaining members; the next "
              "deployment package announces it.").format(name=member.display_name),
        ) != QMessageBox.StandardButton.Yes:
            return None
        try:
            removal = remove_member(self.ctx.db, member.member_id)
        except NeascnError as exc:
            show_error(self, exc)
            return None
        self.ctx.publish(Changes.of(TEAM_MEMBER, [removal.member.member_id]) | Changes.of("profile"))
        if confirm:
            show_info(self, _("{name} was removed from the team. The new team key {fingerprint} is announced by "
                              "the next deployment package.").format(name=removal.member.display_name,
                                                                     fingerprint=removal.new_key_fingerprint))
        return removal.member
