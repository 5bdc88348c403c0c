"""Numbers, percentages and dates for the active (or a given) language, through Babel."""

from __future__ import annotations

from datetime import date, datetime

from babel import Locale, dates, numbers

from neascn_desktop.i18n import current_language

_BABEL_LOCALES = {"en": "en", "ko": "ko_KR", "zh_Hans": "zh_Hans_CN", "ja": "ja_JP", "ru": "ru_RU", "mn": "mn_MN"}


def babel_locale(language: str | None = None) -> Locale:
    code = _BABEL_LOCALES.get(language or current_language(), "en")
    return Locale.parse(code)


def format_number(value: float | int, language: str | None = None, digits: int | None = None) -> str:
    locale = babel_locale(language)
    if digits is None:
        return numbers.format_decimal(value, locale=locale)
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return numbers.format_decimal(value, format=pattern, locale=locale)


def decimal_symbol(language: str | None = None) -> str:
    """The decimal separator of the language ("." in English, "," in Russian)."""
    return numbers.get_decimal_symbol(babel_locale(language))


def format_percent(fraction: float, language: str | None = None, digits: int = 0) -> str:
    """``0.42`` -> ``42%`` (or ``42 %`` etc. by locale)."""
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + "%"
    return numbers.format_percent(fraction, format=pattern, locale=babel_locale(language))


def format_date(value: date | datetime, language: str | None = None, format: str = "medium") -> str:
    if isinstance(value, datetime):
        value = value.date()
    return dates.format_date(value, format=format, locale=babel_locale(language))


def format_datetime(value: datetime, language: str | None = None, format: str = "medium") -> str:
    return dates.format_datetime(value, format=format, locale=babel_locale(language))
