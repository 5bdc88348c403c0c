"""Unexpected errors in the GUI are logged and shown even with no console (Windows' windowed
executable, a macOS app started from Finder: ``sys.stderr`` is ``None`` there)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

from neascn_desktop.gui.app import _install_excepthook


def _raise_and_report() -> None:
    try:
        raise RuntimeError("the survey model lost its row")
    except RuntimeError as exc:
        sys.excepthook(type(exc), exc, exc.__traceback__)


def test_the_hook_logs_and_shows_its_dialog_without_a_console(qtbot, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    _install_excepthook(tmp_path)
    monkeypatch.setattr(sys, "stderr", None)

    _raise_and_report()

    logs = list((tmp_path / "logs").glob("gui-error-*.txt"))
    assert len(logs) == 1
    logged = logs[0].read_text(encoding="utf-8")
    assert "RuntimeError: the survey model lost its row" in logged and "_raise_and_report" in logged
    boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
    assert [b.text() for b in boxes] == ["Something went wrong: RuntimeError: the survey model lost its row"]
    for box in boxes:
        box.close()


def test_two_errors_in_one_second_keep_two_logs(qtbot, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    _install_excepthook(tmp_path)
    monkeypatch.setattr(sys, "stderr", None)
    _raise_and_report()
    _raise_and_report()
    assert len(list((tmp_path / "logs").glob("gui-error-*.txt"))) == 2
    for box in [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)]:
        box.close()


def test_the_windowed_self_test_reports_to_a_file_and_covers_the_hook(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from neascn_desktop.gui.app import main

    report = tmp_path / "self-test.txt"
    monkeypatch.setenv("NEASCN_SELF_TEST_REPORT", str(report))
    monkeypatch.setattr(sys, "stdout", None)  # the windowed Windows executable
    monkeypatch.setattr(sys, "stderr", None)
    assert main(["--self-test"]) == 0
    lines = report.read_text(encoding="utf-8").splitlines()
    assert any(line.startswith("ok   error-hook: logged to gui-error-") for line in lines)
    assert lines[-1].startswith("self-test passed")
