"""Help → Load demo data: the surveys room's demo use case, run in the background.

The same data as ``neascn demo`` (``surveys.demo``, imported when the action runs).
"""

from __future__ import annotations

from typing import Any

from neascn_desktop.gui.context import GuiContext
from neascn_desktop.i18n import _, ngettext


def load_demo_data(ctx: GuiContext, *, cities: int = 6, seed: int = 1) -> Any:
    """Fill the current profile with demo submissions (and more, by role); publishes the changes."""
    from neascn_desktop.surveys.demo import load_demo_report

    db, profile = ctx.db, ctx.profile

    def task(progress: Any, is_cancelled: Any) -> Any:
        progress(0, 0, _("Creating demo surveys…"))
        return load_demo_report(db, profile, cities=cities, seed=seed)

    def done(report: Any) -> None:
        window = ctx.main_window
        bar = window.statusBar() if window is not None else None
        if bar is not None:
            bar.showMessage(ngettext(
                "Demo data loaded: {count} survey.", "Demo data loaded: {count} surveys.",
                report.created).format(count=report.created), 8000)

    return ctx.run_in_background(task, title=_("Load demo data"), on_success=done,
                                 cancellable=False)
