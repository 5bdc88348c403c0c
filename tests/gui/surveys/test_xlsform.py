"""XLSForm import and export from the Surveys workspace."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from neascn_desktop.gui.surveys.workspace import SurveysWorkspace
from neascn_desktop.surveys import service


def _kobo_form(path: Path) -> Path:
    wb = Workbook()
    survey = wb.active
    survey.title = "survey"
    survey.append(["type", "name", "label::English (en)", "label::Korean (ko)", "relevant"])
    survey.append(["begin_group", "basics", "Basics", "기본", None])
    survey.append(["select_one yn", "has_portal", "Open data portal?", "공공데이터 포털?", None])
    survey.append(["integer", "datasets", "How many datasets?", "데이터셋 수?", "${has_portal} = 'yes'"])
    survey.append(["end_group", None, None, None, None])
    choices = wb.create_sheet("choices")
    choices.append(["list_name", "name", "label::English (en)", "label::Korean (ko)"])
    choices.append(["yn", "yes", "Yes", "예"])
    choices.append(["yn", "no", "No", "아니요"])
    settings = wb.create_sheet("settings")
    settings.append(["form_id", "version", "form_title"])
    settings.append(["open_data_check", "1", "Open data check"])
    wb.save(path)
    return path


def test_import_then_export_an_xlsform_from_the_workspace(qtbot, gui_ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    workspace = SurveysWorkspace(gui_ctx)
    qtbot.addWidget(workspace)
    assert workspace.import_xlsform(_kobo_form(tmp_path / "kobo.xlsx"))
    assert workspace.selected_form == ("open_data_check", "1")
    assert any(d.form_id == "open_data_check" for d in service.list_definitions(gui_ctx.db))
    exported = workspace.export_xlsform(tmp_path / "out.xlsx")
    assert exported is not None and exported.stat().st_size > 0


def test_a_damaged_workbook_is_refused_and_changes_nothing(qtbot, gui_ctx, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    workspace = SurveysWorkspace(gui_ctx)
    qtbot.addWidget(workspace)
    shown: list[str] = []
    monkeypatch.setattr(gui_ctx, "show_error", lambda exc, parent=None: shown.append(str(exc)))
    before = [d.form_id for d in service.list_definitions(gui_ctx.db)]
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a workbook")
    assert not workspace.import_xlsform(bad)
    assert len(shown) == 1 and "\n" not in shown[0]
    assert [d.form_id for d in service.list_definitions(gui_ctx.db)] == before
