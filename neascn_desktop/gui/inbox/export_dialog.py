"""The Export dialog: which kind of package, encrypted for whom, into which file.

It calls ``sync.export_package`` (as ``neascn package export`` does) in the
background worker; the default recipient of a responses package is the
trusted secretariat, exactly as on the command line.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from neascn_desktop.gui.context import GuiContext
from neascn_desktop.gui.folders import open_file_name, start_folder
from neascn_desktop.i18n import N_, _
from neascn_desktop.identity.trust import list_trusted
from neascn_desktop.sync.container import SUFFIX
from neascn_desktop.sync.exporter import (
    ExportResult,
    Recipient,
    export_package,
    recipient_from_keyfile,
    trusted_secretariat,
)

KIND_LABELS = {
    "responses": N_("Survey responses"),
    "deployment": N_("Deployment (surveys, cities, the secretariat's key)"),
    "framework": N_("Framework drafts and comments"),
    "all": N_("Everything"),
}
AUTO = "auto"
PLAIN = "plain"
KEYFILE = "keyfile"


class ExportDialog(QDialog):
    """Choose kind, recipient and file; ``result`` holds the ``ExportResult`` after a success."""

    def __init__(self, ctx: GuiContext, parent: QWidget | None = None, kind: str | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("exportDialog")
        self.result_value: ExportResult | None = None
        self._keyfile_recipient: Recipient | None = None
        self.kind = QComboBox(self)
        self.kind.setObjectName("kindCombo")
        self.recipient = QComboBox(self)
        self.recipient.setObjectName("recipientCombo")
        self.full = QCheckBox(self)
        self.full.setObjectName("fullCheck")
        self.file = QLineEdit(self)
        self.file.setObjectName("fileEdit")
        self.browse = QPushButton(self)
        self.browse.setObjectName("browseButton")
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.form = QFormLayout()
        self._labels = [QLabel(self) for _ in range(4)]
        file_row = QHBoxLayout()
        file_row.addWidget(self.file, 1)
        file_row.addWidget(self.browse)
        self.form.addRow(self._labels[0], self.kind)
        self.form.addRow(self._labels[1], self.recipient)
        self.form.addRow(self._labels[2], self.full)
        self.form.addRow(self._labels[3], file_row)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.note)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self.export)
        self.buttons.rejected.connect(self.reject)
        self.browse.clicked.connect(self._browse)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.recipient.activated.connect(self._recipient_chosen)
        self.retranslateUi()
        if kind is not None and self.kind.findData(kind) >= 0:
            self.kind.setCurrentIndex(self.kind.findData(kind))
        self._kind_changed()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)

    def retranslateUi(self) -> None:
        self.setWindowTitle(_("Export a package"))
        for label, text in zip(self._labels, (_("&Contents:"), _("&Encrypt for:"), _("Send:"), _("&File:")),
                               strict=True):
            label.setText(text)
        self._labels[0].setBuddy(self.kind)
        self._labels[1].setBuddy(self.recipient)
        self._labels[3].setBuddy(self.file)
        self.full.setText(_("everything, not only what the recipient may lack"))
        self.browse.setText(_("Browse…"))
        current = self.kind.currentData()
        self.kind.blockSignals(True)
        self.kind.clear()
        kinds = list(KIND_LABELS)
        if self.ctx.profile.role != "secretariat":
            kinds.remove("deployment")
        for kind in kinds:
            self.kind.addItem(_(KIND_LABELS[kind]), kind)
        if current:
            self.kind.setCurrentIndex(max(0, self.kind.findData(current)))
        self.kind.blockSignals(False)
        self._fill_recipients()

    def _fill_recipients(self) -> None:
        current = self.recipient.currentData()
        self.recipient.clear()
        secretariat = trusted_secretariat(self.ctx.db)  # the one export_package encrypts for
        if secretariat is not None and self.ctx.profile.role != "secretariat":
            self.recipient.addItem(_("the secretariat ({name})").format(name=secretariat.display_name), AUTO)
        self.recipient.addItem(_("nobody (not encrypted)"), PLAIN)
        for device in list_trusted(self.ctx.db, include_revoked=False):
            self.recipient.addItem(_("{name} ({organisation})").format(
                name=device.display_name, organisation=device.organisation or "-"), device.device_id)
        if self._keyfile_recipient is not None:
            self.recipient.addItem(self._keyfile_recipient.display_name, KEYFILE)
        self.recipient.addItem(_("a key card file…"), "choose")
        if current is not None and self.recipient.findData(current) >= 0:
            self.recipient.setCurrentIndex(self.recipient.findData(current))

    def _kind_changed(self, *_args: Any) -> None:
        kind = self.kind.currentData() or "responses"
        if not self.file.text() or self.file.text().startswith(str(self._default_folder())):
            stamp = datetime.now().strftime("%Y%m%d-%H%M")
            self.file.setText(str(self._default_folder() / f"{kind}-{stamp}{SUFFIX}"))
        if kind == "responses" and self.recipient.findData(AUTO) >= 0:
            self.recipient.setCurrentIndex(self.recipient.findData(AUTO))
        self.note.setText(_("A package is signed with this device's key; an encrypted one can only be "
                            "opened by its recipient."))

    def _default_folder(self) -> Path:
        return start_folder(self.ctx.data_dir)

    def _recipient_chosen(self, index: int) -> None:
        if self.recipient.itemData(index) != "choose":
            return
        chosen = open_file_name(self, self.ctx.data_dir, _("Key card"), _("Key cards (*.key)"))
        if chosen is None:
            self.recipient.setCurrentIndex(0)
            return
        self.choose_keyfile(chosen)

    def choose_keyfile(self, path: Path) -> None:
        try:
            self._keyfile_recipient = recipient_from_keyfile(path)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            self.ctx.show_error(exc, self)
            return
        self._fill_recipients()
        self.recipient.setCurrentIndex(self.recipient.findData(KEYFILE))

    def _browse(self) -> None:
        name, _filter = QFileDialog.getSaveFileName(self, _("Export a package"), self.file.text(),
                                                    _("NEASCN packages (*.neascn)"))
        if name:
            self.file.setText(name if name.endswith(SUFFIX) else name + SUFFIX)

    def chosen_recipient(self) -> tuple[Recipient | None, bool]:
        """(recipient, automatic) from the combo box."""
        data = self.recipient.currentData()
        if data == AUTO:
            return None, True
        if data in (PLAIN, "choose", None):
            return None, False
        if data == KEYFILE:
            return self._keyfile_recipient, False
        device = next((d for d in list_trusted(self.ctx.db) if d.device_id == data), None)
        if device is None:
            return None, False
        return Recipient(device.device_id, device.display_name, device.encryption_public_key), False

    def export(self) -> None:
        target = Path(self.file.text().strip()).expanduser()
        if not self.file.text().strip():
            return
        kind = self.kind.currentData()
        recipient, automatic = self.chosen_recipient()
        full = self.full.isChecked()
        db = self.ctx.db

        def task(progress, is_cancelled):
            return export_package(db, kind, target, recipient=recipient, auto_recipient=automatic, full=full,
                                  progress=progress)

        def done(result: ExportResult) -> None:
            self.result_value = result
            self.accept()

        self.job = self.ctx.run_in_background(task, title=_("Export a package"), on_success=done,
                                              cancellable=False, parent=self)
