"""One database shared by a team on PostgreSQL: migrations, copying a laptop's database there
and back, and two members importing the same packages at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from neascn_desktop.store import open_database
from neascn_desktop.store.database import SCHEMA_HEAD, WRITE_LOCK_KEY, current_revision
from tests.team.conftest import FieldPackages

postgres = pytest.mark.postgres


def _neascn(data_dir: Path, url: str | None, *args: str) -> subprocess.Popen[str]:
    env = dict(os.environ)
    env.pop("NEASCN_DATABASE_URL", None)
    if url is not None:
        env["NEASCN_DATABASE_URL"] = url
    return subprocess.Popen([sys.executable, "-m", "neascn_desktop.cli", "--data-dir", str(data_dir), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def _finish(process: subprocess.Popen[str]) -> dict:
    out, err = process.communicate(timeout=600)
    assert process.returncode == 0, err
    assert "Traceback" not in err and "internal error" not in err, err
    return json.loads(out) if out.strip().startswith("{") else {"text": out}


def _digest(data_dir: Path, url: str | None) -> str:
    return _finish(_neascn(data_dir, url, "--json", "stats"))["digest"]


@postgres
def test_migrations_reach_the_head_and_match_the_declared_tables(postgres_url: str, tmp_path: Path) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from neascn_desktop.store.schema import metadata

    db = open_database(tmp_path, postgres_url)
    try:
        assert current_revision(db.engine) == SCHEMA_HEAD
        with db.engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), metadata) == []
    finally:
        db.dispose()
    # Opening again (another member's machine) changes nothing.
    again = open_database(tmp_path / "other", postgres_url)
    again.dispose()


def test_copy_goes_only_into_an_empty_database(field_packages: FieldPackages, tmp_path: Path, cli) -> None:
    target = tmp_path / "copy.sqlite3"
    code, out, err = cli("--data-dir", field_packages.secretariat, "--json", "db", "copy", "--to", target)
    assert code == 0, err
    first = json.loads(out)
    assert first["rows"]["profile"] == 1 and first["rows"]["trusted_device"] == 3
    code, _out, err = cli("--data-dir", field_packages.secretariat, "db", "copy", "--to", target)
    assert code != 0 and "is not empty" in err
    assert "Traceback" not in err


def test_copy_to_a_file_and_back_keeps_the_digest(field_packages: FieldPackages, tmp_path: Path, cli) -> None:
    sec = field_packages.secretariat
    code, _out, err = cli("--data-dir", sec, "package", "import", field_packages.packages)
    assert code == 0, err
    before = json.loads(cli("--data-dir", sec, "--json", "stats")[1])
    offline = tmp_path / "offline.sqlite3"
    assert cli("--data-dir", sec, "db", "copy", "--to", offline)[0] == 0
    back = tmp_path / "back"
    code, _out, err = cli("--data-dir", back, "db", "copy", "--from", offline)
    assert code == 0, err
    after = json.loads(cli("--data-dir", back, "--json", "stats")[1])
    for key in ("digest", "revisions", "entities", "trusted_devices"):
        assert after[key] == before[key], key


@postgres
def test_copy_to_the_server_and_back(field_packages: FieldPackages, postgres_url: str, tmp_path: Path,
                                     cli) -> None:
    sec = field_packages.secretariat
    assert cli("--data-dir", sec, "package", "import", field_packages.packages)[0] == 0
    before = _digest(sec, None)
    code, out, err = cli("--data-dir", sec, "--json", "db", "copy", "--to", postgres_url)
    assert code == 0, err
    assert json.loads(out)["digest"] == before
    assert _digest(sec, postgres_url) == before
    back = tmp_path / "back"
    code, _out, err = cli("--data-dir", back, "db", "copy", "--from", postgres_url)
    assert code == 0, err
    assert _digest(back, None) == before


def _waiting_writers(admin_url: str) -> int:
    engine = create_engine(admin_url)
    try:
        with engine.connect() as conn:
            return int(conn.exec_driver_sql(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted").scalar() or 0)
    finally:
        engine.dispose()


@postgres
def test_two_members_importing_the_same_packages_at_once(field_packages: FieldPackages, postgres_url: str,
                                                         cli) -> None:
    """Both end cleanly, each package is applied once, and the result is that of a one-by-one import.

    The two imports are made to collide: the test holds the team's write lock until both wait
    for it, so neither can finish before the other starts, whatever the scheduler does.
    """
    sec = field_packages.secretariat
    assert cli("--data-dir", sec, "db", "copy", "--to", postgres_url)[0] == 0
    for path in sorted(field_packages.packages.iterdir()):  # the reference: one by one, on SQLite
        assert cli("--data-dir", sec, "package", "import", path)[0] == 0
    expected = _digest(sec, None)

    holder = create_engine(postgres_url)
    try:
        with holder.connect() as conn, conn.begin():
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")
            members = [_neascn(sec, postgres_url, "--json", "package", "import", str(field_packages.packages))
                       for _ in range(2)]
            while _waiting_writers(postgres_url) < 2:
                assert all(m.poll() is None for m in members), [m.communicate() for m in members]
        reports = [_finish(m) for m in members]
    finally:
        holder.dispose()

    statuses = [[p["status"] for p in report["packages"]] for report in reports]
    assert all(len(s) == field_packages.count for s in statuses)
    for first, second in zip(*statuses, strict=True):
        assert sorted((first, second)) == ["already_imported", "applied"]
    assert _digest(sec, postgres_url) == expected


def _holding_write_lock(conn) -> bool:  # type: ignore[no-untyped-def]
    return bool(conn.exec_driver_sql(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = pg_backend_pid()"
    ).scalar())


@postgres
def test_every_writing_transaction_takes_the_write_lock_and_reads_do_not(postgres_url: str,
                                                                         tmp_path: Path) -> None:
    db = open_database(tmp_path, postgres_url)
    try:
        with db.writing() as conn:
            assert _holding_write_lock(conn)
            assert conn.exec_driver_sql("SHOW transaction_isolation").scalar() == "read committed"
        with db.transaction() as session:
            assert _holding_write_lock(session.connection())
        with db.connect() as conn:
            assert not _holding_write_lock(conn)
    finally:
        db.dispose()


@postgres
def test_the_window_refreshes_when_another_member_commits(qtbot, postgres_url: str, tmp_path: Path,
                                                          cli) -> None:  # type: ignore[no-untyped-def]
    from neascn_desktop.changes import Changes
    from neascn_desktop.gui.change_hub import ChangeHub

    alice = tmp_path / "alice"
    assert cli("--data-dir", alice, "init", "--name", "Alice", "--role", "secretariat")[0] == 0
    assert cli("--data-dir", alice, "db", "copy", "--to", postgres_url, "--switch")[0] == 0
    db = open_database(alice)
    hub = ChangeHub()
    received: list[Changes] = []
    hub.dataChanged.connect(received.append)
    try:
        hub.watch(db, interval_ms=50)
        with db.writing():
            pass  # the window's own commit: not published as "everything"
        joined = _neascn(tmp_path / "bob", postgres_url, "join", postgres_url, "--name", "Bob")
        _finish(joined)  # another process commits
        qtbot.waitUntil(lambda: Changes.all() in received, timeout=120_000)
        assert all(changes == Changes.all() for changes in received)
    finally:
        hub.stop()
        db.dispose()


@postgres
def test_notifications_name_their_process(postgres_url: str, tmp_path: Path) -> None:
    """A commit notifies at commit only, with its engine's origin: the listener skips its own."""
    from neascn_desktop.store.database import origin_of
    from neascn_desktop.store.listening import ChangeListener

    db = open_database(tmp_path / "a", postgres_url)
    listener = ChangeListener(db)
    try:
        try:
            with db.writing():
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
        with db.writing():
            pass
        _finish(_neascn(tmp_path / "b", postgres_url, "init", "--name", "Bob", "--role", "secretariat"))
        payloads = [n.payload for n in listener._conn.notifies(timeout=120, stop_after=2)]
        own = origin_of(db.engine)
        assert payloads[0] == own and payloads[1] != own  # the rolled-back one never came
    finally:
        listener.close()
        db.dispose()
