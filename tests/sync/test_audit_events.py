"""The audit log stores events, not sentences: a row written in one language is read in another."""

from __future__ import annotations

from pathlib import Path

from neascn_desktop import i18n
from neascn_desktop.sync import audit
from neascn_desktop.sync.exporter import Recipient, export_package
from tests.sync.sync_support import commit_submission, conflicting_response, new_profile


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


def test_trust_undo_resolve_and_revoke_rows_are_events_said_in_the_readers_language(
        make_device, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Issue 16: the rows of trusting, undoing, settling a conflict and revoking were stored as
    English (or whatever language the writer spoke) sentences."""
    import json
    import zipfile

    from sqlalchemy import select

    from neascn_desktop.sync.tables import audit_table

    sec, field, response, package = conflicting_response(
        make_device, tmp_path, ["resp_name=Kim", "city_population=9386000"], ["city_population=9400000"],
        ["city_population=9500000"])
    sec.run("conflicts", "resolve", response, "--set", "city_population=9450000")
    sec.run("conflicts", "undo", response)
    with zipfile.ZipFile(package) as zf:
        package_id = json.loads(zf.read("manifest.json"))["package_id"]
    sec.run("--lang", "ru", "package", "undo", package_id)
    sec.run("trust", "revoke", field.profile().device_id)

    db = sec.open()
    try:
        with db.connect() as conn:
            stored = [(r.action, r.message) for r in conn.execute(select(audit_table.c.action, audit_table.c.message))]
        written = {action for action, message in stored if message}
        assert {"trust", "resolve", "undo"} <= written
        for action, message in stored:
            if action in ("trust", "resolve", "undo", "export", "key", "inbox") and message:
                assert message.startswith("event:"), (action, message)
        i18n.set_language("zh_Hans")
        said = [e.message for e in audit.list_audit(db) if e.action in ("trust", "resolve", "undo")]
    finally:
        i18n.set_language("en")
        db.dispose()
    assert len(said) >= 5
    for text in said:
        assert not any(word in text for word in ("Trusted", "Revoked", "Undid", "Resolved", "Kept", "Отменён")), text


def test_an_authority_refusal_written_in_russian_is_read_in_english(make_device, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A package refused by the authority rules was logged in the importer's language (a
    Russian session's refusal stayed Russian for every later reader)."""
    from neascn_desktop.replica.clock import format_clock, wall_ms
    from neascn_desktop.surveys import installed
    from tests.sync.sync_support import signed_package

    sec = make_device("sec", "secretariat")
    tf = make_device("tf", "taskforce")
    sec.run("trust", "add", tf.keyfile, "--as", "taskforce")
    seoul = next(r for r in installed.builtin_revisions() if r.entity_id == "seoul")
    from neascn_desktop import replica

    forged = replica.make_revision("city", "seoul", [seoul.id], tf.profile().device_id, format_clock(wall_ms(), 0),
                                   dict(seoul.payload, population=1))
    package = signed_package(tf.data_dir, [forged], tmp_path / "city.neascn", kind="all")
    sec.run("--lang", "ru", "package", "import", package, expect=1)
    db = sec.open()
    try:
        i18n.set_language("en")  # the reader's language (the import ran in Russian)
        refused = [e for e in audit.list_audit(db) if e.verdict == "refused"]
        assert refused and refused[0].message.startswith("city.neascn was refused: Record city seoul: a device "), refused
        i18n.set_language("ru")
        assert "Record" not in audit.list_audit(db)[0].message
    finally:
        i18n.set_language("en")
        db.dispose()


def test_a_damaged_package_logged_in_korean_is_read_in_english(make_device, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sec = make_device("sec", "secretariat")
    broken = tmp_path / "broken.neascn"
    broken.write_bytes(b"this is not a zip archive at all")
    sec.run("--lang", "ko", "package", "import", broken, expect=None)
    db = sec.open()
    try:
        i18n.set_language("en")
        refused = [e for e in audit.list_audit(db) if e.verdict == "refused"]
        assert refused[0].message == (
            "broken.neascn is damaged; ask the sender for a new copy (it is not a readable ZIP archive).")
    finally:
        i18n.set_language("en")
        db.dispose()


def test_a_waiting_package_row_says_why_in_the_readers_language(tmp_path: Path) -> None:
    """The row of a package held in the inbox stored the bare key "untrusted"."""
    from neascn_desktop.sync.importer import import_packages

    sec_db, sec = new_profile(tmp_path / "sec", "secretariat", "Secretariat")
    field_db, field = new_profile(tmp_path / "field", "field", "Bat")
    try:
        commit_submission(field_db, field, {"resp_name": "Bat"})
        export_package(field_db, "responses", tmp_path / "r.neascn",
                       recipient=Recipient(sec.device_id, sec.display_name, sec.encryption_public_key))
        import_packages(sec_db, [tmp_path / "r.neascn"])
        said = audit.list_audit(sec_db)[0]
        assert said.verdict == "waiting" and said.message.startswith("r.neascn waits in the inbox: the sender Bat")
        assert said.message.endswith("is not trusted.")
        i18n.set_language("ja")
        assert "not trusted" not in audit.list_audit(sec_db)[0].message
    finally:
        i18n.set_language("en")
        sec_db.dispose()
        field_db.dispose()


def test_an_applied_rows_notes_are_events_with_plural_forms(tmp_path: Path) -> None:
    """"The secretariat confirmed that it received 1 response." was stored as a sentence."""
    from neascn_desktop.identity.trust import read_keycard, trust_keycard
    from neascn_desktop.sync.importer import import_packages
    from tests.sync.sync_support import keycard

    sec_db, sec = new_profile(tmp_path / "sec", "secretariat", "Secretariat")
    field_db, field = new_profile(tmp_path / "field", "field", "Bat")
    try:
        deployment = tmp_path / "deployment.neascn"
        export_package(sec_db, "deployment", deployment)
        import_packages(field_db, [deployment])
        commit_submission(field_db, field, {"resp_name": "Bat"})
        sent = export_package(field_db, "responses", tmp_path / "r.neascn",
                              recipient=Recipient(sec.device_id, sec.display_name, sec.encryption_public_key))
        trust_keycard(sec_db, read_keycard(keycard(field_db, field, tmp_path)))
        import_packages(sec_db, [sent.path])
        export_package(sec_db, "deployment", tmp_path / "ack.neascn")
        report = import_packages(field_db, [tmp_path / "ack.neascn"])
        assert "The secretariat confirmed that it received 1 response." in report.outcomes[0].message
        row = audit.list_audit(field_db)[0]
        assert row.message == "The secretariat confirmed that it received 1 response."
        i18n.set_language("ru")
        assert "1" in audit.list_audit(field_db)[0].message
        assert "secretariat" not in audit.list_audit(field_db)[0].message
    finally:
        i18n.set_language("en")
        sec_db.dispose()
        field_db.dispose()
