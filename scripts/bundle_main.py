"""Entry point of the frozen bundle: one program, two faces.

The bundle holds one frozen program.  Started as ``neascn-desktop`` it opens
the window; started as ``neascn`` (a symbolic link beside it on Linux and
macOS, a second, console executable on Windows) it is the command-line tool.
One program instead of two halves the folder's copy of the Python code.
"""

import os
import sys


def _face() -> str:
    name = os.path.basename(sys.argv[0] if sys.argv and sys.argv[0] else sys.executable).lower()
    if name.endswith(".exe"):
        name = name[:-4]
    return "cli" if name == "neascn" else "gui"


if _face() == "cli":
    from neascn_desktop.cli import main, use_utf8_streams

    use_utf8_streams()  # the bundle runs in UTF-8 mode too; this covers a stream set up before it
else:
    from neascn_desktop.gui.app import main

raise SystemExit(main())
