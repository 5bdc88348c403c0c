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
        form.show_question_list()
        assert set(form.question_list.items) == shown
        walked[path.name] = len(shown)
    assert len(walked) == len(FORMS)
    assert sum(walked.values()) > 1000
