"""Versions of a section shown as rendered text, with what differs highlighted.

A drafter reads headings, lists and emphasis, not ``##``, ``-`` and ``**``: each version is
rendered from its Markdown by Qt (``QTextDocument.setMarkdown``), and the words that differ
from the version it is compared with are marked in the *rendered* text (the comparison runs
on the rendered plain text, so a change of markup alone is not shown as a change of words).
Inserted or changed words get a green background, and a place where words were removed a red
mark.  Used by the conflict dialog; any view that compares two texts can use it.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor, QTextDocument
from PySide6.QtWidgets import QTextBrowser, QWidget

#: Words (runs of letters, digits and marks) and single other non-space characters; a CJK
#: character is a token of its own, so a changed character is marked, not a whole sentence.
_TOKEN = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]|[^\W_]+|[^\s\w]", re.UNICODE)

CHANGED = QColor("#c8f0c8")
REMOVED = QColor("#f4b6b6")


@dataclass(frozen=True)
class Change:
    """A range of the rendered text (character offsets) that differs; ``removed`` marks a
    place where the other text has words this one lacks (``start == end``)."""

    start: int
    end: int
    removed: bool = False


def _tokens(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def changes(text: str, against: str) -> list[Change]:
    """Where ``text`` differs from ``against``, word by word (both plain rendered texts)."""
    mine, theirs = _tokens(text), _tokens(against)
    matcher = difflib.SequenceMatcher(a=[t[0] for t in theirs], b=[t[0] for t in mine], autojunk=False)
    found: list[Change] = []
    for tag, _a0, _a1, b0, b1 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if b0 < b1:
            found.append(Change(mine[b0][1], mine[b1 - 1][2]))
        else:  # only removed here: mark the place
            at = mine[b0][1] if b0 < len(mine) else len(text)
            found.append(Change(at, at, removed=True))
    return found


def rendered(markdown: str, against: str | None = None) -> tuple[QTextDocument, list[Change]]:
    """``markdown`` rendered, with what differs from ``against`` (Markdown too) highlighted."""
    document = QTextDocument()
    document.setMarkdown(markdown)
    if against is None:
        return document, []
    other = QTextDocument()
    other.setMarkdown(against)
    text = document.toPlainText()
    found = changes(text, other.toPlainText())
    changed = QTextCharFormat()
    changed.setBackground(CHANGED)
    removed = QTextCharFormat()
    removed.setBackground(REMOVED)
    # Positions of the plain text are document positions: both count a block break as one.
    cursor = QTextCursor(document)
    for change in reversed(found):
        if change.removed:
            cursor.setPosition(change.start)
            cursor.insertText("\N{BLACK CIRCLE}", removed)
        else:
            cursor.setPosition(change.start)
            cursor.setPosition(change.end, QTextCursor.MoveMode.KeepAnchor)
            cursor.mergeCharFormat(changed)
    # The ranges in the shown document, which has a mark for every removal.
    shifted: list[Change] = []
    shift = 0
    for change in found:
        if change.removed:
            shifted.append(Change(change.start + shift, change.start + shift + 1, removed=True))
            shift += 1
        else:
            shifted.append(Change(change.start + shift, change.end + shift))
    return document, shifted


class RenderedVersion(QTextBrowser):
    """A read-only, rendered version of a text; ``changes`` lists what is highlighted."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.changes: list[Change] = []

    def show_version(self, markdown: str, against: str | None = None) -> None:
        document, self.changes = rendered(markdown, against)
        document.setParent(self)
        document.setDefaultFont(self.font())
        self.setDocument(document)

    def highlighted_text(self) -> list[str]:
        """The highlighted words, as shown (for tests and accessibility)."""
        text = self.document().toPlainText()
        return [text[c.start:c.end] for c in self.changes if not c.removed]
