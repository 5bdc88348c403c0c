"""The profile's language read straight from the SQLite file, before the database layer loads.

The command line chooses its language before it parses its arguments: loading
SQLAlchemy to read one column would cost a fifth of a second of start-up.  This
reads the column with the standard library, read-only; where it cannot (a
database named by ``NEASCN_DATABASE_URL``, no file yet, another schema) it says
so and the caller reads the profile through ``identity.profile`` as usual.
"""

from __future__ import annotations

from pathlib import Path

from neascn_desktop.paths import MEMBER_KEY_FILE
from neascn_desktop.store.file_query import query_file

#: A team member's own language, in their data directory: the shared database's profile is the
#: team's, and one member switching the window's language must not switch the others'.
MEMBER_LANGUAGE_FILE = "language"


def member_language(data_dir: Path) -> str | None:
    """The language a team member chose in this data directory, or ``None``."""
    if not (data_dir / MEMBER_KEY_FILE).exists():
        return None
    try:
        text = (data_dir / MEMBER_LANGUAGE_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return text or None


def set_member_language(data_dir: Path, language: str) -> bool:
    """Keep ``language`` as this member's own (``False``: not a member's data directory)."""
    if not (data_dir / MEMBER_KEY_FILE).exists():
        return False
    (data_dir / MEMBER_LANGUAGE_FILE).write_text(language + "\n", encoding="utf-8")
    return True


def stored_language(data_dir: Path) -> str | None:
    """The language of the profile in ``data_dir``'s SQLite file, or ``None`` when it cannot be
    read this way (the caller then asks ``identity.profile.load_profile``)."""
    own = member_language(data_dir)
    if own is not None:
        return own
    found = query_file(data_dir, ["SELECT language FROM profile WHERE id = 1"])
    rows = found[0] if found else []
    return rows[0][0] if rows and isinstance(rows[0][0], str) else None
