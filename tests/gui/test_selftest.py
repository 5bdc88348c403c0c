"""The ``--self-test`` of the bundle, run from source: a broken self-test fails CI without a build."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from neascn_desktop.cli import main as cli_main
from neascn_desktop.gui import selftest
from neascn_desktop.gui.app import main as gui_main


def test_gui_self_test_passes_with_one_line_per_check(capsys: pytest.CaptureFixture[str]) -> None:
    assert gui_main(["--self-test"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("NEASCN Desktop") and "(source," in lines[0]
    for name, _check in selftest.CHECKS:
        assert sum(line.startswith(f"ok   {name}: ") for line in lines) == 1, lines
    assert lines[-1].startswith(f"self-test passed: {len(selftest.CHECKS)} checks")


def test_cli_self_test_passes_without_qt(capsys: pytest.CaptureFixture[str]) -> None:
    """The CLI runs the headless checks (``neascn_desktop.selftest``); Qt's are the GUI's."""
    assert cli_main(["--self-test"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1].startswith(f"self-test passed: {len(selftest.HEADLESS_CHECKS)} checks")
    assert not any(line.startswith(("ok   qt:", "ok   forms:")) for line in lines)


def _broken(run: object) -> str:
    raise selftest.SelfTestFailure("the widget catalog is missing")


def test_a_failing_check_is_named_and_the_others_still_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The self-test must never write to the database the environment points at.
    elsewhere = tmp_path / "elsewhere.sqlite3"
    monkeypatch.setenv("NEASCN_DATABASE_URL", f"sqlite:///{elsewhere}")
    out = io.StringIO()
    status = selftest.run_self_test(out, checks=(
        ("qt", selftest.check_qt),
        ("broken", _broken),
        ("migrations", selftest.check_migrations),
        ("forms", selftest.check_forms),
    ))
    text = out.getvalue()
    assert status == 1
    assert "FAIL broken: SelfTestFailure: the widget catalog is missing" in text
    assert "ok   migrations: " in text and "ok   forms: " in text
    assert text.splitlines()[-1].startswith("self-test FAILED (broken)")
    assert not elsewhere.exists()


def test_an_unexpected_error_shows_its_traceback() -> None:
    def crash(run: object) -> str:
        return str(1 / 0)

    out = io.StringIO()
    assert selftest.run_self_test(out, checks=(("crash", crash),)) == 1
    assert "FAIL crash: ZeroDivisionError" in out.getvalue()
    assert "Traceback" in out.getvalue()
