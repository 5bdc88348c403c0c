"""The resolution dialog of a section in conflict: every version rendered (headings, lists,
emphasis) with what it changed highlighted, and the merge proposal to accept or edit."""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from neascn_desktop.framework.model import MergeProposal, field_label
from neascn_desktop.framework.textmerge import has_conflict_markers
from neascn_desktop.gui.rendered_versions import RenderedVersion
from neascn_desktop.i18n import _, ngettext


class ConflictDialog(QDialog):
    """Shows every version and the proposal (editable Markdown).

    After ``exec()``: ``choice`` is ``"merge"`` (``merged_text()`` is the body
    to commit) or ``"keep"`` (``kept_revision_id`` names the version to keep).
    """

    def __init__(self, proposal: MergeProposal, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conflictDialog")
        self.proposal = proposal
        self.section_title = title
        self.choice = ""
        self.kept_revision_id: str | None = None
        self.resize(1000, 700)

        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        versions = QSplitter(Qt.Orientation.Horizontal, self)
        self.version_boxes: list[QGroupBox] = []
        self.keep_buttons: list[QPushButton] = []
        self.version_views: list[RenderedVersion] = []
        self.legend = QLabel(self)
        self.legend.setObjectName("versionsLegend")
        self.legend.setWordWrap(True)
        for position, head in enumerate(proposal.heads):
            box = QGroupBox(versions)
            inner = QVBoxLayout(box)
            text = RenderedVersion(box)
            text.setObjectName(f"version_{position}")
            text.show_version(head.body, self._compared_with(position))
            self.version_views.append(text)
            keep = QPushButton(box)
            keep.setObjectName(f"keep_{head.revision_id[:8]}")
            keep.clicked.connect(lambda _checked=False, rid=head.revision_id: self._keep(rid))
            inner.addWidget(text)
            inner.addWidget(keep)
            versions.addWidget(box)
            self.version_boxes.append(box)
            self.keep_buttons.append(keep)
        self.proposal_box = QGroupBox(self)
        proposal_layout = QVBoxLayout(self.proposal_box)
        self.proposal_note = QLabel(self.proposal_box)
        self.proposal_note.setWordWrap(True)
        self.proposal_edit = QPlainTextEdit(self.proposal_box)
        self.proposal_edit.setObjectName("proposalEdit")
        self.proposal_edit.setPlainText(proposal.body)
        proposal_layout.addWidget(self.proposal_note)
        proposal_layout.addWidget(self.proposal_edit)
        self.buttons = QDialogButtonBox(self)
        self.accept_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.AcceptRole)
        self.accept_button.setObjectName("acceptProposalButton")
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._accept_merge)
        self.buttons.rejected.connect(self.reject)

        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(versions)
        splitter.addWidget(self.proposal_box)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.legend)
        layout.addWidget(splitter, 1)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.buttons)
        layout.addLayout(bottom)
        self.retranslateUi()

    def _compared_with(self, position: int) -> str:
        """What a version is compared with: the common version when there is one, else the
        other version (what it changed, or what differs)."""
        p = self.proposal
        if p.base_revision_id is not None:
            return p.base_body
        others = [h.body for i, h in enumerate(p.heads) if i != position]
        return others[0] if others else ""

    def merged_text(self) -> str:
        return self.proposal_edit.toPlainText()

    def _keep(self, revision_id: str) -> None:
        self.choice = "keep"
        self.kept_revision_id = revision_id
        self.accept()

    def _accept_merge(self) -> None:
        self.choice = "merge"
        self.accept()

    def retranslateUi(self) -> None:
        p = self.proposal
        self.setWindowTitle(_("Settle the conflict in {title}").format(title=self.section_title))
        lines = [html.escape(_("Several members changed this section at the same time. Nothing has been lost: every version is kept in the history."))]
        for name, (_base, ours, theirs) in p.field_conflicts.items():
            lines.append(html.escape(_("{field} differs: {ours} / {theirs}; the proposal keeps {ours}.").format(
                field=field_label(name), ours=ours, theirs=theirs)))
        self.intro.setText("<br>".join(lines))
        for head, box, keep in zip(p.heads, self.version_boxes, self.keep_buttons, strict=True):
            when = head.time.astimezone().strftime("%Y-%m-%d %H:%M")
            box.setTitle(_("Version of {author} ({time})").format(author=head.author, time=when))
            keep.setText(_("Keep this version"))
        self.legend.setText(
            _("Highlighted: what each version changed since the common version; ● marks words it removed.")
            if p.base_revision_id is not None else
            _("Highlighted: where the versions differ; ● marks words the other version has."))
        self.proposal_box.setTitle(_("Merge proposal (you can edit it)"))
        if p.conflicts:
            note = ngettext(
                "{count} place was changed on both sides; it is marked with ▶▶▶ and ◀◀◀. Settle it here or later in the editor.",
                "{count} places were changed on both sides; they are marked with ▶▶▶ and ◀◀◀. Settle them here or later in the editor.",
                p.conflicts,
            ).format(count=p.conflicts)
        else:
            note = _("The changes do not overlap: the proposal contains all of them.")
        self.proposal_note.setText(note)
        self.accept_button.setText(_("Accept proposal"))

    def has_markers(self) -> bool:
        return has_conflict_markers(self.merged_text())

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)
