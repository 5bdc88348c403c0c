"""Smaller pieces of the sync room: export memory, kinds, conflicts comparison, container edge cases."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from neascn_desktop import replica
from neascn_desktop.identity.trust import read_keycard, trust_keycard
from neascn_desktop.sync import conflicts, reading
from neascn_desktop.sync.container import open_package
from neascn_desktop.sync.errors import PackageError, PackageVersionError
from neascn_desktop.sync.exporter import Recipient, export_package
from neascn_desktop.sync.importer import import_packages, preview_import
from tests.sync.sync_support import commit_submission, keycard, new_profile


def _recipient(profile) -> Recipient:  # type: ignore[no-untyped-def]
    return Recipient(profile.device_id, profile.display_name, profile.encryption_public_key)


def test_export_sends_only_what_the_recipient_may_lack(tmp_path: Path) -> None:
    sec_db, sec = new_profile(tmp_path / "sec", "secretariat", "Sec")
    field_db, field = new_profile(tmp_path / "field", "field", "Field")
    trust_keycard(sec_db, read_keycard(keycard(field_db, field, tmp_path)))
    first = commit_submission(field_db, field, {"resp_name": "A"})
    one = export_package(field_db, "responses", tmp_path / "1.neascn", recipient=_recipient(sec))
    assert one.revisions == 1
    second = export_package(field_db, "responses", tmp_path / "2.neascn", recipient=_recipient(sec))
    assert second.revisions == 0  # nothing new for the secretariat
    commit_submission(field_db, field, {"resp_name": "B"}, entity_id=first.entity_id)
    third = export_package(field_db, "responses", tmp_path / "3.neascn", recipient=_recipient(sec))
    assert third.revisions == 1
    full = export_package(field_db, "responses", tmp_path / "4.neascn", recipient=_recipient(sec), full=True)
    assert full.revisions == 2
    plain = export_package(field_db, "responses", tmp_path / "5.neascn", auto_recipient=False)
    assert plain.recipient is None and plain.revisions == 2
    # What came from the secretariat is not sent back to it.
    report = import_packages(sec_db, [tmp_path / "1.neascn", tmp_path / "3.neascn"])
    assert report.exit_code == 0
    from neascn_desktop.sync.audit import package_record

    record = package_record(sec_db, replica.get_revision(sec_db, first.id).provenance)
    assert record is not None and record.sender_name == "Field" and record.kind == "responses"
    back = export_package(sec_db, "responses", tmp_path / "6.neascn", recipient=_recipient(field))
    assert back.revisions == 0
    sec_db.dispose()
    field_db.dispose()


def test_only_the_secretariat_exports_deployments_and_kinds_are_checked(tmp_path: Path) -> None:
    field_db, _field = new_profile(tmp_path / "field", "field", "Field")
    with pytest.raises(PackageError, match="Only the secretariat"):
        export_package(field_db, "deployment", tmp_path / "d.neascn")
    with pytest.raises(PackageError, match="Unknown package kind"):
        export_package(field_db, "everything", tmp_path / "d.neascn")
    field_db.dispose()


def test_framework_section_conflict_merges_paragraphs(tmp_path: Path) -> None:
    db, me = new_profile(tmp_path / "tf", "taskforce", "Me")
    base_payload = {"parent_id": None, "position": "a", "title": "Vision", "body": "One.\n\nTwo.\n\nThree.",
                    "status": "draft", "owner": "Me", "language": "en", "deleted": False}
    base = replica.commit(db, me.device_id, "framework_section", "s1", base_payload)
    mine = replica.make_revision("framework_section", "s1", [base.id], "dev-a", "1900000000000-000000",
                                 dict(base_payload, body="One, edited.\n\nTwo.\n\nThree."))
    theirs = replica.make_revision("framework_section", "s1", [base.id], "dev-b", "1900000000001-000000",
                                   dict(base_payload, body="One.\n\nTwo.\n\nThree, edited.", title="Vision 2030"))
    replica.add_revisions(db, [mine, theirs])
    found = conflicts.list_conflicts(db)
    assert len(found) == 1 and found[0].entity_type == "framework_section"
    comparison = conflicts.compare(db, "s1")
    assert comparison.clean
    assert comparison.proposal["body"] == "One, edited.\n\nTwo.\n\nThree, edited."
    assert comparison.proposal["title"] == "Vision 2030"
    revision = conflicts.resolve_with(db, "s1", comparison.proposal)
    assert set(revision.parents) == {mine.id, theirs.id}
    assert conflicts.list_conflicts(db) == []
    db.dispose()


def test_version_error_names_the_version_and_preview_writes_nothing(tmp_path: Path) -> None:
    field_db, field = new_profile(tmp_path / "field", "field", "Field")
    commit_submission(field_db, field, {"resp_name": "A"})
    path = tmp_path / "p.neascn"
    export_package(field_db, "responses", path, auto_recipient=False)
    with zipfile.ZipFile(path) as zf:
        members = {i.filename: zf.read(i) for i in zf.infolist()}
    manifest = json.loads(members["manifest.json"])
    manifest["format_version"] = 7
    from neascn_desktop.identity.keys import load_device_keys

    raw = json.dumps(manifest).encode()
    members["manifest.json"] = raw
    members["manifest.sig"] = load_device_keys(field_db.data_dir).signing.sign(raw)
    bad = tmp_path / "v7.neascn"
    with zipfile.ZipFile(bad, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    with pytest.raises(PackageVersionError, match="version 7"):
        open_package(bad)
    sec_db, _sec = new_profile(tmp_path / "sec", "secretariat", "Sec")
    before = replica.digest(sec_db)
    outcome = preview_import(sec_db, path)
    assert outcome.status == "waiting" and outcome.preview is not None
    assert outcome.preview.by_type["submission"].new == 1
    assert replica.digest(sec_db) == before
    sec_db.dispose()
    field_db.dispose()


def test_a_field_device_does_not_pass_on_definitions_it_may_not_make(tmp_path: Path) -> None:
    """Definitions travel with the submissions that answered them only from the secretariat (or
    built in): a survey a field device made itself stays behind (see sync.authority), and its
    submissions arrive with the version named as missing."""
    sec_db, sec = new_profile(tmp_path / "sec", "secretariat", "Sec")
    field_db, field = new_profile(tmp_path / "field", "field", "Field")
    trust_keycard(sec_db, read_keycard(keycard(field_db, field, tmp_path)))
    definition = {"form_id": "local_form", "version": "9", "title": {"en": "Local"}, "sections": []}
    replica.commit(field_db, field.device_id, "survey_definition", "local_form@9", definition)
    replica.commit(field_db, field.device_id, "survey_definition", "unrelated@1",
                   dict(definition, form_id="unrelated", version="1"))
    submission = commit_submission(field_db, field, {"q": "A"})
    payload = dict(submission.payload, form_id="local_form", form_version="9")
    replica.commit(field_db, field.device_id, "submission", submission.entity_id, payload)
    result = export_package(field_db, "responses", tmp_path / "r.neascn", recipient=_recipient(sec))
    assert result.by_type == {"submission": 2}
    report = import_packages(sec_db, [tmp_path / "r.neascn"])
    assert report.exit_code == 0
    assert replica.current(sec_db, "survey_definition", "local_form@9") is None
    assert replica.current(sec_db, "survey_definition", "unrelated@1") is None
    preview = report.outcomes[0].preview
    assert preview is not None
    # The built-in survey is every machine's own (installed on first use): never named missing.
    assert preview.missing_definitions == ("local_form@9",)
    sec_db.dispose()
    field_db.dispose()


def test_a_package_impersonating_this_device_waits_and_cannot_be_trusted(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from neascn_desktop.identity.keys import b64, public_bytes
    from neascn_desktop.sync import inbox, payload
    from neascn_desktop.sync.container import Sender, write_package
    from neascn_desktop.sync.errors import PackageStateError

    sec_db, sec = new_profile(tmp_path / "sec", "secretariat", "Sec")
    forger = Ed25519PrivateKey.generate()
    revision = replica.make_revision("city", "fake", [], sec.device_id, "1900000000000-000000",
                                     {"name": {"en": "Fake"}, "country": "KR"})
    sender = Sender(sec.device_id, sec.display_name, "", "secretariat", b64(public_bytes(forger.public_key())),
                    sec.encryption_public_key)
    path = tmp_path / "forged.neascn"
    write_package(path, package_id="22222222-2222-4222-8222-222222222222", kind="all",
                  created_at="2026-11-25T00:00:00+00:00", app_version="x", sender=sender, signing_key=forger,
                  payload=payload.encode([revision]))
    before = replica.digest(sec_db)
    outcome = import_packages(sec_db, [path]).outcomes[0]
    assert outcome.status == "waiting" and outcome.verdict.trust == "key_changed"
    with pytest.raises(PackageStateError, match="this very device"):
        inbox.trust_and_apply(sec_db, "22222222-2222-4222-8222-222222222222")
    assert replica.digest(sec_db) == before
    sec_db.dispose()


def test_attachments_the_recipient_holds_are_not_sent_again(tmp_path: Path) -> None:
    import hashlib

    sec_db, sec = new_profile(tmp_path / "sec", "secretariat", "Sec")
    field_db, field = new_profile(tmp_path / "field", "field", "Field")
    trust_keycard(sec_db, read_keycard(keycard(field_db, field, tmp_path)))
    data = b"evidence"
    sha = hashlib.sha256(data).hexdigest()
    (field_db.attachments_dir() / sha).write_bytes(data)
    meta = {"ev": {"sha256": sha, "filename": "e.txt", "size": len(data), "media_type": "text/plain"}}
    first = commit_submission(field_db, field, {"ev": sha}, meta)
    one = export_package(field_db, "responses", tmp_path / "1.neascn", recipient=_recipient(sec))
    assert one.attachments == 1
    commit_submission(field_db, field, {"ev": sha, "q": "x"}, meta, entity_id=first.entity_id)
    two = export_package(field_db, "responses", tmp_path / "2.neascn", recipient=_recipient(sec))
    assert two.revisions == 1 and two.attachments == 0
    report = import_packages(sec_db, [tmp_path / "1.neascn", tmp_path / "2.neascn"])
    assert report.exit_code == 0 and (sec_db.attachments_dir() / sha).read_bytes() == data
    assert report.outcomes[1].preview is not None and report.outcomes[1].preview.missing_attachments == ()
    sec_db.dispose()
    field_db.dispose()


def test_cancelling_stops_between_files_and_keeps_what_was_applied(tmp_path: Path) -> None:
    sec_db, sec = new_profile(tmp_path / "sec", "secretariat", "Sec")
    field_db, field = new_profile(tmp_path / "field", "field", "Field")
    trust_keycard(sec_db, read_keycard(keycard(field_db, field, tmp_path)))
    paths = []
    for index in range(3):
        commit_submission(field_db, field, {"resp_name": str(index)})
        path = tmp_path / f"{index}.neascn"
        export_package(field_db, "responses", path, recipient=_recipient(sec))
        paths.append(path)
    calls = []

    def progress(done: int, total: int = 0, message: str = "") -> None:
        calls.append((done, total))

    report = import_packages(sec_db, paths, progress, cancel=lambda: len(calls) >= 2)
    assert report.cancelled and report.exit_code == 1
    assert report.count("applied") == 2 and "cancelled" in report.summary
    assert replica.counts(sec_db)["entities"]["submission"] == 2
    sec_db.dispose()
    field_db.dispose()


def test_big_packages_write_attachments_without_keeping_them(tmp_path: Path, monkeypatch) -> None:
    import hashlib


    monkeypatch.setattr(reading, "KEEP_ATTACHMENT_BYTES", 0)  # every package counts as big
    sec_db, sec = new_profile(tmp_path / "sec", "secretariat", "Sec")
    field_db, field = new_profile(tmp_path / "field", "field", "Field")
    trust_keycard(sec_db, read_keycard(keycard(field_db, field, tmp_path)))
    files = {}
    for name in ("a", "b"):
        data = name.encode() * 1000
        sha = hashlib.sha256(data).hexdigest()
        (field_db.attachments_dir() / sha).write_bytes(data)
        files[name] = {"sha256": sha, "filename": name, "size": len(data), "media_type": "text/plain"}
    commit_submission(field_db, field, {"ev_a": files["a"]["sha256"], "ev_b": files["b"]["sha256"]},
                      {"ev_a": files["a"], "ev_b": files["b"]})
    export_package(field_db, "responses", tmp_path / "p.neascn", recipient=_recipient(sec))
    report = import_packages(sec_db, [tmp_path / "p.neascn"])
    assert report.exit_code == 0
    for meta in files.values():
        assert (sec_db.attachments_dir() / meta["sha256"]).stat().st_size == meta["size"]
    sec_db.dispose()
    field_db.dispose()


def test_a_refused_batch_leaves_no_staged_attachments_and_the_good_package_applies(
    tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    import hashlib

    from neascn_desktop.replica import ReplicaError
    from neascn_desktop.sync import applying

    sec_db, sec = new_profile(tmp_path / "sec", "secretariat", "Sec")
    field_db, field = new_profile(tmp_path / "field", "field", "Field")
    trust_keycard(sec_db, read_keycard(keycard(field_db, field, tmp_path)))
    paths, shas = [], []
    for index in range(2):
        data = f"evidence {index}".encode()
        sha = hashlib.sha256(data).hexdigest()
        (field_db.attachments_dir() / sha).write_bytes(data)
        meta = {"ev": {"sha256": sha, "filename": "e.txt", "size": len(data), "media_type": "text/plain"}}
        commit_submission(field_db, field, {"ev": sha}, meta)
        paths.append(tmp_path / f"{index}.neascn")
        export_package(field_db, "responses", paths[-1], recipient=_recipient(sec))
        shas.append(sha)
    bad_package = open_package(paths[1]).manifest.package_id
    real_add = applying.add_revisions

    def refuse_the_second(session, revisions, provenance=None, **options):  # type: ignore[no-untyped-def]
        if isinstance(provenance, dict) and bad_package in provenance.values():
            raise ReplicaError("refused")
        return real_add(session, revisions, provenance, **options)

    monkeypatch.setattr(applying, "add_revisions", refuse_the_second)
    report = import_packages(sec_db, paths)
    assert [o.status for o in report.outcomes] == ["applied", "refused"]
    folder = sec_db.attachments_dir()
    assert (folder / shas[0]).exists() and not (folder / shas[1]).exists()
    assert not [p for p in folder.iterdir() if p.name.endswith(".part")]
    sec_db.dispose()
    field_db.dispose()
