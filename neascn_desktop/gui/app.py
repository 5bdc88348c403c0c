"""``neascn-desktop`` (and ``python -m neascn_desktop``): start the window on a data directory.

Order matters for a fast, safe start: parse arguments, create the
``QApplication``, take the data directory's lock (a second window on the same
data is refused), open the database (migrating it, with a backup), then show
the first-run dialog or the main window.  Modules of the workspaces, reports
and imports are only imported when first needed.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import traceback
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from neascn_desktop import APP_NAME, __version__, i18n
from neascn_desktop.i18n import _

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication, QWidget

EXIT_OK = 0
EXIT_ALREADY_RUNNING = 1
EXIT_STORE_ERROR = 2

#: ``identity.profile.ROLES`` (not imported here: argument parsing must stay light).
DEMO_ROLES = ("taskforce", "field", "secretariat")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="neascn-desktop",
        description=_("NEASCN Desktop: framework drafting, city surveys, package sync and reports."),
    )
    parser.add_argument("--version", action="version", version=f"neascn-desktop {__version__}")
    parser.add_argument(
        "--data-dir",
        type=Path,
        metavar=_("DIR"),
        help=_("data directory to use (default: NEASCN_DATA_DIR or the user data directory)"),
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help=_("check this installation headless in a temporary folder, then exit"),
    )
    parser.add_argument(
        "--install-desktop-entry",
        action="store_true",
        help=_("Linux: add the menu entry and the .neascn file type for this user, then exit"),
    )
    parser.add_argument(
        "--demo",
        nargs="?",
        const="secretariat",
        choices=DEMO_ROLES,
        metavar=_("ROLE"),
        help=_("try the app with demo data: a separate demo data directory, created for ROLE "
               "on first use; your own data is not touched"),
    )
    parser.add_argument("--demo-language", help=argparse.SUPPRESS)
    parser.add_argument("packages", nargs="*", metavar=_("FILE"),
                        help=_("package files to open in the Inbox"))
    return parser


def _install_desktop_entry() -> int:
    from neascn_desktop.desktop_entry import install_desktop_entry

    try:
        installed = install_desktop_entry()
    except OSError as exc:
        _print(_("Cannot write {path}: {reason}").format(path=exc.filename, reason=exc.strerror or exc))
        return EXIT_STORE_ERROR
    for path in (installed.desktop_file, installed.mime_file, installed.icon_file):
        _print(str(path))
    return EXIT_OK


def _print(text: str) -> None:
    stream = sys.stdout or sys.stderr  # None in a windowed executable
    if stream is not None:
        stream.write(text + "\n")


def _message(text: str, critical: bool = False) -> None:
    """A blocking message box before (or instead of) the main window."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(
        QMessageBox.Icon.Critical if critical else QMessageBox.Icon.Warning,
        APP_NAME,
        text,
        QMessageBox.StandardButton.Ok,
    )
    box.setObjectName("startupMessage")
    box.exec()


def _log_unexpected(data_dir: Path, text: str) -> Path | None:
    """Write ``text`` to ``<data dir>/logs/gui-error-<time>.txt``; ``None`` if even that fails."""
    try:
        folder = data_dir / "logs"
        folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        for attempt in range(1000):  # errors come in bursts: never overwrite the first one's log
            path = folder / (f"gui-error-{stamp}.txt" if attempt == 0 else f"gui-error-{stamp}-{attempt}.txt")
            try:
                with path.open("x", encoding="utf-8") as file:
                    file.write(text)
                return path
            except FileExistsError:
                continue
    except OSError:
        pass
    return None


def _install_excepthook(data_dir: Path) -> None:
    """Show unexpected errors in slots as a dialog (with details) and log them, never crash.

    The log file and the dialog come first: in the windowed Windows executable
    (and a macOS app started from Finder) ``sys.stderr`` is ``None`` or goes
    nowhere, so the console copy is only a courtesy to a developer's terminal.
    """

    def hook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        text = "".join(traceback.format_exception(kind, error, tb))
        _log_unexpected(data_dir, text)
        try:
            from PySide6.QtWidgets import QApplication

            from neascn_desktop.gui.message_boxes import show_error

            if QApplication.instance() is not None:
                show_error(QApplication.activeWindow(), error)
        finally:
            stream = sys.stderr
            if stream is not None:
                try:
                    stream.write(text)
                    stream.flush()
                except (OSError, ValueError):  # a closed console, or no encoding for the text
                    pass

    sys.excepthook = hook


