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
