"""What every workspace and dialog of the GUI gets: the database, the profile, the change signal.

A workspace is constructed as ``XWorkspace(ctx, parent)`` and never opens the
database, reads settings or connects to the change signal on its own: the
main window builds one :class:`GuiContext` and hands it down.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from neascn_desktop.changes import Changes
from neascn_desktop.gui.change_hub import ChangeHub
from neascn_desktop.identity.profile import Profile
from neascn_desktop.store.database import Database

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMainWindow, QMessageBox, QWidget

    from neascn_desktop.gui.worker import BackgroundTask, Task


@dataclass(eq=False)
class GuiContext:
    """The open data directory as the GUI sees it.

    ``profile`` is replaced (never mutated) when the user changes it, e.g. the
    language; read ``ctx.profile`` each time rather than keeping a copy.
    """

    db: Database
    profile: Profile
    changes: ChangeHub = field(default_factory=ChangeHub)
    main_window: QMainWindow | None = None

    @property
    def data_dir(self) -> Path:
        return self.db.data_dir

    def publish(self, changes: Changes) -> None:
        """Tell every view what a use case changed (the one ``dataChanged`` signal)."""
        self.changes.publish(changes)

    def run_in_background(
        self,
        task: Task,
        *,
        title: str,
        label: str = "",
        on_success: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        on_cancelled: Callable[[], None] | None = None,
        cancellable: bool = True,
        parent: QWidget | None = None,
        show_progress: bool = True,
    ) -> BackgroundTask:
        """:func:`neascn_desktop.gui.worker.run_in_background`, publishing what the task changed.

        If the task returns a :class:`Changes`, or an object with a ``changes``
        attribute holding one, it is published before ``on_success`` runs.
        ``show_progress=False`` for work whose widget shows that it is busy itself.
        """
        from neascn_desktop.gui.worker import run_in_background

        def succeeded(result: Any) -> None:
            changes = result if isinstance(result, Changes) else getattr(result, "changes", None)
            if isinstance(changes, Changes):
                self.publish(changes)
            if on_success is not None:
                on_success(result)

        return run_in_background(
            parent if parent is not None else self.main_window,
            task,
            title=title,
            label=label,
            on_success=succeeded,
            on_error=on_error,
            on_cancelled=on_cancelled,
            cancellable=cancellable,
            show_progress=show_progress,
        )

    def show_error(self, error: BaseException, parent: QWidget | None = None) -> QMessageBox:
        """Show an error (a ``NeascnError`` as its one sentence) without blocking."""
        from neascn_desktop.gui.message_boxes import show_error

        return show_error(parent if parent is not None else self.main_window, error)
