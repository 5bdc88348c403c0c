"""The Inbox workspace, the conflicts view and the export dialog, driven with pytest-qt."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl  # noqa: E402
from PySide6.QtGui import QDropEvent  # noqa: E402

from neascn_desktop import replica  # noqa: E402
from neascn_desktop.gui.context import GuiContext  # noqa: E402
from neascn_desktop.identity.keys import fingerprint  # noqa: E402
from neascn_desktop.identity.trust import read_keycard, trust_keycard  # noqa: E402
from neascn_desktop.sync.exporter import Recipient, export_package  # noqa: E402
from tests.sync.sync_support import commit_submission, keycard, new_profile  # noqa: E402


@pytest.fixture
def world(tmp_path: Path):  # type: ignore[no-untyped-def]
    sec_db, sec = new_profile(tmp_path / "sec", "secretariat", "Secretariat")
    field_db, field = new_profile(tmp_path / "field", "field", "Field Person")
    recipient = Recipient(sec.device_id, sec.display_name, sec.encryption_public_key)
    drop = tmp_path / "drop"
    drop.mkdir()
    sub = commit_submission(field_db, field, {"resp_name": "Kim", "city_population": 100})
    export_package(field_db, "responses", drop / "one.neascn", recipient=recipient)
    (drop / "broken.neascn").write_bytes(b"PK\x05\x06" + b"\0" * 18)
    card = keycard(field_db, field, tmp_path)
    yield {"sec_db": sec_db, "sec": sec, "field_db": field_db, "field": field, "drop": drop,
           "recipient": recipient, "card": card, "submission": sub, "tmp": tmp_path}
    sec_db.dispose()
    field_db.dispose()


def _wait_jobs(qtbot, workspace) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: not workspace.jobs, timeout=15000)


def _workspace(qtbot, world):  # type: ignore[no-untyped-def]
    from neascn_desktop.gui.inbox.workspace import InboxWorkspace

    ctx = GuiContext(db=world["sec_db"], profile=world["sec"])
    workspace = InboxWorkspace(ctx)
    qtbot.addWidget(workspace)
    workspace.confirm = lambda _text: True  # type: ignore[method-assign]
    return workspace


def test_drop_folder_verdicts_trust_and_import(qtbot, world) -> None:  # type: ignore[no-untyped-def]
    workspace = _workspace(qtbot, world)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(world["drop"]))])
    event = QDropEvent(QPoint(5, 5), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    workspace.dropEvent(event)
    _wait_jobs(qtbot, workspace)
    items = {i.path.name: i for i in workspace.model.items()}
    assert set(items) == {"one.neascn", "broken.neascn"}
    assert items["broken.neascn"].state == "damaged" and "damaged" in items["broken.neascn"].reason()
    good = items["one.neascn"]
    assert good.state == "waiting" and good.trust == "untrusted"
    assert good.fingerprint == fingerprint(world["field"].signing_public_key)
    good_row = workspace.model.row_of(world["drop"] / "one.neascn")
    broken_row = workspace.model.row_of(world["drop"] / "broken.neascn")
    assert workspace.model.data(workspace.model.index(good_row, 4)) == "valid"
    assert workspace.model.data(workspace.model.index(broken_row, 4)) == "—"  # unreadable: not checked

    row = workspace.model.row_of(world["drop"] / "one.neascn")
    workspace.table.selectRow(row)
    assert workspace.trust_button.isEnabled()
    _wait_jobs(qtbot, workspace)
    assert "Field Person" in workspace.preview.toPlainText()
    workspace.trust_selected()
    _wait_jobs(qtbot, workspace)
    assert replica.counts(world["sec_db"])["entities"].get("submission") == 1
    assert workspace.model.item(row).state == "applied"
    assert workspace.audit_model.rowCount() >= 2  # waiting, trusted, applied
    texts = {workspace.audit_model.data(workspace.audit_model.index(r, 2))
             for r in range(workspace.audit_model.rowCount())}
    assert "applied" in texts


def test_import_button_with_trusted_sender_and_conflicts_tab(qtbot, world) -> None:  # type: ignore[no-untyped-def]
    trust_keycard(world["sec_db"], read_keycard(world["card"]))
    workspace = _workspace(qtbot, world)
    workspace.add_paths([world["drop"] / "one.neascn"])
    _wait_jobs(qtbot, workspace)
    assert workspace.model.item(0).state == "ready"
    assert workspace.import_button.isEnabled()
    workspace.import_selected()
    _wait_jobs(qtbot, workspace)
    assert workspace.model.item(0).state == "applied"
    assert "1 package applied" in workspace.summary.text()

    # Concurrent edits of the same answer: one conflict in the conflicts tab.
    sec, field = world["sec"], world["field"]
    sub = world["submission"]
    base = replica.get_revision(world["sec_db"], sub.id)
    mine = dict(base.payload, answers={**base.payload["answers"], "resp_name": "Lee"})
    theirs = dict(base.payload, answers={**base.payload["answers"], "resp_name": "Park", "city_population": 7})
    replica.commit(world["sec_db"], sec.device_id, "submission", sub.entity_id, mine)
    replica.commit(world["field_db"], field.device_id, "submission", sub.entity_id, theirs)
    export_package(world["field_db"], "responses", world["drop"] / "two.neascn", recipient=world["recipient"])
    workspace.add_paths([world["drop"] / "two.neascn"])
    _wait_jobs(qtbot, workspace)
    workspace.table.clearSelection()
    workspace.import_selected()
    _wait_jobs(qtbot, workspace)
    view = workspace.conflicts
    assert view.list_model.rowCount() == 1
    assert "(1)" in workspace.tabs.tabText(1)
    model = view.comparison_model
    # The label in the user's language is shown; the technical name is in the tooltip.
    names = [model.data(model.index(r, 0), Qt.ItemDataRole.ToolTipRole).removeprefix("answers.")
             for r in range(model.rowCount())]
    assert model.data(model.index(names.index("city_population"), 0)) == "City population"
    assert "resp_name" in names and "city_population" in names
    row = names.index("resp_name")
    assert model.data(model.index(row, 1)) == "Kim"  # the common ancestor
    assert {model.data(model.index(row, 2)), model.data(model.index(row, 3))} == {"Lee", "Park"}
    population = names.index("city_population")
    assert model.data(model.index(population, 4)) == "7"  # changed on one side only: taken
    # Edit the proposal and save it.
    assert model.setData(model.index(row, 4), "Kim Lee-Park")
    assert view.save_button.isEnabled()
    view.save_edited()
    assert view.list_model.rowCount() == 0
    state = replica.current(world["sec_db"], "submission", sub.entity_id)
    assert state.heads == 1 and state.payload["answers"]["resp_name"] == "Kim Lee-Park"
    assert state.payload["answers"]["city_population"] == 7


def test_keep_one_side_in_conflicts_view(qtbot, world) -> None:  # type: ignore[no-untyped-def]
    from neascn_desktop.gui.inbox.conflicts_view import ConflictsView

    db, sec = world["sec_db"], world["sec"]
    sub = world["submission"]
    replica.add_revisions(db, [sub])
    a = replica.commit(db, sec.device_id, "submission", sub.entity_id,
                       dict(sub.payload, answers={"resp_name": "A"}))
    other = replica.make_revision("submission", sub.entity_id, [sub.id], "other-device",
                                  "9999999999999-000000", dict(sub.payload, answers={"resp_name": "B"}))
    replica.add_revisions(db, [other])
    view = ConflictsView(GuiContext(db=db, profile=sec))
    qtbot.addWidget(view)
    assert view.list_model.rowCount() == 1
    index = view.keep_choice.findData(a.id)
    view.keep_choice.setCurrentIndex(index)
    view.keep_selected()
    assert view.list_model.rowCount() == 0
    assert replica.current(db, "submission", sub.entity_id).payload["answers"] == {"resp_name": "A"}


def test_export_dialog_writes_an_encrypted_package(qtbot, world) -> None:  # type: ignore[no-untyped-def]
    from neascn_desktop.gui.inbox.export_dialog import ExportDialog

    field_db, field = world["field_db"], world["field"]
    dialog = ExportDialog(GuiContext(db=field_db, profile=field))
    qtbot.addWidget(dialog)
    kinds = [dialog.kind.itemData(i) for i in range(dialog.kind.count())]
    assert "deployment" not in kinds and "responses" in kinds
    sec_card = keycard(world["sec_db"], world["sec"], world["tmp"])
    dialog.choose_keyfile(sec_card)
    target = world["tmp"] / "out.neascn"
    dialog.file.setText(str(target))
    with qtbot.waitSignal(dialog.finished, timeout=15000):
        dialog.export()
    result = dialog.result_value
    assert result is not None and result.recipient is not None
    assert result.recipient.device_id == world["sec"].device_id and target.is_file()


def test_watched_folder_is_scanned(qtbot, world) -> None:  # type: ignore[no-untyped-def]
    workspace = _workspace(qtbot, world)
    workspace.set_watched_folder(world["drop"])
    _wait_jobs(qtbot, workspace)
    assert {i.path.name for i in workspace.model.items()} == {"one.neascn", "broken.neascn"}
    assert str(world["drop"]) in workspace.watch_label.text()
    workspace.retranslateUi()


def test_trusting_a_claimed_secretariat_asks_the_role_and_defaults_to_field(qtbot, world) -> None:  # type: ignore[no-untyped-def]
    """Hostile (issue 13, defect 3 by the inbox): a field device's package claims "secretariat"
    and rewrites the survey.  The trust button asks which role to trust it as — the dialog
    names the claimed role and the fingerprint, field staff preselected — and trusted as that,
    the rewrite is refused: the survey and the digest stay as they were."""
    from neascn_desktop.replica.clock import format_clock, wall_ms
    from neascn_desktop.surveys import installed
    from tests.sync.sync_support import signed_package

    builtin = next(r for r in installed.builtin_revisions() if r.entity_id == "neascn_readiness@2026.1")
    rewrite = replica.make_revision("survey_definition", builtin.entity_id, [builtin.id], world["field"].device_id,
                                    format_clock(wall_ms(), 0), dict(builtin.payload, title={"en": "PWNED SURVEY"}))
    for old in world["drop"].iterdir():
        old.unlink()
    package = signed_package(world["tmp"] / "field", [rewrite], world["drop"] / "pwned.neascn",
                             claimed_role="secretariat")
    workspace = _workspace(qtbot, world)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(package))])
    workspace.dropEvent(QDropEvent(QPoint(5, 5), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                                   Qt.KeyboardModifier.NoModifier))
    _wait_jobs(qtbot, workspace)
    workspace.table.selectRow(workspace.model.row_of(package))
    before = replica.digest(world["sec_db"])

    asked: list[str] = []

    def choose(item, claimed):  # type: ignore[no-untyped-def]
        dialog = workspace.role_dialog(item, claimed)
        qtbot.addWidget(dialog)
        asked.append(dialog.labelText())
        assert dialog.textValue() == "Field staff"
        assert dialog.comboBoxItems() == ["Field staff", "Task-force member", "Secretariat"]
        return "field"  # the preselected choice, accepted

    workspace.choose_role = choose  # type: ignore[method-assign]
    workspace.trust_selected()
    _wait_jobs(qtbot, workspace)
    assert len(asked) == 1 and "Secretariat" in asked[0]
    assert fingerprint(world["field"].signing_public_key) in asked[0]
    from neascn_desktop.identity.trust import list_trusted

    assert [d.role for d in list_trusted(world["sec_db"])] == ["field"]
    assert replica.digest(world["sec_db"]) == before
