"""The framework outline: its item model and the undoable outline operations.

The outline is small (tens of sections), so the model is rebuilt from
``framework.service.list_sections`` whenever sections change. Every outline
operation is a ``QUndoCommand`` that calls a use case; undo calls the inverse
use case, so undoing is itself recorded in the revision log (nothing is ever
rewritten).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QStandardItem, QStandardItemModel, QUndoCommand

from neascn_desktop.changes import Changes
from neascn_desktop.framework import service
from neascn_desktop.framework.model import Section
from neascn_desktop.i18n import _

SECTION_ID_ROLE = Qt.ItemDataRole.UserRole + 1

_STATUS_COLOURS = {"draft": "#6b7280", "in_review": "#b45309", "agreed": "#15803d"}


class OutlineModel(QStandardItemModel):
    """Two columns (section, status); each row's first item holds the section id."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.sections: list[Section] = []
        self.retranslateUi()

    def retranslateUi(self) -> None:
        self.setHorizontalHeaderLabels([_("Section"), _("Status")])
        self.set_sections(self.sections)

    def set_sections(self, sections: list[Section]) -> None:
        self.sections = sections
        self.removeRows(0, self.rowCount())
        parents: dict[str, QStandardItem] = {}
        for section in sections:
            title = QStandardItem(f"{section.number}  {section.title}")
            title.setData(section.id, SECTION_ID_ROLE)
            title.setEditable(False)
            tips = [section.title]
            if section.in_conflict:
                title.setText("⚠ " + title.text())
                title.setForeground(QBrush(QColor("#b91c1c")))
                tips.append(_("Versions in conflict: open the section to settle them."))
            if section.has_working_copy:
                tips.append(_("Unsaved changes are kept in the working copy."))
            title.setToolTip("\n".join(tips))
            status = QStandardItem(section.status_label)
            status.setEditable(False)
            status.setForeground(QBrush(QColor(_STATUS_COLOURS.get(section.status, "#6b7280"))))
            status.setData(section.id, SECTION_ID_ROLE)
            parent_item = parents.get(section.parent_id or "")
            (parent_item or self.invisibleRootItem()).appendRow([title, status])
            parents[section.id] = title

    def index_of(self, section_id: str) -> QModelIndex:
        found = self.match(
            self.index(0, 0), SECTION_ID_ROLE, section_id, 1,
            Qt.MatchFlag.MatchRecursive | Qt.MatchFlag.MatchExactly,
        )
        return found[0] if found else QModelIndex()

    def section(self, section_id: str | None) -> Section | None:
        return next((s for s in self.sections if s.id == section_id), None)


Runner = Callable[[Callable[[], Changes]], bool]


class _OutlineCommand(QUndoCommand):
    """Runs use cases through ``run`` (which publishes their changes and shows errors)."""

    def __init__(self, run: Runner, text: str) -> None:
        super().__init__(text)
        self.run = run

    def _do(self, operation: Callable[[], Changes]) -> None:
        if not self.run(operation):
            self.setObsolete(True)


class AddSectionCommand(_OutlineCommand):
    def __init__(self, run: Runner, ctx, title: str, parent_id: str | None, index: int | None) -> None:
        super().__init__(run, _("Add section {title}").format(title=title))
        self.ctx, self.title, self.parent_id, self.index = ctx, title, parent_id, index
        self.section_id = str(uuid.uuid4())
        self._added = False

    def redo(self) -> None:
        db, profile = self.ctx.db, self.ctx.profile
        if not self._added:
            self._do(lambda: service.add_section(
                db, profile, self.title, parent_id=self.parent_id, index=self.index,
                section_id=self.section_id))
            self._added = True
        else:
            self._do(lambda: service.restore_section(db, profile, self.section_id))

    def undo(self) -> None:
        self._do(lambda: service.delete_section(self.ctx.db, self.ctx.profile, self.section_id))


class DeleteSectionCommand(_OutlineCommand):
    def __init__(self, run: Runner, ctx, section: Section) -> None:
        super().__init__(run, _("Delete section {title}").format(title=section.title))
        self.ctx, self.section_id = ctx, section.id

    def redo(self) -> None:
        self._do(lambda: service.delete_section(self.ctx.db, self.ctx.profile, self.section_id))

    def undo(self) -> None:
        self._do(lambda: service.restore_section(self.ctx.db, self.ctx.profile, self.section_id))


class RenameSectionCommand(_OutlineCommand):
    def __init__(self, run: Runner, ctx, section: Section, new_title: str) -> None:
        super().__init__(run, _("Rename section {title}").format(title=section.title))
        self.ctx, self.section_id = ctx, section.id
        self.old_title, self.new_title = section.title, new_title

    def redo(self) -> None:
        self._do(lambda: service.rename_section(
            self.ctx.db, self.ctx.profile, self.section_id, self.new_title))

    def undo(self) -> None:
        self._do(lambda: service.rename_section(
            self.ctx.db, self.ctx.profile, self.section_id, self.old_title))


def _place(sections: list[Section], section_id: str) -> tuple[str | None, int]:
    """(parent id, index among visible siblings) of a section in the outline."""
    me = next(s for s in sections if s.id == section_id)
    siblings = [s.id for s in sections if s.parent_id == me.parent_id]
    return me.parent_id, siblings.index(section_id)


class MoveSectionCommand(_OutlineCommand):
    """Up, down, indent or outdent; undo moves the section back to where it was."""

    def __init__(self, run: Runner, ctx, section: Section, direction: str) -> None:
        labels = {
            "up": _("Move {title} up"),
            "down": _("Move {title} down"),
            "indent": _("Indent {title}"),
            "outdent": _("Outdent {title}"),
        }
        super().__init__(run, labels[direction].format(title=section.title))
        self.ctx, self.section_id, self.direction = ctx, section.id, direction
        self.before: tuple[str | None, int] | None = None
        self.after: tuple[str | None, int] | None = None

    def _move_to(self, place: tuple[str | None, int]) -> None:
        parent_id, index = place
        self._do(lambda: service.move_section(
            self.ctx.db, self.ctx.profile, self.section_id, parent_id=parent_id, index=index))

    def redo(self) -> None:
        if self.after is not None:
            self._move_to(self.after)
            return
        db, profile = self.ctx.db, self.ctx.profile
        self.before = _place(service.list_sections(db), self.section_id)
        moved: list[bool] = []

        def shift() -> Changes:
            changes = service.shift_section(db, profile, self.section_id, self.direction)
            moved.append(bool(changes))
            return changes

        self._do(shift)
        if not any(moved):
            self.setObsolete(True)
            return
        self.after = _place(service.list_sections(db), self.section_id)

    def undo(self) -> None:
        if self.before is not None:
            self._move_to(self.before)


class RestoreRevisionCommand(_OutlineCommand):
    """History → Restore this version: one more revision, undone by restoring the one it replaced."""

    def __init__(self, run: Runner, ctx, section: Section, revision_id: str, replaced_id: str) -> None:
        super().__init__(run, _("Restore an earlier version of {title}").format(title=section.title))
        self.ctx, self.section_id = ctx, section.id
        self.revision_id, self.replaced_id = revision_id, replaced_id

    def redo(self) -> None:
        self._do(lambda: service.restore_revision(self.ctx.db, self.ctx.profile, self.section_id, self.revision_id))

    def undo(self) -> None:
        self._do(lambda: service.restore_revision(self.ctx.db, self.ctx.profile, self.section_id, self.replaced_id))
