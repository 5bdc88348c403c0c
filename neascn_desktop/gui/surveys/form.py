"""The data-entry form of one submission: sections, one widget per question, live logic, autosave.

Every change is written at once to the submission's *working copy*
(``surveys.service.autosave``: a crash or power cut loses nothing typed);
revisions are cut at *save points* — Ctrl+S, leaving the form, finalize.
Relevance, required and constraint messages, calculations and progress all
come from the :class:`~neascn_desktop.surveys.validation.FormState` the
service returns, so the form shows exactly what finalize and the CLI check.

A section's question widgets are built the first time the section is shown,
so a long form opens at once.  Keyboard: Tab / Shift+Tab between inputs,
Enter to the next question (and on to the next section), digits and letters
pick choices, PageUp / PageDown change section, Ctrl+G goes to any question
through the question list, Ctrl+S cuts a save point.  The form reopens at the
question the person left.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QIcon, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QListWidgetItem,
    QScrollArea,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from neascn_desktop.changes import Changes
from neascn_desktop.errors import NeascnError
from neascn_desktop.gui.context import GuiContext
from neascn_desktop.gui.surveys.form_frame import FormFrame
from neascn_desktop.gui.surveys.form_language import FormLanguage
from neascn_desktop.gui.surveys.form_pages import Page, form_pages
from neascn_desktop.gui.surveys.form_position import PositionMemory
from neascn_desktop.gui.surveys.form_repeats import RepeatEditing
from neascn_desktop.gui.surveys.group_block import GroupBlock
from neascn_desktop.gui.surveys.media_widgets import AttachmentQuestion
from neascn_desktop.gui.surveys.problem_banner import finalized_message
from neascn_desktop.gui.surveys.question_base import ERROR_COLOR, QuestionWidget
from neascn_desktop.gui.surveys.question_list import section_title
from neascn_desktop.gui.surveys.questions import question_widget
from neascn_desktop.i18n import _, current_language, ngettext
from neascn_desktop.i18n.formatting import format_percent
from neascn_desktop.surveys import entry, service
from neascn_desktop.surveys.definition import (
    UNSHOWN_TYPES,
    Node,
    Question,
    SurveyDefinition,
)
from neascn_desktop.surveys.validation import (
    AnswerError,
    FormState,
    format_answer,
)
from neascn_desktop.sync.authority import sends_responses

#: Milliseconds between an autosave and telling the other views (coalesces typing).
PUBLISH_DELAY_MS = 1500


class SurveyForm(RepeatEditing, FormLanguage, FormFrame):
    """Fill in one submission; ``open_submission(id)`` loads it."""

    closed = Signal()
    statusChanged = Signal(str)  # submission id, after finalize / reopen / save point
    exportRequested = Signal()  # "Export for the secretariat…"

    def __init__(self, ctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("surveyForm")
        self.definition: SurveyDefinition | None = None
        self.submission: service.Submission | None = None
        self.state: FormState | None = None
        self.language = current_language()
        self.follow_ui = True
        self.widgets: dict[str, QuestionWidget] = {}
        self._built: set[int] = set()
        self._touched: set[str] = set()
        self._show_all_issues = False
        self._resume_question: str | None = None
        self.pages: list[Page] = []
        self.page_of_section: dict[int, int] = {}
        self.page_widgets: dict[int, list[QuestionWidget]] = {}
        self.group_blocks: dict[str, GroupBlock] = {}
        self._init_repeats()
        self.positions = PositionMemory(ctx.data_dir)
        self._question_list_dirty = True
        self._unpublished = Changes()
        self._publish_timer = QTimer(self)
        self._publish_timer.setSingleShot(True)
        self._publish_timer.setInterval(PUBLISH_DELAY_MS)
        self._publish_timer.timeout.connect(self._publish)
        self._build()
        self._wire()

    def _wire(self) -> None:
        """Connect the frame's widgets and shortcuts to the form's slots."""
        self.back_button.clicked.connect(self.close_form)
        self.language_combo.activated.connect(self._language_chosen)
        self.banner.questionChosen.connect(self.go_to_question)
        self.section_list.currentRowChanged.connect(self._section_row_changed)
        self.question_list.questionChosen.connect(self.go_to_question)
        self.navigator.currentChanged.connect(lambda _i: self._refresh_question_list())
        self.previous_button.clicked.connect(self.previous_section)
        self.next_button.clicked.connect(self.next_section)
        self.save_button.clicked.connect(self.save)
        self.finalize_button.clicked.connect(self.finalize)
        self.reopen_button.clicked.connect(self.reopen)
        self.export_button.clicked.connect(self.exportRequested)
        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        self.save_shortcut = QShortcut(QKeySequence.StandardKey.Save, self, self.save, context)
        self.next_shortcut = QShortcut(QKeySequence(Qt.Key.Key_PageDown), self,
                                       self.next_section, context)
        self.previous_shortcut = QShortcut(QKeySequence(Qt.Key.Key_PageUp), self,
                                           self.previous_section, context)
        self.goto_shortcut = QShortcut(QKeySequence("Ctrl+G"), self, self.show_question_list,
                                       context)

    # ------------------------------------------------------------------ opening

    def open_submission(self, submission_id: str) -> None:
        """Show a submission (its working copy if there is one)."""
        self._publish()
        submission = service.get_submission(self.ctx.db, submission_id)
        definition = service.definition_for(self.ctx.db, submission)
        self.definition = definition
        self.submission = submission
        self._touched = set()
        self._show_all_issues = False
        self.widgets = {}
        self._built = set()
        while self.stack.count():
            page = self.stack.widget(0)
            assert page is not None  # the stack is not empty
            self.stack.removeWidget(page)
            page.deleteLater()
        self.section_list.blockSignals(True)
        self.section_list.clear()
        self.pages = form_pages(definition)
        self.page_of_section = {i: n for n, page in enumerate(self.pages) for i in page.sections}
        self.page_widgets = {}
        self.group_blocks = {}
        self._init_repeats()
        for page_info in self.pages:
            name = (definition.sections[page_info.sections[0]].name if page_info.sections
                    else page_info.group.path if page_info.group is not None else "page")
            item = QListWidgetItem(self.section_list)
            item.setData(Qt.ItemDataRole.UserRole, name)
            page = QScrollArea(self.stack)
            page.setObjectName(f"section_{name.replace('/', '_')}")
            page.setWidgetResizable(True)
            page.setFrameShape(QFrame.Shape.NoFrame)
            page.verticalScrollBar().setSingleStep(24)
            self.stack.addWidget(page)
        self.section_list.blockSignals(False)
        self._fill_language_combo()
        self.question_list.set_definition(definition, self.pages, self.language)
        self.state = self._evaluate()
        self.banner.hide()
        self.saved_label.setText("")
        start, question = self.positions.recall(submission.id, len(self.pages),
                                                definition.has_question)
        self.show_section(start)
        self._resume_question = question
        self._refresh()
        self.retranslateUi()

    # ------------------------------------------------------------------ sections

    @property
    def current_section(self) -> int:
        return self.stack.currentIndex()

    def _section_row_changed(self, row: int) -> None:
        if row >= 0:
            self.show_section(row)

    def show_section(self, index: int) -> None:
        """Show page ``index`` (building its widgets the first time)."""
        if self.definition is None or not 0 <= index < len(self.pages):
            return
        self._build_section(index)
        self.stack.setCurrentIndex(index)
        if self.section_list.currentRow() != index:
            self.section_list.blockSignals(True)
            self.section_list.setCurrentRow(index)
            self.section_list.blockSignals(False)
        self._update_navigation()
        self._remember(index, None)

    def _build_section(self, index: int) -> None:
        if index in self._built or self.definition is None or self.submission is None:
            return
        self._built.add(index)
        page_info = self.pages[index]
        page = self.stack.widget(index)
        assert isinstance(page, QScrollArea)
        content = QWidget()
        content.setObjectName("sectionContent")
        layout = QVBoxLayout(content)
        layout.setContentsMargins(16, 8, 16, 16)
        heading = QLabel(content)
        heading.setObjectName("sectionHeading")
        heading.setTextFormat(Qt.TextFormat.PlainText)
        heading.setWordWrap(True)
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setBold(True)
        heading.setFont(font)
        layout.addWidget(heading)
        self.page_widgets[index] = []
        if page_info.group is not None and page_info.group.kind == "repeat":
            heading.hide()  # the repeat's own heading says it, with its count
            self._add_repeat(layout, content, page_info.group)
        elif page_info.group is not None:
            self._add_nodes(layout, content, page_info.group.children, index)
        else:
            for question in page_info.questions:
                self._add_question(layout, content, question, index)
        layout.addStretch(1)
        page.setWidget(content)
        self._set_section_heading(index)
        self._refresh_widgets(page_info.questions)

    def _add_nodes(self, layout: QVBoxLayout, parent: QWidget, nodes: tuple[Node, ...],
                   page: int) -> None:
        """Questions and nested groups in form order; a nested group is a headed block."""
        assert self.definition is not None
        for node in nodes:
            if isinstance(node, Question):
                if node.type not in UNSHOWN_TYPES:
                    self._add_question(layout, parent, node, page)
                continue
            if node.kind == "repeat":
                self._add_repeat(layout, parent, node)
                continue
            block = GroupBlock(node, self.definition, parent)
            self.group_blocks[node.path or node.name] = block
            layout.addWidget(block)
            self._add_nodes(block.body, block, node.children, page)

    def _add_question(self, layout: QVBoxLayout, parent: QWidget, question: Question,
                      page: int) -> None:
        assert self.definition is not None and self.submission is not None
        widget = question_widget(question, self.definition, parent)
        widget.answer_text = self._answer_text
        if isinstance(widget, AttachmentQuestion):
            widget.locate = self._attachment_path
        widget.set_language(self.language)
        key = widget.answer_key
        widget.set_value(self.submission.answers.get(key))
        if isinstance(widget, AttachmentQuestion):
            sha = self.submission.answers.get(key)
            widget.set_attachment(sha, self.submission.attachments.get(key))
            widget.file_chosen.connect(self.attach_file)
        widget.set_read_only(self.submission.finalized)
        widget.edited.connect(self._edited)
        widget.advance.connect(self.advance_from)
        layout.addWidget(widget)
        self.widgets[key] = widget
        self.page_widgets[page].append(widget)

    def _set_section_heading(self, index: int) -> None:
        page = self.stack.widget(index)
        content = page.widget() if isinstance(page, QScrollArea) else None
        heading = content.findChild(QLabel, "sectionHeading") if content else None
        if heading is not None and self.definition is not None:
            heading.setText(self._page_title(index))

    def _relevant_sections(self) -> list[int]:
        """The pages whose own section is relevant now."""
        if self.definition is None or self.state is None:
            return []
        sections = self.definition.sections
        return [n for n, page in enumerate(self.pages)
                if (self.state.is_relevant(sections[page.sections[0]].name) if page.sections
                    else self.tree is None or page.group is None
                    or self.tree.is_relevant(page.group.name))]

    def _page_title(self, index: int) -> str:
        assert self.definition is not None
        page = self.pages[index]
        if page.sections:
            return section_title(self.definition, self.definition.sections[page.sections[0]],
                                 self.language)
        assert page.group is not None
        return page.group.label_in(self.language, self.definition.default_language)

    def page_of(self, name: str) -> int:
        """The page a question is on (``KeyError`` for one on no page)."""
        assert self.definition is not None
        section = self.definition.section_of(name)
        return self.page_of_section[self.definition.sections.index(section)]

    def next_section(self) -> bool:
        later = [i for i in self._relevant_sections() if i > self.current_section]
        if not later:
            return False
        self.show_section(later[0])
        self.focus_first_question()
        return True

    def previous_section(self) -> bool:
        earlier = [i for i in self._relevant_sections() if i < self.current_section]
        if not earlier:
            return False
        self.show_section(earlier[-1])
        self.focus_first_question()
        return True

    def _update_navigation(self) -> None:
        relevant = self._relevant_sections()
        self.previous_button.setEnabled(any(i < self.current_section for i in relevant))
        self.next_button.setEnabled(any(i > self.current_section for i in relevant))

    # ------------------------------------------------------------------ questions

    def question(self, name: str) -> QuestionWidget:
        """The widget of a question (its section is built if it was not yet)."""
        self._build_section(self.page_of(name))
        return self.widgets[name]

    def _section_widgets(self, index: int) -> list[QuestionWidget]:
        return list(self.page_widgets.get(index, []))

    def focus_first_question(self) -> None:
        resume, self._resume_question = self._resume_question, None
        if resume and self.definition is not None and self.definition.has_question(resume):
            widget = self.question(resume)
            if widget.isVisibleTo(self.stack) and widget.focus_input():
                self._ensure_visible(widget)
                return
        for widget in self._section_widgets(self.current_section):
            if widget.isVisibleTo(self.stack) and widget.focus_input():
                self._ensure_visible(widget)
                return
        self.focus_first_repeat()

    def go_to_question(self, name: str) -> None:
        """Show the question's section, scroll to it and put the focus in it."""
        assert self.definition is not None
        try:
            page = self.page_of(name)
        except (KeyError, NeascnError):
            self.go_to_answer_path(name)  # inside a repeat instance (or nowhere)
            return
        widget = self.question(name)
        self.show_section(page)
        if not widget.focus_input():
            widget.setFocus(Qt.FocusReason.OtherFocusReason)
        self._ensure_visible(widget)
        self.question_list.select(name)
        self._remember(self.current_section, name)

    def _ensure_visible(self, widget: QWidget) -> None:
        page = self.stack.currentWidget()
        if isinstance(page, QScrollArea):
            page.ensureWidgetVisible(widget, 0, 24)

    def advance_from(self, name: str) -> None:
        """Enter in a question: on to the next visible question, or the next section."""
        if self.definition is None:
            return
        self._touched.add(name)
        self._refresh_widgets([self.definition.question(name)])
        widgets = self._section_widgets(self.page_of(name))
        position = next((i for i, w in enumerate(widgets) if w.answer_key == name), -1)
        for widget in widgets[position + 1:]:
            if widget.isVisibleTo(self.stack) and widget.focus_input():
                self._ensure_visible(widget)
                return
        if not self.next_section():
            self.finalize_button.setFocus(Qt.FocusReason.TabFocusReason)

    # ------------------------------------------------------------------ saving

    def _edited(self, name: str, value: Any) -> None:
        if self.submission is None or self.submission.finalized:
            return
        try:
            result = service.autosave(self.ctx.db, self.submission.id, {name: value},
                                      language=self.language)
        except AnswerError as exc:
            self.widgets[name].set_message(str(exc))
            return
        except NeascnError as exc:
            self.ctx.show_error(exc, self)
            return
        self._touched.add(name)
        self._remember(self.current_section, name)
        self._after_write(result)

    def attach_file(self, name: str, path: str) -> None:
        """Attach a file (picker or drop) to an attachment question."""
        if self.submission is None or self.submission.finalized:
            return
        try:
            result = service.attach_file(self.ctx.db, self.submission.id, name, Path(path),
                                         language=self.language)
        except NeascnError as exc:
            self.question(name).set_message(str(exc))
            return
        widget = self.question(name)
        assert isinstance(widget, AttachmentQuestion)
        widget.set_attachment(result.submission.answers.get(name),
                              result.submission.attachments.get(name))
        self._touched.add(name)
        self._after_write(result)

    def _after_write(self, result: service.SubmissionResult) -> None:
        self.submission = result.submission
        if result.state is not None:
            self.state = self._evaluate() if self._has_repeats() else result.state
        self._unpublished = self._unpublished | result.changes
        self._publish_timer.start()
        self.saved_label.setText(_("Saved on this computer"))
        self._refresh()

    def _publish(self) -> None:
        self._publish_timer.stop()
        if self._unpublished:
            changes, self._unpublished = self._unpublished, Changes()
            self.ctx.publish(changes)

    def save(self) -> Changes:
        """Cut a revision from the working copy (Ctrl+S)."""
        if self.submission is None:
            return Changes()
        try:
            changes = service.save_point(self.ctx.db, self.ctx.profile, self.submission.id)
        except NeascnError as exc:
            self.ctx.show_error(exc, self)
            return Changes()
        self._unpublished = self._unpublished | changes
        self._publish()
        self.submission = service.get_submission(self.ctx.db, self.submission.id)
        self.saved_label.setText(_("Saved as a revision"))
        self.statusChanged.emit(self.submission.id)
        return changes

    def close_form(self) -> None:
        """Leave the form (a save point) and go back to the city list."""
        if self.submission is not None and not self.submission.finalized:
            self.save()
        self._publish()
        self.closed.emit()

    def finalize(self) -> bool:
        """Check every answer; jump to the first problem, or lock the form."""
        if self.submission is None or self.definition is None:
            return False
        try:
            result = service.finalize(self.ctx.db, self.ctx.profile, self.submission.id,
                                      language=self.language)
        except service.FinalizeError as exc:
            self._show_all_issues = True
            self.state = self._evaluate()
            self._refresh()
            if not (self.tree.issues if self.tree is not None else self.state.issues):
                self.banner.show_message(str(exc), error=True)
            if exc.issues:
                self.go_to_question(exc.issues[0].question)
            return False
        except NeascnError as exc:
            self.ctx.show_error(exc, self)
            return False
        self._unpublished = self._unpublished | result.changes
        self._publish()
        self.submission = result.submission
        self._set_read_only(True)
        self._refresh()
        self.statusChanged.emit(self.submission.id)
        return True

    def reopen(self) -> None:
        """Unlock a finalized submission for editing."""
        if self.submission is None:
            return
        try:
            result = service.reopen(self.ctx.db, self.ctx.profile, self.submission.id)
        except NeascnError as exc:
            self.ctx.show_error(exc, self)
            return
        self._unpublished = self._unpublished | result.changes
        self._publish()
        self.submission = result.submission
        self._set_read_only(False)
        self._refresh()
        self.statusChanged.emit(self.submission.id)

    def _set_read_only(self, read_only: bool) -> None:
        for widget in self.widgets.values():
            widget.set_read_only(read_only)
        self._redraw_repeats()

    def reload(self) -> None:
        """Read the submission again (another process or a package import changed it)."""
        if self.submission is None or self.definition is None:
            return
        try:
            self.submission = service.get_submission(self.ctx.db, self.submission.id)
        except NeascnError:
            return
        self.state = self._evaluate()
        for name, widget in self.widgets.items():
            widget.set_value(self.submission.answers.get(name))
            if isinstance(widget, AttachmentQuestion):
                widget.set_attachment(self.submission.answers.get(name),
                                      self.submission.attachments.get(name))
            widget.set_read_only(self.submission.finalized)
        self._redraw_repeats()
        self._refresh()

    # ------------------------------------------------------------------ showing the state

    def _issue_message(self, name: str) -> str:
        assert self.state is not None
        for issue in self.state.issues_for(name):
            if issue.kind != "required" or self._show_all_issues or name in self._touched:
                return issue.message
        return ""

    def _refresh_widgets(self, questions: Any) -> None:
        if self.state is None:
            return
        state = self.state
        for question in questions:
            widget = self.widgets.get(question.key or question.name)
            if widget is None:
                continue
            key = question.key or question.name  # the path where two groups use one name
            widget.setVisible(state.is_relevant(key))
            widget.set_required(key in state.required)
            widget.set_message(self._issue_message(key))
            widget.set_values(state.values)
            if question.type == "calculate" or question.is_calculated:
                widget.set_value(state.values.get(key))

    def _refresh(self) -> None:
        """Relevance, messages, section list, progress and buttons from ``self.state``."""
        if self.definition is None or self.state is None or self.submission is None:
            return
        definition, state = self.definition, self.state
        self._refresh_widgets(definition.questions)
        for path, block in self.group_blocks.items():
            block.setVisible(state.is_relevant(path))
        progress = entry.section_progress(definition, state)
        done_icon = self.style().standardIcon(QStyle.StandardPixmap.SP_DialogApplyButton)
        relevant_pages = set(self._relevant_sections())
        for index, page in enumerate(self.pages):
            parts = [progress[i] for i in page.sections]
            answered = sum(p.answered for p in parts if p.relevant)
            answerable = sum(p.answerable for p in parts if p.relevant)
            missing = sum(p.required_missing for p in parts if p.relevant)
            issues = sum(p.issues for p in parts if p.relevant)
            if not page.sections and page.group is not None and self.tree is not None:
                inside = self.tree.issues_at(page.group.name)
                issues = len(inside)
                missing = sum(1 for i in inside if i.kind == "required")
            item = self.section_list.item(index)
            if page.sections:
                item.setText(_("{section}\n{answered} of {total} answered").format(
                    section=self._page_title(index), answered=answered, total=answerable))
            else:  # a repeat's page: how many entries it has
                entries = self._entry_count(page.group)
                item.setText(ngettext("{section}\n{count} entry", "{section}\n{count} entries",
                                      entries).format(section=self._page_title(index),
                                                      count=entries))
            item.setHidden(index not in relevant_pages)
            # Done: nothing wrong, nothing required left, and something answered (an untouched
            # page of optional questions is not "done").
            done = index in relevant_pages and not issues and not missing and (
                answered > 0 or answerable == 0) and bool(page.sections)
            item.setIcon(done_icon if done else _blank_icon())
            shows_problem = issues and (self._show_all_issues or issues > missing)
            item.setForeground(QColor(ERROR_COLOR) if shows_problem else QColor())
        self._refresh_repeats()
        required_done, required_total = (entry.required_progress(definition, state)
                                          if self.tree is None else
                                          entry.tree_required_progress(definition, self.tree))
        counts = self.tree if self.tree is not None else state
        self.progress_bar.setMaximum(max(1, counts.answerable))
        self.progress_bar.setValue(counts.answered)
        self.progress_bar.setFormat(format_percent(counts.progress))
        self.progress_label.setText(_(
            "{answered} of {total} questions answered · {required_done} of {required} required"
        ).format(answered=counts.answered, total=counts.answerable,
                 required_done=required_done, required=required_total))
        finalized = self.submission.finalized
        self.finalize_button.setEnabled(not finalized)
        self.reopen_button.setEnabled(finalized)
        self.save_button.setEnabled(not finalized)
        self.export_button.setEnabled(finalized)
        self.export_button.setVisible(sends_responses(self.ctx.profile.role))
        if finalized:
            self.banner.show_message(finalized_message(self.submission, self.ctx.profile.role), error=False)
        elif self._show_all_issues:
            self.banner.show_problems(self.tree.issues if self.tree is not None else state.issues,
                                      self._question_label)
        else:
            self.banner.hide()
        self._update_navigation()
        self._question_list_dirty = True
        self._refresh_question_list()

    def _refresh_question_list(self) -> None:
        """The question list's states (only while it is on screen; else when it is shown)."""
        if (self._question_list_dirty and self.definition is not None and self.state is not None
                and self.navigator.currentWidget() is self.question_list
                and self.submission is not None):
            self.question_list.set_entries(self.definition, self.submission.answers)
            self.question_list.update_states(self.definition, self.state, self.tree)
            self._question_list_dirty = False

    def show_question_list(self) -> None:
        """Ctrl+G: the question list, with the focus in its search box."""
        self.navigator.setCurrentWidget(self.question_list)
        self._refresh_question_list()
        self.question_list.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.question_list.search.selectAll()

    def _question_label(self, name: str) -> str:
        if self.definition is None or not self.definition.has_question(name):
            return name
        return self.definition.question(name).label_in(
            self.language, self.definition.default_language) or name

    def _answer_text(self, name: str, value: Any) -> str:
        if self.definition is None or not self.definition.has_question(name):
            return str(value)
        return format_answer(self.definition, name, value, self.language)

    def _attachment_path(self, sha256: str) -> Path | None:
        try:
            return service.attachment_path(self.ctx.db, sha256)
        except NeascnError:
            return None

    # ------------------------------------------------------------------ where the person was

    def _remember(self, page: int, question: str | None) -> None:
        if self.submission is not None and self.definition is not None:
            self.positions.remember(self.submission.id, page, question)

    # ------------------------------------------------------------------ languages

    def _apply_language(self) -> None:
        if self.definition is None or self.submission is None:
            return
        self.state = self._evaluate()
        for widget in self.widgets.values():
            widget.set_language(self.language)
        for index in self._built:
            self._set_section_heading(index)
        for block in self.group_blocks.values():
            block.set_language(self.language)
        self._retranslate_repeats()
        self.question_list.set_language(self.definition, self.language)
        self._refresh()
        self._set_title()

    def retranslateUi(self) -> None:  # noqa: N802 - the workspace contract's name
        self.retranslate_chrome()
        if self.definition is not None and self.follow_ui:
            ui = current_language()
            if ui in self.definition.languages and ui != self.language:
                self.set_form_language(ui, follow_ui=True)
                return
        if self.definition is not None:
            for widget in self.widgets.values():
                widget.set_language(self.language)  # the UI-language parts (buttons, hints)
            self._retranslate_repeats()
            self._refresh()
            self._set_title()


@cache
def _blank_icon() -> QIcon:
    """An empty icon of the same size, so section names stay aligned."""
    pixmap = QPixmap(16, 16)
    pixmap.fill(Qt.GlobalColor.transparent)
    return QIcon(pixmap)
