"""Reading packages in worker processes (``sync.reading.ReadAhead``).

Whatever the workers do — read everything, die half-way, get cancelled — an
import must end exactly as if every file had been read in the importing process:
same outcomes, same revision log, same attachments, no temporary files left.
The workers are forked, so each scenario runs in a fresh single-threaded Python
process (the pytest process may already run Qt's threads, and then nothing forks).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from neascn_desktop.identity.trust import read_keycard, trust_keycard
from neascn_desktop.sync.exporter import Recipient, export_package
from tests.sync.sync_support import commit_submission, keycard, new_profile

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux only")

PACKAGES = 24  # above reading.MIN_FILES_FOR_WORKERS

# Runs in a fresh interpreter: import FOLDER into DATA with N workers (after PATCH, which
# may replace things in the workers), then print what happened as JSON.
SCRIPT = textwrap.dedent('''
    import json, os, sys
    from pathlib import Path
    from neascn_desktop.sync import reading
    data, folder, workers, patch, cancel_after, parent_patch = sys.argv[1:7]
    original = reading.prepare
    exec(patch)  # seen by the workers only: undone as soon as they are started
    files = reading.expand_paths([Path(folder)])
    with reading.ReadAhead(files, Path(data), workers=int(workers)) as ahead:
        reading.prepare = original
        from neascn_desktop import replica
        from neascn_desktop.store import open_database
        from neascn_desktop.sync import applying  # what a patch may replace
        from neascn_desktop.sync.importer import import_packages
        exec(parent_patch)  # in the importing process only
        db = open_database(Path(data))
        calls = []
        cancel = (lambda: len(calls) >= int(cancel_after)) if int(cancel_after) else None
        report = import_packages(db, files, lambda *a: calls.append(a), cancel, read_ahead=ahead)
        started = ahead.workers
        delivered = ahead.delivered
        stolen = ahead.stolen + ahead.reread
    folder = db.attachments_dir()
    print(json.dumps({
        "statuses": [o.status for o in report.outcomes],
        "messages": [o.message for o in report.outcomes],
        "digest": replica.digest(db),
        "attachments": sorted(p.name for p in folder.iterdir()),
        "workers": started, "delivered": delivered, "stolen": stolen,
    }))
    db.dispose()
''')


def _recipient(profile) -> Recipient:  # type: ignore[no-untyped-def]
    return Recipient(profile.device_id, profile.display_name, profile.encryption_public_key)


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A secretariat that trusts one field device, and a folder of its packages: each with a
    submission and an attachment (every fifth attachment is shared with the package before,
    so two workers may both stage it), one damaged file and one from an unknown device."""
    root = tmp_path_factory.mktemp("read-ahead")
    sec_db, sec = new_profile(root / "sec", "secretariat", "Sec")
    field_db, field = new_profile(root / "field", "field", "Field")
    stranger_db, stranger = new_profile(root / "stranger", "field", "Stranger")
    trust_keycard(sec_db, read_keycard(keycard(field_db, field, root)))
    folder = root / "packages"
    folder.mkdir()
    for index in range(PACKAGES):
        data = f"evidence {index - 1 if index % 5 == 0 and index else index}".encode()
        sha = hashlib.sha256(data).hexdigest()
        (field_db.attachments_dir() / sha).write_bytes(data)
        meta = {"ev": {"sha256": sha, "filename": "e.txt", "size": len(data), "media_type": "text/plain"}}
        commit_submission(field_db, field, {"resp_name": f"R{index}", "ev": sha}, meta)
        export_package(field_db, "responses", folder / f"{index:02d}.neascn", recipient=_recipient(sec),
                       full=index % 5 == 0)
    commit_submission(stranger_db, stranger, {"resp_name": "S"})
    export_package(stranger_db, "responses", folder / "30-stranger.neascn", recipient=_recipient(sec))
    damaged = bytearray((folder / "03.neascn").read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF
    (folder / "31-damaged.neascn").write_bytes(bytes(damaged))
    for db in (sec_db, field_db, stranger_db):
        db.dispose()
    return {"root": root, "sec": root / "sec", "packages": folder}


# In the importing process: never read a file of the queue itself and wait for the workers as
# long as it takes (an hour stands for ever), so which files the workers deliver does not depend
# on how much processor time they get.  Only for runs where every worker lives to the end.
PATIENT = "reading.MAX_READ_HERE_AHEAD = 0\nreading.MIN_PATIENCE_SECONDS = 3600.0\n"


def _run(scene: dict[str, Path], name: str, workers: int, patch: str = "", cancel_after: int = 0,
         parent_patch: str = "") -> dict:
    data = scene["root"] / name
    shutil.copytree(scene["sec"], data)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(data), str(scene["packages"]), str(workers), patch, str(cancel_after),
         parent_patch],
        capture_output=True, text=True, env=env, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def _no_parts(scene: dict[str, Path], name: str) -> bool:
    return not [p for p in (scene["root"] / name / "attachments").iterdir() if p.name.endswith(".part")]


