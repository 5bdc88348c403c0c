"""Every form of the shared XLSForm corpus opens in the form and every page's questions build."""

from __future__ import annotations

from pathlib import Path

import pytest

from neascn_desktop.gui.surveys.form import SurveyForm
from neascn_desktop.surveys import service

CORPUS = next((p / "shared" / "xlsform-corpus" for p in Path(__file__).resolve().parents
               if (p / "shared" / "xlsform-corpus").is_dir()), None)
FORMS = sorted(CORPUS.glob("*.xlsx")) if CORPUS is not None else []


@pytest.mark.skipif(not FORMS, reason="the shared XLSForm corpus is not here")
def test_every_corpus_form_opens_and_walks(qtbot, gui_ctx) -> None:  # type: ignore[no-untyped-def]
    form = SurveyForm(gui_ctx)
    qtbot.addWidget(form)
    form.resize(1200, 800)
    form.show()
    walked = {}
    repeats = {}
    for path in FORMS:
        definition, _changes = service.import_xlsform_file(gui_ctx.db, gui_ctx.profile, path)
        submission = service.create_submission(
            gui_ctx.db, gui_ctx.profile, "seoul", form_id=definition.form_id,
            version=definition.version).submission
        form.open_submission(submission.id)
        for page in range(len(form.pages)):
            form.show_section(page)
            assert form.current_section == page
        shown = {q.key or q.name for page in form.pages for q in page.questions}
        assert shown <= set(form.widgets), path.name
        for name in shown:
            widget = form.widgets[name]
            assert widget.accessibleName(), (path.name, name)
            widget.focus_input()
        # One entry in every repeat on a page (nested ones too): its questions build, speak,
        # and appear in the question list under the entry.
        entries = 0
        for page in range(len(form.pages)):
            form.show_section(page)
            done: set[str] = set()
            for _depth in range(4):  # an entry of a repeat, then of the repeats inside it …
                blocks = [b for top in form.repeat_blocks for b in top.all_blocks()
                          if form.stack.widget(page).isAncestorOf(b) and b.path not in done
                          and b.isVisibleTo(form)]
                for block in blocks:
                    done.add(block.path)
                    assert form.add_instances(block.path), (path.name, block.path)
                    entries += 1
        for key, widget in form.instance_widgets.items():
            assert widget.accessibleName(), (path.name, key)
        form.show_question_list()
        assert set(form.question_list.items) == shown
        assert set(form.instance_widgets) <= set(form.question_list.entries.items), path.name
        walked[path.name] = len(shown)
        repeats[path.name] = entries
    assert len(walked) == len(FORMS)
    assert sum(walked.values()) > 1000
    assert sum(repeats.values()) >= 10
