"""Qt's own dialogs in our languages where Qt ships no translation (issue 16: "OK" and Yes/No in
Mongolian, the file dialog's labels in Japanese and Chinese)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QFileDialog, QLabel, QMessageBox

from neascn_desktop import i18n


@pytest.mark.parametrize("language", ["mn", "ja", "zh_Hans"])
def test_message_box_buttons_and_file_dialog_labels_are_translated(qtbot, qt_language, language) -> None:
    try:
        i18n.set_language(language)
        box = QMessageBox(QMessageBox.Icon.Question, "t", "x",
                          QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Yes
                          | QMessageBox.StandardButton.No)
        qtbot.addWidget(box)
        texts = {b.text() for b in box.buttons()}
        assert not texts & {"&Yes", "&No"}, texts
        assert language != "mn" or "OK" not in texts  # Japanese and Chinese write OK as such
        dialog = QFileDialog(None, "t")
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        qtbot.addWidget(dialog)
        labels = {w.text() for w in dialog.findChildren(QLabel) if w.text()}
        assert not labels & {"&Look in:", "File &name:", "Files of &type:"}, labels
    finally:
        i18n.set_language("en")
