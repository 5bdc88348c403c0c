"""Section bodies as paragraphs: readable diffs and the three-way merge of drafts.

A Markdown body is split into paragraphs (blocks separated by blank lines). A
diff compares paragraphs (difflib); a merge runs ``merge3`` on the paragraphs
of the common ancestor and the two versions. Paragraphs changed on one side
only are taken; where both sides changed the same paragraphs, a line-level
merge of just that region is tried (two drafters editing different items of
one list), and what still overlaps is written out with both versions between
conflict markers for the drafter to settle in the editor.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from merge3 import Merge3

from neascn_desktop.i18n import _

#: First characters of the marker lines around a conflicting region. Chosen to
#: survive a Markdown round trip unchanged (``>``, ``=`` and ``<`` would become
#: quotes, headings or HTML) and to be impossible to overlook.
CONFLICT_START = "▶▶▶"
CONFLICT_END = "◀◀◀"

_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def split_paragraphs(text: str) -> list[str]:
    """The non-empty blocks of ``text`` (separated by blank lines), without surrounding newlines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    blocks = (block.strip("\n") for block in _BLANK_LINE.split(text))
    return [block for block in blocks if block.strip()]


def join_paragraphs(paragraphs: list[str]) -> str:
    """The Markdown text of ``paragraphs`` (blank line between, one after the last)."""
    return "".join(f"{p}\n\n" for p in paragraphs)


def same_text(a: str, b: str) -> bool:
    """True if two bodies have the same paragraphs (blank-line differences do not count)."""
    return split_paragraphs(a) == split_paragraphs(b)


def has_conflict_markers(text: str) -> bool:
    """True while a merged body still contains a conflict for the drafter to settle."""
    return any(
        line.lstrip().startswith((CONFLICT_START, CONFLICT_END)) for line in text.splitlines()
    )


# --------------------------------------------------------------------------- diff


@dataclass(frozen=True)
class DiffChunk:
    """One run of a paragraph diff: ``kind`` is equal, insert, delete or replace."""

    kind: str
    old: tuple[str, ...]
    new: tuple[str, ...]


def diff_paragraphs(old: str, new: str) -> list[DiffChunk]:
    """The paragraph-level differences between two bodies, in document order."""
    a, b = split_paragraphs(old), split_paragraphs(new)
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    return [
        DiffChunk(tag, tuple(a[i1:i2]), tuple(b[j1:j2]))
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
    ]


def diff_words(old: str, new: str) -> list[tuple[str, str]]:
    """Word-level runs ``(kind, text)`` between two paragraphs: equal, delete or insert.

    Splits on whitespace and keeps every CJK character as its own token, so
    that Chinese and Japanese edits are not shown as whole-line changes.
    """
    token = re.compile(r"\s+|[\u3000-\u30ff\u3400-\u9fff\uac00-\ud7af\uff00-\uffef]|[^\s\u3000-\u30ff\u3400-\u9fff\uac00-\ud7af\uff00-\uffef]+")
    a, b = token.findall(old), token.findall(new)
    runs: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            runs.append(("equal", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            runs.append(("delete", "".join(a[i1:i2])))
        if j2 > j1:
            runs.append(("insert", "".join(b[j1:j2])))
    return runs


def diff_text(old: str, new: str) -> str:
    """A plain-text rendering of a paragraph diff: ``-`` removed, ``+`` added, two-space context."""
    lines: list[str] = []
    for chunk in diff_paragraphs(old, new):
        if chunk.kind == "equal":
            for paragraph in chunk.old:
                lines.extend("  " + line for line in paragraph.splitlines())
                lines.append("")
            continue
        for paragraph in chunk.old:
            lines.extend("- " + line for line in paragraph.splitlines())
            lines.append("")
        for paragraph in chunk.new:
            lines.extend("+ " + line for line in paragraph.splitlines())
            lines.append("")
    return "\n".join(lines).rstrip("\n") + ("\n" if lines else "")


# --------------------------------------------------------------------------- merge


@dataclass(frozen=True)
class TextMerge:
    """The merged body and how many regions are left marked as conflicts."""

    text: str
    conflicts: int

    @property
    def clean(self) -> bool:
        return self.conflicts == 0


def _line_merge(base: list[str], ours: list[str], theirs: list[str]) -> list[str] | None:
    """Merge one conflicting region line by line; ``None`` if lines still overlap."""
    base_lines, ours_lines, theirs_lines = (
        join_paragraphs(part).splitlines() for part in (base, ours, theirs)
    )
    merged: list[str] = []
    for group in Merge3(base_lines, ours_lines, theirs_lines).merge_groups():
        if group[0] == "conflict":
            return None
        merged.extend(group[1])
    return split_paragraphs("\n".join(merged))


def _marked(ours: list[str], theirs: list[str], ours_label: str, theirs_label: str) -> list[str]:
    def side(paragraphs: list[str]) -> list[str]:
        return paragraphs or ["*" + _("(nothing: this version removes the text)") + "*"]

    return [
        CONFLICT_START + " " + _("Conflict: the version of {author}").format(author=ours_label),
        *side(ours),
        CONFLICT_START + " " + _("The version of {author}").format(author=theirs_label),
        *side(theirs),
        CONFLICT_END + " "
        + _("End of conflict: keep one version or combine them, then delete the marker lines."),
    ]


def merge_text(base: str, ours: str, theirs: str, ours_label: str, theirs_label: str) -> TextMerge:
    """Three-way merge of two bodies against their common ancestor, by paragraph."""
    b, o, t = split_paragraphs(base), split_paragraphs(ours), split_paragraphs(theirs)
    out: list[str] = []
    conflicts = 0
    for group in Merge3(b, o, t).merge_groups():
        if group[0] != "conflict":
            out.extend(group[1])
            continue
        _kind, base_part, ours_part, theirs_part = group
        refined = _line_merge(list(base_part), list(ours_part), list(theirs_part))
        if refined is not None:
            out.extend(refined)
            continue
        conflicts += 1
        out.extend(_marked(list(ours_part), list(theirs_part), ours_label, theirs_label))
    return TextMerge(join_paragraphs(out), conflicts)
