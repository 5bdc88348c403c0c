"""The data-entry form of one submission: sections, one widget per question, live logic, autosave.

Every change is written at once to the submission's *working copy*
(``surveys.service.autosave``: a crash or power cut loses nothing typed);
revisions are cut at *save points* — Ctrl+S, leaving the form, finalize.
Relevance, required and constraint messages, calculations and progress all
come from the :class:`~neascn_desktop.surveys.validation.FormState` the
service returns, so the form shows exactly what finalize and the CLI check.

A section's question widgets are built the first time the section is shown,
so a long form opens at once.  Keyboard: Tab / Shift+Tab between inputs,
Enter to the next question (and on to the next section), digits pick
choices, PageUp / PageDown change section, Ctrl+S cuts a save point.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QIcon, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from neascn_desktop.changes import Changes
from neascn_desktop.errors import NeascnError
from neascn_desktop.gui.context import GuiContext
from neascn_desktop.gui.surveys.questions import (
    ERROR_COLOR,
    AttachmentQuestion,
    QuestionWidget,
    question_widget,
)
from neascn_desktop.i18n import LANGUAGES, _, current_language
from neascn_desktop.i18n.formatting import format_percent
from neascn_desktop.surveys import entry, service
from neascn_desktop.surveys.definition import SurveyDefinition
from neascn_desktop.surveys.validation import AnswerError, FormState, evaluate_form

#: Milliseconds between an autosave and telling the other views (coalesces typing).
PUBLISH_DELAY_MS = 1500


class SurveyForm(QWidget):
    """Fill in one submission; ``open_submission(id)`` loads it."""

    closed = Signal()
    statusChanged = Signal(str)  # submission id, after finalize / reopen / save point

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
        self._unpublished = Changes()
        self._publish_timer = QTimer(self)
        self._publish_timer.setSingleShot(True)
        self._publish_timer.setInterval(PUBLISH_DELAY_MS)
        self._publish_timer.timeout.connect(self._publish)
        self._build()

    # ------------------------------------------------------------------ layout

    def _build(self) -> None:
        top = QHBoxLayout()
        self.back_button = QPushButton(self)
        self.back_button.setObjectName("backButton")
        self.back_button.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_ArrowBack))
        self.back_button.clicked.connect(self.close_form)
        self.title_label = QLabel(self)
        self.title_label.setObjectName("formTitle")
        font = self.title_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title_label.setFont(font)
        self.title_label.setWordWrap(True)
        self.language_label = QLabel(self)
        self.language_combo = QComboBox(self)
        self.language_combo.setObjectName("languageCombo")
        self.language_label.setBuddy(self.language_combo)
        self.language_combo.activated.connect(self._language_chosen)
        top.addWidget(self.back_button)
        top.addWidget(self.title_label, 1)
        top.addWidget(self.language_label)
        top.addWidget(self.language_combo)

        progress_row = QHBoxLayout()
        self.progress_bar = QProgressBar(self)
        self.progress_bar.setObjectName("progressBar")
        self.progress_bar.setTextVisible(True)
        self.progress_bar.setMaximumWidth(260)
        self.progress_label = QLabel(self)
        self.progress_label.setObjectName("progressLabel")
        self.saved_label = QLabel(self)
        self.saved_label.setObjectName("savedLabel")
        self.saved_label.setStyleSheet("color: #5f6368;")
        progress_row.addWidget(self.progress_bar)
        progress_row.addWidget(self.progress_label, 1)
        progress_row.addWidget(self.saved_label)

        self.banner = QLabel(self)
        self.banner.setObjectName("banner")
        self.banner.setWordWrap(True)
        self.banner.setTextFormat(Qt.TextFormat.PlainText)
        self.banner.hide()

        self.section_list = QListWidget(self)
        self.section_list.setObjectName("sectionList")
        self.section_list.setWordWrap(True)
        self.section_list.setMinimumWidth(200)
        self.section_list.setIconSize(QSize(16, 16))
        self.section_list.currentRowChanged.connect(self._section_row_changed)
        self.stack = QStackedWidget(self)
        self.stack.setObjectName("sectionStack")
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self.section_list)
        splitter.addWidget(self.stack)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([260, 740])

        bottom = QHBoxLayout()
        self.previous_button = QPushButton(self)
        self.previous_button.setObjectName("previousButton")
        self.previous_button.clicked.connect(self.previous_section)
        self.next_button = QPushButton(self)
        self.next_button.setObjectName("nextButton")
        self.next_button.clicked.connect(self.next_section)
        self.save_button = QPushButton(self)
        self.save_button.setObjectName("saveButton")
        self.save_button.clicked.connect(self.save)
        self.finalize_button = QPushButton(self)
        self.finalize_button.setObjectName("finalizeButton")
        self.finalize_button.clicked.connect(self.finalize)
        self.reopen_button = QPushButton(self)
        self.reopen_button.setObjectName("reopenButton")
        self.reopen_button.clicked.connect(self.reopen)
        for button in (self.previous_button, self.next_button, self.save_button,
                       self.finalize_button, self.reopen_button, self.back_button):
            button.setAutoDefault(False)
        bottom.addWidget(self.previous_button)
        bottom.addWidget(self.next_button)
        bottom.addStretch(1)
        bottom.addWidget(self.save_button)
        bottom.addWidget(self.finalize_button)
        bottom.addWidget(self.reopen_button)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(progress_row)
        layout.addWidget(self.banner)
        layout.addWidget(splitter, 1)
        layout.addLayout(bottom)

        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        self.save_shortcut = QShortcut(QKeySequence.StandardKey.Save, self, self.save, context)
        self.next_shortcut = QShortcut(QKeySequence(Qt.Key.Key_PageDown), self,
                                       self.next_section, context)
        self.previous_shortcut = QShortcut(QKeySequence(Qt.Key.Key_PageUp), self,
                                           self.previous_section, context)

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
        for section in definition.sections:
            item = QListWidgetItem(self.section_list)
            item.setData(Qt.ItemDataRole.UserRole, section.name)
            page = QScrollArea(self.stack)
            page.setObjectName(f"section_{section.name}")
            page.setWidgetResizable(True)
            page.setFrameShape(QFrame.Shape.NoFrame)
            page.verticalScrollBar().setSingleStep(24)
            self.stack.addWidget(page)
        self.section_list.blockSignals(False)
        self._fill_language_combo()
        self.state = evaluate_form(definition, submission.answers, self.language)
        self.banner.hide()
        self.saved_label.setText("")
        self.show_section(0)
        self._refresh()
        self.retranslateUi()

    def _fill_language_combo(self) -> None:
        assert self.definition is not None
        languages = self.definition.languages or (self.definition.default_language,)
        if self.follow_ui or self.language not in languages:
            ui = current_language()
            self.language = ui if ui in languages else self.definition.default_language
        self.language_combo.blockSignals(True)
        self.language_combo.clear()
        for code in languages:
            self.language_combo.addItem(LANGUAGES.get(code, code), code)
        self.language_combo.setCurrentIndex(max(0, self.language_combo.findData(self.language)))
        self.language_combo.blockSignals(False)

    # ------------------------------------------------------------------ sections

    @property
    def current_section(self) -> int:
        return self.stack.currentIndex()

    def _section_row_changed(self, row: int) -> None:
        if row >= 0:
            self.show_section(row)

    def show_section(self, index: int) -> None:
        """Show section ``index`` (building its widgets the first time)."""
        if self.definition is None or not 0 <= index < len(self.definition.sections):
            return
        self._build_section(index)
        self.stack.setCurrentIndex(index)
        if self.section_list.currentRow() != index:
            self.section_list.blockSignals(True)
            self.section_list.setCurrentRow(index)
            self.section_list.blockSignals(False)
        self._update_navigation()

    def _build_section(self, index: int) -> None:
        if index in self._built or self.definition is None or self.submission is None:
            return
        self._built.add(index)
        definition = self.definition
        section = definition.sections[index]
        page = self.stack.widget(index)
        assert isinstance(page, QScrollArea)
        content = QWidget()
        content.setObjectName("sectionContent")
        layout = QVBoxLayout(content)
        layout.setContentsMargins(16, 8, 16, 16)
        heading = QLabel(content)
        heading.setObjectName("sectionHeading")
        heading.setWordWrap(True)
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setBold(True)
        heading.setFont(font)
        layout.addWidget(heading)
        read_only = self.submission.finalized
        for question in section.questions:
            widget = question_widget(question, definition, content)
            widget.set_language(self.language)
            widget.set_value(self.submission.answers.get(question.name))
            if isinstance(widget, AttachmentQuestion):
                sha = self.submission.answers.get(question.name)
                widget.set_attachment(sha, self.submission.attachments.get(question.name))
                widget.file_chosen.connect(self.attach_file)
            widget.set_read_only(read_only)
            widget.edited.connect(self._edited)
            widget.advance.connect(self.advance_from)
            layout.addWidget(widget)
            self.widgets[question.name] = widget
        layout.addStretch(1)
        page.setWidget(content)
        self._set_section_heading(index)
        self._refresh_widgets(section.questions)

    def _set_section_heading(self, index: int) -> None:
        page = self.stack.widget(index)
        content = page.widget() if isinstance(page, QScrollArea) else None
        heading = content.findChild(QLabel, "sectionHeading") if content else None
        if heading is not None and self.definition is not None:
            heading.setText(self.definition.sections[index].label_in(
                self.language, self.definition.default_language))

    def _relevant_sections(self) -> list[int]:
        if self.definition is None or self.state is None:
            return []
        return [i for i, s in enumerate(self.definition.sections)
                if self.state.is_relevant(s.name)]

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
        assert self.definition is not None
        section = self.definition.section_of(name)
        self._build_section(self.definition.sections.index(section))
        return self.widgets[name]

    def _section_widgets(self, index: int) -> list[QuestionWidget]:
        assert self.definition is not None
        return [self.widgets[q.name] for q in self.definition.sections[index].questions
                if q.name in self.widgets]

    def focus_first_question(self) -> None:
        for widget in self._section_widgets(self.current_section):
            if widget.isVisibleTo(self.stack) and widget.focus_input():
                self._ensure_visible(widget)
                return

    def go_to_question(self, name: str) -> None:
        """Show the question's section, scroll to it and put the focus in it."""
        assert self.definition is not None
        widget = self.question(name)
        self.show_section(self.definition.sections.index(self.definition.section_of(name)))
        if not widget.focus_input():
            widget.setFocus(Qt.FocusReason.OtherFocusReason)
        self._ensure_visible(widget)

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
        index = self.definition.sections.index(self.definition.section_of(name))
        widgets = self._section_widgets(index)
        position = next((i for i, w in enumerate(widgets) if w.question.name == name), -1)
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
            self.state = result.state
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
            self.state = evaluate_form(self.definition, self.submission.answers, self.language)
            self._refresh()
            self._show_banner(str(exc), error=True)
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

    def reload(self) -> None:
        """Read the submission again (another process or a package import changed it)."""
        if self.submission is None or self.definition is None:
            return
        try:
            self.submission = service.get_submission(self.ctx.db, self.submission.id)
        except NeascnError:
            return
        self.state = evaluate_form(self.definition, self.submission.answers, self.language)
        for name, widget in self.widgets.items():
            widget.set_value(self.submission.answers.get(name))
            if isinstance(widget, AttachmentQuestion):
                widget.set_attachment(self.submission.answers.get(name),
                                      self.submission.attachments.get(name))
            widget.set_read_only(self.submission.finalized)
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
            widget = self.widgets.get(question.name)
            if widget is None:
                continue
            widget.setVisible(state.is_relevant(question.name))
            widget.set_required(question.name in state.required)
            widget.set_message(self._issue_message(question.name))
            if question.type == "calculate":
                widget.set_value(state.values.get(question.name))

    def _refresh(self) -> None:
        """Relevance, messages, section list, progress and buttons from ``self.state``."""
        if self.definition is None or self.state is None or self.submission is None:
            return
        definition, state = self.definition, self.state
        self._refresh_widgets(definition.questions)
        progress = entry.section_progress(definition, state)
        done_icon = self.style().standardIcon(QStyle.StandardPixmap.SP_DialogApplyButton)
        for index, (section, item_progress) in enumerate(
                zip(definition.sections, progress, strict=True)):
            item = self.section_list.item(index)
            label = section.label_in(self.language, definition.default_language)
            item.setText(_("{section}\n{answered} of {total} answered").format(
                section=label, answered=item_progress.answered, total=item_progress.answerable))
            item.setHidden(not item_progress.relevant)
            item.setIcon(done_icon if item_progress.complete else _blank_icon())
            shows_problem = item_progress.issues and (
                self._show_all_issues or item_progress.issues > item_progress.required_missing)
            item.setForeground(QColor(ERROR_COLOR) if shows_problem else QColor())
        required_done, required_total = entry.required_progress(definition, state)
        self.progress_bar.setMaximum(max(1, state.answerable))
        self.progress_bar.setValue(state.answered)
        self.progress_bar.setFormat(format_percent(state.progress))
        self.progress_label.setText(_(
            "{answered} of {total} questions answered · {required_done} of {required} required"
        ).format(answered=state.answered, total=state.answerable,
                 required_done=required_done, required=required_total))
        finalized = self.submission.finalized
        self.finalize_button.setEnabled(not finalized)
        self.reopen_button.setEnabled(finalized)
        self.save_button.setEnabled(not finalized)
        if finalized:
            self._show_banner(_("This survey is finalized and locked. Reopen it to change answers."),
                              error=False)
        elif not self._show_all_issues or state.complete:
            self.banner.hide()
        self._update_navigation()

    def _show_banner(self, text: str, *, error: bool) -> None:
        self.banner.setText(text)
        color = ERROR_COLOR if error else "#1a5e20"
        background = "#fdecea" if error else "#e6f4ea"
        self.banner.setStyleSheet(
            f"color: {color}; background: {background}; padding: 6px; border-radius: 4px;")
        self.banner.show()

    # ------------------------------------------------------------------ languages

    def _language_chosen(self, index: int) -> None:
        code = self.language_combo.itemData(index)
        if code:
            self.set_form_language(str(code), follow_ui=code == current_language())

    def set_form_language(self, code: str, *, follow_ui: bool = False) -> None:
        """Show the form content (labels, hints, choices, messages) in ``code``."""
        self.follow_ui = follow_ui
        self.language = code
        index = self.language_combo.findData(code)
        if index >= 0 and self.language_combo.currentIndex() != index:
            self.language_combo.setCurrentIndex(index)
        self._apply_language()

    def _apply_language(self) -> None:
        if self.definition is None or self.submission is None:
            return
        self.state = evaluate_form(self.definition, self.submission.answers, self.language)
        for widget in self.widgets.values():
            widget.set_language(self.language)
        for index in self._built:
            self._set_section_heading(index)
        self._refresh()
        self._set_title()

    def _set_title(self) -> None:
        if self.definition is None or self.submission is None:
            self.title_label.setText("")
            return
        try:
            city = service.get_city(self.ctx.db, self.submission.city_id).name_in(self.language)
        except NeascnError:
            city = self.submission.city_id
        self.title_label.setText(_("{city} · {survey} ({version})").format(
            city=city, survey=self.definition.title_in(self.language),
            version=self.definition.version))

    def retranslateUi(self) -> None:  # noqa: N802 - the workspace contract's name
        self.back_button.setText(_("Cities"))
        self.back_button.setToolTip(_("Save and go back to the list of cities"))
        self.language_label.setText(_("Form &language:"))
        self.language_combo.setToolTip(_("The language of the questions and answers shown"))
        self.previous_button.setText(_("Previous section"))
        self.previous_button.setToolTip(_("Page Up"))
        self.next_button.setText(_("Next section"))
        self.next_button.setToolTip(_("Page Down"))
        self.save_button.setText(_("Save"))
        self.save_button.setToolTip(_(
            "Answers are kept as you type; Save (Ctrl+S) also records a revision"))
        self.finalize_button.setText(_("Finalize"))
        self.finalize_button.setToolTip(_("Check every answer and lock the survey"))
        self.reopen_button.setText(_("Reopen"))
        self.reopen_button.setToolTip(_("Unlock the finalized survey to change answers"))
        self.section_list.setAccessibleName(_("Sections"))
        if self.definition is not None and self.follow_ui:
            ui = current_language()
            if ui in self.definition.languages and ui != self.language:
                self.set_form_language(ui, follow_ui=True)
                return
        if self.definition is not None:
            for widget in self.widgets.values():
                widget.set_language(self.language)  # the UI-language parts (buttons, hints)
            self._refresh()
            self._set_title()


@cache
def _blank_icon() -> QIcon:
    """An empty icon of the same size, so section names stay aligned."""
    pixmap = QPixmap(16, 16)
    pixmap.fill(Qt.GlobalColor.transparent)
    return QIcon(pixmap)
