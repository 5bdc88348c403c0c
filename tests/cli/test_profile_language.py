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


@pytest.mark.sqlite_only
def test_the_language_is_read_without_loading_the_database_layer(cli, tmp_path: Path) -> None:
    """The language is chosen before the command runs: reading it must not load SQLAlchemy (a
    fifth of a second of start-up for commands that never use it)."""
    import subprocess
    import sys

    data_dir = tmp_path / "sec"
    code, _out, err = cli("--data-dir", data_dir, "init", "--name", "Kim", "--role", "secretariat",
                          "--lang", "ko")
    assert code == 0, err
    script = ("import sys\nfrom pathlib import Path\nfrom neascn_desktop import i18n\n"
              "from neascn_desktop.cli import _choose_language\n"
              "_choose_language(Path(sys.argv[1]), None)\n"
              "print(i18n.current_language(), 'sqlalchemy' in sys.modules)\n")
    result = subprocess.run([sys.executable, "-c", script, str(data_dir)], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["ko", "False"]
