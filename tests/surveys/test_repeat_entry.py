"""Answers inside repeats on a real database: the entry API, set_answers with paths, finalize
messages in words, count rules, and two devices adding instances to one repeat."""

from __future__ import annotations

import pytest

from neascn_desktop import replica
from neascn_desktop.identity.profile import Profile
from neascn_desktop.store import Database
from neascn_desktop.surveys import entry, service
from neascn_desktop.surveys.answer_tree import PathError, is_instance_id
from neascn_desktop.surveys.validation import AnswerError

from .conftest import CITIES, MINI
from .test_answer_tree import PIPELINE


@pytest.fixture
def pipeline_db(db: Database, field_profile: Profile) -> Database:
    service.ensure_builtin(db, [MINI, PIPELINE], CITIES)
    return db


def _new(db: Database, profile: Profile) -> str:
    return service.create_submission(db, profile, "seoul", form_id="pipeline").submission.id


def _projects(db: Database, submission_id: str) -> list[dict]:
    return list(service.get_submission(db, submission_id).answers.get("projects", []))


def test_add_set_move_remove_instances(pipeline_db: Database, field_profile: Profile) -> None:
    sid = _new(pipeline_db, field_profile)
    first = entry.add_instance(pipeline_db, sid, "projects", values={"name": "BRT", "sector": "transport"})
    assert is_instance_id(first.instance_id)
    second = entry.add_instance(pipeline_db, sid, "projects")
    entry.set_instance_answer(pipeline_db, sid, "projects[2]/name", "Heating")
    entry.set_instance_answer(pipeline_db, sid, f"projects[@id={second.instance_id}]/sector", "energy")
    partner = entry.add_instance(pipeline_db, sid, "projects[1]/partners", values={"partner_name": "ADB"})
    assert _projects(pipeline_db, sid) == [
        {"@id": first.instance_id, "name": "BRT", "sector": "transport",
         "partners": [{"@id": partner.instance_id, "partner_name": "ADB"}]},
        {"@id": second.instance_id, "name": "Heating", "sector": "energy"}]
    result = entry.move_instance(pipeline_db, sid, "projects[2]", 1)
    assert [p["@id"] for p in result.submission.answers["projects"]] == [
        second.instance_id, first.instance_id]
    assert result.submission.unsaved and result.changes.touches("response")
    entry.set_instance_answer(pipeline_db, sid, "projects[-1]/name", None)  # clears
    assert "name" not in _projects(pipeline_db, sid)[-1]
    entry.remove_instance(pipeline_db, sid, f"projects[@id={first.instance_id}]")
    assert [p["@id"] for p in _projects(pipeline_db, sid)] == [second.instance_id]
    # A save point cuts one revision holding the tree.
    service.save_point(pipeline_db, field_profile, sid)
    state = replica.current(pipeline_db, service.SUBMISSION, sid)
    assert state.payload["answers"]["projects"][0]["@id"] == second.instance_id


def test_values_and_paths_are_checked(pipeline_db: Database, field_profile: Profile) -> None:
    sid = _new(pipeline_db, field_profile)
    entry.add_instance(pipeline_db, sid, "projects")
    with pytest.raises(AnswerError, match="not a choice of sector"):
        entry.set_instance_answer(pipeline_db, sid, "projects[1]/sector", "rockets")
    with pytest.raises(PathError, match="projects has 1 instance; there is no instance 2"):
        entry.set_instance_answer(pipeline_db, sid, "projects[2]/name", "x")
    with pytest.raises(PathError, match="is not a repeat"):
        entry.add_instance(pipeline_db, sid, "city_name")
    with pytest.raises(PathError, match="does not name one instance"):
        entry.remove_instance(pipeline_db, sid, "projects")
    with pytest.raises(PathError, match="names a repeat or one of its instances, not a question"):
        entry.set_instance_answer(pipeline_db, sid, "projects[1]", "x")


