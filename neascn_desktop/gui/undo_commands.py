"""Edit → Undo for settling a conflict and undoing an import (Inbox and Framework), as ``QUndoCommand``s.

The change itself is made before the command is pushed (its errors are shown then, and
nothing is pushed); the command's ``undo()`` and later ``redo()`` call ``sync.undo``, which
withdraws by new revisions, so every step replicates and shows in the audit log.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QUndoCommand

from neascn_desktop.gui.context import GuiContext
from neascn_desktop.i18n import _
from neascn_desktop.sync import undo
from neascn_desktop.sync.undo import UndoResult


class ReversibleCommand(QUndoCommand):
    """A change already made; undo and redo each withdraw the previous step (``sync.undo``)."""

    def __init__(self, ctx: GuiContext, text: str, *, first_undo: Callable[[], UndoResult] | None = None,
                 last_undo_id: str | None = None) -> None:
        super().__init__(text)
        self.ctx = ctx
        self._first_undo = first_undo
        self.last_undo_id = last_undo_id
        self._pushed = False

    def _step(self) -> None:
        try:
            if self._first_undo is not None and self.last_undo_id is None:
                result = self._first_undo()
            else:
                assert self.last_undo_id is not None
                result = undo.undo_undo(self.ctx.db, self.last_undo_id)
        except Exception as exc:  # noqa: BLE001 - shown to the user; the step stays where it was
            self.setObsolete(True)
            self.ctx.show_error(exc)
            return
        self.last_undo_id = result.undo_id
        self.ctx.publish(result.changes)
        if result.conflicts and self.ctx.main_window is not None:
            self.ctx.main_window.statusBar().showMessage(result.message, 10_000)

    def redo(self) -> None:
        if not self._pushed:  # QUndoStack.push() calls redo(): the change is made already
            self._pushed = True
            return
        self._step()

    def undo(self) -> None:
        self._step()


def resolution_command(ctx: GuiContext, revision_id: str, title: str) -> ReversibleCommand:
    """Settling the conflict of ``title`` with the merge revision ``revision_id``."""
    return ReversibleCommand(ctx, _("Settle the conflict in {title}").format(title=title),
                             first_undo=lambda: undo.undo_resolution(ctx.db, revision_id))


def import_undo_command(ctx: GuiContext, result: UndoResult, package: str) -> ReversibleCommand:
    """Undoing the import of ``package`` (done: ``result``)."""
    return ReversibleCommand(ctx, _("Undo the import of {package}").format(package=package),
                             last_undo_id=result.undo_id)
