"""Issue 16, reports workspace: cities without data are not pre-selected, the list shows each
city's response state, and a report that no program opened says so."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from neascn_desktop.gui.context import GuiContext
from neascn_desktop.identity.profile import Profile
from neascn_desktop.store import Database
from neascn_desktop.surveys import service as surveys


def test_only_cities_with_responses_are_chosen_and_each_says_its_state(qtbot, db: Database,
                                                                      field_profile: Profile) -> None:
    from neascn_desktop.gui.reports.workspace import CITY_ID_ROLE, ReportsWorkspace

    surveys.ensure_builtin(db)
    surveys.create_submission(db, field_profile, "darkhan")
    workspace = ReportsWorkspace(GuiContext(db=db, profile=field_profile))
    qtbot.addWidget(workspace)
    model = workspace.city_model
    rows = {model.item(r).data(CITY_ID_ROLE): model.item(r) for r in range(model.rowCount())}
    assert len(rows) > 5
    assert workspace.selected_cities() == ["darkhan"]
    assert rows["darkhan"].text().endswith("In progress")
    assert rows["seoul"].text().endswith("no response")
    assert rows["seoul"].checkState() == Qt.CheckState.Unchecked


def test_a_report_no_program_opened_says_so(qtbot, db: Database, field_profile: Profile, tmp_path: Path,
                                            monkeypatch) -> None:
    from types import SimpleNamespace

    from neascn_desktop.gui.reports.workspace import ReportsWorkspace

    workspace = ReportsWorkspace(GuiContext(db=db, profile=field_profile))
    qtbot.addWidget(workspace)
    monkeypatch.setattr(ReportsWorkspace, "open_file", staticmethod(lambda path: False))  # no Word here
    workspace.open_after = True
    target = tmp_path / "r.docx"
    target.write_bytes(b"x")
    workspace._report_done(SimpleNamespace(path=str(target)))
    assert "no program opened it" in workspace.result_label.text()