def test_finalize_names_a_missing_answer_inside_an_instance_in_words(
        pipeline_db: Database, field_profile: Profile) -> None:
    sid = _new(pipeline_db, field_profile)
    service.set_answers(pipeline_db, field_profile, sid, [
        ("city_name", "Seoul"), ("projects[+]/name", "BRT"), ("projects[-1]/sector", "transport"),
        ("projects[+]/name", "Heating")])
    with pytest.raises(service.FinalizeError) as info:
        service.finalize(pipeline_db, field_profile, sid)
    message = str(info.value)
    # The old bug: "has no question named projects[@id=…]/…". The place is told in words.
    assert "has no question named" not in message and "@id" not in message
    assert "“Project 2 › Sector”: This question requires an answer." in message
    assert info.value.issues[0].question.startswith("projects[@id=")
    # In the person's language, with the form's labels in it.
    with pytest.raises(service.FinalizeError) as korean:
        service.finalize(pipeline_db, field_profile, sid, language="ko")
    assert "Project (ko) 2 › Sector (ko)" in str(korean.value)


def test_nested_instances_are_checked_and_named(pipeline_db: Database, field_profile: Profile) -> None:
    sid = _new(pipeline_db, field_profile)
    entry.add_instance(pipeline_db, sid, "projects", values={"name": "BRT", "sector": "transport"})
    entry.add_instance(pipeline_db, sid, "projects[1]/partners", values={"partner_name": "ADB"})
    result = entry.add_instance(pipeline_db, sid, "projects[1]/partners", values={"share": 120})
    words = {(i.where, i.kind) for i in result.state.issues}
    assert ("Project 1 › Partner 2 › Partner name", "required") in words
    assert ("Project 1 › Partner 2 › Share (%)", "constraint") in words
    pid = result.submission.answers["projects"][0]["@id"]
    assert result.state.issues_at(f"projects[@id={pid}]")  # everything inside the instance


def test_relevance_inside_an_instance(pipeline_db: Database, field_profile: Profile) -> None:
    sid = _new(pipeline_db, field_profile)
    service.set_answers(pipeline_db, field_profile, sid, {"projects[+]/stage": "idea"})
    with pytest.raises(AnswerError, match="not asked with the other answers"):
        service.set_answers(pipeline_db, field_profile, sid, {"projects[1]/budget": "5"})
    service.set_answers(pipeline_db, field_profile, sid, {
        "projects[1]/stage": "feasibility", "projects[1]/budget": "5"})
    with pytest.raises(AnswerError, match="projects\\[1\\]/budget"):
        service.set_answers(pipeline_db, field_profile, sid, {"projects[1]/budget": "-5"})
    assert _projects(pipeline_db, sid)[0]["budget"] == 5.0


def test_count_rules_at_finalize(pipeline_db: Database, field_profile: Profile) -> None:
    sid = _new(pipeline_db, field_profile)
    service.set_answers(pipeline_db, field_profile, sid, {"city_name": "Seoul", "project_count": "2"})
    with pytest.raises(service.FinalizeError) as info:
        service.finalize(pipeline_db, field_profile, sid)
    texts = {i.text for i in info.value.issues}
    assert "Project: This needs at least 1 entry; there are 0." in texts
    assert "Visit: This needs exactly 2 entries; there are 0." in texts
    for _ in range(6):
        entry.add_instance(pipeline_db, sid, "projects", values={"name": "P", "sector": "water"})
    for _ in range(2):
        entry.add_instance(pipeline_db, sid, "visits")
    with pytest.raises(service.FinalizeError, match="“Project”: This takes at most 5 entries; there are 6."):
        service.finalize(pipeline_db, field_profile, sid)
    entry.remove_instance(pipeline_db, sid, "projects[-1]")
    result = service.finalize(pipeline_db, field_profile, sid)
    assert result.submission.finalized
    with pytest.raises(service.SurveyError, match="finalized"):
        entry.add_instance(pipeline_db, sid, "projects")


def test_two_devices_adding_instances_to_one_repeat_both_keep_theirs(
        pipeline_db: Database, field_profile: Profile) -> None:
    sid = _new(pipeline_db, field_profile)
    ours = entry.add_instance(pipeline_db, sid, "projects", values={"name": "BRT"})
    # Meanwhile a package brings another device's instance of the same repeat.
    base = replica.current(pipeline_db, service.SUBMISSION, sid)
    theirs_id = "0f8e1c3a-6b7d-4c55-9a43-2b1d07d2a0c1"
    replica.add_revisions(pipeline_db, [replica.make_revision(
        service.SUBMISSION, sid, [base.revision_id], "other-device", "1900000000000-000000",
        dict(base.payload, answers={"projects": [{"@id": theirs_id, "name": "Waste"}]}))])
    service.save_point(pipeline_db, field_profile, sid)
    merged = service.get_submission(pipeline_db, sid)
    assert [p["@id"] for p in merged.answers["projects"]] == [ours.instance_id, theirs_id]
    assert not merged.in_conflict


