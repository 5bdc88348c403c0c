"""The background worker: runs off the UI thread, reports progress, can be cancelled."""

from __future__ import annotations

import threading

from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog, QPushButton

from neascn_desktop.changes import Changes
from neascn_desktop.errors import NeascnError
from neascn_desktop.gui.worker import TaskCancelled, run_in_background


class _SampleError(NeascnError):
    pass


def test_worker_runs_off_the_ui_thread_and_reports_progress(qtbot) -> None:
    ui_thread = threading.get_ident()
    seen_threads: list[int] = []
    progress_seen: list[tuple[int, int, str]] = []
    results: list[object] = []

    def task(progress, is_cancelled):  # type: ignore[no-untyped-def]
        seen_threads.append(threading.get_ident())
        for step in range(4):
            progress(step, 3, f"step {step}")
        return 42

    job = run_in_background(None, task, title="Sample", on_success=results.append)
    # Connected before the UI thread runs its event loop: no report can be delivered earlier.
    job.progressed.connect(lambda *args: progress_seen.append(args))
    with qtbot.waitSignal(job.finished, timeout=60_000):
        pass
    assert results == [42]
    assert job.outcome == "succeeded"
    assert seen_threads and seen_threads[0] != ui_thread
    # Reports close together are merged, however fast the machine: the first and
    # the final one always arrive, in order, and nothing after the end.
    assert progress_seen[0] == (0, 3, "step 0")
    assert progress_seen[-1] == (3, 3, "step 3")
    assert progress_seen == sorted(progress_seen)


def test_worker_can_be_cancelled_from_its_progress_dialog(qtbot) -> None:
    started = threading.Event()
    test_over = threading.Event()  # set at the end, so a failing test never leaves the task running
    cancelled: list[bool] = []
    successes: list[object] = []

    def task(progress, is_cancelled):  # type: ignore[no-untyped-def]
        started.set()
        while not test_over.is_set():
            if is_cancelled():
                raise TaskCancelled()
            progress(0)
            test_over.wait(0.01)  # a polling pause, not a synchronisation: the task runs until cancelled
        return "finished anyway"

    job = run_in_background(
        None, task, title="Long", on_success=successes.append,
        on_cancelled=lambda: cancelled.append(True),
    )
    dialog = job.dialog  # type: ignore[attr-defined]
    assert isinstance(dialog, QProgressDialog)
    try:
        qtbot.waitUntil(started.is_set, timeout=60_000)
        qtbot.waitUntil(dialog.isVisible, timeout=60_000)  # shown after its short delay
        with qtbot.waitSignal(job.finished, timeout=60_000):
            dialog.findChild(QPushButton).click()
    finally:
        test_over.set()
    assert cancelled == [True] and successes == []
    assert job.outcome == "cancelled"


def test_worker_shows_a_neascn_error_as_its_sentence(qtbot) -> None:
    def task(progress, is_cancelled):  # type: ignore[no-untyped-def]
        raise _SampleError("The package file is damaged.")

    job = run_in_background(None, task, title="Failing")
    with qtbot.waitSignal(job.finished, timeout=60_000):
        pass
    boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
    assert [box.text() for box in boxes] == ["The package file is damaged."]
    for box in boxes:
        box.close()


def test_context_publishes_what_a_background_task_changed(qtbot, gui_ctx) -> None:
    published: list[Changes] = []
    gui_ctx.changes.dataChanged.connect(published.append)
    job = gui_ctx.run_in_background(
        lambda progress, is_cancelled: Changes.of("survey", ["s1"]), title="Write"
    )
    with qtbot.waitSignal(job.finished, timeout=60_000):
        pass
    assert published == [Changes.of("survey", ["s1"])]
