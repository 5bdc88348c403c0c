"""The question list (ODK's hierarchy view): every question of the form with its state.

Groups are the branches, questions the leaves, each marked answered,
required and empty, invalid, hidden (not relevant now) or not answered yet;
a repeat lists its entries, each with its questions (``question_entries``).
Typing in the box above filters by label or name; a click, Enter or
double-click jumps to the question (``questionChosen``).  Ctrl+G in the form
brings the focus here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from neascn_desktop.gui.surveys.form_pages import Page
from neascn_desktop.gui.surveys.question_base import ERROR_COLOR, HINT_COLOR, REFERENCE_RE
from neascn_desktop.gui.surveys.question_entries import (
    ANSWERED,
    HIDDEN,
    INVALID,
    LABEL_ROLE,
    NAME_ROLE,
    OPEN,
    REQUIRED,
    SHOWN,
    STATE_ROLE,
    EntryBranches,
)
from neascn_desktop.i18n import N_, _
from neascn_desktop.surveys.definition import (
    UNSHOWN_TYPES,
    Group,
    Node,
    Question,
    Section,
    SurveyDefinition,
)
from neascn_desktop.surveys.repeat_state import TreeState
from neascn_desktop.surveys.validation import FormState

__all__ = ["ANSWERED", "HIDDEN", "INVALID", "OPEN", "REQUIRED", "SHOWN", "QuestionList",
           "question_state", "section_title"]

STATE_LABELS = {
    ANSWERED: N_("Answered"),
    REQUIRED: N_("Required, not answered"),
    INVALID: N_("Not valid"),
    HIDDEN: N_("Hidden (not asked now)"),
    OPEN: N_("Not answered"),
    SHOWN: N_("Shown"),
}
_MARKS = {ANSWERED: "✓", REQUIRED: "!", INVALID: "✗", HIDDEN: "–", OPEN: "○", SHOWN: "·"}
_COLORS = {ANSWERED: "#1a5e20", REQUIRED: ERROR_COLOR, INVALID: ERROR_COLOR, HIDDEN: HINT_COLOR,
           OPEN: "#000000", SHOWN: HINT_COLOR}


def question_state(state: FormState, name: str, is_input: bool) -> str:
    """One of answered / required / invalid / hidden / open (``shown`` for a note or calculation)."""
    if not state.is_relevant(name):
        return HIDDEN
    issues = state.issues_for(name)
    if any(i.kind != "required" for i in issues):
        return INVALID
    if issues:
        return REQUIRED
    if not is_input:
        return SHOWN
    return ANSWERED if name in state.values else OPEN


class _SearchBox(QLineEdit):
    """Down moves into the tree, Enter jumps to the first match."""

    def __init__(self, owner: QuestionList) -> None:
        super().__init__(owner)
        self.owner = owner

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        if event.key() == Qt.Key.Key_Down:
            self.owner.tree.setFocus()
            event.accept()
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            first = self.owner.first_visible()
            if first is not None:
                self.owner.choose(first)
            event.accept()
            return
        super().keyPressEvent(event)


class _Tree(QTreeWidget):
    def __init__(self, owner: QuestionList) -> None:
        super().__init__(owner)
        self.owner = owner

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        current = self.currentItem()
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and current is not None:
            self.owner.choose(current)
            event.accept()
            return
        super().keyPressEvent(event)


class QuestionList(QWidget):
    """Groups and questions with their state; ``questionChosen(name)`` on click or Enter."""

    questionChosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("questionList")
        self.search = _SearchBox(self)
        self.search.setObjectName("questionSearch")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._filter)
        self.tree = _Tree(self)
        self.tree.setObjectName("questionTree")
        self.tree.setHeaderHidden(True)
        self.tree.setColumnCount(1)
        self.tree.setUniformRowHeights(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.itemClicked.connect(lambda item, _column: self.choose(item))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search)
        layout.addWidget(self.tree, 1)
        self.items: dict[str, QTreeWidgetItem] = {}
        self.sections: list[QTreeWidgetItem] = []
        self.children_of: list[list[QTreeWidgetItem]] = []
        self.entries = EntryBranches()
        self.retranslateUi()

    def set_definition(self, definition: SurveyDefinition, pages: list[Page],
                       language: str) -> None:
        """One branch per page of the form, nested groups as branches, questions in form order."""
        self.tree.clear()
        self.items = {}
        self.sections = []
        self.children_of = []
        self.groups: dict[QTreeWidgetItem, Group] = {}
        self.entries.clear()
        self.pages = pages
        for page in pages:
            parent = QTreeWidgetItem(self.tree)
            parent.setData(0, NAME_ROLE, None)
            parent.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.sections.append(parent)
            self.children_of.append([])
            if page.group is not None and page.group.kind == "repeat":
                self.entries.add_branch(parent, page.group)  # its entries, once answers are set
                continue
            if page.group is not None:
                self._add(parent, page.group.children)
            else:
                for question in page.questions:
                    self._question_item(parent, question)
        self.set_language(definition, language)
        self.tree.expandAll()

    def _question_item(self, parent: QTreeWidgetItem, question: Question) -> None:
        item = QTreeWidgetItem(parent)
        self.children_of[-1].append(item)
        item.setData(0, NAME_ROLE, question.key or question.name)
        self.items[question.key or question.name] = item

    def _add(self, parent: QTreeWidgetItem, nodes: tuple[Node, ...]) -> None:
        for node in nodes:
            if isinstance(node, Question):
                if node.type not in UNSHOWN_TYPES:
                    self._question_item(parent, node)
            else:
                branch = QTreeWidgetItem(parent)
                branch.setData(0, NAME_ROLE, None)
                branch.setFlags(Qt.ItemFlag.ItemIsEnabled)
                self.groups[branch] = node
                if node.kind == "repeat":
                    self.entries.add_branch(branch, node)
                else:
                    self._add(branch, node.children)

    def set_language(self, definition: SurveyDefinition, language: str) -> None:
        fallback = definition.default_language
        for page, parent in zip(self.pages, self.sections, strict=True):
            parent.setText(0, section_title(definition, definition.sections[page.sections[0]],
                                            language) if page.sections else
                           page.group.label_in(language, fallback) if page.group else "")
        for branch, group in self.groups.items():
            branch.setText(0, group.label_in(language, fallback))
        for question in definition.questions:
            item = self.items.get(question.key or question.name)
            if item is not None:
                item.setData(0, LABEL_ROLE, question.label_in(language, fallback) or question.name)
        self.language = language

    def set_entries(self, definition: SurveyDefinition, answers: Mapping[str, Any]) -> None:
        """The entries of the repeats as the answers hold them now (rebuilt when they change)."""
        if self.entries.fill(definition, answers, getattr(self, "language", "en")):
            self.tree.expandAll()

    def update_states(self, definition: SurveyDefinition, state: FormState,
                      tree: TreeState | None = None) -> None:
        for question in definition.questions:
            item = self.items.get(question.key or question.name)
            if item is None:
                continue
            kind = question_state(state, question.key or question.name, question.is_input)
            label = REFERENCE_RE.sub(
                lambda m: str(state.values.get(m.group(1), "…")),
                str(item.data(0, LABEL_ROLE) or question.name))
            item.setText(0, f"{_MARKS[kind]}  {label}")
            item.setData(0, STATE_ROLE, kind)
            item.setToolTip(0, _(STATE_LABELS[kind]))
            item.setForeground(0, QBrush(QColor(_COLORS[kind])))
        self.entries.update_states(tree, _MARKS, _COLORS,
                                   {kind: _(label) for kind, label in STATE_LABELS.items()})
        self._filter(self.search.text())

    def state_of(self, name: str) -> str | None:
        item = self.items.get(name) or self.entries.items.get(name)
        return None if item is None else str(item.data(0, STATE_ROLE))

    def _filter(self, text: str) -> None:
        needle = text.strip().casefold()

        def show(item: QTreeWidgetItem) -> bool:
            """Hide what does not match; a branch stays while anything inside it does."""
            kids = [show(kid) for kid in (item.child(i) for i in range(item.childCount()))
                    if kid is not None]
            name = item.data(0, NAME_ROLE)
            hit = not needle or any(kids) or (name is not None and (
                needle in item.text(0).casefold() or needle in str(name).casefold()))
            item.setHidden(not hit)
            return hit

        for parent in self.sections:
            show(parent)

    def first_visible(self) -> QTreeWidgetItem | None:
        """The first question (not a branch, not an entry) the filter leaves."""

        def first(item: QTreeWidgetItem) -> QTreeWidgetItem | None:
            if item.isHidden():
                return None
            if item.childCount() == 0 and item.data(0, NAME_ROLE):
                return item
            for i in range(item.childCount()):
                kid = item.child(i)
                found = first(kid) if kid is not None else None
                if found is not None:
                    return found
            return None

        for parent in self.sections:
            found = first(parent)
            if found is not None:
                return found
        return None

    def choose(self, item: QTreeWidgetItem) -> None:
        name = item.data(0, NAME_ROLE)
        if name:
            self.questionChosen.emit(str(name))

    def select(self, name: str) -> None:
        item = self.items.get(name) or self.entries.items.get(name)
        if item is not None:
            self.tree.setCurrentItem(item)

    def names(self) -> Iterable[str]:
        return self.items.keys()

    def retranslateUi(self) -> None:  # noqa: N802 - the workspace contract's name
        self.search.setPlaceholderText(_("Go to a question (Ctrl+G): type part of its label"))
        self.search.setAccessibleName(_("Search the questions"))
        self.tree.setAccessibleName(_("Questions and their state"))


def section_title(definition: SurveyDefinition, section: Section, language: str) -> str:
    """A section's label, nested groups as "Outer › Inner" so the hierarchy shows."""
    fallback = definition.default_language
    by_path = {g.path or g.name: g for g in definition.groups}
    parts = section.name.split("/")
    labels = []
    for depth in range(1, len(parts) + 1):
        group = by_path.get("/".join(parts[:depth]))
        if group is not None:
            labels.append(group.label_in(language, fallback))
    if not labels:
        return section.label_in(language, fallback) if section.label else _("Questions")
    return " › ".join(labels)

