"""The mode a report file gets: the user's normal permissions, not a temporary file's 0600."""

from __future__ import annotations

import os
import threading


def ordinary_file_mode() -> int:
    """0666 less the process umask, as ``open()`` would create the file (0644 usually).

    Read from /proc where it exists: setting the umask to read it back would race
    with threads creating files meanwhile.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return 0o666 & ~int(line.split()[1], 8)
    except OSError:
        pass
    with _UMASK_LOCK:
        mask = os.umask(0o022)
        os.umask(mask)
    return 0o666 & ~mask


_UMASK_LOCK = threading.Lock()
