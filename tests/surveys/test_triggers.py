"""The ``trigger`` column: a value set when another question changes, then kept (ODK's
``setvalue`` on ``xforms-value-changed``), at the top level and inside a repeat instance."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from neascn_desktop.identity.profile import Profile
from neascn_desktop.store import Database
from neascn_desktop.surveys import service
from neascn_desktop.surveys.installed import install_definition
from neascn_desktop.surveys.validation import AnswerError, evaluate_form, normalize_answer
from neascn_desktop.surveys.xlsform import import_xlsform
from tests.surveys.test_xlsform_tree import _workbook


@pytest.fixture()
def sid(tmp_path: Path, field_db: Database, field_profile: Profile) -> str:
    definition = import_xlsform(_workbook(tmp_path / "trigger.xlsx", [
        ["type", "name", "label", "trigger", "calculation"],
        ["text", "a", "A"], ["text", "other", "Other"],
        ["calculate", "seen", None, "${a}", "concat('seen ', ${a})"],
        ["calculate", "live", None, None, "concat('live ', ${a})"],
        ["text", "comment", "Comment", "${a}"],
        ["dateTime", "when", "When", "${a}", "now()"],
        ["begin_repeat", "visit", "Visit"], ["text", "who", "Who"],
        ["calculate", "who_seen", None, "${who}", "concat(${who}, '!')"], ["end_repeat"],
    ], settings=[["form_id", "version"], ["trigger", "1"]]))
    install_definition(field_db, field_profile, definition)
    return service.create_submission(field_db, field_profile, "seoul",
                                     form_id="trigger").submission.id


def test_a_triggered_value_is_set_when_its_trigger_changes_and_kept(
        sid: str, field_db: Database, field_profile: Profile) -> None:
    answers = service.set_answers(field_db, field_profile, sid, {"a": "x"}).submission.answers
    assert answers["seen"] == "seen x"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}.*", answers["when"])  # now(), when a changed
    answers = service.set_answers(field_db, field_profile, sid,
                                  {"comment": "typed", "other": "o"}).submission.answers
    assert answers["seen"] == "seen x" and answers["comment"] == "typed"  # not recalculated
    answers = service.set_answers(field_db, field_profile, sid, {"a": "y"}).submission.answers
    assert answers["seen"] == "seen y"
    assert "comment" not in answers  # no calculation: cleared when its trigger changes
    submission = service.get_submission(field_db, sid)
    definition = service.definition_for(field_db, submission)
    state = evaluate_form(definition, submission.answers)
    assert state.values["seen"] == "seen y" and state.values["live"] == "live y"


def test_a_trigger_inside_a_repeat_sets_its_own_instance(
        sid: str, field_db: Database, field_profile: Profile) -> None:
    answers = service.set_answers(field_db, field_profile, sid, [
        ("visit[+]/who", "Mayor"), ("visit[+]/who", "Clerk")]).submission.answers
    assert [v["who_seen"] for v in answers["visit"]] == ["Mayor!", "Clerk!"]
    answers = service.set_answers(field_db, field_profile, sid,
                                  {"visit[1]/who": "Deputy"}).submission.answers
    assert [v["who_seen"] for v in answers["visit"]] == ["Deputy!", "Clerk!"]


def test_a_triggered_calculation_travels_as_an_answer(
        sid: str, field_db: Database, field_profile: Profile) -> None:
    from neascn_desktop.sync import record_schema

    service.set_answers(field_db, field_profile, sid, {"a": "x"})
    final = service.finalize(field_db, field_profile, sid).submission
    definition = service.definition_for(field_db, final)
    record_schema.check_answers(dict(final.answers), definition)
    assert normalize_answer(definition, "seen", 3) == 3
    with pytest.raises(AnswerError):
        normalize_answer(definition, "seen", ["x"])
    with pytest.raises(AnswerError, match="takes no answer"):
        normalize_answer(definition, "live", "x")  # an ordinary calculation is never stored


def test_a_question_with_a_calculation_holds_its_value(tmp_path: Path) -> None:
    """A read-only total (any type with a calculation, no trigger) is recalculated like a
    ``calculate``, at the top level and inside an instance."""
    from neascn_desktop.surveys.repeat_state import evaluate_tree

    definition = import_xlsform(_workbook(tmp_path / "totals.xlsx", [
        ["type", "name", "label", "calculation", "read_only"],
        ["decimal", "a", "A"], ["decimal", "b", "B"],
        ["decimal", "total", "Total", "${a} + ${b}", "yes"],
        ["begin_repeat", "item", "Item"], ["integer", "n", "N"],
        ["integer", "twice", "Twice", "../n * 2", "yes"], ["end_repeat"],
    ]))
    assert definition.question("total").is_calculated
    state = evaluate_form(definition, {"a": 1.5, "b": 2})
    assert state.values["total"] == 3.5
    tree = evaluate_tree(definition, {"item": [{"@id": "0f8e1c3a-6b7d-4c55-9a43-2b1d07d2a0c1",
                                                "n": 4}]})
    assert tree.values["item[@id=0f8e1c3a-6b7d-4c55-9a43-2b1d07d2a0c1]/twice"] == 8


def test_calculated_answers_are_stored_when_finalized_and_exported(
        tmp_path: Path, field_db: Database, field_profile: Profile) -> None:
    """As ODK Collect saves them in the submission: the totals travel and fill their export
    columns (``calculate`` questions are recalculated, not stored)."""
    import csv
    import io
    import zipfile

    from neascn_desktop.reports.data_export import export_responses

    definition = import_xlsform(_workbook(tmp_path / "totals.xlsx", [
        ["type", "name", "label", "calculation", "read_only", "relevant"],
        ["decimal", "a", "A"], ["decimal", "b", "B"],
        ["decimal", "total", "Total", "${a} + ${b}", "yes"],
        ["begin_repeat", "item", "Item"], ["integer", "n", "N"],
        ["integer", "twice", "Twice", "../n * 2", "yes"],
        ["integer", "big", "Big", "../n * 100", "yes", "../n > 3"], ["end_repeat"],
    ], settings=[["form_id", "version"], ["totals", "1"]]))
    install_definition(field_db, field_profile, definition)
    sid = service.create_submission(field_db, field_profile, "seoul", form_id="totals").submission.id
    service.set_answers(field_db, field_profile, sid, [
        ("a", "1.5"), ("b", "2"), ("item[+]/n", "4"), ("item[+]/n", "1"),
        ("item[1]/big", "7"), ("total", "99")])  # typed over: the calculation replaces them
    final = service.finalize(field_db, field_profile, sid).submission
    assert final.answers["total"] == 3.5
    assert [(i.get("twice"), i.get("big")) for i in final.answers["item"]] == [(8, 400),
                                                                               (2, None)]
    from neascn_desktop.sync import record_schema

    record_schema.check_answers(dict(final.answers), definition)
    export_responses(field_db, tmp_path / "central.zip", "csv", form_id="totals", layout="central")
    with zipfile.ZipFile(tmp_path / "central.zip") as archive:
        main = next(n for n in archive.namelist() if "item" not in n)
        row = next(csv.DictReader(io.StringIO(archive.read(main).decode("utf-8-sig"))))
    assert row["total"] == "3.5"


def test_a_stale_calculated_answer_where_none_is_calculated_goes(tmp_path: Path) -> None:
    from neascn_desktop.surveys.repeat_state import evaluate_tree
    from neascn_desktop.surveys.triggers import with_calculated_inputs

    definition = import_xlsform(_workbook(tmp_path / "stale.xlsx", [
        ["type", "name", "label", "calculation", "relevant"],
        ["begin_repeat", "item", "Item"], ["integer", "n", "N"],
        ["integer", "big", "Big", "../n * 100", "../n > 3"], ["end_repeat"],
    ]))
    iid = "0f8e1c3a-6b7d-4c55-9a43-2b1d07d2a0c1"
    answers = {"item": [{"@id": iid, "n": 1, "big": 7}]}
    stored = with_calculated_inputs(definition, answers, evaluate_tree(definition, answers))
    assert stored == {"item": [{"@id": iid, "n": 1}]}
    answers = {"item": [{"@id": iid, "n": 5, "big": 7}]}
    stored = with_calculated_inputs(definition, answers, evaluate_tree(definition, answers))
    assert stored == {"item": [{"@id": iid, "n": 5, "big": 500}]}
