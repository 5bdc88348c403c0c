"""Read a few values from the data directory's SQLite file without loading the database layer.

The command line picks its language before SQLAlchemy is loaded (loading it costs a fifth of a
second of start-up, which commands that never use the database layer need not pay).
This reads with the standard library, read-only, and never creates or changes a file; where it
cannot (a database named by ``NEASCN_DATABASE_URL`` or joined with ``neascn join``, no file
yet, another schema) it returns
``None`` and the caller goes through the database layer as usual.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from neascn_desktop.paths import DATABASE_URL_FILE, DB_FILENAME


def query_file(data_dir: Path, statements: Sequence[str]) -> list[list[tuple[Any, ...]]] | None:
    """The rows of each statement, run on ``data_dir``'s SQLite file opened read-only; ``None``
    when the data directory's database cannot be read this way."""
    path = Path(data_dir) / DB_FILENAME
    if os.environ.get("NEASCN_DATABASE_URL") or not path.is_file():
        return None
    if (Path(data_dir) / DATABASE_URL_FILE).exists():
        return None  # the data directory uses a shared database; a file left here is an old copy
    try:
        conn = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
        try:
            return [conn.execute(statement).fetchall() for statement in statements]
        finally:
            conn.close()
    except sqlite3.Error:
        return None
