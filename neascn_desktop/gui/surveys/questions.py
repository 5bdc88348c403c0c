"""Which widget shows which question type: the registry the form builds its pages from.

The widgets live by family: :mod:`question_base` (the shared frame, notes),
:mod:`text_widgets` (text, numbers, barcode, calculate), :mod:`time_widgets`
(date, time, dateTime), :mod:`choice_widgets` (selects, long lists with
search), :mod:`rank_widget`, :mod:`range_widget`, :mod:`geo_widgets`
(geopoint, geotrace, geoshape) and :mod:`media_widgets` (files, acknowledge).
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from neascn_desktop.gui.surveys.choice_widgets import (
    ChoiceQuestion,
    ListChoiceQuestion,
    wants_list,
)
from neascn_desktop.gui.surveys.geo_widgets import GeoQuestion
from neascn_desktop.gui.surveys.media_widgets import AcknowledgeQuestion, AttachmentQuestion
from neascn_desktop.gui.surveys.question_base import (
    ERROR_COLOR,
    HINT_COLOR,
    NoteQuestion,
    QuestionWidget,
    format_size,
)
from neascn_desktop.gui.surveys.range_widget import RangeQuestion
from neascn_desktop.gui.surveys.rank_widget import RankQuestion
from neascn_desktop.gui.surveys.text_widgets import (
    BarcodeQuestion,
    CalculateQuestion,
    NumberQuestion,
    TextQuestion,
)
from neascn_desktop.gui.surveys.time_widgets import DateQuestion, DateTimeQuestion, TimeQuestion
from neascn_desktop.surveys.definition import Question, SurveyDefinition

_TYPES: dict[str, type[QuestionWidget]] = {
    "text": TextQuestion,
    "integer": NumberQuestion,
    "decimal": NumberQuestion,
    "date": DateQuestion,
    "time": TimeQuestion,
    "datetime": DateTimeQuestion,
    "select_one": ChoiceQuestion,
    "select_multiple": ChoiceQuestion,
    "yes_no": ChoiceQuestion,
    "scale": ChoiceQuestion,
    "rank": RankQuestion,
    "range": RangeQuestion,
    "note": NoteQuestion,
    "calculate": CalculateQuestion,
    "attachment": AttachmentQuestion,
    "acknowledge": AcknowledgeQuestion,
    "barcode": BarcodeQuestion,
    "geopoint": GeoQuestion,
    "geotrace": GeoQuestion,
    "geoshape": GeoQuestion,
}


def widget_class(question: Question, definition: SurveyDefinition) -> type[QuestionWidget]:
    """The widget class for a question (unknown types get a plain text field)."""
    if question.type in ("select_one", "select_multiple") and wants_list(
            question.extra.get("appearance", ""), len(definition.choices_for(question))):
        return ListChoiceQuestion
    return _TYPES.get(question.type, TextQuestion)


def question_widget(question: Question, definition: SurveyDefinition,
                    parent: QWidget | None = None) -> QuestionWidget:
    """The widget for a question's type."""
    return widget_class(question, definition)(question, definition, parent)


__all__ = [
    "ERROR_COLOR", "HINT_COLOR", "AcknowledgeQuestion", "AttachmentQuestion", "BarcodeQuestion",
    "CalculateQuestion", "ChoiceQuestion", "DateQuestion", "DateTimeQuestion", "GeoQuestion",
    "ListChoiceQuestion", "NoteQuestion", "NumberQuestion", "QuestionWidget", "RangeQuestion",
    "RankQuestion", "TextQuestion", "TimeQuestion", "format_size", "question_widget",
    "widget_class",
]
