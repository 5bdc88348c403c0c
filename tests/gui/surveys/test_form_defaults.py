"""XLSForm ``default`` values shown prefilled in the form of a new response and of a new entry."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication

from neascn_desktop.surveys import service
from tests.gui.surveys.test_form import _open_city, _workspace
from tests.surveys.test_defaults import DEFAULTS_ID, write_defaults_form


def test_a_new_response_and_a_new_entry_show_the_defaults(qtbot, gui_ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    workspace = _workspace(qtbot, gui_ctx)
    assert workspace.import_xlsform(write_defaults_form(tmp_path / "defaults.xlsx"))
    assert workspace.selected_form[0] == DEFAULTS_ID
    form = _open_city(qtbot, workspace, "busan")
    assert form.question("village").edit.text() == "Sainshand"
    assert form.question("households").edit.text() == "12"
    assert form.question("colour").value() == "green"
    assert form.question("colours").value() == ["blue", "green"]
    assert form.question("plain").edit.text() == ""
    # Cleared by the person: it stays cleared when the form is opened again.
    form.question("village").edit.clear()
    form.question("village").edit.setText("Dalanzadgad")
    form.close_form()
    form = _open_city(qtbot, workspace, "busan")
    assert form.question("village").edit.text() == "Dalanzadgad"
    # A new entry of the repeat starts with its defaults, ${village} read from the answers now.
    form.show_section(next(i for i, page in enumerate(form.pages)
                           if page.group is not None and page.group.name == "visits"))
    new_id = form.add_instances("visits")
    assert new_id is not None
    place = next(w for p, w in form.instance_widgets.items()
                 if new_id in p and p.endswith("/place"))
    people = next(w for p, w in form.instance_widgets.items()
                  if new_id in p and p.endswith("/people"))
    assert place.edit.text() == "Dalanzadgad"
    assert people.edit.text() == "3"
    assert QApplication.focusWidget() is place.edit
    answers = service.get_submission(gui_ctx.db, form.submission.id).answers
    assert answers["visits"][0]["people"] == 3
