"""The Framework workspace: the outline, the Markdown editor and the side panel.

Follows the contract in ``neascn_desktop/gui/README-workspaces.md``. Every
change goes through a use case of ``neascn_desktop.framework.service``; the
body being typed is autosaved to the working copy (at most 300 ms after the
last keystroke, and at once on focus-out, section switch, hide and quit) and
a revision is cut when leaving a section, on Ctrl+S and when the workspace is
hidden or the application quits.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QAction, QHideEvent, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QToolBar,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from neascn_desktop.changes import Changes
from neascn_desktop.errors import NeascnError
from neascn_desktop.framework import service
from neascn_desktop.framework.conflicts import merge_proposal
from neascn_desktop.framework.model import Section
from neascn_desktop.framework.skeleton import guidance_for
from neascn_desktop.framework.textmerge import has_conflict_markers
from neascn_desktop.gui.context import GuiContext
from neascn_desktop.gui.folders import save_file_name
from neascn_desktop.gui.framework.conflict_dialog import ConflictDialog
from neascn_desktop.gui.framework.editor import MarkdownEditor, normalize_markdown
from neascn_desktop.gui.framework.outline import (
    SECTION_ID_ROLE,
    AddSectionCommand,
    DeleteSectionCommand,
    MoveSectionCommand,
    OutlineModel,
    RenameSectionCommand,
    RestoreRevisionCommand,
)
from neascn_desktop.gui.framework.panel import SidePanel
from neascn_desktop.gui.framework.text_undo import TextUndoLink
from neascn_desktop.i18n import LANGUAGES, _, current_language
from neascn_desktop.sync import conflicts

if TYPE_CHECKING:
    from neascn_desktop.gui.worker import BackgroundTask

#: Change names (``changes.CHANGE_NAMES``) that make this workspace refresh.
WATCHED_TYPES = ("section", "comment", "revision", "conflict", "profile", "trusted_device")


class FrameworkWorkspace(QWidget):
    """Draft the network's framework section by section, comment and review it."""

    def __init__(self, ctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("frameworkWorkspace")
        self.current_id: str | None = None
        self.current: Section | None = None
        self.conflict_dialog: ConflictDialog | None = None
        self._loaded_body = ""
        self.undo_stack = QUndoStack(self)
        self.pages = QStackedWidget(self)
        self._build_empty_page()
        self._build_document_page()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.save_now)
        self.retranslateUi()
        self.refresh()

    # -- building ---------------------------------------------------------------------
    def _build_empty_page(self) -> None:
        page = QWidget(self)
        page.setObjectName("frameworkEmptyPage")
        self.empty_title = QLabel(page)
        font = self.empty_title.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.empty_title.setFont(font)
        self.empty_text = QLabel(page)
        self.empty_text.setWordWrap(True)
        self.language_label = QLabel(page)
        self.language_combo = QComboBox(page)
        self.language_combo.setObjectName("documentLanguageCombo")
        for code, name in LANGUAGES.items():
            self.language_combo.addItem(name, code)
        self.create_button = QPushButton(page)
        self.create_button.setObjectName("createDocumentButton")
        self.create_button.clicked.connect(lambda: self.create_document())
        row = QHBoxLayout()
        row.addWidget(self.language_label)
        row.addWidget(self.language_combo)
        row.addWidget(self.create_button)
        row.addStretch(1)
        layout = QVBoxLayout(page)
        layout.addWidget(self.empty_title)
        layout.addWidget(self.empty_text)
        layout.addLayout(row)
        layout.addStretch(1)
        self.empty_page = page
        self.pages.addWidget(page)

    def _outline_action(
        self,
        toolbar: QToolBar,
        name: str,
        slot: Callable[[], object],
        shortcut: str | QKeySequence | QKeySequence.StandardKey | None = None,
    ) -> QAction:
        action = QAction(self)
        action.setObjectName(name)
        action.triggered.connect(lambda _checked=False: slot())
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.outline_view.addAction(action)
        toolbar.addAction(action)
        return action

    def _build_document_page(self) -> None:
        page = QWidget(self)
        splitter = QSplitter(Qt.Orientation.Horizontal, page)
        splitter.setObjectName("frameworkSplitter")

        left = QWidget(splitter)
        self.edit_toolbar = QToolBar(left)
        self.edit_toolbar.setObjectName("outlineToolbar")
        # Three short rows rather than one long one: at the default window width every
        # action is on screen (a QToolBar hides what does not fit behind "››").
        self.manage_toolbar = QToolBar(left)
        self.manage_toolbar.setObjectName("outlineManageToolbar")
        self.move_toolbar = QToolBar(left)
        self.move_toolbar.setObjectName("outlineMoveToolbar")
        self.outline_model = OutlineModel(self)
        self.outline_view = QTreeView(left)
        self.outline_view.setObjectName("outlineView")
        self.outline_view.setModel(self.outline_model)
        self.outline_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.outline_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.outline_view.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.outline_view.header().setStretchLastSection(False)
        self.outline_view.selectionModel().currentRowChanged.connect(self._on_outline_current)
        self.outline_view.doubleClicked.connect(lambda _index: self.rename_current())
        edit, move = self.edit_toolbar, self.move_toolbar
        self.action_add = self._outline_action(edit, "actionAddSection", self.add_section)
        self.action_add_sub = self._outline_action(
            edit, "actionAddSubsection", lambda: self.add_section(as_child=True))
        self.action_rename = self._outline_action(
            self.manage_toolbar, "actionRenameSection", self.rename_current, "F2")
        self.action_delete = self._outline_action(
            self.manage_toolbar, "actionDeleteSection", self.delete_current, QKeySequence.StandardKey.Delete)
        self.action_up = self._outline_action(move, "actionMoveUp", lambda: self.move_current("up"), "Alt+Up")
        self.action_down = self._outline_action(
            move, "actionMoveDown", lambda: self.move_current("down"), "Alt+Down")
        self.action_indent = self._outline_action(
            move, "actionIndent", lambda: self.move_current("indent"), "Alt+Right")
        self.action_outdent = self._outline_action(
            move, "actionOutdent", lambda: self.move_current("outdent"), "Alt+Left")
        move.addSeparator()
        # Own actions rather than QUndoStack.createUndoAction: its text grows with
        # the command's description and would push the toolbar off the panel. No
        # shortcut: the main window's Edit → Undo (Ctrl+Z) reaches ``undo_stack``
        # when no text field has the focus; a second Ctrl+Z would be ambiguous.
        self.action_outline_undo = self._outline_action(move, "actionOutlineUndo", self.undo_stack.undo)
        self.action_outline_redo = self._outline_action(move, "actionOutlineRedo", self.undo_stack.redo)
        self.action_outline_undo.setEnabled(False)
        self.action_outline_redo.setEnabled(False)
        self.undo_stack.canUndoChanged.connect(self.action_outline_undo.setEnabled)
        self.undo_stack.canRedoChanged.connect(self.action_outline_redo.setEnabled)
        self.undo_stack.undoTextChanged.connect(self._update_undo_tips)
        self.undo_stack.redoTextChanged.connect(self._update_undo_tips)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.setSpacing(0)
        left_layout.addWidget(self.edit_toolbar)
        left_layout.addWidget(self.manage_toolbar)
        left_layout.addWidget(self.move_toolbar)
        left_layout.addWidget(self.outline_view, 1)

        middle = QWidget(splitter)
        self.section_title = QLabel(middle)
        self.section_title.setObjectName("sectionTitle")
        font = self.section_title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.section_title.setFont(font)
        self.section_title.setWordWrap(True)
        self.banner = QFrame(middle)
        self.banner.setObjectName("conflictBanner")
        self.banner.setStyleSheet(
            "#conflictBanner { background: #fef3c7; border: 1px solid #f59e0b; border-radius: 4px; }")
        self.banner_text = QLabel(self.banner)
        self.banner_text.setWordWrap(True)
        self.banner_button = QPushButton(self.banner)
        self.banner_button.setObjectName("settleConflictButton")
        self.banner_button.clicked.connect(self.open_conflict_dialog)
        banner_layout = QHBoxLayout(self.banner)
        banner_layout.addWidget(self.banner_text, 1)
        banner_layout.addWidget(self.banner_button)
        self.banner.hide()
        self.editor = MarkdownEditor(middle)
        self.editor.autosaveRequested.connect(self._autosave)
        # Typing joins the outline's undo history: one Edit → Undo for the whole workspace.
        self.text_undo = TextUndoLink(self.editor.text, self.undo_stack,
                                      lambda: self.current.title if self.current is not None else "")
        for action in (self.editor.action_undo, self.editor.action_redo):
            self.editor.toolbar.removeAction(action)
        self.action_save = QAction(self)
        self.action_save.setObjectName("actionSaveRevision")
        self.action_save.setShortcut(QKeySequence(QKeySequence.StandardKey.Save))
        self.action_save.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.action_save.triggered.connect(lambda _checked=False: self.save_revision())
        self.addAction(self.action_save)
        self.action_export = QAction(self)
        self.action_export.setObjectName("actionExportDrafts")
        self.action_export.triggered.connect(lambda _checked=False: self.export_drafts())
        # Under the text, beside what is saved: buttons, never in the format bar's overflow.
        for action, name in ((self.action_save, "saveRevisionButton"), (self.action_export, "shareDraftsButton")):
            button = QToolButton(middle)
            button.setObjectName(name)
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            self.editor.footer.addWidget(button)
        self.save_state = self.editor.status
        middle_layout = QVBoxLayout(middle)
        middle_layout.setContentsMargins(4, 0, 4, 0)
        middle_layout.addWidget(self.section_title)
        middle_layout.addWidget(self.banner)
        middle_layout.addWidget(self.editor, 1)

        self.panel = SidePanel(splitter)
        self.panel.statusChosen.connect(self._on_status)
        self.panel.ownerEdited.connect(self._on_owner)
        self.panel.commentAdded.connect(self._on_comment)
        self.panel.replyAdded.connect(self._on_reply)
        self.panel.commentResolved.connect(self._on_comment_resolved)
        self.panel.diffRequested.connect(self._on_diff)
        self.panel.restoreRequested.connect(self.restore_revision)

        splitter.addWidget(left)
        splitter.addWidget(middle)
        splitter.addWidget(self.panel)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 5)
        splitter.setStretchFactor(2, 3)
        splitter.setSizes([300, 700, 400])
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)
        self.document_page = page
        self.pages.addWidget(page)

    # -- contract -----------------------------------------------------------------------
    def retranslateUi(self) -> None:
        self.empty_title.setText(_("Framework"))
        self.empty_text.setText(_(
            "There is no framework document in this data directory yet. Create it from the "
            "skeleton (the sections of the NEASCN framework with guidance for drafters) in the "
            "language the task force drafts in, or import a framework package from a colleague."))
        self.language_label.setText(_("Document language:"))
        self.create_button.setText(_("Create framework document"))
        texts = {
            self.action_add: (_("+ Section"), _("Add a section after the selected one")),
            self.action_add_sub: (_("+ Sub"), _("Add a subsection to the selected section")),
            self.action_rename: (_("Rename"), _("Rename the selected section (F2)")),
            self.action_up: ("↑", _("Move the section up (Alt+Up)")),
            self.action_down: ("↓", _("Move the section down (Alt+Down)")),
            self.action_indent: ("→", _("Make the section a subsection of the one above (Alt+Right)")),
            self.action_outdent: ("←", _("Move the section one level up (Alt+Left)")),
            self.action_delete: (_("Delete section"), _("Delete the selected section, after asking (can be undone)")),
            self.action_outline_undo: ("↶", ""),
            self.action_outline_redo: ("↷", ""),
            self.action_save: (_("Save revision"), _("Record this version of the section in the history (Ctrl+S)")),
            self.action_export: (_("Share draft…"), _("Write a framework package for the other task-force members")),
        }
        for action, (label, tip) in texts.items():
            action.setText(label)
            action.setToolTip(tip)
        self._update_undo_tips()
        self.banner_text.setText(_(
            "This section has versions in conflict: several members changed it at the same time."))
        self.banner_button.setText(_("Settle conflict…"))
        self.language_label.setBuddy(self.language_combo)
        self.outline_view.setAccessibleName(_("Sections of the framework"))
        self.outline_view.setAccessibleDescription(_(
            "The outline: select a section to edit it; F2 renames, Delete deletes, Alt+arrows move it"))
        self.editor.text.setAccessibleName(_("Section text"))
        self.editor.retranslateUi()
        self.panel.retranslateUi()
        self.outline_model.retranslateUi()
        self._restore_selection()
        self._show_current_header()

    def _update_undo_tips(self) -> None:
        undo, redo = self.undo_stack.undoText(), self.undo_stack.redoText()
        self.action_outline_undo.setToolTip(
            _("Undo: {action}").format(action=undo) if undo else _("Undo the last change"))
        self.action_outline_redo.setToolTip(
            _("Redo: {action}").format(action=redo) if redo else _("Redo the change"))

    def on_changes(self, changes: Changes) -> None:
        if changes.touches(*WATCHED_TYPES):
            self.refresh()

    # -- state ----------------------------------------------------------------------------
    def _run(self, operation: Callable[[], Changes]) -> bool:
        """Run a use case, publish what it changed, show its error; True on success."""
        try:
            changes = operation()
        except NeascnError as exc:
            self.ctx.show_error(exc, self)
            return False
        if changes:
            self.ctx.publish(changes)
        return True

    def refresh(self) -> None:
        sections = service.list_sections(self.ctx.db)
        if not sections:
            self.pages.setCurrentWidget(self.empty_page)
            self.language_combo.setCurrentIndex(max(0, self.language_combo.findData(self.ctx.profile.language)))
            self.current_id, self.current = None, None
            return
        self.pages.setCurrentWidget(self.document_page)
        self.outline_model.set_sections(sections)
        self.outline_view.expandAll()
        self.outline_view.resizeColumnToContents(1)
        if self.current_id is None or self.outline_model.section(self.current_id) is None:
            self.current_id = None
            self.select_section(sections[0].id)
            return
        self._restore_selection()
        self._load_current(reload_text=False)

    def _restore_selection(self) -> None:
        if self.current_id is None:
            return
        index = self.outline_model.index_of(self.current_id)
        if index.isValid() and self.outline_view.currentIndex() != index:
            self.outline_view.selectionModel().blockSignals(True)
            self.outline_view.setCurrentIndex(index)
            self.outline_view.selectionModel().blockSignals(False)

    def select_section(self, section_id: str) -> None:
        """Leave the current section (autosave and cut a revision) and open another."""
        if section_id == self.current_id:
            return
        self.save_now()
        self.current_id = section_id
        self._restore_selection()
        self._load_current(reload_text=True)

    def _on_outline_current(self, current, _previous) -> None:
        section_id = current.sibling(current.row(), 0).data(SECTION_ID_ROLE) if current.isValid() else None
        if section_id:
            self.select_section(section_id)

    def _show_current_header(self) -> None:
        section = self.current
        if section is None:
            self.section_title.clear()
            return
        self.section_title.setText(f"{section.number}  {section.title}")
        self.panel.show_section(section.status, section.owner, guidance_for(section.id, current_language()))

    def _load_current(self, *, reload_text: bool) -> None:
        section = self.outline_model.section(self.current_id)
        if section is None:
            return
        self.current = section
        self._show_current_header()
        # Reload only when the stored text really changed (an import, a merge, the
        # CLI), never because of a refresh for a comment: that would move the cursor
        # and forget the undo history. Comparing with what was loaded, not with the
        # editor's normalised output, keeps texts from elsewhere (CLI) stable too.
        changed_elsewhere = section.body != self._loaded_body and not self.editor.is_dirty()
        if reload_text or changed_elsewhere:
            self._load_text(section.body)
        self.banner.setVisible(section.in_conflict)
        self.editor.setEnabled(not section.deleted)
        self.panel.set_comments(service.list_comments(self.ctx.db, section.id))
        self.panel.set_history(service.history(self.ctx.db, section.id))
        self._show_save_state(section)

    def _load_text(self, body: str) -> None:
        self.text_undo.loading = True
        try:
            self.editor.set_markdown(body)
        finally:
            self.text_undo.loading = False
        self.text_undo.reloaded()
        self._loaded_body = body

    def _show_save_state(self, section: Section) -> None:
        if has_conflict_markers(self.editor.markdown()):
            text = _("Conflict markers left: settle the marked text and delete the marker lines.")
        elif section.has_working_copy or self.editor.is_dirty():
            text = _("Changes autosaved; a revision is recorded when you leave the section or press Ctrl+S.")
        else:
            text = _("All changes recorded.")
        self.save_state.setText(text)

    # -- saving ----------------------------------------------------------------------------
    def _autosave(self) -> None:
        if self.current_id is None:
            return
        body = self.editor.markdown()
        try:
            service.save_working_copy(self.ctx.db, self.current_id, body)
            self._loaded_body = body
        except NeascnError as exc:
            self.ctx.show_error(exc, self)
            return
        if self.current is not None:
            self._show_save_state(self.current)

    def save_now(self) -> None:
        """Autosave what is typed and cut a revision from it (leaving, Ctrl+S, hide, quit)."""
        if self.current_id is None:
            return
        self.editor.flush()
        self._run(lambda: service.cut_revision(self.ctx.db, self.ctx.profile, self.current_id or ""))

    def prepareToClose(self) -> None:  # noqa: N802 - the workspace contract's name
        self.save_now()

    def save_revision(self) -> None:
        self.save_now()
        if self.current is not None:
            self.save_state.setText(_("Revision saved."))

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 - Qt's name
        self.save_now()
        super().hideEvent(event)

    def export_drafts(self, path: Path | None = None) -> BackgroundTask | None:
        """Cut revisions from every working copy, then write a framework package in the background."""
        if path is None:
            chosen, _filter = save_file_name(self, self.ctx.data_dir, _("Share draft"), "framework.neascn",
                                             _("NEASCN packages (*.neascn)"))
            if chosen is None:
                return None
            path = chosen
        self.save_now()
        if not self._run(lambda: service.cut_all_revisions(self.ctx.db, self.ctx.profile)):
            return None
        from neascn_desktop.sync import export_package

        db, target = self.ctx.db, path

        def task(progress, is_cancelled):
            return export_package(db, "framework", target, progress=progress)

        def done(result) -> None:
            self.save_state.setText(_("Drafts written to {path}.").format(path=result.path))

        return self.ctx.run_in_background(task, title=_("Share drafts"), on_success=done, parent=self)

    # -- outline --------------------------------------------------------------------------
    def create_document(self, language: str | None = None) -> None:
        language = language or self.language_combo.currentData()
        self._run(lambda: service.create_document(self.ctx.db, self.ctx.profile, language))

    def _push(self, command) -> None:
        self.undo_stack.push(command)

    def add_section(self, title: str | None = None, *, as_child: bool = False) -> None:
        if title is None:
            title, ok = QInputDialog.getText(self, _("Add section"), _("Title of the new section:"))
            if not ok or not title.strip():
                return
        current = self.current
        if current is None:
            parent_id, index = None, None
        elif as_child:
            parent_id, index = current.id, None
        else:
            siblings = [s.id for s in self.outline_model.sections if s.parent_id == current.parent_id]
            parent_id, index = current.parent_id, siblings.index(current.id) + 1
        command = AddSectionCommand(self._run, self.ctx, title.strip(), parent_id, index)
        self._push(command)
        self.select_section(command.section_id)

    def rename_current(self, title: str | None = None) -> None:
        if self.current is None:
            return
        if title is None:
            title, ok = QInputDialog.getText(
                self, _("Rename section"), _("New title:"), text=self.current.title)
            if not ok:
                return
        if title.strip() and title.strip() != self.current.title:
            self._push(RenameSectionCommand(self._run, self.ctx, self.current, title.strip()))

    def move_current(self, direction: str) -> None:
        if self.current is not None:
            self.save_now()
            self._push(MoveSectionCommand(self._run, self.ctx, self.current, direction))

    def confirm(self, title: str, text: str) -> bool:
        """Ask a yes/no question (No is the default)."""
        answer = QMessageBox.question(self, title, text, QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def delete_current(self) -> None:
        if self.current is None:
            return
        if not self.confirm(_("Delete section"), _(
                "Delete the section “{title}” and its subsections? Edit → Undo brings them back.").format(
                    title=self.current.title)):
            return
        self.save_now()
        self._push(DeleteSectionCommand(self._run, self.ctx, self.current))

    # -- side panel -------------------------------------------------------------------------
    def _on_status(self, status: str) -> None:
        if self.current_id and self.current is not None and status != self.current.status:
            self._run(lambda: service.set_status(self.ctx.db, self.ctx.profile, self.current_id or "", status))

    def _on_owner(self, owner: str) -> None:
        if self.current_id:
            self._run(lambda: service.set_owner(self.ctx.db, self.ctx.profile, self.current_id or "", owner))

    def _on_comment(self, text: str) -> None:
        if self.current_id and self._run(
            lambda: service.add_comment(self.ctx.db, self.ctx.profile, self.current_id or "", text)
        ):
            self.panel.clear_input()

    def _on_reply(self, reply_to: str, text: str) -> None:
        if self.current_id and self._run(
            lambda: service.add_comment(
                self.ctx.db, self.ctx.profile, self.current_id or "", text, reply_to=reply_to)
        ):
            self.panel.clear_input()

    def _on_comment_resolved(self, comment_id: str, resolved: bool) -> None:
        self._run(lambda: service.resolve_comment(self.ctx.db, self.ctx.profile, comment_id, resolved))

    def restore_revision(self, revision_id: str) -> None:
        """Make an old version current again (a new revision; Edit → Undo restores the one it replaced)."""
        if self.current is None:
            return
        self.save_now()  # unsaved typing becomes a revision first: it stays in the history
        history = service.history(self.ctx.db, self.current.id)
        if not history or history[0].revision_id == revision_id:
            return
        self._push(RestoreRevisionCommand(self._run, self.ctx, self.current, revision_id, history[0].revision_id))
        self._load_current(reload_text=True)

    def _on_diff(self, old_id: str, new_id: str) -> None:
        try:
            diff = service.diff_revisions(self.ctx.db, old_id, new_id)
        except NeascnError as exc:
            self.ctx.show_error(exc, self)
            return
        self.panel.show_diff(diff)

    # -- conflicts ----------------------------------------------------------------------------
    def open_conflict_dialog(self) -> ConflictDialog | None:
        """Save what is typed (as one more version), then show the versions and the proposal."""
        if self.current_id is None:
            return None
        self.save_now()
        try:
            proposal = merge_proposal(self.ctx.db, self.current_id)
        except NeascnError as exc:
            self.ctx.show_error(exc, self)
            return None
        if len(proposal.heads) < 2:
            self.refresh()
            return None
        title = self.current.title if self.current is not None else ""
        dialog = ConflictDialog(proposal, title, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.accepted.connect(lambda: self._settle(dialog))
        self.conflict_dialog = dialog
        dialog.open()
        return dialog

    def _settle(self, dialog: ConflictDialog) -> None:
        section_id = dialog.proposal.section_id
        # The same use case as the Inbox's and the CLI's (sync.conflicts): one rule, one audit row.
        settled: list[Any] = []

        def settle(resolve: Any) -> Any:
            settled.append(resolve())
            return conflicts.resolution_changes(settled[-1])

        if dialog.choice == "keep" and dialog.kept_revision_id:
            rev = dialog.kept_revision_id
            self._run(lambda: settle(lambda: conflicts.resolve_keep(self.ctx.db, section_id, rev)))
        elif dialog.choice == "merge":
            body = normalize_markdown(dialog.merged_text())
            how = "merge" if body == normalize_markdown(dialog.proposal.body) else "edit"
            payload = {**dialog.proposal.payload, "body": body}
            self._run(lambda: settle(lambda: conflicts.resolve_with(self.ctx.db, section_id, payload, how=how)))
        if settled:  # Edit → Undo brings the versions back in conflict (issue 16)
            from neascn_desktop.gui.undo_commands import resolution_command

            self.undo_stack.push(resolution_command(self.ctx, settled[-1].id, dialog.section_title))
        self.conflict_dialog = None
        self.refresh()
        if section_id == self.current_id:
            section = self.outline_model.section(section_id)
            if section is not None:
                self._load_text(section.body)
                self._show_save_state(section)
