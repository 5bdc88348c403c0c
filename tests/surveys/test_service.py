"""The surveys use cases on a real database: built-ins, cities, autosave, save points, finalize."""

from __future__ import annotations

from pathlib import Path

import pytest

from neascn_desktop import replica
from neascn_desktop.identity.profile import Profile, create_profile
from neascn_desktop.stats import collect_stats
from neascn_desktop.store import Database, open_database
from neascn_desktop.surveys import service
from neascn_desktop.surveys.definition import SurveyError
from neascn_desktop.surveys.validation import AnswerError

from .conftest import CITIES, MINI, install_test_data


def _new(db: Database, profile: Profile, city: str = "seoul") -> str:
    return service.create_submission(db, profile, city, form_id="mini").submission.id


def test_builtins_install_once_with_the_same_revision_ids_everywhere(tmp_path: Path) -> None:
    ids = []
    for name in ("a", "b"):
        db = open_database(tmp_path / name)
        try:
            changes = service.ensure_builtin(db, [MINI], CITIES)
            assert changes.touches("survey") and changes.touches("city")
            assert not service.ensure_builtin(db, [MINI], CITIES)
            ids.append(sorted(replica.revision_ids(db)))
            assert {r.device_id for r in replica.iter_revisions(db)} == {"builtin"}
        finally:
            db.dispose()
    assert ids[0] == ids[1] and len(ids[0]) == 5


def test_the_shipped_survey_and_cities_are_installed_by_default(db: Database) -> None:
    infos = service.list_definitions(db)
    builtin = [i for i in infos if i.form_id == "neascn_readiness"]
    assert builtin and builtin[0].builtin and builtin[0].questions >= 30
    definition = service.get_definition(db)
    assert len(definition.domains) >= 6
    assert {"seoul", "ulaanbaatar", "vladivostok"} <= {c.id for c in service.list_cities(db)}


def test_cities_add_and_edit(field_db: Database, field_profile: Profile) -> None:
    city, changes = service.save_city(
        field_db, field_profile, name={"en": "Baruun-Urt", "mn": "Баруун-Урт"}, country="mn",
        population=83000, latitude=49.48, longitude=105.95, source="test")
    assert changes.touches("city") and city.country == "MN" and len(city.id) == 36
    edited, _changes = service.save_city(field_db, field_profile, city_id=city.id,
                                         name={"ko": "바룬우르트"}, population=84000)
    assert edited.name == {"en": "Baruun-Urt", "mn": "Баруун-Урт", "ko": "바룬우르트"}
    assert service.get_city(field_db, "Баруун-Урт").population == 84000
    for kwargs, fragment in (
        ({"name": {"en": "X"}, "country": "Korea"}, "two-letter"),
        ({"name": {}, "country": "KR"}, "needs a name"),
        ({"name": {"xx": "X"}, "country": "KR"}, "Unknown language"),
        ({"name": {"en": "X"}, "country": "KR", "latitude": 95.0}, "latitude"),
    ):
        with pytest.raises(SurveyError, match=fragment):
            service.save_city(field_db, field_profile, **kwargs)


def test_autosave_survives_a_crash_and_a_save_point_cuts_one_revision(
    field_db: Database, field_profile: Profile
) -> None:
    submission_id = _new(field_db, field_profile)
    before = len(replica.history(field_db, submission_id))
    for value in (1, 12, 120, 1200):  # keystrokes
        result = service.autosave(field_db, submission_id, {"population": value})
    assert result.submission.unsaved and result.state is not None
    assert len(replica.history(field_db, submission_id)) == before  # no revision per keystroke

    # "Kill" the application: a new connection sees the working copy.
    reopened = open_database(field_db.data_dir)
    try:
        again = service.get_submission(reopened, submission_id)
        assert again.answers == {"population": 1200} and again.unsaved
        changes = service.save_point(reopened, field_profile, submission_id)
        assert changes.touches("response")
    finally:
        reopened.dispose()
    saved = service.get_submission(field_db, submission_id)
    assert not saved.unsaved and saved.answers == {"population": 1200}
    assert len(replica.history(field_db, submission_id)) == before + 1
    assert not service.save_point(field_db, field_profile, submission_id)  # nothing new


