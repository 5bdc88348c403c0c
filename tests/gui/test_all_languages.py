"""Every workspace in every language: texts come from the right catalog, no English escapes.

Two checks, both on the real main window with every workspace built over demo data:

- with the real catalogs, no visible text of the window's chrome (labels, buttons, tabs, group
  boxes, menus, table headers, placeholders, tooltips) is an English message that the catalog
  translates, and every language's own script shows up;
- in a *pseudo-locale* (Korean content, but a UI catalog that wraps every message in ⟦…⟧), no
  chrome text has English words outside the brackets: a user-visible literal that escaped
  ``_()`` would show up here.
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QMainWindow,
    QMenu,
    QPlainTextEdit,
    QTabWidget,
    QTextEdit,
    QWidget,
)

from neascn_desktop import i18n
from neascn_desktop.identity.profile import Profile, create_profile
from neascn_desktop.store import Database

WORKSPACES = ["framework", "surveys", "inbox", "reports"]
LANGUAGES = ["ko", "zh_Hans", "ja", "ru", "mn"]
SCRIPT = {
    "ko": r"[\uac00-\ud7a3]",
    "zh_Hans": r"[\u4e00-\u9fff]",
    "ja": r"[\u3040-\u30ff\u4e00-\u9fff]",
    "ru": r"[\u0400-\u04ff]",
    "mn": r"[\u0400-\u04ff]",
}
#: Words that legitimately stay Latin in any language: names, formats, codes.
ALLOWED = re.compile(
    r"NEASCN|Desktop|WeGO|ASCN|ASEAN|CSCO|SCAP|PPP|ADB|EDCF|ICT|IoT|KPIs?|ITU|ISO|U4SSC|XLSForm|KoboToolbox|Kobo|ODK|Word|LibreOffice|Excel|Markdown|"
    r"CSV|XLSX|DOCX|PDF|JSON|ZIP|SHA-256|Ed25519|English|Ctrl|Shift|Alt|Page ?Up|Page ?Down|"
    r"Enter|Tab|Esc|neascn_readiness|neascn|key|example\.org|[a-z+]+://\S+|[\w.+-]+@[\w.-]+|/[\w./ -]*|"
    r"[0-9a-f]{4}(:[0-9a-f]{4})+|[0-9a-f-]{8,}"
)


def _texts_of(widget: QWidget) -> Iterator[str]:
    if isinstance(widget, QLabel):
        yield widget.text()
    elif isinstance(widget, QAbstractButton):
        yield widget.text()
    elif isinstance(widget, QGroupBox):
        yield widget.title()
    elif isinstance(widget, QTabWidget):
        for index in range(widget.count()):
            yield widget.tabText(index)
            yield widget.tabToolTip(index)
    elif isinstance(widget, QLineEdit | QPlainTextEdit | QTextEdit):
        yield widget.placeholderText()
    elif isinstance(widget, QListWidget):
        for row in range(widget.count()):
            yield widget.item(row).text()
    elif isinstance(widget, QAbstractItemView) and widget.model() is not None:
        model = widget.model()
        for column in range(model.columnCount(QModelIndex())):
            yield str(model.headerData(column, Qt.Orientation.Horizontal) or "")
    yield widget.toolTip()


def chrome_texts(window: QMainWindow) -> list[str]:
    texts: list[str] = [window.windowTitle()]
    for widget in [window, *window.findChildren(QWidget)]:
        if isinstance(widget, QComboBox | QMenu):
            continue  # combo items are data (cities, languages); menus are read below
        if not widget.isVisible() and not isinstance(widget, QTabWidget):
            continue
        texts.extend(_texts_of(widget))
    for action in window.menuBar().actions():
        texts.append(action.text())
        menu = action.menu()
        if menu is not None:
            for sub in menu.actions():
                if sub.menu() is None or sub.text():
                    texts.append(sub.text())
    return [t for t in texts if t and t.strip()]


@pytest.fixture
def korean_profile(db: Database) -> Profile:
    return create_profile(db, name="김민준", role="secretariat", organisation="위고", language="ko")


@pytest.fixture
def full_window(qtbot, db: Database, korean_profile: Profile, qt_language):  # type: ignore[no-untyped-def]
    from neascn_desktop.gui.context import GuiContext
    from neascn_desktop.gui.main_window import MainWindow
    from neascn_desktop.surveys.demo import load_demo

    i18n.set_language("ko")
    load_demo(db, korean_profile, cities=4, seed=3)
    ctx = GuiContext(db=db, profile=korean_profile)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.show()
    qtbot.waitExposed(window)
    for key in WORKSPACES:
        _settle(qtbot, window.show_workspace(key))
    yield window
    window.close()
    ctx.changes.stop()


def _settle(qtbot, workspace: QWidget) -> None:  # type: ignore[no-untyped-def]
    """Wait until the workspace's background work is done (the dashboard draws off the UI thread)."""
    def idle() -> bool:
        job = getattr(workspace, "dashboard_job", None)
        return job is None or not job.is_running()

    qtbot.waitUntil(idle, timeout=60_000)


def _collect_everywhere(window: QMainWindow, qtbot) -> list[str]:  # type: ignore[no-untyped-def]
    """Texts of every workspace, every tab page, and the survey form of one submission."""
    from neascn_desktop.surveys import service

    texts: list[str] = []
    for key in WORKSPACES:
        workspace = window.show_workspace(key)
        _settle(qtbot, workspace)
        texts.extend(chrome_texts(window))
        for tabs in workspace.findChildren(QTabWidget):
            for index in range(tabs.count()):
                tabs.setCurrentIndex(index)
                _settle(qtbot, workspace)
                texts.extend(chrome_texts(window))
            tabs.setCurrentIndex(0)
        if key == "surveys":
            submission = service.list_submissions(window.ctx.db)[0]
            workspace.open_submission(submission.id)
            texts.extend(chrome_texts(window))
            workspace.show_list()
    return texts


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_workspace_speaks_the_language(qtbot, full_window, language: str) -> None:  # type: ignore[no-untyped-def]
    full_window.set_language(language)
    catalog = i18n.catalog(language)
    texts = _collect_everywhere(full_window, qtbot)
    untranslated = sorted({
        t for t in texts
        if catalog.gettext(t) != t or catalog.gettext(t.replace("&", "")) != t.replace("&", "")
    })
    assert not untranslated, f"{language}: English still shown for {untranslated[:10]}"
    own_script = [t for t in texts if re.search(SCRIPT[language], t)]
    assert len(own_script) >= 0.6 * len(texts), f"{language}: too little text in the language's script"


class _Pseudo(gettext.NullTranslations):
    def gettext(self, message: str) -> str:
        return f"⟦{message}⟧"

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return f"⟦{singular if n == 1 else plural}⟧"

    def pgettext(self, context: str, message: str) -> str:
        return f"⟦{message}⟧"


def test_no_english_escapes_the_catalogs(qtbot, full_window, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(i18n._catalogs, "ko", _Pseudo())
    full_window.set_language("ko")
    escaped: set[str] = set()
    for text in _collect_everywhere(full_window, qtbot):
        outside = re.sub(r"⟦[^⟧]*⟧", " ", text, flags=re.S)
        outside = ALLOWED.sub(" ", outside)
        if re.search(r"[A-Za-z]{3,}", outside):
            escaped.add(text)
    assert not escaped, "texts outside the catalogs: " + repr(sorted(escaped)[:20])
