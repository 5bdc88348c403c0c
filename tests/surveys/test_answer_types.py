"""Answers to the XLSForm types beyond the built-in survey's: checked per type."""

from __future__ import annotations

import pytest

from neascn_desktop.surveys.definition import TREE_FORMAT, SurveyDefinition, definition_from_dict
from neascn_desktop.surveys.validation import AnswerError, coerce_answer, normalize_answer


@pytest.fixture(scope="module")
def form() -> SurveyDefinition:
    def q(kind: str, name: str, **more: object) -> dict:
        return {"type": kind, "name": name, "label": name, **more}

    return definition_from_dict({
        "form_id": "types", "version": "1", "title": "Types", "format": TREE_FORMAT,
        "choice_lists": {"p": [{"name": "water", "label": "Water"},
                               {"name": "roads", "label": "Roads"}],
                         "trees.csv": []},
        "children": [
            q("range", "rating", extra={"parameters": "start=1 end=5 step=1"}),
            q("time", "at"), q("datetime", "stamp"), q("geopoint", "where"),
            q("geotrace", "route"), q("geoshape", "plot"), q("rank", "order", choices="p"),
            q("acknowledge", "ok"), q("barcode", "code"),
            q("select_one", "tree", choices="trees.csv",
              extra={"xlsform_type": "select_one_from_file"}),
        ],
    })


@pytest.mark.parametrize(("name", "value", "stored"), [
    ("rating", 3, 3), ("rating", 4.5, 4.5),
    ("at", "09:30", "09:30"), ("at", "23:59:59.123+09:00", "23:59:59.123+09:00"),
    ("stamp", "2026-12-04T17:30:00+08:00", "2026-12-04T17:30:00+08:00"),
    ("where", "47.92 106.91 1350 5", "47.92 106.91 1350 5"),
    ("route", "47.9 106.9;47.91 106.92", "47.9 106.9; 47.91 106.92"),
    ("plot", "1 1; 1 2; 2 2; 1 1;", "1 1; 1 2; 2 2; 1 1"),
    ("order", ["roads", "water"], ["roads", "water"]),
    ("ok", "OK", "OK"), ("code", "4006381333931", "4006381333931"),
    ("tree", "baobab", "baobab"),  # a list from a file that did not come with the form
])
def test_good_answers_are_stored(form: SurveyDefinition, name: str, value: object, stored: object) -> None:
    assert normalize_answer(form, name, value) == stored


@pytest.mark.parametrize(("name", "value", "fragment"), [
    ("rating", 6, "from 1 to 5"), ("rating", "3", "from 1 to 5"),
    ("at", "25:00", "HH:MM"), ("stamp", "yesterday", "YYYY-MM-DDTHH:MM"),
    ("where", "91 10", "latitude longitude"), ("where", "1 2; 3 4", "latitude longitude"),
    ("where", "1 2 3 -4", "latitude longitude"), ("route", "1 2", "latitude longitude"),
    ("plot", "1 1; 2 2", "latitude longitude"), ("where", "north east", "latitude longitude"),
    ("order", ["water", "water"], "“water” is not a choice"), ("order", ["air"], "“air”"),
    ("ok", "yes", "use one of: OK"),
])
def test_bad_answers_are_refused_in_one_sentence(form: SurveyDefinition, name: str, value: object,
                                                 fragment: str) -> None:
    with pytest.raises(AnswerError, match=fragment) as info:
        normalize_answer(form, name, value)
    assert "\n" not in str(info.value)


def test_typed_text_is_coerced(form: SurveyDefinition) -> None:
    assert coerce_answer(form, "rating", "2") == 2
    assert coerce_answer(form, "order", "Roads water") == ["roads", "water"]
    assert coerce_answer(form, "where", " 47.9  106.9 ") == "47.9 106.9"
