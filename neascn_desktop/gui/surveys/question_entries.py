"""The repeat entries of the question list: each instance of a repeat, its questions, its state.

ODK's hierarchy view lists a repeat's instances ("Project 1", "Project 2" …)
under the repeat, each with its questions and nested repeats.  The question
list keeps one *repeat branch* per repeat that is not inside another repeat;
:class:`EntryBranches` fills those branches from the answers (again when the
instances change) and marks each question inside an instance from the tree's
state (``repeat_state.TreeState``).  Items carry the canonical answer path
(``projects[@id=…]/name``; an instance's own item ``projects[@id=…]``), which
the form's ``go_to_question`` takes to jump there.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QTreeWidgetItem

from neascn_desktop.i18n import _
from neascn_desktop.surveys.answer_tree import (
    INSTANCE_ID,
    canonical_path,
    instances_of,
    scopes_of,
)
from neascn_desktop.surveys.definition import UNSHOWN_TYPES, Group, Node, Question, SurveyDefinition
from neascn_desktop.surveys.repeat_state import TreeState

ANSWERED, REQUIRED, INVALID, HIDDEN, OPEN, SHOWN = (
    "answered", "required", "invalid", "hidden", "open", "shown")
NAME_ROLE = Qt.ItemDataRole.UserRole
STATE_ROLE = Qt.ItemDataRole.UserRole + 1
LABEL_ROLE = Qt.ItemDataRole.UserRole + 2
#: Marks an item that stands for a repeat instance (its children are the instance's questions).
INSTANCE_ROLE = Qt.ItemDataRole.UserRole + 3


def entry_state(tree: TreeState, path: str, question: Question) -> str:
    """answered / required / invalid / hidden / open (``shown`` for a note or calculation) of
    the answer at a canonical path inside an instance."""
    if not tree.is_relevant(path):
        return HIDDEN
    issues = [i for i in tree.issues if i.question == path]
    if any(i.kind != "required" for i in issues):
        return INVALID
    if issues:
        return REQUIRED
    if not question.is_input:
        return SHOWN
    return ANSWERED if tree.values.get(path) not in (None, "", []) else OPEN


def instance_state(tree: TreeState, path: str) -> str:
    """An instance as a whole: hidden, invalid (something wrong inside), required (something
    required left), answered (something answered inside) or open."""
    if not tree.is_relevant(path.rsplit("[", 1)[0]):  # the repeat it is an entry of
        return HIDDEN
    inside = tree.issues_at(path)
    if any(i.kind != "required" for i in inside):
        return INVALID
    if inside:
        return REQUIRED
    return ANSWERED if any(p.startswith(f"{path}/") for p in tree.values) else OPEN


class EntryBranches:
    """The instances under each repeat branch of a question list."""

    def __init__(self) -> None:
        #: Repeat branch item -> the repeat (top-level scope only; nested ones are drawn inside).
        self.branches: list[tuple[QTreeWidgetItem, Group]] = []
        #: Canonical path -> item, for every instance and every question inside one.
        self.items: dict[str, QTreeWidgetItem] = {}
        self._questions: dict[str, Question] = {}
        self._shape: Any = None

    def clear(self) -> None:
        self.branches = []
        self.items = {}
        self._questions = {}
        self._shape = None

    def add_branch(self, item: QTreeWidgetItem, repeat: Group) -> None:
        self.branches.append((item, repeat))

    # ------------------------------------------------------------------ building

    def fill(self, definition: SurveyDefinition, answers: Mapping[str, Any], language: str,
             force: bool = False) -> bool:
        """Rebuild the instance items if the instances (or the language) changed, or ``force``;
        True if rebuilt."""
        shape = (language, _shape(answers))
        if not force and shape == self._shape:
            return False
        self._shape = shape
        self.items = {}
        self._questions = {}
        top = scopes_of(definition)[""]
        for branch, repeat in self.branches:
            branch.takeChildren()
            key = top.key_of(repeat) if id(repeat) in top.keys else repeat.name
            self._add_instances(branch, definition, answers, repeat, (), key, language)
        return True

    def _add_instances(self, parent: QTreeWidgetItem, definition: SurveyDefinition,
                       container: Mapping[str, Any], repeat: Group,
                       chain: tuple[tuple[str, str], ...], key: str, language: str) -> None:
        label = repeat.label_in(language, definition.default_language) or repeat.name
        scope = scopes_of(definition)[repeat.path]
        for position, instance in enumerate(instances_of(container, key), start=1):
            instance_id = str(instance.get(INSTANCE_ID))
            inner = (*chain, (key, instance_id))
            path = canonical_path(chain, f"{key}[@id={instance_id}]")
            item = QTreeWidgetItem(parent)
            item.setData(0, NAME_ROLE, path)
            item.setData(0, INSTANCE_ROLE, True)
            item.setData(0, LABEL_ROLE, _("{label} {number}").format(label=label, number=position))
            self.items[path] = item
            self._add_members(item, definition, instance, repeat.children, inner, scope, language)
            item.setExpanded(True)

    def _add_members(self, parent: QTreeWidgetItem, definition: SurveyDefinition,
                     instance: Mapping[str, Any], nodes: tuple[Node, ...],
                     chain: tuple[tuple[str, str], ...], scope: Any, language: str) -> None:
        fallback = definition.default_language
        for node in nodes:
            if isinstance(node, Question):
                if node.type in UNSHOWN_TYPES:
                    continue
                path = canonical_path(chain, scope.key_of(node))
                item = QTreeWidgetItem(parent)
                item.setData(0, NAME_ROLE, path)
                item.setData(0, LABEL_ROLE, node.label_in(language, fallback) or node.name)
                self.items[path] = item
                self._questions[path] = node
            elif node.kind == "repeat":
                branch = QTreeWidgetItem(parent)
                branch.setData(0, NAME_ROLE, None)
                branch.setFlags(Qt.ItemFlag.ItemIsEnabled)
                branch.setText(0, node.label_in(language, fallback) or node.name)
                self._add_instances(branch, definition, instance, node, chain,
                                    scope.key_of(node), language)
                branch.setExpanded(True)
            else:
                branch = QTreeWidgetItem(parent)
                branch.setData(0, NAME_ROLE, None)
                branch.setFlags(Qt.ItemFlag.ItemIsEnabled)
                branch.setText(0, node.label_in(language, fallback) or node.name)
                self._add_members(branch, definition, instance, node.children, chain, scope,
                                  language)
                branch.setExpanded(True)

    # ------------------------------------------------------------------ states

    def update_states(self, tree: TreeState | None, marks: Mapping[str, str],
                      colors: Mapping[str, str], tips: Mapping[str, str]) -> None:
        for path, item in self.items.items():
            question = self._questions.get(path)
            if tree is None:
                kind = OPEN
            elif question is None:
                kind = instance_state(tree, path)
            else:
                kind = entry_state(tree, path, question)
            label = str(item.data(0, LABEL_ROLE) or path)
            item.setText(0, f"{marks[kind]}  {label}")
            item.setData(0, STATE_ROLE, kind)
            item.setToolTip(0, tips[kind])
            item.setForeground(0, QBrush(QColor(colors[kind])))


def _shape(answers: Mapping[str, Any]) -> tuple[Any, ...]:
    """The instance ids of every repeat, nested ones included (what the items depend on)."""
    found: list[Any] = []
    for key, value in answers.items():
        if isinstance(value, list) and value and all(
                isinstance(i, dict) and INSTANCE_ID in i for i in value):
            found.append((key, tuple((i[INSTANCE_ID], _shape(i)) for i in value)))
    return tuple(found)
