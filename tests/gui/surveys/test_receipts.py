"""The Surveys workspace shows whether a city's response is not sent, sent, or received by the
secretariat (issue 13, defect 9), after real exports and imports of signed packages."""

from __future__ import annotations

from pathlib import Path

from neascn_desktop.gui.surveys.item_models import STATUS
from neascn_desktop.gui.surveys.workspace import SurveysWorkspace
from neascn_desktop.identity.trust import read_keycard, trust_keycard
from neascn_desktop.sync.exporter import export_package
from neascn_desktop.sync.importer import import_packages
from tests.sync.sync_support import commit_submission, keycard, new_profile


def _seoul(workspace: SurveysWorkspace) -> tuple[str, str]:
    from PySide6.QtCore import Qt

    index = workspace.model.index(workspace.model.row_of("seoul"), STATUS)
    return index.data(), index.data(Qt.ItemDataRole.ToolTipRole)


def test_the_city_list_shows_sent_and_received(qtbot, gui_ctx, tmp_path: Path) -> None:
    sec_db, sec = new_profile(tmp_path / "sec", "secretariat", "Sec")
    try:
        deployment = tmp_path / "deployment.neascn"
        export_package(sec_db, "deployment", deployment)
        assert import_packages(gui_ctx.db, [deployment]).exit_code == 0
        commit_submission(gui_ctx.db, gui_ctx.profile, {"resp_name": "Kim"})

        workspace = SurveysWorkspace(gui_ctx)
        qtbot.addWidget(workspace)
        workspace.show()
        qtbot.waitExposed(workspace)
        assert _seoul(workspace) == ("In progress", "Not sent yet.")

        sent = export_package(gui_ctx.db, "responses", tmp_path / "r.neascn")
        workspace.on_changes(sent.changes)
        assert _seoul(workspace) == (
            "Sent", "Sent; waiting for the secretariat to confirm that it received it.")
        assert "1 sent" in workspace.summary.text()

        trust_keycard(sec_db, read_keycard(keycard(gui_ctx.db, gui_ctx.profile, tmp_path)))
        assert import_packages(sec_db, [sent.path]).exit_code == 0
        acknowledging = tmp_path / "deployment2.neascn"
        export_package(sec_db, "deployment", acknowledging)
        report = import_packages(gui_ctx.db, [acknowledging])
        assert report.exit_code == 0
        workspace.on_changes(report.changes)
        assert _seoul(workspace) == ("Received", "Received by the secretariat.")
        assert "1 received" in workspace.summary.text()
        # Filtering by the status works for the new one, too.
        workspace.filter_edit.setText("received")
        assert workspace.proxy.rowCount() == 1
    finally:
        sec_db.dispose()
