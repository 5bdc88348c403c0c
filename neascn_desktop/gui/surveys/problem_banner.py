"""The banner above the form: after Finalize, every problem left, each a link to its question.

It is redrawn from the form state after every answer, so a fixed problem
leaves the list at once and the banner goes when none is left.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QWidget

from neascn_desktop.gui.surveys.question_base import ERROR_COLOR
from neascn_desktop.i18n import _, ngettext
from neascn_desktop.surveys.repeat_state import TreeIssue
from neascn_desktop.surveys.service import Submission
from neascn_desktop.surveys.validation import Issue
from neascn_desktop.sync.authority import sends_responses

#: Problems listed by name; the rest are counted (the question list shows them all).
SHOWN_PROBLEMS = 12
_ERROR_STYLE = f"color: {ERROR_COLOR}; background: #fdecea; padding: 6px; border-radius: 4px;"
_INFO_STYLE = "color: #1a5e20; background: #e6f4ea; padding: 6px; border-radius: 4px;"


def finalized_message(submission: Submission, role: str) -> str:
    """What the banner says of a finalized response: true after an export, too (only field
    staff, who export responses, are asked to)."""
    if submission.received:
        return _("This survey is finalized and the secretariat has received it. Reopen it to change answers.")
    if submission.sent:
        return _("This survey is finalized and was exported for the secretariat. Reopen it to change answers.")
    if sends_responses(role):
        return _("This survey is finalized and locked. Reopen it to change answers, or export "
                 "it for the secretariat.")
    return _("This survey is finalized and locked. Reopen it to change answers.")


class ProblemBanner(QLabel):
    """A message, or the list of problems as links; ``questionChosen(name)`` on a link."""

    questionChosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse
                                     | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
        self.linkActivated.connect(self._link)
        self.problems: tuple[Issue | TreeIssue, ...] = ()
        self.hide()

    def _link(self, href: str) -> None:
        if href.startswith("question:"):
            self.questionChosen.emit(href.removeprefix("question:"))

    def show_message(self, text: str, *, error: bool) -> None:
        self.problems = ()
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setText(text)
        self.setStyleSheet(_ERROR_STYLE if error else _INFO_STYLE)
        self.setAccessibleName(text)
        self.show()

    def show_problems(self, issues: Sequence[Issue | TreeIssue],
                      label_of: Callable[[str], str]) -> None:
        """List every problem (the first ones by name, each a link to its question); a problem
        inside a repeat instance is named by its place in words ("Project 2 › Sector")."""
        issues = tuple(issues)
        self.problems = issues
        if not issues:
            self.hide()
            return
        head = ngettext("{count} problem keeps this survey from being finalized:",
                        "{count} problems keep this survey from being finalized:",
                        len(issues)).format(count=len(issues))
        lines = [f"<b>{html.escape(head)}</b>"]
        for issue in issues[:SHOWN_PROBLEMS]:
            lines.append(_("{question}: {problem}").format(
                question=f'<a href="question:{html.escape(issue.question, quote=True)}">'
                         f"{html.escape(getattr(issue, 'where', '') or label_of(issue.question))}"
                         "</a>",
                problem=html.escape(issue.message)))
        rest = len(issues) - SHOWN_PROBLEMS
        if rest > 0:
            lines.append(html.escape(ngettext(
                "… and {count} more: see the question list (Ctrl+G).",
                "… and {count} more: see the question list (Ctrl+G).", rest).format(count=rest)))
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setText("<br>".join(lines))
        self.setStyleSheet(_ERROR_STYLE)
        self.setAccessibleName(head)
        self.show()

    def links(self) -> list[str]:
        """The questions linked now, in order (what a person can click)."""
        return [issue.question for issue in self.problems[:SHOWN_PROBLEMS]]
