"""One window per data directory: a live lock refuses, a crashed process's lock does not."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from neascn_desktop.gui.app import EXIT_ALREADY_RUNNING, main
from neascn_desktop.gui.instance_lock import InstanceLock

_HOLD = """
import sys, time
from PySide6.QtCore import QLockFile
lock = QLockFile(sys.argv[1]); lock.setStaleLockTime(0)
assert lock.tryLock(0)
print("locked", flush=True)
if sys.argv[2] == "crash":
    import os; os._exit(0)  # dies without unlocking, like a crash
sys.stdin.readline()
"""


def _holder(lock_path: Path, mode: str) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(lock_path), mode],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "locked"
    return process


def test_lock_held_by_another_process_is_refused(data_dir: Path) -> None:
    lock = InstanceLock(data_dir)
    process = _holder(lock.path, "hold")
    try:
        assert not lock.try_acquire()
        holder = lock.holder()
        assert holder is not None and holder.pid == process.pid
    finally:
        process.communicate("\n", timeout=60)
    assert lock.try_acquire()
    lock.release()


def test_stale_lock_of_a_dead_process_is_taken_over(data_dir: Path) -> None:
    lock = InstanceLock(data_dir)
    process = _holder(lock.path, "crash")
    process.wait(timeout=60)
    assert lock.path.exists(), "the crashed process left its lock behind"
    assert lock.try_acquire()
    assert lock.locked
    lock.release()


def test_second_window_on_the_same_data_directory_is_refused_with_a_message(
    qtbot, data_dir: Path
) -> None:
    process = _holder(InstanceLock(data_dir).path, "hold")
    shown: list[str] = []

    def close_message() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            shown.append(box.text())
            box.accept()
        else:
            QTimer.singleShot(50, close_message)

    QTimer.singleShot(50, close_message)
    try:
        assert main(["--data-dir", str(data_dir)]) == EXIT_ALREADY_RUNNING
    finally:
        process.communicate("\n", timeout=60)
    assert len(shown) == 1
    assert "already open" in shown[0] and str(data_dir) in shown[0]
