"""``package export`` streams the payload (issue 19): chosen revisions are kept without their
payloads and written by a second pass over the log, encrypted and hashed piece by piece.
The package is the one the whole-payload writer made: same lines, same order."""

from __future__ import annotations

import uuid
import zipfile
from pathlib import Path

import pytest

from neascn_desktop import replica
from neascn_desktop.identity.trust import read_keycard, trust_keycard
from neascn_desktop.sync import crypto, payload
from neascn_desktop.sync.container import open_package
from neascn_desktop.sync.exporter import Recipient, export_package
from neascn_desktop.sync.importer import import_packages
from neascn_desktop.sync.package_format import PAYLOAD
from tests.sync.sync_support import commit_submission, keycard, new_profile


def test_a_streamed_encryption_is_the_member_format_and_a_changed_byte_is_refused() -> None:
    key, aad = bytes(range(32)), crypto.member_aad(str(uuid.uuid4()))
    pieces = [b"first line\n", b"", b"x" * 100_000, b"last"]
    stored = b"".join(crypto.encrypt_stream(key, aad, pieces))
    assert crypto.decrypt_member(key, aad, stored) == b"".join(pieces)
    assert len(stored) == crypto.NONCE_BYTES + len(b"".join(pieces)) + crypto.TAG_BYTES
    changed = bytearray(stored)
    changed[len(changed) // 2] ^= 1
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt_member(key, aad, bytes(changed))
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt_member(key, b"another package", stored)


def test_export_all_writes_every_revision_in_log_order_and_imports(tmp_path: Path) -> None:
    sec_db, sec = new_profile(tmp_path / "sec", "secretariat", "Sec")
    field_db, field = new_profile(tmp_path / "field", "field", "Field")
    trust_keycard(field_db, read_keycard(keycard(sec_db, sec, tmp_path)))
    for number in range(7):
        rev = commit_submission(field_db, field, {"resp_name": f"Person {number}"})
        replica.commit(field_db, field.device_id, "submission", rev.entity_id,
                       dict(rev.payload, answers={"resp_name": f"Person {number}, revised"}))
    plain = export_package(field_db, "all", tmp_path / "all.neascn", full=True)
    # (the export added the built-in survey and cities to the log first)
    expected = payload.encode(replica.iter_revisions(field_db, sorted(payload.KIND_TYPES["all"]),
                                                     include_pending=True))
    with zipfile.ZipFile(plain.path) as zf:
        assert zf.read(PAYLOAD) == expected  # the lines the whole-payload writer wrote
    with open_package(plain.path) as reader:
        assert reader.manifest.counts["revisions"] == plain.revisions == expected.count(b"\n")
    # Encrypted for the secretariat, streamed through AES-GCM: it imports whole.
    recipient = Recipient(sec.device_id, sec.display_name, sec.encryption_public_key)
    sealed = export_package(field_db, "responses", tmp_path / "responses.neascn", recipient=recipient, full=True)
    trust_keycard(sec_db, read_keycard(keycard(field_db, field, tmp_path)))
    report = import_packages(sec_db, [sealed.path])
    assert report.exit_code == 0, report.outcomes[0].message
    assert replica.counts(sec_db)["entities"]["submission"] == 7
    sec_db.dispose()
    field_db.dispose()
