"""The foundation commands through the real CLI, including their error paths."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from neascn_desktop import __version__


def test_version(cli) -> None:
    try:
        cli("--version")
    except SystemExit as stop:
        assert stop.code == 0


def test_init_then_second_init_is_refused(cli, data_dir: Path) -> None:
    code, out, err = cli("--data-dir", data_dir, "--json", "init", "--name", "Kim", "--role", "field",
                         "--org", "Seoul", "--lang", "ko")
    assert code == 0, err
    info = json.loads(out)
    assert info["role"] == "field" and info["language"] == "ko"

    code, out, err = cli("--data-dir", data_dir, "init", "--name", "Lee", "--role", "field")
    assert code == 2
    assert err.count("\n") == 1 and "Traceback" not in err


def test_key_export_trust_list_revoke_round_trip(cli, tmp_path: Path) -> None:
    field, hq = tmp_path / "field", tmp_path / "hq"
    assert cli("--data-dir", field, "init", "--name", "Field", "--role", "field")[0] == 0
    assert cli("--data-dir", hq, "init", "--name", "HQ", "--role", "secretariat")[0] == 0
    card = tmp_path / "field.key"
    assert cli("--data-dir", field, "key", "export", "-o", card)[0] == 0

    code, out, _ = cli("--data-dir", hq, "--json", "trust", "add", card)
    assert code == 0
    device_id = json.loads(out)[0]["device_id"]
    code, out, _ = cli("--data-dir", hq, "trust", "list", "--json")
    listed = json.loads(out)
    assert [(d["device_id"], d["revoked"]) for d in listed] == [(device_id, False)]

    assert cli("--data-dir", hq, "trust", "revoke", device_id)[0] == 0
    code, out, _ = cli("--data-dir", hq, "--json", "trust", "list")
    assert json.loads(out)[0]["revoked"] is True

    # a device cannot trust its own card
    code, _, err = cli("--data-dir", field, "trust", "add", card)
    assert code == 2 and "own key card" in err


def test_errors_are_one_line_without_traceback(cli, data_dir: Path, tmp_path: Path) -> None:
    cli("--data-dir", data_dir, "init", "--name", "HQ", "--role", "secretariat")
    cases = [
        ("trust", "add", tmp_path / "missing.key"),
        ("trust", "revoke", "unknown-device"),
        ("init", "--name", "X", "--role", "emperor"),
        ("no-such-command",),
        ("key", "export"),
    ]
    bad = tmp_path / "bad.key"
    bad.write_bytes(b"\x00\x01garbage")
    cases.append(("trust", "add", bad))
    for case in cases:
        try:
            code, out, err = cli("--data-dir", data_dir, *case)
        except SystemExit as stop:  # argparse usage errors
            code = stop.code
            err = ""
        assert code == 2, case
        assert "Traceback" not in err


def test_stats_json_without_profile(cli, data_dir: Path) -> None:
    code, out, _ = cli("--data-dir", data_dir, "stats", "--json")
    assert code == 0
    stats = json.loads(out)
    assert len(stats["digest"]) == 64


def test_console_script_errors_in_a_real_process(tmp_path: Path) -> None:
    """The installed entry point, in a subprocess: usage error = exit 2, one line, no traceback."""
    result = subprocess.run(
        [sys.executable, "-m", "neascn_desktop.cli", "--data-dir", str(tmp_path), "trust", "add",
         str(tmp_path / "nope.key")],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    version = subprocess.run([sys.executable, "-m", "neascn_desktop.cli", "--version"],
                             capture_output=True, text=True, timeout=60)
    assert version.stdout.strip() == f"neascn {__version__}"


def test_cli_speaks_the_profile_language_and_lang_flag(cli, data_dir: Path) -> None:
    from neascn_desktop.i18n import current_language

    cli("--data-dir", data_dir, "init", "--name", "Tanaka", "--role", "taskforce", "--lang", "ja")
    cli("--data-dir", data_dir, "stats")
    assert current_language() == "ja"
    cli("--data-dir", data_dir, "--lang", "ru", "stats")
    assert current_language() == "ru"


def _subcommands(parser) -> dict[str, set[str]]:  # type: ignore[no-untyped-def]
    import argparse

    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    result = {}
    for name, sub in action.choices.items():
        nested = [a for a in sub._actions if isinstance(a, argparse._SubParsersAction)]
        result[name] = set(nested[0].choices) if nested else set()
    return result


def test_every_command_is_routed_to_the_modules_that_define_it() -> None:
    """The start-up shortcut (import only a command's modules) must not lose any subcommand."""
    from neascn_desktop.cli import COMMAND_HOMES, build_parser

    full = _subcommands(build_parser())
    assert set(full) == set(COMMAND_HOMES)
    for command, subcommands in full.items():
        assert _subcommands(build_parser(command))[command] == subcommands, command


def test_usage_errors_and_help_speak_the_language(cli, data_dir: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    import pytest

    with pytest.raises(SystemExit) as stop:
        cli("--data-dir", data_dir, "--lang", "ko", "trust")
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "오류" in err and "필요합니다" in err and "error" not in err
    with pytest.raises(SystemExit):
        cli("--lang", "ru", "--help")
    out = capsys.readouterr().out
    assert out.startswith("использование: neascn") and "позиционные аргументы" in out
