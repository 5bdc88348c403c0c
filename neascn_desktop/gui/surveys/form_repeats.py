"""The form's part for repeats: blocks of instances, their edits through the entry API, their state.

Mixed into :class:`~neascn_desktop.gui.surveys.form.SurveyForm`.  Answers
inside instances are set by canonical path (``projects[@id=…]/sector``) with
``entry.set_instance_answer``; instances are added, moved and removed with
``entry.add_instance`` / ``move_instance`` / ``remove_instance`` (removal after
a confirmation).  Relevance, messages and calculated values inside instances
come from the whole tree's state (``repeat_state.evaluate_tree``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from PySide6.QtWidgets import QMessageBox, QVBoxLayout, QWidget

from neascn_desktop.errors import NeascnError
from neascn_desktop.gui.surveys.media_widgets import AttachmentQuestion
from neascn_desktop.gui.surveys.question_base import QuestionWidget
from neascn_desktop.gui.surveys.questions import question_widget
from neascn_desktop.gui.surveys.repeat_widgets import RepeatBlock
from neascn_desktop.i18n import _
from neascn_desktop.surveys import entry, expressions
from neascn_desktop.surveys.answer_tree import locate, scopes_of
from neascn_desktop.surveys.definition import Group, Question
from neascn_desktop.surveys.repeat_state import TreeState, evaluate_tree
from neascn_desktop.surveys.validation import AnswerError, FormState, evaluate_form

if TYPE_CHECKING:
    from neascn_desktop.gui.context import GuiContext
    from neascn_desktop.surveys import service
    from neascn_desktop.surveys.definition import SurveyDefinition


def _count(text: str | None, values: dict[str, Any]) -> int | None:
    """A count rule (``repeat_count``, min, max) evaluated on the answers outside repeats."""
    if text is None or not str(text).strip():
        return None
    try:
        value = expressions.to_number(expressions.evaluate(expressions.parse(str(text)), values))
    except expressions.ExpressionError:
        return None
    return None if value != value or abs(value) == float("inf") else max(0, int(value))


class RepeatEditing:
    """Repeat blocks on the pages and the edits they ask for."""

    ctx: GuiContext
    definition: SurveyDefinition | None
    submission: service.Submission | None
    state: FormState | None
    language: str
    _touched: set[str]
    _show_all_issues: bool

    def _init_repeats(self) -> None:
        self.tree: TreeState | None = None
        self.repeat_blocks: list[RepeatBlock] = []
        self.instance_widgets: dict[str, QuestionWidget] = {}
        self.removal_box: QMessageBox | None = None

    # ------------------------------------------------------------------ state

    def _has_repeats(self) -> bool:
        return self.definition is not None and any(
            g.kind == "repeat" for g in self.definition.groups)

    def _evaluate(self) -> FormState:
        """The state outside repeats (and ``self.tree``, the whole tree's, for repeat forms)."""
        assert self.definition is not None and self.submission is not None
        if self._has_repeats():
            self.tree = evaluate_tree(self.definition, self.submission.answers, self.language)
            return self.tree.form
        self.tree = None
        return evaluate_form(self.definition, self.submission.answers, self.language)

    # ------------------------------------------------------------------ building

    def _add_repeat(self, layout: QVBoxLayout, parent: QWidget, repeat: Group) -> RepeatBlock:
        assert self.definition is not None
        block = RepeatBlock(repeat, self.definition, (), self._make_instance_widget, parent)
        block.language = self.language  # drawn in the form's language, not the default's
        block.addRequested.connect(self.add_instances)
        block.removeRequested.connect(self.ask_remove_instance)
        block.moveRequested.connect(self.move_instance)
        block.leaveRequested.connect(self._leave_repeat)
        layout.addWidget(block)
        self.repeat_blocks.append(block)
        self._draw_repeat(block)
        return block

    def _make_instance_widget(self, question: Question, path: str,
                              parent: QWidget) -> QuestionWidget:
        assert self.definition is not None
        widget = question_widget(question, self.definition, parent)
        widget.answer_key = path
        widget.answer_text = self._answer_text  # type: ignore[attr-defined]
        if isinstance(widget, AttachmentQuestion):
            widget.locate = self._attachment_path  # type: ignore[attr-defined]
            widget.file_chosen.connect(self.attach_file)  # type: ignore[attr-defined]
        widget.set_language(self.language)
        widget.edited.connect(self._instance_edited)
        widget.advance.connect(self._instance_advance)
        self.instance_widgets[path] = widget
        return widget

    def _draw_repeat(self, block: RepeatBlock) -> None:
        """Redraw a block from the stored answers (instances, values, counts)."""
        if self.submission is None:
            return
        items = self.submission.answers.get(block.key)
        stale = [p for p, w in self.instance_widgets.items() if block.isAncestorOf(w)]
        block.show_instances(items if isinstance(items, list) else [], self.submission.finalized)
        for path in stale:
            if path not in block.all_widgets():
                self.instance_widgets.pop(path, None)
        self.instance_widgets.update(block.all_widgets())
        values = dict(self.state.values) if self.state is not None else {}
        extra = block.repeat.extra
        block.set_counts(_count(extra.get("repeat_count"), values),
                         _count(extra.get("neascn_min_count"), values),
                         _count(extra.get("neascn_max_count"), values))
        block.set_read_only(self.submission.finalized)
        for nested in block.all_blocks()[1:]:
            nested.set_read_only(self.submission.finalized)

    def _entry_count(self, repeat: Group | None) -> int:
        """Entries of a top-level repeat now."""
        if repeat is None or self.submission is None or self.definition is None:
            return 0
        items = self.submission.answers.get(scopes_of(self.definition)[""].key_of(repeat))
        return len(items) if isinstance(items, list) else 0

    def _retranslate_repeats(self) -> None:
        for widget in self.instance_widgets.values():
            widget.set_language(self.language)
        for repeat in self.repeat_blocks:
            for inner in repeat.all_blocks():
                inner.language = self.language
                inner.retranslate()

    def _redraw_repeats(self) -> None:
        for block in self.repeat_blocks:
            self._draw_repeat(block)

    def _refresh_repeats(self) -> None:
        """Relevance, messages and calculated values inside instances from ``self.tree``."""
        tree = self.tree
        if tree is None:
            return
        for block in self.repeat_blocks:
            for repeat in block.all_blocks():
                repeat.setVisible(tree.is_relevant(repeat.path))
        outer = dict(tree.form.values)
        by_instance: dict[str, dict[str, Any]] = {}
        for answer_path, value in tree.values.items():
            prefix, _sep, key = answer_path.rpartition("/")
            by_instance.setdefault(prefix, {})[key] = value
        for path, widget in self.instance_widgets.items():
            # ${name} and choice filters see the entry's own answers over the outer ones.
            prefix = path.rpartition("/")[0]
            widget.set_values({**outer, **by_instance.get(prefix, {})})
            widget.setVisible(tree.is_relevant(path))
            widget.set_required(path in tree.required)
            message = ""
            for issue in tree.issues_at(path):
                if issue.question == path and (issue.kind != "required" or self._show_all_issues
                                               or path in self._touched):
                    message = issue.message
                    break
            widget.set_message(message)
            if widget.question.type == "calculate" or widget.question.is_calculated:
                widget.set_value(tree.values.get(path))

    # ------------------------------------------------------------------ edits

    def _after_tree_edit(self, result: entry.TreeResult) -> None:
        self.submission = result.submission
        self.tree = result.state
        self.state = result.state.form
        self._unpublished = self._unpublished | result.changes  # type: ignore[has-type]
        self._publish_timer.start()  # type: ignore[attr-defined]
        self.saved_label.setText(_("Saved on this computer"))  # type: ignore[attr-defined]
        self._redraw_repeats()
        self._refresh()  # type: ignore[attr-defined]

    def _instance_edited(self, path: str, value: Any) -> None:
        if self.submission is None or self.submission.finalized:
            return
        try:
            result = entry.set_instance_answer(self.ctx.db, self.submission.id, path, value,
                                               language=self.language)
        except AnswerError as exc:
            widget = self.instance_widgets.get(path)
            if widget is not None:
                widget.set_message(str(exc))
            return
        except NeascnError as exc:
            self.ctx.show_error(exc, self)  # type: ignore[arg-type]
            return
        self._touched.add(path)
        self.submission = result.submission
        self.tree = result.state
        self.state = result.state.form
        self._unpublished = self._unpublished | result.changes
        self._publish_timer.start()  # type: ignore[attr-defined]
        self.saved_label.setText(_("Saved on this computer"))  # type: ignore[attr-defined]
        self._refresh()  # type: ignore[attr-defined]

    def add_instances(self, repeat_path: str, count: int = 1) -> str | None:
        """Add ``count`` instances to a repeat; the focus goes to the first question of the
        (last) new one.  Returns the new instance's id."""
        if self.submission is None or self.submission.finalized:
            return None
        new_id = None
        try:
            for _number in range(max(1, count)):
                result = entry.add_instance(self.ctx.db, self.submission.id, repeat_path,
                                            language=self.language)
                new_id = result.instance_id
        except NeascnError as exc:
            self.ctx.show_error(exc, self)  # type: ignore[arg-type]
            return None
        self._after_tree_edit(result)
        if new_id is not None:
            self.focus_instance(new_id)
        return new_id

    def focus_instance(self, instance_id: str) -> bool:
        marker = f"[@id={instance_id}]/"
        for path, widget in self.instance_widgets.items():
            if marker in path and path.rsplit(marker, 1)[1].count("[") == 0 and (
                    widget.isVisibleTo(self)  # type: ignore[arg-type]
                    and widget.focus_input()):
                self._ensure_visible(widget)  # type: ignore[attr-defined]
                return True
        return False

    def ask_remove_instance(self, instance_path: str) -> QMessageBox:
        """Ask before removing an instance with its answers (the box is ``removal_box``)."""
        box = QMessageBox(QMessageBox.Icon.Question, _("Remove an entry"),
                          _("Remove {entry} and all its answers?").format(
                              entry=self._instance_words(instance_path)),
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                          cast(QWidget, self))
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.finished.connect(lambda code: self._removal_answered(instance_path, code))
        self.removal_box = box
        box.open()
        return box

    def _removal_answered(self, instance_path: str, code: int) -> None:
        self.removal_box = None
        if code == QMessageBox.StandardButton.Yes:
            self.remove_instance(instance_path)

    def remove_instance(self, instance_path: str) -> None:
        if self.submission is None or self.submission.finalized:
            return
        try:
            result = entry.remove_instance(self.ctx.db, self.submission.id, instance_path,
                                           language=self.language)
        except NeascnError as exc:
            self.ctx.show_error(exc, self)  # type: ignore[arg-type]
            return
        self._after_tree_edit(result)

    def move_instance(self, instance_path: str, position: int) -> None:
        if self.submission is None or self.submission.finalized or position < 1:
            return
        try:
            result = entry.move_instance(self.ctx.db, self.submission.id, instance_path,
                                         position, language=self.language)
        except NeascnError as exc:
            self.ctx.show_error(exc, self)  # type: ignore[arg-type]
            return
        self._after_tree_edit(result)

    def _instance_words(self, instance_path: str) -> str:
        for block in self.repeat_blocks:
            for repeat in block.all_blocks():
                for instance in repeat.instances:
                    if instance.path == instance_path:
                        return instance.heading.text()
        return instance_path

    def _instance_advance(self, path: str) -> None:
        """Enter inside an instance: the next question of the block; after the last question of
        the last instance, "Add" (ODK's "add another?"), where Enter adds and Tab moves on."""
        for block in self.repeat_blocks:
            for repeat in block.all_blocks():
                paths = list(repeat.widgets)
                if path not in paths:
                    continue
                self._touched.add(path)
                instance = next(i for i in repeat.instances if i.isAncestorOf(repeat.widgets[path]))
                for later in paths[paths.index(path) + 1:]:
                    widget = repeat.widgets[later]
                    if (instance.isAncestorOf(widget) and widget.isVisibleTo(repeat)
                            and widget.focus_input()):
                        self._ensure_visible(widget)  # type: ignore[attr-defined]
                        return
                # The entry's own questions are done: into its nested repeats, else "Add".
                nested = [n for n in repeat.nested if instance.isAncestorOf(n) and n.isVisible()]
                if nested:
                    self._enter_repeat(nested[0])
                    return
                self._focus_widget(repeat.add_button)
                return

    def _enter_repeat(self, repeat: RepeatBlock) -> None:
        """The first question of a repeat's first entry, or its "Add" button."""
        for widget in repeat.widgets.values():
            if widget.isVisibleTo(repeat) and widget.focus_input():
                self._ensure_visible(widget)  # type: ignore[attr-defined]
                return
        self._focus_widget(repeat.add_button)

    def _focus_widget(self, widget: QWidget) -> None:
        widget.setFocus()
        self._ensure_visible(widget)  # type: ignore[attr-defined]

    def _leave_repeat(self, repeat_path: str) -> None:
        """Down on "Add": a nested repeat hands on to its parent's "Add", a top one to the next
        question of the page or the next page."""
        for block in self.repeat_blocks:
            for repeat in block.all_blocks():
                if repeat.path != repeat_path:
                    continue
                parent = next((r for r in block.all_blocks() if repeat in r.nested), None)
                if parent is not None:
                    self._focus_widget(parent.add_button)
                    return
                page = self.current_section  # type: ignore[attr-defined]
                widgets = self._section_widgets(page)  # type: ignore[attr-defined]
                later = [w for w in widgets if _after(repeat, w)]
                for widget in later:
                    if widget.isVisibleTo(repeat.parentWidget()) and widget.focus_input():
                        self._ensure_visible(widget)  # type: ignore[attr-defined]
                        return
                if not self.next_section():  # type: ignore[attr-defined]
                    self._focus_widget(self.finalize_button)  # type: ignore[attr-defined]
                return

    def focus_first_repeat(self) -> bool:
        """On a page that starts with (or is) a repeat: its first entry or its "Add" button."""
        stack = self.stack  # type: ignore[attr-defined]
        page = stack.currentWidget()
        blocks = [b for b in self.repeat_blocks if page is not None and page.isAncestorOf(b)]
        if not blocks:
            return False
        self._enter_repeat(blocks[0])
        return True

    def go_to_answer_path(self, path: str) -> bool:
        """Show the page of an answer inside an instance (or of an instance itself) and focus
        it (issue links, the question list)."""
        page = self._page_of_path(path)
        if page is not None:
            self.show_section(page)  # type: ignore[attr-defined]
        widget = self.instance_widgets.get(path)
        if widget is None:
            if self.definition is None or self.submission is None:
                return False
            try:
                location = locate(self.definition, self.submission.answers, path)
            except NeascnError:
                return False
            if location.instances:
                self.question_list.select(path)  # type: ignore[attr-defined]
                return self.focus_instance(location.instances[-1][1])
            return False
        for page, blocks in enumerate(self._page_repeats()):
            if any(b.isAncestorOf(widget) for b in blocks):
                self.show_section(page)  # type: ignore[attr-defined]
                break
        if not widget.focus_input():
            widget.setFocus()
        self._ensure_visible(widget)  # type: ignore[attr-defined]
        self.question_list.select(path)  # type: ignore[attr-defined]
        return True

    def _page_of_path(self, path: str) -> int | None:
        """The page holding the top-level repeat a path starts in (``projects[@id=…]/…``)."""
        if self.definition is None or "[" not in path:
            return None
        top = scopes_of(self.definition)[""].repeats.get(path.split("[", 1)[0])
        if top is None:
            return None
        pages = self.pages  # type: ignore[attr-defined]
        for index, page in enumerate(pages):
            group = page.group
            if group is not None and (group is top or top.path.startswith(f"{group.path}/")):
                return int(index)
        return None

    def _page_repeats(self) -> list[list[RepeatBlock]]:
        stack = self.stack  # type: ignore[attr-defined]
        return [[b for b in self.repeat_blocks if stack.widget(i).isAncestorOf(b)]
                for i in range(stack.count())]


def _after(block: QWidget, widget: QWidget) -> bool:
    """Whether ``widget`` stands below ``block`` on the page."""
    parent = block.parentWidget()
    if parent is None:
        return False
    return widget.mapTo(parent, widget.rect().topLeft()).y() > block.geometry().bottom()
