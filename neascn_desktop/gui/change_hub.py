"""The one change signal: every write the GUI makes, and every commit the CLI makes, ends here.

Use cases return a :class:`~neascn_desktop.changes.Changes`; the GUI publishes
it with :meth:`ChangeHub.publish` and each workspace's ``on_changes`` decides
whether to refresh.  Commits by another process (the ``neascn`` CLI running
beside the window) are noticed by polling SQLite's ``PRAGMA data_version`` on a
dedicated connection about once a second and published as ``Changes.all()``.  On a shared
PostgreSQL database the other members' commits arrive as notifications
(``store.listening``), looked at on the same timer (no query to the server).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from neascn_desktop.changes import Changes
from neascn_desktop.store.database import Database

POLL_INTERVAL_MS = 1000


class ChangeHub(QObject):
    """Owner of the ``dataChanged(Changes)`` signal and the watcher of outside commits."""

    #: Emitted with a :class:`Changes` after anything in the database changed.
    dataChanged = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._db: Database | None = None
        self._conn: Any = None
        self._version: int | None = None
        self._listener: Any = None
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_INTERVAL_MS)
        self._timer.timeout.connect(self.poll)

    def publish(self, changes: Changes) -> None:
        """Tell every view what changed (no-op for an empty record)."""
        if not changes:
            return
        # Our own commits also move data_version; swallow them so a GUI write is
        # not followed by a second "everything" refresh.  A CLI commit landing in
        # the few milliseconds between our commit and this line would be missed
        # until the next one; views also refresh when shown, so that is harmless.
        self._version = self._read_version()
        self.dataChanged.emit(changes)

    def watch(self, db: Database, interval_ms: int = POLL_INTERVAL_MS) -> None:
        """Start polling ``db`` for commits made by other processes (SQLite only)."""
        self.stop()
        if db.engine.dialect.name == "postgresql":
            from neascn_desktop.store.listening import ChangeListener

            self._listener = ChangeListener(db)
            self._timer.setInterval(interval_ms)
            self._timer.start()
            return
        if db.engine.dialect.name != "sqlite":
            return
        self._db = db
        # data_version is per connection: it only means something when read
        # again on the same connection, so keep one open for the watcher.  A raw
        # DBAPI connection in autocommit mode: a SQLAlchemy Connection would
        # begin a transaction and read a frozen snapshot.
        self._conn = db.engine.raw_connection()
        self._version = self._read_version()
        self._timer.setInterval(interval_ms)
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        if self._listener is not None:
            self._listener.close()
        self._listener = None
        if self._conn is not None:
            self._conn.close()
        self._conn = None
        self._db = None

    def poll(self) -> None:
        """Publish ``Changes.all()`` if another connection committed since the last look."""
        if self._listener is not None:
            if self._listener.others_committed():
                self.dataChanged.emit(Changes.all())
            return
        version = self._read_version()
        if version is None or version == self._version:
            return
        self._version = version
        self.dataChanged.emit(Changes.all())

    def _read_version(self) -> int | None:
        if self._conn is None:
            return None
        try:
            cursor = self._conn.cursor()
            try:
                row = cursor.execute("PRAGMA data_version").fetchone()
            finally:
                cursor.close()
            return int(row[0]) if row else None
        except Exception:  # noqa: BLE001 - a locked or vanished file must not crash the timer
            return self._version
