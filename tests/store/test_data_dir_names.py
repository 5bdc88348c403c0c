"""A data directory may be called anything a Windows or macOS user calls a folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from neascn_desktop.i18n import set_language
from neascn_desktop.paths import DB_FILENAME


@pytest.mark.sqlite_only
@pytest.mark.parametrize("name", ["50% done %41", "Team #2", "what? & why", "Ёлка 서울 #%20"])
def test_the_database_is_the_file_in_that_folder_and_the_cli_keeps_its_language(
    cli, tmp_path: Path, name: str
) -> None:
    data_dir = tmp_path / name
    code, _out, err = cli("--data-dir", data_dir, "init", "--name", "Ivanov", "--role", "field",
                          "--lang", "ru")
    assert code == 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]
    assert (data_dir / DB_FILENAME).is_file()
    set_language("en")  # a new process starts in English and reads the profile's language
    code, out, err = cli("--data-dir", data_dir, "inbox", "list")
    assert code == 0 and out.strip() == "Входящие пусты.", err
