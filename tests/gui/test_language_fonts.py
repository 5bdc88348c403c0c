"""Fonts per language and system: one table, used by the window and the charts."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

from neascn_desktop.gui.fonts import LanguageFont
from neascn_desktop.i18n import LANGUAGES, set_language
from neascn_desktop.i18n.fonts import CHART_CJK, UI_FONTS, chart_cjk_fonts, current_system


def test_the_window_font_follows_the_language_on_each_system(qapp: QApplication) -> None:
    base = qapp.font().families()
    for system, expected in (("windows", {"ja": "Yu Gothic UI", "ko": "Malgun Gothic",
                                          "zh_Hans": "Microsoft YaHei UI", "ru": "Segoe UI"}),
                             ("macos", {"ja": "Hiragino Sans", "ko": "Apple SD Gothic Neo",
                                        "zh_Hans": "PingFang SC"}),
                             ("linux", {"ja": "Noto Sans CJK JP", "ko": "Noto Sans CJK KR",
                                        "zh_Hans": "Noto Sans CJK SC"})):
        fonts = LanguageFont(qapp, system=system)
        fonts.install()
        try:
            for language, family in expected.items():
                set_language(language)
                families = qapp.font().families()
                assert families[0] == family and families[-len(base):] == base, (system, language)
        finally:
            set_language("en")
            fonts.uninstall()
    assert qapp.font().families() == base


@pytest.mark.parametrize("system", ["windows", "macos", "linux"])
def test_every_chart_language_has_a_cjk_fallback_on_every_system(system: str) -> None:
    for language in LANGUAGES:
        fonts = chart_cjk_fonts(language, system)
        assert set(CHART_CJK[system]["any"]) <= set(fonts)  # Hangul city names in an en/ru/mn chart
        if language in ("ko", "ja", "zh_Hans"):
            assert fonts[0] == CHART_CJK[system][language][0]
    # macOS: PingFang SC may be invisible to matplotlib (a font collection); others follow it.
    assert chart_cjk_fonts("zh_Hans", "macos")[:3] == ("PingFang SC", "Hiragino Sans GB", "Heiti SC")


def test_the_table_names_the_systems_by_sys_platform() -> None:
    assert current_system("win32") == "windows" and current_system("darwin") == "macos"
    assert current_system("linux") == "linux" and set(UI_FONTS) == set(CHART_CJK)
