"""The Framework workspace (placeholder until its room fills it in).

Follows the contract in ``neascn_desktop/gui/README-workspaces.md``.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from neascn_desktop.changes import Changes
from neascn_desktop.gui.context import GuiContext
from neascn_desktop.i18n import _


class FrameworkWorkspace(QWidget):
    """Draft the network's framework section by section, comment and review it."""

    def __init__(self, ctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("frameworkWorkspace")
        self._title = QLabel(self)
        self._title.setObjectName("workspaceTitle")
        font = self._title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self._title.setFont(font)
        self._sentence = QLabel(self)
        self._sentence.setWordWrap(True)
        self._sentence.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.addWidget(self._title)
        layout.addWidget(self._sentence)
        layout.addStretch(1)
        self.retranslateUi()

    def retranslateUi(self) -> None:
        self._title.setText(_("Framework"))
        self._sentence.setText(_("Coming soon: the framework document with its sections, comments, review status and merges of drafts from other task-force members."))

    def on_changes(self, changes: Changes) -> None:
        # Nothing shown yet; a real workspace refreshes when changes.touches("section", ...).
        pass
