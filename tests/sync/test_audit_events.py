"""The audit log stores events, not sentences: a row written in one language is read in another."""

from __future__ import annotations

from pathlib import Path

from neascn_desktop import i18n
from neascn_desktop.sync import audit
from neascn_desktop.sync.exporter import Recipient, export_package
from tests.sync.sync_support import commit_submission, new_profile


def test_an_export_row_is_said_in_the_readers_language(tmp_path: Path) -> None:
    sec_db, sec = new_profile(tmp_path / "sec", "secretariat", "Secretariat")
    field_db, field = new_profile(tmp_path / "field", "field", "Бат-Эрдэнэ")
    try:
        commit_submission(field_db, field, {"resp_name": "Bat"})
        export_package(field_db, "responses", tmp_path / "r.neascn",
                       recipient=Recipient(sec.device_id, sec.display_name, sec.encryption_public_key))
        assert audit.list_audit(field_db)[0].message == "Encrypted for Secretariat."
        i18n.set_language("zh_Hans")
        said = audit.list_audit(field_db)[0].message
        assert "Secretariat" in said and "Encrypted" not in said
    finally:
        i18n.set_language("en")
        sec_db.dispose()
        field_db.dispose()


def test_a_malformed_event_is_shown_as_stored() -> None:
    assert audit.say("event:{not json") == "event:{not json"
    assert audit.say("An old sentence.") == "An old sentence."
    assert audit.say(audit.event("Encrypted for {name}.", name="\x1b[31mX")) == "Encrypted for X."  # no escape
