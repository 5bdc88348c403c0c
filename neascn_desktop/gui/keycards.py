"""File → Export key card… and Trust key cards…: the GUI over ``identity.trust``.

The rules (signature check, what "revoked" means, which changes need a warned
confirmation) live in ``neascn_desktop.identity.trust``; trusting and revoking go
through ``sync.trusting`` (which records them in the audit log), as the CLI's
``trust add|revoke`` do.  Errors from files are shown as their one sentence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Slot,
)
from PySide6.QtGui import QFontDatabase, QGuiApplication, QPalette
from PySide6.QtWidgets import QDialog, QHeaderView, QMessageBox, QWidget

from neascn_desktop.changes import Changes
from neascn_desktop.errors import NeascnError
from neascn_desktop.gui.context import GuiContext
from neascn_desktop.gui.folders import open_file_names, save_file_name
from neascn_desktop.gui.forms import load_form
from neascn_desktop.gui.icons import icon
from neascn_desktop.gui.message_boxes import ask_warning, show_error, show_info
from neascn_desktop.gui.table_model import RowTableModel
from neascn_desktop.i18n import N_, _
from neascn_desktop.i18n.formatting import format_date
from neascn_desktop.identity.keys import fingerprint
from neascn_desktop.identity.profile import ROLES
from neascn_desktop.identity.trust import (
    KeyCard,
    TrustChange,
    TrustedDevice,
    export_keycard,
    list_trusted,
    read_keycard,
    trust_changes,
)
from neascn_desktop.sync import trusting

KEYCARD_FILTER = N_("Key cards (*.key)")


def _file_stem(name: str) -> str:
    stem = re.sub(r"[^\w.-]+", "-", name.strip(), flags=re.UNICODE).strip("-.")
    return stem or "neascn"


def export_key_card_to(ctx: GuiContext, path: Path, parent: QWidget | None = None) -> KeyCard | None:
    """Write this device's key card to ``path`` and say where it went (or why not)."""
    try:
        card = export_keycard(ctx.db, ctx.profile, path)
    except NeascnError as exc:
        show_error(parent, exc)
        return None
    show_info(
        parent,
        _(
            "Your key card is saved as {path}. Give it to the people you exchange packages "
            "with, and let them check its fingerprint with you: {fingerprint}"
        ).format(path=path, fingerprint=card.fingerprint),
    )
    return card


def export_key_card_interactively(ctx: GuiContext, parent: QWidget | None = None) -> KeyCard | None:
    """Ask where to save the key card, then save it."""
    saved, _selected = save_file_name(parent, ctx.data_dir, _("Export key card"),
                                      f"{_file_stem(ctx.profile.display_name)}.key", _(KEYCARD_FILTER))
    if saved is None:
        return None
    path = saved
    if path.suffix.lower() != ".key":
        path = path.with_name(path.name + ".key")
    return export_key_card_to(ctx, path, parent)


