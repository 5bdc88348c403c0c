"""The one attachment writer (``store.attachments``) and data entry going through it."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from neascn_desktop.identity.profile import Profile
from neascn_desktop.store import Database
from neascn_desktop.store import attachments as store
from neascn_desktop.store.errors import AttachmentError
from neascn_desktop.surveys import service
from neascn_desktop.sync.evidence import check_attachments
from tests.surveys.conftest import install_test_data


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_bytes_that_do_not_match_their_hash_are_never_written(tmp_path: Path) -> None:
    for name in (_sha(b"other"), "../../keys/x", "A" * 64):
        with pytest.raises(AttachmentError):
            store.write_temporary(tmp_path, name, b"evidence")
    assert list(tmp_path.iterdir()) == []


def test_a_written_file_has_no_final_name_until_it_is_published(tmp_path: Path) -> None:
    sha = _sha(b"evidence")
    staged = store.write_temporary(tmp_path, sha, b"evidence")
    assert [p.name for p in tmp_path.iterdir()] == [staged.temporary.name]
    assert staged.temporary.name.startswith(f".{sha}.{os.getpid()}.") and store.is_temporary(staged.temporary.name)
    store.publish([staged])
    assert [p.name for p in tmp_path.iterdir()] == [sha] and store.file_matches(tmp_path / sha, sha)


@pytest.fixture
def entry_db(db: Database, field_profile: Profile) -> Database:
    install_test_data(db)
    return db


def _submission(db: Database, profile: Profile) -> str:
    submission_id = service.create_submission(db, profile, "seoul", form_id="mini").submission.id
    service.autosave(db, submission_id, {"has_strategy": "yes"})
    return submission_id


def test_data_entry_writes_through_the_writer_and_replaces_a_damaged_copy(
        entry_db: Database, field_profile: Profile, tmp_path: Path) -> None:
    """A file of the same hash that does not hold that content (a disk error, an earlier crash)
    is replaced, not trusted; nothing temporary is left behind."""
    evidence = tmp_path / "strategy.pdf"
    evidence.write_bytes(b"%PDF-1.7 strategy")
    sha = _sha(b"%PDF-1.7 strategy")
    folder = entry_db.attachments_dir()
    (folder / sha).write_bytes(b"%PDF-1.7 str")  # truncated
    submission_id = _submission(entry_db, field_profile)
    result = service.attach_file(entry_db, submission_id, "strategy_doc", evidence)
    assert result.submission.attachments["strategy_doc"]["sha256"] == sha
    assert (folder / sha).read_bytes() == b"%PDF-1.7 strategy"
    assert [p.name for p in folder.iterdir()] == [sha]


def test_an_attachment_in_a_working_copy_counts_as_referred_to(
        entry_db: Database, field_profile: Profile, tmp_path: Path) -> None:
    """Only autosaved (no revision yet): not an orphan, and reported when it goes missing."""
    evidence = tmp_path / "strategy.pdf"
    evidence.write_bytes(b"%PDF-1.7 strategy")
    submission_id = _submission(entry_db, field_profile)
    sha = service.attach_file(entry_db, submission_id, "strategy_doc", evidence).submission.attachments[
        "strategy_doc"]["sha256"]
    report = check_attachments(entry_db)
    assert report.exit_code == 0 and report.orphans == () and report.referenced == 1
    (entry_db.attachments_dir() / sha).unlink()
    report = check_attachments(entry_db)
    assert report.exit_code == 1
    assert [(p.sha256, p.problem, p.entities) for p in report.problems] == [(sha, "missing", (submission_id,))]


def test_a_data_entry_temporary_file_of_a_dead_process_is_swept(entry_db: Database) -> None:
    folder = entry_db.attachments_dir()
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    dead = folder / store.temporary_name(store.INCOMING, owner_pid=child.pid)
    mine = folder / store.temporary_name(store.INCOMING)
    for path in (dead, mine):
        path.write_bytes(b"half a photo")
    assert store.sweep_temporary(folder) == 1
    assert not dead.exists() and mine.exists()
