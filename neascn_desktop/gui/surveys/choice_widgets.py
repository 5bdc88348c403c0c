"""Choice questions: select_one, select_multiple, yes_no, scale as buttons; long lists with search.

Buttons carry the key that picks them: ``1``–``9``, ``0`` for the tenth, then
``a``–``z`` — so every choice of a list up to 36 long has a key (the eleventh
of a select_multiple is no further than the first).  Appearances:
``horizontal``/``compact`` lay the buttons out in columns, ``likert`` in one
row, ``quick`` moves on once a choice is picked; a choice's ``media::image`` shows beside its key.  A ``choice_filter`` hides
the choices the answers above rule out, live.  Lists longer than the keys
reach, and ``search``/``autocomplete``/``minimal`` ones, are a
:class:`ListChoiceQuestion` — type to filter, arrows to move, Enter to pick.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon, QKeyEvent, QMouseEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QCheckBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QRadioButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from neascn_desktop.gui.surveys.question_base import HINT_COLOR, QuestionWidget, media_pixmap
from neascn_desktop.i18n import _, ngettext
from neascn_desktop.surveys.choice_filter import filtered_choices
from neascn_desktop.surveys.definition import Choice, pick_label

#: Choice images (``media::image``) fit a square this large.
CHOICE_IMAGE = 96
#: The keys that pick the n-th visible choice.
CHOICE_KEYS = "1234567890abcdefghijklmnopqrstuvwxyz"
#: Lists longer than this become a searchable list.
LONG_LIST = len(CHOICE_KEYS)
_SEARCH_APPEARANCES = ("search", "autocomplete", "minimal")


def wants_list(appearance: str, count: int) -> bool:
    return count > LONG_LIST or any(a in appearance for a in _SEARCH_APPEARANCES)


class _ChoiceText(QLabel):
    """A choice's description beside its button: word-wrapped, and a click toggles the button."""

    def __init__(self, button: QAbstractButton, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.button = button
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setBuddy(button)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        if self.button.isEnabled():
            self.button.click()
            self.button.setFocus(Qt.FocusReason.MouseFocusReason)
        event.accept()


class _ChoiceBase(QuestionWidget):
    """What button and list choices share: the choices kept by the filter, the value."""

    def build_input(self, layout: QVBoxLayout) -> None:
        self.multiple = self.question.type == "select_multiple"
        self.choices: tuple[Choice, ...] = self.definition.choices_for(self.question)
        self.filter_text = self.question.extra.get("choice_filter", "")
        self.visible_choices: tuple[int, ...] = tuple(range(len(self.choices)))
        self.stored: Any = None
        self.build_choices(layout)

    def build_choices(self, layout: QVBoxLayout) -> None:
        raise NotImplementedError

    def set_values(self, values: Mapping[str, Any]) -> None:
        super().set_values(values)
        if self.filter_text:
            kept = {id(c) for c in filtered_choices(self.definition, self.question, values)}
            visible = tuple(i for i, c in enumerate(self.choices) if id(c) in kept)
            if visible != self.visible_choices:
                self.visible_choices = visible
                self.filter_changed()
            self._check_filtered()

    def filter_changed(self) -> None:
        """Show only ``self.visible_choices``."""

    def _check_filtered(self) -> None:
        names = {self.choices[i].name for i in self.visible_choices}
        chosen = self.stored if isinstance(self.stored, list) else (
            [self.stored] if self.stored else [])
        gone = [n for n in chosen if n not in names]
        self.set_input_problem(
            _("“{choice}” is no longer a choice after the answers above; pick again.").format(
                choice=self.choice_label(gone[0])) if gone else "")

    def choice_label(self, name: str) -> str:
        choice = next((c for c in self.choices if c.name == name), None)
        return self.label_of(choice) if choice else name

    def label_of(self, choice: Choice) -> str:
        """The choice's label; ``or_other``'s generated "Other" in the UI language if untranslated."""
        if choice.name == "other" and choice.label.get(self.language) in (None, "", "Other"):
            return _("Other")
        return choice.label_in(self.language, self.definition.default_language)

    def show_empty_note(self, note: QLabel) -> None:
        """A filtered list with nothing left says why, instead of showing nothing; so does a
        list with no choices at all (an external list file the form came without)."""
        if not self.choices:
            note.setText(_("This list has no choices in the form."))
            note.setVisible(True)
            return
        note.setText(_("No choice fits the answers above yet."))
        note.setVisible(self.filter_text != "" and not self.visible_choices)

    def after_pick(self) -> None:
        """``quick``: a select_one moves on once a choice is picked."""
        if not self.multiple and "quick" in self.question.extra.get("appearance", ""):
            self.advance.emit(self.answer_key)


class ChoiceQuestion(_ChoiceBase):
    """select_one, scale, yes_no (radio buttons) and select_multiple (check boxes)."""

    def build_choices(self, layout: QVBoxLayout) -> None:
        self.group = QButtonGroup(self)
        self.group.setExclusive(not self.multiple)
        self.buttons: list[QAbstractButton] = []
        self.texts: list[_ChoiceText] = []
        appearance = self.question.extra.get("appearance", "")
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(8)
        self.grid.setVerticalSpacing(2)
        if "likert" in appearance:
            self.columns = max(1, len(self.choices))
        elif self.question.type == "yes_no" or any(
                a in appearance for a in ("horizontal", "compact", "columns")):
            self.columns = min(4, max(1, len(self.choices)))
        else:
            self.columns = 1
        self.likert = "likert" in appearance
        self.nolabel = "list-nolabel" in appearance
        for index, choice in enumerate(self.choices):
            button: QAbstractButton = QCheckBox(self) if self.multiple else QRadioButton(self)
            button.setObjectName(f"choice_{choice.name}")
            button.setProperty("choice", choice.name)
            self.group.addButton(button, index)
            text = _ChoiceText(button, self)
            if self.likert:
                text.setAlignment(Qt.AlignmentFlag.AlignHCenter)
            text.setVisible(not self.nolabel)
            self.buttons.append(button)
            self.texts.append(text)
        self.empty_note = QLabel(self)
        self.empty_note.setObjectName("emptyNote")
        self.empty_note.setStyleSheet(f"color: {HINT_COLOR};")
        self._place()
        layout.addLayout(self.grid)
        layout.addWidget(self.empty_note)
        self.clear_button: QToolButton | None = None
        if not self.multiple:
            self.clear_button = QToolButton(self)
            self.clear_button.setObjectName("clearButton")
            self.clear_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            self.clear_button.setAutoRaise(True)
            self.clear_button.clicked.connect(self.clear)
            layout.addWidget(self.clear_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.group.buttonToggled.connect(self._toggled)
        self._update_clear()

    def _place(self) -> None:
        """Lay the visible choices out in ``self.columns`` columns, numbered in order."""
        for button, text in zip(self.buttons, self.texts, strict=True):
            self.grid.removeWidget(button)
            self.grid.removeWidget(text)
            button.hide()
            text.hide()
        for column in range(self.grid.columnCount()):
            self.grid.setColumnStretch(column, 0)
        for position, index in enumerate(self.visible_choices):
            button, text = self.buttons[index], self.texts[index]
            button.setText(CHOICE_KEYS[position] if position < len(CHOICE_KEYS) else "")
            if self.likert:
                self.grid.addWidget(button, 0, position, Qt.AlignmentFlag.AlignHCenter)
                self.grid.addWidget(text, 1, position)
                self.grid.setColumnStretch(position, 1)
            else:
                row, column = divmod(position, self.columns)
                self.grid.addWidget(button, row, column * 2, Qt.AlignmentFlag.AlignTop)
                self.grid.addWidget(text, row, column * 2 + 1)
                self.grid.setColumnStretch(column * 2 + 1, 1)
            button.show()
            text.setVisible(not self.nolabel)
        self.show_empty_note(self.empty_note)

    def filter_changed(self) -> None:
        self._place()

    def _toggled(self, button: QAbstractButton, checked: bool) -> None:
        if self._loading:
            return
        if self.multiple:
            self.stored = self.value()
            self.emit_value(self.stored)
        elif checked:
            self.stored = self.choices[self.buttons.index(button)].name
            self.emit_value(self.stored)
        self._update_clear()

    def _update_clear(self) -> None:
        if self.clear_button is not None:
            self.clear_button.setVisible(any(b.isChecked() for b in self.buttons))

    def clear(self) -> None:
        if self.read_only:
            return
        self.show_value(None)
        self.emit_value(None)

    def show_value(self, value: Any) -> None:
        self.stored = value
        chosen = set(value) if isinstance(value, list) else ({value} if value else set())
        was_loading = self._loading
        self._loading = True
        self.group.setExclusive(False)  # an exclusive group cannot uncheck its last button
        try:
            for choice, button in zip(self.choices, self.buttons, strict=True):
                button.setChecked(choice.name in chosen)
        finally:
            self.group.setExclusive(not self.multiple)
            self._loading = was_loading
        self._update_clear()

    def value(self) -> Any:
        names = [c.name for c, b in zip(self.choices, self.buttons, strict=True) if b.isChecked()]
        return names if self.multiple else (names[0] if names else None)

    def input_widgets(self) -> list[QWidget]:
        return [*(self.buttons[i] for i in self.visible_choices),
                *([self.clear_button] if self.clear_button else [])]

    def focus_input(self) -> bool:
        visible = [self.buttons[i] for i in self.visible_choices]
        if not visible or self.read_only:
            return False
        checked = next((b for b in visible if b.isChecked()), visible[0])
        checked.setFocus(Qt.FocusReason.TabFocusReason)
        return True

    def pick(self, position: int) -> bool:
        """Pick (or toggle) the choice at ``position`` among the visible ones."""
        if self.read_only or not 0 <= position < len(self.visible_choices):
            return False
        button = self.buttons[self.visible_choices[position]]
        if self.multiple:
            button.toggle()
        else:
            button.setChecked(True)
        button.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.after_pick()
        return True

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        text = event.text().lower()
        plain = not event.modifiers() & ~(Qt.KeyboardModifier.ShiftModifier
                                         | Qt.KeyboardModifier.KeypadModifier)
        if plain and len(text) == 1 and text in CHOICE_KEYS and self.pick(CHOICE_KEYS.index(text)):
            event.accept()
            return
        if not self.read_only and not self.multiple and event.key() in (
                Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.clear()
            event.accept()
            return
        super().keyPressEvent(event)

    def _show_choice_image(self, choice: Choice, button: QAbstractButton) -> None:
        """A choice's ``media::image`` beside its key, scaled; the button's accessible name
        stays the label, which the image illustrates."""
        name = pick_label(choice.media.get("media::image"), self.language,
                          self.definition.default_language)
        pixmap = media_pixmap(self.definition, name, QSize(CHOICE_IMAGE, CHOICE_IMAGE))
        button.setIcon(QIcon(pixmap) if pixmap is not None else QIcon())
        if pixmap is not None:
            button.setIconSize(pixmap.size())
        button.setAccessibleDescription(name if pixmap is not None else "")

    def apply_read_only(self, read_only: bool) -> None:
        for button in self.buttons:
            button.setEnabled(not read_only)
        if self.clear_button is not None:
            self.clear_button.setEnabled(not read_only)

    def retranslate_input(self) -> None:
        for position, index in enumerate(self.visible_choices):
            key = CHOICE_KEYS[position] if position < len(CHOICE_KEYS) else ""
            self.buttons[index].setToolTip(_("Key {key}").format(key=key) if key else "")
        for choice, button, text in zip(self.choices, self.buttons, self.texts, strict=True):
            label = self.label_of(choice)
            text.setText(label)
            button.setAccessibleName(label)
            self._show_choice_image(choice, button)
        self.show_empty_note(self.empty_note)
        if self.clear_button is not None:
            self.clear_button.setText(_("Clear answer"))
            self.clear_button.setAccessibleName(_("Clear the answer"))


class _FilterEdit(QLineEdit):
    """The search box of a long list: Up/Down move in the list, Enter picks and moves on."""

    def __init__(self, owner: ListChoiceQuestion) -> None:
        super().__init__(owner)
        self.owner = owner

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        if event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_PageDown,
                           Qt.Key.Key_PageUp) and not event.modifiers():
            self.owner.move_current(event.key())
            event.accept()
            return
        if event.key() == Qt.Key.Key_Space and self.owner.multiple and not self.text():
            self.owner.toggle_current()
            event.accept()
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers():
            if self.owner.pick_current():
                event.accept()
                return
        super().keyPressEvent(event)


class ListChoiceQuestion(_ChoiceBase):
    """A long list (or ``search``/``autocomplete``/``minimal``): a search box over a list.

    Typing filters by any part of the label in any language (or the choice's
    name); Up/Down move; Enter picks a select_one and moves on; a select_multiple's
    items are check boxes (Enter or Space toggles the current one).
    """

    def build_choices(self, layout: QVBoxLayout) -> None:
        self.search = _FilterEdit(self)
        self.search.setObjectName("searchEdit")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda _t: self.filter_changed())
        self.list = QListWidget(self)
        self.list.setObjectName("choiceList")
        self.list.setUniformItemSizes(True)
        self.list.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        rows = min(8, max(3, len(self.choices)))
        self.list.setFixedHeight(self.list.fontMetrics().lineSpacing() * rows + 16)
        self.list.itemChanged.connect(self._item_changed)
        self.list.itemActivated.connect(lambda item: self._pick_item(item))
        self.list.itemClicked.connect(lambda item: None if self.multiple else self._pick_item(item))
        self.chosen_label = QLabel(self)
        self.chosen_label.setObjectName("chosenLabel")
        self.chosen_label.setWordWrap(True)
        self.empty_note = QLabel(self)
        self.empty_note.setObjectName("emptyNote")
        self.empty_note.setStyleSheet(f"color: {HINT_COLOR};")
        layout.addWidget(self.search)
        layout.addWidget(self.list)
        layout.addWidget(self.chosen_label)
        layout.addWidget(self.empty_note)
        self._fill()

    def _matches(self, choice: Choice, needle: str) -> bool:
        return not needle or needle in choice.name.casefold() or any(
            needle in label.casefold() for label in choice.label.values())

    def _fill(self) -> None:
        needle = self.search.text().strip().casefold()
        chosen = self._chosen_names()
        self.list.blockSignals(True)
        self.list.clear()
        for index in self.visible_choices:
            choice = self.choices[index]
            if not self._matches(choice, needle):
                continue
            item = QListWidgetItem(self.label_of(choice), self.list)
            item.setData(Qt.ItemDataRole.UserRole, index)
            # A tick marks what is chosen; the highlight is only the keyboard's place.
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if choice.name in chosen
                               else Qt.CheckState.Unchecked)
            if choice.name in chosen and not self.multiple and not needle:
                self.list.setCurrentItem(item)
        if needle and self.list.count():
            self.list.setCurrentRow(0)  # Enter takes the best match
        self.list.blockSignals(False)
        self._show_chosen()
        self.show_empty_note(self.empty_note)

    def filter_changed(self) -> None:
        self._fill()

    def _chosen_names(self) -> list[str]:
        if isinstance(self.stored, list):
            return list(self.stored)
        return [self.stored] if self.stored else []

    def _show_chosen(self) -> None:
        names = self._chosen_names()
        self.chosen_label.setText(
            _("Chosen: {choices}").format(choices="; ".join(self.choice_label(n) for n in names))
            if names else _("Nothing chosen yet."))

    def move_current(self, key: int) -> None:
        if not self.list.count():
            return
        step = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1, Qt.Key.Key_PageDown: 8,
                Qt.Key.Key_PageUp: -8}[Qt.Key(key)]
        current = self.list.currentRow()
        row = 0 if current < 0 else min(self.list.count() - 1, max(0, current + step))
        self.list.setCurrentRow(row)

    def toggle_current(self) -> None:
        item = self.list.currentItem()
        if item is not None and self.multiple and not self.read_only:
            item.setCheckState(Qt.CheckState.Unchecked if item.checkState() == Qt.CheckState.Checked
                               else Qt.CheckState.Checked)

    def pick_current(self) -> bool:
        """Enter in the search box: pick the current item (False: nothing to pick)."""
        item = self.list.currentItem()
        if item is None or self.read_only:
            return False
        if self.multiple:
            if not self.search.text():
                return False  # Enter on an empty search box moves on
            self.toggle_current()
            return True
        self._pick_item(item)
        if "quick" not in self.question.extra.get("appearance", ""):
            self.advance.emit(self.answer_key)  # quick has moved on already
        return True

    def _pick_item(self, item: QListWidgetItem) -> None:
        if self.read_only or self.multiple:
            return
        index = int(item.data(Qt.ItemDataRole.UserRole))
        self.stored = self.choices[index].name
        self._fill()
        self.set_input_problem("")
        self.emit_value(self.stored)
        self.after_pick()

    def _item_changed(self, item: QListWidgetItem) -> None:
        if self._loading or self.read_only:
            return
        if not self.multiple:  # a tick clicked on a select_one picks it
            if item.checkState() == Qt.CheckState.Checked:
                self._pick_item(item)
            else:
                self._fill()
            return
        name = self.choices[int(item.data(Qt.ItemDataRole.UserRole))].name
        chosen = set(self._chosen_names())
        if item.checkState() == Qt.CheckState.Checked:
            chosen.add(name)
        else:
            chosen.discard(name)
        self.stored = [c.name for c in self.choices if c.name in chosen] or None
        self._show_chosen()
        self.emit_value(self.stored)

    def show_value(self, value: Any) -> None:
        self.stored = value
        self._fill()

    def value(self) -> Any:
        return self.stored

    def input_widgets(self) -> list[QWidget]:
        return [self.search, self.list]

    def apply_read_only(self, read_only: bool) -> None:
        self.search.setReadOnly(read_only)
        self.list.setEnabled(not read_only)

    def retranslate_input(self) -> None:
        count = len(self.visible_choices)
        self.search.setPlaceholderText(ngettext("Type to search the {count} choice",
                                                "Type to search the {count} choices",
                                                count).format(count=count))
        label = self.label_text() or self.question.name
        self.search.setAccessibleName(_("Search: {question}").format(question=label))
        self.list.setAccessibleName(_("Choices: {question}").format(question=label))
        self._fill()
