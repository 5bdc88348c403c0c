"""Version 2026.2 of the built-in survey: 2026.1 unchanged plus the project pipeline (a repeat
``projects`` in "Finance and bankability") in the six languages, built by a script."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from neascn_desktop.identity.profile import Profile
from neascn_desktop.store import Database
from neascn_desktop.surveys import entry, service
from neascn_desktop.surveys.definition import Group, SurveyDefinition, load_definition
from neascn_desktop.surveys.installed import builtin_revisions
from neascn_desktop.surveys.scoring import score_submission

ROOT = Path(__file__).resolve().parents[2]
OLD = ROOT / "resources" / "surveys" / "neascn_readiness.json"
NEW = ROOT / "resources" / "surveys" / "neascn_readiness_2026_2.json"
LANGS = ("en", "ko", "zh_Hans", "ja", "ru", "mn")


@pytest.fixture(scope="module")
def old() -> SurveyDefinition:
    return load_definition(OLD)


@pytest.fixture(scope="module")
def new() -> SurveyDefinition:
    return load_definition(NEW)


def test_the_resource_is_what_the_script_builds() -> None:
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_readiness_2026_2.py"), "--check"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_2026_1_stays_as_it_was_and_2026_2_keeps_its_questions(old: SurveyDefinition,
                                                                new: SurveyDefinition) -> None:
    assert (old.version, new.version) == ("2026.1", "2026.2")
    ids = {r.entity_id for r in builtin_revisions() if r.entity_type == "survey_definition"}
    assert {"neascn_readiness@2026.1", "neascn_readiness@2026.2"} <= ids
    assert "sections" in json.loads(OLD.read_text(encoding="utf-8"))  # still the flat document
    outside = [q for q in new.questions if q.repeat is None]
    assert [(q.key, q.type, q.choices, q.domain, q.weight) for q in outside] == [
        (q.key, q.type, q.choices, q.domain, q.weight) for q in old.questions]
    assert [s.name for s in new.sections] == [s.name for s in old.sections]
    for name, choices in old.choice_lists.items():
        assert new.choice_lists[name] == choices


def test_the_project_pipeline_in_six_languages(new: SurveyDefinition) -> None:
    repeat = new.answer_scopes[""].repeats["projects"]
    assert isinstance(repeat, Group) and repeat.kind == "repeat" and repeat.path == "finance/projects"
    scope = new.answer_scopes[repeat.path]
    assert list(scope.questions) == ["proj_name", "proj_sector", "proj_stage", "proj_financing",
                                     "proj_investment", "proj_currency", "proj_partners",
                                     "proj_location", "proj_document"]
    texts = [repeat.label, repeat.hint or {}]
    for q in scope.questions.values():
        texts.append(q.label)
        texts.extend(c.label for c in new.choices_for(q))
        assert q.domain is None  # the pipeline is not scored
    for text in texts:
        assert all(text.get(code) for code in LANGS), text
        assert len({text[code] for code in LANGS}) >= 4, text  # translated, not copied


def test_projects_do_not_change_the_score(new: SurveyDefinition, old: SurveyDefinition) -> None:
    answers = {"fin_ppp": "3", "fin_prep": "4", "gov_scap": "2"}
    with_projects = {**answers, "projects": [
        {"@id": "0f8e1c3a-6b7d-4c55-9a43-2b1d07d2a0c1", "proj_name": "BRT", "proj_sector": "transport",
         "proj_stage": "feasibility", "proj_investment": 120.0, "proj_currency": "usd"}]}
    assert score_submission(new, with_projects).to_dict() == score_submission(old, answers).to_dict()


def test_a_new_response_takes_2026_2_and_records_projects(db: Database, field_profile: Profile) -> None:
    created = service.create_submission(db, field_profile, "ulaanbaatar")
    assert created.submission.form_version == "2026.2"
    sid = created.submission.id
    result = entry.add_instance(db, sid, "projects", values={
        "proj_name": "Ger district heating", "proj_sector": "energy", "proj_stage": "prefeasibility",
        "proj_financing": ["mdb_loan", "city_budget"], "proj_investment": 85.5,
        "proj_location": "47.92 106.91"}, language="ru")
    words = {(i.where, i.kind) for i in result.state.issues if i.question.startswith("projects[")}
    assert ("Проект «умного города» № 1 › Валюта", "required") in words
    entry.set_instance_answer(db, sid, "projects[1]/proj_currency", "mnt")
    project = service.get_submission(db, sid).answers["projects"][0]
    assert project["proj_financing"] == ["city_budget", "mdb_loan"]  # in the list's order
    assert project["proj_currency"] == "mnt"
