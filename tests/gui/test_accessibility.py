"""Every interactive widget of every workspace has an accessible name (issue 16): the framework
editor and outline, the inbox table and preview and the report city list had none."""

from __future__ import annotations

import pytest

from neascn_desktop import i18n
from neascn_desktop.gui.accessibility import nameless
from neascn_desktop.gui.context import GuiContext
from neascn_desktop.gui.main_window import WORKSPACE_KEYS, MainWindow


def _describe(widget) -> str:  # type: ignore[no-untyped-def]
    return f"{type(widget).__name__} {widget.objectName()!r} in {type(widget.parentWidget()).__name__}"


@pytest.mark.parametrize("language", ["en", "ko"])
def test_every_widget_of_every_workspace_has_a_name(qtbot, db, secretariat_profile, language) -> None:
    from neascn_desktop.framework import service as framework
    from neascn_desktop.surveys.demo import load_demo

    load_demo(db, secretariat_profile, cities=3)
    assert framework.has_document(db)
    ctx = GuiContext(db=db, profile=secretariat_profile)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    try:
        window.set_language(language)
        missing: list[str] = []
        for key in WORKSPACE_KEYS:
            workspace = window.show_workspace(key)
            qtbot.waitUntil(lambda w=workspace: not getattr(w, "jobs", []), timeout=120_000)
            missing += [f"{key}: {_describe(w)}" for w in nameless(workspace)]
        assert missing == [], "\n".join(missing)
        named = {w.accessibleName() for w in window.workspace("inbox").findChildren(type(window.workspace("inbox").table))}
        assert all(named)
    finally:
        window.set_language("en")
        i18n.set_language("en")
        window.close()
        ctx.changes.stop()
