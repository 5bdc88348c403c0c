"""Files and confirmations: image / audio / video / file attachments with a preview, acknowledge.

An attachment is chosen with the file picker or dropped onto the question;
an image shows as a thumbnail, any other file as its name and size with
"Open" to play or view it in the system's own program.  Acknowledge is one
check box ("OK"), the XLSForm ``trigger``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QDragEnterEvent, QDropEvent, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from neascn_desktop.gui.surveys.question_base import QuestionWidget, format_size
from neascn_desktop.i18n import _

#: File-picker filters by XLSForm media type.
_FILTERS = {
    "image": "*.png *.jpg *.jpeg *.gif *.bmp *.webp *.tif *.tiff",
    "audio": "*.mp3 *.m4a *.wav *.ogg *.oga *.aac *.flac *.amr",
    "video": "*.mp4 *.mov *.avi *.mkv *.webm *.3gp",
}


class AttachmentQuestion(QuestionWidget):
    """A file: chosen with the file picker or dropped onto the question."""

    file_chosen = Signal(str, str)  # question name, path
    #: Where the stored file of a digest lies (set by the form; ``None``: no preview).
    locate: Callable[[str], Path | None] | None = None

    def build_input(self, layout: QVBoxLayout) -> None:
        self.setAcceptDrops(True)
        self.kind = self.question.extra.get("xlsform_type", "file")
        row = QHBoxLayout()
        self.choose_button = QPushButton(self)
        self.choose_button.setObjectName("chooseButton")
        self.choose_button.setAutoDefault(False)
        self.choose_button.clicked.connect(self.choose)
        self.remove_button = QToolButton(self)
        self.remove_button.setObjectName("removeButton")
        self.remove_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.remove_button.clicked.connect(lambda: self.emit_value(None))
        self.open_button = QToolButton(self)
        self.open_button.setObjectName("openButton")
        self.open_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.open_button.clicked.connect(self.open_file)
        self.file_label = QLabel(self)
        self.file_label.setObjectName("fileLabel")
        self.file_label.setWordWrap(True)
        self.file_label.setTextFormat(Qt.TextFormat.PlainText)
        row.addWidget(self.choose_button)
        row.addWidget(self.remove_button)
        row.addWidget(self.open_button)
        row.addWidget(self.file_label, 1)
        layout.addLayout(row)
        self.thumbnail = QLabel(self)
        self.thumbnail.setObjectName("thumbnail")
        self.thumbnail.hide()
        layout.addWidget(self.thumbnail)
        self.info: Mapping[str, Any] | None = None
        self.sha256: str | None = None
        self._show_info()

    def choose(self) -> None:
        if self.read_only:
            return
        pattern = _FILTERS.get(self.kind)
        filters = (_("Media files ({patterns})").format(patterns=pattern) + ";;" if pattern
                   else "") + _("All files (*)")
        path, _filter = QFileDialog.getOpenFileName(
            self, _("Attach a file to “{question}”").format(question=self.label_text()),
            "", filters)
        if path:
            self.attach(path)

    def attach(self, path: str | Path) -> None:
        if not self.read_only:
            self.file_chosen.emit(self.answer_key, str(path))

    def set_attachment(self, sha256: str | None, info: Mapping[str, Any] | None) -> None:
        self.sha256 = sha256
        self.info = info if sha256 else None
        self._show_info()

    def show_value(self, value: Any) -> None:
        if value != self.sha256:
            self.set_attachment(value if isinstance(value, str) else None, None)

    def stored_path(self) -> Path | None:
        if not self.sha256 or self.locate is None:
            return None
        path = self.locate(self.sha256)
        return path if path is not None and path.is_file() else None

    def _show_info(self) -> None:
        if not self.sha256:
            self.file_label.setText(_("No file attached. Choose one or drop it here."))
        elif self.info:
            self.file_label.setText(_("{name} ({size})").format(
                name=self.info.get("filename", ""), size=format_size(int(self.info.get("size", 0)))))
        else:
            self.file_label.setText(_("File {digest}…").format(digest=self.sha256[:12]))
        self.remove_button.setVisible(bool(self.sha256))
        path = self.stored_path()
        self.open_button.setVisible(path is not None)
        pixmap = QPixmap()
        media_type = str((self.info or {}).get("media_type", ""))
        if path is not None and (self.kind == "image" or media_type.startswith("image/")):
            pixmap.load(str(path))
        if pixmap.isNull():
            self.thumbnail.hide()
        else:
            self.thumbnail.setPixmap(pixmap.scaled(240, 160, Qt.AspectRatioMode.KeepAspectRatio,
                                                   Qt.TransformationMode.SmoothTransformation))
            self.thumbnail.show()

    def open_file(self) -> None:
        path = self.stored_path()
        if path is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt's name
        if not self.read_only and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()
            self._highlight(True)
        else:
            event.ignore()

    def _highlight(self, on: bool) -> None:
        """A dashed frame while a file is dragged over the question: "drop it here"."""
        self.setStyleSheet(
            f"QFrame#{self.objectName()} {{ border: 2px dashed #0b57d0; border-radius: 6px; }}"
            if on else "")

    def dragLeaveEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        self._highlight(False)
        super().dragLeaveEvent(event)

    def dragMoveEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        if not self.read_only and event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt's name
        self._highlight(False)
        files = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if self.read_only or not files:
            event.ignore()
            return
        event.acceptProposedAction()
        self.attach(files[0])

    def apply_read_only(self, read_only: bool) -> None:
        self.choose_button.setEnabled(not read_only)
        self.remove_button.setEnabled(not read_only)

    def input_widgets(self) -> list[QWidget]:
        return [self.choose_button, self.remove_button]

    def retranslate_input(self) -> None:
        texts = {"image": _("Choose image…"), "audio": _("Choose recording…"),
                 "video": _("Choose video…")}
        self.choose_button.setText(texts.get(self.kind, _("Choose file…")))
        label = self.label_text() or self.question.name
        self.choose_button.setAccessibleName(_("Choose a file for: {question}").format(
            question=label))
        self.remove_button.setText(_("Remove"))
        self.remove_button.setAccessibleName(_("Remove the file"))
        self.open_button.setText(_("Open"))
        self.open_button.setAccessibleName(_("Open the file"))
        self.thumbnail.setAccessibleName(_("Preview: {question}").format(question=label))
        self._show_info()


class AcknowledgeQuestion(QuestionWidget):
    """One check box that records "OK" (XLSForm ``acknowledge`` / ``trigger``)."""

    def build_input(self, layout: QVBoxLayout) -> None:
        self.box = QCheckBox(self)
        self.box.setObjectName("input")
        self.box.toggled.connect(lambda on: self.emit_value("OK" if on else None))
        layout.addWidget(self.box)

    def show_value(self, value: Any) -> None:
        self.box.setChecked(value == "OK")

    def input_widgets(self) -> list[QWidget]:
        return [self.box]

    def retranslate_input(self) -> None:
        self.box.setText(_("OK"))
        self.box.setAccessibleName(_("Acknowledge: {question}").format(
            question=self.label_text() or self.question.name))
