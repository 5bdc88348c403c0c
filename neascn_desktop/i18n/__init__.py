"""Languages: gettext catalogs (read from the ``.po`` files), the active language, plurals.

English is the source language; ``ko``, ``zh_Hans``, ``ja``, ``ru`` and ``mn``
come from ``translations/<code>/LC_MESSAGES/messages.po``.  Catalogs are read
straight from the ``.po`` files (compiled in memory with Babel), so a fresh
``pip install`` shows translated text without a compile step; fuzzy entries
are never used.
"""

from __future__ import annotations

import gettext as _gettext
import io
import threading
from collections.abc import Callable

from neascn_desktop.paths import translations_dir

#: Supported languages: code -> name of the language in itself.
LANGUAGES: dict[str, str] = {
    "en": "English",
    "ko": "한국어",
    "zh_Hans": "简体中文",
    "ja": "日本語",
    "ru": "Русский",
    "mn": "Монгол",
}
DEFAULT_LANGUAGE = "en"
DOMAIN = "messages"

_lock = threading.Lock()
_catalogs: dict[str, _gettext.NullTranslations] = {}
_current = DEFAULT_LANGUAGE
_listeners: list[Callable[[str], None]] = []


def normalize_language(code: str | None) -> str:
    """Map ``ko_KR``, ``zh-CN``, ``zh_Hans`` and friends to a supported code (or ``en``)."""
    if not code:
        return DEFAULT_LANGUAGE
    code = code.replace("-", "_")
    if code in LANGUAGES:
        return code
    lowered = code.lower()
    if lowered.startswith("zh"):
        return "zh_Hans"
    base = lowered.split("_")[0]
    return base if base in LANGUAGES else DEFAULT_LANGUAGE


def catalog(language: str) -> _gettext.NullTranslations:
    """The compiled catalog of a language (``NullTranslations`` for English or a missing file)."""
    language = normalize_language(language)
    with _lock:
        cached = _catalogs.get(language)
        if cached is not None:
            return cached
        translations: _gettext.NullTranslations = _gettext.NullTranslations()
        po_path = translations_dir() / language / "LC_MESSAGES" / f"{DOMAIN}.po"
        if language != DEFAULT_LANGUAGE and po_path.is_file():
            from babel.messages.mofile import write_mo
            from babel.messages.pofile import read_po

            with po_path.open("rb") as handle:
                po = read_po(handle, locale=language, domain=DOMAIN)
            # A half-translated plural entry would otherwise yield empty forms: drop it.
            for message in list(po):
                if message.id and isinstance(message.string, tuple) and not all(message.string):
                    del po[message.id]
            buffer = io.BytesIO()
            write_mo(buffer, po, use_fuzzy=False)
            buffer.seek(0)
            translations = _gettext.GNUTranslations(buffer)
        _catalogs[language] = translations
        return translations


def reload_catalogs() -> None:
    """Forget cached catalogs (after the ``.po`` files changed)."""
    with _lock:
        _catalogs.clear()


def current_language() -> str:
    return _current


def set_language(code: str | None) -> str:
    """Make ``code`` the active language for ``_()`` everywhere; returns the normalized code."""
    global _current
    language = normalize_language(code)
    catalog(language)
    _current = language
    for listener in list(_listeners):
        listener(language)
    return language


def add_language_listener(listener: Callable[[str], None]) -> None:
    """Call ``listener(code)`` after every language switch (the Qt bridge uses it)."""
    _listeners.append(listener)


def remove_language_listener(listener: Callable[[str], None]) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


def _(message: str) -> str:
    """Translate ``message`` into the active language."""
    return catalog(_current).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Translate a message with plural forms (rules from the catalog, i.e. Babel's CLDR data)."""
    return catalog(_current).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """Translate ``message`` in a context (for words that mean different things)."""
    return catalog(_current).pgettext(context, message)


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now (translate later with ``_()``)."""
    return message


def N_plural(singular: str, plural: str) -> tuple[str, str]:  # noqa: N802 - a marker, like N_
    """Mark a message with plural forms for extraction without translating it now (translate
    later with ``ngettext(*marked, n)``)."""
    return singular, plural


def translate_in(language: str, message: str) -> str:
    """Translate into a given language without changing the active one (reports use this)."""
    return catalog(language).gettext(message)


def ngettext_in(language: str, singular: str, plural: str, n: int) -> str:
    return catalog(language).ngettext(singular, plural, n)
