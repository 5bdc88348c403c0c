"""One resolution of a section in conflict, whoever settles it: the Framework workspace, the Inbox, the CLI.

The rule lives once (``sync.conflicts`` asks the framework room for what is
particular to a section): every head becomes a parent of the merge, the
proposal names the versions by author and time, the resolution is audited, and
text the drafter has typed but not saved blocks it, because a resolution
settled beside unsaved text is re-opened by the drafter's next save.
"""

from __future__ import annotations

from neascn_desktop import replica
from neascn_desktop.framework import service
from neascn_desktop.framework.conflicts import merge_proposal
from neascn_desktop.sync import audit, conflicts

from .conftest import Drafter, exchange_package


def _edit(d: Drafter, section_id: str, old: str, new: str) -> None:
    body = service.get_section(d.db, section_id).body
    service.save_working_copy(d.db, section_id, body.replace(old, new))
    service.cut_revision(d.db, d.profile, section_id)


def _conflict(drafters, tmp_path, bolor_old: str = "The network learns") -> tuple[Drafter, Drafter]:
    alice, bolor = drafters
    service.create_document(alice.db, alice.profile, "en")
    exchange_package(alice, bolor, tmp_path / "packages")
    _edit(alice, "fw-background", "The Northeast Asia", "ALICE: The Northeast Asia")
    _edit(bolor, "fw-background", bolor_old, "BOLOR: " + bolor_old)
    exchange_package(bolor, alice, tmp_path / "packages")
    assert service.get_section(alice.db, "fw-background").in_conflict
    return alice, bolor


def test_cli_resolution_beside_unsaved_text_is_refused_and_a_later_save_keeps_it_settled(
    drafters, tmp_path, cli
) -> None:
    alice, _bolor = _conflict(drafters, tmp_path)
    folder = tmp_path / "alice"
    typed = service.get_section(alice.db, "fw-background").body + "Typed by Alice, not saved yet.\n\n"
    service.save_working_copy(alice.db, "fw-background", typed)
    before = replica.digest(alice.db)

    code, _out, err = cli("--data-dir", folder, "conflicts", "resolve", "fw-background", "--merge")
    assert code != 0 and err.count("\n") == 1 and "Save the section" in err
    assert replica.digest(alice.db) == before  # nothing written

    # The drafter saves (one more version), then the conflict is settled from the CLI ...
    service.cut_revision(alice.db, alice.profile, "fw-background")
    code, _out, err = cli("--data-dir", folder, "conflicts", "resolve", "fw-background", "--merge")
    assert code == 0, err
    section = service.get_section(alice.db, "fw-background")
    assert not section.in_conflict
    assert "ALICE:" in section.body and "BOLOR:" in section.body and "Typed by Alice" in section.body
    # ... and the drafter's next save does not re-open it.
    service.save_working_copy(alice.db, "fw-background", section.body + "More.\n\n")
    service.cut_revision(alice.db, alice.profile, "fw-background")
    assert not service.get_section(alice.db, "fw-background").in_conflict
    assert replica.conflicts(alice.db) == []


def test_inbox_and_framework_workspace_resolve_the_same_way(drafters, tmp_path) -> None:
    alice, _bolor = _conflict(drafters, tmp_path, bolor_old="The Northeast Asia")  # the same paragraph
    proposal = merge_proposal(alice.db, "fw-background")
    comparison = conflicts.compare(alice.db, "fw-background")
    # The Inbox shows the framework room's proposal: the same body, the same heads.
    assert comparison.proposal == proposal.payload
    assert comparison.clean == proposal.clean is False
    assert "Alice Kim" in proposal.body and "Bolor Bat" in proposal.body  # versions named by their authors
    heads = {h.id for h in replica.heads(alice.db, "fw-background")}
    revision = conflicts.resolve_with(alice.db, "fw-background", proposal.payload)
    assert set(revision.parents) == heads
    assert audit.list_audit(alice.db, limit=1)[0].action == "resolve"


def test_inbox_refuses_beside_unsaved_text_and_the_next_save_keeps_it_settled(qtbot, drafters, tmp_path) -> None:
    from PySide6.QtWidgets import QApplication, QMessageBox

    from neascn_desktop.gui.context import GuiContext
    from neascn_desktop.gui.inbox.conflicts_view import ConflictsView

    alice, _bolor = _conflict(drafters, tmp_path)
    typed = service.get_section(alice.db, "fw-background").body + "Typed by Alice, not saved yet.\n\n"
    service.save_working_copy(alice.db, "fw-background", typed)
    before = replica.digest(alice.db)
    view = ConflictsView(GuiContext(db=alice.db, profile=alice.profile))
    qtbot.addWidget(view)
    assert view.current_entity_id() == "fw-background"

    view.accept_merge()
    boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
    assert any("Save the section" in box.text() for box in boxes)
    for box in boxes:
        box.close()
    assert replica.digest(alice.db) == before

    service.cut_revision(alice.db, alice.profile, "fw-background")
    view.refresh()
    view.accept_merge()
    assert view.list_model.rowCount() == 0
    service.save_working_copy(alice.db, "fw-background",
                              service.get_section(alice.db, "fw-background").body + "More.\n\n")
    service.cut_revision(alice.db, alice.profile, "fw-background")
    assert replica.conflicts(alice.db) == []


def test_a_hostile_status_from_a_package_is_never_settled_nor_echoed(drafters, tmp_path, cli) -> None:
    """A drafter's package carries a section status no version of the app writes (with a terminal
    escape): settling on it is refused in one escaped line, and nothing is written."""
    from neascn_desktop.identity.trust import keycard_for, trust_keycard
    from neascn_desktop.sync import export_package, import_packages

    alice, bolor = drafters
    service.create_document(alice.db, alice.profile, "en")
    exchange_package(alice, bolor, tmp_path / "packages")
    _edit(alice, "fw-background", "The Northeast Asia", "ALICE: The Northeast Asia")
    state = replica.current(bolor.db, "framework_section", "fw-background")
    assert state is not None
    replica.commit(bolor.db, bolor.profile.device_id, "framework_section", "fw-background",
                   {**state.payload, "status": "\x1b[2Jagreed"})
    trust_keycard(alice.db, keycard_for(bolor.profile))
    path = tmp_path / "hostile.neascn"
    export_package(bolor.db, "framework", path, full=True)
    report = import_packages(alice.db, [path])
    before = replica.digest(alice.db)
    if report.exit_code != 0:  # refused at the door (a stricter import): nothing to settle
        assert not service.get_section(alice.db, "fw-background").in_conflict
        return
    code, out, err = cli("--data-dir", tmp_path / "alice", "conflicts", "resolve", "fw-background", "--merge")
    assert code != 0 and err.count("\n") == 1 and "\x1b" not in err + out and "Unknown status" in err
    assert replica.digest(alice.db) == before
