"""Repeats on the form: each instance a numbered block of question widgets, added, moved, removed.

A :class:`RepeatBlock` shows one repeat in one place of the answer tree (the
top level, or inside an instance of an enclosing repeat): its instances in
order, each with Move up / Move down / Remove… (removal asks first), and
"Add …" (off at ``neascn_max_count``; with a ``repeat_count`` it says how
many the answers above ask for and adds the missing ones in one go).  Enter
on the last question of the last instance puts the focus on "Add" — ODK's
"add another?" — where Enter adds one and Tab moves on.

Every edit goes through the entry API (``surveys.entry``): the block only
emits what the person did; the form calls the use case and redraws the block
from the stored answers, so what is shown is always what is stored.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from neascn_desktop.gui.surveys.question_base import HINT_COLOR, QuestionWidget
from neascn_desktop.i18n import _
from neascn_desktop.surveys.answer_tree import INSTANCE_ID, canonical_path, scopes_of
from neascn_desktop.surveys.definition import (
    UNSHOWN_TYPES,
    Group,
    Node,
    Question,
    SurveyDefinition,
    pick_label,
)

#: Makes the widget of one question inside an instance: (question, canonical path, parent).
WidgetFactory = Callable[[Question, str, QWidget], QuestionWidget]


def instance_prefix(chain: tuple[tuple[str, str], ...]) -> str:
    """``projects[@id=…]/partners[@id=…]`` for a chain of (repeat key, instance id)."""
    return "/".join(f"{key}[@id={iid}]" for key, iid in chain)


class AddButton(QPushButton):
    """"Add …": Enter or Space adds an entry, Down moves on without adding."""

    def __init__(self, owner: RepeatBlock) -> None:
        super().__init__(owner)
        self.owner = owner

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self.isEnabled():
                self.click()
            event.accept()
            return
        if event.key() == Qt.Key.Key_Down:
            self.owner.leaveRequested.emit(self.owner.path)
            event.accept()
            return
        super().keyPressEvent(event)


class InstanceBlock(QFrame):
    """One instance: "Project 2" with its buttons, then its questions and nested repeats."""

    def __init__(self, owner: RepeatBlock, position: int, instance_id: str) -> None:
        super().__init__(owner)
        self.owner = owner
        self.instance_id = instance_id
        self.position = position
        self.setObjectName(f"instance_{instance_id}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        top = QHBoxLayout()
        self.heading = QLabel(self)
        self.heading.setObjectName("instanceHeading")
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)
        self.up_button = QToolButton(self)
        self.up_button.setObjectName("moveUpButton")
        self.up_button.clicked.connect(lambda: owner.moveRequested.emit(self.path, position - 1))
        self.down_button = QToolButton(self)
        self.down_button.setObjectName("moveDownButton")
        self.down_button.clicked.connect(lambda: owner.moveRequested.emit(self.path, position + 1))
        self.remove_button = QToolButton(self)
        self.remove_button.setObjectName("removeInstanceButton")
        self.remove_button.clicked.connect(lambda: owner.removeRequested.emit(self.path))
        for button in (self.up_button, self.down_button, self.remove_button):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab walks the answers, not these
        top.addWidget(self.heading, 1)
        top.addWidget(self.up_button)
        top.addWidget(self.down_button)
        top.addWidget(self.remove_button)
        layout.addLayout(top)
        self.body = QVBoxLayout()
        layout.addLayout(self.body)

    @property
    def path(self) -> str:
        return canonical_path(self.owner.chain, f"{self.owner.key}[@id={self.instance_id}]")


class RepeatBlock(QFrame):
    """One repeat at one place of the tree; signals carry paths for the entry API."""

    addRequested = Signal(str, int)  # repeat path, how many
    removeRequested = Signal(str)  # instance path
    moveRequested = Signal(str, int)  # instance path, new position (from 1)
    leaveRequested = Signal(str)  # repeat path: Down on "Add", on to what follows

    def __init__(self, repeat: Group, definition: SurveyDefinition,
                 chain: tuple[tuple[str, str], ...], make_widget: WidgetFactory,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.repeat = repeat
        self.definition = definition
        self.chain = chain
        self.make_widget = make_widget
        self.language = definition.default_language
        parent_scope = scopes_of(definition)[_parent_repeat_path(definition, repeat)]
        self.key = parent_scope.key_of(repeat)
        self.scope = scopes_of(definition)[repeat.path]
        self.setObjectName(f"repeat_{(repeat.path or repeat.name).replace('/', '_')}")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 6)
        self.heading = QLabel(self)
        self.heading.setObjectName("repeatHeading")
        font = self.heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self.heading.setFont(font)
        self.hint_label = QLabel(self)
        self.hint_label.setObjectName("repeatHint")
        self.hint_label.setWordWrap(True)
        self.hint_label.setTextFormat(Qt.TextFormat.PlainText)
        self.hint_label.setStyleSheet(f"color: {HINT_COLOR};")
        self.hint_label.hide()
        self.count_label = QLabel(self)
        self.count_label.setObjectName("countLabel")
        self.count_label.setStyleSheet(f"color: {HINT_COLOR};")
        self.count_label.setWordWrap(True)
        self.instances_layout = QVBoxLayout()
        self.add_button = AddButton(self)
        self.add_button.setObjectName("addInstanceButton")
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(lambda: self.addRequested.emit(self.path, 1))
        self.fill_button = QPushButton(self)
        self.fill_button.setObjectName("fillInstancesButton")
        self.fill_button.setAutoDefault(False)
        self.fill_button.clicked.connect(self._fill_to_count)
        self.fill_button.hide()
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.fill_button)
        buttons.addStretch(1)
        layout.addWidget(self.heading)
        layout.addWidget(self.hint_label)
        layout.addWidget(self.count_label)
        layout.addLayout(self.instances_layout)
        layout.addLayout(buttons)
        self.instances: list[InstanceBlock] = []
        self.widgets: dict[str, QuestionWidget] = {}  # canonical path -> widget
        self.nested: list[RepeatBlock] = []
        self.group_headings: list[tuple[QLabel, Group]] = []  # groups inside an instance
        self.wanted: int | None = None
        self.minimum: int | None = None
        self.maximum: int | None = None

    @property
    def path(self) -> str:
        return canonical_path(self.chain, self.key)

    def label(self) -> str:
        return self.repeat.label_in(self.language, self.definition.default_language)

    # ------------------------------------------------------------------ drawing

    def show_instances(self, items: list[Mapping[str, Any]], read_only: bool) -> None:
        """Draw the instances stored now (rebuilds the blocks when they changed)."""
        ids = [str(item.get(INSTANCE_ID)) for item in items]
        if ids != [block.instance_id for block in self.instances]:
            for block in self.instances:
                self.instances_layout.removeWidget(block)
                block.deleteLater()
            self.instances, self.widgets, self.nested = [], {}, []
            self.group_headings = []
            for position in range(1, len(items) + 1):
                block = InstanceBlock(self, position, ids[position - 1])
                self.instances_layout.addWidget(block)
                self.instances.append(block)
                chain = (*self.chain, (self.key, ids[position - 1]))
                self._add_members(block.body, block, self.repeat.children, chain)
                block.show()  # added to a page on screen: shown now, not at the next event
        for block, item in zip(self.instances, items, strict=True):
            self._show_values(block, item, read_only)
        self.set_read_only(read_only)
        self.retranslate()

    def _add_members(self, layout: QVBoxLayout, parent: QWidget, nodes: tuple[Node, ...],
                     chain: tuple[tuple[str, str], ...]) -> None:
        for node in nodes:
            if isinstance(node, Question):
                if node.type in UNSHOWN_TYPES:
                    continue
                path = canonical_path(chain, self.scope.key_of(node))
                widget = self.make_widget(node, path, parent)
                widget.setProperty("answerPath", path)
                layout.addWidget(widget)
                self.widgets[path] = widget
            elif node.kind == "repeat":
                nested = RepeatBlock(node, self.definition, chain, self.make_widget, parent)
                nested.language = self.language
                for signal, relay in ((nested.addRequested, self.addRequested),
                                      (nested.removeRequested, self.removeRequested),
                                      (nested.moveRequested, self.moveRequested),
                                      (nested.leaveRequested, self.leaveRequested)):
                    signal.connect(relay)
                layout.addWidget(nested)
                self.nested.append(nested)
            else:
                heading = QLabel(node.label_in(self.language, self.definition.default_language),
                                 parent)
                heading.setObjectName("groupHeading")
                self.group_headings.append((heading, node))
                layout.addWidget(heading)
                self._add_members(layout, parent, node.children, chain)

    def _show_values(self, block: InstanceBlock, item: Mapping[str, Any], read_only: bool) -> None:
        for path, widget in self.widgets.items():
            if not path.startswith(block.path + "/"):
                continue
            key = path[len(block.path) + 1:]
            if "/" in key and "[" in key:
                continue  # inside a nested repeat: its own block shows it
            widget.set_value(item.get(key))
            widget.set_read_only(read_only)
        for nested in self.nested:
            if nested.chain and nested.chain[-1][1] == block.instance_id:
                value = item.get(nested.key)
                nested.show_instances(value if isinstance(value, list) else [], read_only)

    def all_widgets(self) -> dict[str, QuestionWidget]:
        """Every question widget of the block and its nested repeats, by canonical path."""
        found = dict(self.widgets)
        for nested in self.nested:
            found.update(nested.all_widgets())
        return found

    def all_blocks(self) -> list[RepeatBlock]:
        found = [self]
        for nested in self.nested:
            found.extend(nested.all_blocks())
        return found

    def set_counts(self, wanted: int | None, minimum: int | None, maximum: int | None) -> None:
        self.wanted, self.minimum, self.maximum = wanted, minimum, maximum
        self.retranslate()

    def set_read_only(self, read_only: bool) -> None:
        self.read_only = read_only
        count = len(self.instances)
        full = self.maximum is not None and count >= self.maximum
        self.add_button.setEnabled(not read_only and not full)
        self.fill_button.setVisible(self.wanted is not None and count < self.wanted
                                    and not read_only)
        for block in self.instances:
            block.up_button.setEnabled(not read_only and block.position > 1)
            block.down_button.setEnabled(not read_only and block.position < count)
            block.remove_button.setEnabled(not read_only)

    def _fill_to_count(self) -> None:
        if self.wanted is not None and len(self.instances) < self.wanted:
            self.addRequested.emit(self.path, self.wanted - len(self.instances))

    def last_widget_path(self) -> str | None:
        """The last question of the last instance (Enter there offers "Add")."""
        if not self.instances:
            return None
        prefix = self.instances[-1].path + "/"
        paths = [p for p in self.widgets if p.startswith(prefix)]
        return paths[-1] if paths else None

    def retranslate(self) -> None:
        label = self.label()
        count = len(self.instances)
        self.heading.setText(_("{label} ({count})").format(label=label, count=count))
        hint = pick_label(self.repeat.hint, self.language, self.definition.default_language)
        self.hint_label.setText(hint)
        self.hint_label.setVisible(bool(hint))
        for heading, group in self.group_headings:
            heading.setText(group.label_in(self.language, self.definition.default_language))
        notes = []
        if self.wanted is not None:
            notes.append(_("The answers above ask for {count}.").format(count=self.wanted))
        if self.minimum is not None:
            notes.append(_("At least {count}.").format(count=self.minimum))
        if self.maximum is not None:
            notes.append(_("At most {count}.").format(count=self.maximum))
        if not count:
            notes.append(_("None added yet."))
        self.count_label.setText(" ".join(notes))
        self.add_button.setText(_("Add “{label}”").format(label=label))
        self.add_button.setAccessibleName(_("Add an entry to “{label}”").format(label=label))
        if self.wanted is not None:
            self.fill_button.setText(_("Add the {count} missing").format(
                count=max(0, self.wanted - count)))
        self.setAccessibleName(label)
        for block in self.instances:
            block.heading.setText(_("{label} {number}").format(label=label, number=block.position))
            block.setAccessibleName(block.heading.text())
            block.up_button.setText(_("Move up"))
            block.up_button.setAccessibleName(_("Move {entry} up").format(entry=block.heading.text()))
            block.down_button.setText(_("Move down"))
            block.down_button.setAccessibleName(_("Move {entry} down").format(
                entry=block.heading.text()))
            block.remove_button.setText(_("Remove…"))
            block.remove_button.setAccessibleName(_("Remove {entry}").format(
                entry=block.heading.text()))


def _parent_repeat_path(definition: SurveyDefinition, repeat: Group) -> str:
    """The path of the repeat around ``repeat`` ('' at the top level)."""
    enclosing = [g for g in definition.groups if g.kind == "repeat" and g is not repeat
                 and repeat.path.startswith(f"{g.path}/")]
    return max((g.path for g in enclosing), key=len, default="")
