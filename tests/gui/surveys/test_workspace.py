"""The Surveys workspace's city list: statuses, filter, add/edit city, finalize/reopen, demo data."""

from __future__ import annotations

from PySide6.QtCore import Qt

from neascn_desktop import i18n
from neascn_desktop.gui.surveys.item_models import STATUS, CityTableModel
from neascn_desktop.gui.surveys.workspace import SurveysWorkspace
from neascn_desktop.surveys import service
from neascn_desktop.surveys.demo import load_demo_report


def _workspace(qtbot, ctx) -> SurveysWorkspace:  # type: ignore[no-untyped-def]
    workspace = SurveysWorkspace(ctx)
    qtbot.addWidget(workspace)
    workspace.resize(1100, 700)
    workspace.show()
    qtbot.waitExposed(workspace)
    return workspace


def _visible_cities(workspace: SurveysWorkspace) -> list[str]:
    proxy = workspace.proxy
    return [proxy.data(proxy.index(row, 0)) for row in range(proxy.rowCount())]


def test_city_list_shows_status_score_and_filters(qtbot, gui_ctx) -> None:
    report = load_demo_report(gui_ctx.db, gui_ctx.profile, cities=4, seed=2)
    workspace = _workspace(qtbot, gui_ctx)
    rows = workspace.model.rows
    assert len(rows) == len(service.list_cities(gui_ctx.db))
    started = [r for r in rows if r.status != "not_started"]
    assert len(started) == report.created == 4
    assert all(r.score is not None for r in started)
    assert "4 " in workspace.summary.text() or "finalized" in workspace.summary.text()
    # Filter by a name in another language, then by status.
    workspace.filter_edit.setText("Сеул")  # QTest types Latin-1 only
    assert _visible_cities(workspace) == ["Seoul"]
    workspace.filter_edit.clear()
    qtbot.keyClicks(workspace.filter_edit, "not started")
    assert len(_visible_cities(workspace)) == len(rows) - 4
    workspace.filter_edit.clear()
    # Sorting by status puts not-started cities first.
    workspace.table.sortByColumn(STATUS, Qt.SortOrder.AscendingOrder)
    first = workspace.proxy.index(0, STATUS).data()
    assert first == "Not started"


def test_add_and_edit_a_city(qtbot, gui_ctx) -> None:
    workspace = _workspace(qtbot, gui_ctx)
    before = len(workspace.model.rows)
    dialog = workspace.city_dialog()
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.names["en"], "Sokcho")
    dialog.accept()  # no country yet: the error shows in the dialog, nothing is saved
    assert dialog.form.errorLabel.isVisibleTo(dialog)
    assert dialog.saved_city is None
    dialog.names["ko"].setText("속초")
    dialog.form.countryCombo.setCurrentText("KR")
    qtbot.keyClicks(dialog.form.populationEdit, "82000")
    qtbot.keyClicks(dialog.form.latitudeEdit, "38.207")
    qtbot.keyClicks(dialog.form.longitudeEdit, "128.591")
    dialog.accept()
    city = dialog.saved_city
    assert city is not None
    assert city.name == {"en": "Sokcho", "ko": "속초"}
    assert (city.country, city.population, city.latitude) == ("KR", 82000, 38.207)
    workspace.refresh()
    assert len(workspace.model.rows) == before + 1
    assert workspace.select_city(city.id)
    assert workspace.selected_city_status().status == "not_started"

    editor = workspace.city_dialog(service.get_city(gui_ctx.db, city.id))
    qtbot.addWidget(editor)
    assert editor.names["ko"].text() == "속초"
    assert editor.form.populationEdit.text() == "82000"
    editor.names["ja"].setText("束草")
    editor.form.populationEdit.setText("81500")
    editor.accept()
    edited = service.get_city(gui_ctx.db, city.id)
    assert edited.population == 81500 and edited.name["ja"] == "束草"
    assert edited.latitude == 38.207

    # Emptying a box clears the value (an unknown population is better than a wrong one).
    clearer = workspace.city_dialog(edited)
    qtbot.addWidget(clearer)
    clearer.form.populationEdit.clear()
    clearer.accept()
    cleared = service.get_city(gui_ctx.db, city.id)
    assert cleared.population is None and cleared.latitude == 38.207


def test_start_finalize_from_the_list_jumps_to_the_first_problem_and_reopen(qtbot, gui_ctx) -> None:
    workspace = _workspace(qtbot, gui_ctx)
    workspace.select_city("incheon")
    assert workspace.start_button.text() == "Start survey"
    workspace.start_button.click()
    form = workspace.form
    assert workspace.pages.currentWidget() is form
    form.close_form()
    assert workspace.selected_city_status().status == "in_progress"
    assert workspace.start_button.text() == "Continue survey"
    workspace.finalize_button.click()  # nothing answered: opens the form at the first problem
    assert workspace.pages.currentWidget() is form
    assert form.banner.isVisibleTo(form)
    assert form.question("resp_name").message.text() == "This question requires an answer."


def test_reopen_a_finalized_city_from_the_list(qtbot, gui_ctx) -> None:
    load_demo_report(gui_ctx.db, gui_ctx.profile, cities=6, seed=1)
    workspace = _workspace(qtbot, gui_ctx)
    finalized = next(r for r in workspace.model.rows if r.status == "finalized")
    workspace.select_city(finalized.city.id)
    assert workspace.reopen_button.isEnabled() and not workspace.finalize_button.isEnabled()
    workspace.reopen_button.click()
    assert workspace.selected_city_status().status == "in_progress"
    assert not service.get_submission(gui_ctx.db, finalized.submission.id).finalized
    workspace.finalize_button.click()  # the demo answers were complete: locks again, no form
    assert workspace.pages.currentWidget() is workspace.list_page
    assert workspace.selected_city_status().status == "finalized"


def test_retranslate_and_changes_from_elsewhere(qtbot, gui_ctx, korean_catalog) -> None:
    workspace = _workspace(qtbot, gui_ctx)
    assert workspace.title.text() == "Surveys"
    i18n.set_language("ko")
    workspace.retranslateUi()
    assert workspace.title.text() == "설문조사"
    seoul = workspace.model.rows[workspace.model.row_of("seoul")]
    index = workspace.model.index(workspace.model.row_of("seoul"), 0)
    assert workspace.model.data(index) == seoul.city.name["ko"]
    # A city added by someone else (CLI, package import) shows after the change signal.
    service.save_city(gui_ctx.db, gui_ctx.profile, name={"en": "Gangneung"}, country="KR")
    from neascn_desktop.changes import Changes

    workspace.on_changes(Changes.all())
    assert any(r.city.name.get("en") == "Gangneung" for r in workspace.model.rows)


def test_city_model_headers_are_translated_strings() -> None:
    model = CityTableModel()
    headers = [model.headerData(i, Qt.Orientation.Horizontal) for i in range(model.columnCount())]
    assert headers == ["City", "Country", "Status", "Readiness", "Band", "Last change"]


def test_help_load_demo_data_fills_the_surveys(qtbot, main_window) -> None:
    from neascn_desktop.gui import demo_data

    assert main_window.form.actionLoadDemoData.isEnabled()
    job = demo_data.load_demo_data(main_window.ctx, cities=3, seed=5, confirmed=True)
    with qtbot.waitSignal(job.finished, timeout=20000):
        pass
    workspace = main_window.workspace("surveys")
    main_window.show_workspace("surveys")
    started = [r for r in workspace.model.rows if r.status != "not_started"]
    assert len(started) == 3
