"""The profile's language read straight from the SQLite file, before the database layer loads.

The command line chooses its language before it parses its arguments, and a
``package import`` starts its reading workers only after that: loading
SQLAlchemy to read one column would hold the workers back by a fifth of a
second.  This reads the column with the standard library, read-only, as
``sync.peeking.trusted_signers`` reads the trusted keys; where it cannot (a
database named by ``NEASCN_DATABASE_URL``, no file yet, another schema) it says
so and the caller reads the profile through ``identity.profile`` as usual.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from neascn_desktop.paths import DB_FILENAME


def stored_language(data_dir: Path) -> str | None:
    """The language of the profile in ``data_dir``'s SQLite file, or ``None`` when it cannot be
    read this way (the caller then asks ``identity.profile.load_profile``).  Never creates or
    changes a file."""
    path = Path(data_dir) / DB_FILENAME
    if os.environ.get("NEASCN_DATABASE_URL") or not path.is_file():
        return None
    try:
        conn = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
        try:
            row = conn.execute("SELECT language FROM profile WHERE id = 1").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    return row[0] if row and isinstance(row[0], str) else None
