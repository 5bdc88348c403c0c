"""Evidence files survive a crash, and ``neascn check`` finds and restores what is missing.

Attachments are published (fsynced and renamed into place) before the transaction that
refers to them commits: an import killed right after its commit leaves every attachment in
place.  Temporary files of a writer that is gone are swept by the next run, those of a live
one (the command line may import beside the window) are not.  ``neascn check`` finds a
record whose attachment is missing or damaged and restores it from a package of a trusted
sender, never touching a revision.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from neascn_desktop import replica
from neascn_desktop.identity.trust import read_keycard, trust_keycard
from neascn_desktop.store import open_database
from neascn_desktop.store.attachments import STALE_SECONDS, file_matches, temporary_name
from neascn_desktop.store.crash import CRASH_ENV
from neascn_desktop.sync.evidence import referenced_attachments
from neascn_desktop.sync.exporter import Recipient, export_package
from neascn_desktop.sync.importer import import_packages
from tests.sync.sync_support import commit_submission, keycard, new_profile

PACKAGES = 18  # above reading.MIN_FILES_FOR_WORKERS: the command line reads with workers


def _recipient(profile) -> Recipient:  # type: ignore[no-untyped-def]
    return Recipient(profile.device_id, profile.display_name, profile.encryption_public_key)


def _evidence(db, profile, text: str) -> tuple[str, dict[str, Any]]:  # type: ignore[no-untyped-def]
    data = text.encode()
    sha = hashlib.sha256(data).hexdigest()
    (db.attachments_dir() / sha).write_bytes(data)
    return sha, {"ev": {"sha256": sha, "filename": "e.txt", "size": len(data), "media_type": "text/plain"}}


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A secretariat that trusts one field device; a folder of that device's packages (encrypted,
    each with a submission and its own attachment); a stranger's package carrying the same
    attachment as package 00."""
    root = tmp_path_factory.mktemp("evidence")
    sec_db, sec = new_profile(root / "sec", "secretariat", "Sec")
    field_db, field = new_profile(root / "field", "field", "Field")
    stranger_db, stranger = new_profile(root / "stranger", "field", "Stranger")
    trust_keycard(sec_db, read_keycard(keycard(field_db, field, root)))
    folder = root / "packages"
    folder.mkdir()
    for index in range(PACKAGES):
        sha, meta = _evidence(field_db, field, f"evidence {index}")
        commit_submission(field_db, field, {"resp_name": f"R{index}", "ev": sha}, meta)
        export_package(field_db, "responses", folder / f"{index:02d}.neascn", recipient=_recipient(sec))
    sha, meta = _evidence(stranger_db, stranger, "evidence 0")
    commit_submission(stranger_db, stranger, {"resp_name": "S", "ev": sha}, meta)
    export_package(stranger_db, "responses", root / "stranger.neascn")
    for db in (sec_db, field_db, stranger_db):
        db.dispose()
    return {"root": root, "sec": root / "sec", "packages": folder, "stranger": root / "stranger.neascn"}


def _neascn(data: Path, *args: Any, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "neascn_desktop.cli", "--data-dir", str(data),
                           *(str(a) for a in args)],
                          capture_output=True, text=True, timeout=300, env={**os.environ, **(env or {})})


def _copy(scene: dict[str, Path], name: str) -> Path:
    data = scene["root"] / name
    shutil.copytree(scene["sec"], data)
    return data


def _evidence_state(data: Path) -> tuple[int, list[str], list[str]]:
    """(packages applied, attachments referred to, those missing or damaged)."""
    db = open_database(data)
    try:
        folder = db.attachments_dir()
        referred = sorted(referenced_attachments(db))
        bad = [sha for sha in referred if not file_matches(folder / sha, sha)]
        applied = replica.counts(db)["revisions"]
    finally:
        db.dispose()
    return applied, referred, bad


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


# --- a crash right after the commit -------------------------------------------------------------