def test_list_instances_for_a_list_view(pipeline_db: Database, field_profile: Profile) -> None:
    sid = _new(pipeline_db, field_profile)
    entry.add_instance(pipeline_db, sid, "projects", values={"name": "BRT"})
    second = entry.add_instance(pipeline_db, sid, "projects")
    entry.add_instance(pipeline_db, sid, "projects[1]/partners", values={"partner_name": "ADB"})
    submission = service.get_submission(pipeline_db, sid)
    definition = service.definition_for(pipeline_db, submission)
    rows = entry.list_instances(definition, submission.answers, "projects", "ru")
    # Russian numbering ("№"); the form has no Russian labels, so its default language shows
    assert [(r.position, r.title, r.summary) for r in rows] == [(1, "Project № 1", "BRT"),
                                                               (2, "Project № 2", "")]
    assert rows[1].id == second.instance_id and rows[1].path == f"projects[@id={second.instance_id}]"
    partners = entry.list_instances(definition, submission.answers, "projects[1]/partners")
    assert [(p.title, p.summary) for p in partners] == [("Partner 1", "ADB")]
    assert partners[0].path.startswith(f"projects[@id={rows[0].id}]/partners[@id=")


def test_count_columns_of_an_xlsform_are_read_and_enforced(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import Workbook

    from neascn_desktop.surveys.repeat_state import evaluate_tree
    from neascn_desktop.surveys.xlsform import import_xlsform

    book = Workbook()
    sheet = book.active
    sheet.title = "survey"
    for row in (["type", "name", "label", "neascn_min_count", "neascn_max_count", "repeat_count"],
                ["integer", "n", "How many visits", None, None, None],
                ["begin_repeat", "proj", "Project", "1", "2", None],
                ["text", "pname", "Name", None, None, None],
                ["end_repeat"],
                ["begin_repeat", "visit", "Visit", None, None, "${n}"],
                ["date", "vdate", "Date", None, None, None],
                ["end_repeat"]):
        sheet.append(row)
    settings = book.create_sheet("settings")
    settings.append(["form_id", "version"])
    settings.append(["counted", "1"])
    book.save(tmp_path / "counted.xlsx")
    definition = import_xlsform(tmp_path / "counted.xlsx")
    one = "11111111-1111-4111-8111-111111111111"
    texts = {i.text for i in evaluate_tree(definition, {"n": 1}).issues}
    assert texts == {"Project: This needs at least 1 entry; there are 0.",
                     "Visit: This needs exactly 1 entry; there are 0."}
    many = {"n": 0, "proj": [{"@id": f"{one[:-1]}{k}"} for k in range(3)], "visit": [{"@id": one}]}
    texts = {i.text for i in evaluate_tree(definition, many).issues}
    assert texts == {"Project: This takes at most 2 entries; there are 3.",
                     "Visit: This needs exactly 0 entries; there are 1."}


def test_an_instance_kept_against_its_removal_keeps_its_attachment_entry() -> None:
    pid, sha = "11111111-1111-4111-8111-111111111111", "a" * 64
    key = f"projects[@id={pid}]/doc"
    entry_info = {"sha256": sha, "filename": "study.pdf", "size": 3, "media_type": "application/pdf"}
    base = {"answers": {"projects": [{"@id": pid, "name": "BRT", "doc": sha}]},
            "attachments": {key: entry_info}}
    removed = {"answers": {}, "attachments": {}}
    edited = {"answers": {"projects": [{"@id": pid, "name": "BRT 2", "doc": sha}]},
              "attachments": {key: entry_info}}
    for ours, theirs in ((removed, edited), (edited, removed)):
        merged = service._merged_payload(base, ours, theirs)
        assert merged["answers"]["projects"][0]["name"] == "BRT 2"
        assert merged["attachments"] == {key: entry_info}
