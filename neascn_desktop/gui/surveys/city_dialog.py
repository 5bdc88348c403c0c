"""Add or edit a city: names in the six languages, country, population, coordinates.

Cities are entities in the revision log; the dialog saves through
``surveys.service.save_city`` and shows its one-sentence error inline.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QRegularExpression
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLineEdit, QWidget

from neascn_desktop.changes import Changes
from neascn_desktop.errors import NeascnError
from neascn_desktop.gui.context import GuiContext
from neascn_desktop.gui.forms import load_form
from neascn_desktop.i18n import _
from neascn_desktop.surveys import service

#: Language code -> object name of its name field in ``ui/survey_city_dialog.ui``.
NAME_FIELDS = {
    "en": "nameEnEdit", "ko": "nameKoEdit", "zh_Hans": "nameZhEdit",
    "ja": "nameJaEdit", "ru": "nameRuEdit", "mn": "nameMnEdit",
}


class SurveyCityDialog(QDialog):
    """``SurveyCityDialog(ctx, city=None)``: a new city, or the given one to edit."""

    def __init__(self, ctx: GuiContext, city: service.City | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.city = city
        self.saved_city: service.City | None = None
        self.changes = Changes()
        self.form = load_form("survey_city_dialog.ui", self)
        self.names: dict[str, QLineEdit] = {
            code: getattr(self.form, name) for code, name in NAME_FIELDS.items()}
        self.form.countryCombo.addItems(list(service.COUNTRIES))
        self.form.countryCombo.setCurrentText("")
        number = r"[+-]?\d{0,3}([.,]\d{0,7})?"
        self.form.populationEdit.setValidator(
            QRegularExpressionValidator(QRegularExpression(r"\d{0,11}"), self))
        for edit in (self.form.latitudeEdit, self.form.longitudeEdit):
            edit.setValidator(QRegularExpressionValidator(QRegularExpression(number), self))
        self.form.buttonBox.accepted.connect(self.accept)
        self.form.buttonBox.rejected.connect(self.reject)
        self.form.errorLabel.hide()
        if city is not None:
            for code, edit in self.names.items():
                edit.setText(city.name.get(code, ""))
            self.form.countryCombo.setCurrentText(city.country)
            self.form.populationEdit.setText("" if city.population is None else str(city.population))
            self.form.latitudeEdit.setText("" if city.latitude is None else f"{city.latitude:g}")
            self.form.longitudeEdit.setText("" if city.longitude is None else f"{city.longitude:g}")
            self.form.sourceEdit.setText(city.source)
            self.form.sourceEdit.setCursorPosition(0)
        self.setMinimumWidth(520)
        self.retranslate()

    def retranslate(self) -> None:
        self.form.retranslate()
        self.setWindowTitle(_("Add a city") if self.city is None else _("Edit city"))
        save = self.form.buttonBox.button(QDialogButtonBox.StandardButton.Save)
        if save is not None:
            save.setText(_("Save"))
        cancel = self.form.buttonBox.button(QDialogButtonBox.StandardButton.Cancel)
        if cancel is not None:
            cancel.setText(_("Cancel"))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    @staticmethod
    def _number(edit: QLineEdit) -> float | None:
        text = edit.text().strip().replace(",", ".")
        try:
            return float(text) if text else None
        except ValueError:
            return None

    def accept(self) -> None:
        population_text = self.form.populationEdit.text().strip()
        emptied = [field for field, edit in (("population", self.form.populationEdit),
                                             ("latitude", self.form.latitudeEdit),
                                             ("longitude", self.form.longitudeEdit))
                   if not edit.text().strip()]
        try:
            city, changes = service.save_city(
                self.ctx.db, self.ctx.profile,
                city_id=self.city.id if self.city else None,
                name={code: edit.text() for code, edit in self.names.items()},
                country=self.form.countryCombo.currentText(),
                population=int(population_text) if population_text else None,
                latitude=self._number(self.form.latitudeEdit),
                longitude=self._number(self.form.longitudeEdit),
                source=self.form.sourceEdit.text().strip(),
                clear=emptied,
            )
        except NeascnError as exc:
            self.form.errorLabel.setText(str(exc))
            self.form.errorLabel.show()
            return
        self.saved_city = city
        self.changes = changes
        self.ctx.publish(changes)
        super().accept()