def test_workers_import_exactly_what_the_importing_process_would(scene: dict[str, Path]) -> None:
    alone = _run(scene, "alone", workers=0)
    ahead = _run(scene, "ahead", workers=2)
    patient = _run(scene, "patient", workers=2, parent_patch=PATIENT)
    assert alone["workers"] == 0 and alone["delivered"] == 0
    assert ahead["workers"] == patient["workers"] == 2
    # Every readable file of the trusted sender came from a worker or was taken from the queue
    # by the importer; the unknown sender's is never read ahead (only its manifest is read, by
    # the importer, which parks it); the damaged one was read again, to be refused with the
    # in-process message.  How they share depends on the machine's load ...
    assert PACKAGES <= ahead["delivered"] + ahead["stolen"] <= PACKAGES + 1
    # ... unless the importer waits for the workers: then they deliver every readable file
    # a trusted key signed.
    assert patient["delivered"] == PACKAGES and patient["stolen"] == 0
    for run in (ahead, patient):
        assert run["statuses"] == alone["statuses"]
        assert run["messages"] == alone["messages"]
        assert run["digest"] == alone["digest"]
        assert run["attachments"] == alone["attachments"]
    assert ahead["statuses"].count("applied") == PACKAGES
    assert ahead["statuses"][-2:] == ["waiting", "refused"]
    assert len(ahead["attachments"]) == PACKAGES - (PACKAGES - 1) // 5
    assert _no_parts(scene, "alone") and _no_parts(scene, "ahead") and _no_parts(scene, "patient")


def test_a_worker_that_dies_leaves_its_files_to_the_importer(scene: dict[str, Path]) -> None:
    # Whichever worker takes the seventh file dies.
    patch = textwrap.dedent('''
        real = reading.prepare
        def prepare(path, limits, keys, accept=None):
            if path.name == "07.neascn":
                os._exit(9)
            return real(path, limits, keys, accept)
        reading.prepare = prepare
    ''')
    alone = _run(scene, "alone-2", workers=0)
    crashed = _run(scene, "crashed", workers=2, patch=patch)
    assert crashed["workers"] == 2 and crashed["delivered"] <= PACKAGES  # not all 25 readable ones
    assert crashed["statuses"] == alone["statuses"] and crashed["digest"] == alone["digest"]
    assert crashed["attachments"] == alone["attachments"]
    assert _no_parts(scene, "crashed")


def test_a_worker_error_is_read_again_and_reported_as_in_process(scene: dict[str, Path]) -> None:
    patch = textwrap.dedent('''
        real = reading.prepare
        def prepare(path, limits, keys, accept=None):
            if path.name.startswith("1"):
                raise RuntimeError("a bug in a worker")
            return real(path, limits, keys, accept)
        reading.prepare = prepare
    ''')
    alone = _run(scene, "alone-3", workers=0)
    buggy = _run(scene, "buggy", workers=2, patch=patch)
    assert buggy["delivered"] <= PACKAGES + 1 - 10
    assert buggy["statuses"] == alone["statuses"] and buggy["digest"] == alone["digest"]
    assert _no_parts(scene, "buggy")


def test_a_refused_batch_is_retried_with_the_attachments_the_workers_wrote(scene: dict[str, Path]) -> None:
    """The revision log refuses the batch holding package 22 (and 22 alone when retried): the
    workers' attachment files of the whole batch are gone with the refused attempt, so the
    retry reads each package's attachments again from its file."""
    parent_patch = textwrap.dedent('''
        from neascn_desktop.replica import ReplicaError
        from neascn_desktop.sync.container import open_package
        bad = open_package(Path(folder) / "22.neascn").manifest.package_id
        real_add = applying.add_revisions
        def refuse(session, revisions, provenance=None, **options):
            if isinstance(provenance, dict) and bad in provenance.values():
                raise ReplicaError("refused")
            return real_add(session, revisions, provenance, **options)
        applying.add_revisions = refuse
    ''')
    alone = _run(scene, "alone-4", workers=0)
    retried = _run(scene, "retried", workers=2, parent_patch=PATIENT + parent_patch)
    # The workers wrote every attachment file (of every package a trusted key signed).
    assert retried["delivered"] == PACKAGES
    statuses = list(alone["statuses"])
    statuses[22] = "refused"
    assert retried["statuses"] == statuses
    # Every applied package's attachment is in place; 22's own (no later package carries it) is not.
    assert len(retried["attachments"]) == len(alone["attachments"]) - 1
    assert set(retried["attachments"]) < set(alone["attachments"])
    assert _no_parts(scene, "retried")


def test_cancelling_leaves_no_temporary_files(scene: dict[str, Path]) -> None:
    cancelled = _run(scene, "cancelled", workers=2, cancel_after=5)
    assert cancelled["statuses"] == ["applied"] * 5
    assert _no_parts(scene, "cancelled")
    # What was applied has its attachments; nothing else arrived.
    assert len(cancelled["attachments"]) == 5


