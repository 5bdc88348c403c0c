"""The CLI speaks the profile's language wherever the profile is stored (a database URL too)."""

from __future__ import annotations

from pathlib import Path

import pytest

from neascn_desktop.i18n import set_language


def test_profile_language_is_read_through_the_database_url(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A team database named by a URL (as PostgreSQL would be): nothing lies in the data directory.
    monkeypatch.setenv("NEASCN_DATABASE_URL", f"sqlite:///{tmp_path / 'team.sqlite3'}")
    data_dir = tmp_path / "member"
    code, _out, err = cli("--data-dir", data_dir, "init", "--name", "Kim", "--role", "secretariat",
                          "--lang", "ko")
    assert code == 0, err
    assert not any(data_dir.glob("*.sqlite3"))
    set_language("en")  # a new process starts in English
    code, out, _err = cli("--data-dir", data_dir, "inbox", "list")
    assert code == 0 and out.strip() == "수신함이 비어 있습니다."


def test_choosing_the_language_creates_no_database(tmp_path: Path) -> None:
    from neascn_desktop.cli import _choose_language

    data_dir = tmp_path / "empty"
    data_dir.mkdir()
    _choose_language(data_dir, None)
    assert list(data_dir.iterdir()) == []
