"""A nested group on a page: its label as a sub-heading, its questions indented under it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from neascn_desktop.surveys.definition import Group, SurveyDefinition, pick_label


class GroupBlock(QFrame):
    """Shown while the group is relevant; ``body`` holds its questions and further groups."""

    def __init__(self, group: Group, definition: SurveyDefinition,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.group = group
        self.definition = definition
        self.setObjectName(f"group_{(group.path or group.name).replace('/', '_')}")
        self.setStyleSheet(f"QFrame#{self.objectName()} {{ border-left: 3px solid #c5d2de; }}")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 4, 0, 4)
        layout.setSpacing(2)
        self.heading = QLabel(self)
        self.heading.setObjectName("groupHeading")
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.heading.setWordWrap(True)
        font = self.heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self.heading.setFont(font)
        self.hint = QLabel(self)
        self.hint.setWordWrap(True)
        self.hint.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.heading)
        layout.addWidget(self.hint)
        self.body = QVBoxLayout()
        self.body.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.body)
        self.set_language(definition.default_language)

    def set_language(self, language: str) -> None:
        fallback = self.definition.default_language
        label = self.group.label_in(language, fallback)
        self.heading.setText(label)
        self.heading.setVisible(bool(pick_label(self.group.label, language, fallback)))
        hint = pick_label(self.group.hint, language, fallback)
        self.hint.setText(hint)
        self.hint.setVisible(bool(hint))
        self.setAccessibleName(label)
