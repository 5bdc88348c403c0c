"""The side panel of the Framework workspace: status and owner, comments, history with diffs."""

from __future__ import annotations

import html

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from neascn_desktop.framework.model import (
    STATUSES,
    Comment,
    RevisionInfo,
    SectionDiff,
    field_label,
    status_label,
)
from neascn_desktop.gui.rendered_versions import RenderedVersion
from neascn_desktop.gui.table_model import RowTableModel
from neascn_desktop.i18n import N_, _

COMMENT_ID_ROLE = Qt.ItemDataRole.UserRole + 2

Index = QModelIndex | QPersistentModelIndex


class HistoryModel(RowTableModel[RevisionInfo]):
    """Revisions of one section, newest first: time, author, device, what changed."""

    COLUMNS = (N_("Time"), N_("Author"), N_("Device"), N_("Changed"))

    @property
    def revisions(self) -> list[RevisionInfo]:
        return self.rows

    def set_revisions(self, revisions: list[RevisionInfo]) -> None:
        self.set_rows(revisions)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        rev = self.row(index.row())
        if role == Qt.ItemDataRole.DisplayRole:
            column = index.column()
            if column == 0:
                return rev.time.astimezone().strftime("%Y-%m-%d %H:%M:%S")
            if column == 1:
                return rev.author
            if column == 2:
                return rev.device_id[:8]
            if rev.is_merge:
                return _("merge of {count} versions").format(count=len(rev.parents))
            if not rev.parents:
                return _("created")
            return ", ".join(field_label(name) for name in rev.changed) or "—"
        if role == Qt.ItemDataRole.ToolTipRole:
            return _("Revision {id} by {author} on device {device}").format(
                id=rev.revision_id[:12], author=rev.author, device=rev.device_id)
        return None


def _value_text(field: str, value: object) -> str:
    if field == "status":
        return status_label(str(value))
    if field == "deleted":
        return _("yes") if value else _("no")
    if value is None or value == "":
        return "—"
    return str(value)