def test_autosave_checks_types_but_keeps_constraint_problems_for_display(
    field_db: Database, field_profile: Profile
) -> None:
    submission_id = _new(field_db, field_profile)
    with pytest.raises(AnswerError):
        service.autosave(field_db, submission_id, {"population": "many"})
    result = service.autosave(field_db, submission_id, {"budget_share": 250.0}, language="ko")
    assert [i.message for i in result.state.issues_for("budget_share")] == [
        "백분율은 0에서 100 사이입니다."]
    result = service.autosave(field_db, submission_id, {"budget_share": None})
    assert "budget_share" not in result.submission.answers


def test_save_point_merges_with_revisions_that_arrived_meanwhile(
    field_db: Database, field_profile: Profile
) -> None:
    submission_id = _new(field_db, field_profile)
    service.autosave(field_db, submission_id, {"population": 5000})
    # Meanwhile a package brings another device's change to another answer.
    base = replica.current(field_db, service.SUBMISSION, submission_id)
    theirs = dict(base.payload, answers={"officer": "Lee"})
    replica.add_revisions(field_db, [replica.make_revision(
        service.SUBMISSION, submission_id, [base.revision_id], "other-device",
        "1900000000000-000000", theirs)])
    service.save_point(field_db, field_profile, submission_id)
    merged = service.get_submission(field_db, submission_id)
    assert merged.answers == {"population": 5000, "officer": "Lee"}
    assert not merged.in_conflict


def test_finalize_validates_then_locks_and_reopen_unlocks(
    field_db: Database, field_profile: Profile
) -> None:
    submission_id = _new(field_db, field_profile)
    service.autosave(field_db, submission_id, {"has_strategy": "yes"})
    with pytest.raises(service.FinalizeError) as info:
        service.finalize(field_db, field_profile, submission_id)
    assert {i.question for i in info.value.issues} == {"population", "strategy_level"}
    assert "2 questions need attention" in str(info.value)
    service.autosave(field_db, submission_id, {"population": 100, "strategy_level": "5"})
    result = service.finalize(field_db, field_profile, submission_id)
    assert result.submission.status == "finalized" and result.submission.finalized_at
    assert not result.submission.unsaved
    with pytest.raises(SurveyError, match="reopen"):
        service.autosave(field_db, submission_id, {"population": 1})
    opened = service.reopen(field_db, field_profile, submission_id).submission
    assert opened.status == "in_progress" and opened.finalized_at is None
    assert opened.answers["strategy_level"] == "5"


def test_set_answers_goes_through_the_form_rules(field_db: Database, field_profile: Profile) -> None:
    submission_id = _new(field_db, field_profile)
    result = service.set_answers(field_db, field_profile, submission_id,
                                 {"population": "900", "has_strategy": "yes", "strategy_level": "4"})
    assert result.submission.answers == {"population": 900, "has_strategy": "yes",
                                         "strategy_level": "4"}
    with pytest.raises(AnswerError, match="relevance"):
        service.set_answers(field_db, field_profile, submission_id, {"services_note": "x"})
    with pytest.raises(AnswerError, match="between 1 and 50 million"):
        service.set_answers(field_db, field_profile, submission_id, {"population": "0"})
    with pytest.raises(SurveyError, match="no question named"):
        service.set_answers(field_db, field_profile, submission_id, {"nope": "1"})
    assert service.get_submission(field_db, submission_id).answers["population"] == 900


def test_attachments_are_content_addressed_and_limited(
    field_db: Database, field_profile: Profile, tmp_path: Path
) -> None:
    submission_id = _new(field_db, field_profile)
    service.autosave(field_db, submission_id, {"has_strategy": "yes"})
    evidence = tmp_path / "strategy.pdf"
    evidence.write_bytes(b"%PDF-1.7 strategy")
    result = service.attach_file(field_db, submission_id, "strategy_doc", evidence)
    info = result.submission.attachments["strategy_doc"]
    assert info["filename"] == "strategy.pdf" and info["media_type"] == "application/pdf"
    assert (field_db.attachments_dir() / info["sha256"]).read_bytes() == b"%PDF-1.7 strategy"
    assert result.submission.answers["strategy_doc"] == info["sha256"]
    assert result.changes.touches("attachment")
    with pytest.raises(SurveyError, match="larger than the limit"):
        service.store_attachment(field_db, evidence, limit=4)
    with pytest.raises(AnswerError, match="does not take a file"):
        service.attach_file(field_db, submission_id, "officer", evidence)
    cleared = service.autosave(field_db, submission_id, {"strategy_doc": None}).submission
    assert "strategy_doc" not in cleared.attachments


