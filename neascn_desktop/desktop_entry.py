"""``neascn-desktop --install-desktop-entry``: the Linux menu entry and the ``.neascn`` file type.

Installed for the current user, following the XDG base directories
(``$XDG_DATA_HOME``, default ``~/.local/share``):

- ``applications/neascn-desktop.desktop``: the menu entry; its ``Exec`` line is
  the program that runs now (the bundle's ``neascn-desktop``, or this Python
  with ``-m neascn_desktop``), so double-clicking a package opens it in the Inbox;
- ``mime/packages/neascn-desktop.xml``: the ``application/x-neascn-package``
  type for ``*.neascn`` files (shared-mime-info);
- ``icons/hicolor/scalable/apps/neascn-desktop.svg``: the icon of both.

``update-mime-database`` and ``update-desktop-database`` are run when
present (desktops also notice the files by themselves, a little later).  The
templates live in ``resources/desktop/``.  Windows registers the file type in
its installer (packaging/windows/neascn.iss), macOS in the app's Info.plist.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from neascn_desktop.paths import resource

APP_ID = "neascn-desktop"
MIME_TYPE = "application/x-neascn-package"


@dataclass(frozen=True)
class InstalledEntry:
    desktop_file: Path
    mime_file: Path
    icon_file: Path
    exec_command: str


def data_home() -> Path:
    value = os.environ.get("XDG_DATA_HOME", "")
    return Path(value) if os.path.isabs(value) else Path.home() / ".local" / "share"


def launch_command() -> str:
    """The command line that starts this installation's window."""
    if getattr(sys, "frozen", False):  # the bundle: its own executable
        return shlex.quote(sys.executable)
    script = shutil.which(APP_ID)
    if script:
        return shlex.quote(script)
    return f"{shlex.quote(sys.executable)} -m neascn_desktop"


def install_desktop_entry(base: Path | None = None) -> InstalledEntry:
    """Write the menu entry, MIME type and icon under ``base`` (default: ``data_home()``)."""
    base = base or data_home()
    command = launch_command()
    desktop = base / "applications" / f"{APP_ID}.desktop"
    mime = base / "mime" / "packages" / f"{APP_ID}.xml"
    icon = base / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
    template = resource("desktop", "neascn-desktop.desktop").read_text(encoding="utf-8")
    _write(desktop, template.replace("{exec}", command).encode("utf-8"))
    _write(mime, resource("desktop", "neascn-mime.xml").read_bytes())
    _write(icon, resource("icons", "neascn.svg").read_bytes())
    for tool, folder in (("update-mime-database", base / "mime"),
                         ("update-desktop-database", base / "applications")):
        program = shutil.which(tool)
        if program:  # optional: without it the desktop picks the files up on its next scan
            subprocess.run([program, str(folder)], capture_output=True, check=False)
    return InstalledEntry(desktop, mime, icon, command)


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
