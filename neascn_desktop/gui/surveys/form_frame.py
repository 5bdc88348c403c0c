"""The frame of the data-entry form: title, language, progress, banner, page list, buttons.

Only layout and static texts; :class:`~neascn_desktop.gui.surveys.form.SurveyForm`
adds the behaviour (the slots wired here are its methods).
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QStyle,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from neascn_desktop.gui.surveys.problem_banner import ProblemBanner
from neascn_desktop.gui.surveys.question_list import QuestionList
from neascn_desktop.i18n import _


class FormFrame(QWidget):
    """The widgets around the question pages (built by ``_build``)."""

    def _build(self) -> None:
        top = QHBoxLayout()
        self.back_button = QPushButton(self)
        self.back_button.setObjectName("backButton")
        self.back_button.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_ArrowBack))
        self.title_label = QLabel(self)
        self.title_label.setObjectName("formTitle")
        font = self.title_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title_label.setFont(font)
        self.title_label.setWordWrap(True)
        self.language_label = QLabel(self)
        self.language_combo = QComboBox(self)
        self.language_combo.setObjectName("languageCombo")
        self.language_label.setBuddy(self.language_combo)
        top.addWidget(self.back_button)
        top.addWidget(self.title_label, 1)
        top.addWidget(self.language_label)
        top.addWidget(self.language_combo)

        progress_row = QHBoxLayout()
        self.progress_bar = QProgressBar(self)
        self.progress_bar.setObjectName("progressBar")
        self.progress_bar.setTextVisible(True)
        self.progress_bar.setMaximumWidth(260)
        self.progress_label = QLabel(self)
        self.progress_label.setObjectName("progressLabel")
        self.saved_label = QLabel(self)
        self.saved_label.setObjectName("savedLabel")
        self.saved_label.setStyleSheet("color: #5f6368;")
        progress_row.addWidget(self.progress_bar)
        progress_row.addWidget(self.progress_label, 1)
        progress_row.addWidget(self.saved_label)

        self.banner = ProblemBanner(self)

        self.section_list = QListWidget(self)
        self.section_list.setObjectName("sectionList")
        self.section_list.setWordWrap(True)
        self.section_list.setMinimumWidth(200)
        self.section_list.setIconSize(QSize(16, 16))
        self.stack = QStackedWidget(self)
        self.stack.setObjectName("sectionStack")
        self.question_list = QuestionList(self)
        self.navigator = QTabWidget(self)
        self.navigator.setObjectName("navigator")
        self.navigator.addTab(self.section_list, "")
        self.navigator.addTab(self.question_list, "")
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self.navigator)
        splitter.addWidget(self.stack)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([260, 740])

        bottom = QHBoxLayout()
        self.previous_button = QPushButton(self)
        self.previous_button.setObjectName("previousButton")
        self.next_button = QPushButton(self)
        self.next_button.setObjectName("nextButton")
        self.save_button = QPushButton(self)
        self.save_button.setObjectName("saveButton")
        self.finalize_button = QPushButton(self)
        self.finalize_button.setObjectName("finalizeButton")
        self.reopen_button = QPushButton(self)
        self.reopen_button.setObjectName("reopenButton")
        self.export_button = QPushButton(self)
        self.export_button.setObjectName("exportButton")
        for button in (self.previous_button, self.next_button, self.save_button,
                       self.finalize_button, self.reopen_button, self.export_button,
                       self.back_button):
            button.setAutoDefault(False)
        bottom.addWidget(self.previous_button)
        bottom.addWidget(self.next_button)
        bottom.addStretch(1)
        bottom.addWidget(self.save_button)
        bottom.addWidget(self.finalize_button)
        bottom.addWidget(self.reopen_button)
        bottom.addWidget(self.export_button)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(progress_row)
        layout.addWidget(self.banner)
        layout.addWidget(splitter, 1)
        layout.addLayout(bottom)



    def retranslate_chrome(self) -> None:
        self.back_button.setText(_("Cities"))
        self.back_button.setToolTip(_("Save and go back to the list of cities"))
        self.language_label.setText(_("Form &language:"))
        self.language_combo.setToolTip(_("The language of the questions and answers shown"))
        self.previous_button.setText(_("Previous section"))
        self.previous_button.setToolTip(_("Page Up"))
        self.next_button.setText(_("Next section"))
        self.next_button.setToolTip(_("Page Down"))
        self.save_button.setText(_("Save"))
        self.save_button.setToolTip(_(
            "Answers are kept as you type; Save (Ctrl+S) also records a revision"))
        self.finalize_button.setText(_("Finalize"))
        self.finalize_button.setToolTip(_("Check every answer and lock the survey"))
        self.reopen_button.setText(_("Reopen"))
        self.reopen_button.setToolTip(_("Unlock the finalized survey to change answers"))
        self.section_list.setAccessibleName(_("Sections"))
        self.navigator.setTabText(0, _("Sections"))
        self.navigator.setTabText(1, _("Questions"))
        self.navigator.setTabToolTip(1, _("Every question with its state (Ctrl+G)"))
        self.question_list.retranslateUi()
        self.export_button.setText(_("Export for the secretariat…"))
        self.export_button.setToolTip(_("Save the finalized responses as a package file to "
                                        "hand to the secretariat"))
        self.back_button.setAccessibleName(_("Cities"))
        self.language_combo.setAccessibleName(_("Form language"))
        self.progress_bar.setAccessibleName(_("Progress"))
