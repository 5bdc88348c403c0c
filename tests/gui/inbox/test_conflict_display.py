"""Issue 16: the conflict view shows a repeat's entries as a readable list (labels in the user's
language) and dates and numbers the way of that language (Babel), never raw JSON or ISO text."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402

from neascn_desktop import i18n  # noqa: E402
from neascn_desktop.gui.context import GuiContext  # noqa: E402
from neascn_desktop.i18n.formatting import format_date  # noqa: E402
from neascn_desktop.identity.profile import load_profile  # noqa: E402
from tests.gui.inbox.test_conflict_undo import grab  # noqa: E402
from tests.sync.conftest import make_device  # noqa: E402, F401 - the fixture
from tests.sync.sync_support import Device, conflicting_response  # noqa: E402


def _conflict(make_device, tmp_path: Path) -> tuple[Device, str]:  # type: ignore[no-untyped-def]  # noqa: F811
    sec, _field, response, _first = conflicting_response(
        make_device, tmp_path,
        ["resp_name=Kim", "interview_date=2026-11-20", "projects[+]/proj_name=Bus",
         "projects[-1]/proj_investment=900000"],
        ["projects[1]/proj_investment=1000000", "interview_date=2026-11-21"],
        ["projects[1]/proj_investment=1100000", "interview_date=2026-11-22"])
    return sec, response


def _row(model, name: str) -> int:  # type: ignore[no-untyped-def]
    return next(r for r in range(model.rowCount())
                if model.data(model.index(r, 0), Qt.ItemDataRole.ToolTipRole) == name)


def _cells(model, name: str) -> list[str]:  # type: ignore[no-untyped-def]
    row = _row(model, name)
    return [model.data(model.index(row, c)) for c in range(1, model.columnCount())]


def test_repeats_dates_and_numbers_are_shown_in_the_users_language(qtbot, make_device, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    from neascn_desktop.gui.inbox.conflicts_view import ConflictsView

    sec, _response = _conflict(make_device, tmp_path)
    db = sec.open()
    try:
        profile = load_profile(db)
        assert profile is not None
        ctx = GuiContext(db=db, profile=profile)
        view = ConflictsView(ctx)
        qtbot.addWidget(view)
        view.resize(1100, 700)
        view.show()
        model = view.comparison_model
        projects = _cells(model, "answers.projects")
        for cell in projects:
            assert "{" not in cell and "@id" not in cell, cell
        assert "Entry 1: " in projects[1] and "Bus" in projects[1]
        assert "1,000,000" in " ".join(projects) and "1,100,000" in " ".join(projects)
        dates = _cells(model, "answers.interview_date")
        assert dates[0] == format_date(date(2026, 11, 20), "en") and not any("2026-11" in d for d in dates), dates
        assert view.comparison_view.rowHeight(_row(model, "answers.projects")) > view.comparison_view.rowHeight(
            _row(model, "answers.interview_date"))  # the entries wrap, never elided
        grab(view, "conflict-repeat-en")

        i18n.set_language("ja")
        view.retranslateUi()  # what the main window does on a language change
        view.refresh()
        projects = _cells(model, "answers.projects")
        assert "Entry" not in projects[1] and "Bus" in projects[1] and "{" not in projects[1]
        dates = _cells(model, "answers.interview_date")
        assert dates[0] == format_date(date(2026, 11, 20), "ja") == "2026/11/20", dates
        grab(view, "conflict-repeat-ja")
        ctx.changes.stop()
    finally:
        i18n.set_language("en")
        db.dispose()
