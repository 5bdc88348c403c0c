"""The question list (hierarchy view) and the Finalize banner that lists every problem as a link."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from neascn_desktop.gui.surveys.question_list import ANSWERED, HIDDEN, INVALID, OPEN, REQUIRED
from neascn_desktop.surveys import service
from tests.gui.surveys.test_defects import _field_check
from tests.gui.surveys.test_form import _focused_question, _open_city, _workspace


def test_every_question_with_its_state_and_ctrl_g_jumps(qtbot, gui_ctx, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _workspace_, form = _field_check(qtbot, gui_ctx, tmp_path)
    form.go_to_question("budget")
    qtbot.keyClicks(form.question("budget").edit, "-1")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    questions = form.question_list
    assert QApplication.focusWidget() is questions.search
    assert set(questions.items) >= {q.name for q in form.definition.questions
                                    if q.type not in ("metadata", "hidden")}
    assert questions.state_of("budget") == INVALID
    assert questions.state_of("visit_date") == REQUIRED
    assert questions.state_of("visit_time") == OPEN
    assert questions.state_of("colour_other") == HIDDEN  # "other" not chosen
    # Nested groups are branches, in form order: Site > Place > Country first.
    site = questions.sections[0]
    assert site.child(0).text(0) == "Place"
    assert questions.items["country"].parent() is site.child(0)
    # Typing filters; Enter goes to the first match and puts the focus in it.
    qtbot.keyClicks(questions.search, "visit t")
    assert questions.items["visit_date"].isHidden() and not questions.items["visit_time"].isHidden()
    qtbot.keyClick(questions.search, Qt.Key.Key_Return)
    assert _focused_question().question.name == "visit_time"
    qtbot.keyClicks(QApplication.focusWidget(), "0930")
    assert questions.state_of("visit_time") == ANSWERED
    # A click jumps too.
    questions.tree.itemClicked.emit(questions.items["residents"], 0)
    assert _focused_question().question.name == "residents"


def test_finalize_lists_every_problem_as_a_link_and_the_banner_follows_the_fixes(qtbot, gui_ctx) -> None:  # type: ignore[no-untyped-def]
    workspace = _workspace(qtbot, gui_ctx)
    form = _open_city(qtbot, workspace, "incheon")
    assert not form.finalize()
    issues = form.state.issues
    assert len(issues) > 3
    assert form.banner.isVisibleTo(form)
    assert form.banner.links() == [i.question for i in issues[:12]]
    assert f"{len(issues)} problems" in form.banner.text()
    for issue in issues[:12]:
        assert f'href="question:{issue.question}"' in form.banner.text()
    # A link jumps to its question.
    second = issues[1].question
    form.banner.linkActivated.emit(f"question:{second}")
    assert _focused_question().question.name == second
    # Fixing the first problem takes it off the banner at once (no stale message).
    first = issues[0].question
    form.go_to_question(first)
    qtbot.keyClicks(form.question(first).edit, "Kim Min-ji")
    assert first not in form.banner.links()
    assert f"{len(issues) - 1} problems" in form.banner.text()
    # Answer everything required (answers may make more questions required): the banner goes.
    for _round in range(4):
        if form.state.complete:
            break
        service.set_answers(gui_ctx.db, gui_ctx.profile, form.submission.id,
                            {i.question: _plausible(form.definition, i.question)
                             for i in form.state.issues})
        form.reload()
    assert form.state.complete, form.state.issues
    assert not form.banner.isVisibleTo(form)
    assert form.finalize()


def _plausible(definition, name: str) -> str:  # type: ignore[no-untyped-def]
    """A typed answer that satisfies the built-in survey's question ``name``."""
    q = definition.question(name)
    if q.type in ("integer", "decimal"):
        return "2020" if name == "strategy_year" else "5"
    if q.type in ("select_one", "yes_no", "scale", "select_multiple"):
        return definition.choices_for(q)[0].name
    if q.type == "date":
        return "2026-03-05"
    return "kim@incheon.go.kr" if name == "resp_email" else "Kim Min-ji"