@pytest.mark.sqlite_only
@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="SIGKILL is POSIX")
def test_an_import_killed_right_after_its_commit_keeps_every_attachment(scene: dict[str, Path]) -> None:
    data = _copy(scene, "crashed")
    run = _neascn(data, "package", "import", scene["packages"], env={CRASH_ENV: "import-committed"})
    assert run.returncode == -signal.SIGKILL, run.stderr
    revisions, referred, bad = _evidence_state(data)
    assert revisions >= PACKAGES and len(referred) == PACKAGES  # the commit happened ...
    assert bad == []  # ... and every attachment it refers to is in place and intact
    again = _neascn(data, "--json", "package", "import", scene["packages"])
    assert again.returncode == 0 and json.loads(again.stdout)["already_imported"] == PACKAGES
    check = _neascn(data, "--json", "check")
    assert check.returncode == 0, check.stdout + check.stderr
    report = json.loads(check.stdout)
    assert report["problems"] == [] and report["referenced"] == PACKAGES and report["orphans"] == []
    assert json.loads(_neascn(data, "--json", "stats").stdout)["missing_attachments"] == 0
    assert not [p for p in (data / "attachments").iterdir() if p.name.startswith(".")]


# --- temporary files of crashed writers ---------------------------------------------------------

@pytest.mark.parametrize("command", [("package", "import"), ("check",)])
def test_temporary_files_of_a_dead_writer_are_swept_and_a_live_ones_kept(
        scene: dict[str, Path], command: tuple[str, ...]) -> None:
    data = _copy(scene, "sweep-" + "-".join(command))
    folder = data / "attachments"
    folder.mkdir(exist_ok=True)
    sha = "c" * 64
    dead = folder / temporary_name(sha, owner_pid=_dead_pid())
    live = folder / temporary_name(sha, owner_pid=os.getpid())  # this test process: alive
    dead_reader = folder / temporary_name(sha, owner_pid=_dead_pid(), tag="r0123456789ab-")
    older_name = folder / f".{sha}.{'0' * 32}.part"  # named by an earlier version: by age
    old_older_name = folder / ".incoming-0123abcd"
    for path in (dead, live, dead_reader, older_name, old_older_name):
        path.write_bytes(b"half written")
    long_ago = os.path.getmtime(older_name) - STALE_SECONDS - 60
    os.utime(old_older_name, (long_ago, long_ago))
    empty = scene["root"] / "no-packages"
    empty.mkdir(exist_ok=True)
    args = [*command, empty] if command[0] == "package" else list(command)
    run = _neascn(data, *args)
    assert run.returncode == 0, run.stdout + run.stderr
    assert not dead.exists() and not dead_reader.exists() and not old_older_name.exists()
    assert live.exists() and older_name.exists()


# --- neascn check -------------------------------------------------------------------------------

def _imported(scene: dict[str, Path], name: str) -> tuple[Path, str]:
    data = _copy(scene, name)
    db = open_database(data)
    report = import_packages(db, [scene["packages"]])
    assert report.exit_code == 0
    digest = replica.digest(db)
    db.dispose()
    return data, digest


def test_check_finds_a_missing_and_a_damaged_attachment_and_restores_them_from_the_package(
        scene: dict[str, Path]) -> None:
    data, digest = _imported(scene, "restore")
    _revisions, referred, _bad = _evidence_state(data)
    folder = data / "attachments"
    missing, damaged = referred[0], referred[1]
    (folder / missing).unlink()
    (folder / damaged).write_bytes(b"not the evidence")
    orphan = hashlib.sha256(b"nobody refers to this").hexdigest()
    (folder / orphan).write_bytes(b"nobody refers to this")

    assert json.loads(_neascn(data, "--json", "stats").stdout)["missing_attachments"] == 1
    found = _neascn(data, "--json", "check")
    assert found.returncode == 1
    report = json.loads(found.stdout)
    assert {(p["sha256"], p["problem"]) for p in report["problems"]} == {(missing, "missing"),
                                                                       (damaged, "damaged")}
    assert all(len(p["entities"]) == 1 and len(p["revisions"]) == 1 for p in report["problems"])
    assert report["orphans"] == [orphan]
    text = _neascn(data, "check")
    assert text.returncode == 1 and "2 attachments are missing or damaged" in text.stdout

    restored = _neascn(data, "--json", "check", "--from", scene["packages"])
    assert restored.returncode == 0, restored.stdout + restored.stderr
    report = json.loads(restored.stdout)
    assert sorted(report["restored"]) == sorted([missing, damaged]) and report["problems"] == []
    assert file_matches(folder / missing, missing) and file_matches(folder / damaged, damaged)
    assert (folder / orphan).exists()  # reported, never deleted
    stats = json.loads(_neascn(data, "--json", "stats").stdout)
    assert stats["missing_attachments"] == 0 and stats["digest"] == digest  # no revision touched
    assert _neascn(data, "check").returncode == 0


