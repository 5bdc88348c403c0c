"""Defects found walking the real app in Korean, each driven through the real widgets."""

from __future__ import annotations

from neascn_desktop import i18n
from tests.gui.surveys.test_form import _open_city, _workspace


def test_the_projects_repeat_speaks_the_form_language_with_its_hint(qtbot, gui_ctx) -> None:  # type: ignore[no-untyped-def]
    i18n.set_language("ko")
    workspace = _workspace(qtbot, gui_ctx)
    form = _open_city(qtbot, workspace, "seoul")
    assert form.language == "ko"
    form.show_section(form.page_of("fin_procure"))
    block = next(b for b in form.repeat_blocks if b.repeat.name == "projects")
    repeat = block.repeat
    assert repeat.label["ko"] == "스마트시티 사업"
    assert block.heading.text().startswith(repeat.label["ko"])  # was the English label
    assert repeat.label["ko"] in block.add_button.text()
    assert block.hint_label.text() == repeat.hint["ko"]
    assert block.hint_label.isVisibleTo(form)
    block.add_button.click()
    qtbot.waitUntil(lambda: len(block.instances) == 1, timeout=120_000)
    assert block.instances[0].heading.text() == f"{repeat.label['ko']} 1"
    form.set_form_language("mn")
    assert block.heading.text().startswith(repeat.label["mn"])
    assert block.hint_label.text() == repeat.hint["mn"]


def test_required_questions_inside_an_entry_carry_the_required_mark(qtbot, gui_ctx) -> None:  # type: ignore[no-untyped-def]
    workspace = _workspace(qtbot, gui_ctx)
    form = _open_city(qtbot, workspace, "seoul")
    assert form.question("resp_name").title.text().endswith(" *")  # the mark outside repeats
    form.show_section(form.page_of("fin_procure"))
    block = next(b for b in form.repeat_blocks if b.repeat.name == "projects")
    block.add_button.click()
    qtbot.waitUntil(lambda: len(block.instances) == 1, timeout=120_000)
    titles = {path.rpartition("/")[2]: widget.title.text() for path, widget in block.widgets.items()}
    required = {"proj_name", "proj_sector", "proj_stage"}  # proj_currency: only with an amount
    for name, title in titles.items():
        assert title.endswith(" *") == (name in required), (name, title)  # was never marked


def test_the_city_list_fits_a_1366_pixel_screen_in_every_language(qtbot, gui_ctx) -> None:  # type: ignore[no-untyped-def]
    """In Mongolian the eight buttons in one row made the window wider than a laptop screen
    (1,213 pixels for the workspace alone, the navigation beside it)."""
    workspace = _workspace(qtbot, gui_ctx)
    try:
        for code in i18n.LANGUAGES:
            i18n.set_language(code)
            workspace.retranslateUi()
            workspace.list_page.layout().activate()  # the size hints of the new texts
            assert workspace.list_page.minimumSizeHint().width() <= 1000, code
    finally:
        i18n.set_language("en")
