"""Issue 16 in the Surveys workspace: only field staff are offered "Export for the
secretariat…", and a finalized response's banner tells the truth after it was exported."""

from __future__ import annotations

from pathlib import Path

from neascn_desktop import replica
from neascn_desktop.gui.context import GuiContext
from neascn_desktop.gui.surveys.workspace import SurveysWorkspace
from tests.gui.surveys.test_form import _open_city, _workspace
from tests.sync.sync_support import commit_submission, new_profile


def _finalized(ctx: GuiContext) -> str:
    draft = commit_submission(ctx.db, ctx.profile, {"resp_name": "Kim"}, city_id="busan")
    payload = dict(draft.payload, status="finalized", finalized_at="2026-11-26T10:00:00+00:00")
    replica.commit(ctx.db, ctx.profile.device_id, "submission", draft.entity_id, payload)
    return draft.entity_id


def test_a_secretariat_is_not_offered_export_for_the_secretariat(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db, profile = new_profile(tmp_path / "sec", "secretariat", "Secretariat")
    ctx = GuiContext(db=db, profile=profile)
    try:
        _finalized(ctx)
        workspace = _workspace(qtbot, ctx)
        assert not workspace.send_button.isVisibleTo(workspace)
        form = _open_city(qtbot, workspace, "busan")
        assert form.submission is not None and form.submission.finalized
        assert not form.export_button.isVisibleTo(form)
        assert "export" not in form.banner.text().casefold()
    finally:
        ctx.changes.stop()
        db.dispose()


def test_after_the_export_the_banner_no_longer_asks_to_export(qtbot, gui_ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _finalized(gui_ctx)
    workspace: SurveysWorkspace = _workspace(qtbot, gui_ctx)
    assert workspace.send_button.isVisibleTo(workspace)
    form = _open_city(qtbot, workspace, "busan")
    assert form.export_button.isVisibleTo(form) and form.export_button.isEnabled()
    assert "export it for the secretariat" in form.banner.text()

    dialog = workspace.export_for_secretariat()
    dialog.file.setText(str(tmp_path / "busan.neascn"))
    dialog.export()
    qtbot.waitUntil(lambda: "export it" not in form.banner.text(), timeout=120_000)
    assert "was exported for the secretariat" in form.banner.text()
    assert form.submission is not None and form.submission.sent
