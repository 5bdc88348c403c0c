"""Device facts (``start``, ``end``, ``today``, ``deviceid``, ``username`` ...) recorded from the
profile and the clock on a form written here."""

from __future__ import annotations

from pathlib import Path

from neascn_desktop.identity.profile import Profile
from neascn_desktop.store import Database
from neascn_desktop.surveys import service
from neascn_desktop.surveys.installed import install_definition
from neascn_desktop.surveys.xlsform import export_xlsform, import_xlsform
from tests.surveys.test_xlsform_tree import _workbook


def _facts_form(tmp_path: Path) -> Path:
    return _workbook(tmp_path / "facts.xlsx", [
        ["type", "name", "label"],
        ["start", "started"], ["end", "ended"], ["today", "day"], ["deviceid", "device"],
        ["imei", "device2"], ["username", "user"], ["email", "mail"], ["audit", "audit"],
        ["phonenumber", "phone"], ["text", "village", "Village"],
        ["begin_repeat", "visit", "Visit"], ["text", "who", "Who"], ["end_repeat"],
    ], settings=[["form_id", "version"], ["facts", "1"]])


def test_device_facts_are_filled_from_profile_and_clock(
        field_db: Database, field_profile: Profile, tmp_path: Path) -> None:
    definition = import_xlsform(_facts_form(tmp_path))
    assert {q.name for q in definition.questions if q.type == "metadata"} == {
        "started", "ended", "day", "device", "device2", "user", "mail", "audit", "phone"}
    install_definition(field_db, field_profile, definition)
    created = service.create_submission(field_db, field_profile, "seoul", form_id="facts",
                                        now="2026-12-05T09:30:00+00:00").submission
    assert created.answers == {
        "started": "2026-12-05T09:30:00+00:00", "ended": "2026-12-05T09:30:00+00:00",
        "day": "2026-12-05", "device": field_profile.device_id,
        "device2": field_profile.device_id, "user": field_profile.display_name}
    # Not asked: not on the form pages; what a laptop cannot tell stays unanswered.
    shown = {q.name for s in definition.sections for q in s.questions}
    assert shown == {"village"}
    service.set_answers(field_db, field_profile, created.id, {"village": "Darkhan"})
    final = service.finalize(field_db, field_profile, created.id).submission
    assert final.answers["ended"] == final.finalized_at
    assert final.answers["started"] == "2026-12-05T09:30:00+00:00"
    # The facts travel in the submission's payload and pass the receiver's checks.
    from neascn_desktop.sync import record_schema

    record_schema.check_answers(dict(final.answers), definition)
    # And the form's export writes the types back.
    again = import_xlsform(export_xlsform(definition, tmp_path / "again.xlsx"))
    assert again.to_dict() == definition.to_dict()


def test_device_facts_round_trip_field_by_field(tmp_path: Path) -> None:
    """``audit`` (which pyxform moves into its ``meta`` block) is kept, not dropped."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    from xlsform_corpus import compare

    original = _workbook(tmp_path / "audit.xlsx", [
        ["type", "name", "label", "parameters"],
        ["audit", "audit", None, "track-changes=true"], ["start", "started"],
        ["text", "village", "Village"]],
        settings=[["form_id", "instance_name"], ["audited", "${village}"]])
    definition = import_xlsform(original)
    assert definition.settings["instance_name"] == "${village}"
    assert [q.name for q in definition.questions] == ["started", "village", "audit"]
    assert definition.question("audit").extra["parameters"] == "track-changes=true"
    assert compare(original, export_xlsform(definition, tmp_path / "out.xlsx")) is None
