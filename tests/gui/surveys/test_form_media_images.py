"""Label media in the form: a question's or a choice's ``media::image`` — a file stored with the
survey version — shows scaled to fit, named for assistive technology by the label it illustrates."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QAbstractButton, QLabel

from neascn_desktop.gui.surveys.form import SurveyForm
from neascn_desktop.surveys import service


def _image(path: Path, width: int, height: int, colour: str) -> Path:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor(colour))
    assert image.save(str(path))
    return path


def _form(folder: Path) -> Path:
    wb = Workbook()
    survey = wb.active
    survey.title = "survey"
    for row in [
        ["type", "name", "label", "media::image"],
        ["select_one fruit", "fruit", "Which fruit grows here?", "orchard.png"],
        ["text", "plain", "No picture", None],
        ["text", "lost", "A picture that did not come", "lost.png"],
        ["text", "broken", "Not a picture at all", "broken.png"],
    ]:
        survey.append(row)
    choices = wb.create_sheet("choices")
    choices.append(["list_name", "name", "label", "media::image"])
    choices.append(["fruit", "apple", "Apple", "apple.png"])
    choices.append(["fruit", "pear", "Pear", None])
    settings = wb.create_sheet("settings")
    settings.append(["form_id", "version"])
    settings.append(["orchard", "1"])
    form = folder / "orchard.xlsx"
    wb.save(form)
    media = folder / "orchard-media"
    media.mkdir()
    _image(media / "orchard.png", 1600, 800, "green")  # larger than the form shows it
    _image(media / "apple.png", 40, 30, "red")  # smaller: shown as it is
    (media / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    return form


def test_question_and_choice_images_show_scaled_with_the_label_as_name(
        qtbot, gui_ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = service.import_xlsform_checked(gui_ctx.db, gui_ctx.profile, _form(tmp_path))
    assert any("lost.png" in w for w in result.warnings)
    submission = service.create_submission(gui_ctx.db, gui_ctx.profile, "seoul",
                                           form_id="orchard", version="1").submission
    form = SurveyForm(gui_ctx)
    qtbot.addWidget(form)
    form.resize(1200, 800)
    form.show()
    form.open_submission(submission.id)

    fruit = form.widgets["fruit"]
    image = fruit.findChild(QLabel, "questionImage")
    qtbot.waitUntil(image.isVisible, timeout=120_000)
    pixmap = image.pixmap()
    assert (pixmap.width(), pixmap.height()) == (320, 160)  # 1600x800 scaled into 320x240
    assert QColor(pixmap.toImage().pixel(10, 10)) == QColor("green")
    assert image.accessibleName() == "Which fruit grows here?"

    apple = fruit.findChild(QAbstractButton, "choice_apple")
    pear = fruit.findChild(QAbstractButton, "choice_pear")
    assert not apple.icon().isNull()
    assert (apple.iconSize().width(), apple.iconSize().height()) == (40, 30)
    assert apple.accessibleName() == "Apple"
    assert pear.icon().isNull()
    # The choice with a picture is still picked by its key.
    apple.setFocus()
    qtbot.keyClick(fruit, Qt.Key.Key_1)
    assert fruit.value() == "apple"

    # No picture, one this data directory lacks, one that is no image: no image, no error.
    for name in ("plain", "lost", "broken"):
        assert not form.widgets[name].findChild(QLabel, "questionImage").isVisible()


def test_images_come_from_the_stored_files_not_the_folder_beside_the_form(
        qtbot, gui_ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    form_path = _form(tmp_path)
    service.import_xlsform_checked(gui_ctx.db, gui_ctx.profile, form_path)
    for path in (tmp_path / "orchard-media").iterdir():
        path.unlink()  # the USB stick is gone; the survey version keeps its files
    submission = service.create_submission(gui_ctx.db, gui_ctx.profile, "seoul",
                                           form_id="orchard", version="1").submission
    form = SurveyForm(gui_ctx)
    qtbot.addWidget(form)
    form.show()
    form.open_submission(submission.id)
    image = form.widgets["fruit"].findChild(QLabel, "questionImage")
    qtbot.waitUntil(image.isVisible, timeout=120_000)
    assert not image.pixmap().isNull()


def test_the_workspace_imports_with_media_names_what_is_missing_and_exports_the_files(
        qtbot, gui_ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from neascn_desktop.gui.surveys.workspace import SurveysWorkspace

    workspace = SurveysWorkspace(gui_ctx)
    qtbot.addWidget(workspace)
    workspace.show()
    assert workspace.import_xlsform(_form(tmp_path))
    remarks = workspace.findChild(QLabel, "importRemarks")
    assert remarks.isVisible()
    assert "orchard version 1" in remarks.text() and "“lost.png”" in remarks.text()
    exported = workspace.export_xlsform(tmp_path / "out" / "orchard.xlsx")
    assert exported is not None
    assert sorted(p.name for p in (tmp_path / "out" / "orchard-media").iterdir()) == [
        "apple.png", "broken.png", "orchard.png"]


def test_a_list_from_a_file_and_pulldata_work_in_the_form(qtbot, gui_ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The choices come from the stored CSV, and a label showing a pulldata() calculation
    follows the choice picked — the file beside the form is gone by then."""
    from tests.surveys.test_form_media import fruit_form

    form_path = fruit_form(tmp_path / "form")
    service.import_xlsform_checked(gui_ctx.db, gui_ctx.profile, form_path)
    for path in [*(form_path.parent / "fruit-media").iterdir(), *form_path.parent.glob("*.csv")]:
        path.unlink()
    submission = service.create_submission(gui_ctx.db, gui_ctx.profile, "seoul",
                                           form_id="fruit", version="1").submission
    form = SurveyForm(gui_ctx)
    qtbot.addWidget(form)
    form.resize(1200, 800)
    form.show()
    form.open_submission(submission.id)
    fruit = form.widgets["fruit"]
    assert [b.accessibleName() for b in fruit.findChildren(QAbstractButton)
            if b.property("choice")] == ["Apple", "Banana"]
    fruit.findChild(QAbstractButton, "choice_banana").setFocus()
    qtbot.keyClick(fruit, Qt.Key.Key_2)
    note = form.widgets["shown"].findChild(QLabel, "questionLabel")
    qtbot.waitUntil(lambda: note.text() == "The colour is yellow", timeout=120_000)
    qtbot.keyClick(fruit, Qt.Key.Key_1)
    qtbot.waitUntil(lambda: note.text() == "The colour is red", timeout=120_000)
