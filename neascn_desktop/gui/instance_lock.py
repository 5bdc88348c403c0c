"""One window per data directory: a ``QLockFile`` in the data directory.

Two windows on one database would each show a stale picture of the other's
work, so a second GUI on the same data directory is refused.  A lock left by a
crashed process is recognised by its process id (Qt checks that the process
named in the file is still running on this host) and taken over; the lock
never goes stale by age (``setStaleLockTime(0)``), since a window may stay
open for days.  The CLI does not take this lock: it may run beside the window.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QLockFile

LOCK_FILENAME = "neascn-desktop.lock"


@dataclass(frozen=True)
class LockHolder:
    pid: int
    hostname: str
    appname: str


class InstanceLock:
    """The GUI's lock on a data directory."""

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / LOCK_FILENAME
        self._lock = QLockFile(str(self.path))
        self._lock.setStaleLockTime(0)

    def try_acquire(self) -> bool:
        """Take the lock; ``False`` if another live process holds it."""
        if self._lock.isLocked():
            return True
        # tryLock itself removes a lock whose process is no longer running on
        # this host (Qt reads the pid and application name from the file).
        return bool(self._lock.tryLock(0))

    def holder(self) -> LockHolder | None:
        """Who holds the lock (as written in the lock file), if anyone readable."""
        info = self._lock.getLockInfo()
        if not info or not isinstance(info, tuple) or len(info) < 3:
            return None
        pid, hostname, appname = info[0], info[1], info[2]
        if not pid:
            return None
        return LockHolder(int(pid), str(hostname), str(appname))

    def release(self) -> None:
        if self._lock.isLocked():
            self._lock.unlock()

    @property
    def locked(self) -> bool:
        return self._lock.isLocked()