def test_city_status_sent_and_figures(field_db: Database, field_profile: Profile) -> None:
    statuses = {s.city.id: s for s in service.city_statuses(field_db)}
    assert statuses["seoul"].status == "not_started"
    submission_id = _new(field_db, field_profile)
    service.set_answers(field_db, field_profile, submission_id,
                        {"population": "100", "has_strategy": "no"})
    statuses = {s.city.id: s for s in service.city_statuses(field_db)}
    assert statuses["seoul"].status == "in_progress" and statuses["seoul"].score.overall == 0.0
    result = service.finalize(field_db, field_profile, submission_id)
    service.mark_sent(field_db, [(submission_id, result.submission.revision_id)], "pkg-1")
    service.mark_sent(field_db, [(submission_id, result.submission.revision_id)], "pkg-1")
    assert {s.city.id: s for s in service.city_statuses(field_db)}["seoul"].status == "sent"
    service.reopen(field_db, field_profile, submission_id)  # a new revision: not sent any more
    assert {s.city.id: s for s in service.city_statuses(field_db)}["seoul"].status == "in_progress"
    stats = collect_stats(field_db)
    assert stats["submissions"] == 1 and stats["answers"] == 2


def test_definitions_are_immutable_versions(field_db: Database, field_profile: Profile, mini) -> None:
    assert not service.install_definition(field_db, field_profile, mini)  # same content: no-op
    import dataclasses

    changed = dataclasses.replace(mini, title={"en": "Changed"})
    with pytest.raises(SurveyError, match="another version number"):
        service.install_definition(field_db, field_profile, changed)
    newer = dataclasses.replace(mini, version="2", title={"en": "Changed"})
    assert service.install_definition(field_db, field_profile, newer).touches("survey")
    assert service.get_definition(field_db, "mini").version == "2"
    assert service.get_definition(field_db, "mini", "1").version == "1"


def test_unknown_ids(field_db: Database, field_profile: Profile) -> None:
    with pytest.raises(SurveyError, match="no response"):
        service.get_submission(field_db, "nope")
    with pytest.raises(SurveyError, match="no city"):
        service.create_submission(field_db, field_profile, "atlantis", form_id="mini")
    with pytest.raises(SurveyError, match="no survey"):
        service.get_definition(field_db, "ghost")


def test_two_devices_same_builtins_no_conflict(tmp_path: Path) -> None:
    dbs = [open_database(tmp_path / n) for n in ("x", "y")]
    try:
        for db in dbs:
            create_profile(db, name="P", role="field")
            install_test_data(db)
        replica.add_revisions(dbs[0], list(replica.iter_revisions(dbs[1])))
        assert replica.conflicts(dbs[0]) == []
    finally:
        for db in dbs:
            db.dispose()


def test_a_conflict_is_not_settled_silently(field_db: Database, field_profile: Profile) -> None:
    submission_id = _new(field_db, field_profile)
    base = replica.current(field_db, service.SUBMISSION, submission_id)
    for device, officer in (("device-a", "Ahn"), ("device-b", "Bae")):
        replica.add_revisions(field_db, [replica.make_revision(
            service.SUBMISSION, submission_id, [base.revision_id], device,
            "1900000000000-000000", dict(base.payload, answers={"officer": officer}))])
    assert service.get_submission(field_db, submission_id).in_conflict
    service.autosave(field_db, submission_id, {"population": 5})  # typing is never refused
    with pytest.raises(SurveyError, match="conflict"):
        service.save_point(field_db, field_profile, submission_id)
    kept = service.get_submission(field_db, submission_id)
    assert kept.unsaved and kept.answers["population"] == 5


def test_load_demo_returns_changes_for_the_gui(db: Database, taskforce_profile: Profile) -> None:
    from neascn_desktop.surveys.demo import load_demo

    changes = load_demo(db, taskforce_profile, cities=2, seed=3)
    assert changes.touches("response") and len(changes.entity_ids) >= 2
    assert len(service.list_submissions(db)) == 2
    assert not load_demo(db, taskforce_profile, cities=2, seed=3)  # nothing twice
