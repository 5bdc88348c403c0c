"""The section editor: a rich-text ``QTextEdit`` that reads and writes Markdown.

Bodies are stored as Markdown. What the editor writes is always Qt's own
``toMarkdown()`` output, so reading it back (``setMarkdown``) and writing it
again gives the same text: the stored body is a fixed point of the round
trip and a section that is only looked at never shows a change.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QFont,
    QKeySequence,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
    QTextListFormat,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QSizePolicy,
    QTextEdit,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from neascn_desktop.i18n import _, ngettext
from neascn_desktop.i18n.formatting import format_number

#: Autosave delay after the last keystroke (the brief allows at most 500 ms).
AUTOSAVE_DELAY_MS = 300

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD = re.compile(rf"[{_CJK}]|[^\s{_CJK}]+")


def normalize_markdown(markdown: str) -> str:
    """Qt's rendering of ``markdown``: the form the editor stores (a fixed point).

    Qt's writer can emit Markdown that reads back slightly differently (nested
    emphasis, a trailing space after a link); reading and writing again until
    nothing changes settles it, usually after one more pass.
    """
    text = markdown
    for _attempt in range(4):
        document = QTextDocument()
        document.setMarkdown(text)
        again = document.toMarkdown()
        if again == text:
            break
        text = again
    return text


_CJK_CHAR = re.compile(rf"[{_CJK}]")
_NON_CJK_WORD = re.compile(rf"[^\s{_CJK}]+")


def count_words(text: str) -> int:
    """Words of plain text; each Chinese or Japanese character counts as one word."""
    return len(_WORD.findall(text))


def length_label(text: str) -> str:
    """"86 words"; Chinese and Japanese have no spaces between words, so their text is counted
    in characters and says so ("412 characters", or both for mixed text)."""
    characters = len(_CJK_CHAR.findall(text))
    words = len(_NON_CJK_WORD.findall(text))
    if not characters:
        return ngettext("{count} word", "{count} words", words).format(count=format_number(words))
    if words * 4 < characters:  # mostly CJK: Latin names and numbers are counted as characters too
        total = characters + sum(len(w) for w in _NON_CJK_WORD.findall(text))
        return ngettext("{count} character", "{count} characters", total).format(count=format_number(total))
    return _("{words}, {characters}").format(
        words=ngettext("{count} word", "{count} words", words).format(count=format_number(words)),
        characters=ngettext("{count} character", "{count} characters", characters).format(
            count=format_number(characters)))


class MarkdownEditor(QWidget):
    """Formatting toolbar, the text, and a word count; emits ``edited`` after user changes.

    ``markdown()`` is the body to store; ``set_markdown()`` loads one without
    counting as an edit. ``autosaveRequested`` fires at most ``AUTOSAVE_DELAY_MS``
    after the last change and at once when the editor loses focus.
    """

    edited = Signal()
    autosaveRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._loading = False
        self._dirty = False
        self.text = QTextEdit(self)
        self.text.setObjectName("sectionText")
        self.text.setAcceptRichText(True)
        self.text.setTabChangesFocus(False)
        self.toolbar = QToolBar(self)
        self.toolbar.setObjectName("formatToolbar")
        # The status area under the text: a message from the owner (what is saved) and the word count.
        self.status = QLabel(self)
        self.status.setObjectName("editorStatus")
        self.status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.word_count = QLabel(self)
        self.word_count.setObjectName("wordCount")
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(AUTOSAVE_DELAY_MS)
        self._timer.timeout.connect(self.flush)
        self._make_actions()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.text, 1)
        #: the row under the text: status, word count, then what the owner adds (save, share)
        self.footer = QHBoxLayout()
        self.footer.addWidget(self.status, 1)
        self.footer.addWidget(self.word_count)
        layout.addLayout(self.footer)
        self.text.textChanged.connect(self._on_text_changed)
        self.text.currentCharFormatChanged.connect(self._sync_buttons)
        self.text.cursorPositionChanged.connect(self._sync_buttons)
        self.text.undoAvailable.connect(self.action_undo.setEnabled)
        self.text.redoAvailable.connect(self.action_redo.setEnabled)
        self.text.installEventFilter(self)
        self.retranslateUi()

    # -- actions ------------------------------------------------------------------
    def _action(
        self,
        name: str,
        slot: Callable[..., object],
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
        checkable: bool = False,
    ) -> QAction:
        action = QAction(self)
        action.setObjectName(name)
        action.setCheckable(checkable)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(slot)
        self.toolbar.addAction(action)
        self.addAction(action)
        return action

    def _make_actions(self) -> None:
        # Ctrl+Z / Ctrl+Y are the text field's own (and the main window's Edit menu's).
        self.action_undo = self._action("actionTextUndo", self.text.undo)
        self.action_redo = self._action("actionTextRedo", self.text.redo)
        self.action_undo.setEnabled(False)
        self.action_redo.setEnabled(False)
        self.toolbar.addSeparator()
        self.action_heading = self._action(
            "actionHeading", lambda: self.toggle_heading(2), "Ctrl+Alt+2", True)
        self.action_bold = self._action("actionBold", self.toggle_bold, QKeySequence.StandardKey.Bold, True)
        self.action_italic = self._action(
            "actionItalic", self.toggle_italic, QKeySequence.StandardKey.Italic, True
        )
        self.toolbar.addSeparator()
        self.action_bullets = self._action(
            "actionBullets", lambda: self.toggle_list(QTextListFormat.Style.ListDisc), None, True
        )
        self.action_numbers = self._action(
            "actionNumbers", lambda: self.toggle_list(QTextListFormat.Style.ListDecimal), None, True
        )
        self.action_link = self._action("actionLink", self.ask_link, "Ctrl+K")
        bold_font = self.action_bold.font()
        bold_font.setBold(True)
        self.action_bold.setFont(bold_font)
        italic_font = self.action_italic.font()
        italic_font.setItalic(True)
        self.action_italic.setFont(italic_font)

    def retranslateUi(self) -> None:
        texts = {
            self.action_undo: (_("Undo"), _("Undo typing")),
            self.action_redo: (_("Redo"), _("Redo typing")),
            self.action_heading: (_("Heading"), _("Make the paragraph a heading (Ctrl+Alt+2)")),
            self.action_bold: (_("B"), _("Bold (Ctrl+B)")),
            self.action_italic: (_("I"), _("Italic (Ctrl+I)")),
            self.action_bullets: (_("• List"), _("Bulleted list")),
            self.action_numbers: (_("1. List"), _("Numbered list")),
            self.action_link: (_("Link…"), _("Link the selected text to a web address (Ctrl+K)")),
        }
        for action, (label, tip) in texts.items():
            action.setText(label)
            action.setToolTip(tip)
        self.text.setPlaceholderText(_("Write this section here…"))
        self._update_word_count()

    # -- content --------------------------------------------------------------------
    def set_markdown(self, markdown: str) -> None:
        """Show a body (not an edit; clears the text undo history)."""
        self._timer.stop()
        self._loading = True
        try:
            self.text.document().setMarkdown(markdown)
            self.text.document().clearUndoRedoStacks()
            self.text.moveCursor(QTextCursor.MoveOperation.Start)
        finally:
            self._loading = False
        self._dirty = False
        self._update_word_count()

    def markdown(self) -> str:
        """The body to store: normalised, so that loading it shows exactly what is stored."""
        return normalize_markdown(self.text.document().toMarkdown())

    def is_dirty(self) -> bool:
        """True while an edit has not been handed to ``autosaveRequested`` yet."""
        return self._dirty

    def flush(self) -> None:
        """Ask for an autosave now if anything changed since the last one."""
        self._timer.stop()
        if self._dirty:
            self._dirty = False
            self.autosaveRequested.emit()

    def _on_text_changed(self) -> None:
        self._update_word_count()
        if self._loading:
            return
        self._dirty = True
        self._timer.start()
        self.edited.emit()

    def _update_word_count(self) -> None:
        self.word_count.setText(length_label(self.text.toPlainText()))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if watched is self.text and event.type() == QEvent.Type.FocusOut:
            self.flush()
        if (watched is self.text and event.type() == QEvent.Type.KeyPress
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)  # type: ignore[attr-defined]
                and self._end_of_heading()):
            # After a heading the next paragraph is plain text, as in a word processor.
            self.text.textCursor().insertBlock(QTextBlockFormat(), QTextCharFormat())
            self.text.setCurrentCharFormat(QTextCharFormat())
            return True
        return super().eventFilter(watched, event)

    def _end_of_heading(self) -> bool:
        cursor = self.text.textCursor()
        return bool(cursor.blockFormat().headingLevel()) and cursor.atBlockEnd() and not cursor.hasSelection()

    # -- formatting -------------------------------------------------------------------
    def _merge_char(self, fmt: QTextCharFormat) -> None:
        # With a selection: format it. Without: the format applies to what is typed next
        # (formatting the word under the cursor would undo a bold run just typed).
        self.text.mergeCurrentCharFormat(fmt)

    def toggle_bold(self) -> None:
        fmt = QTextCharFormat()
        bold = self.text.fontWeight() <= QFont.Weight.Normal
        fmt.setFontWeight(QFont.Weight.Bold if bold else QFont.Weight.Normal)
        self._merge_char(fmt)

    def toggle_italic(self) -> None:
        fmt = QTextCharFormat()
        fmt.setFontItalic(not self.text.fontItalic())
        self._merge_char(fmt)

    def toggle_heading(self, level: int = 2) -> None:
        """Make the current paragraph a heading of ``level`` (or a plain paragraph again)."""
        cursor = self.text.textCursor()
        cursor.beginEditBlock()
        current = cursor.blockFormat().headingLevel()
        new_level = 0 if current else level
        block = QTextBlockFormat()
        block.setHeadingLevel(new_level)
        cursor.mergeBlockFormat(block)
        chars = QTextCharFormat()
        chars.setFontWeight(QFont.Weight.Bold if new_level else QFont.Weight.Normal)
        # Qt's own Markdown reader sizes headings this way (level 1 = +3 ... level 3+ = +1 / 0).
        chars.setProperty(QTextFormat.Property.FontSizeAdjustment, max(0, 4 - new_level) if new_level else 0)
        cursor.select(QTextCursor.SelectionType.BlockUnderCursor)
        cursor.mergeCharFormat(chars)
        cursor.endEditBlock()
        self.text.mergeCurrentCharFormat(chars)
        self._sync_buttons()

    def toggle_list(self, style: QTextListFormat.Style) -> None:
        cursor = self.text.textCursor()
        current = cursor.currentList()
        cursor.beginEditBlock()
        if current is not None and current.format().style() == style:
            # Take the paragraph out of the list again.
            current.remove(cursor.block())
            block = cursor.blockFormat()
            block.setIndent(0)
            cursor.setBlockFormat(block)
        else:
            fmt = QTextListFormat()
            fmt.setStyle(style)
            cursor.createList(fmt)
        cursor.endEditBlock()
        self._sync_buttons()

    def insert_link(self, url: str, label: str | None = None) -> None:
        cursor = self.text.textCursor()
        text = label or cursor.selectedText() or url
        fmt = QTextCharFormat()
        fmt.setAnchor(True)
        fmt.setAnchorHref(url)
        fmt.setFontUnderline(True)
        fmt.setForeground(self.palette().link())
        cursor.beginEditBlock()
        cursor.insertText(text, fmt)
        cursor.insertText(" ", QTextCharFormat())
        cursor.endEditBlock()

    def ask_link(self) -> None:
        url, ok = QInputDialog.getText(self, _("Insert link"), _("Web address:"), text="https://")
        if ok and url.strip() and url.strip() != "https://":
            self.insert_link(url.strip())

    def _sync_buttons(self) -> None:
        cursor = self.text.textCursor()
        self.action_bold.setChecked(self.text.fontWeight() > QFont.Weight.Normal
                                    and not cursor.blockFormat().headingLevel())
        self.action_italic.setChecked(self.text.fontItalic())
        self.action_heading.setChecked(bool(cursor.blockFormat().headingLevel()))
        current = cursor.currentList()
        style = current.format().style() if current is not None else None
        self.action_bullets.setChecked(style == QTextListFormat.Style.ListDisc)
        self.action_numbers.setChecked(style == QTextListFormat.Style.ListDecimal)
