"""Noticing what other processes commit to a shared PostgreSQL database: ``LISTEN`` on the channel
every writing transaction notifies (``store.database``).  SQLite has no such channel; the
window polls its ``data_version`` instead (``gui.change_hub``)."""

from __future__ import annotations

from typing import Any

from neascn_desktop.store.database import CHANGES_CHANNEL, Database, origin_of


class ChangeListener:
    """A connection of its own, outside the pool, listening for the commits made through other
    engines (other members, the ``neascn`` command, another window) than ``db``'s own."""

    def __init__(self, db: Database) -> None:
        raw = db.engine.raw_connection()
        conn: Any = raw.driver_connection
        raw.detach()  # closed with the listener, never handed back to the pool in autocommit
        self._raw: Any = raw
        conn.autocommit = True
        conn.execute(f"LISTEN {CHANGES_CHANNEL}")
        self._conn = conn
        self._own = origin_of(db.engine)

    def others_committed(self, timeout: float = 0.0) -> bool:
        """Whether someone else committed since the last call (waits up to ``timeout`` s for one)."""
        found = False
        try:
            for notice in self._conn.notifies(timeout=timeout):
                if notice.payload != self._own:
                    found = True
                    break
            # and whatever else is already there (without waiting)
            for notice in self._conn.notifies(timeout=0.0):
                found = found or notice.payload != self._own
        except Exception:  # noqa: BLE001 - a lost connection must not crash the caller's timer
            return False
        return found

    def close(self) -> None:
        try:
            self._raw.close()
        except Exception:  # noqa: BLE001, S110 - closing a broken connection
            pass
