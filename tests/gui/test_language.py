"""Languages in the GUI: switching at run time, the Qt translator bridge, the .ui extractor."""

from __future__ import annotations

import io

from babel.messages.extract import extract
from PySide6.QtCore import QCoreApplication

from neascn_desktop import i18n
from neascn_desktop.i18n.ui_extractor import extract_ui
from neascn_desktop.identity.profile import load_profile
from neascn_desktop.paths import ui_file


def _visible_texts(window) -> dict[str, str]:  # type: ignore[no-untyped-def]
    form = window.form
    return {
        "file": form.menuFile.title(),
        "view": form.menuView.title(),
        "help": form.menuHelp.title(),
        "nav0": form.navigation.item(0).text(),
        "nav1": form.navigation.item(1).text(),
        "show_inbox": window._workspace_actions[2].text(),
        "role": window._role_label.text(),
    }


def test_switching_to_korean_changes_visible_texts(qtbot, main_window, korean_catalog, db) -> None:
    workspace = main_window.workspace("surveys")
    calls: list[str] = []
    original = workspace.retranslateUi
    workspace.retranslateUi = lambda: (calls.append(i18n.current_language()), original())
    before = _visible_texts(main_window)
    assert before["file"] == "&File" and before["nav0"] == "Framework"

    main_window.form.menuLanguage.actions()[1].trigger()  # 한국어

    after = _visible_texts(main_window)
    assert after == {
        "file": "파일(&F)",
        "view": "보기(&V)",
        "help": "도움말(&H)",
        "nav0": "프레임워크",
        "nav1": "설문조사",
        "show_inbox": "받은 편지함",
        "role": "현장 직원",
    }
    # The built workspace was re-translated too, and the choice is remembered.
    assert calls and calls[-1] == "ko"
    assert load_profile(db).language == "ko"
    assert main_window.ctx.profile.language == "ko"
    assert main_window.form.menuLanguage.actions()[1].isChecked()


def test_language_change_event_retranslates_open_windows(qtbot, main_window, korean_catalog) -> None:
    i18n.set_language("ko")  # e.g. from another window: reaches us as QEvent.LanguageChange
    qtbot.waitUntil(lambda: main_window.form.menuFile.title() == "파일(&F)")
    i18n.set_language("en")
    qtbot.waitUntil(lambda: main_window.form.menuFile.title() == "&File")


def test_real_korean_catalog_translates_the_menus(qtbot, main_window) -> None:
    # Uses translations/ko/LC_MESSAGES/messages.po as shipped (the lead fills it).
    i18n.reload_catalogs()
    main_window.set_language("ko")
    assert "파일" in main_window.form.menuFile.title()
    assert main_window.form.navigation.item(0).text() != "Framework"


def test_qt_translator_answers_from_the_catalog(qt_language, korean_catalog) -> None:
    i18n.set_language("ko")
    assert QCoreApplication.translate("MainWindow", "&Help") == "도움말(&H)"
    # Not in our catalog: Qt keeps the source text (None, not "", from our translator).
    assert QCoreApplication.translate("MainWindow", "No such text") == "No such text"
    i18n.set_language("en")
    assert QCoreApplication.translate("MainWindow", "&Help") == "&Help"


def test_qt_translator_loads_qtbase_for_standard_buttons(qt_language) -> None:
    i18n.set_language("ru")
    assert qt_language.qt_translator is not None
    assert not qt_language.qt_translator.isEmpty()
    i18n.set_language("mn")  # Qt ships no Mongolian file: no error, our catalog only
    assert qt_language.qt_translator is None
    i18n.set_language("zh_Hans")
    assert qt_language.qt_translator is not None


def test_babel_extracts_ui_strings_through_the_registered_method() -> None:
    with ui_file("main_window.ui").open("rb") as handle:
        messages = {message for _line, message, _comments, _context in extract("qt_ui", handle)}
    assert {"&File", "&Edit", "&View", "&Language", "&Help", "Framework", "Inbox"} <= messages
    assert "NEASCN Desktop" not in messages  # notr="true"


def test_ui_extractor_skips_notr_and_maps_disambiguation_to_a_context() -> None:
    ui = b"""<?xml version="1.0" encoding="UTF-8"?>
<ui version="4.0"><widget class="QWidget" name="W">
 <property name="windowTitle"><string notr="true">Not me</string></property>
 <property name="styleSheet"><string>color: red</string></property>
 <widget class="QPushButton" name="b">
  <property name="text"><string comment="verb" extracomment="Button that opens a file">Open</string></property>
 </widget>
 <widget class="QLabel" name="l"><property name="text"><string>Hello</string></property></widget>
</widget></ui>"""
    results = list(extract_ui(io.BytesIO(ui), ["_"], [], {}))
    assert results == [
        (6, "pgettext", ("verb", "Open"), ["Button that opens a file"]),
        (8, None, "Hello", []),
    ]
