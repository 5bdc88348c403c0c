"""The form's languages: the form-language box, following the UI language until one is chosen,
and the title (city · survey) in that language.  Mixed into
:class:`~neascn_desktop.gui.surveys.form.SurveyForm`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QComboBox, QLabel

from neascn_desktop.errors import NeascnError
from neascn_desktop.i18n import LANGUAGES, _, current_language
from neascn_desktop.surveys import service

if TYPE_CHECKING:
    from neascn_desktop.gui.context import GuiContext
    from neascn_desktop.surveys.definition import SurveyDefinition


class FormLanguage:
    ctx: GuiContext
    definition: SurveyDefinition | None
    submission: service.Submission | None
    language: str
    follow_ui: bool
    language_combo: QComboBox
    title_label: QLabel

    def _apply_language(self) -> None:
        raise NotImplementedError

    def _fill_language_combo(self) -> None:
        assert self.definition is not None
        languages = self.definition.languages or (self.definition.default_language,)
        if self.follow_ui or self.language not in languages:
            ui = current_language()
            self.language = ui if ui in languages else self.definition.default_language
        self.language_combo.blockSignals(True)
        self.language_combo.clear()
        for code in languages:
            self.language_combo.addItem(LANGUAGES.get(code, code), code)
        self.language_combo.setCurrentIndex(max(0, self.language_combo.findData(self.language)))
        self.language_combo.blockSignals(False)

    def _language_chosen(self, index: int) -> None:
        code = self.language_combo.itemData(index)
        if code:
            self.set_form_language(str(code), follow_ui=code == current_language())

    def set_form_language(self, code: str, *, follow_ui: bool = False) -> None:
        """Show the form content (labels, hints, choices, messages) in ``code``."""
        self.follow_ui = follow_ui
        self.language = code
        index = self.language_combo.findData(code)
        if index >= 0 and self.language_combo.currentIndex() != index:
            self.language_combo.setCurrentIndex(index)
        self._apply_language()

    def _set_title(self) -> None:
        if self.definition is None or self.submission is None:
            self.title_label.setText("")
            return
        try:
            city = service.get_city(self.ctx.db, self.submission.city_id).name_in(self.language)
        except NeascnError:
            city = self.submission.city_id
        self.title_label.setText(_("{city} · {survey} ({version})").format(
            city=city, survey=self.definition.title_in(self.language),
            version=self.definition.version))

