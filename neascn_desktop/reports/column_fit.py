"""Table columns wide enough for their longest word.

Word and LibreOffice break a word that does not fit its cell in the middle, without a
hyphen: "Развивающий|ся", "Здравоохран|ение".  The builders give column widths for the
English labels; Russian and Mongolian words are half as long again.  So before a table is
written, each column whose longest word would not fit is widened, taking the room from
columns that have more than their own longest word needs; the table keeps its width.  When
there is not room enough for all, each short column gets its share of what there is.

The width of a word is the sum of Arial's (Liberation Sans') advance widths of its letters,
to a tenth of an em, 8 % more in bold.  Han,
kana and Hangul are left out: the line may break between any two of them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

#: A run of characters the line may not break inside (CJK characters may break anywhere).
#: A hyphen or slash ends a word: the line may break after it ("Государственно-|частное").
_WORD = re.compile(r"[^\s\-/\u1100-\u11ff\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]+[-/]?")
_PT_MM = 25.4 / 72
#: The template's cell margins (85 twips left and right) and a little air.
PADDING_MM = 3.0 + 0.8


#: Arial's (Liberation Sans') advance widths in em, to a tenth, of the Latin and Cyrillic
#: letters that differ from the usual 0.6 (digits, most lower-case letters).
_ADVANCE: dict[str, float] = {}
for _em, _chars in ((0.25, "'ijl"), (0.3, " !(),-./:;I[\\]`frt{|}"), (0.4, '"*гк'),
                    (0.5, "J^cksvxyzГвзпстухчьэяү"),
                    (0.7, "&ABCDEHKNPRSUVXYwАБВДЕИЙЛНПРСХЦЧЬЭЯжмыЁ"),
                    (0.8, "GMOQmМОФЪфшщюӨ"), (0.9, "%WЖШЩЫ"), (1.0, "@Ю")):
    _ADVANCE.update(dict.fromkeys(_chars, _em))


def word_width_mm(word: str, size_pt: float, bold: bool = False) -> float:
    """Estimated printed width of ``word`` in Arial at ``size_pt``."""
    return sum(_ADVANCE.get(ch, 0.6) for ch in word) * size_pt * _PT_MM * (1.08 if bold else 1.0)


@lru_cache(maxsize=8192)
def _longest_word_mm(text: str, size_pt: float, bold: bool) -> float:
    """The width of the widest word of one cell (cached: bands, scores and questions recur)."""
    words = _WORD.findall(text)
    if not words:
        return 0.0
    longest = max(map(len, words))
    # Only words close to the longest in letters can be the widest.
    return max(word_width_mm(w, size_pt, bold) for w in words if len(w) * 1.25 >= longest)


def fit_columns(widths: Sequence[float], header: Sequence[str], rows: Sequence[Sequence[str]],
                size_pt: float = 9.0) -> list[float]:
    """``widths`` (mm) with every column at least as wide as its longest word, same total."""
    columns = len(widths)
    needs = []
    for index in range(columns):
        cells = {str(row[index]) for row in rows if index < len(row) and row[index]}
        title = header[index] if index < len(header) else ""
        needs.append(max([_longest_word_mm(title, size_pt, True)]
                         + [_longest_word_mm(cell, size_pt, False) for cell in cells]) + PADDING_MM)
    deficit = sum(max(0.0, need - width) for need, width in zip(needs, widths, strict=True))
    if deficit <= 0.01:
        return list(widths)
    slack = [max(0.0, width - need) for need, width in zip(needs, widths, strict=True)]
    room = sum(slack)
    if room <= 0.01:
        return list(widths)
    # All the room there is, shared in proportion to what each column lacks when it is short.
    given = min(1.0, room / deficit)
    taken = min(1.0, deficit / room)
    return [width + (need - width) * given if need > width else width - s * taken
            for need, width, s in zip(needs, widths, slack, strict=True)]
