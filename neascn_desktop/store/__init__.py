"""The store: SQLAlchemy engine and sessions, tables and Alembic migrations, attachment files.

Everything is imported on first use: the attachment writer (``store.attachments``) runs in
the package-reading workers, which start before SQLAlchemy is loaded, and opening a
database does not need the ORM (``Base``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from neascn_desktop.lazy import lazy_attributes

if TYPE_CHECKING:
    from neascn_desktop.store.base import Base
    from neascn_desktop.store.database import Database, open_database
    from neascn_desktop.store.errors import StoreError

__all__ = ["Base", "Database", "StoreError", "open_database"]

__getattr__ = lazy_attributes(__name__, {"Base": "base", "Database": "database", "StoreError": "errors",
                                         "open_database": "database"})
