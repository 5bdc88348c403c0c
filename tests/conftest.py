"""Fixtures shared by every room's tests: data directories with real profiles, the real CLI."""

from __future__ import annotations

import os
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
