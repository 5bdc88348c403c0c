"""Repeats in the form, and a whole form with nested repeats filled by keyboard only."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from neascn_desktop.gui.context import GuiContext
from neascn_desktop.gui.surveys.repeat_widgets import AddButton
from neascn_desktop.store import open_database
from neascn_desktop.surveys import service
from tests.gui.surveys.form_samples import PROJECTS_ID, write_projects_form
from tests.gui.surveys.test_form import _focused_question, _open_city, _workspace


def _projects(qtbot, ctx: GuiContext, tmp_path, city: str = "erdenet"):  # type: ignore[no-untyped-def]
    workspace = _workspace(qtbot, ctx)
    assert workspace.import_xlsform(write_projects_form(tmp_path / "projects.xlsx"))
    assert workspace.selected_form[0] == PROJECTS_ID
    return workspace, _open_city(qtbot, workspace, city)


def _key(qtbot, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClick(QApplication.focusWidget(), key, modifier)


def _type(qtbot, text: str) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClicks(QApplication.focusWidget(), text)


def test_fill_a_form_with_nested_repeats_by_keyboard_only_then_restart_and_finalize(qtbot, gui_ctx, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _ws, form = _projects(qtbot, gui_ctx, tmp_path)
    assert _focused_question().question.name == "contact"
    _type(qtbot, "Bat-Erdene")
    _key(qtbot, Qt.Key.Key_Return)
    _type(qtbot, "1")  # one site visit: the visits repeat asks for one entry
    _key(qtbot, Qt.Key.Key_Return)
    # The projects page: no entry yet, so the focus is on "Add"; Enter adds one.
    assert isinstance(QApplication.focusWidget(), AddButton)
    _key(qtbot, Qt.Key.Key_Return)
    assert _focused_question().question.name == "name"
    _type(qtbot, "Bus rapid transit")
    _key(qtbot, Qt.Key.Key_Return)
    _key(qtbot, Qt.Key.Key_3)  # sector: Other (or_other)
    _key(qtbot, Qt.Key.Key_Return)
    assert _focused_question().question.name == "sector_other"  # shown because "other"
    _type(qtbot, "Mobility data")
    _key(qtbot, Qt.Key.Key_Return)
    _key(qtbot, Qt.Key.Key_2)  # country: Mongolia
    _key(qtbot, Qt.Key.Key_Return)
    region = _focused_question()
    assert region.question.name == "region"
    assert [region.choices[i].name for i in region.visible_choices] == ["ulaanbaatar_r", "gobi_r"]
    _key(qtbot, Qt.Key.Key_1)
    _key(qtbot, Qt.Key.Key_Return)
    _type(qtbot, "47.9184, 106.9177")  # pasted from a web map
    _key(qtbot, Qt.Key.Key_Return)
    assert _focused_question().question.name == "readiness"
    for _step in range(6):
        _key(qtbot, Qt.Key.Key_Right)
    _key(qtbot, Qt.Key.Key_Return)
    assert _focused_question().question.name == "priorities"
    _key(qtbot, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    _key(qtbot, Qt.Key.Key_Return)
    # Into the nested repeat: its "Add"; two partners.
    assert isinstance(QApplication.focusWidget(), AddButton)
    for partner, share in (("ADB", "60"), ("City", "40")):
        _key(qtbot, Qt.Key.Key_Return)
        assert _focused_question().question.name == "partner_name"
        _type(qtbot, partner)
        _key(qtbot, Qt.Key.Key_Return)
        _type(qtbot, share)
        _key(qtbot, Qt.Key.Key_Return)
        assert isinstance(QApplication.focusWidget(), AddButton)  # "add another?"
    _key(qtbot, Qt.Key.Key_Down)  # no third partner: on to "Add project"
    _key(qtbot, Qt.Key.Key_Down)  # no second project: on to the visits page
    assert isinstance(QApplication.focusWidget(), AddButton)
    assert "ask for 1" in QApplication.focusWidget().parentWidget().count_label.text()
    _key(qtbot, Qt.Key.Key_Return)
    _type(qtbot, "20261203")
    _key(qtbot, Qt.Key.Key_Return)
    submission_id = form.submission.id

    # "Kill" the program (no save point) and open the same data directory again.
    other_db = open_database(gui_ctx.db.data_dir)
    other = GuiContext(db=other_db, profile=gui_ctx.profile)
    try:
        restarted = _workspace(qtbot, other)
        restarted.version_combo.setCurrentIndex(next(
            i for i in range(restarted.version_combo.count())
            if restarted.version_combo.itemData(i)[0] == PROJECTS_ID))
        restarted.refresh()
        again = _open_city(qtbot, restarted, "erdenet")
        assert again.submission.id == submission_id
        answers = again.submission.answers
        assert answers["contact"] == "Bat-Erdene" and answers["visit_count"] == 1
        (project,) = answers["projects"]
        assert project["name"] == "Bus rapid transit"
        assert project["sector"] == "other" and project["sector_other"] == "Mobility data"
        assert project["country"] == "mn" and project["region"] == "ulaanbaatar_r"
        assert project["location"] == "47.9184 106.9177"
        assert project["readiness"] == 6
        assert project["priorities"] == ["roads_p", "water_p", "data_p"]
        assert [(p["partner_name"], p["share"]) for p in project["partners"]] == [
            ("ADB", 60), ("City", 40)]
        assert [v["visit_day"] for v in answers["visits"]] == ["2026-12-03"]
        # Shown in the form after the restart, too (it reopened where it was left).
        assert again.current_section == 2
        again.show_section(1)
        shown = {path.rsplit("/", 1)[-1]: w for path, w in again.instance_widgets.items()}
        assert shown["name"].edit.text() == "Bus rapid transit"
        assert again.finalize(), again.tree.issues
        assert service.get_submission(other_db, submission_id).finalized
    finally:
        other.changes.stop()
        other_db.dispose()


def test_remove_asks_first_move_reorders_and_counts_are_checked(qtbot, gui_ctx, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _ws, form = _projects(qtbot, gui_ctx, tmp_path, "irkutsk")
    form.show_section(1)
    projects = next(b for b in form.repeat_blocks if b.key == "projects")
    first = form.add_instances("projects")
    second = form.add_instances("projects")
    assert [i.instance_id for i in projects.instances] == [first, second]
    assert projects.instances[1].heading.text() == "Project 2"
    projects.instances[1].up_button.click()
    assert [i.instance_id for i in projects.instances] == [second, first]
    # Remove asks; "No" keeps the entry, "Yes" removes it with its answers.
    projects.instances[0].remove_button.click()
    box = form.removal_box
    assert isinstance(box, QMessageBox) and box.isVisible()
    box.button(QMessageBox.StandardButton.No).click()
    assert len(projects.instances) == 2
    projects.instances[0].remove_button.click()
    form.removal_box.button(QMessageBox.StandardButton.Yes).click()
    assert [i.instance_id for i in projects.instances] == [first]
    stored = service.get_submission(gui_ctx.db, form.submission.id).answers["projects"]
    assert [p["@id"] for p in stored] == [first]
    # repeat_count: the answers above ask for 2 visits; "Add the 2 missing" adds them.
    form.go_to_question("visit_count")
    qtbot.keyClicks(QApplication.focusWidget(), "2")
    form.show_section(2)
    visits = next(b for b in form.repeat_blocks if b.key == "visits")
    assert visits.fill_button.isVisibleTo(form)
    assert visits.fill_button.text() == "Add the 2 missing"
    visits.fill_button.click()
    assert len(visits.instances) == 2
    # min count: removing the only project leaves a problem Finalize lists in words.
    form.remove_instance(projects.instances[0].path)
    assert not form.finalize()
    assert any(i.kind == "count" and i.where == "Project" for i in form.tree.issues)
    assert "Project" in form.banner.text()


def test_entries_added_on_two_devices_are_both_kept_and_shown(qtbot, gui_ctx, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from neascn_desktop import replica

    _ws, form = _projects(qtbot, gui_ctx, tmp_path, "khabarovsk")
    form.show_section(1)
    sid = form.submission.id
    base = replica.current(gui_ctx.db, service.SUBMISSION, sid)
    ours = form.add_instances("projects")
    qtbot.keyClicks(QApplication.focusWidget(), "Bus rapid transit")
    # Meanwhile another device's revision of the same response arrives (as an imported
    # package brings it), with an entry of its own in the same repeat.
    theirs = "0f8e1c3a-6b7d-4c55-9a43-2b1d07d2a0c1"
    replica.add_revisions(gui_ctx.db, [replica.make_revision(
        service.SUBMISSION, sid, [base.revision_id], "other-device", "1900000000000-000000",
        dict(base.payload, answers={"projects": [{"@id": theirs, "name": "District heating"}]}))])
    form.save()  # the save point merges the working copy with the new revision
    form.reload()
    projects = next(b for b in form.repeat_blocks if b.key == "projects")
    assert [i.instance_id for i in projects.instances] == [ours, theirs]
    names = {path.split("/")[0]: w.edit.text() for path, w in projects.widgets.items()
             if path.endswith("/name")}
    assert names == {f"projects[@id={ours}]": "Bus rapid transit",
                     f"projects[@id={theirs}]": "District heating"}
    assert not service.get_submission(gui_ctx.db, sid).in_conflict
