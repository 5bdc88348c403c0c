"""Crash points for the durability tests.

``NEASCN_TEST_CRASH_AT=<name>`` kills the process (``SIGKILL``: no clean-up, no ``finally``)
where the code calls ``crash_point(name)``, so a test can crash a real command at an exact
step, with no timing involved.  Without the variable a crash point costs one lookup.
"""

from __future__ import annotations

import os
import signal

CRASH_ENV = "NEASCN_TEST_CRASH_AT"


def crash_point(name: str) -> None:
    if os.environ.get(CRASH_ENV) == name:
        kill = getattr(signal, "SIGKILL", None)
        if kill is None:  # Windows
            os._exit(137)
        os.kill(os.getpid(), kill)