def _install_startup_probe(app: QApplication, window: QWidget) -> None:
    """``NEASCN_STARTUP_PROBE=1``: print when the main window is first painted, then quit.

    ``benchmarks/startup.py`` compares this wall-clock time with the moment it
    started the process (source install against the frozen bundle).
    """
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QWidget

    class FirstPaint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
            if (event.type() == QEvent.Type.Paint and isinstance(watched, QWidget)
                    and watched.window() is window):
                app.removeEventFilter(self)
                QTimer.singleShot(0, self.report)  # after the whole window is painted
            return False

        def report(self) -> None:
            stream = sys.stdout or sys.stderr
            if stream is not None:
                stream.write(f"neascn-startup first-paint {time.time():.4f}\n")
                stream.flush()
            app.quit()

    probe = FirstPaint(window)
    app.installEventFilter(probe)


def _open_data_directory(data_dir: Path, *, demo: bool) -> tuple[Any, Any] | int:
    """Lock and open ``data_dir``: ``(lock, database)``, or an exit status after saying why not.

    A demo data directory always holds its own SQLite file, even when
    ``NEASCN_DATABASE_URL`` points the real profile at a shared server.
    """
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        if demo:
            from neascn_desktop.demo.directory import mark_demo_directory

            mark_demo_directory(data_dir)
    except OSError as exc:
        _message(
            _("Cannot create the data directory {path}: {reason}").format(
                path=data_dir, reason=exc.strerror or exc
            ),
            critical=True,
        )
        return EXIT_STORE_ERROR

    from neascn_desktop.gui.instance_lock import InstanceLock

    lock = InstanceLock(data_dir)
    if not lock.try_acquire():
        holder = lock.holder()
        _message(
            _(
                "NEASCN Desktop is already open on the data directory {path} "
                "(process {pid}). Use that window, or close it and try again."
            ).format(path=data_dir, pid=holder.pid if holder else "?")
        )
        return EXIT_ALREADY_RUNNING

    from neascn_desktop.gui.settings import keep_qt_settings_in

    keep_qt_settings_in(data_dir)  # Qt's file dialogs would write ~/.config/QtProject.conf
    from neascn_desktop.store import StoreError, open_database
    from neascn_desktop.store.database import DB_FILENAME, sqlite_url

    try:
        db = open_database(data_dir, sqlite_url(data_dir / DB_FILENAME) if demo else None)
    except StoreError as exc:
        lock.release()
        _message(str(exc), critical=True)
        return EXIT_STORE_ERROR
    from neascn_desktop.paths import MEMBER_KEY_FILE

    if not demo and (data_dir / MEMBER_KEY_FILE).exists():  # a member of a team: new team keys
        from neascn_desktop.team.members import TeamError, refresh_team_keys

        try:
            refresh_team_keys(db)
        except TeamError as exc:
            db.dispose()
            lock.release()
            _message(str(exc), critical=True)
            return EXIT_STORE_ERROR
    return lock, db


