"""The profile's language read straight from the SQLite file, before the database layer loads.

The command line chooses its language before it parses its arguments: loading
SQLAlchemy to read one column would cost a fifth of a second of start-up.  This
reads the column with the standard library, read-only; where it cannot (a
database named by ``NEASCN_DATABASE_URL``, no file yet, another schema) it says
so and the caller reads the profile through ``identity.profile`` as usual.
"""

from __future__ import annotations

from pathlib import Path

from neascn_desktop.store.file_query import query_file


def stored_language(data_dir: Path) -> str | None:
    """The language of the profile in ``data_dir``'s SQLite file, or ``None`` when it cannot be
    read this way (the caller then asks ``identity.profile.load_profile``)."""
    found = query_file(data_dir, ["SELECT language FROM profile WHERE id = 1"])
    rows = found[0] if found else []
    return rows[0][0] if rows and isinstance(rows[0][0], str) else None
