"""Strings from outside (a package's sender name, a file name from a shared folder) made safe
to show: on a terminal, in a JSON document a script prints, in a Qt label.

A package is untrusted input: its sender's display name could carry terminal escapes
(``"\\x1b[2K\\r1 package applied"`` forges a line of ``neascn package import``'s report),
bidirectional overrides that reverse what a label seems to say, line breaks that start
new lines of output, lone surrogates that cannot even be printed, or ten thousand
characters.  ``safe_text`` is the one function that removes all of that; the sync room
applies it where package strings enter its values (the parsed manifest, verdicts,
outcomes, inbox and audit entries), and the front ends apply it to local file names.
"""

from __future__ import annotations

import re

#: How long a name from outside may be when shown (longer ones end in "…").
NAME_LIMIT = 200

# ANSI/ECMA-48 sequences: CSI (ESC [ … final), OSC and the other string commands (ESC ] … BEL
# or ST), and any other two-character escape.  Removed whole, so no parameter bytes remain.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?"
    r"|\x9b[0-?]*[ -/]*[@-~]?"
    r"|[\x1b\x9d\x90\x98\x9e\x9f][\]PX^_][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|[\x9d\x90\x98\x9e\x9f][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[\x20-\x7e]?"
)
# Everything else that moves the cursor, starts a line or reorders text: C0, DEL and C1
# controls, the bidirectional embeddings, overrides and isolates (U+202A-202E,
# U+2066-2069), line and paragraph separators, and lone surrogates (unprintable).
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]+")
# Invisible characters that make two names look alike while differing (a zero-width space in
# "Secretariat"), or hide a direction mark: the zero-width space, the left-to-right and
# right-to-left marks, the word joiner and invisible operators (U+2060-2064), the byte-order
# mark, the Arabic letter mark and the Mongolian vowel separator.  Removed, not replaced by a
# space.  The zero-width (non-)joiners stay: Persian names and emoji sequences need them.
_INVISIBLE = re.compile("[\u200b\u200e\u200f\u2060-\u2064\ufeff\u061c\u180e]+")
_SPACES = re.compile(r"\s{2,}")


def safe_text(value: object, limit: int | None = NAME_LIMIT) -> str:
    """``value`` as a string without control characters, escapes and direction overrides, on one
    line, at most ``limit`` characters long (``None``: no limit)."""
    text = value if isinstance(value, str) else str(value)
    if text.isprintable() and (limit is None or len(text) <= limit) and "  " not in text:
        return text  # the common case, and cheap
    text = _ESCAPES.sub("", text)
    text = _INVISIBLE.sub("", text)
    text = _CONTROLS.sub(" ", text)
    text = _SPACES.sub(" ", text).strip()
    if limit is not None and len(text) > limit:
        text = text[:limit - 1].rstrip() + "…"
    return text


def is_safe(value: str, limit: int | None = NAME_LIMIT) -> bool:
    """Whether ``value`` shows as it is (an identifier must, rather than be changed)."""
    return safe_text(value, limit) == value
