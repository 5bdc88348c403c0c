"""Fixtures for the GUI tests: real widgets on Qt's offscreen platform, real databases."""

from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before anything imports Qt

from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from babel.messages.catalog import Catalog  # noqa: E402
from babel.messages.pofile import write_po  # noqa: E402

from neascn_desktop import i18n  # noqa: E402
from neascn_desktop.identity.profile import Profile  # noqa: E402
from neascn_desktop.store import Database  # noqa: E402

#: A small Korean catalog for tests that must not depend on the lead's real one.
TEST_KOREAN = {
    "&File": "파일(&F)",
    "&Edit": "편집(&E)",
    "&View": "보기(&V)",
    "&Help": "도움말(&H)",
    "&Language": "언어(&L)",
    "Framework": "프레임워크",
    "Surveys": "설문조사",
    "Inbox": "받은 편지함",
    "Reports": "보고서",
    "Field staff": "현장 직원",
    "Database: {location}": "데이터베이스: {location}",
    "Welcome to NEASCN Desktop": "NEASCN Desktop에 오신 것을 환영합니다",
    "Create profile": "프로필 만들기",
    "Display &name:": "표시 이름(&N):",
}


@pytest.fixture
def qt_language(qapp) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """Qt's translators installed and following ``i18n.set_language`` (as the app does)."""
    from neascn_desktop.i18n.qt import QtLanguage

    language = QtLanguage(qapp)
    language.install()
    yield language
    language.uninstall()


@pytest.fixture
def korean_catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A translations folder with a tiny Korean catalog, used instead of the real one."""
    folder = tmp_path / "translations"
    target = folder / "ko" / "LC_MESSAGES"
    target.mkdir(parents=True)
    catalog = Catalog(locale="ko", domain="messages")
    for msgid, msgstr in TEST_KOREAN.items():
        catalog.add(msgid, msgstr)
    with (target / "messages.po").open("wb") as handle:
        write_po(handle, catalog)
    monkeypatch.setattr(i18n, "translations_dir", lambda: folder)
    i18n.reload_catalogs()
    yield folder
    i18n.set_language("en")
    i18n.reload_catalogs()


@pytest.fixture
def gui_ctx(db: Database, field_profile: Profile):  # type: ignore[no-untyped-def]
    from neascn_desktop.gui.context import GuiContext

    ctx = GuiContext(db=db, profile=field_profile)
    yield ctx
    ctx.changes.stop()


@pytest.fixture
def main_window(qtbot, gui_ctx, qt_language):  # type: ignore[no-untyped-def]
    from neascn_desktop.gui.main_window import MainWindow

    window = MainWindow(gui_ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.close()

