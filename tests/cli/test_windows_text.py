"""Text in and out of the CLI as on Windows: code pages, byte-order marks.

Windows encodes redirected output and decodes standard input in the local code
page (cp1252, cp949 on Korean Windows) unless told otherwise.  Python on Linux
does the same when ``PYTHONIOENCODING`` names that code page and UTF-8 mode is
off, so the real ``neascn`` program runs here in a subprocess under exactly
those conditions.
"""

from __future__ import annotations

import codecs
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


def _neascn(*args: str | Path, encoding: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    """The real CLI (its console entry point) with Windows' stream encoding, output into a pipe."""
    env = {**os.environ, "PYTHONIOENCODING": encoding, "PYTHONUTF8": "0",
           "LC_ALL": "C.UTF-8"}  # arguments arrive as Unicode, as on Windows
    return subprocess.run([sys.executable, "-m", "neascn_desktop.cli", *map(str, args)],
                          input=stdin, capture_output=True, env=env, check=False)


@pytest.mark.sqlite_only
@pytest.mark.parametrize("encoding", ["cp1252", "cp949"])
def test_translated_messages_and_json_reach_a_pipe_as_utf8(cli, tmp_path: Path, encoding: str) -> None:
    data_dir = tmp_path / "data"
    created = _neascn("--data-dir", data_dir, "init", "--name", "Өлзий", "--role", "taskforce",
                      "--lang", "mn", encoding=encoding)  # Ө is in no Windows code page
    assert created.returncode == 0, created.stderr
    assert "Өлзий" in created.stdout.decode("utf-8")
    assert cli("--data-dir", data_dir, "framework", "create", "--lang", "ko")[0] == 0

    listed = _neascn("--data-dir", data_dir, "framework", "list", encoding=encoding)
    assert listed.returncode == 0, listed.stderr
    assert "부속서 B" in listed.stdout.decode("utf-8")

    shown = _neascn("--data-dir", data_dir, "--json", "framework", "show", "2", encoding=encoding)
    assert shown.returncode == 0, shown.stderr
    assert "**비전:**" in json.loads(shown.stdout.decode("utf-8"))["body"]

    # The profile speaks Mongolian; Russian on request.
    inbox = _neascn("--data-dir", data_dir, "inbox", "list", encoding=encoding)
    assert inbox.returncode == 0, inbox.stderr
    assert inbox.stdout.decode("utf-8").strip() == _catalog_text("mn", "The inbox is empty.")
    inbox = _neascn("--data-dir", data_dir, "--lang", "ru", "inbox", "list", encoding=encoding)
    assert inbox.stdout.decode("utf-8").strip() == "Входящие пусты."

    # An error goes to standard error, in UTF-8 too, and stays one line.
    failed = _neascn("--data-dir", data_dir, "framework", "show", "99", encoding=encoding)
    assert failed.returncode == 2 and failed.stderr.decode("utf-8").count("\n") == 1


def _catalog_text(language: str, message: str) -> str:
    from neascn_desktop import i18n

    i18n.set_language(language)
    try:
        return i18n._(message)
    finally:
        i18n.set_language("en")


def _section_body(cli, data_dir: Path, number: str) -> str:
    code, out, err = cli("--data-dir", data_dir, "framework", "show", number, "--json")
    assert code == 0, err
    return json.loads(out)["body"]


@pytest.fixture
def drafting(cli, tmp_path: Path) -> Path:
    data_dir = tmp_path / "data"
    assert cli("--data-dir", data_dir, "init", "--name", "Mina", "--role", "taskforce")[0] == 0
    assert cli("--data-dir", data_dir, "framework", "create", "--lang", "ko")[0] == 0
    return data_dir


def test_standard_input_in_utf8_with_a_bom_on_korean_windows(cli, drafting: Path) -> None:
    text = "## 거버넌스\r\n\r\n- 사무국: WeGO\r\n"
    done = _neascn("--data-dir", drafting, "framework", "set", "6", "--file", "-",
                   encoding="cp949", stdin=codecs.BOM_UTF8 + text.encode("utf-8"))
    assert done.returncode == 0, done.stderr.decode("utf-8")
    assert _section_body(cli, drafting, "6") == "## 거버넌스\n\n- 사무국: WeGO\n"


def test_standard_input_in_the_code_page_is_refused_in_one_sentence(cli, drafting: Path) -> None:
    before = _section_body(cli, drafting, "6")
    done = _neascn("--data-dir", drafting, "framework", "set", "6", "--file", "-",
                   encoding="cp949", stdin="## 거버넌스 개정\n".encode("cp949"))
    err = done.stderr.decode("utf-8")
    assert done.returncode == 2 and err.count("\n") == 1 and "UTF-8" in err
    assert _section_body(cli, drafting, "6") == before


def test_section_files_with_a_bom_or_in_utf16_or_in_the_code_page(cli, drafting: Path,
                                                                   tmp_path: Path) -> None:
    text = "## 거버넌스\n\n- 연례 회의\n"
    with_bom = tmp_path / "notepad.md"
    with_bom.write_bytes(codecs.BOM_UTF8 + text.encode("utf-8"))
    assert cli("--data-dir", drafting, "framework", "set", "6", "--file", with_bom)[0] == 0
    assert _section_body(cli, drafting, "6") == text

    powershell = tmp_path / "powershell.md"  # Windows PowerShell 5's ">" writes UTF-16 with a BOM
    powershell.write_bytes(codecs.BOM_UTF16_LE + (text + "- 사무국\n").encode("utf-16-le"))
    assert cli("--data-dir", drafting, "framework", "set", "6", "--file", powershell)[0] == 0
    assert _section_body(cli, drafting, "6") == text + "- 사무국\n"

    code_page = tmp_path / "cp949.md"
    code_page.write_bytes("## 다른 글\n".encode("cp949"))
    code, _out, err = cli("--data-dir", drafting, "framework", "set", "6", "--file", code_page)
    assert code == 2 and err.count("\n") == 1 and "cp949.md" in err and "UTF-8" in err
    assert _section_body(cli, drafting, "6") == text + "- 사무국\n"


def test_a_bom_in_a_passphrase_file_is_not_part_of_the_passphrase(cli, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    data_dir = tmp_path / "data"
    assert cli("--data-dir", data_dir, "init", "--name", "Kim", "--role", "secretariat")[0] == 0
    passfile = tmp_path / "pass.txt"  # as Notepad saves it
    passfile.write_bytes(codecs.BOM_UTF8 + b"correct horse battery staple\r\n")
    backup = tmp_path / "keys.backup"
    code, _out, err = cli("--data-dir", data_dir, "key", "backup", "-o", backup, "--passphrase-file", passfile)
    assert code == 0, err
    # Restored elsewhere with the passphrase typed (no BOM): it is the same passphrase.
    monkeypatch.setenv("NEASCN_PASSPHRASE", "correct horse battery staple")
    code, _out, err = cli("--data-dir", tmp_path / "restored", "key", "restore", backup)
    assert code == 0, err
