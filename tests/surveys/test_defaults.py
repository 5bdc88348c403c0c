"""XLSForm ``default`` values: put in when a response or a repeat instance is created (ODK's
odk-instance-first-load / odk-new-repeat), never again after the person clears them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from openpyxl import Workbook

from neascn_desktop.identity.profile import Profile
from neascn_desktop.store import Database
from neascn_desktop.surveys import entry, service
from neascn_desktop.surveys.defaults import is_dynamic
from neascn_desktop.surveys.installed import import_xlsform_file

from .conftest import install_test_data

DEFAULTS_ID = "defaults_form"
#: type, name, label, default
DEFAULTS_SURVEY = [
    ("text", "village", "Village", "Sainshand"),
    ("integer", "households", "Households", "12"),
    ("decimal", "budget", "Budget", "-2.5"),
    ("select_one colours", "colour", "Colour", "green"),
    ("select_multiple colours", "colours", "Colours", "blue green"),
    ("date", "visit_day", "Visit day", "2026-01-15"),
    ("date", "today_day", "Today", "today()"),
    ("integer", "double", "Twice the households", "${households} * 2"),
    ("geopoint", "spot", "Spot", "47.9 106.9 0 5"),
    ("integer", "broken", "A default the question cannot hold", "many"),
    ("text", "plain", "No default", None),
    ("begin_repeat", "visits", "Visit", None),
    ("text", "place", "Place", "${village}"),
    ("integer", "people", "People", "3"),
    ("end_repeat", "visits", None, None),
]


def write_defaults_form(path: Path) -> Path:
    wb = Workbook()
    survey = wb.active
    survey.title = "survey"
    survey.append(["type", "name", "label", "default"])
    for row in DEFAULTS_SURVEY:
        survey.append(list(row))
    choices = wb.create_sheet("choices")
    choices.append(["list_name", "name", "label"])
    choices.append(["colours", "blue", "Blue"])
    choices.append(["colours", "green", "Green"])
    settings = wb.create_sheet("settings")
    settings.append(["form_id", "version", "form_title"])
    settings.append([DEFAULTS_ID, "1", "Defaults"])
    wb.save(path)
    return path


def _install(db: Database, profile: Profile, tmp_path: Path) -> None:
    install_test_data(db)
    import_xlsform_file(db, profile, write_defaults_form(tmp_path / "defaults.xlsx"))


def test_a_new_response_starts_with_the_defaults(db: Database, field_profile: Profile,
                                                 tmp_path: Path) -> None:
    _install(db, field_profile, tmp_path)
    submission = service.create_submission(db, field_profile, "seoul",
                                           form_id=DEFAULTS_ID).submission
    answers = submission.answers
    assert answers["village"] == "Sainshand"
    assert answers["households"] == 12
    assert answers["budget"] == -2.5
    assert answers["colour"] == "green"
    assert answers["colours"] == ["blue", "green"]
    assert answers["visit_day"] == "2026-01-15"
    assert answers["today_day"] == date.today().isoformat()
    assert answers["double"] == 24  # a dynamic default sees the earlier one
    assert str(answers["spot"]).startswith("47.9 106.9")
    assert "broken" not in answers and "plain" not in answers
    assert "visits" not in answers  # no instance until one is added
    # The first revision holds them: the response was created with them.
    again = service.get_submission(db, submission.id)
    assert again.answers == answers


def test_a_cleared_default_stays_cleared(db: Database, field_profile: Profile,
                                         tmp_path: Path) -> None:
    _install(db, field_profile, tmp_path)
    sid = service.create_submission(db, field_profile, "seoul", form_id=DEFAULTS_ID).submission.id
    service.autosave(db, sid, {"village": None, "households": None})
    service.save_point(db, field_profile, sid)
    entry.add_instance(db, sid, "visits")
    answers = service.get_submission(db, sid).answers
    assert "village" not in answers and "households" not in answers
    assert answers["double"] == 24  # set at creation, not recalculated


def test_a_new_repeat_instance_starts_with_its_defaults(db: Database, field_profile: Profile,
                                                        tmp_path: Path) -> None:
    _install(db, field_profile, tmp_path)
    sid = service.create_submission(db, field_profile, "seoul", form_id=DEFAULTS_ID).submission.id
    service.autosave(db, sid, {"village": "Zamyn-Üüd"})
    first = entry.add_instance(db, sid, "visits")
    instance = service.get_submission(db, sid).answers["visits"][0]
    assert instance == {"@id": first.instance_id, "place": "Zamyn-Üüd", "people": 3}
    # Cleared in the instance: it stays cleared; the next instance gets the defaults again.
    entry.set_instance_answer(db, sid, "visits[1]/people", None)
    entry.add_instance(db, sid, "visits", values={"place": "Darkhan"})
    visits = service.get_submission(db, sid).answers["visits"]
    assert "people" not in visits[0]
    assert visits[1]["place"] == "Darkhan" and visits[1]["people"] == 3  # given values win
    # An instance made on the way by a path (``[+]``) gets them too.
    service.set_answers(db, field_profile, sid, {"visits[+]/place": "Erdenet"})
    assert service.get_submission(db, sid).answers["visits"][2]["people"] == 3


def test_static_and_dynamic_defaults_are_told_apart() -> None:
    assert not is_dynamic("2026-01-15", "date")
    assert not is_dynamic("-33.9 18.4 0 0", "geopoint")
    assert not is_dynamic("blue green", "select_multiple")
    assert not is_dynamic("well-known", "text")
    assert is_dynamic("today()", "date")
    assert is_dynamic("${a} - 1", "integer")
    assert is_dynamic("${village}", "text")


def test_defaults_the_engine_cannot_use_leave_the_question_empty(db: Database, field_profile: Profile,
                                                                  tmp_path: Path) -> None:
    """A form is read from outside: a default that refers to nothing, to itself, divides by
    zero, does not parse or is far too long starts the question empty, never fails the start."""
    wb = Workbook()
    survey = wb.active
    survey.title = "survey"
    survey.append(["type", "name", "label", "default"])
    for row in (("integer", "self_ref", "Itself", "${self_ref} + 1"),
                ("decimal", "zero", "Zero", "1 div 0"),
                ("text", "unparsable", "Broken", "concat(('"),
                ("text", "huge", "Huge", "x" * 30_000),
                ("date", "not_a_date", "Date", "2026-13-45"),
                ("select_one colours", "no_choice", "Colour", "purple"),
                ("text", "fine", "Fine", "ok")):
        survey.append(list(row))
    choices = wb.create_sheet("choices")
    choices.append(["list_name", "name", "label"])
    choices.append(["colours", "blue", "Blue"])
    settings = wb.create_sheet("settings")
    settings.append(["form_id", "version", "form_title"])
    settings.append(["hostile_defaults", "1", "Hostile defaults"])
    path = tmp_path / "hostile.xlsx"
    wb.save(path)
    install_test_data(db)
    import_xlsform_file(db, field_profile, path)
    answers = service.create_submission(db, field_profile, "seoul",
                                        form_id="hostile_defaults").submission.answers
    assert answers == {"fine": "ok"}
