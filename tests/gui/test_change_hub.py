"""The GUI notices what the CLI committed while the window is open."""

from __future__ import annotations

from neascn_desktop.changes import Changes
from neascn_desktop.identity.profile import create_profile
from neascn_desktop.identity.trust import export_keycard
from neascn_desktop.store import open_database


def test_a_cli_commit_is_published_as_everything(qtbot, main_window, gui_ctx, cli, tmp_path) -> None:
    other = open_database(tmp_path / "other")
    card = tmp_path / "lee.key"
    export_keycard(other, create_profile(other, name="Lee", role="field"), card)
    other.dispose()

    main_window.ctx.changes.poll()  # absorb whatever the workspaces wrote while opening
    received: list[Changes] = []
    main_window.dataChanged.connect(received.append)
    main_window.ctx.changes.poll()
    assert received == []

    code, _out, err = cli("--data-dir", gui_ctx.data_dir, "trust", "add", card)
    assert code == 0, err
    with qtbot.waitSignal(main_window.dataChanged, timeout=30_000):
        pass  # the 1 s poll
    assert received[-1] == Changes.all()


def test_own_writes_are_not_repeated_as_everything(qtbot, main_window, gui_ctx) -> None:
    received: list[Changes] = []
    main_window.dataChanged.connect(received.append)
    main_window.set_language("ja")  # writes the profile, publishes Changes.of("profile")
    main_window.ctx.changes.poll()
    assert received == [Changes.of("profile", [gui_ctx.profile.device_id])]
    main_window.set_language("en")
