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


def test_repeat_entries_are_listed_with_their_questions_and_states(qtbot, gui_ctx, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.gui.surveys.test_repeats_keyboard import _projects

    _workspace_, form = _projects(qtbot, gui_ctx, tmp_path)
    page = next(i for i, p in enumerate(form.pages)
                if p.group is not None and p.group.name == "projects")
    form.show_section(page)
    first = form.add_instances("projects")
    second = form.add_instances("projects")
    assert first and second
    qtbot.keyClicks(QApplication.focusWidget(), "Heating")  # the second entry's name
    partner = form.add_instances(f"projects[@id={first}]/partners")
    qtbot.keyClicks(QApplication.focusWidget(), "ADB")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    questions = form.question_list
    entries = questions.entries.items
    first_path, second_path = f"projects[@id={first}]", f"projects[@id={second}]"
    partner_path = f"{first_path}/partners[@id={partner}]"
    # Each entry is an item under the repeat's branch, its questions under it, in form order.
    branch = questions.sections[page]
    assert [branch.child(i).data(0, Qt.ItemDataRole.UserRole) for i in range(branch.childCount())
            ] == [first_path, second_path]
    assert entries[first_path].text(0).endswith("Project 1")
    assert entries[f"{first_path}/name"].parent() is entries[first_path]
    assert entries[f"{partner_path}/partner_name"].parent() is entries[partner_path]
    # States: the second entry's name answered, the first's required and empty.
    assert questions.state_of(f"{second_path}/name") == ANSWERED
    assert questions.state_of(f"{first_path}/name") == REQUIRED
    assert questions.state_of(f"{first_path}/sector") == OPEN
    assert questions.state_of(f"{partner_path}/partner_name") == ANSWERED
    assert questions.state_of(first_path) == REQUIRED and questions.state_of(second_path) == ANSWERED
    # The progress counts the required questions inside entries too: contact, two names.
    assert "1 of 3 required" in form.progress_label.text()
    # A click on a question of an entry jumps into that entry.
    questions.tree.itemClicked.emit(entries[f"{first_path}/name"], 0)
    focused = _focused_question()
    assert focused.answer_key == f"{first_path}/name"
    qtbot.keyClicks(focused.edit, "Bus")
    # Ctrl+G, type, Enter: the first match inside the entries, here the partner's share.
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    assert questions.state_of(f"{first_path}/name") == ANSWERED
    qtbot.keyClicks(questions.search, "share")
    qtbot.keyClick(questions.search, Qt.Key.Key_Return)
    assert _focused_question().answer_key == f"{partner_path}/share"
    qtbot.keyClicks(QApplication.focusWidget(), "150")  # over 100: not valid
    form.show_question_list()
    assert questions.state_of(f"{partner_path}/share") == INVALID
    assert questions.state_of(first_path) == INVALID
    # A click on an entry itself: its first question, from another page.
    form.show_section(0)
    questions.tree.itemClicked.emit(questions.entries.items[second_path], 0)
    assert _focused_question().answer_key == f"{second_path}/name"
    assert form.pages[form.current_section].group.name == "projects"
    # An entry with nothing in it yet (and nothing required) is open, not answered.
    empty = form.add_instances(f"projects[@id={first}]/partners")
    form.show_question_list()
    assert questions.state_of(f"{first_path}/partners[@id={empty}]") == OPEN
    # Removing an entry takes it off the list.
    form.remove_instance(second_path)
    form.show_question_list()
    assert second_path not in questions.entries.items
    assert branch.childCount() == 1
