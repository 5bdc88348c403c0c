"""Every widget family of the form, driven by keyboard through the real widgets."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication

from neascn_desktop.gui.surveys.choice_widgets import ListChoiceQuestion
from tests.gui.surveys.test_defects import _answers, _field_check
from tests.gui.surveys.test_form import _focused_question


def test_cascade_long_list_and_or_other(qtbot, gui_ctx, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _ws, form = _field_check(qtbot, gui_ctx, tmp_path)
    region = form.question("region")
    assert region.visible_choices == () and region.empty_note.isVisibleTo(form)
    form.go_to_question("country")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_2)  # Mongolia
    assert [region.choices[i].name for i in region.visible_choices] == ["ulaanbaatar_r", "gobi_r"]
    assert not region.empty_note.isVisibleTo(form)
    form.go_to_question("region")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_2)
    assert _answers(gui_ctx, form)["region"] == "gobi_r"
    # Changing the country filters live and says the region no longer fits.
    form.go_to_question("country")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_1)
    assert [region.choices[i].name for i in region.visible_choices] == ["seoul_r", "busan_r"]
    assert "Gobi" in region.message.text()
    # A long list: type to filter, Enter picks the best match and moves on.
    district = form.question("district")
    assert isinstance(district, ListChoiceQuestion)
    form.go_to_question("district")
    assert QApplication.focusWidget() is district.search
    qtbot.keyClicks(district.search, "strict 04")
    assert district.list.count() == 1
    qtbot.keyClick(district.search, Qt.Key.Key_Return)
    assert _answers(gui_ctx, form)["district"] == "district_04"
    assert _focused_question().question.name == "colour"
    # or_other: "Other" shows the text question for it.
    other = form.question("colour_other")
    assert other.isHidden()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_3)
    assert not other.isHidden()
    other.focus_input()
    qtbot.keyClicks(other.edit, "Teal")
    assert _answers(gui_ctx, form)["colour_other"] == "Teal"


def test_times_range_rank_and_live_labels(qtbot, gui_ctx, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _ws, form = _field_check(qtbot, gui_ctx, tmp_path)
    form.go_to_question("visit_time")
    qtbot.keyClicks(QApplication.focusWidget(), "0930")
    form.go_to_question("visit_end")
    qtbot.keyClicks(QApplication.focusWidget(), "202612031430")
    answers = _answers(gui_ctx, form)
    assert answers["visit_time"] == "09:30"
    assert answers["visit_end"] == "2026-12-03T14:30"
    assert form.question("visit_end").edit.text() == "2026-12-03 14:30"
    # Range: unanswered shows "No answer"; the slider and the spin box move together.
    readiness = form.question("readiness")
    assert readiness.spin.text() == "No answer"
    form.go_to_question("readiness")
    assert QApplication.focusWidget() is readiness.slider
    qtbot.keyClick(readiness.slider, Qt.Key.Key_Right)
    assert _answers(gui_ctx, form)["readiness"] == 1
    readiness.spin.setFocus()
    readiness.spin.selectAll()
    qtbot.keyClicks(readiness.spin, "7")
    assert _answers(gui_ctx, form)["readiness"] == 7 and readiness.slider.value() == 7
    # Rank: unanswered until moved; Ctrl+Down moves the selected choice.
    rank = form.question("priorities")
    assert "priorities" not in _answers(gui_ctx, form)
    form.go_to_question("priorities")
    qtbot.keyClick(rank.list, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    assert _answers(gui_ctx, form)["priorities"] == ["roads_p", "water_p", "data_p"]
    qtbot.keyClick(rank.list, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    assert _answers(gui_ctx, form)["priorities"] == ["roads_p", "data_p", "water_p"]
    # ${name} in labels follows the answers live.
    remarks, note = form.question("remarks"), form.question("per_note")
    assert remarks.title.text() == "Remarks on …"
    form.go_to_question("country")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_1)
    assert remarks.title.text() == "Remarks on Korea"
    assert note.title.text() == "Per resident: … in Korea"
    assert remarks.guidance.text() == "Guidance: Note anything unusual."


def test_geo_barcode_acknowledge_and_image_preview(qtbot, gui_ctx, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _ws, form = _field_check(qtbot, gui_ctx, tmp_path)
    location = form.question("location")
    form.go_to_question("location")
    qtbot.keyClicks(location.edit, "47°55'14\"N 106°55'3\"E")
    assert _answers(gui_ctx, form)["location"].startswith("47.92")
    location.edit.selectAll()
    qtbot.keyClicks(location.edit, "37.5665, 126.978")  # as copied from a web map
    qtbot.keyClick(location.edit, Qt.Key.Key_Tab)
    qtbot.keyClicks(location.accuracy, "5")
    assert _answers(gui_ctx, form)["location"] == "37.5665 126.978 0 5"
    assert len(location.preview.points) == 1
    location.edit.selectAll()
    qtbot.keyClicks(location.edit, "somewhere")
    qtbot.keyClick(location.edit, Qt.Key.Key_Return)
    assert "is not a point" in location.message.text()
    assert _answers(gui_ctx, form)["location"] == "37.5665 126.978 0 5"  # unchanged
    route = form.question("route")
    form.go_to_question("route")
    qtbot.keyClicks(route.edit, "47.92, 106.92")
    qtbot.keyClick(route.edit, Qt.Key.Key_Return)
    qtbot.keyClicks(route.edit, "47.93, 106.95")
    assert _answers(gui_ctx, form)["route"] == "47.92 106.92; 47.93 106.95"
    form.go_to_question("asset")
    qtbot.keyClicks(QApplication.focusWidget(), "NEA-00042")
    form.go_to_question("consent")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Space)
    answers = _answers(gui_ctx, form)
    assert answers["asset"] == "NEA-00042" and answers["consent"] == "OK"
    image = QImage(64, 48, QImage.Format.Format_RGB32)
    image.fill(QColor("#0b57d0"))
    photo_path = tmp_path / "office.png"
    assert image.save(str(photo_path))
    photo = form.question("photo")
    photo.attach(photo_path)
    assert photo.thumbnail.isVisibleTo(form) and not photo.thumbnail.pixmap().isNull()
    assert photo.choose_button.text() == "Choose image…"


def test_every_input_has_an_accessible_name(qtbot, gui_ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _ws, form = _field_check(qtbot, gui_ctx, tmp_path)
    for page in range(len(form.pages)):
        form.show_section(page)
    nameless = [f"{name}: {type(w).__name__}" for name, widget in form.widgets.items()
                for w in widget.input_widgets() if not w.accessibleName()]
    assert not nameless
    assert all(w.accessibleName() for w in form.widgets.values())
    for widget in (form.question_list.search, form.question_list.tree, form.section_list,
                   form.language_combo, form.export_button):
        assert widget.accessibleName() or widget.text()  # type: ignore[attr-defined]
