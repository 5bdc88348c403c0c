"""The first-run dialog creates the profile (and the device keys) from what the user typed."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QDialog

from neascn_desktop import i18n
from neascn_desktop.gui.first_run import FirstRunDialog
from neascn_desktop.identity.profile import load_profile


def test_first_run_dialog_creates_profile(qtbot, db) -> None:
    dialog = FirstRunDialog(db)
    qtbot.addWidget(dialog)
    ok = dialog.create_button
    assert not ok.isEnabled(), "a profile needs a name"

    dialog.fill(name="  Batbayar Dorj ", organisation="Ulaanbaatar City", role="secretariat")
    assert ok.isEnabled()
    ok.click()

    assert dialog.result() == QDialog.DialogCode.Accepted
    profile = load_profile(db)
    assert profile is not None and profile == dialog.profile
    assert (profile.display_name, profile.organisation, profile.role) == (
        "Batbayar Dorj", "Ulaanbaatar City", "secretariat"
    )
    assert (db.data_dir / "keys").is_dir()


def test_first_run_language_choice_switches_dialog_and_is_saved(
    qtbot, db, korean_catalog, qt_language
) -> None:
    dialog = FirstRunDialog(db)
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "Welcome to NEASCN Desktop"

    dialog.fill(name="Kim Min-jun", role="field", language="ko")

    assert i18n.current_language() == "ko"
    assert dialog.windowTitle() == "NEASCN Desktop에 오신 것을 환영합니다"
    assert dialog.form.nameLabel.text() == "표시 이름(&N):"
    assert dialog.form.roleCombo.currentText() == "현장 직원"
    # Qt's own LanguageChange handling (posted events; it re-labels standard buttons) must not
    # undo ours: deliver those events now, then look.
    QCoreApplication.sendPostedEvents(None, QEvent.Type.LanguageChange)
    assert dialog.create_button.text() == "프로필 만들기"
    dialog.accept()
    profile = load_profile(db)
    assert profile is not None and profile.language == "ko"


def test_the_dialog_lays_itself_out_again_in_each_language(qtbot, db, qt_language) -> None:
    """Issue 16: switched to Mongolian the heading was cut and the buttons clipped; in Japanese
    the role hint overlapped the next row. After a switch everything has the room it asks for."""
    from PySide6.QtWidgets import QLabel, QPushButton

    dialog = FirstRunDialog(db)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)

    def fits() -> bool:
        labels = [dialog.form.headingLabel, dialog.form.introLabel, dialog.form.roleHintLabel]
        buttons = dialog.findChildren(QPushButton)
        return (all(b.width() >= b.sizeHint().width() for b in buttons if b.isVisible())
                and all(label.height() >= label.heightForWidth(label.width()) for label in labels)
                and all(label.width() >= label.minimumSizeHint().width() for label in dialog.findChildren(QLabel)))

    try:
        for language in ("mn", "ja", "ru", "en"):
            dialog.fill(name="", language=language)
            assert i18n.current_language() == language
            qtbot.waitUntil(fits, timeout=120_000)
            assert dialog.findChild(QPushButton, "tryDemoButton").text() != "Try with demo data" or language == "en"
    finally:
        i18n.set_language("en")


@pytest.mark.sqlite_only
def test_first_run_joins_a_team_instead(qtbot, db, tmp_path) -> None:
    from neascn_desktop.identity.profile import create_profile
    from neascn_desktop.store import open_database
    from neascn_desktop.store.database import sqlite_url, stored_url
    from neascn_desktop.team.members import list_members

    team = open_database(tmp_path / "team")
    try:
        create_profile(team, name="Secretariat", role="secretariat")
        url = sqlite_url(tmp_path / "team" / "neascn.sqlite3")
        dialog = FirstRunDialog(db)
        qtbot.addWidget(dialog)
        assert not dialog.join_button.isEnabled(), "a member needs a name"
        dialog.fill(name="Park Min-jun", organisation="Secretariat", role="secretariat")
        # No team there: one sentence, nothing joined.
        assert not dialog.join_team(sqlite_url(tmp_path / "empty.sqlite3"), confirm=False)
        assert dialog.joined is None
        for box in dialog.findChildren(QDialog):
            box.close()
        assert dialog.join_team(url, confirm=False)
        assert dialog.result() == QDialog.DialogCode.Accepted and dialog.profile is None
        assert dialog.joined is not None and dialog.joined.status == "requested"
        assert stored_url(db.data_dir) == url  # the window reopens the team's database
        assert [m.display_name for m in list_members(team)] == ["Park Min-jun"]
    finally:
        team.dispose()
