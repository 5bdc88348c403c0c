"""The GUI asks before a trust change: the Trusted devices dialog and the Inbox show a warning
naming the old and the new fingerprint, and trust only on Yes; the Export dialog names the
secretariat the exporter encrypts for.  Real widgets, real key cards and packages."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMessageBox
from sqlalchemy import update

from neascn_desktop.gui.context import GuiContext
from neascn_desktop.gui.keycards import TrustedDevicesDialog
from neascn_desktop.identity.keys import fingerprint
from neascn_desktop.identity.profile import Profile, create_profile
from neascn_desktop.identity.tables import profile_table
from neascn_desktop.identity.trust import (
    NEW_SECRETARIAT,
    current_secretariat,
    export_keycard,
    read_keycard,
)
from neascn_desktop.store import Database, open_database
from neascn_desktop.sync import audit, trusting
from neascn_desktop.sync.exporter import export_package
from neascn_desktop.sync.importer import import_packages


def _device(tmp_path: Path, name: str, role: str = "secretariat",
            device_id: str | None = None) -> tuple[Database, Profile, Path]:
    """Another device's data directory and its key card (``device_id``: claim that id)."""
    folder = tmp_path / name.replace(" ", "-")
    db = open_database(folder)
    profile = create_profile(db, name=name, role=role, organisation="NEASCN")
    if device_id is not None:
        with db.writing() as conn:
            conn.execute(update(profile_table).values(device_id=device_id))
        profile = Profile(**{**profile.__dict__, "device_id": device_id})
    card = tmp_path / f"{folder.name}.key"
    export_keycard(db, profile, card)
    return db, profile, card


def _answer(box: QMessageBox, button: QMessageBox.StandardButton) -> None:
    assert box.isVisible()
    box.button(button).click()


def test_trusting_a_second_secretariat_card_warns_and_trusts_only_on_yes(qtbot, gui_ctx, tmp_path: Path) -> None:
    first_db, first, first_card = _device(tmp_path, "First Secretariat")
    second_db, second, second_card = _device(tmp_path, "Second Secretariat")
    dialog = TrustedDevicesDialog(gui_ctx)
    qtbot.addWidget(dialog)
    assert [d.display_name for d in dialog.trust_files([first_card], confirm=False)] == ["First Secretariat"]
    assert dialog.warnings == []

    assert dialog.trust_files([second_card], confirm=False) == []  # not without an answer
    box = dialog.warnings[-1]
    assert box.icon() == QMessageBox.Icon.Warning
    assert read_keycard(first_card).fingerprint in box.text() and read_keycard(second_card).fingerprint in box.text()
    _answer(box, QMessageBox.StandardButton.No)
    current = current_secretariat(gui_ctx.db)
    assert current is not None and current.device_id == first.device_id
    assert dialog.model.rowCount() == 1

    dialog.trust_files([second_card], confirm=False)
    _answer(dialog.warnings[-1], QMessageBox.StandardButton.Yes)
    current = current_secretariat(gui_ctx.db)
    assert current is not None and current.device_id == second.device_id
    assert dialog.model.rowCount() == 2  # refreshed through the change hub
    assert [e.verdict for e in audit.list_audit(gui_ctx.db) if e.action == "trust"] == ["trusted", "trusted"]
    for db in (first_db, second_db):
        db.dispose()


def test_a_card_that_reuses_a_trusted_device_id_warns_with_both_fingerprints(qtbot, gui_ctx, tmp_path: Path) -> None:
    genuine_db, genuine, genuine_card = _device(tmp_path, "Sato Yuki", role="taskforce")
    impostor_db, _impostor, impostor_card = _device(tmp_path, "Sato Yuki 2", role="taskforce",
                                                    device_id=genuine.device_id)
    dialog = TrustedDevicesDialog(gui_ctx)
    qtbot.addWidget(dialog)
    dialog.trust_files([genuine_card], confirm=False)
    dialog.trust_files([impostor_card], confirm=False)
    box = dialog.warnings[-1]
    old, new = read_keycard(genuine_card).fingerprint, read_keycard(impostor_card).fingerprint
    assert old in box.text() and new in box.text()
    _answer(box, QMessageBox.StandardButton.Yes)
    assert [d.fingerprint for d in dialog.model.rows] == [new]
    assert audit.list_audit(gui_ctx.db)[0].verdict == "key_replaced"
    for db in (genuine_db, impostor_db):
        db.dispose()


def test_inbox_trust_of_another_secretariat_warns_on_a_field_device(qtbot, gui_ctx, tmp_path: Path) -> None:
    from neascn_desktop.gui.inbox.workspace import InboxWorkspace

    first_db, first, _card = _device(tmp_path, "First Secretariat")
    second_db, second, _card2 = _device(tmp_path, "Second Secretariat")
    export_package(first_db, "deployment", tmp_path / "first.neascn")
    export_package(second_db, "deployment", tmp_path / "second.neascn")
    import_packages(gui_ctx.db, [tmp_path / "first.neascn"])  # trusted on first use
    workspace = InboxWorkspace(gui_ctx)
    qtbot.addWidget(workspace)
    asked: list[str] = []
    workspace.confirm = lambda text: asked.append(text) or True  # type: ignore[method-assign]
    workspace.add_paths([tmp_path / "second.neascn"])
    qtbot.waitUntil(lambda: not workspace.jobs, timeout=15000)
    workspace.table.selectRow(workspace.model.row_of(tmp_path / "second.neascn"))

    box = workspace.trust_selected()

    assert isinstance(box, QMessageBox) and asked == []  # the warning, not the ordinary question
    assert first.device_id != second.device_id
    text = box.text()
    assert "First Secretariat" in text and "Second Secretariat" in text
    assert fingerprint(first.signing_public_key) in text and fingerprint(second.signing_public_key) in text
    _answer(box, QMessageBox.StandardButton.Yes)
    qtbot.waitUntil(lambda: not workspace.jobs, timeout=15000)
    current = current_secretariat(gui_ctx.db)
    assert current is not None and current.device_id == second.device_id
    for db in (first_db, second_db):
        db.dispose()


def test_export_dialog_names_the_secretariat_the_exporter_encrypts_for(qtbot, db, field_profile,
                                                                      tmp_path: Path) -> None:
    from neascn_desktop.gui.inbox.export_dialog import AUTO, ExportDialog

    alpha_db, _alpha, alpha_card = _device(tmp_path, "Alpha Secretariat")
    zeta_db, zeta, zeta_card = _device(tmp_path, "Zeta Secretariat")
    trusting.trust_keycards(db, [read_keycard(alpha_card)])
    trusting.trust_keycards(db, [read_keycard(zeta_card)], accept={NEW_SECRETARIAT})
    dialog = ExportDialog(GuiContext(db=db, profile=field_profile))
    qtbot.addWidget(dialog)
    assert dialog.recipient.currentData() == AUTO
    assert "Zeta Secretariat" in dialog.recipient.currentText()
    target = tmp_path / "out.neascn"
    dialog.file.setText(str(target))
    with qtbot.waitSignal(dialog.finished, timeout=15000):
        dialog.export()
    result = dialog.result_value
    assert result is not None and result.recipient is not None and result.recipient.device_id == zeta.device_id
    for other in (alpha_db, zeta_db):
        other.dispose()