def _demo_profile(db: Any, role: str, language: str) -> Any:
    """The demo directory's profile (created with its demo data the first time), with a busy cursor."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from neascn_desktop.demo.directory import prepare_demo_profile

    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        return prepare_demo_profile(db, role=role, language=language)
    finally:
        QApplication.restoreOverrideCursor()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the GUI; returns the process exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args, qt_args = build_parser().parse_known_args(argv)
    if args.self_test:
        from neascn_desktop.gui.selftest import run_self_test

        return run_self_test()
    if args.install_desktop_entry:
        return _install_desktop_entry()
    from neascn_desktop.gui.package_opener import PackageOpener, split_package_arguments

    # A double-clicked package arrives as an argument (Windows, Linux); values of Qt's own
    # options (-platform offscreen) land among the positionals too and go back to Qt.
    packages, other_arguments = split_package_arguments(args.packages)
    qt_args = [*qt_args, *other_arguments]

    from PySide6.QtCore import QLocale
    from PySide6.QtWidgets import QApplication, QDialog

    from neascn_desktop.i18n.qt import QtLanguage
    from neascn_desktop.paths import default_data_dir

    data_dir: Path = (args.data_dir or default_data_dir()).expanduser()
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication([sys.argv[0] if sys.argv else "neascn-desktop", *qt_args])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName("NEASCN")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("neascn-desktop")

    from neascn_desktop.gui.icons import icon

    app.setWindowIcon(icon("neascn"))
    opener = PackageOpener(app)  # macOS: a double-clicked package is a QFileOpenEvent
    app.installEventFilter(opener)
    opener.open([p.expanduser().absolute() for p in packages])
    # Until a profile says otherwise, speak the system's language.
    i18n.set_language(QLocale.system().name())
    qt_language = QtLanguage(app)
    qt_language.install()
    from neascn_desktop.gui.fonts import LanguageFont

    language_font = LanguageFont(app)  # Japanese in a Japanese font, on every system
    language_font.install()

    lock = None
    db = None
    try:
        if args.demo:
            from neascn_desktop.demo.directory import demo_data_dir

            data_dir = demo_data_dir(data_dir)
        opened = _open_data_directory(data_dir, demo=bool(args.demo))
        if isinstance(opened, int):
            return opened
        lock, db = opened
        _install_excepthook(data_dir)
        from neascn_desktop.store.attachments import sweep_temporary

        sweep_temporary(db.attachments_dir())  # what a crashed import or data entry left behind

        from neascn_desktop.identity.profile import load_profile

        profile = load_profile(db)
        if args.demo:
            profile = _demo_profile(db, args.demo, args.demo_language or i18n.current_language())
            i18n.set_language(profile.language)
        elif profile is not None:
            i18n.set_language(profile.language)
        else:
            from neascn_desktop.gui.first_run import FirstRunDialog

            dialog = FirstRunDialog(db)
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return EXIT_OK
            if dialog.demo_requested:
                # The real data directory keeps no profile: the next start asks again.
                from neascn_desktop.demo.directory import demo_data_dir

                db.dispose()
                db = None
                lock.release()
                lock = None
                data_dir = demo_data_dir(data_dir)
                opened = _open_data_directory(data_dir, demo=True)
                if isinstance(opened, int):
                    return opened
                lock, db = opened
                profile = _demo_profile(db, dialog.role(), dialog.language())
            elif dialog.joined is not None:  # a team's shared database: open it instead
                db.dispose()
                db = None
                lock.release()
                lock = None
                opened = _open_data_directory(data_dir, demo=False)
                if isinstance(opened, int):
                    return opened
                lock, db = opened
                profile = load_profile(db)
                if profile is None:
                    return EXIT_OK
            elif dialog.profile is None:
                return EXIT_OK
            else:
                profile = dialog.profile

        from neascn_desktop.gui.context import GuiContext
        from neascn_desktop.gui.main_window import MainWindow

        ctx = GuiContext(db=db, profile=profile)
        window = MainWindow(ctx)
        if os.environ.get("NEASCN_STARTUP_PROBE") == "1":
            _install_startup_probe(app, window)
        window.show()
        opener.set_window(window)
        status = app.exec()
        ctx.changes.stop()
        from neascn_desktop.gui.worker import cancel_all

        cancel_all()
        return int(status)
    finally:
        if db is not None:
            db.dispose()
        if lock is not None:
            lock.release()
        qt_language.uninstall()
        language_font.uninstall()
        app.removeEventFilter(opener)
        if sys.excepthook is not sys.__excepthook__:
            sys.excepthook = sys.__excepthook__


if __name__ == "__main__":
    raise SystemExit(main())
