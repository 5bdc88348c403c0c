"""The framework conflict view shows versions as rendered text with what differs highlighted
(issue 16): no Markdown source, and the marked words are the changed ones."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from neascn_desktop import i18n  # noqa: E402
from neascn_desktop.framework import conflicts, service  # noqa: E402
from neascn_desktop.gui.framework.conflict_dialog import ConflictDialog  # noqa: E402
from neascn_desktop.gui.rendered_versions import changes, rendered  # noqa: E402
from tests.framework.conftest import exchange_revisions  # noqa: E402

SCREENSHOTS = Path(os.environ.get("NEASCN_SCREENSHOTS", "/tmp/neascn-screenshots"))


def test_changes_are_words_of_the_rendered_text() -> None:
    found = changes("Cities raised transport budgets.", "Cities raised water budgets.")
    assert [("Cities raised transport budgets."[c.start:c.end]) for c in found] == ["transport"]
    removed = changes("Cities raised budgets.", "Cities raised water budgets.")
    assert len(removed) == 1 and removed[0].removed
    # CJK: one character changed is one character marked, not the sentence.
    found = changes("도시가 교통 예산을 늘렸다.", "도시가 수도 예산을 늘렸다.")
    assert ["도시가 교통 예산을 늘렸다."[c.start:c.end] for c in found] == ["교통"]


def test_markup_is_rendered_not_shown(qtbot) -> None:  # type: ignore[no-untyped-def]
    document, found = rendered("## Goals\n\nCities **raised** transport budgets.\n",
                               "## Goals\n\nCities raised water budgets.\n")
    text = document.toPlainText()
    assert "##" not in text and "**" not in text
    assert [text[c.start:c.end] for c in found] == ["transport"]


def test_the_conflict_dialog_renders_both_versions_with_their_changes(qtbot, drafters) -> None:  # type: ignore[no-untyped-def]
    alice, bolor = drafters
    service.create_document(alice.db, alice.profile, "en")
    exchange_revisions(alice, bolor)
    for d, who in ((alice, "Alice"), (bolor, "Bolor")):
        body = service.get_section(d.db, "fw-programmes").body
        service.set_body(d.db, d.profile, "fw-programmes",
                         "## Programmes\n\n" + body.replace("Cities raised", f"**{who}**: cities raised"))
    exchange_revisions(bolor, alice)
    proposal = conflicts.merge_proposal(alice.db, "fw-programmes")
    for language in ("en", "ko"):
        i18n.set_language(language)
        dialog = ConflictDialog(proposal, "Programmes")
        qtbot.addWidget(dialog)
        dialog.resize(1100, 700)
        shown = [view.document().toPlainText() for view in dialog.version_views]
        assert all("**" not in text and "##" not in text for text in shown)
        marked = [" ".join(view.highlighted_text()) for view in dialog.version_views]
        assert any("Alice" in m for m in marked) and any("Bolor" in m for m in marked)
        assert dialog.legend.text()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        dialog.show()
        dialog.grab().save(str(SCREENSHOTS / f"framework-conflict-{language}.png"))


def test_the_inbox_conflict_view_renders_sections_too(qtbot, drafters) -> None:  # type: ignore[no-untyped-def]
    from neascn_desktop.gui.context import GuiContext
    from neascn_desktop.gui.inbox.conflicts_view import ConflictsView
    from neascn_desktop.gui.rendered_versions import RenderedVersion

    alice, bolor = drafters
    service.create_document(alice.db, alice.profile, "en")
    exchange_revisions(alice, bolor)
    for d, who in ((alice, "Alice"), (bolor, "Bolor")):
        body = service.get_section(d.db, "fw-programmes").body
        service.set_body(d.db, d.profile, "fw-programmes", body.replace("Cities raised", f"**{who}**: cities raised"))
    exchange_revisions(bolor, alice)
    view = ConflictsView(GuiContext(db=alice.db, profile=alice.profile))
    qtbot.addWidget(view)
    view.resize(1100, 700)
    versions = [box.findChild(RenderedVersion) for box in view.text_edits]
    assert len(versions) == 3  # the common ancestor and the two versions
    assert all("**" not in v.document().toPlainText() for v in versions)
    assert sorted(" ".join(v.highlighted_text()) for v in versions[1:])[0].startswith(("Alice", "Bolor"))
    view.show()
    view.grab().save(str(SCREENSHOTS / "inbox-section-conflict-en.png"))
