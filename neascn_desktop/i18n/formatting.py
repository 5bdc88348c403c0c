"""Numbers, percentages and dates for the active (or a given) language, through Babel.

The results are cached: a 1,000-city report formats some 30,000 numbers, mostly the same
scores and percentages, and parsing the locale and the pattern took Babel longer each time
than writing the number.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import cache, lru_cache

from babel import Locale, dates, numbers

from neascn_desktop.i18n import current_language

# British English: the app's English is British (and so is the reports' en-GB language tag).
_BABEL_LOCALES = {"en": "en_GB", "ko": "ko_KR", "zh_Hans": "zh_Hans_CN", "ja": "ja_JP", "ru": "ru_RU", "mn": "mn_MN"}


def babel_locale(language: str | None = None) -> Locale:
    return _locale(_BABEL_LOCALES.get(language or current_language(), "en"))


@cache
def _locale(code: str) -> Locale:
    return Locale.parse(code)


def format_number(value: float | int, language: str | None = None, digits: int | None = None) -> str:
    # 0 for -0.0: equal keys share a cache entry, and "-0" is never meant.
    return _format_number(value or 0, language or current_language(), digits)


@lru_cache(maxsize=8192)
def _format_number(value: float | int, language: str, digits: int | None) -> str:
    locale = babel_locale(language)
    if digits is None:
        return numbers.format_decimal(value, locale=locale)
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return numbers.format_decimal(value, format=pattern, locale=locale)


def parse_number(text: str, language: str | None = None) -> float | None:
    """A number typed the language's way ("1,5" in Russian, "1,200.5" in English), or ``None``.

    Grouping separators are accepted only where the locale puts them (Babel's strict parsing),
    so "1,5" is never read as fifteen in English.
    """
    locale = babel_locale(language)
    group = numbers.get_group_symbol(locale)
    if group.isspace():  # a typed space stands for the locale's no-break space
        text = re.sub(r"\s", group, text)
    try:
        return float(numbers.parse_decimal(text, locale=locale, strict=True))
    except (numbers.NumberFormatError, ValueError):
        return None


def decimal_symbol(language: str | None = None) -> str:
    """The decimal separator of the language ("." in English, "," in Russian)."""
    return numbers.get_decimal_symbol(babel_locale(language))


def format_percent(fraction: float, language: str | None = None, digits: int = 0) -> str:
    """``0.42`` -> ``42%`` (or ``42 %`` etc. by locale).

    The locale's own percent pattern (Russian puts a no-break space before the sign),
    with ``digits`` decimals inserted after its last digit placeholder.
    """
    return _format_percent(fraction, language or current_language(), digits)


@lru_cache(maxsize=8192)
def _format_percent(fraction: float, language: str, digits: int) -> str:
    locale = babel_locale(language)
    pattern = locale.percent_formats[None].pattern
    last = pattern.rfind("0")
    pattern = pattern[: last + 1] + ("." + "0" * digits if digits else "") + pattern[last + 1 :]
    return numbers.format_percent(fraction, format=pattern, locale=locale)


def format_date(value: date | datetime, language: str | None = None, format: str = "medium") -> str:
    if isinstance(value, datetime):
        value = value.date()
    return _format_date(value, language or current_language(), format)


@lru_cache(maxsize=4096)
def _format_date(value: date, language: str, format: str) -> str:
    return dates.format_date(value, format=format, locale=babel_locale(language))


def format_datetime(value: datetime, language: str | None = None, format: str = "medium") -> str:
    return dates.format_datetime(value, format=format, locale=babel_locale(language))