def test_check_takes_attachments_only_from_intact_packages_of_trusted_senders(scene: dict[str, Path]) -> None:
    """The stranger's package carries the very bytes that are missing, but its sender is not
    trusted; a damaged copy of the genuine package is refused: one sentence each, nothing
    written, the attachment still missing."""
    data, digest = _imported(scene, "hostile")
    folder = data / "attachments"
    missing = hashlib.sha256(b"evidence 0").hexdigest()
    (folder / missing).unlink()
    genuine = scene["packages"] / "00.neascn"
    damaged = scene["root"] / "00-damaged.neascn"
    blob = bytearray(genuine.read_bytes())
    blob[len(blob) // 2] ^= 0xFF
    damaged.write_bytes(bytes(blob))
    for source, words in ((scene["stranger"], "not trusted"), (damaged, "damaged")):
        run = _neascn(data, "check", "--from", source)
        assert run.returncode == 1, run.stdout + run.stderr
        [line] = [line for line in run.stdout.splitlines() if line.startswith(source.name)]
        assert words in line and "Traceback" not in run.stderr
        assert not (folder / missing).exists()
        assert not [p for p in folder.iterdir() if p.name.startswith(".")]
    assert json.loads(_neascn(data, "--json", "stats").stdout)["digest"] == digest
    assert _neascn(data, "check", "--from", genuine).returncode == 0
    assert file_matches(folder / missing, missing)


def test_check_of_a_path_that_does_not_exist_is_a_usage_error(scene: dict[str, Path]) -> None:
    data = _copy(scene, "usage")
    run = _neascn(data, "check", "--from", scene["root"] / "nowhere.neascn")
    assert run.returncode == 2 and "does not exist" in run.stderr and "Traceback" not in run.stderr


def test_check_restores_from_a_stored_inbox_copy_once_its_sender_is_trusted(scene: dict[str, Path]) -> None:
    """The stranger's package waited in the inbox; the stranger was trusted by key card and the
    package imported from its file.  The inbox copy stays, and ``check`` (no --from) uses it."""
    data = _copy(scene, "inbox-source")
    assert _neascn(data, "package", "import", scene["stranger"]).returncode == 1  # waits
    stranger_key = scene["root"] / "stranger.key"
    assert _neascn(scene["root"] / "stranger", "key", "export", "-o", stranger_key).returncode == 0
    assert _neascn(data, "trust", "add", stranger_key).returncode == 0
    assert _neascn(data, "package", "import", scene["stranger"]).returncode == 0
    assert list((data / "inbox").glob("*.neascn"))
    missing = hashlib.sha256(b"evidence 0").hexdigest()
    (data / "attachments" / missing).unlink()
    run = _neascn(data, "--json", "check")
    assert run.returncode == 0, run.stdout + run.stderr
    report = json.loads(run.stdout)
    assert report["restored"] == [missing] and report["sources"][0]["file"].startswith(str(data / "inbox"))
    assert file_matches(data / "attachments" / missing, missing)


def test_a_reference_that_is_not_a_content_hash_is_never_used_as_a_path(tmp_path: Path) -> None:
    """A stored record whose attachment "hash" is a path (64 characters, like a hash) names no
    file: check neither reads nor reports it, and restoring never writes outside the folder."""
    db, profile = new_profile(tmp_path / "sec", "secretariat", "Sec")
    (tmp_path / "sec" / "secret.txt").write_text("not evidence")
    crafted = ("./" * 30 + "../secret.txt")[-64:]
    assert len(crafted) == 64
    commit_submission(db, profile, {"resp_name": "X"},
                      {"ev": {"sha256": crafted, "filename": "x", "size": 1, "media_type": "text/plain"}})
    from neascn_desktop.sync.evidence import check_attachments

    report = check_attachments(db)
    assert report.referenced == 0 and report.problems == () and report.exit_code == 0
    assert json.loads(json.dumps(report.to_dict()))["orphans"] == []
    db.dispose()