def test_the_command_line_reads_with_workers_and_gives_the_same_result(scene: dict[str, Path]) -> None:
    results = {}
    for workers in ("0", "2"):
        data = scene["root"] / f"cli-{workers}"
        shutil.copytree(scene["sec"], data)
        env = {**os.environ, "NEASCN_READ_WORKERS": workers}
        run = subprocess.run([sys.executable, "-m", "neascn_desktop.cli", "--data-dir", str(data), "--json",
                              "package", "import", str(scene["packages"])],
                             capture_output=True, text=True, env=env, timeout=300)
        assert run.returncode == 1, run.stderr  # one waits, one is refused
        stats = subprocess.run([sys.executable, "-m", "neascn_desktop.cli", "--data-dir", str(data), "stats",
                                "--json"], capture_output=True, text=True, timeout=300)
        results[workers] = (json.loads(run.stdout)["packages"], json.loads(stats.stdout)["digest"])
        assert not [p for p in (data / "attachments").iterdir() if p.name.endswith(".part")]
    assert [o["status"] for o in results["2"][0]] == [o["status"] for o in results["0"][0]]
    assert results["2"][1] == results["0"][1]


def test_reading_packages_does_not_load_the_database_layer() -> None:
    """The command line starts the workers before it loads SQLAlchemy: keep sync.reading light."""
    code = "import sys, neascn_desktop.sync.reading; print(sorted(m for m in sys.modules if 'sqlalchemy' in m))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_temporary_files_of_an_interrupted_import_are_swept(tmp_path: Path) -> None:
    """Files named by an earlier version (no writer's process id in the name) go by age; see
    tests/sync/test_sync_evidence.py for the names of this version."""
    from neascn_desktop.store.attachments import STALE_SECONDS
    from neascn_desktop.sync.importer import import_packages

    db, _profile = new_profile(tmp_path / "sec", "secretariat", "Sec")
    folder = db.attachments_dir()
    old, fresh = folder / (".%s.1.part" % ("a" * 64)), folder / (".%s.2.part" % ("b" * 64))
    for path in (old, fresh):
        path.write_bytes(b"left over")
    long_ago = time.time() - STALE_SECONDS - 60
    os.utime(old, (long_ago, long_ago))
    import_packages(db, [])
    assert not old.exists() and fresh.exists()  # a fresh one may belong to an import running now
    db.dispose()


def test_importing_into_a_data_directory_without_a_profile_writes_nothing(scene: dict[str, Path]) -> None:
    empty = scene["root"] / "empty"
    empty.mkdir()
    run = subprocess.run([sys.executable, "-m", "neascn_desktop.cli", "--data-dir", str(empty), "package",
                          "import", str(scene["packages"])], capture_output=True, text=True, timeout=300)
    assert run.returncode == 2 and "neascn init" in run.stderr
    assert [p.name for p in empty.iterdir()] in ([], ["neascn.sqlite3"])  # opening created the database


def test_an_interrupted_import_leaves_no_temporary_files(scene: dict[str, Path]) -> None:
    """Ctrl+C while the workers are ahead: whatever they wrote and nobody took over is removed."""
    parent_patch = PATIENT + textwrap.dedent('''
        real_take = reading.ReadAhead.take
        def take(self, index):
            prepared = real_take(self, index)
            if index == 12:  # interrupted with file 12 in hand (its attachment written by a worker)
                assert prepared is not None and prepared.staged
                for thread in self._threads:  # the workers have written the attachments of later files
                    thread.join()
                raise KeyboardInterrupt
            return prepared
        reading.ReadAhead.take = take
    ''')
    data = scene["root"] / "interrupted"
    shutil.copytree(scene["sec"], data)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(data), str(scene["packages"]), "2", "", "0", parent_patch],
        capture_output=True, text=True, env=env, timeout=300,
    )
    assert result.returncode != 0 and "KeyboardInterrupt" in result.stderr
    assert _no_parts(scene, "interrupted")


def test_a_relative_data_directory_is_read_ahead_too(scene: dict[str, Path]) -> None:
    """The workers read the trusted keys from the SQLite file by URI, which needs an absolute path:
    ``--data-dir`` relative to the working folder crashed the import with an internal error."""
    data = scene["root"] / "relative"
    shutil.copytree(scene["sec"], data)
    run = subprocess.run([sys.executable, "-m", "neascn_desktop.cli", "--data-dir", "relative", "--json",
                          "package", "import", str(scene["packages"])],
                         capture_output=True, text=True, timeout=300, cwd=scene["root"],
                         env={**os.environ, "NEASCN_READ_WORKERS": "2"})
    assert run.returncode == 1 and "internal error" not in run.stderr, run.stderr  # one waits, one is refused
    assert [o["status"] for o in json.loads(run.stdout)["packages"]].count("applied") > 0
