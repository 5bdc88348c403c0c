"""Where the app's bundled files and the user's data live.

One module knows the three layouts: a source checkout (``ui/`` beside the
package), an installed wheel (``neascn_desktop/ui``) and a PyInstaller bundle
(``sys._MEIPASS/ui``).  Everything else asks here.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent
_DATA_FOLDERS = ("ui", "resources", "translations")


def _base_for(folder: str) -> Path:
    frozen_base = getattr(sys, "_MEIPASS", None)
    candidates = []
    if frozen_base:
        candidates.append(Path(frozen_base) / folder)
    candidates.append(_PACKAGE_DIR.parent / folder)  # source checkout / editable install
    candidates.append(_PACKAGE_DIR / folder)  # installed wheel
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    return candidates[-1]


def ui_dir() -> Path:
    """Folder of the Qt Designer forms."""
    return _base_for("ui")


def resources_dir() -> Path:
    """Folder of the built-in survey, skeleton, templates, icons and demo data."""
    return _base_for("resources")


def translations_dir() -> Path:
    """Folder of the gettext catalogs (``<locale>/LC_MESSAGES/messages.po``)."""
    return _base_for("translations")


def ui_file(name: str) -> Path:
    return ui_dir() / name


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


#: The database file inside the data directory.
DB_FILENAME = "neascn.sqlite3"
#: A member of a team on a shared database keeps its URL here (``neascn join URL``).
DATABASE_URL_FILE = "database-url"
#: A member's own encryption key, relative to the data directory (see ``team.members``).
MEMBER_KEY_FILE = "keys/member-x25519.pem"


def attachments_dir(data_dir: Path) -> Path:
    """Where attachments are kept, one file per content hash (not created here)."""
    return data_dir / "attachments"


def default_data_dir() -> Path:
    """The user data directory: ``NEASCN_DATA_DIR`` or the platform's standard place."""
    env = os.environ.get("NEASCN_DATA_DIR")
    if env:
        return Path(env).expanduser()
    import platformdirs  # only when no data directory was given (every command imports this module)

    return Path(platformdirs.user_data_dir("neascn-desktop", "NEASCN"))
