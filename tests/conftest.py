"""Fixtures shared by every room's tests: data directories with real profiles, the real CLI."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from neascn_desktop import i18n  # noqa: E402
from neascn_desktop.identity.profile import Profile, create_profile  # noqa: E402
from neascn_desktop.store import Database, open_database  # noqa: E402


@pytest.fixture(autouse=True)
def _english_and_isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory) -> Iterator[None]:
    """Every test starts in English and never touches the real user data directory."""
    monkeypatch.delenv("NEASCN_DATABASE_URL", raising=False)
    monkeypatch.setenv("NEASCN_DATA_DIR", str(tmp_path_factory.mktemp("default-data")))
    i18n.set_language("en")
    yield
    i18n.set_language("en")


#: The whole suite on PostgreSQL (opt-in, e.g. before a release): with a server URL here, every
#: data directory a test opens without a URL of its own gets a throwaway database on that server
#: (remembered in the directory, as ``neascn join`` does, so the CLI in a subprocess finds it too).
ALL_ON_POSTGRES_ENV = "NEASCN_TEST_DATABASE_URL"
_created: list[str] = []
_owners: dict[str, Path] = {}  # database URL -> the data directory it was made for

#: A PostgreSQL server the tests marked ``postgres`` may create throwaway databases on, e.g.
#: ``postgresql+psycopg://postgres@/postgres?host=/tmp/pg-socket`` (``.ci/run`` starts one).
POSTGRES_ENV = "NEASCN_TEST_POSTGRES_URL"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without a server the PostgreSQL tests are skipped, with one line that says how to run them;
    with the whole suite on PostgreSQL, the tests of what only a SQLite file has are."""
    if os.environ.get(ALL_ON_POSTGRES_ENV):
        on_postgres = pytest.mark.skip(reason=f"about SQLite files ({ALL_ON_POSTGRES_ENV} runs on PostgreSQL)")
        for item in items:
            if "sqlite_only" in item.keywords:
                item.add_marker(on_postgres)
    if os.environ.get(POSTGRES_ENV):
        return
    skip = pytest.mark.skip(reason=f"no PostgreSQL server: set {POSTGRES_ENV} (bash .ci/run starts one)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


#: Set by ``.ci/run``, whose server is deleted whole afterwards: the test databases are not dropped
#: one by one at the end (each DROP DATABASE waits for a checkpoint: minutes for the suite).
THROWAWAY_SERVER_ENV = "NEASCN_TEST_THROWAWAY_SERVER"
_template: list[str] = []  # the migrated database new ones are copied from, once made


def _admin(server: str) -> Any:
    from sqlalchemy import create_engine

    return create_engine(server, isolation_level="AUTOCOMMIT")


def _url(server: str, name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(server).set(database=name).render_as_string(hide_password=False)


def _create_database(server: str, *, blank: bool = False) -> str:
    """A new database on the server: a copy of one migrated to the head (migrating each one
    took most of the suite's time on PostgreSQL), or ``blank``."""
    if not blank and not _template:
        from sqlalchemy.engine import make_url

        template = _create_database(server, blank=True)
        open_database(Path(os.environ["NEASCN_DATA_DIR"]), template).dispose()
        _template.append(str(make_url(template).database))
    name = f"neascn_test_{uuid.uuid4().hex[:16]}"
    admin = _admin(server)
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"' + ("" if blank else f' TEMPLATE "{_template[0]}"'))
    finally:
        admin.dispose()
    _created.append(name)
    return _url(server, name)


@pytest.fixture(autouse=True)
def _data_directories_on_postgres(monkeypatch: pytest.MonkeyPatch) -> None:
    server = os.environ.get(ALL_ON_POSTGRES_ENV)
    if not server:
        return
    import shutil

    from neascn_desktop.paths import DB_FILENAME
    from neascn_desktop.store import database

    remembered = database.stored_url
    copytree = shutil.copytree

    def new_database(data_dir: Path, copy_of: str | None = None) -> str:
        created = _create_database(server)
        if copy_of is not None:
            from neascn_desktop.team.copying import copy_database

            source, target = open_database(data_dir, copy_of), open_database(data_dir, created)
            try:
                copy_database(source, target)
            finally:
                source.dispose()
                target.dispose()
        _owners[created] = data_dir.resolve()
        data_dir.mkdir(parents=True, exist_ok=True)
        database.store_url(data_dir, created)
        return created

    def remembered_or_new(data_dir: Path) -> str | None:
        data_dir = Path(data_dir)
        url = remembered(data_dir)
        owner = _owners.get(url or "")
        if url is not None and (owner is None or owner == data_dir.resolve()):
            return url
        if url is None and (data_dir / DB_FILENAME).exists():
            return None  # made before this fixture applied (a module's fixture): stays on SQLite
        return new_database(data_dir, copy_of=url)  # a data directory copied some other way

    def copytree_with_database(src: Any, dst: Any, *args: Any, **kwargs: Any) -> Any:
        """A copy of a data directory (as a file copy would) gets a copy of its database, now."""
        copied = copytree(src, dst, *args, **kwargs)
        url = remembered(Path(src))
        if url is not None and _owners.get(url) == Path(src).resolve():
            new_database(Path(dst), copy_of=url)
        return copied

    upgrade = database.upgrade

    def upgrade_from_blank(engine: Any, url: str, target: str = "head") -> None:
        """A test that wants an older schema than the template's gets its database blank again."""
        from sqlalchemy.engine import make_url

        name = make_url(url).database
        if target != "head" and name in _created and database.current_revision(engine) is not None:
            engine.dispose()
            admin = _admin(server)
            try:
                with admin.connect() as conn:
                    conn.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
                    conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
            finally:
                admin.dispose()
        upgrade(engine, url, target)

    monkeypatch.setattr(database, "stored_url", remembered_or_new)
    monkeypatch.setattr(database, "upgrade", upgrade_from_blank)
    monkeypatch.setattr(shutil, "copytree", copytree_with_database)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    server = os.environ.get(ALL_ON_POSTGRES_ENV)
    if not server or not _created or os.environ.get(THROWAWAY_SERVER_ENV):
        return
    admin = _admin(server)
    try:
        with admin.connect() as conn:
            for name in _created:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.dispose()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """The URL of a new, empty database on the test server, dropped after the test."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    server = os.environ.get(POSTGRES_ENV)
    if not server:
        pytest.skip(f"no PostgreSQL server: set {POSTGRES_ENV}")
    name = f"neascn_test_{uuid.uuid4().hex[:16]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.dispose()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture
def db(data_dir: Path) -> Iterator[Database]:
    database = open_database(data_dir)
    yield database
    database.dispose()


def _make_profile(db: Database, role: str, name: str) -> Profile:
    return create_profile(db, name=name, role=role, organisation="Test Org", language="en")


@pytest.fixture
def field_profile(db: Database) -> Profile:
    return _make_profile(db, "field", "Field Tester")


@pytest.fixture
def secretariat_profile(db: Database) -> Profile:
    return _make_profile(db, "secretariat", "Secretariat Tester")


@pytest.fixture
def taskforce_profile(db: Database) -> Profile:
    return _make_profile(db, "taskforce", "Task Force Tester")


class CliRunner:
    """Runs the real CLI in-process and captures its output."""

    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self._capsys = capsys

    def __call__(self, *args: str | Path) -> tuple[int, str, str]:
        from neascn_desktop.cli import main

        self._capsys.readouterr()
        code = main([str(a) for a in args])
        out, err = self._capsys.readouterr()
        return code, out, err


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> CliRunner:
    return CliRunner(capsys)
