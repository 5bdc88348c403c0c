"""The one helper for background work: a use case off the UI thread, with progress and cancel.

``run_in_background(parent, task, title=...)`` runs ``task(progress, is_cancelled)``
on Qt's global thread pool and shows a window-modal ``QProgressDialog`` (after
a short delay, so quick tasks never flash one).  The result, the error or the
cancellation is delivered on the UI thread; a ``NeascnError`` is shown as a
message box with its sentence unless ``on_error`` handles it.

The task must not touch widgets.  It reports with
``progress(done, total=0, message="")`` (``total=0`` means "unknown": a busy
indicator) and checks ``is_cancelled()`` between steps; to stop early it may
raise :class:`TaskCancelled` or simply return.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

import shiboken6
from PySide6.QtCore import QObject, Qt, QThreadPool, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

from neascn_desktop.i18n import _

#: How long a task may run before its progress dialog appears.
DIALOG_DELAY_MS = 400
#: Progress reports closer together than this are merged (the last one wins).
_PROGRESS_INTERVAL_S = 0.05


class Progress(Protocol):
    def __call__(self, done: int, total: int = 0, message: str = "") -> None: ...


IsCancelled = Callable[[], bool]
Task = Callable[[Progress, IsCancelled], Any]


class TaskCancelled(Exception):
    """Raised by a task that noticed ``is_cancelled()`` and stopped early."""


# Tasks still running; keeps the Python objects alive until they report back.
_running: set[BackgroundTask] = set()


class BackgroundTask(QObject):
    """One running task.  Exactly one of succeeded/failed/cancelled fires, then ``finished``."""

    progressed = Signal(int, int, str)
    succeeded = Signal(object)
    failed = Signal(object)
    cancelled = Signal()
    finished = Signal()

    # Emitted from the worker thread; queued to the slots below on the UI thread.
    _report = Signal(int, int, str)
    _done = Signal(str, object)

    def __init__(self, task: Task, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._task = task
        self._cancel = threading.Event()
        self._running = False
        self._last_report = 0.0
        self.result: Any = None
        self.error: BaseException | None = None
        self.outcome = ""  # "", then "succeeded", "failed" or "cancelled"
        self._report.connect(self._on_report, Qt.ConnectionType.QueuedConnection)
        self._done.connect(self._on_done, Qt.ConnectionType.QueuedConnection)

    # -- called from any thread ------------------------------------------------
    def cancel(self) -> None:
        """Ask the task to stop; it notices at its next ``is_cancelled()``."""
        self._cancel.set()

    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def _progress(self, done: int, total: int = 0, message: str = "") -> None:
        now = time.monotonic()
        if total and done < total and now - self._last_report < _PROGRESS_INTERVAL_S:
            return
        self._last_report = now
        try:
            self._report.emit(int(done), int(total), str(message))
        except RuntimeError:  # the application is shutting down: stop the task
            self._cancel.set()

    def _run(self) -> None:
        try:
            result = self._task(self._progress, self.is_cancelled)
        except TaskCancelled:
            outcome, value = "cancelled", None
        except BaseException as exc:  # noqa: BLE001 - delivered to the UI thread, not lost
            outcome, value = ("cancelled" if self.is_cancelled() else "failed"), exc
        else:
            # A task that finished its work despite a late cancel still changed
            # things; report the result so the views refresh.
            outcome, value = "succeeded", result
        try:
            self._done.emit(outcome, value)
        except RuntimeError:
            pass  # the application quit while the task ran: nobody to tell

    # -- UI thread ---------------------------------------------------------------
    def start(self, pool: QThreadPool | None = None) -> BackgroundTask:
        self._running = True
        _running.add(self)
        (pool or QThreadPool.globalInstance()).start(self._run)
        return self

    def is_running(self) -> bool:
        return self._running

    @Slot(int, int, str)
    def _on_report(self, done: int, total: int, message: str) -> None:
        if self._running:
            self.progressed.emit(done, total, message)

    @Slot(str, object)
    def _on_done(self, outcome: str, value: object) -> None:
        self._running = False
        _running.discard(self)
        self.outcome = outcome
        if outcome == "succeeded":
            self.result = value
            self.succeeded.emit(value)
        elif outcome == "failed":
            assert isinstance(value, BaseException)
            self.error = value
            self.failed.emit(value)
        else:
            self.cancelled.emit()
        self.finished.emit()


def cancel_all(wait_ms: int = 5000, pool: QThreadPool | None = None) -> bool:
    """Ask every running task to stop and wait for them (at application exit)."""
    for job in list(_running):
        job.cancel()
    return (pool or QThreadPool.globalInstance()).waitForDone(wait_ms)


def run_in_background(
    parent: QWidget | None,
    task: Task,
    *,
    title: str,
    label: str = "",
    on_success: Callable[[Any], None] | None = None,
    on_error: Callable[[BaseException], None] | None = None,
    on_cancelled: Callable[[], None] | None = None,
    cancellable: bool = True,
    show_progress: bool = True,
) -> BackgroundTask:
    """Run ``task(progress, is_cancelled)`` off the UI thread; callbacks run on the UI thread.

    Errors go to ``on_error`` or, without one, to a message box (a
    ``NeascnError`` shows its sentence).  Returns the running
    :class:`BackgroundTask` (its signals are an alternative to the callbacks).
    """
    job = BackgroundTask(task)
    dialog: QProgressDialog | None = None
    if show_progress:
        dialog = QProgressDialog(label or title, _("Cancel") if cancellable else "", 0, 0, parent)
        dialog.setWindowTitle(title)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(DIALOG_DELAY_MS)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        if not cancellable:
            dialog.setCancelButton(None)
        dialog.setObjectName("backgroundTaskProgress")

        def on_progress(done: int, total: int, message: str) -> None:
            dialog.setMaximum(max(total, 0))
            dialog.setValue(min(done, total) if total else 0)
            if message:
                dialog.setLabelText(message)

        def on_cancel_clicked() -> None:
            job.cancel()
            dialog.setLabelText(_("Cancelling…"))

        job.progressed.connect(on_progress)
        dialog.canceled.connect(on_cancel_clicked)
        job.dialog = dialog  # type: ignore[attr-defined]

    def finish() -> None:
        if parent is not None and not shiboken6.isValid(parent):
            return  # the window that asked is gone (closed while the task ran): nobody to tell
        if dialog is not None:
            dialog.canceled.disconnect()
            dialog.reset()
            dialog.hide()
            dialog.deleteLater()
        if job.outcome == "succeeded" and on_success is not None:
            on_success(job.result)
        elif job.outcome == "failed" and job.error is not None:
            if on_error is not None:
                on_error(job.error)
            else:
                from neascn_desktop.gui.message_boxes import show_error

                show_error(parent, job.error)
        elif job.outcome == "cancelled" and on_cancelled is not None:
            on_cancelled()

    job.finished.connect(finish)
    return job.start()
