"""The Reports workspace with real widgets (offscreen), a real database and the real worker."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import docx  # noqa: E402
import pytest  # noqa: E402

from neascn_desktop.identity.profile import Profile  # noqa: E402
from neascn_desktop.store import Database  # noqa: E402
from neascn_desktop.surveys import demo  # noqa: E402


@pytest.fixture
def workspace(qtbot, db: Database, secretariat_profile: Profile):  # type: ignore[no-untyped-def]
    from neascn_desktop.gui.context import GuiContext
    from neascn_desktop.gui.reports.workspace import ReportsWorkspace

    demo.load_demo_report(db, secretariat_profile, cities=3, seed=4)
    widget = ReportsWorkspace(GuiContext(db=db, profile=secretariat_profile))
    widget.open_after = False  # no desktop to open files on in the tests
    qtbot.addWidget(widget)
    return widget


def test_generates_a_report_in_the_chosen_language(qtbot, workspace, tmp_path: Path) -> None:
    assert workspace.city_model.rowCount() >= 3 and workspace.version_combo.count() >= 1
    workspace.set_kind("readiness")
    workspace.set_language("ko")
    workspace._check_all(False)
    workspace.city_model.item(0).setCheckState(workspace.city_model.item(0).checkState().Checked)
    target = tmp_path / "r.docx"
    job = workspace.generate(target)
    with qtbot.waitSignal(job.finished, timeout=60_000):
        pass
    assert job.outcome == "succeeded", job.error
    assert workspace.last_report == target and workspace.open_button.isEnabled()
    document = docx.Document(str(target))
    assert document.core_properties.language == "ko-KR"
    assert "r.docx" in workspace.result_label.text()


def test_no_city_chosen_is_refused_without_a_job(workspace, tmp_path: Path) -> None:
    workspace.set_kind("status")
    workspace._check_all(False)
    assert workspace.generate(tmp_path / "s.docx") is None
    assert workspace.result_label.text() == "Choose at least one city."


def test_framework_kind_hides_the_city_choice(workspace) -> None:
    workspace.set_kind("framework")
    assert not workspace.city_view.isEnabled() and not workspace.version_combo.isEnabled()
    workspace.set_kind("readiness")
    assert workspace.city_view.isEnabled()


def test_export_and_dashboard(qtbot, workspace, tmp_path: Path) -> None:
    job = workspace.export(tmp_path / "responses.csv", "csv")
    with qtbot.waitSignal(job.finished, timeout=60_000):
        pass
    assert job.outcome == "succeeded" and (tmp_path / "responses.csv").is_file()
    job = workspace.refresh_dashboard()
    with qtbot.waitSignal(job.finished, timeout=60_000):
        pass
    dashboard = workspace.dashboard
    assert dashboard.dashboard is not None and dashboard.dashboard.answered == 3
    assert dashboard.map_chart.has_image() and dashboard.completion_chart.has_image()
    assert "3 of" in dashboard.figures.text()


def test_export_in_the_central_layout(qtbot, workspace, tmp_path: Path) -> None:
    import zipfile

    job = workspace.export(tmp_path / "responses.zip", "csv", bom=False, layout="central")
    with qtbot.waitSignal(job.finished, timeout=120_000):
        pass
    assert job.outcome == "succeeded"
    with zipfile.ZipFile(tmp_path / "responses.zip") as archive:
        names = archive.namelist()
    # The built-in survey's project pipeline is a repeat: a file of its own.
    assert names[0] == "neascn_readiness.csv" and all(n.endswith(".csv") for n in names)


def test_changes_mark_the_dashboard_stale(workspace) -> None:
    from neascn_desktop.changes import Changes

    workspace._dashboard_dirty = False
    workspace.on_changes(Changes.of("response", ["x"]))
    assert workspace._dashboard_dirty
    workspace.set_kind("status")
    workspace.retranslateUi()  # idempotent, keeps the chosen kind, reloads the city names
    assert workspace.kind_combo.count() == 3 and workspace.selected_kind() == "status"
    assert workspace.city_model.rowCount() >= 3


def test_pdf_button_says_when_libreoffice_is_missing(workspace, tmp_path: Path,
                                                     monkeypatch) -> None:
    from neascn_desktop.reports.pdf import find_soffice

    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    if find_soffice() is not None:  # installed in a standard folder
        return
    workspace.pdf_button.click()  # no file dialog: the sentence comes first
    assert "LibreOffice" in workspace.result_label.text()


def test_generates_a_pdf(qtbot, workspace, tmp_path: Path) -> None:
    import pytest

    from neascn_desktop.reports.pdf import find_soffice

    if find_soffice() is None:
        pytest.skip("needs LibreOffice")
    workspace.set_kind("status")
    target = tmp_path / "s.pdf"
    job = workspace.generate(target)
    with qtbot.waitSignal(job.finished, timeout=300_000):
        pass
    assert job.outcome == "succeeded", job.error
    assert target.read_bytes()[:5] == b"%PDF-" and workspace.last_report == target
