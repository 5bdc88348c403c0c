from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from neascn_desktop.identity.profile import create_profile, load_profile
from neascn_desktop.store import StoreError, open_database
from neascn_desktop.store.database import DB_FILENAME, current_revision, head_revision


@pytest.mark.sqlite_only
def test_new_database_is_at_head_with_wal_and_foreign_keys(data_dir: Path) -> None:
    db = open_database(data_dir)
    try:
        assert (data_dir / DB_FILENAME).exists()
        assert current_revision(db.engine) == head_revision()
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
        assert db.backup_path is None
    finally:
        db.dispose()


@pytest.mark.sqlite_only
def test_upgrade_from_older_revision_takes_a_backup_and_keeps_data(data_dir: Path) -> None:
    old = open_database(data_dir, target="0001_foundation")
    assert current_revision(old.engine) == "0001_foundation"
    create_profile(old, name="Early User", role="field")
    old.dispose()

    db = open_database(data_dir)
    try:
        assert current_revision(db.engine) == head_revision()
        assert db.backup_path is not None and db.backup_path.exists()
        assert "0001_foundation" in db.backup_path.name
        profile = load_profile(db)
        assert profile is not None and profile.display_name == "Early User"
        backup = sqlite3.connect(db.backup_path)
        try:
            assert backup.execute("SELECT version_num FROM alembic_version").fetchone() == (
                "0001_foundation",
            )
            assert backup.execute("SELECT display_name FROM profile").fetchone() == ("Early User",)
        finally:
            backup.close()
    finally:
        db.dispose()


def test_reopening_an_up_to_date_database_takes_no_backup(data_dir: Path) -> None:
    open_database(data_dir).dispose()
    db = open_database(data_dir)
    assert db.backup_path is None
    db.dispose()
    assert not list(data_dir.glob("*.backup-*"))


@pytest.mark.sqlite_only
def test_a_corrupt_database_file_is_refused_with_one_sentence(data_dir: Path) -> None:
    (data_dir / DB_FILENAME).write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError) as err:
        open_database(data_dir)
    assert "\n" not in str(err.value)
    assert str(data_dir) in str(err.value)


def test_a_write_transaction_rolls_back_on_error(db) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(RuntimeError):
        with db.transaction() as session:
            session.execute(text("INSERT INTO setting (key, value) VALUES ('k', 'v')"))
            raise RuntimeError("boom")
    with db.session() as session:
        assert session.execute(text("SELECT count(*) FROM setting")).scalar() == 0


@pytest.mark.sqlite_only
def test_two_processes_can_write_one_after_the_other(data_dir: Path) -> None:
    """The CLI writing while the GUI holds a connection open: the busy timeout makes it wait."""
    gui = open_database(data_dir)
    cli = open_database(data_dir)
    try:
        with gui.transaction() as session:
            session.execute(text("INSERT INTO setting (key, value) VALUES ('a', '1')"))
        with cli.transaction() as session:
            session.execute(text("INSERT INTO setting (key, value) VALUES ('b', '2')"))
        before = gui.data_version()
        with cli.transaction() as session:
            session.execute(text("UPDATE setting SET value = '3' WHERE key = 'b'"))
        assert gui.data_version() != before
    finally:
        gui.dispose()
        cli.dispose()


def test_schema_head_constant_matches_the_newest_migration() -> None:
    from neascn_desktop.store.database import SCHEMA_HEAD

    assert SCHEMA_HEAD == head_revision()


posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    previous = os.umask(0o002)
    yield
    os.umask(previous)


@posix_only
@pytest.mark.sqlite_only
def test_new_data_directory_and_database_files_are_owner_only(tmp_path: Path, permissive_umask) -> None:
    data_dir = tmp_path / "new"
    db = open_database(data_dir)
    try:
        create_profile(db, name="Field", role="field")  # a write: the -wal and -shm files exist
        db_file = data_dir / DB_FILENAME
        files = [db_file, *(db_file.with_name(db_file.name + s) for s in ("-wal", "-shm"))]
        assert all(f.exists() for f in files)
        assert _mode(data_dir) == 0o700
        assert {f.name: _mode(f) for f in files} == {f.name: 0o600 for f in files}
    finally:
        db.dispose()


@posix_only
@pytest.mark.sqlite_only
def test_opening_tightens_an_existing_permissive_data_directory(tmp_path: Path, permissive_umask) -> None:
    data_dir = tmp_path / "old"
    data_dir.mkdir(mode=0o775)
    db_file = data_dir / DB_FILENAME
    sqlite3.connect(db_file).close()  # as an older version left it (SQLite creates 0644)
    os.chmod(data_dir, 0o775)
    assert _mode(db_file) == 0o644
    open_database(data_dir).dispose()
    assert _mode(data_dir) == 0o700 and _mode(db_file) == 0o600


@posix_only
@pytest.mark.sqlite_only
def test_upgrade_backup_is_owner_only(data_dir: Path, permissive_umask) -> None:
    open_database(data_dir, target="0001_foundation").dispose()
    db = open_database(data_dir)
    try:
        assert db.backup_path is not None and _mode(db.backup_path) == 0o600
    finally:
        db.dispose()
