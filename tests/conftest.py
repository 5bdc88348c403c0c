"""Fixtures shared by every room's tests: data directories with real profiles, the real CLI."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

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


#: A PostgreSQL server the tests marked ``postgres`` may create throwaway databases on, e.g.
#: ``postgresql+psycopg://postgres@/postgres?host=/tmp/pg-socket`` (``.ci/run`` starts one).
POSTGRES_ENV = "NEASCN_TEST_POSTGRES_URL"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without a server the PostgreSQL tests are skipped, with one line that says how to run them."""
    if os.environ.get(POSTGRES_ENV):
        return
    skip = pytest.mark.skip(reason=f"no PostgreSQL server: set {POSTGRES_ENV} (bash .ci/run starts one)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


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
