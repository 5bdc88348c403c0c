"""Render every workspace in every language to PNG files, for people to look at.

    python scripts/screenshots.py OUT_DIR [--languages en ko ...]

Creates a secretariat profile with demo data in a temporary data directory, opens the real main
window (run it under Xvfb, or with QT_QPA_PLATFORM=offscreen), and saves
``OUT_DIR/<language>-<workspace>.png`` plus the survey form of one submission.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

WORKSPACES = ["framework", "surveys", "inbox", "reports"]
NAMES = {"en": "Kim Min-jun", "ko": "김민준", "zh_Hans": "王小明", "ja": "山田太郎",
         "ru": "Иван Петров", "mn": "Бат-Эрдэнэ"}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--languages", nargs="+", default=list(NAMES))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    from PySide6.QtWidgets import QApplication

    from neascn_desktop import i18n
    from neascn_desktop.gui.context import GuiContext
    from neascn_desktop.gui.main_window import MainWindow
    from neascn_desktop.i18n.qt import QtLanguage
    from neascn_desktop.identity.profile import create_profile
    from neascn_desktop.store import open_database
    from neascn_desktop.surveys import service
    from neascn_desktop.surveys.demo import load_demo

    app = QApplication(sys.argv[:1])
    qt_language = QtLanguage(app)
    qt_language.install()
    db = open_database(Path(tempfile.mkdtemp(prefix="neascn-shots-")))
    profile = create_profile(db, name="Kim Min-jun", role="secretariat", organisation="WeGO",
                             language="en")
    load_demo(db, profile, cities=10, seed=7)
    ctx = GuiContext(db=db, profile=profile)
    window = MainWindow(ctx)
    window.resize(1400, 900)
    window.show()

    def settle() -> None:
        for _ in range(20):
            app.processEvents()

    for language in args.languages:
        window.set_language(language)
        i18n.set_language(language)
        for key in WORKSPACES:
            workspace = window.show_workspace(key)
            settle()
            if key == "reports":
                app.processEvents()
                import time

                time.sleep(1.5)  # the dashboard renders in the background
                settle()
            window.grab().save(str(args.out / f"{language}-{key}.png"))
            if key == "reports":
                import time

                workspace.tabs.setCurrentWidget(workspace.dashboard)
                settle()
                time.sleep(1.5)  # the dashboard is built in the background
                settle()
                window.grab().save(str(args.out / f"{language}-reports-dashboard.png"))
                workspace.tabs.setCurrentIndex(0)
            if key == "surveys":
                submission = service.list_submissions(db)[0]
                workspace.open_submission(submission.id)
                settle()
                window.grab().save(str(args.out / f"{language}-survey-form.png"))
                workspace.show_list()
    window.close()
    ctx.changes.stop()
    print(f"screenshots in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
