"""Help → Try with demo data, Load demo data into this profile, Remove demo data.

"Try" opens another window, in a process of its own, on the separate demo
data directory (``demo.directory``): the real profile is never touched.
Loading into the profile asks first, then marks every record it adds as demo
(``demo.loading``): reports and packages leave them out, the audit log has a
row, and "Remove demo data" takes them all away again in one step.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import QProcess
from PySide6.QtWidgets import QMessageBox, QWidget

from neascn_desktop.demo.directory import demo_data_dir, is_demo_directory
from neascn_desktop.gui.context import GuiContext
from neascn_desktop.i18n import _, ngettext


def demo_command(data_dir: Path, role: str, language: str) -> tuple[str, list[str]]:
    """The program and arguments that open a window on ``data_dir``'s demo data directory."""
    arguments = ["--data-dir", str(data_dir), "--demo", role, "--demo-language", language]
    if getattr(sys, "frozen", False):  # the bundle's executable is the app itself
        return sys.executable, arguments
    return sys.executable, ["-m", "neascn_desktop", *arguments]


def try_demo(ctx: GuiContext) -> bool:
    """Open the demo data directory in a window of its own; False (and a message) if it failed."""
    profile = ctx.profile
    program, arguments = demo_command(ctx.data_dir, profile.role, profile.language)
    started = start_detached(program, arguments)
    window = ctx.main_window
    if not started:
        QMessageBox.warning(window, _("Try with demo data"),
                            _("The demo window could not be started."))
        return False
    if window is not None:
        window.statusBar().showMessage(
            _("Opening the demo data in a separate window ({path})…").format(
                path=demo_data_dir(ctx.data_dir)), 8000)
    return True


def start_detached(program: str, arguments: list[str]) -> bool:
    """``QProcess.startDetached`` (one place, so tests can run the command in-process instead)."""
    return bool(QProcess.startDetached(program, arguments)[0])


def confirm_load(parent: QWidget | None) -> bool:
    answer = QMessageBox.question(
        parent, _("Load demo data into this profile"),
        _("This adds example survey answers (and, for your role, a framework draft if there is "
          "none yet) to your own profile.\n\nThey are marked as demo: reports and packages leave "
          "them out, and Help → Remove demo data takes them all away again. To look around "
          "without touching your profile, use Help → Try with demo data instead.\n\n"
          "Load demo data into this profile?"),
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No)
    return answer == QMessageBox.StandardButton.Yes


def load_demo_data(ctx: GuiContext, *, cities: int = 6, seed: int = 1, confirmed: bool = False) -> Any:
    """Load marked demo data into the current profile after asking; publishes the changes."""
    if is_demo_directory(ctx.data_dir):
        confirmed = True  # everything here is demo data already
    if not confirmed and not confirm_load(ctx.main_window):
        return None
    from neascn_desktop.demo.loading import load_into_profile

    db, profile = ctx.db, ctx.profile
    mark = not is_demo_directory(ctx.data_dir)

    def task(progress: Any, is_cancelled: Any) -> Any:
        progress(0, 0, _("Creating demo surveys…"))
        return load_into_profile(db, profile, cities=cities, seed=seed, mark=mark)

    def done(loaded: Any) -> None:
        window = ctx.main_window
        bar = window.statusBar() if window is not None else None
        if bar is not None:
            bar.showMessage(ngettext(
                "Demo data loaded: {count} survey.", "Demo data loaded: {count} surveys.",
                loaded.report.created).format(count=loaded.report.created), 8000)

    return ctx.run_in_background(task, title=_("Load demo data"), on_success=done,
                                 cancellable=False)


def remove_demo_data(ctx: GuiContext, *, confirmed: bool = False) -> Any:
    """Remove every demo record of this profile in one step, after asking."""
    from neascn_desktop.demo.loading import remove_from_profile

    if not confirmed:
        answer = QMessageBox.question(
            ctx.main_window, _("Remove demo data"),
            _("Remove every demo record from this profile? Your own records stay as they are."),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return None
    db = ctx.db

    def task(progress: Any, is_cancelled: Any) -> Any:
        progress(0, 0, _("Removing demo data…"))
        return remove_from_profile(db)

    def done(removed: Any) -> None:
        window = ctx.main_window
        if window is not None:
            window.statusBar().showMessage(ngettext(
                "Demo data removed: {count} record.", "Demo data removed: {count} records.",
                removed.records).format(count=removed.records), 8000)

    return ctx.run_in_background(task, title=_("Remove demo data"), on_success=done,
                                 cancellable=False)
