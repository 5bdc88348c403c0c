"""``neascn-desktop --self-test``: the headless checks (``neascn_desktop.selftest``) and Qt's.

- ``qt``: a ``QApplication`` starts, the bundled SVG icons render and Qt's own
  catalogs (``qtbase_*.qm``) load;
- ``forms``: every Designer form in ``ui/`` loads with ``QUiLoader``;
- ``error-hook``: the windowed executable's path for an unexpected error: with
  no console (``sys.stderr`` is ``None``, as in the Windows ``.exe`` and a macOS
  app started from Finder) the error is still logged and shown in a dialog.

The windowed Windows executable has no console to print to: there the report
goes to the file named by ``NEASCN_SELF_TEST_REPORT`` (the build script reads it).

Both run headless (Qt's ``offscreen`` platform, set by the runner).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TextIO, cast

from neascn_desktop.selftest import (
    HEADLESS_CHECKS,
    Run,
    SelfTestFailure,
    check_catalogs,
    check_migrations,
    check_package,
    check_report,
    check_spreadsheet,
    require,
)
from neascn_desktop.selftest import run_self_test as run_checks

#: Qt's own catalogs the bundle ships (there is none for Mongolian).
QT_CATALOGS = ("ko", "zh_CN", "ja", "ru")


def check_qt(run: Run) -> str:
    from PySide6.QtCore import QLibraryInfo, QTranslator
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from neascn_desktop.paths import resource

    # cast: the only application object this program ever makes is a QApplication
    app = cast(
        QApplication,
        QApplication.instance() or QApplication(["neascn-desktop", "-platform", "offscreen"]),
    )
    run.app = app
    icons = sorted(resource("icons").glob("*.svg"))
    require(icons, f"no SVG icons in {resource('icons')}")
    for path in icons:
        pixmap = QIcon(str(path)).pixmap(32, 32)
        require(not pixmap.isNull(), f"the icon {path.name} does not render (Qt's SVG plugins?)")
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    for code in QT_CATALOGS:
        require(QTranslator().load(f"qtbase_{code}", folder), f"qtbase_{code}.qm is missing from {folder}")
    return f"platform {app.platformName()}, {len(icons)} icons, {len(QT_CATALOGS)} Qt catalogs"


def check_forms(run: Run) -> str:
    from PySide6.QtCore import QFile, QIODevice
    from PySide6.QtUiTools import QUiLoader

    from neascn_desktop.paths import ui_dir

    forms = sorted(ui_dir().glob("*.ui"))
    require(forms, f"no .ui forms in {ui_dir()}")
    loader = QUiLoader()
    for path in forms:
        handle = QFile(str(path))
        require(handle.open(QIODevice.OpenModeFlag.ReadOnly), f"cannot read {path.name}")
        widget = loader.load(handle, None)
        handle.close()
        require(widget is not None, f"{path.name} does not load: {loader.errorString()}")
        widget.deleteLater()
    return f"{len(forms)} forms"


def check_error_hook(run: Run) -> str:
    import sys

    from PySide6.QtWidgets import QApplication, QMessageBox

    from neascn_desktop.gui.app import _install_excepthook

    require(run.app is not None, "the qt check did not start Qt")
    folder = run.root / "error-hook"
    saved_hook, saved_stderr = sys.excepthook, sys.stderr
    try:
        _install_excepthook(folder)
        sys.stderr = None  # what the windowed executable has
        try:
            raise RuntimeError("self-test: an unexpected error")
        except RuntimeError as exc:
            sys.excepthook(type(exc), exc, exc.__traceback__)
    finally:
        sys.excepthook, sys.stderr = saved_hook, saved_stderr
    logs = list((folder / "logs").glob("gui-error-*.txt"))
    require(len(logs) == 1, f"no error log in {folder / 'logs'}")
    boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()
             and "self-test: an unexpected error" in w.text()]
    require(boxes, "the error dialog did not open")
    for box in boxes:
        box.close()
    return f"logged to {logs[0].name} and shown without a console"


CHECKS: tuple[tuple[str, Callable[[Run], str]], ...] = (
    ("qt", check_qt),
    ("migrations", check_migrations),
    ("forms", check_forms),
    ("error-hook", check_error_hook),
    ("catalogs", check_catalogs),
    ("package", check_package),
    ("report", check_report),
    ("spreadsheet", check_spreadsheet),
)


def run_self_test(
    out: TextIO | None = None,
    verbose: bool = False,
    checks: Sequence[tuple[str, Callable[[Run], str]]] = CHECKS,
) -> int:
    """Every check, Qt's included; see ``neascn_desktop.selftest.run_self_test``."""
    import os

    report = os.environ.get("NEASCN_SELF_TEST_REPORT")
    if out is None and report:
        with open(report, "w", encoding="utf-8") as file:
            return run_checks(file, verbose, checks)
    return run_checks(out, verbose, checks)


__all__ = ["CHECKS", "HEADLESS_CHECKS", "SelfTestFailure", "check_error_hook", "check_forms", "check_migrations", "check_qt",
           "run_self_test"]


if __name__ == "__main__":
    import sys

    raise SystemExit(run_self_test(verbose="-v" in sys.argv))
