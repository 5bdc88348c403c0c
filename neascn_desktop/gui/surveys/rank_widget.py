"""The rank question: put the choices in order by dragging or by keyboard (Ctrl+Up / Ctrl+Down).

The answer is the list of choice names, first the most preferred.  Until
something is moved (or "Keep this order" is pressed) the question stays
unanswered and says so, so the initial order is never taken for an answer.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QDropEvent, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from neascn_desktop.gui.surveys.question_base import HINT_COLOR, QuestionWidget
from neascn_desktop.i18n import _


class _RankList(QListWidget):
    def __init__(self, owner: RankQuestion) -> None:
        super().__init__(owner)
        self.owner = owner

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier and event.key() in (
                Qt.Key.Key_Up, Qt.Key.Key_Down):
            self.owner.move_current(-1 if event.key() == Qt.Key.Key_Up else 1)
            event.accept()
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.ignore()  # to the question: on to the next one
            return
        super().keyPressEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt's name
        super().dropEvent(event)
        self.owner.order_changed()


class RankQuestion(QuestionWidget):
    def build_input(self, layout: QVBoxLayout) -> None:
        self.choices = self.definition.choices_for(self.question)
        self.list = _RankList(self)
        self.list.setObjectName("input")
        self.list.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.list.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.list.setFixedHeight(self.list.fontMetrics().lineSpacing() * min(10, len(self.choices))
                                 + 24)
        row = QHBoxLayout()
        self.up_button = QToolButton(self)
        self.up_button.setObjectName("upButton")
        self.up_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.up_button.clicked.connect(lambda: self.move_current(-1))
        self.down_button = QToolButton(self)
        self.down_button.setObjectName("downButton")
        self.down_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.down_button.clicked.connect(lambda: self.move_current(1))
        self.keep_button = QToolButton(self)
        self.keep_button.setObjectName("keepButton")
        self.keep_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.keep_button.clicked.connect(self.order_changed)
        self.clear_button = QToolButton(self)
        self.clear_button.setObjectName("clearButton")
        self.clear_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.clear_button.clicked.connect(self.clear)
        self.state_label = QLabel(self)
        self.state_label.setStyleSheet(f"color: {HINT_COLOR};")
        for widget in (self.up_button, self.down_button, self.keep_button, self.clear_button):
            row.addWidget(widget)
        row.addWidget(self.state_label, 1)
        layout.addWidget(self.list)
        layout.addLayout(row)
        self.ranked = False
        self._fill([c.name for c in self.choices])

    def _fill(self, names: list[str]) -> None:
        order = names + [c.name for c in self.choices if c.name not in names]
        by_name = {c.name: c for c in self.choices}
        current = self.list.currentRow()
        self.list.clear()
        for position, name in enumerate(order):
            choice = by_name.get(name)
            label = choice.label_in(self.language, self.definition.default_language) if choice else name
            item = QListWidgetItem(_("{position}. {choice}").format(position=position + 1,
                                                                  choice=label), self.list)
            item.setData(Qt.ItemDataRole.UserRole, name)
        self.list.setCurrentRow(max(0, current))
        self.state_label.setText("" if self.ranked else _("Not ranked yet: move a choice, or "
                                                          "keep this order"))

    def order(self) -> list[str]:
        return [str(self.list.item(i).data(Qt.ItemDataRole.UserRole))
                for i in range(self.list.count())]

    def move_current(self, step: int) -> None:
        row = self.list.currentRow()
        target = row + step
        if self.read_only or row < 0 or not 0 <= target < self.list.count():
            return
        names = self.order()
        names[row], names[target] = names[target], names[row]
        self.list.setCurrentRow(target)
        self._fill(names)
        self.list.setCurrentRow(target)
        self.order_changed()

    def order_changed(self) -> None:
        if self.read_only:
            return
        self.ranked = True
        self._fill(self.order())
        self.emit_value(self.order())

    def clear(self) -> None:
        if self.read_only:
            return
        self.ranked = False
        self._fill([c.name for c in self.choices])
        self.emit_value(None)

    def show_value(self, value: Any) -> None:
        names = [str(v) for v in value] if isinstance(value, list) else []
        self.ranked = bool(names)
        self._fill(names)

    def input_widgets(self) -> list[QWidget]:
        return [self.list, self.up_button, self.down_button, self.keep_button, self.clear_button]

    def apply_read_only(self, read_only: bool) -> None:
        self.list.setDragEnabled(not read_only)
        for widget in (self.up_button, self.down_button, self.keep_button, self.clear_button):
            widget.setEnabled(not read_only)

    def retranslate_input(self) -> None:
        self.list.setAccessibleName(self.label_text() or self.question.name)
        self.list.setToolTip(_("Drag a choice, or move the selected one with Ctrl+Up and "
                               "Ctrl+Down"))
        self.up_button.setText(_("Move up"))
        self.up_button.setAccessibleName(_("Move the selected choice up"))
        self.down_button.setText(_("Move down"))
        self.down_button.setAccessibleName(_("Move the selected choice down"))
        self.keep_button.setText(_("Keep this order"))
        self.keep_button.setAccessibleName(_("Answer with the order shown"))
        self.clear_button.setText(_("Clear"))
        self.clear_button.setAccessibleName(_("Clear the answer"))
        self._fill(self.order())