class SidePanel(QTabWidget):
    """Details, Comments and History of the current section.

    Emits requests; the workspace runs the use cases (one place that publishes
    changes and shows errors).
    """

    statusChosen = Signal(str)
    ownerEdited = Signal(str)
    commentAdded = Signal(str)
    replyAdded = Signal(str, str)  # reply_to, text
    commentResolved = Signal(str, bool)
    diffRequested = Signal(str, str)  # old revision id, new revision id
    restoreRequested = Signal(str)  # the revision whose title and text become current again

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("frameworkSidePanel")
        self._filling = False
        self.comments: list[Comment] = []
        self._build_details()
        self._build_comments()
        self._build_history()
        self.retranslateUi()

    # -- details -----------------------------------------------------------------
    def _build_details(self) -> None:
        page = QWidget(self)
        form = QFormLayout(page)
        self.status_label = QLabel(page)
        self.status_combo = QComboBox(page)
        self.status_combo.setObjectName("statusCombo")
        for key in STATUSES:
            self.status_combo.addItem("", key)
        self.owner_label = QLabel(page)
        self.owner_edit = QLineEdit(page)
        self.owner_edit.setObjectName("ownerEdit")
        self.guidance_title = QLabel(page)
        self.guidance = QLabel(page)
        self.guidance.setObjectName("guidanceText")
        self.guidance.setWordWrap(True)
        self.guidance.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.guidance.setStyleSheet("color: #4b5563;")
        form.addRow(self.status_label, self.status_combo)
        form.addRow(self.owner_label, self.owner_edit)
        form.addRow(self.guidance_title)
        form.addRow(self.guidance)
        self.status_combo.currentIndexChanged.connect(self._on_status)
        self.owner_edit.editingFinished.connect(self._on_owner)
        self.details_page = page
        self.addTab(page, "")

    def _on_status(self) -> None:
        if not self._filling:
            self.statusChosen.emit(self.status_combo.currentData())

    def _on_owner(self) -> None:
        if not self._filling and self.owner_edit.isModified():
            self.owner_edit.setModified(False)
            self.ownerEdited.emit(self.owner_edit.text())

    # -- comments ----------------------------------------------------------------------
    def _build_comments(self) -> None:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        self.comment_model = QStandardItemModel(self)
        self.comment_view = QTreeView(page)
        self.comment_view.setObjectName("commentView")
        self.comment_view.setModel(self.comment_model)
        self.comment_view.setWordWrap(True)
        self.comment_view.setUniformRowHeights(False)
        self.comment_view.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.comment_view.setHeaderHidden(True)
        self.comment_view.header().setStretchLastSection(True)
        self.comment_view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.comment_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.comment_input = QPlainTextEdit(page)
        self.comment_input.setObjectName("commentInput")
        self.comment_input.setMaximumHeight(80)
        buttons = QHBoxLayout()
        self.add_comment_button = QPushButton(page)
        self.add_comment_button.setObjectName("addCommentButton")
        self.reply_button = QPushButton(page)
        self.reply_button.setObjectName("replyButton")
        self.resolve_button = QPushButton(page)
        self.resolve_button.setObjectName("resolveCommentButton")
        for button in (self.add_comment_button, self.reply_button, self.resolve_button):
            buttons.addWidget(button)
        layout.addWidget(self.comment_view, 1)
        layout.addWidget(self.comment_input)
        layout.addLayout(buttons)
        self.add_comment_button.clicked.connect(self._on_add_comment)
        self.reply_button.clicked.connect(self._on_reply)
        self.resolve_button.clicked.connect(self._on_resolve)
        self.comment_view.selectionModel().selectionChanged.connect(self._sync_comment_buttons)
        self.comments_page = page
        self.addTab(page, "")

    def selected_comment(self) -> Comment | None:
        index = self.comment_view.currentIndex()
        comment_id = index.data(COMMENT_ID_ROLE) if index.isValid() else None
        return next((c for c in self.comments if c.id == comment_id), None)

    def _on_add_comment(self) -> None:
        text = self.comment_input.toPlainText().strip()
        if text:
            self.commentAdded.emit(text)

    def _on_reply(self) -> None:
        comment = self.selected_comment()
        text = self.comment_input.toPlainText().strip()
        if comment is not None and text:
            self.replyAdded.emit(comment.id, text)

    def _on_resolve(self) -> None:
        comment = self.selected_comment()
        if comment is not None:
            self.commentResolved.emit(comment.id, not comment.resolved)

    def _sync_comment_buttons(self) -> None:
        comment = self.selected_comment()
        self.reply_button.setEnabled(comment is not None)
        self.resolve_button.setEnabled(comment is not None)
        self.resolve_button.setText(
            _("Reopen") if comment is not None and comment.resolved else _("Resolve"))

    def set_comments(self, comments: list[Comment]) -> None:
        selected = self.selected_comment()
        self.comments = comments
        self.comment_model.clear()
        items: dict[str, QStandardItem] = {}
        for comment in comments:
            when = comment.created_at[:16].replace("T", " ")
            heading = _("{author}, {time}").format(author=comment.author, time=when)
            item = QStandardItem(("✓ " if comment.resolved else "") + heading + "\n" + comment.text)
            item.setData(comment.id, COMMENT_ID_ROLE)
            item.setToolTip(comment.text)
            if comment.resolved:
                item.setForeground(QBrush(QColor("#9ca3af")))
            parent = items.get(comment.reply_to or "")
            (parent or self.comment_model.invisibleRootItem()).appendRow(item)
            items[comment.id] = item
        self.comment_view.expandAll()
        if selected is not None and selected.id in items:
            self.comment_view.setCurrentIndex(items[selected.id].index())
        self._sync_comment_buttons()
        self.setTabText(self.indexOf(self.comments_page), self._comments_tab_title())

    def _comments_tab_title(self) -> str:
        open_count = sum(1 for c in self.comments if not c.resolved)
        return _("Comments ({count})").format(count=open_count) if open_count else _("Comments")

    # -- history ---------------------------------------------------------------------------
    def _build_history(self) -> None:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        splitter = QSplitter(Qt.Orientation.Vertical, page)
        self.history_model = HistoryModel(self)
        self.history_view = QTableView(splitter)
        self.history_view.setObjectName("historyView")
        self.history_view.setModel(self.history_model)
        self.history_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.history_view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.history_view.verticalHeader().setVisible(False)
        self.history_view.horizontalHeader().setStretchLastSection(True)
        self.history_hint = QLabel(page)
        self.history_hint.setWordWrap(True)
        self.restore_button = QPushButton(page)
        self.restore_button.setObjectName("restoreRevisionButton")
        self.restore_button.setEnabled(False)
        self.restore_button.clicked.connect(self._restore_selected)
        # The difference as the drafter reads the text: rendered, the changed words highlighted.
        below = QWidget(splitter)
        below_layout = QVBoxLayout(below)
        below_layout.setContentsMargins(0, 0, 0, 0)
        self.diff_fields = QLabel(below)
        self.diff_fields.setObjectName("diffFields")
        self.diff_fields.setWordWrap(True)
        self.diff_fields.setTextFormat(Qt.TextFormat.RichText)
        self.diff_view = RenderedVersion(below)
        self.diff_view.setObjectName("diffView")
        below_layout.addWidget(self.diff_fields)
        below_layout.addWidget(self.diff_view, 1)
        splitter.addWidget(self.history_view)
        splitter.addWidget(below)
        layout.addWidget(self.history_hint)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.restore_button)
        self.history_view.selectionModel().selectionChanged.connect(self._on_history_selection)
        self.history_page = page
        self.addTab(page, "")

    def set_history(self, revisions: list[RevisionInfo]) -> None:
        self.history_model.set_revisions(revisions)
        self.diff_view.clear()
        self.diff_fields.clear()
        self.restore_button.setEnabled(False)
        self.history_view.resizeColumnsToContents()

    def select_revisions(self, rows: list[int]) -> None:
        """Select history rows (the diff of the oldest and newest selected is shown)."""
        selection = self.history_view.selectionModel()
        selection.clearSelection()
        for row in rows:
            selection.select(
                self.history_model.index(row, 0),
                selection.SelectionFlag.Select | selection.SelectionFlag.Rows,
            )

    def _on_history_selection(self) -> None:
        rows = sorted({index.row() for index in self.history_view.selectionModel().selectedRows()})
        revisions = self.history_model.revisions
        # The newest row is the current version: restoring it would change nothing.
        self.restore_button.setEnabled(len(rows) == 1 and rows[0] > 0)
        if not rows:
            return
        if len(rows) == 1:
            # One revision: what it changed compared with the one before it.
            row = rows[0]
            if row + 1 >= len(revisions):
                self.diff_fields.setText("<i>{}</i>".format(html.escape(_("The first version of this section."))))
                self.diff_view.clear()
                return
            newer, older = revisions[row], revisions[row + 1]
        else:
            newer, older = revisions[rows[0]], revisions[rows[-1]]
        self.diffRequested.emit(older.revision_id, newer.revision_id)

    def show_diff(self, diff: SectionDiff) -> None:
        fields = [
            f"<b>{html.escape(change.label)}</b>: <span style='color:#b91c1c;text-decoration:line-through'>"
            f"{html.escape(_value_text(change.field, change.old))}</span> → <span style='color:#15803d'>"
            f"{html.escape(_value_text(change.field, change.new))}</span>"
            for change in diff.fields if change.field != "body"]
        if not diff.body_changed and not fields:
            fields.append("<i>{}</i>".format(html.escape(_("No differences."))))
        elif diff.body_changed:
            fields.append("<span style='color:#4b5563'>{}</span>".format(html.escape(
                _("The newer text, with the words it changed highlighted:"))))
        self.diff_fields.setText("<br>".join(fields))
        self.diff_view.show_version(diff.new_body, diff.old_body)

    def selected_revision_id(self) -> str | None:
        rows = sorted({index.row() for index in self.history_view.selectionModel().selectedRows()})
        return self.history_model.revisions[rows[0]].revision_id if len(rows) == 1 else None

    def _restore_selected(self) -> None:
        revision_id = self.selected_revision_id()
        if revision_id is not None:
            self.restoreRequested.emit(revision_id)

    # -- section -------------------------------------------------------------------------------
    def show_section(self, status: str, owner: str, guidance: str) -> None:
        self._filling = True
        try:
            self.status_combo.setCurrentIndex(max(0, self.status_combo.findData(status)))
            self.owner_edit.setText(owner)
            self.owner_edit.setModified(False)
            self.guidance.setText(guidance)
            self.guidance_title.setVisible(bool(guidance))
            self.guidance.setVisible(bool(guidance))
        finally:
            self._filling = False

    def clear_input(self) -> None:
        self.comment_input.clear()

    def retranslateUi(self) -> None:
        self.setTabText(self.indexOf(self.details_page), _("Details"))
        self.setTabText(self.indexOf(self.comments_page), self._comments_tab_title())
        self.setTabText(self.indexOf(self.history_page), _("History"))
        self.status_label.setText(_("Status:"))
        self.owner_label.setText(_("Owner:"))
        self.owner_edit.setPlaceholderText(_("Who drafts this section"))
        self.guidance_title.setText("<b>{}</b>".format(html.escape(_("Guidance for drafters"))))
        self._filling = True
        for i in range(self.status_combo.count()):
            self.status_combo.setItemText(i, _(STATUSES[self.status_combo.itemData(i)]))
        self._filling = False
        self.comment_input.setPlaceholderText(_("Write a comment or a reply…"))
        self.add_comment_button.setText(_("Add comment"))
        self.reply_button.setText(_("Reply"))
        self._sync_comment_buttons()
        self.history_hint.setText(_("Select a revision to see what it changed, or two to compare them."))
        self.status_label.setBuddy(self.status_combo)
        self.comment_view.setAccessibleName(_("Comments on this section"))
        self.history_view.setAccessibleName(_("Revisions of this section"))
        self.history_view.setAccessibleDescription(self.history_hint.text())
        self.diff_view.setAccessibleName(_("What the selected revision changed"))
        self.restore_button.setText(_("Restore this version"))
        self.restore_button.setToolTip(_("Make this version's title and text current again, as a new "
                                         "revision; the history keeps every version"))
        self.history_model.retranslate()
