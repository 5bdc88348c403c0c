"""The translatable strings of Qt Designer forms (``.ui``): a Babel extractor and their targets.

One parser serves two readers: ``pybabel extract`` (through :func:`extract_ui`,
registered as the ``qt_ui`` extraction method, see ``babel.cfg``) and the GUI's
form loader, which re-applies the same strings through the catalogs after a
language switch (``neascn_desktop.gui.forms``).  A ``<string>`` is translatable
unless it has ``notr="true"`` or belongs to a property that is never a text
(style sheets, shortcuts ...).  Designer's ``comment`` attribute is the
disambiguation (a gettext context); ``extracomment`` is a note to translators.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from typing import IO, Any
from xml.parsers import expat

#: Properties whose strings are code, not text.
NON_TEXT_PROPERTIES = frozenset(
    {"objectName", "styleSheet", "shortcut", "accessibleIdentifier", "inputMask", "locale"}
)


@dataclass(frozen=True)
class UiTarget:
    """Where a string goes in the built form.

    ``kind`` is ``"property"`` (``name`` is the widget or action, ``key`` the Qt
    property), ``"item"`` (``name`` is a list/combo box, ``index`` the row and
    ``key`` the item property), ``"attribute"`` (``name`` is a page, ``container``
    its tab widget or tool box, ``key`` the attribute: ``title``, ``label``,
    ``toolTip``) or ``"column"`` (``name`` is a tree/table widget, ``index``
    the header column).
    """

    kind: str
    name: str
    key: str
    index: int = -1
    container: str = ""


@dataclass(frozen=True)
class UiString:
    lineno: int
    text: str
    disambiguation: str
    comment: str
    target: UiTarget | None


class _Parser:
    def __init__(self) -> None:
        self.strings: list[UiString] = []
        self._stack: list[tuple[str, dict[str, str]]] = []
        # Per widget name: number of <item>/<column> children seen so far.
        self._items: dict[int, int] = {}
        self._columns: dict[int, int] = {}
        self._text: list[str] | None = None
        self._string_attrs: dict[str, str] = {}
        self._string_line = 0
        self._parser = expat.ParserCreate("utf-8")
        self._parser.StartElementHandler = self._start
        self._parser.EndElementHandler = self._end
        self._parser.CharacterDataHandler = self._chars

    def feed(self, data: bytes) -> list[UiString]:
        self._parser.Parse(data, True)
        return self.strings

    def _start(self, tag: str, attrs: dict[str, str]) -> None:
        depth = len(self._stack)
        if tag == "item" and self._stack:
            self._items[depth - 1] = self._items.get(depth - 1, -1) + 1
        elif tag == "column" and self._stack:
            self._columns[depth - 1] = self._columns.get(depth - 1, -1) + 1
        elif tag in ("widget", "action", "layout"):
            self._items.pop(depth, None)
            self._columns.pop(depth, None)
        self._stack.append((tag, attrs))
        if tag == "string":
            self._text = []
            self._string_attrs = attrs
            self._string_line = self._parser.CurrentLineNumber

    def _chars(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)

    def _end(self, tag: str) -> None:
        self._stack.pop()
        if tag != "string" or self._text is None:
            return
        text = "".join(self._text)
        self._text = None
        attrs = self._string_attrs
        if not text.strip() or attrs.get("notr", "").lower() == "true":
            return
        holder = self._stack[-1] if self._stack else ("", {})
        if holder[0] == "property" and holder[1].get("name") in NON_TEXT_PROPERTIES:
            return
        self.strings.append(
            UiString(
                lineno=self._string_line,
                text=text,
                disambiguation=attrs.get("comment", ""),
                comment=attrs.get("extracomment", ""),
                target=self._target(),
            )
        )

    def _named_ancestor(self, below: int) -> tuple[int, str, dict[str, str]] | None:
        for depth in range(below, -1, -1):
            tag, attrs = self._stack[depth]
            if tag in ("widget", "action"):
                return depth, tag, attrs
        return None

    def _target(self) -> UiTarget | None:
        # The stack now ends with the <property>/<attribute> holding the string.
        if len(self._stack) < 2:
            return None
        holder_tag, holder_attrs = self._stack[-1]
        key = holder_attrs.get("name", "")
        owner_depth = len(self._stack) - 2
        owner_tag, owner_attrs = self._stack[owner_depth]
        if holder_tag == "property" and owner_tag in ("widget", "action"):
            return UiTarget("property", owner_attrs.get("name", ""), key)
        if holder_tag == "property" and owner_tag in ("item", "column"):
            parent = self._named_ancestor(owner_depth - 1)
            if parent is None or parent[0] != owner_depth - 1:
                return None  # nested tree items are not re-applied
            counter = self._items if owner_tag == "item" else self._columns
            return UiTarget(
                owner_tag, parent[2].get("name", ""), key, index=counter.get(owner_depth - 1, 0)
            )
        if holder_tag == "attribute" and owner_tag == "widget":
            container = self._named_ancestor(owner_depth - 1)
            return UiTarget(
                "attribute",
                owner_attrs.get("name", ""),
                key,
                container=container[2].get("name", "") if container else "",
            )
        return None


def read_ui_strings(data: bytes) -> list[UiString]:
    """Every translatable string of a ``.ui`` document, in file order."""
    return _Parser().feed(data)


def extract_ui(
    fileobj: IO[bytes],
    keywords: Collection[str],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[tuple[int, str | None, str | tuple[str, str], list[str]]]:
    """Babel extraction method for ``.ui`` files: ``(lineno, funcname, message, comments)``.

    A string with a disambiguation is yielded as ``pgettext`` with the
    disambiguation as its context, so the GUI looks it up the same way.
    """
    for item in read_ui_strings(fileobj.read()):
        comments = [item.comment] if item.comment else []
        if item.disambiguation:
            yield item.lineno, "pgettext", (item.disambiguation, item.text), comments
        else:
            yield item.lineno, None, item.text, comments
