"""Which fonts show each language, on each system: the one table (the GUI and the charts use it).

Han characters take a different shape in Korean, Chinese and Japanese
typography.  A window that names no font gets the system's fallback, which on
Windows may draw Japanese in a Chinese font (and on Linux in whichever Noto CJK
face fontconfig tries first).  So each CJK language names its own font, on each
system; Latin and Cyrillic (en, ru, mn; Mongolian's Ө and Ү included) keep the
system's UI font.  The lists are in order of preference; families that are not
installed are skipped (Qt and matplotlib both fall back in order).

Charts also need a CJK fallback in *every* language: a city name in Hangul in
an English report must not turn into boxes.  macOS ships PingFang in a font
collection whose first face is "PingFang HK", so a chart library may not find
"PingFang SC": Hiragino Sans GB and Heiti SC follow it.
"""

from __future__ import annotations

import sys

#: ``sys.platform`` → the system names used below.
SYSTEMS = {"win32": "windows", "darwin": "macos"}

#: UI fonts per system and language; a language not listed keeps the system's UI font.
UI_FONTS: dict[str, dict[str, tuple[str, ...]]] = {
    "windows": {
        "en": ("Segoe UI",),
        "ru": ("Segoe UI",),
        "mn": ("Segoe UI",),
        "ko": ("Malgun Gothic", "Segoe UI"),
        "ja": ("Yu Gothic UI", "Meiryo UI", "Segoe UI"),
        "zh_Hans": ("Microsoft YaHei UI", "Microsoft YaHei", "Segoe UI"),
    },
    "macos": {
        "ko": ("Apple SD Gothic Neo",),
        "ja": ("Hiragino Sans", "Hiragino Kaku Gothic ProN"),
        "zh_Hans": ("PingFang SC", "Hiragino Sans GB", "Heiti SC"),
    },
    "linux": {
        "ko": ("Noto Sans CJK KR", "NanumGothic"),
        "ja": ("Noto Sans CJK JP", "IPAexGothic"),
        "zh_Hans": ("Noto Sans CJK SC", "WenQuanYi Micro Hei"),
    },
}

#: CJK families per system that charts try after the language's own fonts: the chart's own
#: language first (``ko``/``ja``/``zh_Hans``), then any CJK font for names in other scripts.
CHART_CJK: dict[str, dict[str, tuple[str, ...]]] = {
    "windows": {
        "ko": ("Malgun Gothic",),
        "ja": ("Yu Gothic", "Meiryo", "MS Gothic"),
        "zh_Hans": ("Microsoft YaHei", "SimHei", "SimSun"),
        "any": ("Microsoft YaHei", "Malgun Gothic", "Yu Gothic"),
    },
    "macos": {
        "ko": ("Apple SD Gothic Neo", "AppleGothic"),
        "ja": ("Hiragino Sans", "Hiragino Kaku Gothic ProN"),
        "zh_Hans": ("PingFang SC", "Hiragino Sans GB", "Heiti SC", "STHeiti"),
        "any": ("Hiragino Sans GB", "PingFang SC", "Apple SD Gothic Neo", "Arial Unicode MS"),
    },
    "linux": {
        "ko": ("Noto Sans CJK KR", "NanumGothic"),
        "ja": ("Noto Sans CJK JP",),
        "zh_Hans": ("Noto Sans CJK SC",),
        "any": ("Noto Sans CJK SC", "Noto Sans CJK KR", "Noto Sans CJK JP"),
    },
}


def current_system(platform: str | None = None) -> str:
    """``windows``, ``macos`` or ``linux`` (any other Unix counts as Linux)."""
    return SYSTEMS.get(platform or sys.platform, "linux")


def ui_fonts(language: str, system: str | None = None) -> tuple[str, ...]:
    """The UI font families for ``language`` on ``system`` (default: this one), best first."""
    return UI_FONTS[system or current_system()].get(language, ())


def chart_cjk_fonts(language: str, system: str | None = None) -> tuple[str, ...]:
    """CJK families for charts in ``language`` on ``system``: its own script's, then any."""
    table = CHART_CJK[system or current_system()]
    return tuple(dict.fromkeys(table.get(language, ()) + table["any"]))
