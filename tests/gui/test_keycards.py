"""File → Export key card… and the Trusted devices dialog, over identity.trust."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication, QMessageBox

from neascn_desktop.changes import Changes
from neascn_desktop.gui.keycards import TrustedDevicesDialog, export_key_card_to
from neascn_desktop.identity.profile import create_profile
from neascn_desktop.identity.trust import export_keycard, list_trusted, read_keycard
from neascn_desktop.store import open_database


def _visible_boxes() -> list[QMessageBox]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]


def _other_device_card(tmp_path: Path) -> Path:
    other = open_database(tmp_path / "other")
    try:
        profile = create_profile(other, name="Sato Yuki", role="taskforce", organisation="Tokyo")
        path = tmp_path / "sato.key"
        export_keycard(other, profile, path)
        return path
    finally:
        other.dispose()


def test_export_key_card_writes_a_card_and_says_where(qtbot, gui_ctx, tmp_path) -> None:
    target = tmp_path / "me.key"
    card = export_key_card_to(gui_ctx, target)
    assert card is not None and read_keycard(target).device_id == gui_ctx.profile.device_id
    messages = [box.text() for box in _visible_boxes()]
    assert any(str(target) in text and card.fingerprint in text for text in messages)
    for box in _visible_boxes():
        box.close()


def test_export_key_card_error_is_one_sentence(qtbot, gui_ctx, tmp_path) -> None:
    assert export_key_card_to(gui_ctx, tmp_path / "missing-folder" / "me.key") is None
    texts = [box.text() for box in _visible_boxes()]
    assert len(texts) == 1 and texts[0].startswith("Cannot write") and "\n" not in texts[0]
    for box in _visible_boxes():
        box.close()


def test_trust_list_and_revoke_in_the_dialog(qtbot, gui_ctx, tmp_path) -> None:
    card_path = _other_device_card(tmp_path)
    junk = tmp_path / "junk.key"
    junk.write_text("not json", encoding="utf-8")
    published: list[Changes] = []
    gui_ctx.changes.dataChanged.connect(published.append)

    dialog = TrustedDevicesDialog(gui_ctx)
    qtbot.addWidget(dialog)
    assert dialog.model.rowCount() == 0
    assert not dialog.form.revokeButton.isEnabled()

    trusted = dialog.trust_files([card_path, junk], confirm=False)

    assert [d.display_name for d in trusted] == ["Sato Yuki"]
    assert dialog.model.rowCount() == 1
    assert dialog.model.index(0, 0).data() == "Sato Yuki"
    assert dialog.model.index(0, 2).data() == "Task-force member"
    assert dialog.model.index(0, 4).data().startswith("Trusted since")
    assert published and published[0].touches("trusted_device")
    errors = [box.text() for box in _visible_boxes()]
    assert errors == [f"{junk} is not a key card (it is not valid JSON)."]
    for box in _visible_boxes():
        box.close()

    dialog.form.devicesView.selectRow(0)
    assert dialog.form.revokeButton.isEnabled()
    revoked = dialog.revoke_selected(confirm=False)
    assert revoked is not None and revoked.revoked
    assert dialog.model.index(0, 4).data().startswith("Revoked on")
    assert [d.revoked for d in list_trusted(gui_ctx.db)] == [True]
    assert not dialog.form.revokeButton.isEnabled()


def test_own_key_card_is_not_trusted(qtbot, gui_ctx, tmp_path) -> None:
    own = tmp_path / "own.key"
    export_keycard(gui_ctx.db, gui_ctx.profile, own)
    dialog = TrustedDevicesDialog(gui_ctx)
    qtbot.addWidget(dialog)
    assert dialog.trust_files([own], confirm=False) == []
    assert [box.text() for box in _visible_boxes()] == [f"{own} is this device's own key card."]
    for box in _visible_boxes():
        box.close()