class TrustedDevicesModel(RowTableModel[TrustedDevice]):
    """The trusted (and revoked) devices, one row each."""

    COLUMNS = (N_("Name"), N_("Organisation"), N_("Role"), N_("Fingerprint"), N_("State"))
    FINGERPRINT_COLUMN = 3

    def __init__(self, ctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.refresh()

    def refresh(self) -> None:
        self.set_rows(list_trusted(self._ctx.db))

    def device(self, row: int) -> TrustedDevice:
        return self.row(row)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        device = self.row(index.row())
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return device.display_name
            if column == 1:
                return device.organisation
            if column == 2:
                return _(ROLES.get(device.role, device.role))
            if column == 3:
                return device.fingerprint
            if device.revoked_at is not None:
                return _("Revoked on {date}").format(date=format_date(device.revoked_at))
            return _("Trusted since {date}").format(date=format_date(device.trusted_at))
        if role == Qt.ItemDataRole.FontRole and column == self.FINGERPRINT_COLUMN:
            return QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        if role == Qt.ItemDataRole.ToolTipRole:
            return _("Device id: {id}").format(id=device.device_id)
        if role == Qt.ItemDataRole.ForegroundRole and device.revoked:
            return QGuiApplication.palette().brush(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
        return None


class TrustedDevicesDialog(QDialog):
    """Lists the devices whose packages this one accepts; trust more, revoke some."""

    def __init__(self, ctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.warnings: list[QMessageBox] = []  # the trust-change warnings opened (see trust_files)
        self.form = load_form("trusted_devices_dialog.ui", self)
        self.model = TrustedDevicesModel(ctx, self)
        view = self.form.devicesView
        view.setModel(self.model)
        header = view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.form.trustButton.setIcon(icon("trust"))
        self.form.exportButton.setIcon(icon("key"))
        self.form.trustButton.clicked.connect(lambda: self.choose_and_trust())
        self.form.revokeButton.clicked.connect(lambda: self.revoke_selected())
        self.form.exportButton.clicked.connect(lambda: export_key_card_interactively(self.ctx, self))
        self.form.buttonBox.rejected.connect(self.reject)
        view.selectionModel().selectionChanged.connect(self._update_buttons)
        ctx.changes.dataChanged.connect(self._on_changes)
        self.retranslate()
        self._update_buttons()

    def retranslate(self) -> None:
        self.form.retranslate()
        self.form.ownFingerprintLabel.setText(
            _("This device's fingerprint: {fingerprint}").format(
                fingerprint=fingerprint(self.ctx.profile.signing_public_key)
            )
        )
        self.model.retranslate()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def selected_device(self) -> TrustedDevice | None:
        rows = self.form.devicesView.selectionModel().selectedRows()
        return self.model.device(rows[0].row()) if rows else None

    @Slot()
    def _update_buttons(self, *_args: object) -> None:
        device = self.selected_device()
        self.form.revokeButton.setEnabled(device is not None and not device.revoked)

    @Slot(object)
    def _on_changes(self, changes: Changes) -> None:
        if changes.touches("trusted_device"):
            self.model.refresh()
            self._update_buttons()

    def choose_and_trust(self) -> None:
        chosen = open_file_names(self, self.ctx.data_dir, _("Trust key cards"), _(KEYCARD_FILTER))
        if chosen:
            self.trust_files(chosen, confirm=True)

    def trust_files(self, paths: Sequence[Path], confirm: bool = True) -> list[TrustedDevice]:
        """Read and trust key cards; each bad file is reported as its sentence.

        A card that would change something beyond adding a device (another secretariat, a
        trusted device's key replaced) is never trusted here: a warning naming the old and
        the new fingerprint asks first, and trusts it on Yes (``warnings`` holds the boxes).
        ``confirm=False`` skips only the ordinary question, never that warning.
        """
        trusted: list[TrustedDevice] = []
        problems: list[str] = []
        for path in paths:
            try:
                card = read_keycard(path)
            except NeascnError as exc:
                problems.append(str(exc))
                continue
            if card.device_id == self.ctx.profile.device_id:
                problems.append(_("{path} is this device's own key card.").format(path=path))
                continue
            changes = trust_changes(self.ctx.db, card)
            if changes:
                self.warnings.append(self._warn_and_trust(card, path, changes))
                continue
            if confirm and not self._confirm_trust(card):
                continue
            try:
                trusted.extend(d.device for d in trusting.trust_keycards(self.ctx.db, [card], sources=[str(path)],
                                                                        role=card.role))
            except NeascnError as exc:
                problems.append(str(exc))
        if trusted:
            self.ctx.publish(Changes.of("trusted_device", [d.device_id for d in trusted]))
        if problems:
            show_error(self, _KeyCardProblems("\n".join(problems)))
        return trusted

    def _warn_and_trust(self, card: KeyCard, path: Path, changes: Sequence[TrustChange]) -> QMessageBox:
        accept = frozenset(change.kind for change in changes)

        def trust_confirmed() -> None:
            try:
                # The question (or the warning) named the card's role: trusting it as that role is
                # the decision made here (sync.trusting asks for one).
                decisions = trusting.trust_keycards(self.ctx.db, [card], accept=accept, sources=[str(path)],
                                                    role=card.role)
            except NeascnError as exc:  # changed meanwhile (another window, the CLI): say so
                show_error(self, exc)
                return
            self.ctx.publish(Changes.of("trusted_device", [d.device.device_id for d in decisions]))

        return ask_warning(self, _("Trust key cards"), " ".join(change.message for change in changes),
                           _("Trust it anyway? Check the new fingerprint with its owner first."), trust_confirmed)

    def _confirm_trust(self, card: KeyCard) -> bool:
        answer = QMessageBox.question(
            self,
            _("Trust key cards"),
            _(
                "Trust {name} ({organisation}, {role})?\n\nFingerprint: {fingerprint}\n\n"
                "Check this fingerprint with its owner first."
            ).format(
                name=card.display_name,
                organisation=card.organisation or "—",
                role=_(ROLES.get(card.role, card.role)),
                fingerprint=card.fingerprint,
            ),
        )
        return answer == QMessageBox.StandardButton.Yes

    def revoke_selected(self, confirm: bool = True) -> TrustedDevice | None:
        device = self.selected_device()
        if device is None or device.revoked:
            return None
        if confirm:
            answer = QMessageBox.question(
                self,
                _("Revoke"),
                _("Stop accepting packages from {name} ({fingerprint})?").format(
                    name=device.display_name, fingerprint=device.fingerprint
                ),
            )
            if answer != QMessageBox.StandardButton.Yes:
                return None
        try:
            revoked = trusting.revoke_device(self.ctx.db, device.device_id)
        except NeascnError as exc:
            show_error(self, exc)
            return None
        self.ctx.publish(Changes.of("trusted_device", [revoked.device_id]))
        return revoked


class _KeyCardProblems(NeascnError):
    """The sentences of the key cards that could not be trusted, one per line."""
