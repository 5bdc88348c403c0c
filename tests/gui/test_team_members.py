"""File → Team members…: add who asked to join, remove a member (the team key is replaced)."""

from __future__ import annotations

from pathlib import Path

import pytest

from neascn_desktop.changes import Changes
from neascn_desktop.gui.team_members import TEAM_MEMBER, TeamMembersDialog
from neascn_desktop.identity.profile import load_profile
from neascn_desktop.store.database import sqlite_url
from neascn_desktop.team.members import join, list_members


@pytest.mark.sqlite_only
def test_an_admin_adds_and_removes_members_in_the_dialog(qtbot, db, secretariat_profile, data_dir: Path,
                                                         tmp_path: Path) -> None:
    from neascn_desktop.gui.context import GuiContext

    url = sqlite_url(data_dir / "neascn.sqlite3")
    bob = join(tmp_path / "bob", url, name="Bob")
    carol = join(tmp_path / "carol", url, name="Carol")
    ctx = GuiContext(db=db, profile=secretariat_profile)
    published: list[Changes] = []
    ctx.changes.dataChanged.connect(published.append)
    dialog = TeamMembersDialog(ctx)
    qtbot.addWidget(dialog)
    try:
        # The creator of the database is listed as the admin from the start, not after a first add.
        assert [(m.display_name, m.status, m.me) for m in dialog.model.rows] == [
            ("Bob", "requested", False), ("Carol", "requested", False), ("Secretariat Tester", "active", True)]
        assert not dialog.form.addButton.isEnabled() and not dialog.form.removeButton.isEnabled()
        dialog.select(bob.member_id)
        assert dialog.form.addButton.isEnabled() and not dialog.form.removeButton.isEnabled()
        assert dialog.add_selected(confirm=False) is not None
        dialog.select(carol.member_id)
        assert dialog.add_selected(confirm=False) is not None
        assert all(changes.touches(TEAM_MEMBER) for changes in published) and len(published) == 2
        states = {m.display_name: (m.status, m.me) for m in dialog.model.rows}
        assert states == {"Bob": ("active", False), "Carol": ("active", False),
                          "Secretariat Tester": ("active", True)}

        me = next(m for m in dialog.model.rows if m.me)
        dialog.select(me.member_id)
        assert not dialog.form.removeButton.isEnabled()  # nobody removes themselves
        key_before = secretariat_profile.encryption_public_key
        dialog.select(bob.member_id)
        assert dialog.form.removeButton.isEnabled()
        assert dialog.remove_selected(confirm=False) is not None
        assert {m.display_name: m.status for m in list_members(db)}["Bob"] == "removed"
        profile = load_profile(db)
        assert profile is not None and profile.encryption_public_key != key_before
        dialog.select(bob.member_id)
        assert dialog.form.addButton.isEnabled()  # a removed member may be added again
    finally:
        ctx.changes.stop()


def test_the_file_menu_opens_the_team_members(qtbot, main_window) -> None:
    main_window.form.actionTeamMembers.trigger()
    qtbot.waitUntil(lambda: any(isinstance(w, TeamMembersDialog) and w.isVisible()
                                for w in main_window.findChildren(TeamMembersDialog)), timeout=120_000)
    for dialog in main_window.findChildren(TeamMembersDialog):
        assert dialog.model.rowCount() == 0  # one person: no members yet
        dialog.close()


@pytest.mark.sqlite_only
def test_a_members_window_names_the_member_not_the_teams_profile(qtbot, db, secretariat_profile, data_dir: Path,
                                                                 tmp_path: Path) -> None:
    from neascn_desktop.gui.context import GuiContext
    from neascn_desktop.gui.main_window import MainWindow
    from neascn_desktop.store import open_database
    from neascn_desktop.team.members import add_member

    url = sqlite_url(data_dir / "neascn.sqlite3")
    bob = join(tmp_path / "bob", url, name="Bob", organisation="Incheon")
    add_member(db, bob.member_id)
    bob_db = open_database(tmp_path / "bob", url)
    profile = load_profile(bob_db)
    assert profile is not None and profile.display_name == "Secretariat Tester"  # the team's profile
    ctx = GuiContext(db=bob_db, profile=profile)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    try:
        label = window._profile_label
        assert label.text() == "Bob (Incheon)"  # was "Secretariat Tester (…)": someone else's name
        assert "Secretariat Tester" in label.toolTip()
    finally:
        window.close()
        ctx.changes.stop()
        bob_db.dispose()
