"""Sort keys for city lists in the report language's alphabetical order, without ICU.

Code-point order is wrong for most of the six languages: Chinese is read in
pinyin order, Japanese in the order of the kana syllabary, Russian puts Ё
with Е, and Mongolian puts Ө after О and Ү after У (their code points come
after Я).  ICU would do this but is a large native dependency; the national
character sets already encode the orders CLDR uses, so:

- **zh_Hans**: the GB 2312 encoding.  Its first level (the 3,755 common
  hanzi, which covers city names) is ordered by pinyin; this is CLDR's
  ``zh-u-co-gb2312`` collation.  Characters outside GB 2312 come after.
- **ja**: the JIS X 0208 encoding (EUC-JP) after folding katakana to
  hiragana.  Kana are in gojūon order, and level-1 kanji are ordered by
  their common (on) reading, which is the order of CLDR's Japanese
  collation for those characters.
- **ko**: Hangul syllables are encoded in dictionary order (initial, medial,
  final jamo), so NFC code points are the Korean order.
- **ru, mn, en**: the letters mapped to their place in the alphabet (Ё after
  Е, Ө after О, Ү after У), case folded, Latin accents ignored.

Every key ends with the case-folded name, so equal keys still sort stably.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")

# Cyrillic letters that code points misplace: (letter, the letter it follows).
_CYRILLIC_AFTER = {"ё": "е", "ө": "о", "ү": "у"}


def _cyrillic_key(text: str) -> tuple[int, ...]:
    key: list[int] = []
    for char in text.casefold():
        base = _CYRILLIC_AFTER.get(char)
        # Twice the code point leaves an odd slot right after each letter for the misplaced ones.
        key.append(2 * ord(base) + 1 if base else 2 * ord(char))
    return tuple(key)


def _latin_key(text: str) -> tuple[int, ...]:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return tuple(ord(c) for c in decomposed if not unicodedata.combining(c))


def _encoded_key(text: str, encoding: str) -> tuple[int, ...]:
    key: list[int] = []
    for char in text:
        try:
            encoded = char.encode(encoding)
        except UnicodeEncodeError:
            key.extend((0xFF, 0xFF, ord(char) >> 8, ord(char) & 0xFF))  # after the charset
            continue
        key.extend(encoded)
    return tuple(key)


def _hiragana(text: str) -> str:
    return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c
                   for c in unicodedata.normalize("NFKC", text))


def collation_key(language: str) -> Callable[[str], tuple]:
    """A function mapping a name to its sort key in ``language``."""
    if language == "zh_Hans":
        return lambda text: (_encoded_key(text, "gb2312"), text.casefold())
    if language == "ja":
        return lambda text: (_encoded_key(_hiragana(text), "euc_jp"), text.casefold())
    if language == "ko":
        return lambda text: (tuple(ord(c) for c in unicodedata.normalize("NFC", text)),
                             text.casefold())
    if language in ("ru", "mn"):
        return lambda text: (_cyrillic_key(text), text.casefold())
    return lambda text: (_latin_key(text), text.casefold())


def sorted_by_name(items: Iterable[T], language: str, name: Callable[[T], str]) -> list[T]:
    """``items`` in the alphabetical order of ``language`` by ``name(item)``."""
    key = collation_key(language)
    return sorted(items, key=lambda item: key(name(item)))
