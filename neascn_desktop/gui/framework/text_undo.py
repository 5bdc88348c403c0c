"""One undo history for the Framework workspace: typing in the section joins the outline's stack.

The section text (a ``QTextDocument``) keeps its own undo steps; each one it adds is
mirrored by a ``TypingCommand`` on the workspace's ``QUndoStack``, whose undo and redo ask
the document to step.  So Edit → Undo, Ctrl+Z in the text and the outline's ↶ all walk
one history, in the order things were done.  A step of a section no longer shown (the
document was reloaded) is obsolete and dropped.
"""

from __future__ import annotations

from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QKeyEvent, QKeySequence, QTextDocument, QUndoCommand, QUndoStack
from PySide6.QtWidgets import QTextEdit

from neascn_desktop.i18n import _

#: A widget with this property set routes Edit → Undo to its workspace's ``undo_stack``.
SHARED_UNDO_PROPERTY = "usesWorkspaceUndo"


class TypingCommand(QUndoCommand):
    """One undo step of the section text, made already when pushed."""

    def __init__(self, link: TextUndoLink, generation: int, title: str) -> None:
        super().__init__(_("Typing in {title}").format(title=title) if title else _("Typing"))
        self.link = link
        self.generation = generation
        self._pushed = False

    def _live(self) -> bool:
        if self.generation != self.link.generation:
            self.setObsolete(True)
            return False
        return True

    def redo(self) -> None:
        if not self._pushed:
            self._pushed = True
            return
        if self._live():
            self.link.stepping = True
            try:
                self.link.document.redo()
            finally:
                self.link.stepping = False

    def undo(self) -> None:
        if self._live():
            self.link.stepping = True
            try:
                self.link.document.undo()
            finally:
                self.link.stepping = False


class TextUndoLink(QObject):
    """Mirrors ``text``'s undo steps on ``stack`` and sends its Ctrl+Z / Ctrl+Shift+Z there."""

    def __init__(self, text: QTextEdit, stack: QUndoStack, title: Callable[[], str]) -> None:
        super().__init__(text)
        self.text = text
        self.document: QTextDocument = text.document()
        self.stack = stack
        self.title = title
        self.generation = 0
        self.stepping = False
        self.loading = False
        text.setProperty(SHARED_UNDO_PROPERTY, True)
        self.document.undoCommandAdded.connect(self._added)
        stack.indexChanged.connect(self._stack_moved)
        text.installEventFilter(self)

    def _alive(self) -> bool:
        # The workspace is torn down child by child: the text may outlive the stack.
        return shiboken6.isValid(self.stack) and shiboken6.isValid(self.document)

    def _stack_moved(self, _index: int) -> None:
        if not self._alive():
            return
        # Typing after another kind of step must be a step of its own: the document merges
        # consecutive typing into its last step only while it is "modified" (Qt's rule).
        top = self.stack.command(self.stack.index() - 1) if self.stack.index() > 0 else None
        if not isinstance(top, TypingCommand):
            self.document.setModified(False)

    def reloaded(self) -> None:
        """The text was replaced (another section, or its stored text changed): older steps are stale."""
        self.generation += 1

    def _added(self) -> None:
        if self._alive() and not self.stepping and not self.loading:
            self.stack.push(TypingCommand(self, self.generation, self.title()))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if self._alive() and watched is self.text and event.type() in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress):
            assert isinstance(event, QKeyEvent)
            if event.matches(QKeySequence.StandardKey.Undo) or event.matches(QKeySequence.StandardKey.Redo):
                event.accept()
                if event.type() == QEvent.Type.KeyPress:
                    if event.matches(QKeySequence.StandardKey.Undo):
                        self.stack.undo()
                    else:
                        self.stack.redo()
                return True
        return super().eventFilter(watched, event)
